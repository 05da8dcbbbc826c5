//! The 双月对话 loop on one issue: `advance_issue` (staff and property steps), `join_issue`
//! (我也遇到), `score_issue`, `escalate_issue` and `answer_escalation` (上报 and the
//! township's answer), and `attach_photo` (evidence, through the queue).

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Definition, Label, Local, Optimistic, Redo, Touches};
use crate::dialogue::{
    after_step, required_text, AdvanceIssueArgs, AnswerEscalationArgs, AttachPhotoArgs,
    EscalateIssueArgs, JoinIssueArgs, PhotoStage, Score, ScoreIssueArgs, Step, REASON_MAX,
    REPLY_MAX,
};
use crate::field::FieldError;
use crate::wire::{EscalationView, IssueView, PhotoRef};

/// The issue as the phone has it, changed by `change`; nothing if the phone does not hold it.
fn changed(local: &Local, id: Uuid, change: impl FnOnce(&mut IssueView)) -> Vec<Optimistic> {
    local
        .rows
        .issue(id)
        .map(|mut issue| {
            change(&mut issue);
            issue.updated_at = local.now;
            Optimistic::issue(&issue)
        })
        .into_iter()
        .collect()
}

fn touches_issue(id: Uuid) -> Touches {
    Touches {
        issue: Some(id),
        ..Touches::default()
    }
}

/// `advance_issue`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdvanceIssue {
    pub issue_id: Uuid,
    pub step: Step,
}

/// The step's name, in both languages.
fn step_label(step: &Step) -> (&'static str, &'static str) {
    match step {
        Step::Accept { .. } => ("立项", "Accept"),
        Step::Merge { .. } => ("合并", "Merge"),
        Step::Decline { .. } => ("不予立项", "Decline"),
        Step::Answer { .. } => ("答复", "Answer"),
        Step::StartRectifying => ("开始整改", "Start fixing"),
        Step::ReportRectified { .. } => ("报告整改完成", "Report it fixed"),
    }
}

impl Definition for AdvanceIssueArgs {
    const NAME: &'static str = "advance_issue";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = AdvanceIssue;

    fn parse(&self) -> Result<AdvanceIssue, Vec<FieldError>> {
        Ok(AdvanceIssue {
            issue_id: self.issue_id,
            step: self.step.validate()?,
        })
    }

    fn touches(advance: &AdvanceIssue) -> Touches {
        let dialogue = match advance.step {
            Step::Accept { session_id } => session_id,
            _ => None,
        };
        Touches {
            dialogue,
            ..touches_issue(advance.issue_id)
        }
    }

    fn label(&self, local: &Local) -> Label {
        let (zh, en) = step_label(&self.step);
        Label::about(zh, en, &local.issue_title(self.issue_id))
    }

    fn redo(&self) -> Redo {
        Redo::Issue {
            id: self.issue_id,
            work: true,
        }
    }

    fn optimistic(advance: &AdvanceIssue, local: &Local) -> Vec<Optimistic> {
        local
            .rows
            .issue(advance.issue_id)
            .and_then(|issue| {
                let rules = local.rules(&issue.community_id);
                after_step(&issue, &advance.step, rules, local.now)
            })
            .map(|v| Optimistic::issue(&v))
            .into_iter()
            .collect()
    }
}

/// `join_issue`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinIssue {
    pub issue_id: Uuid,
}

impl Definition for JoinIssueArgs {
    const NAME: &'static str = "join_issue";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = JoinIssue;

    fn parse(&self) -> Result<JoinIssue, Vec<FieldError>> {
        Ok(JoinIssue {
            issue_id: self.issue_id,
        })
    }

    fn touches(join: &JoinIssue) -> Touches {
        touches_issue(join.issue_id)
    }

    fn label(&self, local: &Local) -> Label {
        Label::about("我也遇到", "Me too", &local.issue_title(self.issue_id))
    }

    fn redo(&self) -> Redo {
        Redo::Issue {
            id: self.issue_id,
            work: false,
        }
    }

    fn optimistic(join: &JoinIssue, local: &Local) -> Vec<Optimistic> {
        changed(local, join.issue_id, |issue| {
            issue.joined = true;
            issue.may_score = true;
            issue.joined_count += 1;
        })
    }
}

/// `score_issue`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreIssue {
    pub issue_id: Uuid,
    pub round: u32,
    pub score: Score,
}

impl Definition for ScoreIssueArgs {
    const NAME: &'static str = "score_issue";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = ScoreIssue;

    fn parse(&self) -> Result<ScoreIssue, Vec<FieldError>> {
        Ok(ScoreIssue {
            issue_id: self.issue_id,
            round: self.round,
            score: Score::parse(self.value, &self.comment)?,
        })
    }

    fn touches(score: &ScoreIssue) -> Touches {
        touches_issue(score.issue_id)
    }

    fn label(&self, local: &Local) -> Label {
        let title = local.issue_title(self.issue_id);
        Label::about(
            &format!("评分 {}分", self.value),
            &format!("Score {}", self.value),
            &title,
        )
    }

    fn redo(&self) -> Redo {
        Redo::Issue {
            id: self.issue_id,
            work: false,
        }
    }

    fn optimistic(score: &ScoreIssue, local: &Local) -> Vec<Optimistic> {
        changed(local, score.issue_id, |issue| {
            issue.my_score = Some(score.score.value)
        })
    }
}

/// `escalate_issue`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalateIssue {
    pub issue_id: Uuid,
    pub note: String,
}

impl Definition for EscalateIssueArgs {
    const NAME: &'static str = "escalate_issue";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = EscalateIssue;

    fn parse(&self) -> Result<EscalateIssue, Vec<FieldError>> {
        Ok(EscalateIssue {
            issue_id: self.issue_id,
            note: required_text("note", &self.note, REASON_MAX).map_err(|e| vec![e])?,
        })
    }

    fn touches(escalate: &EscalateIssue) -> Touches {
        touches_issue(escalate.issue_id)
    }

    fn label(&self, local: &Local) -> Label {
        Label::about(
            "上报乡里",
            "Escalate to the township",
            &local.issue_title(self.issue_id),
        )
    }

    fn redo(&self) -> Redo {
        Redo::Issue {
            id: self.issue_id,
            work: true,
        }
    }

    fn optimistic(escalate: &EscalateIssue, local: &Local) -> Vec<Optimistic> {
        changed(local, escalate.issue_id, |issue| {
            issue.escalation = Some(EscalationView {
                note: escalate.note.clone(),
                escalated_at: local.now,
                answer: None,
                deadline: None,
                answered_at: None,
            })
        })
    }
}

/// `answer_escalation`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerEscalation {
    pub issue_id: Uuid,
    pub answer: String,
    pub deadline: NaiveDate,
}

impl Definition for AnswerEscalationArgs {
    const NAME: &'static str = "answer_escalation";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = AnswerEscalation;

    fn parse(&self) -> Result<AnswerEscalation, Vec<FieldError>> {
        Ok(AnswerEscalation {
            issue_id: self.issue_id,
            answer: required_text("answer", &self.answer, REPLY_MAX).map_err(|e| vec![e])?,
            deadline: self.deadline,
        })
    }

    fn touches(answer: &AnswerEscalation) -> Touches {
        touches_issue(answer.issue_id)
    }

    fn label(&self, local: &Local) -> Label {
        Label::about(
            "答复上报",
            "Answer an escalation",
            &local.issue_title(self.issue_id),
        )
    }

    fn redo(&self) -> Redo {
        Redo::Issue {
            id: self.issue_id,
            work: true,
        }
    }

    fn optimistic(answer: &AnswerEscalation, local: &Local) -> Vec<Optimistic> {
        changed(local, answer.issue_id, |issue| {
            if let Some(escalation) = issue.escalation.as_mut() {
                escalation.answer = Some(answer.answer.clone());
                escalation.deadline = Some(answer.deadline);
                escalation.answered_at = Some(local.now);
            }
        })
    }
}

impl Definition for AttachPhotoArgs {
    const NAME: &'static str = "attach_photo";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = AttachPhotoArgs;

    fn parse(&self) -> Result<AttachPhotoArgs, Vec<FieldError>> {
        self.validate().map_err(|e| vec![e])?;
        Ok(self.clone())
    }

    fn touches(photo: &AttachPhotoArgs) -> Touches {
        touches_issue(photo.issue_id)
    }

    fn label(&self, local: &Local) -> Label {
        Label::about("照片", "Photo", &local.issue_title(self.issue_id))
    }

    fn redo(&self) -> Redo {
        Redo::Issue {
            id: self.issue_id,
            work: self.stage != PhotoStage::Issue,
        }
    }

    /// The photo shows from the queue (a data URL) until the server has it.
    fn optimistic(photo: &AttachPhotoArgs, local: &Local) -> Vec<Optimistic> {
        changed(local, photo.issue_id, |issue| {
            issue.photos.push(PhotoRef {
                id: photo.id,
                stage: photo.stage,
                local: Some(format!("data:{};base64,{}", photo.content_type, photo.data)),
            })
        })
    }
}
