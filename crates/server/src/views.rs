//! Rows shaped into the views the wire carries: what a pull, the ledger and its export
//! send. The one place that builds them.
//!
//! What a person may see is `policy`'s to decide (whose rows a pull covers, whether the
//! raiser's name shows); this module asks it and only shapes.

use domain::person::mask_name;
use domain::wire::{
    BookingView, CommunityRulesView, DialogueNote, DialogueView, EscalationView, HouseholdView,
    InvitationView, IssueView, MarketServiceView, MarketSlotView, PassKeyView, PersonView,
    PhotoRef, RoundView, WaitlistView,
};

use crate::auth::Principal;
use crate::policy::{self, BookingSight, RaiserName};
use crate::store::bookings::BookingRow;
use crate::store::communities::CommunityRow;
use crate::store::dialogues::DialogueRow;
use crate::store::households::HouseholdRow;
use crate::store::invitations::InvitationRow;
use crate::store::issues::{IssueRow, LoopRecords};
use crate::store::market::{ServiceRow, SlotRow};
use crate::store::people::PersonRow;
use crate::store::waitlist::WaitRow;

/// An issue as this person may see it: the raiser's name as the policy allows; who joined
/// and who scored are counted, never named.
pub fn issue_view(principal: &Principal, row: &IssueRow, records: &LoopRecords) -> IssueView {
    shape_issue(Some(principal), row, records)
}

/// An issue for the ledger: as nobody in particular sees it, without the raiser's name.
pub fn ledger_view(row: &IssueRow, records: &LoopRecords) -> IssueView {
    shape_issue(None, row, records)
}

/// An issue for `viewer`, or for nobody in particular (`None`: the ledger).
fn shape_issue(viewer: Option<&Principal>, row: &IssueRow, records: &LoopRecords) -> IssueView {
    let mine = viewer.is_some_and(|p| row.raised_by == Some(p.user_id));
    let joined = records.joins.get(&row.id).cloned().unwrap_or_default();
    let rounds = records.rounds.get(&row.id).cloned().unwrap_or_default();
    let raised_by = match policy::raiser_name(viewer, row) {
        RaiserName::Hidden => String::new(),
        shown => {
            let name = match (&row.raiser_name, shown) {
                (None, _) => "已注销用户".to_string(),
                (Some(name), RaiserName::Full) => name.clone(),
                (Some(name), _) => mask_name(name),
            };
            if row.on_behalf {
                format!("{name}（代居民提出）")
            } else {
                name
            }
        }
    };
    IssueView {
        id: row.id,
        community_id: row.community_id.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
        category: row.category.clone(),
        place: row.place.clone(),
        status: row.status,
        raised_by,
        mine,
        created_at: row.created_at,
        updated_at: row.updated_at,
        accepted_at: row.accepted_at,
        dialogue_id: row.dialogue_id,
        merged_into: row.merged_into,
        decline_reason: row.decline_reason.clone(),
        reply: row.reply.clone(),
        plan: row.plan.clone(),
        promised_by: row.promised_by,
        answered_at: row.answered_at,
        round: row.round,
        rounds: rounds
            .iter()
            .map(|r| {
                let values: Vec<u8> = records
                    .scores
                    .get(&(row.id, r.round))
                    .map(|s| s.iter().map(|(_, v)| *v).collect())
                    .unwrap_or_default();
                RoundView {
                    round: r.round,
                    report: r.report.clone(),
                    reported_at: r.reported_at,
                    closes_at: r.closes_at,
                    outcome: r.outcome,
                    average: r.average,
                    scores: values.len() as u32,
                    satisfied: values
                        .iter()
                        .filter(|v| domain::dialogue::Score::satisfied(**v))
                        .count() as u32,
                }
            })
            .collect(),
        closed_at: row.closed_at,
        joined_count: joined.len() as u32,
        joined: viewer.is_some_and(|p| joined.contains(&p.user_id)),
        may_score: viewer.is_some_and(|p| policy::may_score(p, row, &joined)),
        // A score whose scorer deleted their account has no scorer: it is nobody's "mine".
        my_score: viewer.and_then(|p| {
            records
                .scores
                .get(&(row.id, row.round))
                .and_then(|s| s.iter().find(|(who, _)| *who == Some(p.user_id)))
                .map(|(_, v)| *v)
        }),
        photos: records
            .photos
            .get(&row.id)
            .map(|photos| {
                photos
                    .iter()
                    .map(|(id, stage)| PhotoRef {
                        id: *id,
                        stage: *stage,
                        local: None,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        escalation: row.escalated_at.map(|escalated_at| EscalationView {
            note: row.escalation_note.clone().unwrap_or_default(),
            escalated_at,
            answer: row.township_answer.clone(),
            deadline: row.township_deadline,
            answered_at: row.township_answered_at,
        }),
    }
}

/// A community's name and scoring rules, as its members' phones keep them.
pub fn community_view(row: &CommunityRow) -> CommunityRulesView {
    CommunityRulesView {
        community_id: row.id.clone(),
        name: row.name.clone(),
        pass_average: row.rules.pass_average(),
        window_days: row.rules.window_days,
    }
}

/// A dialogue session with its minutes, as the community sees it.
pub fn dialogue_view(row: &DialogueRow) -> DialogueView {
    DialogueView {
        id: row.id,
        community_id: row.community_id.clone(),
        held_on: row.held_on,
        place: row.place.clone(),
        attendees: row.attendees.clone(),
        minutes: row
            .notes
            .iter()
            .find(|(issue, _)| issue.is_none())
            .map(|(_, notes)| notes.clone()),
        notes: row
            .notes
            .iter()
            .filter_map(|(issue, notes)| {
                issue.map(|issue_id| DialogueNote {
                    issue_id,
                    notes: notes.clone(),
                })
            })
            .collect(),
    }
}

/// A household as staff see it: with the room. Only for rows of `policy::staff_scope`.
pub fn household_view(row: &HouseholdRow) -> HouseholdView {
    HouseholdView {
        id: row.id,
        community_id: row.community_id.clone(),
        point: row.point.clone(),
        building: row.building.clone(),
        unit: row.unit.clone(),
        room: row.room.clone(),
        label: row.label(true),
    }
}

/// A person as their community's staff see them: name, phone, roles, household. Only for
/// rows of `policy::staff_scope`.
pub fn person_view(row: &PersonRow, household: Option<&HouseholdRow>) -> PersonView {
    PersonView {
        id: row.id,
        community_id: row.community_id.clone(),
        display_name: row.display_name.clone(),
        phone: row.phone.clone(),
        roles: row.roles.clone(),
        household_id: row.household_id,
        household_label: household.map(|h| h.label(true)),
        deactivated: row.deactivated,
    }
}

/// An invitation or reset code as the community's staff see it. Only for rows of
/// `policy::staff_scope`. The code itself is never in it: the server keeps only its hash, and
/// the phone that made the code remembers it for the person who made it; other staff see that
/// the code exists (its kind, role, household, expiry), not the code.
pub fn invitation_view(
    row: &InvitationRow,
    household: Option<&HouseholdRow>,
    person_name: Option<String>,
) -> InvitationView {
    InvitationView {
        id: row.id,
        community_id: row.community_id.clone(),
        kind: row.kind.clone(),
        code: String::new(),
        role: row.role,
        household_id: row.household_id,
        household_label: household.map(|h| h.label(true)),
        person_id: row.person_id,
        person_name,
        expires_at: row.expires_at,
        used: row.used_at.is_some(),
    }
}

/// A market service: the same for everyone of its community, but for `serves` (whether this
/// viewer confirms its bookings).
pub fn market_service_view(row: &ServiceRow, serves: bool) -> MarketServiceView {
    MarketServiceView {
        serves,
        id: row.id,
        community_id: row.community_id.clone(),
        venue: row.venue.clone(),
        name: row.name.clone(),
        mode: row.mode,
        place: row.place.clone(),
        walk_in: row.setup.walk_in,
        opens: row.setup.opens.format("%H:%M").to_string(),
        closes: row.setup.closes.format("%H:%M").to_string(),
        slot_minutes: row.setup.slot_minutes,
        monthly_day: row.monthly_day,
    }
}

/// A slot with its seats and the confirmed count (never who booked).
pub fn market_slot_view(row: &SlotRow) -> MarketSlotView {
    MarketSlotView {
        id: row.slot.id,
        service_id: row.slot.service_id,
        community_id: row.community_id.clone(),
        starts_at: row.slot.starts_at,
        ends_at: row.slot.ends_at,
        capacity: row.slot.capacity,
        booked: row.slot.booked,
        held: row.slot.held,
        closed: row.slot.closed,
    }
}

/// A booking as this viewer may see it: the household sees its pass, the staff who and where,
/// a volunteer of the service the masked name and the slot (and, for a door-to-door service on
/// its day, the address and the note).
pub fn booking_view(
    principal: &Principal,
    row: &BookingRow,
    household: Option<&HouseholdRow>,
    now: chrono::DateTime<chrono::Utc>,
) -> BookingView {
    let sight = policy::booking_sight(principal, row);
    let close = matches!(sight, BookingSight::Household | BookingSight::Staff);
    // The volunteer going to the door: the address and the note, on the day only.
    let at_the_door = sight == BookingSight::Volunteer && policy::volunteer_sees_address(row, now);
    BookingView {
        id: row.id,
        service_id: row.service_id,
        slot_id: row.slot_id,
        community_id: row.community_id.clone(),
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        state: row.state,
        own: sight == BookingSight::Household,
        // A 代预约 is named by its household's address: to a volunteer, only that staff booked it.
        who: match (close, row.on_behalf) {
            (true, _) => row.for_name.clone(),
            (false, true) => "代预约".to_string(),
            (false, false) => mask_name(&row.for_name),
        },
        household: match (close || at_the_door, household) {
            (true, Some(household)) => household.label(true),
            _ => String::new(),
        },
        note: if close || at_the_door {
            row.note.clone()
        } else {
            String::new()
        },
        on_behalf: row.on_behalf,
        pass: match sight {
            BookingSight::Household => row.pass.clone(),
            _ => None,
        },
        served_at: row.served_at,
        served_by: row.served_by.clone().unwrap_or_default(),
        cancel_reason: row.cancel_reason.clone(),
    }
}

/// A household's place on a waitlist (sent to that household only).
pub fn waitlist_view(row: &WaitRow) -> WaitlistView {
    use domain::market::waitlist::WaitState;
    WaitlistView {
        id: row.id,
        slot_id: row.slot_id,
        service_id: row.service_id,
        community_id: row.community_id.clone(),
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        state: row.state.code().to_string(),
        offer_until: match row.state {
            WaitState::Offered { until } => Some(until),
            _ => None,
        },
        note: row.note.clone(),
    }
}

/// A public key that checks passes.
pub fn pass_key_view(key_id: u16, public: &[u8; 32], retired: bool) -> PassKeyView {
    use base64::Engine;
    PassKeyView {
        key_id,
        public: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(public),
        retired,
    }
}

/// A view as the JSON a `Change` carries.
pub fn json<T: serde::Serialize>(view: &T) -> serde_json::Value {
    serde_json::to_value(view).expect("views serialise")
}

/// A community's pool: its rules and the spans its spots are held (no plates, no
/// households), to every member of the community.
pub fn parking_pool_view(
    row: &crate::store::parking::PoolRow,
    held: Vec<domain::parking::Span>,
) -> domain::wire::ParkingPoolView {
    domain::wire::ParkingPoolView {
        id: row.id,
        community_id: row.community_id.clone(),
        rules: row.rules.clone(),
        held,
    }
}

/// A visit as this person may see it (the pull sends it to its household and to the
/// community's staff and guards only): the plate in full to them, the pass to the
/// household, the address to staff and guards.
pub fn visit_view(
    principal: &Principal,
    row: &crate::store::parking::VisitRow,
    household: Option<&HouseholdRow>,
) -> domain::wire::VisitView {
    use policy::VisitSight;
    let sight = policy::visit_sight(principal, row);
    domain::wire::VisitView {
        id: row.id,
        community_id: row.community_id.clone(),
        household_id: row.household_id,
        plate: match sight {
            VisitSight::None => row.plate_masked.clone(),
            _ => row.plate.clone().unwrap_or_default(),
        },
        plate_masked: row.plate_masked.clone(),
        unusual: row.unusual,
        arrives_at: row.arrives_at,
        leaves_by: row.leaves_by,
        status: row.status,
        own: sight == VisitSight::Household,
        household: match (sight, household) {
            (VisitSight::Gate, Some(household)) => household.label(true),
            _ => String::new(),
        },
        relation: row.relation.clone(),
        note: match sight {
            VisitSight::None => String::new(),
            _ => row.note.clone(),
        },
        walk_up: row.walk_up,
        over_limit: row.over_limit,
        entered_at: row.entered_at,
        left_at: row.left_at,
        short_code: match sight {
            VisitSight::None => String::new(),
            _ => row.short_code.clone(),
        },
        pass: match sight {
            VisitSight::Household => row.pass.clone(),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn someone() -> Principal {
        Principal {
            user_id: Uuid::new_v4(),
            display_name: String::new(),
            phone: String::new(),
            memberships: Vec::new(),
            token_hash: String::new(),
        }
    }

    #[test]
    fn the_raiser_sees_their_name_and_a_neighbour_sees_it_masked() {
        let (raiser, neighbour) = (someone(), someone());
        let mut row = IssueRow::example("shanwan", Some(raiser.user_id));
        let records = LoopRecords::default();
        let own = issue_view(&raiser, &row, &records);
        assert_eq!(
            (own.raised_by.as_str(), own.mine, own.may_score),
            ("王秀兰", true, true)
        );
        let theirs = issue_view(&neighbour, &row, &records);
        assert_eq!(theirs.raised_by, mask_name("王秀兰"));
        assert!(!theirs.mine && !theirs.may_score);
        row.on_behalf = true;
        assert_eq!(
            issue_view(&neighbour, &row, &records).raised_by,
            format!("{}（代居民提出）", mask_name("王秀兰"))
        );
        row.raiser_name = None;
        assert_eq!(
            issue_view(&neighbour, &row, &records).raised_by,
            "已注销用户（代居民提出）"
        );
    }

    #[test]
    fn the_ledger_names_nobody_and_a_deleted_scorers_score_is_nobodys() {
        let mut row = IssueRow::example("shanwan", None);
        row.on_behalf = true;
        row.round = 1;
        let mut records = LoopRecords::default();
        records.scores.insert((row.id, 1), vec![(None, 5)]);
        records.joins.insert(row.id, vec![Uuid::new_v4()]);
        let view = ledger_view(&row, &records);
        assert_eq!(view.raised_by, "");
        assert_eq!(view.my_score, None);
        assert!(!view.mine && !view.joined && !view.may_score);
        assert_eq!(view.joined_count, 1);
    }
}
