//! The authorisation matrix, against the real server and database: every mutation × every
//! role × own community / another community, allowed or refused as the policy says; and
//! what every role's pull may contain.

use domain::account::{
    AddHouseholdArgs, Code, DeactivatePersonArgs, InviteArgs, ResetPasswordArgs,
};
use domain::dialogue::ScoringRulesArgs;
use domain::person::Role;
use domain::wire::ResultStatus;
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
    Code::from_random(&[seed; 10].map(|b| b.wrapping_mul(7))).display()
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
            let community = data["community_id"].as_str().unwrap();
            match (change.entity.as_str(), home) {
                ("issue" | "dialogue" | "community", Some(home)) => {
                    assert_eq!(
                        community, home,
                        "{role:?} saw another community's {}",
                        change.entity
                    )
                }
                ("issue" | "dialogue" | "community", None) => {} // the township sees every community's
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
