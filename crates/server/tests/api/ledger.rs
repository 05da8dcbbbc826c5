//! The ledger against the real database: the article's figures computed from the demo
//! records, the exports read back, and who may read what.

use calamine::Reader;
use reqwest::StatusCode;

use crate::helpers::*;

const ARTICLE: &str = "/api/ledger?community=shanwan&from=2018-10-01&to=2020-03-31";

#[tokio::test]
async fn the_demo_records_give_the_articles_figures() {
    let app = spawn().await;
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let response = resident.get(ARTICLE).await;
    assert_eq!(response.status(), StatusCode::OK);
    let ledger: serde_json::Value = response.json().await.unwrap();
    assert_eq!(ledger["dialogues"], 8);
    assert_eq!(ledger["issues_raised"], 70);
    assert_eq!(ledger["projects"], 62);
    assert_eq!(ledger["resolved"], 47);
    for key in [
        "average_score",
        "escalated",
        "overdue",
        "response_rate",
        "closure_rate",
        "satisfaction_rate",
    ] {
        assert!(!ledger[key].is_null(), "{key}");
    }
    assert_eq!(ledger["per_session"].as_array().unwrap().len(), 8);
    let raised: u64 = ledger["per_session"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["raised"].as_u64().unwrap())
        .sum();
    assert_eq!(raised, 70);
    let text = ledger.to_string();
    assert!(
        !text.contains("139") && !text.contains("顾美玲"),
        "no phones or names in a ledger"
    );
}

#[tokio::test]
async fn the_figures_come_from_the_records_not_from_counters() {
    let app = spawn().await;
    // Remove one resolved issue's closing: the ledger follows the records at once.
    sqlx::query(
        "UPDATE issues SET status = 'rectifying' WHERE id = (SELECT id FROM issues WHERE status = 'closed' LIMIT 1)",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    let ledger: serde_json::Value = app
        .signed_in(RESIDENT_SHANWAN)
        .await
        .get(ARTICLE)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ledger["resolved"], 46);
    assert_eq!(ledger["projects"], 62);
}

#[tokio::test]
async fn the_xlsx_export_holds_the_same_rows_and_figures() {
    let app = spawn().await;
    let staff = app.signed_in("13900000301").await;
    let response = staff
        .get(&format!(
            "{}&format=xlsx",
            ARTICLE.replace("/api/ledger", "/api/ledger/export")
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let bytes = response.bytes().await.unwrap();
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let summary = workbook.worksheet_range("汇总").unwrap();
    let value_of = |label: &str| {
        summary
            .rows()
            .find(|row| row[0] == label)
            .map(|row| row[1].to_string())
            .unwrap_or_default()
    };
    assert_eq!(value_of("双月对话（次）"), "8");
    assert_eq!(value_of("提出问题（条）"), "70");
    assert_eq!(value_of("形成项目（个）"), "62");
    assert_eq!(value_of("办结问题（个）"), "47");
    let details = workbook.worksheet_range("问题明细").unwrap();
    let rows: Vec<_> = details.rows().skip(1).collect();
    assert_eq!(rows.len(), 70);
    assert_eq!(rows.iter().filter(|r| r[4] == "已办结").count(), 47);
    assert_eq!(details.rows().next().unwrap()[1].to_string(), "标题");
}

#[tokio::test]
async fn the_csv_export_starts_with_a_bom_and_has_one_line_per_issue() {
    let app = spawn().await;
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let response = resident
        .get(&format!(
            "{}&format=csv",
            ARTICLE.replace("/api/ledger", "/api/ledger/export")
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 71);
    assert!(lines[0].starts_with("编号,标题,类别"));
    assert_eq!(lines.iter().filter(|l| l.contains(",已办结,")).count(), 47);
}

#[tokio::test]
async fn ledgers_are_for_the_community_and_the_township_only() {
    let app = spawn().await;
    let elsewhere = app.signed_in(RESIDENT_TANGWANG).await;
    assert_eq!(elsewhere.get(ARTICLE).await.status(), StatusCode::FORBIDDEN);
    let township = app.signed_in(TOWNSHIP_STAFF).await;
    assert_eq!(township.get(ARTICLE).await.status(), StatusCode::OK);
    let whole: serde_json::Value = township
        .get("/api/ledger?township=tangwang&from=2018-10-01&to=2020-03-31")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(whole["issues_raised"], 70);
    assert_eq!(
        app.signed_in(RESIDENT_SHANWAN)
            .await
            .get("/api/ledger?township=tangwang")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let bad = township
        .get("/api/ledger/export?community=shanwan&format=pdf")
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
