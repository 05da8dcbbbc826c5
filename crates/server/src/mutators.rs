//! The server's side of each mutation: load what it refers to (`Facts`), ask the policy,
//! check the mutation against those same rows, write its effect. Runs inside the
//! transaction that also records the result.
//!
//! Who may do what is the policy's alone; a mutator refuses only what does not fit the
//! state of things (a step the issue's status does not allow, an id already taken).

use chrono::{DateTime, Duration, Utc};
use domain::account::CODE_VALID_DAYS;
use domain::dialogue::{Round, RoundOutcome, Step};
use domain::issue::IssueStatus;
use domain::market::booking::SlotState;
use domain::market::booking::{self, Limits, Refusal};
use domain::market::pass::{self, PassClaims};
use domain::market::schedule;
use domain::mutation::{
    AcceptPromotion, AdvanceIssue, AnswerEscalation, BookService, CancelBooking, ConfirmService,
    DeactivatePerson, EscalateIssue, JoinIssue, JoinWaitlist, RecordMinutes, ResetPassword,
    ScoreIssue, SetAgenda, SetScoringRules,
};
use domain::person::Role;
use domain::{Mutation, RejectCode, Rejection};
use uuid::Uuid;

use crate::auth::Principal;
use crate::policy::{self, Facts, IssueFacts, QuotaUse, Quotas};
use crate::store::issues::IssueRow;
use crate::store::{self, Conn};

/// Why a mutation did not take effect: refused for good, or the database failed (transient).
#[derive(Debug)]
pub enum ApplyError {
    Rejected(Rejection),
    Store(sqlx::Error),
}

impl From<Rejection> for ApplyError {
    fn from(rejection: Rejection) -> Self {
        ApplyError::Rejected(rejection)
    }
}

impl From<sqlx::Error> for ApplyError {
    fn from(error: sqlx::Error) -> Self {
        ApplyError::Store(error)
    }
}

fn conflict() -> ApplyError {
    Rejection::new(RejectCode::Conflict).into()
}

/// Loads the rows the mutation names: the policy decides on them and the mutator acts on
/// them, so nothing is read twice.
async fn facts(
    conn: &mut Conn,
    principal: &Principal,
    mutation: &Mutation,
    quotas: Quotas,
    now: DateTime<Utc>,
) -> Result<Facts, sqlx::Error> {
    // What to load comes from the mutation's own definition (`Definition::touches`).
    let touches = mutation.touches();
    let household = match touches.household {
        Some(id) => store::households::by_id(conn, id).await?,
        None => None,
    };
    let person_scopes = match touches.person {
        Some(person_id) => store::people::scopes_of(conn, person_id).await?,
        None => Vec::new(),
    };
    let issue = match touches.issue {
        Some(id) => match store::issues::by_id(conn, id).await? {
            Some(row) => Some(IssueFacts {
                township_id: store::people::township_of(conn, &row.community_id)
                    .await?
                    .unwrap_or_default(),
                joined: store::issues::joined_users(conn, id).await?,
                row,
            }),
            None => None,
        },
        None => None,
    };
    let dialogue_community = match touches.dialogue {
        Some(dialogue_id) => store::dialogues::community_of(conn, dialogue_id).await?,
        None => None,
    };
    let community_township = match &touches.community {
        Some(community) => store::people::township_of(conn, community).await?,
        None => None,
    };
    // The daily quotas count the last 24 hours, and only as far as the limit; an unlimited
    // quota is not counted at all.
    let since = now - Duration::days(1);
    let user = principal.user_id;
    let quota = match mutation {
        Mutation::RaiseIssue(_) => Some(quotas.issues_per_day),
        Mutation::AttachPhoto(_) => Some(quotas.photos_per_day),
        _ => None,
    }
    .filter(|limit| *limit != Quotas::UNLIMITED);
    let quota = match (mutation, quota) {
        (Mutation::RaiseIssue(_), Some(limit)) => Some(QuotaUse {
            used: store::issues::raised_since(conn, user, since, limit).await?,
            limit,
        }),
        (Mutation::AttachPhoto(_), Some(limit)) => Some(QuotaUse {
            used: store::photos::uploaded_since(conn, user, since, limit).await?,
            limit,
        }),
        _ => None,
    };
    let slot = match touches.slot {
        Some(id) => store::market::slot_by_id(conn, id).await?,
        None => None,
    };
    let booking = match touches.booking {
        Some(id) => store::bookings::by_id(conn, id).await?,
        None => None,
    };
    let waitlist = match touches.waitlist {
        Some(id) => store::waitlist::by_id(conn, id).await?,
        None => None,
    };
    let service = match touches.service {
        Some(id) => store::market::service_by_id(conn, id).await?,
        None => None,
    };
    let visit = match touches.visit {
        Some(id) => store::parking::visit_by_id(conn, id).await?,
        None => None,
    };
    // The pool of the community acted in: the visit's, the household's, the one named, or
    // the community the person lives in.
    let pool = if touches.pool {
        let community = visit
            .as_ref()
            .map(|v| v.community_id.clone())
            .or_else(|| household.as_ref().map(|h| h.community_id.clone()))
            .or_else(|| touches.community.clone())
            .or_else(|| {
                principal
                    .memberships
                    .iter()
                    .find(|m| m.role == Role::Resident)
                    .and_then(|m| m.community_id.clone())
            });
        match community {
            Some(community) => store::parking::pool_of(conn, &community).await?,
            None => None,
        }
    } else {
        None
    };
    let volunteers_for_booking = match &booking {
        Some(b) => store::bookings::volunteers_for(conn, b.service_id, principal.user_id).await?,
        None => false,
    };
    Ok(Facts {
        household,
        person_scopes,
        issue,
        dialogue_community,
        community_township,
        quota,
        slot,
        booking,
        volunteers_for_booking,
        waitlist,
        service,
        visit,
        pool,
    })
}

/// Refuses a dialogue session (the one the mutation names, loaded in `facts`) that is not
/// the issue's community's.
fn session_of_community(facts: &Facts, community_id: &str) -> Result<(), ApplyError> {
    match &facts.dialogue_community {
        Some(community) if community == community_id => Ok(()),
        _ => Err(explained(
            RejectCode::NotFound,
            "找不到本社区的这场对话",
            "No such dialogue session in this community",
        )),
    }
}

fn explained(code: RejectCode, zh: impl Into<String>, en: impl Into<String>) -> ApplyError {
    Rejection::explained(code, zh, en).into()
}

/// "这个问题现在是「已答复」" — why a step does not fit the issue's state.
fn wrong_state(status: IssueStatus) -> ApplyError {
    explained(
        RejectCode::Conflict,
        format!(
            "这个问题现在是「{}」，不能这样处理。请刷新后查看最新情况。",
            status.label(domain::Lang::Zh)
        ),
        format!(
            "This issue is now \"{}\"; that step does not apply. Refresh to see the latest.",
            status.label(domain::Lang::En)
        ),
    )
}

/// Decides the round of an issue whose scoring window has ended (the task that runs
/// every minute), loading the issue first.
pub async fn settle_due_round(
    conn: &mut Conn,
    issue_id: Uuid,
    now: DateTime<Utc>,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let Some(issue) = store::issues::by_id(conn, issue_id).await? else {
        return Ok(false);
    };
    let joined = store::issues::joined_users(conn, issue_id).await?;
    settle_round(conn, &issue, joined.len(), now, version).await
}

/// Decides a scoring round if everyone has scored or its window has ended: closes the
/// issue (已办结) or sends it back to 整改中 (退回重办). `joined` counts the residents who
/// joined the issue; with the raiser, they are who may score.
async fn settle_round(
    conn: &mut Conn,
    issue: &IssueRow,
    joined: usize,
    now: DateTime<Utc>,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let issue_id = issue.id;
    if issue.status != IssueStatus::AwaitingScore {
        return Ok(false);
    }
    let Some(closes_at) = store::issues::round_closes_at(conn, issue_id, issue.round).await? else {
        return Ok(false);
    };
    let rules = store::communities::scoring_rules(conn, &issue.community_id).await?;
    let (pass, window_days) = (rules.pass_average(), rules.window_days);
    let eligible = usize::from(issue.raised_by.is_some()) + joined;
    let round = Round {
        opened_at: closes_at - Duration::days(window_days),
        window_days,
        eligible,
        scores: store::issues::round_scores(conn, issue_id, issue.round).await?,
    };
    let (status, outcome, average) = match round.outcome(now, pass) {
        RoundOutcome::Open => return Ok(false),
        RoundOutcome::Closed { average } => (IssueStatus::Closed, "closed", average),
        RoundOutcome::Reopened { average } => (IssueStatus::Rectifying, "reopened", Some(average)),
    };
    store::issues::decide_round(conn, issue_id, issue.round, outcome, average, now).await?;
    store::issues::set_status(conn, issue_id, status, now, version).await?;
    Ok(true)
}

/// Runs one validated mutation for `principal`; its rows get `version`.
pub async fn apply(
    conn: &mut Conn,
    principal: &Principal,
    mutation: &Mutation,
    version: i64,
    now: DateTime<Utc>,
    quotas: Quotas,
) -> Result<(), ApplyError> {
    let facts = facts(conn, principal, mutation, quotas, now).await?;
    let target = policy::authorize(principal, mutation, &facts)?;
    let expires_at = now + Duration::days(CODE_VALID_DAYS);
    match mutation {
        Mutation::RaiseIssue(issue) => {
            // An id already taken writes nothing and is refused.
            let inserted = store::issues::insert(
                conn,
                issue,
                &target.community_id,
                principal.user_id,
                now,
                IssueStatus::Raised,
                version,
            )
            .await?;
            if !inserted {
                return Err(conflict());
            }
        }
        Mutation::AddHousehold(household) => {
            if store::households::by_id(conn, household.id)
                .await?
                .is_some()
            {
                return Err(conflict());
            }
            store::households::insert(conn, household, now, version).await?;
        }
        Mutation::AddCommunity(community) => {
            if !store::communities::insert(conn, community, version).await? {
                return Err(explained(
                    RejectCode::Conflict,
                    format!("乡里已有叫「{}」的社区", community.name),
                    format!(
                        "The township already has a community called {}",
                        community.name
                    ),
                ));
            }
        }
        Mutation::Invite(invitation) => {
            let inserted = store::invitations::insert(
                conn,
                invitation.id,
                store::invitations::JOIN,
                invitation.code.as_str(),
                &invitation.community_id,
                Some(invitation.role),
                invitation.household_id,
                None,
                principal.user_id,
                now,
                expires_at,
                version,
            )
            .await?;
            if !inserted {
                return Err(conflict());
            }
        }
        Mutation::ResetPassword(ResetPassword {
            id,
            person_id,
            code,
        }) => {
            store::invitations::expire_resets_of(conn, *person_id, now, version).await?;
            let inserted = store::invitations::insert(
                conn,
                *id,
                store::invitations::RESET,
                code.as_str(),
                &target.community_id,
                None,
                None,
                Some(*person_id),
                principal.user_id,
                now,
                expires_at,
                version,
            )
            .await?;
            if !inserted {
                return Err(conflict());
            }
        }
        Mutation::RevokeInvitation(revoke) => {
            match store::invitations::by_id(conn, revoke.invitation_id).await? {
                Some(code) if code.community_id == revoke.community_id => {
                    if !store::invitations::revoke(conn, code.id, now, version).await? {
                        return Err(conflict());
                    }
                }
                _ => return Err(Rejection::new(RejectCode::NotFound).into()),
            }
        }
        Mutation::DeactivatePerson(DeactivatePerson { person_id }) => {
            store::people::deactivate(conn, *person_id, now, version).await?;
        }
        Mutation::AdvanceIssue(AdvanceIssue { issue_id, step }) => {
            let issue = &facts.issue()?.row;
            let to = step
                .next(issue.status)
                .map_err(|_| wrong_state(issue.status))?;
            if matches!(
                step,
                Step::Accept {
                    session_id: Some(_)
                }
            ) {
                session_of_community(&facts, &issue.community_id)?;
            }
            if let Step::Merge { into } = step {
                let target = store::issues::by_id(conn, *into).await?;
                let fits = target.is_some_and(|t| {
                    t.id != issue.id && t.community_id == issue.community_id && t.status.is_open()
                });
                if !fits {
                    return Err(explained(
                        RejectCode::Conflict,
                        "只能合并到本社区另一个还没办结的问题",
                        "An issue can only be merged into another open issue of the same community",
                    ));
                }
            }
            store::issues::advance(conn, *issue_id, step, to, now, version).await?;
            if let Step::ReportRectified { report } = step {
                let rules = store::communities::scoring_rules(conn, &issue.community_id).await?;
                let closes_at = now + Duration::days(rules.window_days);
                store::issues::insert_round(
                    conn,
                    *issue_id,
                    issue.round + 1,
                    report,
                    now,
                    closes_at,
                )
                .await?;
            }
        }
        Mutation::JoinIssue(JoinIssue { issue_id }) => {
            let issue = &facts.issue()?.row;
            if !issue.status.is_open() {
                return Err(wrong_state(issue.status));
            }
            store::issues::join(conn, *issue_id, principal.user_id, now).await?;
            store::issues::touch(conn, *issue_id, version, now).await?;
        }
        Mutation::ScoreIssue(ScoreIssue {
            issue_id,
            round,
            score,
        }) => {
            let issue = facts.issue()?;
            if issue.row.status != IssueStatus::AwaitingScore || *round != issue.row.round {
                return Err(explained(
                    RejectCode::Conflict,
                    "这一轮评分已经结束，您的评分没有计入。请刷新后查看最新情况。",
                    "This round of scoring has ended; your score was not counted. Refresh to see the latest.",
                ));
            }
            let closes_at = store::issues::round_closes_at(conn, *issue_id, *round).await?;
            if closes_at.is_some_and(|closes| now >= closes) {
                return Err(explained(
                    RejectCode::Conflict,
                    "评分时间已过，您的评分没有计入",
                    "The scoring window has closed; your score was not counted",
                ));
            }
            store::issues::upsert_score(
                conn,
                *issue_id,
                *round,
                principal.user_id,
                score.value,
                &score.comment,
                now,
            )
            .await?;
            store::issues::touch(conn, *issue_id, version, now).await?;
            // The row loaded before the score still holds: scoring changes neither the
            // status, the round nor who joined.
            settle_round(conn, &issue.row, issue.joined.len(), now, version).await?;
        }
        Mutation::EscalateIssue(EscalateIssue { issue_id, note }) => {
            let issue = &facts.issue()?.row;
            if issue.escalated_at.is_some() {
                return Err(explained(
                    RejectCode::Conflict,
                    "这个问题已经上报过了",
                    "This issue was already escalated",
                ));
            }
            if !issue.status.is_open() {
                return Err(wrong_state(issue.status));
            }
            store::issues::escalate(conn, *issue_id, note, now, version).await?;
        }
        Mutation::AnswerEscalation(AnswerEscalation {
            issue_id,
            answer,
            deadline,
        }) => {
            let issue = &facts.issue()?.row;
            if issue.escalated_at.is_none() {
                return Err(explained(
                    RejectCode::Conflict,
                    "这个问题没有上报",
                    "This issue was not escalated",
                ));
            }
            store::issues::answer_escalation(conn, *issue_id, answer, *deadline, now, version)
                .await?;
        }
        Mutation::ScheduleDialogue(dialogue) => {
            if !store::dialogues::insert(conn, dialogue, Some(principal.user_id), now, version)
                .await?
            {
                return Err(conflict());
            }
        }
        Mutation::AttachPhoto(photo) => {
            use base64::Engine;
            let invalid = || {
                Rejection::invalid(vec![domain::FieldError::new(
                    "photo",
                    domain::FieldErrorKind::Invalid,
                )])
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(photo.data.as_bytes())
                .map_err(|_| invalid())?;
            if bytes.len() > domain::dialogue::PHOTO_MAX_BYTES {
                return Err(invalid().into());
            }
            // The bytes must be the image they say they are: a photo is served back with
            // its stated type, so anything else (HTML, SVG with a script) is refused here.
            if !domain::dialogue::bytes_match_type(&photo.content_type, &bytes) {
                return Err(invalid().into());
            }
            let taken = store::photos::count(conn, photo.issue_id, photo.stage).await?;
            if taken >= domain::dialogue::PHOTOS_PER_STAGE as i64 {
                return Err(explained(
                    RejectCode::Conflict,
                    "每一步最多3张照片",
                    "At most 3 photos per step",
                ));
            }
            let stored = store::photos::insert(
                conn,
                photo.id,
                photo.issue_id,
                photo.stage,
                &photo.content_type,
                &bytes,
                principal.user_id,
                now,
            )
            .await?;
            if !stored {
                return Err(conflict());
            }
            store::issues::touch(conn, photo.issue_id, version, now).await?;
        }
        Mutation::RecordMinutes(RecordMinutes {
            dialogue_id,
            issue_id,
            notes,
        }) => {
            if issue_id.is_some() {
                let in_community = facts
                    .issue
                    .as_ref()
                    .is_some_and(|i| i.row.community_id == target.community_id);
                if !in_community {
                    return Err(Rejection::new(RejectCode::NotFound).into());
                }
            }
            store::dialogues::record_notes(conn, *dialogue_id, *issue_id, notes, now, version)
                .await?;
        }
        Mutation::SetAgenda(SetAgenda {
            issue_id,
            dialogue_id,
        }) => {
            let issue = &facts.issue()?.row;
            if !domain::dialogue::may_be_on_agenda(issue.status) {
                return Err(explained(
                    RejectCode::Conflict,
                    format!(
                        "这个问题现在是「{}」，立项后才能列入议程",
                        issue.status.label(domain::Lang::Zh)
                    ),
                    format!(
                        "This issue is \"{}\"; only issues taken up as projects go on an agenda",
                        issue.status.label(domain::Lang::En)
                    ),
                ));
            }
            if dialogue_id.is_some() {
                session_of_community(&facts, &issue.community_id)?;
            }
            store::issues::set_agenda(conn, *issue_id, *dialogue_id, version, now).await?;
        }
        Mutation::SetScoringRules(SetScoringRules {
            community_id,
            rules,
        }) => {
            store::communities::set_scoring_rules(conn, community_id, *rules, version).await?;
        }
        Mutation::BookService(book) => {
            book_service(conn, principal, book, &facts, now, version).await?;
        }
        Mutation::SetParkingPool(set) => {
            let id = facts
                .pool
                .as_ref()
                .map(|p| p.id)
                .unwrap_or_else(Uuid::new_v4);
            store::parking::set_pool(conn, id, &set.community_id, &set.rules, version).await?;
        }
        Mutation::RegisterVisit(register) => {
            crate::parking::register(conn, principal, register, &facts, now, version).await?;
        }
        Mutation::ChangeVisit(change) => {
            crate::parking::change(conn, principal, change, &facts, now, version).await?;
        }
        Mutation::CancelVisit(_) => {
            crate::parking::cancel(conn, &facts, version).await?;
        }
        Mutation::GateIn(gate) => {
            crate::parking::gate_in(conn, gate, &facts, now, version).await?;
        }
        Mutation::GateOut(gate) => {
            crate::parking::gate_out(conn, gate, &facts, now, version).await?;
        }
        Mutation::RequestWalkUp(walk_up) => {
            crate::parking::request_walk_up(conn, principal, walk_up, &facts, now, version).await?;
        }
        Mutation::ApproveWalkUp(approve) => {
            crate::parking::approve_walk_up(conn, approve, &facts, version).await?;
        }
        Mutation::CancelBooking(CancelBooking { booking_id }) => {
            let booking = facts.booking()?;
            if booking.state != domain::market::booking::BookingState::Booked {
                return Err(explained(
                    RejectCode::Conflict,
                    format!(
                        "这个预约现在是「{}」，不能取消",
                        booking.state.label(domain::Lang::Zh)
                    ),
                    format!(
                        "This booking is now \"{}\"; it cannot be cancelled",
                        booking.state.label(domain::Lang::En)
                    ),
                ));
            }
            // Residents give a seat back until the cut-off; staff (who hear of an illness on
            // the morning itself) at any time.
            let own = policy::resident_household(principal, &booking.community_id)
                == Some(booking.household_id);
            if own {
                booking::may_cancel(booking.starts_at, &Limits::default(), now)
                    .map_err(Rejection::from)?;
            }
            store::bookings::cancel(conn, *booking_id, now, version).await?;
            store::market::free_seat(conn, booking.slot_id, version).await?;
            // The freed seat goes to the household waiting longest, held for it a while.
            settle_waitlist(conn, booking.slot_id, now, version).await?;
        }
        // Staff change a slot's seats (never below those taken: the domain's rule) or close
        // it; more seats go to the waitlist first, a closed slot's offers end.
        Mutation::UpdateMarketSlot(update) => {
            let slot = facts.slot()?;
            booking::may_resize(&slot.slot, update.capacity).map_err(Rejection::from)?;
            store::market::update_slot(conn, slot.slot.id, update.capacity, update.closed, version)
                .await?;
            settle_waitlist(conn, slot.slot.id, now, version).await?;
        }
        // A service's day called off: its slots close, every booking of it is cancelled with
        // the reason (the households' phones show it at their next pull), and every place in
        // line that day ends.
        Mutation::CancelMarketDay(cancel) => {
            let service = facts
                .service
                .as_ref()
                .ok_or_else(|| Rejection::new(RejectCode::NotFound))?;
            let from = domain::time::from_beijing(cancel.day.and_time(chrono::NaiveTime::MIN));
            let slots = store::market::slots_of_service_between(
                conn,
                service.id,
                from,
                from + Duration::days(1),
            )
            .await?;
            if slots.is_empty() {
                return Err(explained(
                    RejectCode::Conflict,
                    format!(
                        "{}这天没有{}的时段",
                        cancel.day.format("%m-%d"),
                        service.name
                    ),
                    format!("{} has no slots of {} that day", cancel.day, service.name),
                ));
            }
            for slot in slots {
                let called_off =
                    store::bookings::call_off_slot(conn, slot.id, &cancel.reason, now, version)
                        .await?;
                for _ in 0..called_off {
                    store::market::free_seat(conn, slot.id, version).await?;
                }
                store::market::update_slot(conn, slot.id, slot.capacity, true, version).await?;
                store::waitlist::end_of_slot(conn, slot.id, version).await?;
                store::market::set_held(conn, slot.id, 0, version).await?;
            }
        }
        // A new service: stored with how its days are cut, its volunteers (people of the
        // community who volunteer or staff it), and its monthly rule's next days opened.
        Mutation::CreateMarketService(create) => {
            if store::market::service_by_id(conn, create.id)
                .await?
                .is_some()
            {
                return Err(conflict());
            }
            for volunteer in &create.volunteers {
                let gives = store::people::memberships(conn, *volunteer)
                    .await?
                    .iter()
                    .any(|m| {
                        m.community_id.as_deref() == Some(create.community_id.as_str())
                            && matches!(m.role, Role::Volunteer | Role::CommunityStaff)
                    });
                if !gives {
                    return Err(Rejection::invalid(vec![domain::FieldError::new(
                        "volunteers",
                        domain::FieldErrorKind::Invalid,
                    )])
                    .into());
                }
            }
            store::market::insert_service(
                conn,
                &store::market::NewService {
                    id: create.id,
                    community_id: &create.community_id,
                    venue: create.venue,
                    name: &create.name,
                    place: &create.place,
                    setup: create.setup,
                    monthly_day: create.monthly_day,
                },
                version,
            )
            .await?;
            for volunteer in &create.volunteers {
                store::market::add_volunteer(conn, create.id, *volunteer).await?;
            }
            if let Some(service) = store::market::service_by_id(conn, create.id).await? {
                crate::market_days::open_rule_days(conn, &service, now, version).await?;
            }
        }
        // A one-off day: today or later within a year, and not one the service already has.
        Mutation::AddMarketDay(add) => {
            let service = facts
                .service
                .as_ref()
                .ok_or_else(|| Rejection::new(RejectCode::NotFound))?;
            schedule::may_open_day(add.day, domain::ledger::china_date(now))
                .map_err(|e| Rejection::invalid(vec![e]))?;
            if crate::market_days::has_day(conn, service.id, add.day).await? {
                return Err(explained(
                    RejectCode::Conflict,
                    format!(
                        "{}这天已经有{}的时段",
                        add.day.format("%m-%d"),
                        service.name
                    ),
                    format!("{} already has slots of {} that day", add.day, service.name),
                ));
            }
            crate::market_days::open_day(conn, service, add.day, version).await?;
        }
        Mutation::MarkNoShow(_) => {
            let booking = facts.booking()?;
            if booking.state != domain::market::booking::BookingState::Booked {
                return Err(explained(
                    RejectCode::Conflict,
                    format!(
                        "这个预约现在是「{}」，不能记为未到",
                        booking.state.label(domain::Lang::Zh)
                    ),
                    format!(
                        "This booking is now \"{}\"; it cannot be marked as not come",
                        booking.state.label(domain::Lang::En)
                    ),
                ));
            }
            if now < booking.ends_at {
                return Err(explained(
                    RejectCode::Conflict,
                    "这个时段结束后才能记为未到",
                    "A booking can be marked as not come only after its slot ends",
                ));
            }
            store::bookings::mark_no_show(conn, booking.id, version).await?;
        }
        Mutation::JoinWaitlist(join) => {
            join_waitlist(conn, principal, join, &facts, now, version).await?;
        }
        Mutation::AcceptPromotion(accept) => {
            accept_promotion(conn, principal, accept, &facts, now, version).await?;
        }
        Mutation::ConfirmService(confirm) => {
            confirm_service(conn, principal, confirm, &facts, now, version).await?;
        }
    }
    Ok(())
}

/// Records that a booking's service was given. Idempotent: a booking already served (another
/// volunteer's phone, offline, scanned it too) keeps its first record and this one is applied
/// without a second; the phones then pull who confirmed it and when.
async fn confirm_service(
    conn: &mut Conn,
    principal: &Principal,
    confirm: &ConfirmService,
    facts: &Facts,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), ApplyError> {
    use domain::market::booking::BookingState;
    let booking = facts.booking()?;
    match booking.state {
        BookingState::Served => return Ok(()),
        BookingState::Booked => {}
        BookingState::Cancelled => {
            return Err(explained(
                RejectCode::Conflict,
                "这个预约已经取消，凭证作废",
                "This booking was cancelled; its pass is void",
            ))
        }
        BookingState::NoShow | BookingState::Requested => {
            return Err(explained(
                RejectCode::Conflict,
                "这个预约已记为未到",
                "This booking was marked as not come",
            ))
        }
    }
    // A phone's clock is believed within reason: never in the future, and on the booking's
    // own day (a pass is for its day; a confirmation synced later keeps its scan time).
    let at = confirm.confirmed_at.min(now);
    if domain::ledger::china_date(at) != booking.day {
        return Err(explained(
            RejectCode::Conflict,
            format!("这张凭证是{}的，不是当天的", booking.day),
            format!(
                "This pass is for {}, not for the day it was scanned",
                booking.day
            ),
        ));
    }
    store::bookings::serve(
        conn,
        booking.id,
        at,
        principal.user_id,
        confirm.offline,
        version,
    )
    .await?;
    Ok(())
}

/// Gives a household a seat, or refuses: the slot's count, the seats held for the waitlist,
/// the household's bookings and the other slots (for alternatives) are read in this write
/// transaction, so the count is exact when two phones ask for the last seat; the seat is taken
/// by a guarded update and the slot's CHECK, and the booking carries its signed pass.
async fn book_service(
    conn: &mut Conn,
    principal: &Principal,
    book: &BookService,
    facts: &Facts,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), ApplyError> {
    let slot = facts.slot()?;
    let (household_id, name) = match (&facts.household, book.for_household) {
        (Some(household), Some(_)) => (household.id, household.label(false)),
        _ => (
            policy::resident_household(principal, &slot.community_id)
                .ok_or(Rejection::new(RejectCode::Forbidden))?,
            principal.display_name.clone(),
        ),
    };
    let (state, taken) = slot_now(conn, slot, household_id, now, version).await?;
    let siblings = store::market::slots_of_service(conn, state.service_id).await?;
    booking::decide(&state, taken, &siblings, &Limits::default(), now).map_err(Rejection::from)?;
    let seat = Seat {
        booking_id: book.id,
        slot: &state,
        community_id: &slot.community_id,
        household_id,
        name: &name,
        note: &book.note,
        on_behalf: book.for_household.is_some(),
        from_waitlist: None,
    };
    give_seat(conn, principal, &seat, &siblings, now, version).await
}

/// A slot as the booking rules must see it now, and how many seats of its service the
/// household holds that day: offers that ran out free their seats first (the waitlist
/// settles), and live ones hold theirs.
async fn slot_now(
    conn: &mut Conn,
    slot: &store::market::SlotRow,
    household_id: Uuid,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(SlotState, u32), sqlx::Error> {
    let entries = settle_waitlist(conn, slot.slot.id, now, version).await?;
    let state = SlotState {
        held: domain::market::waitlist::held(&entries, now),
        ..slot.slot.clone()
    };
    let day = domain::ledger::china_date(state.starts_at);
    let taken = store::bookings::household_count(conn, household_id, state.service_id, day).await?;
    Ok((state, taken))
}

/// A seat about to be given: to whom, in which slot.
struct Seat<'a> {
    booking_id: Uuid,
    slot: &'a SlotState,
    community_id: &'a str,
    household_id: Uuid,
    name: &'a str,
    note: &'a str,
    on_behalf: bool,
    /// The waitlist entry the seat was offered to (it becomes this booking).
    from_waitlist: Option<Uuid>,
}

/// Takes the seat (a guarded update, and the slot's CHECK) and stores the booking with its
/// signed pass and short code.
async fn give_seat(
    conn: &mut Conn,
    principal: &Principal,
    seat: &Seat<'_>,
    siblings: &[SlotState],
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), ApplyError> {
    let slot = seat.slot;
    if !store::market::take_seat(conn, slot.id, version).await? {
        let alternatives = booking::alternatives(slot, siblings, now);
        return Err(Rejection::from(Refusal::Full { alternatives }).into());
    }
    let (key_id, key) = store::pass_keys::current(conn)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let claims = PassClaims::for_slot(
        key_id,
        seat.booking_id,
        slot.service_id,
        slot.starts_at,
        slot.ends_at,
        seat.name,
    );
    let token = pass::sign(&claims, &key);
    let short_code = pass::short_code(seat.booking_id);
    let inserted = store::bookings::insert(
        conn,
        &store::bookings::NewBooking {
            id: seat.booking_id,
            slot_id: slot.id,
            service_id: slot.service_id,
            community_id: seat.community_id,
            household_id: seat.household_id,
            booked_by: principal.user_id,
            for_name: seat.name,
            on_behalf: seat.on_behalf,
            note: seat.note,
            day: claims.day,
            short_code: &short_code,
            pass: &token,
        },
        now,
        version,
    )
    .await?;
    if !inserted {
        return Err(conflict());
    }
    // A household with its seat for the day leaves the other lines of this service that day;
    // a seat held for it there moves on to the next household.
    let day_starts = domain::time::from_beijing(claims.day.and_time(chrono::NaiveTime::MIN));
    let left = store::waitlist::leave_day(
        conn,
        seat.household_id,
        slot.service_id,
        (day_starts, day_starts + Duration::days(1)),
        seat.from_waitlist,
        version,
    )
    .await?;
    for slot_id in left {
        settle_waitlist(conn, slot_id, now, version).await?;
    }
    Ok(())
}

/// Runs the waitlist rule on a slot: offers that ran out lapse, and the seats free of bookings
/// and live offers are offered to the households waiting longest. Returns the live entries
/// after it.
async fn settle_waitlist(
    conn: &mut Conn,
    slot_id: Uuid,
    now: DateTime<Utc>,
    version: i64,
) -> Result<Vec<domain::market::waitlist::WaitEntry>, sqlx::Error> {
    let mut entries = store::waitlist::live_of_slot(conn, slot_id).await?;
    if entries.is_empty() {
        return Ok(entries);
    }
    let Some(slot) = store::market::slot_by_id(conn, slot_id).await? else {
        return Ok(Vec::new());
    };
    let free = slot.slot.capacity.saturating_sub(slot.slot.booked);
    let changes = domain::market::waitlist::settle(
        &mut entries,
        free,
        (slot.slot.starts_at, slot.slot.closed),
        &Limits::default(),
        now,
    );
    store::waitlist::apply(conn, &changes, version).await?;
    let held = domain::market::waitlist::held(&entries, now);
    store::market::set_held(conn, slot_id, held, version).await?;
    Ok(entries)
}

/// Moves on the seats of offers that ran out (the minute task): each slot in its own write.
pub async fn settle_lapsed_offers(
    conn: &mut Conn,
    slot_id: Uuid,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    settle_waitlist(conn, slot_id, now, version)
        .await
        .map(|_| ())
}

/// A household joins the line for a full slot: only when no seat is free (else it books),
/// the slot is open and not started, and the household holds none of this service that day.
async fn join_waitlist(
    conn: &mut Conn,
    principal: &Principal,
    join: &JoinWaitlist,
    facts: &Facts,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), ApplyError> {
    let slot = facts.slot()?;
    let household_id = policy::resident_household(principal, &slot.community_id)
        .ok_or(Rejection::new(RejectCode::Forbidden))?;
    let (state, taken) = slot_now(conn, slot, household_id, now, version).await?;
    match booking::decide(&state, taken, &[], &Limits::default(), now) {
        Err(Refusal::Full { .. }) => {}
        Ok(()) => {
            return Err(explained(
                RejectCode::Conflict,
                "这个时段还有空位，可以直接预约",
                "This slot still has seats: book it directly",
            ))
        }
        Err(refusal) => return Err(Rejection::from(refusal).into()),
    }
    let inserted = store::waitlist::insert(
        conn,
        &store::waitlist::NewEntry {
            id: join.id,
            slot_id: state.id,
            service_id: state.service_id,
            community_id: &slot.community_id,
            household_id,
            user_id: principal.user_id,
            for_name: &principal.display_name,
            note: &join.note,
        },
        now,
        version,
    )
    .await?;
    if !inserted {
        return Err(explained(
            RejectCode::Conflict,
            "您家已经在这个时段的候补名单上了",
            "Your household is already on this slot's waiting list",
        ));
    }
    Ok(())
}

/// A household offered a freed seat takes it while the offer lasts.
async fn accept_promotion(
    conn: &mut Conn,
    principal: &Principal,
    accept: &AcceptPromotion,
    facts: &Facts,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), ApplyError> {
    use domain::market::waitlist::WaitState;
    let entry = facts
        .waitlist
        .as_ref()
        .ok_or(Rejection::new(RejectCode::NotFound))?;
    // An offer that ran out lapses here (and its seat moves on) before anything is decided.
    let live = settle_waitlist(conn, entry.slot_id, now, version).await?;
    let offered = live.iter().any(|e| {
        e.id == entry.id && matches!(e.state, WaitState::Offered { until } if now < until)
    });
    if !offered {
        let (zh, en) = match entry.state {
            WaitState::Waiting => (
                "还没有空出的名额，有了会通知您",
                "No seat has come free yet; you will be told when one does",
            ),
            WaitState::Accepted => ("这个名额您已经确认过了", "You already took this seat"),
            _ => (
                "确认时间已过，名额已让给下一位",
                "The time to take the seat has passed; it went to the next household",
            ),
        };
        return Err(explained(RejectCode::Conflict, zh, en));
    }
    let Some(slot) = store::market::slot_by_id(conn, entry.slot_id).await? else {
        return Err(Rejection::new(RejectCode::NotFound).into());
    };
    if slot.slot.closed {
        return Err(Rejection::from(Refusal::Closed).into());
    }
    // The household limit holds for a seat from the waitlist too.
    let limits = Limits::default();
    let day = domain::ledger::china_date(slot.slot.starts_at);
    let taken =
        store::bookings::household_count(conn, entry.household_id, entry.service_id, day).await?;
    if taken >= limits.per_household_per_service_per_day {
        return Err(Rejection::from(Refusal::HouseholdLimit {
            max: limits.per_household_per_service_per_day,
        })
        .into());
    }
    let siblings = store::market::slots_of_service(conn, entry.service_id).await?;
    let seat = Seat {
        booking_id: accept.booking_id,
        slot: &slot.slot,
        community_id: &entry.community_id,
        household_id: entry.household_id,
        name: &entry.for_name,
        note: &entry.note,
        on_behalf: false,
        from_waitlist: Some(entry.id),
    };
    give_seat(conn, principal, &seat, &siblings, now, version).await?;
    store::waitlist::accept(conn, entry.id, accept.booking_id, version).await?;
    let held = domain::market::waitlist::held(
        &store::waitlist::live_of_slot(conn, entry.slot_id).await?,
        now,
    );
    store::market::set_held(conn, entry.slot_id, held, version).await?;
    Ok(())
}
