//! The mutation definitions: every action a phone can queue, its versions, and why the
//! server may refuse it.
//!
//! A mutation travels as `{name, version, args}` (`wire::MutationEnvelope`). `Mutation::parse`
//! turns it into a validated value or a `Rejection`; the phone runs the same parse before it
//! queues anything, so an invalid action is caught on the phone with the same message.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::account::{
    AddHouseholdArgs, Code, DeactivatePersonArgs, InviteArgs, NewHousehold, NewInvitation,
    ResetPasswordArgs,
};
use crate::dialogue::{
    required_text, AdvanceIssueArgs, AnswerEscalationArgs, AttachPhotoArgs, EscalateIssueArgs,
    JoinIssueArgs, RecordMinutesArgs, ScheduleDialogueArgs, Score, ScoreIssueArgs, ScoringRules,
    ScoringRulesArgs, SetAgendaArgs, Step, REASON_MAX, REPLY_MAX,
};
use crate::field::FieldError;
use crate::issue::{NewIssue, RaiseIssueArgs};
use crate::lang::Lang;
use crate::wire::{MutationEnvelope, MutationResult, ResultStatus, WireFieldError};

/// A mutation's arguments, tied to its name and current version.
pub trait MutationArgs: Serialize {
    const NAME: &'static str;
    const VERSION: u32;

    /// Wraps the arguments into the envelope the outbox stores and the server receives.
    fn envelope(&self, seq: u64, id: Uuid, device_time: DateTime<Utc>) -> MutationEnvelope {
        MutationEnvelope {
            seq,
            id,
            name: Self::NAME.to_string(),
            version: Self::VERSION,
            args: serde_json::to_value(self).expect("mutation arguments serialise"),
            device_time,
        }
    }
}

impl MutationArgs for RaiseIssueArgs {
    const NAME: &'static str = "raise_issue";
    const VERSION: u32 = 1;
}

impl MutationArgs for AddHouseholdArgs {
    const NAME: &'static str = "add_household";
    const VERSION: u32 = 1;
}

impl MutationArgs for InviteArgs {
    const NAME: &'static str = "invite";
    const VERSION: u32 = 1;
}

impl MutationArgs for ResetPasswordArgs {
    const NAME: &'static str = "reset_password";
    const VERSION: u32 = 1;
}

impl MutationArgs for DeactivatePersonArgs {
    const NAME: &'static str = "deactivate_person";
    const VERSION: u32 = 1;
}

impl MutationArgs for AdvanceIssueArgs {
    const NAME: &'static str = "advance_issue";
    const VERSION: u32 = 1;
}

impl MutationArgs for JoinIssueArgs {
    const NAME: &'static str = "join_issue";
    const VERSION: u32 = 1;
}

impl MutationArgs for ScoreIssueArgs {
    const NAME: &'static str = "score_issue";
    const VERSION: u32 = 1;
}

impl MutationArgs for EscalateIssueArgs {
    const NAME: &'static str = "escalate_issue";
    const VERSION: u32 = 1;
}

impl MutationArgs for AnswerEscalationArgs {
    const NAME: &'static str = "answer_escalation";
    const VERSION: u32 = 1;
}

impl MutationArgs for ScheduleDialogueArgs {
    const NAME: &'static str = "schedule_dialogue";
    const VERSION: u32 = 1;
}

impl MutationArgs for AttachPhotoArgs {
    const NAME: &'static str = "attach_photo";
    const VERSION: u32 = 1;
}

impl MutationArgs for RecordMinutesArgs {
    const NAME: &'static str = "record_minutes";
    const VERSION: u32 = 1;
}

impl MutationArgs for SetAgendaArgs {
    const NAME: &'static str = "set_agenda";
    const VERSION: u32 = 1;
}

impl MutationArgs for ScoringRulesArgs {
    const NAME: &'static str = "set_scoring_rules";
    const VERSION: u32 = 1;
}

/// Every (name, version) the server still accepts. A queued mutation of an older version
/// stays valid as long as its version is listed here.
pub const KNOWN: &[(&str, &[u32])] = &[
    (RaiseIssueArgs::NAME, &[1]),
    (AddHouseholdArgs::NAME, &[1]),
    (InviteArgs::NAME, &[1]),
    (ResetPasswordArgs::NAME, &[1]),
    (DeactivatePersonArgs::NAME, &[1]),
    (AdvanceIssueArgs::NAME, &[1]),
    (JoinIssueArgs::NAME, &[1]),
    (ScoreIssueArgs::NAME, &[1]),
    (EscalateIssueArgs::NAME, &[1]),
    (AnswerEscalationArgs::NAME, &[1]),
    (ScheduleDialogueArgs::NAME, &[1]),
    (RecordMinutesArgs::NAME, &[1]),
    (AttachPhotoArgs::NAME, &[1]),
    (SetAgendaArgs::NAME, &[1]),
    (ScoringRulesArgs::NAME, &[1]),
];

/// A validated mutation, ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mutation {
    RaiseIssue(NewIssue),
    AddHousehold(NewHousehold),
    Invite(NewInvitation),
    ResetPassword {
        id: Uuid,
        person_id: Uuid,
        code: Code,
    },
    DeactivatePerson {
        person_id: Uuid,
    },
    AdvanceIssue {
        issue_id: Uuid,
        step: Step,
    },
    JoinIssue {
        issue_id: Uuid,
    },
    ScoreIssue {
        issue_id: Uuid,
        round: u32,
        score: Score,
    },
    EscalateIssue {
        issue_id: Uuid,
        note: String,
    },
    AnswerEscalation {
        issue_id: Uuid,
        answer: String,
        deadline: NaiveDate,
    },
    ScheduleDialogue(NewDialogue),
    RecordMinutes {
        dialogue_id: Uuid,
        issue_id: Option<Uuid>,
        notes: String,
    },
    AttachPhoto(AttachPhotoArgs),
    SetAgenda {
        issue_id: Uuid,
        dialogue_id: Option<Uuid>,
    },
    SetScoringRules {
        community_id: String,
        rules: ScoringRules,
    },
}

/// A validated dialogue session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDialogue {
    pub id: Uuid,
    pub community_id: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub attendees: String,
}

impl Mutation {
    /// The issue the mutation acts on, if any.
    pub fn issue_id(&self) -> Option<Uuid> {
        match self {
            Mutation::AdvanceIssue { issue_id, .. }
            | Mutation::JoinIssue { issue_id }
            | Mutation::ScoreIssue { issue_id, .. }
            | Mutation::EscalateIssue { issue_id, .. }
            | Mutation::AnswerEscalation { issue_id, .. }
            | Mutation::SetAgenda { issue_id, .. } => Some(*issue_id),
            Mutation::AttachPhoto(photo) => Some(photo.issue_id),
            Mutation::RecordMinutes { issue_id, .. } => *issue_id,
            _ => None,
        }
    }
}

fn args_of<T: serde::de::DeserializeOwned>(args: &serde_json::Value) -> Result<T, Rejection> {
    serde_json::from_value(args.clone()).map_err(|_| Rejection::malformed())
}

impl Mutation {
    pub fn parse(
        name: &str,
        version: u32,
        args: &serde_json::Value,
    ) -> Result<Mutation, Rejection> {
        let known = KNOWN
            .iter()
            .any(|(known_name, versions)| *known_name == name && versions.contains(&version));
        if !known {
            return Err(Rejection::new(RejectCode::UpdateRequired));
        }
        match name {
            RaiseIssueArgs::NAME => NewIssue::parse(&args_of(args)?)
                .map(Mutation::RaiseIssue)
                .map_err(Rejection::invalid),
            AddHouseholdArgs::NAME => args_of::<AddHouseholdArgs>(args)?
                .parse()
                .map(Mutation::AddHousehold)
                .map_err(Rejection::invalid),
            InviteArgs::NAME => args_of::<InviteArgs>(args)?
                .parse()
                .map(Mutation::Invite)
                .map_err(Rejection::invalid),
            ResetPasswordArgs::NAME => {
                let reset: ResetPasswordArgs = args_of(args)?;
                let code = Code::parse(&reset.code).map_err(|e| Rejection::invalid(vec![e]))?;
                Ok(Mutation::ResetPassword {
                    id: reset.id,
                    person_id: reset.person_id,
                    code,
                })
            }
            AdvanceIssueArgs::NAME => {
                let advance: AdvanceIssueArgs = args_of(args)?;
                let step = advance.step.validate().map_err(Rejection::invalid)?;
                Ok(Mutation::AdvanceIssue {
                    issue_id: advance.issue_id,
                    step,
                })
            }
            JoinIssueArgs::NAME => {
                let join: JoinIssueArgs = args_of(args)?;
                Ok(Mutation::JoinIssue {
                    issue_id: join.issue_id,
                })
            }
            ScoreIssueArgs::NAME => {
                let score: ScoreIssueArgs = args_of(args)?;
                let parsed =
                    Score::parse(score.value, &score.comment).map_err(Rejection::invalid)?;
                Ok(Mutation::ScoreIssue {
                    issue_id: score.issue_id,
                    round: score.round,
                    score: parsed,
                })
            }
            EscalateIssueArgs::NAME => {
                let escalate: EscalateIssueArgs = args_of(args)?;
                let note = required_text("note", &escalate.note, REASON_MAX)
                    .map_err(|e| Rejection::invalid(vec![e]))?;
                Ok(Mutation::EscalateIssue {
                    issue_id: escalate.issue_id,
                    note,
                })
            }
            AnswerEscalationArgs::NAME => {
                let answer: AnswerEscalationArgs = args_of(args)?;
                let text = required_text("answer", &answer.answer, REPLY_MAX)
                    .map_err(|e| Rejection::invalid(vec![e]))?;
                Ok(Mutation::AnswerEscalation {
                    issue_id: answer.issue_id,
                    answer: text,
                    deadline: answer.deadline,
                })
            }
            ScheduleDialogueArgs::NAME => {
                let schedule: ScheduleDialogueArgs = args_of(args)?;
                let place = required_text("place_of_dialogue", &schedule.place, 60)
                    .map_err(|e| Rejection::invalid(vec![e]))?;
                Ok(Mutation::ScheduleDialogue(NewDialogue {
                    id: schedule.id,
                    community_id: schedule.community_id,
                    held_on: schedule.held_on,
                    place,
                    attendees: crate::field::clean_text(&schedule.attendees, true),
                }))
            }
            RecordMinutesArgs::NAME => {
                let minutes: RecordMinutesArgs = args_of(args)?;
                let notes = required_text("notes", &minutes.notes, REPLY_MAX)
                    .map_err(|e| Rejection::invalid(vec![e]))?;
                Ok(Mutation::RecordMinutes {
                    dialogue_id: minutes.dialogue_id,
                    issue_id: minutes.issue_id,
                    notes,
                })
            }
            AttachPhotoArgs::NAME => {
                let photo: AttachPhotoArgs = args_of(args)?;
                photo.validate().map_err(|e| Rejection::invalid(vec![e]))?;
                Ok(Mutation::AttachPhoto(photo))
            }
            SetAgendaArgs::NAME => {
                let agenda: SetAgendaArgs = args_of(args)?;
                Ok(Mutation::SetAgenda {
                    issue_id: agenda.issue_id,
                    dialogue_id: agenda.dialogue_id,
                })
            }
            ScoringRulesArgs::NAME => {
                let rules: ScoringRulesArgs = args_of(args)?;
                Ok(Mutation::SetScoringRules {
                    rules: rules.parse().map_err(Rejection::invalid)?,
                    community_id: rules.community_id,
                })
            }
            DeactivatePersonArgs::NAME => {
                let deactivate: DeactivatePersonArgs = args_of(args)?;
                Ok(Mutation::DeactivatePerson {
                    person_id: deactivate.person_id,
                })
            }
            _ => Err(Rejection::new(RejectCode::UpdateRequired)),
        }
    }

    pub fn parse_envelope(envelope: &MutationEnvelope) -> Result<Mutation, Rejection> {
        Mutation::parse(&envelope.name, envelope.version, &envelope.args)
    }
}

/// Why the server refused a mutation for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectCode {
    /// The arguments are not acceptable (see the field errors).
    Invalid,
    /// The person may not do this here.
    Forbidden,
    /// This version of the app is too old for the server: update, then the action can be redone.
    UpdateRequired,
    /// It contradicts what the server already holds (the same id used twice, say).
    Conflict,
    /// What it refers to does not exist (any more).
    NotFound,
}

impl RejectCode {
    pub const ALL: [RejectCode; 5] = [
        RejectCode::Invalid,
        RejectCode::Forbidden,
        RejectCode::UpdateRequired,
        RejectCode::Conflict,
        RejectCode::NotFound,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RejectCode::Invalid => "invalid",
            RejectCode::Forbidden => "forbidden",
            RejectCode::UpdateRequired => "update_required",
            RejectCode::Conflict => "conflict",
            RejectCode::NotFound => "not_found",
        }
    }

    pub fn from_code(code: &str) -> Option<RejectCode> {
        RejectCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// What happened, in plain words.
    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            RejectCode::Invalid => {
                lang.pick("填写的内容有问题", "Something in the form is not right")
            }
            RejectCode::Forbidden => {
                lang.pick("您没有权限做这件事", "You are not allowed to do this")
            }
            RejectCode::UpdateRequired => lang.pick(
                "这个版本太旧，服务器不再接受这项操作",
                "This version of the app is too old for the server",
            ),
            RejectCode::Conflict => lang.pick(
                "这项操作和已有的记录冲突",
                "This clashes with a record the server already has",
            ),
            RejectCode::NotFound => lang.pick(
                "要办理的事项已不存在",
                "What this refers to no longer exists",
            ),
        }
    }

    /// What the person can do about it.
    pub fn advice(self, lang: Lang) -> &'static str {
        match self {
            RejectCode::Invalid => lang.pick(
                "请按提示修改后重新提交",
                "Change what the message says, then submit again",
            ),
            RejectCode::Forbidden => lang.pick(
                "如有疑问，请联系社区工作人员",
                "If this seems wrong, please contact community staff",
            ),
            RejectCode::UpdateRequired => lang.pick(
                "请更新应用后重新提交，您填写的内容还在",
                "Update the app, then submit again; what you wrote is kept",
            ),
            RejectCode::Conflict | RejectCode::NotFound => {
                lang.pick("请刷新后查看最新情况", "Refresh to see the latest state")
            }
        }
    }
}

/// A permanent refusal: committed as processed on the server, shown in 未成功 on the phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub code: RejectCode,
    pub fields: Vec<FieldError>,
    /// A more precise explanation than the code's own, in both languages.
    pub detail: Option<(String, String)>,
}

impl Rejection {
    pub fn new(code: RejectCode) -> Self {
        Rejection {
            code,
            fields: Vec::new(),
            detail: None,
        }
    }

    /// A refusal with its own explanation (zh, en).
    pub fn explained(code: RejectCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Rejection {
            detail: Some((zh.into(), en.into())),
            ..Rejection::new(code)
        }
    }

    pub fn invalid(fields: Vec<FieldError>) -> Self {
        Rejection {
            code: RejectCode::Invalid,
            fields,
            detail: None,
        }
    }

    /// Arguments that do not even have the right shape: a bug or tampering, not a typo.
    pub fn malformed() -> Self {
        Rejection::new(RejectCode::Invalid)
    }

    /// The message: the field errors when there are any, else the code's own message.
    pub fn message(&self, lang: Lang) -> String {
        if let Some((zh, en)) = &self.detail {
            return lang.pick(zh, en).clone();
        }
        if self.fields.is_empty() {
            self.code.message(lang).to_string()
        } else {
            let separator = lang.pick("；", "; ");
            self.fields
                .iter()
                .map(|f| f.message(lang))
                .collect::<Vec<_>>()
                .join(separator)
        }
    }

    /// The result the server commits and returns for this rejection.
    pub fn to_result(&self, seq: u64) -> MutationResult {
        MutationResult {
            seq,
            status: ResultStatus::Rejected,
            code: Some(self.code.code().to_string()),
            message: Some(self.message(Lang::Zh)),
            expected_seq: None,
            fields: self
                .fields
                .iter()
                .map(WireFieldError::from_field_error)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::FieldErrorKind;
    use crate::issue::Category;
    use serde_json::json;

    fn raise_args(title: &str) -> serde_json::Value {
        json!({"id": Uuid::nil(), "title": title, "description": "", "category": "sanitation", "place": "5栋"})
    }

    #[test]
    fn raise_issue_version_one_parses_into_a_validated_issue() {
        let mutation = Mutation::parse("raise_issue", 1, &raise_args("垃圾桶满了")).unwrap();
        let Mutation::RaiseIssue(issue) = mutation else {
            panic!("raise_issue parses as RaiseIssue")
        };
        assert_eq!(issue.category, Category::Sanitation);
        assert_eq!(issue.place.as_deref(), Some("5栋"));
    }

    #[test]
    fn an_unknown_name_or_version_asks_for_an_update_instead_of_dropping_it() {
        for (name, version) in [("raise_issue", 2), ("book_slot", 1), ("", 0)] {
            let rejection = Mutation::parse(name, version, &raise_args("t")).unwrap_err();
            assert_eq!(
                rejection.code,
                RejectCode::UpdateRequired,
                "{name} v{version}"
            );
            assert_eq!(
                rejection.to_result(9).code.as_deref(),
                Some("update_required")
            );
        }
    }

    #[test]
    fn invalid_arguments_are_rejected_with_the_field_messages_in_chinese() {
        let rejection = Mutation::parse("raise_issue", 1, &raise_args("")).unwrap_err();
        assert_eq!(
            rejection.fields,
            vec![FieldError::new("title", FieldErrorKind::Required)]
        );
        let result = rejection.to_result(4);
        assert_eq!(result.status, ResultStatus::Rejected);
        assert_eq!(result.code.as_deref(), Some("invalid"));
        assert_eq!(result.message.as_deref(), Some("请填写标题"));
        assert_eq!(result.fields[0].field, "title");
    }

    #[test]
    fn arguments_of_the_wrong_shape_are_invalid_not_a_crash() {
        let rejection = Mutation::parse("raise_issue", 1, &json!({"title": 5})).unwrap_err();
        assert_eq!(rejection.code, RejectCode::Invalid);
        assert_eq!(rejection.message(Lang::Zh), "填写的内容有问题");
    }

    #[test]
    fn the_envelope_carries_name_version_and_arguments() {
        let args = RaiseIssueArgs {
            id: Uuid::nil(),
            title: "路灯不亮".into(),
            description: String::new(),
            category: "repairs".into(),
            place: None,
            on_behalf_of: None,
        };
        let envelope = args.envelope(7, Uuid::nil(), DateTime::UNIX_EPOCH);
        assert_eq!(
            (envelope.seq, envelope.name.as_str(), envelope.version),
            (7, "raise_issue", 1)
        );
        assert!(Mutation::parse_envelope(&envelope).is_ok());
    }

    #[test]
    fn every_reject_code_reads_back_and_is_explained_in_both_languages() {
        for code in RejectCode::ALL {
            assert_eq!(RejectCode::from_code(code.code()), Some(code));
            for lang in Lang::ALL {
                assert!(!code.message(lang).is_empty() && !code.advice(lang).is_empty());
            }
        }
    }
}
