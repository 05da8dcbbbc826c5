//! The OpenAPI document, generated from the handlers' annotations and the wire types.

use utoipa::OpenApi;

use crate::error::Json;

#[derive(OpenApi)]
#[openapi(
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
        domain::account::ResetPasswordArgs,
        domain::account::DeactivatePersonArgs,
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
    ))
)]
pub struct ApiDoc;

#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", responses((status = 200, description = "This document")))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
