//! Staff of one community cannot take over people who also belong elsewhere: a password
//! reset or a deactivation needs every membership of the person to lie in communities the
//! actor staffs (or, for township staff, in their township).

use domain::account::{Code, DeactivatePersonArgs, ResetPasswordArgs};
use domain::wire::ResultStatus;
use uuid::Uuid;

use crate::helpers::*;

const STAFF_SHANWAN: &str = "13900000301";

/// Gives a person one more membership (a role elsewhere), as an invitation would.
async fn add_membership(app: &TestApp, person: Uuid, role: &str, community: Option<&str>) {
    sqlx::query(
        "INSERT INTO memberships (user_id, role, township_id, community_id) VALUES (?, ?, 'tangwang', ?)",
    )
    .bind(person.to_string())
    .bind(role)
    .bind(community)
    .execute(app.db.pool())
    .await
    .expect("membership");
}

fn reset(person: Uuid, seed: u8) -> ResetPasswordArgs {
    ResetPasswordArgs {
        id: Uuid::new_v4(),
        person_id: person,
        code: Code::from_random(&[seed, 2, 4, 6, 8, 10, 12, 14, 16, 18]).display(),
    }
}

#[tokio::test]
async fn staff_may_not_reset_or_deactivate_someone_who_also_belongs_to_another_community_or_the_township(
) {
    let app = spawn().await;
    let staff = app.signed_in(STAFF_SHANWAN).await;
    // 马振华 lives at 杉湾花园 and volunteers at 九龙花园.
    let two_communities = app.person_id("13900009002").await;
    add_membership(&app, two_communities, "volunteer", Some("jiulong")).await;
    // 何桂芳 lives at 杉湾花园 and works for the township.
    let township_too = app.person_id("13900009001").await;
    add_membership(&app, township_too, "township_staff", None).await;
    // 刘志强 works for the property company at 杉湾花园 and at 九龙花园.
    let property = app.person_id("13900000201").await;
    add_membership(&app, property, "property", Some("jiulong")).await;
    for (person, seed) in [(two_communities, 1), (township_too, 2), (property, 7)] {
        for result in [
            staff.act(&reset(person, seed)).await,
            staff.act(&DeactivatePersonArgs { person_id: person }).await,
        ] {
            assert_eq!(result.status, ResultStatus::Rejected, "{result:?}");
            assert_eq!(result.code.as_deref(), Some("forbidden"));
            assert_eq!(
                result.message.as_deref(),
                Some("此人在其他社区或乡镇也有身份，请联系乡镇工作人员办理"),
                "the refusal says why"
            );
        }
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations WHERE kind = ?", "reset")
            .await,
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE deactivated_at IS NOT NULL AND phone LIKE ?",
            "139%"
        )
        .await,
        0
    );
    // Staff of 九龙花园 may not either: 马振华 lives at 杉湾花园.
    let jiulong_staff = app.signed_in("13900000302").await;
    let refused = jiulong_staff.act(&reset(two_communities, 3)).await;
    assert_eq!(refused.code.as_deref(), Some("forbidden"));
    // Township staff may.
    let township = app.signed_in(TOWNSHIP_STAFF).await;
    let allowed = township.act(&reset(two_communities, 4)).await;
    assert_eq!(allowed.status, ResultStatus::Applied, "{allowed:?}");
}

#[tokio::test]
async fn staff_may_reset_and_deactivate_someone_who_belongs_only_to_their_community() {
    let app = spawn().await;
    let staff = app.signed_in(STAFF_SHANWAN).await;
    let neighbour = app.person_id("13900009002").await;
    let reset = staff.act(&reset(neighbour, 5)).await;
    assert_eq!(reset.status, ResultStatus::Applied, "{reset:?}");
    let deactivated = staff
        .act(&DeactivatePersonArgs {
            person_id: neighbour,
        })
        .await;
    assert_eq!(deactivated.status, ResultStatus::Applied, "{deactivated:?}");
    // A member of staff who also lives at 杉湾花园 belongs only there too.
    let colleague = app.person_id("13900000303").await;
    let reset = staff.act(&self::reset(colleague, 6)).await;
    assert_eq!(reset.status, ResultStatus::Applied, "{reset:?}");
}
