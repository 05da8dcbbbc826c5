//! The mutations: every action a phone can queue, each defined once.
//!
//! A mutation is its arguments' type (what travels, `{name, version, args}` in a
//! `wire::MutationEnvelope`) with one `impl Definition`: its name and version, how the
//! arguments parse into a validated value, the ids it touches, its label for the queue
//! screen, the form that made it, and its optimistic effect on the phone's rows. The list in
//! `mutations!` below makes the `Mutation` enum, the table of known versions and the parse
//! dispatch from those definitions: a definition left out of the list cannot be queued
//! (`act` wants `Listed`), and a listed one without its policy rule or server effect does not
//! compile (both are exhaustive matches over `Mutation`).
//!
//! The phone runs the same `parse` before it queues anything, so an invalid action is caught
//! on the phone with the server's own message. An older version a phone queued months ago
//! stays accepted while it is in its definition's `ACCEPTED`; its arguments must still read
//! into today's type (fields are only ever added, with defaults).

mod account;
mod issue;
mod local;
mod loop_steps;
mod market;
mod market_setup;
mod parking;
mod sessions;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

pub use account::{DeactivatePerson, ResetPassword};
pub use local::{Label, Local, Optimistic, Redo, Rows, Touches};
pub use loop_steps::{AdvanceIssue, AnswerEscalation, EscalateIssue, JoinIssue, ScoreIssue};
pub use market::{
    AcceptPromotion, BookService, CancelBooking, CancelMarketDay, ConfirmService, JoinWaitlist,
    MarkNoShow, UpdateMarketSlot,
};
pub use parking::{
    ApproveWalkUp, CancelVisit, ChangeVisit, Gate, GateInArgs, GateOutArgs, RegisterVisit,
    RequestWalkUp, SetParkingPool,
};
pub use sessions::{NewDialogue, RecordMinutes, SetAgenda, SetScoringRules};

use crate::account::{
    AddCommunityArgs, AddHouseholdArgs, DeactivatePersonArgs, InviteArgs, ResetPasswordArgs,
    RevokeInvitationArgs,
};
use crate::dialogue::{
    AdvanceIssueArgs, AnswerEscalationArgs, AttachPhotoArgs, EscalateIssueArgs, JoinIssueArgs,
    RecordMinutesArgs, ScheduleDialogueArgs, ScoreIssueArgs, ScoringRulesArgs, SetAgendaArgs,
};
use crate::field::FieldError;
use crate::issue::RaiseIssueArgs;
use crate::lang::Lang;
use crate::market::booking::{
    AcceptPromotionArgs, BookServiceArgs, CancelBookingArgs, CancelMarketDayArgs,
    ConfirmServiceArgs, JoinWaitlistArgs, MarkNoShowArgs, UpdateMarketSlotArgs,
};
use crate::market::schedule::{AddMarketDayArgs, CreateMarketServiceArgs};
use crate::parking::visit::{
    ApproveWalkUpArgs, CancelVisitArgs, ChangeVisitArgs, RegisterVisitArgs, RequestWalkUpArgs,
    SetParkingPoolArgs,
};
use crate::wire::{MutationEnvelope, MutationResult, ResultStatus, WireFieldError};

/// One mutation, defined once.
pub trait Definition: Serialize + DeserializeOwned {
    const NAME: &'static str;
    /// The version phones send now.
    const VERSION: u32;
    /// Older versions still accepted (queued by an older app), besides `VERSION`.
    const ACCEPTED: &'static [u32];
    /// The arguments, validated.
    type Valid: Clone + std::fmt::Debug + PartialEq;

    /// Validates the arguments: the same rules and messages on the phone and the server.
    fn parse(&self) -> Result<Self::Valid, Vec<FieldError>>;
    /// The ids the server loads before deciding.
    fn touches(valid: &Self::Valid) -> Touches;
    /// What the queue screen calls it (it may name what it acts on, from the phone's rows).
    fn label(&self, local: &Local) -> Label;
    /// The form that made it, for "fix and resubmit".
    fn redo(&self) -> Redo;
    /// The rows the phone shows as 待同步 until the server has answered.
    fn optimistic(valid: &Self::Valid, local: &Local) -> Vec<Optimistic>;

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

/// A definition that is in the list (implemented by `mutations!` only): what the phone may
/// queue, because the server knows it.
pub trait Listed: Definition {
    fn wrap(valid: Self::Valid) -> Mutation;
}

macro_rules! mutations {
    ($($variant:ident($args:ty)),* $(,)?) => {
        /// A validated mutation, ready to run.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Mutation {
            $($variant(<$args as Definition>::Valid)),*
        }

        /// Every mutation the server accepts: (name, current version, older versions).
        pub const KNOWN: &[(&str, u32, &[u32])] = &[
            $((<$args as Definition>::NAME, <$args as Definition>::VERSION, <$args as Definition>::ACCEPTED)),*
        ];

        $(impl Listed for $args {
            fn wrap(valid: Self::Valid) -> Mutation {
                Mutation::$variant(valid)
            }
        })*

        impl Mutation {
            /// Reads and validates `{name, version, args}`; an unknown name or version asks
            /// the phone to update (and keeps the action), never drops it.
            pub fn parse(
                name: &str,
                version: u32,
                args: &serde_json::Value,
            ) -> Result<Mutation, Rejection> {
                $(if name == <$args as Definition>::NAME {
                    return parse_as::<$args>(version, args);
                })*
                Err(Rejection::new(RejectCode::UpdateRequired))
            }

            pub fn name(&self) -> &'static str {
                match self {
                    $(Mutation::$variant(_) => <$args as Definition>::NAME),*
                }
            }

            /// The ids the server loads before deciding.
            pub fn touches(&self) -> Touches {
                match self {
                    $(Mutation::$variant(valid) => <$args as Definition>::touches(valid)),*
                }
            }
        }
    };
}

mutations! {
    RaiseIssue(RaiseIssueArgs),
    AddHousehold(AddHouseholdArgs),
    Invite(InviteArgs),
    ResetPassword(ResetPasswordArgs),
    DeactivatePerson(DeactivatePersonArgs),
    RevokeInvitation(RevokeInvitationArgs),
    AdvanceIssue(AdvanceIssueArgs),
    JoinIssue(JoinIssueArgs),
    ScoreIssue(ScoreIssueArgs),
    EscalateIssue(EscalateIssueArgs),
    AnswerEscalation(AnswerEscalationArgs),
    ScheduleDialogue(ScheduleDialogueArgs),
    RecordMinutes(RecordMinutesArgs),
    AttachPhoto(AttachPhotoArgs),
    SetAgenda(SetAgendaArgs),
    SetScoringRules(ScoringRulesArgs),
    AddCommunity(AddCommunityArgs),
    BookService(BookServiceArgs),
    CancelBooking(CancelBookingArgs),
    ConfirmService(ConfirmServiceArgs),
    JoinWaitlist(JoinWaitlistArgs),
    AcceptPromotion(AcceptPromotionArgs),
    MarkNoShow(MarkNoShowArgs),
    UpdateMarketSlot(UpdateMarketSlotArgs),
    CancelMarketDay(CancelMarketDayArgs),
    CreateMarketService(CreateMarketServiceArgs),
    AddMarketDay(AddMarketDayArgs),
    SetParkingPool(SetParkingPoolArgs),
    RegisterVisit(RegisterVisitArgs),
    ChangeVisit(ChangeVisitArgs),
    CancelVisit(CancelVisitArgs),
    GateIn(GateInArgs),
    GateOut(GateOutArgs),
    RequestWalkUp(RequestWalkUpArgs),
    ApproveWalkUp(ApproveWalkUpArgs),
}

fn parse_as<A: Listed>(version: u32, args: &serde_json::Value) -> Result<Mutation, Rejection> {
    if version != A::VERSION && !A::ACCEPTED.contains(&version) {
        return Err(Rejection::new(RejectCode::UpdateRequired));
    }
    let args: A = serde_json::from_value(args.clone()).map_err(|_| Rejection::malformed())?;
    args.parse().map(A::wrap).map_err(Rejection::invalid)
}

impl Mutation {
    pub fn parse_envelope(envelope: &MutationEnvelope) -> Result<Mutation, Rejection> {
        Mutation::parse(&envelope.name, envelope.version, &envelope.args)
    }

    /// The issue the mutation acts on, if any.
    pub fn issue_id(&self) -> Option<Uuid> {
        self.touches().issue
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
    /// No seat left in the slot (the refusal carries the nearest free slots).
    Full,
}

impl RejectCode {
    pub const ALL: [RejectCode; 6] = [
        RejectCode::Invalid,
        RejectCode::Forbidden,
        RejectCode::UpdateRequired,
        RejectCode::Conflict,
        RejectCode::NotFound,
        RejectCode::Full,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RejectCode::Invalid => "invalid",
            RejectCode::Forbidden => "forbidden",
            RejectCode::UpdateRequired => "update_required",
            RejectCode::Conflict => "conflict",
            RejectCode::NotFound => "not_found",
            RejectCode::Full => "full",
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
            RejectCode::Full => lang.pick("名额已满", "No seats left"),
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
            RejectCode::Full => lang.pick(
                "可以改约还有空位的时段",
                "Book another slot that still has seats",
            ),
        }
    }
}

/// A permanent refusal: committed as processed on the server, shown in 未成功 on the phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub code: RejectCode,
    pub fields: Vec<FieldError>,
    /// A more precise explanation than the code's own, in both languages.
    pub detail: Option<Box<(String, String)>>,
    /// For `full`: the nearest free slots of the same service.
    pub alternatives: Vec<Uuid>,
    /// For a visit refused as `full`: the nearest free windows that fit its stay.
    pub windows: Vec<crate::parking::Span>,
}

impl Rejection {
    pub fn new(code: RejectCode) -> Self {
        Rejection {
            code,
            fields: Vec::new(),
            detail: None,
            alternatives: Vec::new(),
            windows: Vec::new(),
        }
    }

    /// A refusal with its own explanation (zh, en).
    pub fn explained(code: RejectCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Rejection {
            detail: Some(Box::new((zh.into(), en.into()))),
            ..Rejection::new(code)
        }
    }

    pub fn invalid(fields: Vec<FieldError>) -> Self {
        Rejection {
            fields,
            ..Rejection::new(RejectCode::Invalid)
        }
    }

    /// Arguments that do not even have the right shape: a bug or tampering, not a typo.
    pub fn malformed() -> Self {
        Rejection::new(RejectCode::Invalid)
    }

    /// The message: the field errors when there are any, else the code's own message.
    pub fn message(&self, lang: Lang) -> String {
        if let Some((zh, en)) = self.detail.as_deref() {
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
            alternatives: self.alternatives.clone(),
            windows: self.windows.clone(),
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

    /// The phone's rows, for the optimistic effects: one issue.
    struct OneIssue(crate::wire::IssueView);

    impl Rows for OneIssue {
        fn issue(&self, id: Uuid) -> Option<crate::wire::IssueView> {
            (self.0.id == id).then(|| self.0.clone())
        }
        fn dialogue(&self, _: Uuid) -> Option<crate::wire::DialogueView> {
            None
        }
        fn household(&self, _: Uuid) -> Option<crate::wire::HouseholdView> {
            None
        }
        fn person(&self, _: Uuid) -> Option<crate::wire::PersonView> {
            None
        }
        fn community(&self, _: &str) -> Option<crate::wire::CommunityRulesView> {
            None
        }
        fn market_slot(&self, _: Uuid) -> Option<crate::wire::MarketSlotView> {
            None
        }
        fn market_service(&self, _: Uuid) -> Option<crate::wire::MarketServiceView> {
            None
        }
        fn booking(&self, _: Uuid) -> Option<crate::wire::BookingView> {
            None
        }
        fn waitlist(&self, _: Uuid) -> Option<crate::wire::WaitlistView> {
            None
        }
        fn visit(&self, _: Uuid) -> Option<crate::wire::VisitView> {
            None
        }
        fn parking_pool(&self, _: &str) -> Option<crate::wire::ParkingPoolView> {
            None
        }
    }

    fn raised() -> crate::wire::IssueView {
        let args: RaiseIssueArgs = serde_json::from_value(raise_args("楼道灯坏了")).unwrap();
        crate::wire::IssueView::optimistic(
            &args.parse().unwrap(),
            "shanwan",
            "王秀兰",
            DateTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn every_listed_mutation_has_one_name_and_is_parsed_by_its_own_definition() {
        let mut names: Vec<&str> = KNOWN.iter().map(|(name, _, _)| *name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), KNOWN.len(), "a name is listed twice");
        let args = JoinIssueArgs {
            issue_id: Uuid::nil(),
        };
        let envelope = args.envelope(1, Uuid::nil(), DateTime::UNIX_EPOCH);
        let mutation = Mutation::parse_envelope(&envelope).unwrap();
        assert_eq!(mutation.name(), "join_issue");
        assert_eq!(mutation.touches().issue, Some(Uuid::nil()));
    }

    #[test]
    fn optimistic_effects_come_from_the_definition_on_the_phones_rows() {
        let issue = raised();
        let rows = OneIssue(issue.clone());
        let local = Local {
            user_id: Uuid::nil(),
            display_name: "李建国",
            home_community: "shanwan",
            now: DateTime::UNIX_EPOCH,
            rows: &rows,
        };
        let accept = AdvanceIssueArgs {
            issue_id: issue.id,
            step: crate::dialogue::Step::Accept { session_id: None },
        };
        let rows_after = AdvanceIssueArgs::optimistic(&accept.parse().unwrap(), &local);
        assert_eq!(rows_after.len(), 1);
        assert_eq!(
            (rows_after[0].entity, rows_after[0].id.clone()),
            ("issue", issue.id.to_string())
        );
        assert_eq!(rows_after[0].data["status"], "accepted");
        // A step the issue's state does not allow shows nothing rather than a wrong state.
        let report = AdvanceIssueArgs {
            issue_id: issue.id,
            step: crate::dialogue::Step::ReportRectified {
                report: "已修好".into(),
            },
        };
        assert!(AdvanceIssueArgs::optimistic(&report.parse().unwrap(), &local).is_empty());
        let label = accept.label(&local);
        assert_eq!(label.zh, "立项：楼道灯坏了");
        assert_eq!(label.en, "Accept: 楼道灯坏了");
        assert_eq!(
            accept.redo(),
            Redo::Issue {
                id: issue.id,
                work: true
            }
        );
    }

    #[test]
    fn the_phone_gets_the_servers_field_errors_from_the_same_parse() {
        let escalate = EscalateIssueArgs {
            issue_id: Uuid::nil(),
            note: "  ".into(),
        };
        let phone = escalate.parse().unwrap_err();
        let envelope = escalate.envelope(1, Uuid::nil(), DateTime::UNIX_EPOCH);
        let server = Mutation::parse_envelope(&envelope).unwrap_err();
        assert_eq!(server.fields, phone);
        assert_eq!(server.message(Lang::Zh), "请填写说明");
    }
}
