//! The authorisation matrix, against the real server and database: every listed mutation ×
//! every kind of person (each role, no role, roles in two communities), allowed or refused as
//! the policy says; the staff mutations in their own and another community; and what every
//! role's pull may contain.

use domain::account::{
    AddHouseholdArgs, Code, DeactivatePersonArgs, InviteArgs, ResetPasswordArgs,
};
use domain::dialogue::{
    AdvanceIssueArgs, AnswerEscalationArgs, AttachPhotoArgs, EscalateIssueArgs, JoinIssueArgs,
    PhotoStage, RecordMinutesArgs, ScheduleDialogueArgs, ScoreIssueArgs, ScoringRulesArgs,
    SetAgendaArgs, Step,
};
use domain::mutation::Definition;
use domain::person::Role;
use domain::wire::{MutationEnvelope, ResultStatus};
use domain::RaiseIssueArgs;
use uuid::Uuid;

use crate::helpers::*;

/// Who acts: (phone, role, home community; None for the township).
const ACTORS: [(&str, Role, Option<&str>); 7] = [
    ("13900000001", Role::Resident, Some("shanwan")),
    ("13900000101", Role::Volunteer, Some("jiulong")),
    ("13900000201", Role::Property, Some("shanwan")),
    ("13900000301", Role::CommunityStaff, Some("shanwan")),
    ("13900000302", Role::CommunityStaff, Some("jiulong")),
    ("13900000401", Role::Guard, Some("shanwan")),
    ("13900000501", Role::TownshipStaff, None),
];

/// For each community, a household and a person (not an actor) that mutations can name.
struct Targets {
    household: Uuid,
    person: Uuid,
}

async fn targets(app: &TestApp, community: &str) -> Targets {
    let (room, phone) = match community {
        "shanwan" => ("402", "13900009002"),
        _ => ("101", "13900000004"),
    };
    Targets {
        household: app.household_id(community, room).await,
        person: app.person_id(phone).await,
    }
}

fn code(seed: u8) -> String {
    // Distinct for every seed (the alphabet has 31 letters).
    Code::from_random(&[seed % 31, seed / 31, 7, 7, 7, 7, 7, 7, 7, 7]).display()
}

#[tokio::test]
async fn every_mutation_is_allowed_or_refused_for_every_role_in_its_own_and_another_community() {
    let app = spawn().await;
    let mut checked = 0;
    let mut seed = 0u8;
    for (phone, role, home) in ACTORS {
        let actor = app.signed_in(phone).await;
        let own = home.unwrap_or("shanwan");
        let other = if own == "shanwan" {
            "jiulong"
        } else {
            "shanwan"
        };
        // A resident raises issues in their own community; nobody else raises them for themselves.
        let result = actor
            .act(&RaiseIssueArgs {
                id: Uuid::new_v4(),
                title: format!("{phone}的问题"),
                description: String::new(),
                category: "other".into(),
                place: None,
                on_behalf_of: None,
            })
            .await;
        let allowed = role == Role::Resident;
        assert_eq!(
            result.status == ResultStatus::Applied,
            allowed,
            "raise_issue by {role:?}: {result:?}"
        );
        if !allowed {
            assert_eq!(result.code.as_deref(), Some("forbidden"));
        }
        checked += 1;
        for (place, community) in [("own", own), ("other", other)] {
            // The township has no community of its own: for it both are "another community".
            let staff_here = role == Role::CommunityStaff && place == "own" && home.is_some();
            let target = targets(&app, community).await;
            seed = seed.wrapping_add(3);
            let cases = [
                (
                    "raise_issue on behalf of a household",
                    actor
                        .act(&RaiseIssueArgs {
                            id: Uuid::new_v4(),
                            title: "代居民提出的问题".into(),
                            description: String::new(),
                            category: "other".into(),
                            place: None,
                            on_behalf_of: Some(target.household),
                        })
                        .await,
                ),
                (
                    "add_household",
                    actor
                        .act(&AddHouseholdArgs {
                            id: Uuid::new_v4(),
                            community_id: community.into(),
                            point: None,
                            building: "9栋".into(),
                            unit: None,
                            room: Some("901".into()),
                        })
                        .await,
                ),
                (
                    "invite a volunteer",
                    actor
                        .act(&InviteArgs {
                            id: Uuid::new_v4(),
                            community_id: community.into(),
                            role: Role::Volunteer,
                            household_id: None,
                            code: code(seed),
                        })
                        .await,
                ),
                (
                    "invite a resident to a household",
                    actor
                        .act(&InviteArgs {
                            id: Uuid::new_v4(),
                            community_id: community.into(),
                            role: Role::Resident,
                            household_id: Some(target.household),
                            code: code(seed.wrapping_add(1)),
                        })
                        .await,
                ),
                (
                    "reset_password",
                    actor
                        .act(&ResetPasswordArgs {
                            id: Uuid::new_v4(),
                            person_id: target.person,
                            code: code(seed.wrapping_add(2)),
                        })
                        .await,
                ),
                (
                    "deactivate_person",
                    actor
                        .act(&DeactivatePersonArgs {
                            person_id: target.person,
                        })
                        .await,
                ),
                (
                    "set_scoring_rules",
                    actor
                        .act(&ScoringRulesArgs {
                            community_id: community.into(),
                            pass_average: 3.5,
                            window_days: 10,
                        })
                        .await,
                ),
            ];
            for (name, result) in cases {
                let applied = result.status == ResultStatus::Applied;
                // Township staff reset and deactivate people of their township.
                let township_may = role == Role::TownshipStaff
                    && matches!(name, "reset_password" | "deactivate_person");
                let staff_here = staff_here || township_may;
                assert_eq!(
                    applied, staff_here,
                    "{name} by {role:?} of {home:?} in {place} community {community}: {result:?}"
                );
                if !staff_here {
                    assert_eq!(result.status, ResultStatus::Rejected);
                    assert_eq!(
                        result.code.as_deref(),
                        Some("forbidden"),
                        "{name} by {role:?}"
                    );
                    assert_eq!(result.message.as_deref(), Some("您没有权限做这件事"));
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 7 + 7 * 2 * 7);
    // The refusals left no trace; the allowed ones took effect exactly once each.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM communities WHERE scoring_window_days = 10 AND id LIKE ?",
            "%"
        )
        .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM households WHERE building = ?", "9栋")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations WHERE kind = ?", "join")
            .await,
        4
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations WHERE kind = ?", "reset")
            .await,
        4
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM issues WHERE title = ?",
            "代居民提出的问题"
        )
        .await,
        2
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE deactivated_at IS NOT NULL AND phone <> ?",
            ""
        )
        .await,
        2
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM issues WHERE title LIKE ?",
            "139%的问题"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn staff_may_not_deactivate_themselves_and_unknown_people_are_not_found() {
    let app = spawn().await;
    let staff = app.signed_in("13900000301").await;
    let me = app.person_id("13900000301").await;
    let own = staff.act(&DeactivatePersonArgs { person_id: me }).await;
    assert_eq!(own.code.as_deref(), Some("conflict"));
    let nobody = staff
        .act(&DeactivatePersonArgs {
            person_id: Uuid::new_v4(),
        })
        .await;
    assert_eq!(nobody.code.as_deref(), Some("not_found"));
}

/// An 11-digit mobile number standing alone (not part of a longer run of letters and digits,
/// such as a UUID's last group, which can be all digits by chance).
fn has_phone(text: &str) -> bool {
    let bytes = text.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric();
    bytes.windows(11).enumerate().any(|(at, w)| {
        w[0] == b'1'
            && w.iter().all(u8::is_ascii_digit)
            && (at == 0 || !word(&bytes[at - 1]))
            && bytes.get(at + 11).is_none_or(|b| !word(b))
    })
}

#[test]
fn phones_are_found_alone_and_not_inside_ids() {
    assert!(has_phone(r#"{"phone":"13900000001"}"#));
    assert!(has_phone("联系电话13900000001。"));
    assert!(!has_phone(r#""id":"1c2d3e4f-0000-4000-8000-139000000012""#));
    assert!(!has_phone("139000000"));
}

#[tokio::test]
async fn pulls_hold_only_the_persons_communities_and_private_data_only_for_their_staff() {
    let app = spawn().await;
    for (phone, role, home) in ACTORS {
        let pull = app.signed_in(phone).await.pull(None).await;
        let text = serde_json::to_string(&pull).unwrap();
        for change in &pull.changes {
            let data = change.data.as_ref().unwrap();
            if change.entity == "pass_key" {
                // Public keys, to everyone who checks passes: anyone with a work role.
                assert_ne!(role, Role::Resident, "a resident received pass keys");
                continue;
            }
            let community = data["community_id"].as_str().unwrap();
            match (change.entity.as_str(), home) {
                (
                    "issue" | "dialogue" | "community" | "market_service" | "market_slot"
                    | "parking_pool",
                    Some(home),
                ) => {
                    assert_eq!(
                        community, home,
                        "{role:?} saw another community's {}",
                        change.entity
                    )
                }
                (
                    "issue" | "dialogue" | "community" | "market_service" | "market_slot"
                    | "parking_pool",
                    None,
                ) => {} // the township sees every community's
                // Visits: the household's own (with its pass), its community's staff and
                // guards (the plate, no pass).
                ("visit", Some(home)) => {
                    assert_eq!(community, home, "{role:?} saw another community's visit");
                    match role {
                        Role::Resident => assert_eq!(data["own"], true, "a neighbour's visit"),
                        Role::CommunityStaff | Role::Guard => {
                            assert!(data.get("pass").is_none(), "{role:?} received a pass")
                        }
                        _ => panic!("{role:?} received a visit"),
                    }
                }
                // Bookings: the household's own, its community's staff, its service's volunteers.
                ("booking", Some(home)) => {
                    assert_eq!(community, home, "{role:?} saw another community's booking");
                    assert!(
                        matches!(
                            role,
                            Role::CommunityStaff | Role::Volunteer | Role::Resident
                        ),
                        "{role:?} received a booking"
                    );
                    if role == Role::Volunteer {
                        assert!(data.get("pass").is_none(), "a volunteer received a pass");
                    }
                }
                // Guards keep their gate's households (a walk-up names one): no names, no phones.
                ("household", Some(home)) if role == Role::Guard => {
                    assert_eq!(community, home, "a guard saw another community's household");
                }
                (entity, _) => {
                    assert_eq!(role, Role::CommunityStaff, "{role:?} received a {entity}");
                    assert_eq!(
                        Some(community),
                        home,
                        "staff received another community's {entity}"
                    );
                }
            }
            if change.entity == "issue" {
                assert!(data.get("room").is_none());
                assert!(!data["raised_by"].as_str().unwrap().contains("139"));
            }
        }
        if role == Role::CommunityStaff {
            assert!(has_phone(&text), "staff see their community's phones");
            assert!(pull.changes.iter().any(|c| c.entity == "household"));
            assert!(pull.changes.iter().any(|c| c.entity == "person"));
        } else if role == Role::Guard {
            // A guard keeps the gate's households (a walk-up names one): rooms, no phones.
            assert!(!has_phone(&text), "a guard received a phone number");
            assert!(pull.changes.iter().any(|c| c.entity == "household"));
            assert!(!pull.changes.iter().any(|c| c.entity == "person"));
        } else {
            // Only the person's own phone could be anywhere, and it is not in a pull.
            assert!(!has_phone(&text), "{role:?} received a phone number");
            assert!(
                !text.contains("\"room\""),
                "{role:?} received a room number"
            );
        }
    }
}

/// Every kind of person the matrix below asks, all about 杉湾花园's things.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Resident,
    Volunteer,
    Property,
    CommunityStaff,
    Guard,
    TownshipStaff,
    /// Signed in, but holding no role anywhere.
    NoRole,
    /// A resident of 杉湾花园 who is community staff of 九龙花园.
    TwoCommunities,
}

const EVERYONE: [Who; 8] = [
    Who::Resident,
    Who::Volunteer,
    Who::Property,
    Who::CommunityStaff,
    Who::Guard,
    Who::TownshipStaff,
    Who::NoRole,
    Who::TwoCommunities,
];

/// A person made for the test with these roles (township 汤汪乡); returns their id.
async fn person(
    app: &TestApp,
    phone: &str,
    password_hash: &str,
    roles: &[(Role, Option<&str>)],
) -> Uuid {
    let mut conn = app.db.pool().acquire().await.unwrap();
    let id = Uuid::new_v4();
    server::store::people::insert_user(
        &mut conn,
        id,
        phone,
        "测试人员",
        password_hash,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    for (role, community) in roles {
        server::store::people::insert_membership(
            &mut conn, id, *role, "tangwang", *community, None,
        )
        .await
        .unwrap();
    }
    id
}

/// The people who set the scene for each case: they raise, accept, answer and schedule.
struct Scene<'a> {
    app: &'a TestApp,
    /// 王秀兰 (the `Resident` of the matrix) on a phone of the scene's own.
    resident: Phone,
    /// 李建国, another resident of 杉湾花园.
    neighbour: Phone,
    staff: Phone,
    property: Phone,
    fresh: std::sync::atomic::AtomicU32,
    /// Visits arrive a day apart, so no household limit gets in the way.
    visits: std::sync::atomic::AtomicU32,
}

fn applied(result: domain::wire::MutationResult) {
    assert_eq!(
        result.status,
        ResultStatus::Applied,
        "the scene: {result:?}"
    );
}

impl Scene<'_> {
    async fn raised_by(&self, phone: &Phone) -> Uuid {
        let id = Uuid::new_v4();
        applied(
            phone
                .act(&RaiseIssueArgs {
                    id,
                    title: "矩阵里的问题".into(),
                    description: String::new(),
                    category: "repairs".into(),
                    place: None,
                    on_behalf_of: None,
                })
                .await,
        );
        id
    }

    async fn advanced(&self, issue_id: Uuid, steps: &[Step]) {
        for step in steps {
            let by = if step.role() == Role::Property {
                &self.property
            } else {
                &self.staff
            };
            applied(
                by.act(&AdvanceIssueArgs {
                    issue_id,
                    step: step.clone(),
                })
                .await,
            );
        }
    }

    /// An unused invitation to 杉湾花园, made by its staff.
    async fn invitation(&self) -> Uuid {
        let id = Uuid::new_v4();
        applied(
            self.staff
                .act(&InviteArgs {
                    id,
                    community_id: "shanwan".into(),
                    role: Role::Volunteer,
                    household_id: None,
                    code: self.code(),
                })
                .await,
        );
        id
    }

    async fn dialogue(&self) -> Uuid {
        let id = Uuid::new_v4();
        applied(self.staff.act(&dialogue_args(id)).await);
        id
    }

    /// A person who belongs to 杉湾花园 only.
    async fn someone(&self) -> Uuid {
        let n = self.fresh.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        person(
            self.app,
            &format!("1370000{n:04}"),
            "not a hash",
            &[(Role::Resident, Some("shanwan"))],
        )
        .await
    }

    /// A slot of a service of 杉湾花园's of its own, tomorrow (so no household limit or
    /// cancellation cut-off gets in the way).
    async fn slot(&self) -> Uuid {
        self.slot_at(chrono::Utc::now() + chrono::Duration::days(1))
            .await
    }

    /// A slot tomorrow with `capacity` seats.
    async fn slot_with(&self, capacity: i64) -> Uuid {
        let slot = self.slot().await;
        sqlx::query("UPDATE market_slots SET capacity = ? WHERE id = ?")
            .bind(capacity)
            .bind(slot.to_string())
            .execute(self.app.db.pool())
            .await
            .unwrap();
        slot
    }

    /// A slot starting in a minute, given by the matrix's volunteer (13600000001), for a
    /// confirmation on its own day (waiting out the minutes around midnight in Beijing).
    async fn slot_starting_now(&self) -> Uuid {
        use domain::ledger::china_date;
        loop {
            let now = chrono::Utc::now();
            if china_date(now + chrono::Duration::minutes(2)) == china_date(now) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_secs(20)).await;
        }
        let slot = self
            .slot_at(chrono::Utc::now() + chrono::Duration::minutes(1))
            .await;
        let mut conn = self.app.db.pool().acquire().await.unwrap();
        let service: String =
            sqlx::query_scalar("SELECT service_id FROM market_slots WHERE id = ?")
                .bind(slot.to_string())
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        let volunteer = self.app.person_id("13600000001").await;
        server::store::market::add_volunteer(
            &mut conn,
            Uuid::parse_str(&service).unwrap(),
            volunteer,
        )
        .await
        .unwrap();
        slot
    }

    async fn slot_at(&self, starts_at: chrono::DateTime<chrono::Utc>) -> Uuid {
        use server::store::market::{insert_service, insert_slot, NewService, NewSlot, Venue};
        let mut conn = self.app.db.pool().acquire().await.unwrap();
        let version = server::store::next_version(&mut conn).await.unwrap();
        let service = Uuid::new_v4();
        insert_service(
            &mut conn,
            &NewService {
                id: service,
                community_id: "shanwan",
                venue: Venue::Market,
                name: "理发",
                place: "社区活动室",
                setup: domain::market::schedule::ServiceSetup {
                    mode: domain::market::ServiceMode::AtPlace,
                    walk_in: false,
                    opens: chrono::NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
                    closes: chrono::NaiveTime::from_hms_opt(11, 30, 0).unwrap(),
                    slot_minutes: 30,
                    per_volunteer: 1,
                },
                monthly_day: None,
            },
            version,
        )
        .await
        .unwrap();
        let slot = Uuid::new_v4();
        insert_slot(
            &mut conn,
            &NewSlot {
                id: slot,
                service_id: service,
                community_id: "shanwan",
                starts_at,
                ends_at: starts_at + chrono::Duration::minutes(30),
                capacity: 20,
                closed: false,
            },
            version,
        )
        .await
        .unwrap();
        slot
    }

    /// A visit of the Resident's household (or `for_household`), eight hours after the last
    /// one (three a day, within the week's 21).
    fn visit(&self, for_household: Option<Uuid>) -> domain::parking::visit::RegisterVisitArgs {
        let n = self
            .visits
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        domain::parking::visit::RegisterVisitArgs {
            id: Uuid::new_v4(),
            plate: "苏K12345".into(),
            arrives_at: chrono::Utc::now() + chrono::Duration::hours(24 + 8 * i64::from(n)),
            hours: 3,
            relation: "child".into(),
            note: String::new(),
            for_household,
            over_limit: false,
        }
    }

    /// A walk-up visitor for the Resident's household, a day after the last visit (the
    /// guard's own time is the phone's, so any time travels).
    async fn walk_up(&self) -> domain::parking::visit::RequestWalkUpArgs {
        let visit = self.visit(None);
        domain::parking::visit::RequestWalkUpArgs {
            id: visit.id,
            plate: visit.plate,
            household_id: self.app.household_id("shanwan", "201").await,
            hours: visit.hours,
            at: visit.arrives_at,
            note: String::new(),
        }
    }

    fn code(&self) -> String {
        let n = self.fresh.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // n in base 31 (the alphabet's size): distinct codes for every n.
        let mut bytes = [0u8; 10];
        let mut rest = n;
        for byte in bytes.iter_mut().take(6) {
            *byte = (rest % 31) as u8;
            rest /= 31;
        }
        bytes[9] = 0x5a;
        Code::from_random(&bytes).display()
    }
}

fn dialogue_args(id: Uuid) -> ScheduleDialogueArgs {
    ScheduleDialogueArgs {
        id,
        community_id: "shanwan".into(),
        held_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 19).unwrap(),
        place: "社区议事厅".into(),
        attendees: "康乐物业、居民代表".into(),
    }
}

fn answer() -> Step {
    Step::Answer {
        reply: "已安排".into(),
        plan: "三天内修好".into(),
        promised_by: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
    }
}

fn accept() -> Step {
    Step::Accept { session_id: None }
}

fn envelope<A: Definition>(args: &A) -> MutationEnvelope {
    args.envelope(0, Uuid::new_v4(), chrono::Utc::now())
}

fn jpeg() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b"\xFF\xD8\xFF\xE0 a tiny test image \xFF\xD9")
}

/// The cases: a label (beginning with the mutation's name) and who may.
const CASES: [(&str, &[Who]); 42] = [
    ("raise_issue", &[Who::Resident, Who::TwoCommunities]),
    ("raise_issue for a household", &[Who::CommunityStaff]),
    ("add_household", &[Who::CommunityStaff]),
    ("invite", &[Who::CommunityStaff]),
    (
        "invite the community's staff",
        &[Who::CommunityStaff, Who::TownshipStaff],
    ),
    ("add_community", &[Who::TownshipStaff]),
    (
        "revoke_invitation",
        &[Who::CommunityStaff, Who::TownshipStaff],
    ),
    ("reset_password", &[Who::CommunityStaff, Who::TownshipStaff]),
    (
        "deactivate_person",
        &[Who::CommunityStaff, Who::TownshipStaff],
    ),
    ("advance_issue: accept", &[Who::CommunityStaff]),
    ("advance_issue: answer", &[Who::Property]),
    ("join_issue", &[Who::Resident, Who::TwoCommunities]),
    ("score_issue of the Resident's issue", &[Who::Resident]),
    ("escalate_issue", &[Who::CommunityStaff]),
    ("answer_escalation", &[Who::TownshipStaff]),
    ("schedule_dialogue", &[Who::CommunityStaff]),
    ("record_minutes", &[Who::CommunityStaff]),
    (
        "attach_photo to the Resident's issue",
        &[Who::Resident, Who::CommunityStaff],
    ),
    ("attach_photo to the answer", &[Who::Property]),
    ("set_agenda", &[Who::CommunityStaff]),
    ("set_scoring_rules", &[Who::CommunityStaff]),
    ("advance_issue: decline", &[Who::CommunityStaff]),
    // A resident books for their own household (the two-community person, a resident of
    // 杉湾花园 with no household of their own there, has none to book for).
    ("book_service", &[Who::Resident]),
    ("book_service for a household", &[Who::CommunityStaff]),
    (
        "cancel_booking of the Resident's booking",
        &[Who::Resident, Who::CommunityStaff],
    ),
    // The service's volunteers (the scan) and the community's staff confirm it was given.
    (
        "confirm_service of a booking of the Volunteer's service",
        &[Who::Volunteer, Who::CommunityStaff],
    ),
    // Residents wait for a full slot for their own household; only the household offered a
    // freed seat takes it.
    ("join_waitlist", &[Who::Resident]),
    // Only the community's staff set up its market.
    ("update_market_slot", &[Who::CommunityStaff]),
    ("cancel_market_day", &[Who::CommunityStaff]),
    ("create_market_service", &[Who::CommunityStaff]),
    ("add_market_day", &[Who::CommunityStaff]),
    ("accept_promotion of the Resident's offer", &[Who::Resident]),
    (
        "mark_no_show of an ended booking of the Volunteer's service",
        &[Who::Volunteer, Who::CommunityStaff],
    ),
    // Only the community's staff set its 孝心车位.
    ("set_parking_pool", &[Who::CommunityStaff]),
    // A resident registers for their own household; staff for a household that phoned.
    ("register_visit", &[Who::Resident]),
    ("register_visit for a household", &[Who::CommunityStaff]),
    // The household changes and cancels its own visit; staff any.
    (
        "change_visit of the Resident's visit",
        &[Who::Resident, Who::CommunityStaff],
    ),
    (
        "cancel_visit of the Resident's visit",
        &[Who::Resident, Who::CommunityStaff],
    ),
    // The community's guards (and staff) keep the gate.
    ("gate_in of a visit", &[Who::Guard, Who::CommunityStaff]),
    ("gate_out of a visit", &[Who::Guard, Who::CommunityStaff]),
    ("request_walk_up", &[Who::Guard, Who::CommunityStaff]),
    // The household lets a walk-up visitor in (or staff do).
    (
        "approve_walk_up for the Resident's household",
        &[Who::Resident, Who::CommunityStaff],
    ),
];

fn pool_rules() -> domain::parking::PoolRules {
    domain::parking::PoolRules {
        days_ahead: 60,
        per_week: 21,
        ..domain::parking::PoolRules::default()
    }
}

/// What `case` pushes, with the scene set for it (fresh rows every time).
async fn prepare(scene: &Scene<'_>, case: &str) -> MutationEnvelope {
    match case {
        "raise_issue" => envelope(&RaiseIssueArgs {
            id: Uuid::new_v4(),
            title: "我的问题".into(),
            description: String::new(),
            category: "other".into(),
            place: None,
            on_behalf_of: None,
        }),
        "raise_issue for a household" => envelope(&RaiseIssueArgs {
            id: Uuid::new_v4(),
            title: "代居民提出的问题".into(),
            description: String::new(),
            category: "other".into(),
            place: None,
            on_behalf_of: Some(scene.app.household_id("shanwan", "402").await),
        }),
        "add_household" => envelope(&AddHouseholdArgs {
            id: Uuid::new_v4(),
            community_id: "shanwan".into(),
            point: None,
            building: "9栋".into(),
            unit: None,
            room: Some("901".into()),
        }),
        "invite" => envelope(&InviteArgs {
            id: Uuid::new_v4(),
            community_id: "shanwan".into(),
            role: Role::Volunteer,
            household_id: None,
            code: scene.code(),
        }),
        "invite the community's staff" => envelope(&InviteArgs {
            id: Uuid::new_v4(),
            community_id: "shanwan".into(),
            role: Role::CommunityStaff,
            household_id: None,
            code: scene.code(),
        }),
        "add_community" => envelope(&domain::account::AddCommunityArgs {
            id: Uuid::new_v4(),
            township_id: "tangwang".into(),
            name: format!(
                "新社区{}",
                scene
                    .fresh
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ),
        }),
        "revoke_invitation" => envelope(&domain::account::RevokeInvitationArgs {
            invitation_id: scene.invitation().await,
            community_id: "shanwan".into(),
        }),
        "reset_password" => envelope(&ResetPasswordArgs {
            id: Uuid::new_v4(),
            person_id: scene.someone().await,
            code: scene.code(),
        }),
        "deactivate_person" => envelope(&DeactivatePersonArgs {
            person_id: scene.someone().await,
        }),
        "advance_issue: accept" | "advance_issue: decline" => {
            let issue_id = scene.raised_by(&scene.neighbour).await;
            let step = if case.ends_with("accept") {
                accept()
            } else {
                Step::Decline {
                    reason: "不属于社区事务".into(),
                }
            };
            envelope(&AdvanceIssueArgs { issue_id, step })
        }
        "advance_issue: answer" => {
            let issue_id = scene.raised_by(&scene.neighbour).await;
            scene.advanced(issue_id, &[accept()]).await;
            envelope(&AdvanceIssueArgs {
                issue_id,
                step: answer(),
            })
        }
        "join_issue" => envelope(&JoinIssueArgs {
            issue_id: scene.raised_by(&scene.neighbour).await,
        }),
        "score_issue of the Resident's issue" => {
            let issue_id = scene.raised_by(&scene.resident).await;
            scene
                .advanced(
                    issue_id,
                    &[
                        accept(),
                        answer(),
                        Step::StartRectifying,
                        Step::ReportRectified {
                            report: "已修好".into(),
                        },
                    ],
                )
                .await;
            envelope(&ScoreIssueArgs {
                issue_id,
                round: 1,
                value: 5,
                comment: String::new(),
            })
        }
        "escalate_issue" => envelope(&EscalateIssueArgs {
            issue_id: scene.raised_by(&scene.neighbour).await,
            note: "需要乡里协调".into(),
        }),
        "answer_escalation" => {
            let issue_id = scene.raised_by(&scene.neighbour).await;
            applied(
                scene
                    .staff
                    .act(&EscalateIssueArgs {
                        issue_id,
                        note: "需要乡里协调".into(),
                    })
                    .await,
            );
            envelope(&AnswerEscalationArgs {
                issue_id,
                answer: "乡里协调处理".into(),
                deadline: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
            })
        }
        "schedule_dialogue" => envelope(&dialogue_args(Uuid::new_v4())),
        "record_minutes" => envelope(&RecordMinutesArgs {
            dialogue_id: scene.dialogue().await,
            issue_id: None,
            notes: "会议记录".into(),
        }),
        "attach_photo to the Resident's issue" => envelope(&AttachPhotoArgs {
            id: Uuid::new_v4(),
            issue_id: scene.raised_by(&scene.resident).await,
            stage: PhotoStage::Issue,
            content_type: "image/jpeg".into(),
            data: jpeg(),
        }),
        "attach_photo to the answer" => {
            let issue_id = scene.raised_by(&scene.neighbour).await;
            scene.advanced(issue_id, &[accept(), answer()]).await;
            envelope(&AttachPhotoArgs {
                id: Uuid::new_v4(),
                issue_id,
                stage: PhotoStage::Answer,
                content_type: "image/jpeg".into(),
                data: jpeg(),
            })
        }
        "set_agenda" => {
            let issue_id = scene.raised_by(&scene.neighbour).await;
            scene.advanced(issue_id, &[accept()]).await;
            envelope(&SetAgendaArgs {
                issue_id,
                dialogue_id: Some(scene.dialogue().await),
            })
        }
        "set_scoring_rules" => envelope(&ScoringRulesArgs {
            community_id: "shanwan".into(),
            pass_average: 3.5,
            window_days: 10,
        }),
        "book_service" => envelope(&booking(scene.slot().await, None)),
        "book_service for a household" => envelope(&booking(
            scene.slot().await,
            Some(scene.app.household_id("shanwan", "402").await),
        )),
        "cancel_booking of the Resident's booking" => {
            let args = booking(scene.slot().await, None);
            applied(scene.resident.act(&args).await);
            envelope(&domain::market::booking::CancelBookingArgs {
                booking_id: args.id,
            })
        }
        "confirm_service of a booking of the Volunteer's service" => {
            let args = booking(scene.slot_starting_now().await, None);
            applied(scene.resident.act(&args).await);
            envelope(&domain::market::booking::ConfirmServiceArgs {
                booking_id: args.id,
                confirmed_at: chrono::Utc::now(),
                offline: true,
            })
        }
        "mark_no_show of an ended booking of the Volunteer's service" => {
            let slot_id = scene.slot_starting_now().await;
            let args = booking(slot_id, None);
            applied(scene.resident.act(&args).await);
            sqlx::query(
                "UPDATE market_slots SET starts_at = '2020-01-01T01:00:00.000Z',
                                         ends_at = '2020-01-01T01:30:00.000Z' WHERE id = ?",
            )
            .bind(slot_id.to_string())
            .execute(scene.app.db.pool())
            .await
            .unwrap();
            envelope(&domain::market::booking::MarkNoShowArgs {
                booking_id: args.id,
            })
        }
        "update_market_slot" => envelope(&domain::market::booking::UpdateMarketSlotArgs {
            slot_id: scene.slot().await,
            capacity: 3,
            closed: false,
        }),
        "cancel_market_day" => {
            let slot_id = scene.slot().await;
            let service: String =
                sqlx::query_scalar("SELECT service_id FROM market_slots WHERE id = ?")
                    .bind(slot_id.to_string())
                    .fetch_one(scene.app.db.pool())
                    .await
                    .unwrap();
            envelope(&domain::market::booking::CancelMarketDayArgs {
                service_id: Uuid::parse_str(&service).unwrap(),
                day: domain::ledger::china_date(chrono::Utc::now() + chrono::Duration::days(1)),
                reason: "下雨".into(),
            })
        }
        "create_market_service" => envelope(&domain::market::schedule::CreateMarketServiceArgs {
            id: Uuid::new_v4(),
            community_id: "shanwan".into(),
            venue: domain::market::Venue::SharedHouse,
            name: "共享厨房".into(),
            mode: domain::market::ServiceMode::AtPlace,
            place: "社区活动室".into(),
            walk_in: false,
            opens: "10:00".into(),
            closes: "13:00".into(),
            slot_minutes: 60,
            per_volunteer: 2,
            monthly_day: Some(15),
            volunteers: vec![],
        }),
        "add_market_day" => {
            let slot_id = scene.slot().await;
            let service: String =
                sqlx::query_scalar("SELECT service_id FROM market_slots WHERE id = ?")
                    .bind(slot_id.to_string())
                    .fetch_one(scene.app.db.pool())
                    .await
                    .unwrap();
            envelope(&domain::market::schedule::AddMarketDayArgs {
                service_id: Uuid::parse_str(&service).unwrap(),
                day: domain::ledger::china_date(chrono::Utc::now() + chrono::Duration::days(3)),
            })
        }
        "join_waitlist" => envelope(&domain::market::booking::JoinWaitlistArgs {
            id: Uuid::new_v4(),
            slot_id: scene.slot_with(0).await,
            note: String::new(),
        }),
        "accept_promotion of the Resident's offer" => {
            use domain::market::booking::{CancelBookingArgs, JoinWaitlistArgs};
            let slot_id = scene.slot_with(1).await;
            let seat = booking(slot_id, None);
            applied(scene.neighbour.act(&seat).await);
            let waitlist_id = Uuid::new_v4();
            applied(
                scene
                    .resident
                    .act(&JoinWaitlistArgs {
                        id: waitlist_id,
                        slot_id,
                        note: String::new(),
                    })
                    .await,
            );
            applied(
                scene
                    .neighbour
                    .act(&CancelBookingArgs {
                        booking_id: seat.id,
                    })
                    .await,
            );
            envelope(&domain::market::booking::AcceptPromotionArgs {
                waitlist_id,
                booking_id: Uuid::new_v4(),
            })
        }
        "set_parking_pool" => envelope(&domain::parking::visit::SetParkingPoolArgs {
            community_id: "shanwan".into(),
            rules: pool_rules(),
        }),
        "register_visit" => envelope(&scene.visit(None)),
        "register_visit for a household" => {
            envelope(&scene.visit(Some(scene.app.household_id("shanwan", "402").await)))
        }
        "change_visit of the Resident's visit" => {
            let visit = scene.visit(None);
            applied(scene.resident.act(&visit).await);
            envelope(&domain::parking::visit::ChangeVisitArgs {
                visit_id: visit.id,
                arrives_at: visit.arrives_at + chrono::Duration::hours(1),
                hours: 2,
            })
        }
        "cancel_visit of the Resident's visit" => {
            let visit = scene.visit(None);
            applied(scene.resident.act(&visit).await);
            envelope(&domain::parking::visit::CancelVisitArgs { visit_id: visit.id })
        }
        "gate_in of a visit" | "gate_out of a visit" => {
            let visit = scene.visit(None);
            applied(scene.resident.act(&visit).await);
            // The car is at the gate now, within its window (the scene moves it there).
            sqlx::query("UPDATE visits SET arrives_at = ?, leaves_by = ? WHERE id = ?")
                .bind(server::store::time_text(chrono::Utc::now()))
                .bind(server::store::time_text(
                    chrono::Utc::now() + chrono::Duration::hours(2),
                ))
                .bind(visit.id.to_string())
                .execute(scene.app.db.pool())
                .await
                .unwrap();
            let gate = domain::parking::visit::GateArgs {
                visit_id: visit.id,
                at: chrono::Utc::now(),
                offline: false,
            };
            if case.starts_with("gate_in") {
                envelope(&domain::mutation::GateInArgs(gate))
            } else {
                envelope(&domain::mutation::GateOutArgs(gate))
            }
        }
        "request_walk_up" => envelope(&scene.walk_up().await),
        "approve_walk_up for the Resident's household" => {
            let walk_up = scene.walk_up().await;
            applied(scene.staff.act(&walk_up).await);
            envelope(&domain::parking::visit::ApproveWalkUpArgs {
                visit_id: walk_up.id,
                approve: true,
            })
        }
        other => panic!("no scene for the case {other}"),
    }
}

fn booking(slot_id: Uuid, for_household: Option<Uuid>) -> domain::market::booking::BookServiceArgs {
    domain::market::booking::BookServiceArgs {
        id: Uuid::new_v4(),
        slot_id,
        note: String::new(),
        for_household,
    }
}

#[tokio::test]
async fn every_listed_mutation_is_allowed_or_refused_for_every_kind_of_person() {
    // The scene raises many issues: no daily quota here.
    let app = spawn_with(|config| {
        config.issues_per_day = u32::MAX;
        config.photos_per_day = u32::MAX;
    })
    .await;
    let hash = server::hash_password(PASSWORD).unwrap();
    person(
        &app,
        "13600000001",
        &hash,
        &[(Role::Volunteer, Some("shanwan"))],
    )
    .await;
    person(&app, "13600000002", &hash, &[]).await;
    person(
        &app,
        "13600000003",
        &hash,
        &[
            (Role::Resident, Some("shanwan")),
            (Role::CommunityStaff, Some("jiulong")),
        ],
    )
    .await;
    let scene = Scene {
        app: &app,
        resident: app.signed_in(RESIDENT_SHANWAN).await,
        neighbour: app.signed_in(RESIDENT_SHANWAN_2).await,
        staff: app.signed_in("13900000303").await,
        property: app.signed_in("13900000201").await,
        fresh: std::sync::atomic::AtomicU32::new(0),
        visits: std::sync::atomic::AtomicU32::new(0),
    };
    // The pool as the `set_parking_pool` case sets it: no opening hours, two months ahead.
    applied(
        scene
            .staff
            .act(&domain::parking::visit::SetParkingPoolArgs {
                community_id: "shanwan".into(),
                rules: pool_rules(),
            })
            .await,
    );
    let mut covered = std::collections::BTreeSet::new();
    for who in EVERYONE {
        let phone = match who {
            Who::Resident => RESIDENT_SHANWAN,
            Who::Volunteer => "13600000001",
            Who::Property => "13900000201",
            Who::CommunityStaff => "13900000301",
            Who::Guard => GUARD_SHANWAN,
            Who::TownshipStaff => TOWNSHIP_STAFF,
            Who::NoRole => "13600000002",
            Who::TwoCommunities => "13600000003",
        };
        let actor = app.signed_in(phone).await;
        for (case, allowed) in CASES {
            let envelope = prepare(&scene, case).await;
            assert!(
                case.starts_with(&envelope.name),
                "the case {case} pushes {}",
                envelope.name
            );
            covered.insert(envelope.name.clone());
            let result = actor.act_envelope(envelope).await;
            if allowed.contains(&who) {
                assert_eq!(
                    result.status,
                    ResultStatus::Applied,
                    "{case} by {who:?}: {result:?}"
                );
            } else {
                assert_eq!(
                    (result.status, result.code.as_deref()),
                    (ResultStatus::Rejected, Some("forbidden")),
                    "{case} by {who:?}: {result:?}"
                );
            }
        }
    }
    // A mutation added to the domain's list without a case here fails this test.
    for (name, _, _) in domain::mutation::KNOWN {
        assert!(
            covered.contains(*name),
            "the mutation {name} has no case in the matrix"
        );
    }
}
