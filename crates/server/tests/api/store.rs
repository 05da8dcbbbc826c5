//! The storage layer reads what the database holds, or says it cannot: it never guesses.

use domain::dialogue::JoinIssueArgs;
use domain::wire::ResultStatus;
use domain::RaiseIssueArgs;
use reqwest::StatusCode;
use uuid::Uuid;

use crate::helpers::*;

#[tokio::test]
async fn an_unknown_issue_status_in_the_database_is_a_decode_error_not_raised() {
    let app = spawn().await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let issue_id = Uuid::new_v4();
    let raised = raiser
        .act(&RaiseIssueArgs {
            id: issue_id,
            title: "楼道灯不亮".into(),
            description: String::new(),
            category: "repairs".into(),
            place: None,
            on_behalf_of: None,
        })
        .await;
    assert_eq!(raised.status, ResultStatus::Applied, "{raised:?}");
    // A status written by a newer server, or by hand.
    sqlx::query("UPDATE issues SET status = 'reviewing' WHERE id = ?")
        .bind(issue_id.to_string())
        .execute(app.db.pool())
        .await
        .unwrap();

    let mut conn = app.db.pool().acquire().await.unwrap();
    let error = server::store::issues::by_id(&mut conn, issue_id)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, sqlx::Error::ColumnDecode { index, .. } if index == "status"),
        "{error:?}"
    );
    drop(conn);
    // The phone is not shown the issue as 待受理: the pull fails and is tried again later.
    assert_eq!(
        raiser.pull_raw(None).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    // Nor is 我也遇到 decided on a guess: the phone keeps it and retries.
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    let joined = neighbour.act(&JoinIssueArgs { issue_id }).await;
    assert_eq!(joined.status, ResultStatus::Retry, "{joined:?}");
}
