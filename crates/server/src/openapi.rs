//! The OpenAPI document, generated from the handlers' annotations and the wire types.

use utoipa::OpenApi;

use crate::error::Json;

#[derive(OpenApi)]
#[openapi(
    modifiers(&CommonAnswers),
    info(
        title = "一碗汤 API",
        description = "Sign-in, the sync protocol (see docs/PROTOCOL.md) and places."
    ),
    paths(
        crate::http::session::current,
        crate::http::session::sign_in,
        crate::http::session::sign_out,
        crate::http::sync::push,
        crate::http::sync::pull,
        crate::http::communities,
        crate::http::account::invitation,
        crate::http::account::accept,
        crate::http::account::reset_password,
        crate::http::setup::setup,
        crate::http::account::sessions,
        crate::http::account::end_session,
        crate::http::account::export,
        crate::http::account::delete_account,
        crate::http::ledger::figures,
        crate::http::ledger::export,
        crate::http::photos::photo,
        document,
    ),
    components(schemas(
        domain::wire::MutationEnvelope,
        domain::wire::MutationResult,
        domain::wire::ResultStatus,
        domain::wire::Change,
        domain::wire::Op,
        domain::wire::IssueView,
        domain::wire::WireFieldError,
        domain::RaiseIssueArgs,
        domain::account::AddHouseholdArgs,
        domain::account::InviteArgs,
        domain::account::AddCommunityArgs,
        domain::account::CodeRequest,
        domain::account::ResetPasswordArgs,
        domain::account::DeactivatePersonArgs,
        domain::account::RevokeInvitationArgs,
        domain::wire::HouseholdView,
        domain::wire::PersonView,
        domain::wire::InvitationView,
        domain::wire::DialogueView,
        domain::wire::CommunityRulesView,
        domain::dialogue::AdvanceIssueArgs,
        domain::dialogue::JoinIssueArgs,
        domain::dialogue::ScoreIssueArgs,
        domain::dialogue::EscalateIssueArgs,
        domain::dialogue::AnswerEscalationArgs,
        domain::dialogue::ScheduleDialogueArgs,
        domain::dialogue::RecordMinutesArgs,
        domain::dialogue::AttachPhotoArgs,
        domain::dialogue::SetAgendaArgs,
        domain::dialogue::ScoringRulesArgs,
        domain::wire::MarketServiceView,
        domain::wire::MarketSlotView,
        domain::wire::BookingView,
        domain::wire::PassKeyView,
        domain::market::booking::BookServiceArgs,
        domain::market::booking::CancelBookingArgs,
        domain::market::booking::ConfirmServiceArgs,
        domain::market::booking::MarkNoShowArgs,
        domain::market::booking::UpdateMarketSlotArgs,
        domain::market::booking::CancelMarketDayArgs,
        domain::market::schedule::CreateMarketServiceArgs,
        domain::market::schedule::AddMarketDayArgs,
        domain::market::Venue,
        domain::market::booking::JoinWaitlistArgs,
        domain::market::booking::AcceptPromotionArgs,
        domain::wire::WaitlistView,
        domain::wire::ParkingPoolView,
        domain::wire::VisitView,
        domain::parking::Span,
        domain::parking::PoolRules,
        domain::parking::VisitStatus,
        domain::parking::visit::SetParkingPoolArgs,
        domain::parking::visit::RegisterVisitArgs,
        domain::parking::visit::ChangeVisitArgs,
        domain::parking::visit::CancelVisitArgs,
        domain::parking::visit::GateArgs,
        domain::parking::visit::RequestWalkUpArgs,
        domain::parking::visit::ApproveWalkUpArgs,
    ))
)]
pub struct ApiDoc;

/// The answers any operation may give besides its own, documented on every operation so the
/// document is true for every answer (checked by schemathesis in `cargo xtask test`): 400
/// for a parameter or body of the wrong shape, 401 without a session, 404, 422 with field errors, 429 when
/// throttled, and 413 for a body over the size limit.
struct CommonAnswers;

impl utoipa::Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Content, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("ApiError"))),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let has_body = operation.request_body.is_some();
                let answers = &mut operation.responses.responses;
                let mut add = |code: &str, description: &str| {
                    answers
                        .entry(code.to_string())
                        .or_insert_with(|| error(description).into());
                };
                add(
                    "400",
                    "A parameter or the body is not of the expected shape",
                );
                add("401", "Not signed in, or the session ended");
                add("404", "Nothing of that kind here");
                add("422", "A value is not acceptable: see the field errors");
                add("429", "Too many attempts: wait as the message says");
                if has_body {
                    add("413", "The body is over the size limit");
                }
            }
        }
    }
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", responses((status = 200, description = "This document")))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
