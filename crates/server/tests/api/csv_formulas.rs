//! The CSV export never hands a spreadsheet a formula: a cell that begins with `=`, `+`,
//! `-`, `@`, a tab or a carriage return is neutralised with a leading `'`.

use domain::wire::ResultStatus;
use domain::RaiseIssueArgs;
use reqwest::StatusCode;
use uuid::Uuid;

use crate::helpers::*;

#[tokio::test]
async fn a_title_written_as_a_formula_is_exported_as_text() {
    let app = spawn().await;
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let title = r#"=HYPERLINK("http://x","y")"#;
    let result = resident
        .act(&RaiseIssueArgs {
            id: Uuid::new_v4(),
            title: title.into(),
            description: "@SUM(1+1)".into(),
            category: "other".into(),
            place: Some("+3栋".into()),
            on_behalf_of: None,
        })
        .await;
    assert_eq!(result.status, ResultStatus::Applied, "{result:?}");
    let staff = app.signed_in("13900000301").await;
    let response = staff
        .get("/api/ledger/export?community=shanwan&format=csv")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("HYPERLINK"))
        .expect("the issue is exported");
    // Neutralised, and still properly quoted (the quotes doubled inside).
    assert!(
        line.contains(r#","'=HYPERLINK(""http://x"",""y"")","#),
        "{line}"
    );
    for cell in line.split(',') {
        assert!(
            !cell
                .trim_start_matches('"')
                .starts_with(['=', '+', '-', '@']),
            "a cell starts with a formula character: {cell} in {line}"
        );
    }
}
