//! The 双月对话 loop as a state machine: 提问题 → 立项 → 答复 → 整改 → 评分, with merging,
//! declining, reopening after a low score, and escalation to the township. The server and
//! the phone run the same rules.
//!
//! Here: the steps and their order, the loop's arguments and limits; `scoring` holds the
//! scoring rounds and each community's rules, `photos` the evidence.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field::{char_count, clean_text, FieldError, FieldErrorKind};
use crate::issue::IssueStatus;
use crate::person::Role;

mod photos;
mod scoring;

pub use photos::*;
pub use scoring::*;

pub const REPLY_MAX: usize = 1000;
pub const REASON_MAX: usize = 300;
pub const COMMENT_MAX: usize = 200;
/// Default number of days residents have to score a rectification.
pub const SCORING_WINDOW_DAYS: i64 = 14;
/// Default average score at or above which a rectification is accepted.
pub const PASS_AVERAGE: f64 = 3.0;
/// A dialogue is held every two months.
pub const DIALOGUE_EVERY_DAYS: i64 = 61;

/// One step of the loop, as a person asks for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// 立项: staff take the issue up as a project for a dialogue session.
    Accept {
        #[serde(default)]
        session_id: Option<Uuid>,
    },
    /// 合并: staff merge a duplicate into an existing issue.
    Merge { into: Uuid },
    /// 不予立项: staff decline, with a reason the resident reads.
    Decline { reason: String },
    /// 答复: the property company answers with a plan and a promised date.
    Answer {
        reply: String,
        #[serde(default)]
        plan: String,
        promised_by: NaiveDate,
    },
    /// 开始整改.
    StartRectifying,
    /// 整改完成: the property company reports the work done, with evidence.
    ReportRectified { report: String },
}

impl Step {
    pub fn name(&self) -> &'static str {
        match self {
            Step::Accept { .. } => "accept",
            Step::Merge { .. } => "merge",
            Step::Decline { .. } => "decline",
            Step::Answer { .. } => "answer",
            Step::StartRectifying => "start_rectifying",
            Step::ReportRectified { .. } => "report_rectified",
        }
    }

    /// Who may take the step (in the issue's community).
    pub fn role(&self) -> Role {
        match self {
            Step::Accept { .. } | Step::Merge { .. } | Step::Decline { .. } => Role::CommunityStaff,
            Step::Answer { .. } | Step::StartRectifying | Step::ReportRectified { .. } => {
                Role::Property
            }
        }
    }

    /// The status the step leads to from `from`, or why it cannot be taken now.
    pub fn next(&self, from: IssueStatus) -> Result<IssueStatus, TransitionError> {
        use IssueStatus::*;
        let to = match (self, from) {
            (Step::Accept { .. }, Raised) => Accepted,
            (Step::Merge { .. }, Raised) => Merged,
            (Step::Decline { .. }, Raised) => Declined,
            (Step::Answer { .. }, Accepted) => Answered,
            (Step::StartRectifying, Answered) => Rectifying,
            (Step::ReportRectified { .. }, Rectifying) => AwaitingScore,
            _ => {
                return Err(TransitionError {
                    from,
                    step: self.name(),
                })
            }
        };
        Ok(to)
    }

    /// Validates the texts the step carries.
    pub fn validate(&self) -> Result<Step, Vec<FieldError>> {
        let required = required_text;
        match self {
            Step::Decline { reason } => required("reason", reason, REASON_MAX)
                .map(|reason| Step::Decline { reason })
                .map_err(|e| vec![e]),
            Step::Answer {
                reply,
                plan,
                promised_by,
            } => {
                let mut errors = Vec::new();
                let reply = required("reply", reply, REPLY_MAX)
                    .map_err(|e| errors.push(e))
                    .ok();
                let plan = clean_text(plan, true);
                if char_count(&plan) > REPLY_MAX {
                    errors.push(FieldError::new(
                        "plan",
                        FieldErrorKind::TooLong {
                            max: REPLY_MAX,
                            actual: char_count(&plan),
                        },
                    ));
                }
                match reply {
                    Some(reply) if errors.is_empty() => Ok(Step::Answer {
                        reply,
                        plan,
                        promised_by: *promised_by,
                    }),
                    _ => Err(errors),
                }
            }
            Step::ReportRectified { report } => required("report", report, REPLY_MAX)
                .map(|report| Step::ReportRectified { report })
                .map_err(|e| vec![e]),
            other => Ok(other.clone()),
        }
    }
}

/// A step asked for at the wrong moment (answering an issue nobody accepted, say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitionError {
    pub from: IssueStatus,
    pub step: &'static str,
}

/// `advance_issue` (version 1): one step of the loop on one issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdvanceIssueArgs {
    pub issue_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub step: Step,
}

/// `join_issue` (version 1): 我也遇到 — a resident joins an issue instead of raising a duplicate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinIssueArgs {
    pub issue_id: Uuid,
}

/// `escalate_issue` (version 1): staff hand an issue to the township (上报).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalateIssueArgs {
    pub issue_id: Uuid,
    pub note: String,
}

/// `answer_escalation` (version 1): township staff answer and set a deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerEscalationArgs {
    pub issue_id: Uuid,
    pub answer: String,
    #[serde(with = "crate::time::day")]
    pub deadline: NaiveDate,
}

/// `schedule_dialogue` (version 1): staff schedule a dialogue session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleDialogueArgs {
    pub id: Uuid,
    pub community_id: String,
    #[serde(with = "crate::time::day")]
    pub held_on: NaiveDate,
    pub place: String,
    /// Who attends: the property company, resident representatives, staff.
    #[serde(default)]
    pub attendees: String,
}

/// `set_agenda` (version 1): staff put an issue taken up as a project on a dialogue
/// session's agenda (carried over from an earlier session, or accepted before any session
/// was scheduled), or take it off (`dialogue_id` absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetAgendaArgs {
    pub issue_id: Uuid,
    #[serde(default)]
    pub dialogue_id: Option<Uuid>,
}

/// Whether an issue in this state can be on a session's agenda: it was taken up as a
/// project (not waiting, merged or declined). Closed issues can still be reported on.
pub fn may_be_on_agenda(status: IssueStatus) -> bool {
    !matches!(
        status,
        IssueStatus::Raised | IssueStatus::Merged | IssueStatus::Declined
    )
}

/// `record_minutes` (version 1): what was said, for one issue of the agenda or in general.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordMinutesArgs {
    pub dialogue_id: Uuid,
    #[serde(default)]
    pub issue_id: Option<Uuid>,
    pub notes: String,
}

/// How an issue looks on the phone right after a step is queued (its optimistic row): the
/// same next status the server will compute, and what the step carries.
pub fn after_step(
    view: &crate::wire::IssueView,
    step: &Step,
    rules: ScoringRules,
    now: DateTime<Utc>,
) -> Option<crate::wire::IssueView> {
    let to = step.next(view.status).ok()?;
    let mut next = view.clone();
    next.status = to;
    next.updated_at = now;
    match step {
        Step::Accept { session_id } => {
            next.accepted_at = Some(now);
            next.dialogue_id = *session_id;
        }
        Step::Merge { into } => next.merged_into = Some(*into),
        Step::Decline { reason } => next.decline_reason = Some(reason.clone()),
        Step::Answer {
            reply,
            plan,
            promised_by,
        } => {
            next.reply = Some(reply.clone());
            next.plan = Some(plan.clone());
            next.promised_by = Some(*promised_by);
            next.answered_at = Some(now);
        }
        Step::StartRectifying => {}
        Step::ReportRectified { report } => {
            next.round += 1;
            next.my_score = None;
            next.rounds.push(crate::wire::RoundView {
                round: next.round,
                report: report.clone(),
                reported_at: now,
                closes_at: now + Duration::days(rules.window_days),
                outcome: None,
                average: None,
                scores: 0,
                satisfied: 0,
            });
        }
    }
    Some(next)
}

/// A text that must be there and not too long.
pub fn required_text(field: &'static str, text: &str, max: usize) -> Result<String, FieldError> {
    let text = clean_text(text, true);
    if text.is_empty() {
        Err(FieldError::new(field, FieldErrorKind::Required))
    } else if char_count(&text) > max {
        Err(FieldError::new(
            field,
            FieldErrorKind::TooLong {
                max,
                actual: char_count(&text),
            },
        ))
    } else {
        Ok(text)
    }
}

/// Whether a promised date or deadline has passed with the work not done.
pub fn overdue(due: Option<NaiveDate>, done: bool, today: NaiveDate) -> bool {
    matches!(due, Some(due) if !done && today > due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use IssueStatus::*;

    fn answer() -> Step {
        Step::Answer {
            reply: "已安排电工".into(),
            plan: "本周内更换灯具".into(),
            promised_by: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        }
    }

    fn all_steps() -> Vec<Step> {
        vec![
            Step::Accept { session_id: None },
            Step::Merge { into: Uuid::nil() },
            Step::Decline {
                reason: "不属于物业范围".into(),
            },
            answer(),
            Step::StartRectifying,
            Step::ReportRectified {
                report: "已更换".into(),
            },
        ]
    }

    #[test]
    fn every_allowed_transition_leads_where_the_loop_says() {
        let allowed = [
            (Raised, "accept", Accepted),
            (Raised, "merge", Merged),
            (Raised, "decline", Declined),
            (Accepted, "answer", Answered),
            (Answered, "start_rectifying", Rectifying),
            (Rectifying, "report_rectified", AwaitingScore),
        ];
        for step in all_steps() {
            for from in IssueStatus::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, name, _)| *f == from && *name == step.name())
                    .map(|(_, _, to)| *to);
                match (step.next(from), expected) {
                    (Ok(to), Some(expected)) => assert_eq!(to, expected),
                    (Err(error), None) => assert_eq!(
                        error,
                        TransitionError {
                            from,
                            step: step.name()
                        }
                    ),
                    (got, expected) => panic!(
                        "{} from {from:?}: got {got:?}, expected {expected:?}",
                        step.name()
                    ),
                }
            }
        }
    }

    #[test]
    fn closed_declined_and_merged_issues_take_no_more_steps() {
        for from in [Closed, Declined, Merged] {
            assert!(
                all_steps().iter().all(|s| s.next(from).is_err()),
                "{from:?}"
            );
        }
    }

    #[test]
    fn staff_decide_on_issues_and_the_property_company_answers_and_rectifies() {
        let roles: Vec<_> = all_steps().iter().map(Step::role).collect();
        use Role::*;
        assert_eq!(
            roles,
            [
                CommunityStaff,
                CommunityStaff,
                CommunityStaff,
                Property,
                Property,
                Property
            ]
        );
    }

    #[test]
    fn the_optimistic_row_follows_the_step() {
        let issue = crate::NewIssue::parse(&crate::RaiseIssueArgs {
            id: Uuid::nil(),
            title: "灯坏了".into(),
            description: String::new(),
            category: "repairs".into(),
            place: None,
            on_behalf_of: None,
        })
        .unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let raised = crate::wire::IssueView::optimistic(&issue, "shanwan", "王秀兰", now);
        assert!(
            after_step(&raised, &answer(), ScoringRules::default(), now).is_none(),
            "not before it is accepted"
        );
        let accepted = after_step(
            &raised,
            &Step::Accept { session_id: None },
            ScoringRules::default(),
            now,
        )
        .unwrap();
        let answered = after_step(&accepted, &answer(), ScoringRules::default(), now).unwrap();
        assert_eq!(
            (answered.status.code(), answered.reply.as_deref()),
            ("answered", Some("已安排电工"))
        );
        let rectifying = after_step(
            &answered,
            &Step::StartRectifying,
            ScoringRules::default(),
            now,
        )
        .unwrap();
        let reported = after_step(
            &rectifying,
            &Step::ReportRectified {
                report: "已换".into(),
            },
            ScoringRules {
                pass_halves: 7,
                window_days: 7,
            },
            now,
        )
        .unwrap();
        assert_eq!(
            (
                reported.status.code(),
                reported.round,
                reported.rounds.len()
            ),
            ("awaiting_score", 1, 1)
        );
        assert_eq!(
            reported.rounds[0].closes_at,
            now + Duration::days(7),
            "the community's window"
        );
    }

    #[test]
    fn scoring_rules_take_half_points_from_one_to_five_and_one_to_sixty_days() {
        let rules = |pass_average: f64, window_days: i64| {
            ScoringRulesArgs {
                community_id: "shanwan".into(),
                pass_average,
                window_days,
            }
            .parse()
        };
        let ok = rules(3.5, 21).unwrap();
        assert_eq!((ok.pass_average(), ok.window_days), (3.5, 21));
        assert_eq!(rules(1.0, 1).unwrap().pass_halves, 2);
        assert_eq!(rules(5.0, 60).unwrap().pass_halves, 10);
        assert_eq!(ScoringRules::default().pass_average(), PASS_AVERAGE);
        for (pass, days, fields) in [
            (0.5, 14, vec!["pass_average"]),
            (5.5, 14, vec!["pass_average"]),
            (3.2, 14, vec!["pass_average"]),
            (f64::NAN, 14, vec!["pass_average"]),
            (3.0, 0, vec!["window_days"]),
            (3.0, 61, vec!["window_days"]),
            (9.0, -1, vec!["pass_average", "window_days"]),
        ] {
            let errors = rules(pass, days).unwrap_err();
            assert_eq!(
                errors.iter().map(|e| e.field).collect::<Vec<_>>(),
                fields,
                "{pass} {days}"
            );
        }
        assert_eq!(
            rules(3.0, 61).unwrap_err()[0].message(crate::Lang::Zh),
            "评分天数应在1到60之间"
        );
    }

    #[test]
    fn only_projects_go_on_an_agenda() {
        for status in IssueStatus::ALL {
            let expected = !matches!(
                status,
                IssueStatus::Raised | IssueStatus::Merged | IssueStatus::Declined
            );
            assert_eq!(may_be_on_agenda(status), expected, "{status:?}");
        }
    }

    #[test]
    fn steps_need_their_texts() {
        assert_eq!(
            Step::Decline { reason: " ".into() }.validate().unwrap_err()[0].field,
            "reason"
        );
        let empty_answer = Step::Answer {
            reply: "".into(),
            plan: "".into(),
            promised_by: NaiveDate::MIN,
        };
        assert_eq!(empty_answer.validate().unwrap_err()[0].field, "reply");
        assert!(answer().validate().is_ok());
        assert_eq!(
            Step::ReportRectified { report: "".into() }
                .validate()
                .unwrap_err()[0]
                .field,
            "report"
        );
    }

    #[test]
    fn scores_are_one_to_five_with_a_short_comment() {
        assert!(Score::parse(1, "").is_ok() && Score::parse(5, "很满意").is_ok());
        assert_eq!(Score::parse(0, "").unwrap_err()[0].field, "score");
        assert_eq!(Score::parse(6, "").unwrap_err()[0].field, "score");
        assert_eq!(
            Score::parse(3, &"字".repeat(201)).unwrap_err()[0].field,
            "comment"
        );
        assert!(Score::satisfied(4) && !Score::satisfied(3));
    }

    fn round(eligible: usize, scores: &[u8]) -> Round {
        Round {
            opened_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            window_days: SCORING_WINDOW_DAYS,
            eligible,
            scores: scores.to_vec(),
        }
    }

    #[test]
    fn a_round_waits_until_everyone_scored_or_the_window_ends() {
        let r = round(2, &[5]);
        let day = Duration::days(1);
        assert_eq!(
            r.outcome(r.opened_at + day, PASS_AVERAGE),
            RoundOutcome::Open
        );
        assert!(r.accepts_scores(r.opened_at + day));
        assert_eq!(
            r.outcome(r.closes_at(), PASS_AVERAGE),
            RoundOutcome::Closed { average: Some(5.0) }
        );
        assert!(!r.accepts_scores(r.closes_at()));
    }

    #[test]
    fn low_scores_reopen_the_issue_and_good_ones_close_it() {
        let now = DateTime::from_timestamp(1_800_000_100, 0).unwrap();
        assert_eq!(
            round(2, &[2, 2]).outcome(now, PASS_AVERAGE),
            RoundOutcome::Reopened { average: 2.0 }
        );
        assert_eq!(
            round(2, &[4, 5]).outcome(now, PASS_AVERAGE),
            RoundOutcome::Closed { average: Some(4.5) }
        );
        assert_eq!(
            round(2, &[3, 3]).outcome(now, PASS_AVERAGE),
            RoundOutcome::Closed { average: Some(3.0) }
        );
        assert_eq!(
            round(2, &[2, 4]).outcome(now, 3.5),
            RoundOutcome::Reopened { average: 3.0 }
        );
    }

    #[test]
    fn a_window_that_ends_without_scores_closes_the_issue() {
        let r = round(1, &[]);
        assert_eq!(
            r.outcome(r.closes_at(), PASS_AVERAGE),
            RoundOutcome::Closed { average: None }
        );
    }

    #[test]
    fn a_promise_is_overdue_only_after_its_day_and_while_not_done() {
        let due = NaiveDate::from_ymd_opt(2026, 12, 5);
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        assert!(!overdue(due, false, day(5)));
        assert!(overdue(due, false, day(6)));
        assert!(!overdue(due, true, day(6)));
        assert!(!overdue(None, false, day(6)));
    }
}
