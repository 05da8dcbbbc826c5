//! The ledger (台账): figures for a community or the whole township over a period, and
//! the export of the records behind them (xlsx, CSV with a BOM for Excel and WPS). Shared
//! with residents: no names, phones or rooms anywhere in it.

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use chrono::{NaiveDate, Utc};
use domain::issue::IssueStatus;
use domain::ledger::{self, china_date, Figures, Period, SessionBar};
use domain::wire::{DialogueView, IssueView};
use domain::{Category, Lang};
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::error::{AppError, Json, Query};
use crate::{policy, store, views, AppState};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LedgerQuery {
    /// A community id; or leave it out and give `township`.
    pub community: Option<String>,
    /// The whole township (township staff).
    pub township: Option<String>,
    /// First day (YYYY-MM-DD); default: the beginning.
    pub from: Option<NaiveDate>,
    /// Last day; default: today.
    pub to: Option<NaiveDate>,
    /// `xlsx` or `csv` (export only).
    pub format: Option<String>,
}

/// `GET /api/ledger`: the figures, flat, plus the chart's bars.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LedgerResponse {
    pub scope: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(flatten)]
    pub figures: Figures,
    #[schema(value_type = Vec<Object>)]
    pub per_session: Vec<SessionBar>,
    /// 孝心车位: visits counted, never plates.
    pub visits: ledger::VisitFigures,
}

struct Loaded {
    scope: String,
    period: Period,
    issues: Vec<IssueView>,
    dialogues: Vec<DialogueView>,
    visits: Vec<ledger::VisitRecord>,
}

async fn load(
    state: &AppState,
    principal: &Principal,
    query: &LedgerQuery,
) -> Result<Loaded, AppError> {
    let mut conn = state.db.pool().acquire().await?;
    let (scope, communities) = match (&query.community, &query.township) {
        (Some(community), _) => {
            let township = store::people::township_of(&mut conn, community)
                .await?
                .ok_or(AppError::NotFound)?;
            if !policy::may_read_ledger(principal, Some(community), &township) {
                return Err(AppError::Forbidden("您只能查看自己社区的台账"));
            }
            let name = store::people::community_name(&mut conn, community)
                .await?
                .unwrap_or_default();
            (name, vec![community.clone()])
        }
        (None, Some(township)) => {
            if !policy::may_read_ledger(principal, None, township) {
                return Err(AppError::Forbidden("只有乡里的工作人员可以查看全乡台账"));
            }
            let communities =
                store::people::communities_of_townships(&mut conn, std::slice::from_ref(township))
                    .await?;
            ("全乡".to_string(), communities)
        }
        (None, None) => {
            return Err(AppError::Invalid(vec![domain::FieldError::new(
                "community_id",
                domain::FieldErrorKind::Required,
            )]))
        }
    };
    let today = china_date(Utc::now());
    let period = Period {
        from: query
            .from
            .unwrap_or(NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date")),
        to: query.to.unwrap_or(today),
    };
    let records = store::issues::loop_records(&mut conn, &communities).await?;
    let visits = store::parking::ledger_records(&mut conn, &communities).await?;
    let mut issues = Vec::new();
    let mut dialogues = Vec::new();
    for community in &communities {
        for row in store::issues::of_community(&mut conn, community).await? {
            issues.push(views::ledger_view(&row, &records));
        }
        for row in store::dialogues::of_community(&mut conn, community).await? {
            dialogues.push(views::dialogue_view(&row));
        }
    }
    Ok(Loaded {
        scope,
        period,
        issues,
        dialogues,
        visits,
    })
}

/// The ledger's figures.
#[utoipa::path(get, path = "/api/ledger", tag = "ledger", params(LedgerQuery),
    responses((status = 200, body = LedgerResponse), (status = 403, body = domain::wire::ApiError)))]
pub async fn figures(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<LedgerQuery>,
) -> Result<Json<LedgerResponse>, AppError> {
    let loaded = load(&state, &principal, &query).await?;
    let today = china_date(Utc::now());
    Ok(Json(LedgerResponse {
        scope: loaded.scope,
        from: loaded.period.from,
        to: loaded.period.to,
        figures: ledger::figures(&loaded.issues, &loaded.dialogues, loaded.period, today),
        per_session: ledger::per_session(&loaded.issues, &loaded.dialogues, loaded.period),
        visits: ledger::visit_figures(&loaded.visits, loaded.period),
    }))
}

const COLUMNS: [&str; 13] = [
    "编号",
    "标题",
    "类别",
    "地点",
    "状态",
    "提出日期",
    "立项日期",
    "答复日期",
    "承诺完成",
    "办结日期",
    "评分",
    "上报",
    "逾期",
];

fn day(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

/// One row per issue raised in the period: what a township inspector reads. No names.
fn rows(issues: &[IssueView], period: Period, today: NaiveDate) -> Vec<[String; 13]> {
    ledger::behind(issues, period, ledger::Figure::IssuesRaised, today)
        .into_iter()
        .enumerate()
        .map(|(n, issue)| {
            let average = issue
                .rounds
                .iter()
                .max_by_key(|r| r.round)
                .and_then(|r| r.average);
            [
                (n + 1).to_string(),
                issue.title.clone(),
                Category::from_code(&issue.category)
                    .map(|c| c.label(Lang::Zh).to_string())
                    .unwrap_or_default(),
                issue.place.clone().unwrap_or_default(),
                issue.status.label(Lang::Zh).to_string(),
                china_date(issue.created_at).to_string(),
                day(issue.accepted_at.map(china_date)),
                day(issue.answered_at.map(china_date)),
                day(issue.promised_by),
                day(issue
                    .closed_at
                    .filter(|_| issue.status == IssueStatus::Closed)
                    .map(china_date)),
                average.map(|a| format!("{a:.1}")).unwrap_or_default(),
                if issue.escalation.is_some() {
                    "是"
                } else {
                    ""
                }
                .to_string(),
                if ledger::is_overdue(issue, today) {
                    "是"
                } else {
                    ""
                }
                .to_string(),
            ]
        })
        .collect()
}

/// One CSV cell. A cell a spreadsheet would read as a formula (it begins with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) is neutralised with a leading `'`, so a title a
/// resident wrote never runs in the staff's Excel or WPS; then the usual quoting.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.0}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn summary(
    scope: &str,
    period: Period,
    figures: &Figures,
    visits: &ledger::VisitFigures,
) -> Vec<(String, String)> {
    vec![
        ("范围".into(), scope.to_string()),
        ("时间".into(), format!("{} 至 {}", period.from, period.to)),
        ("双月对话（次）".into(), figures.dialogues.to_string()),
        ("提出问题（条）".into(), figures.issues_raised.to_string()),
        ("形成项目（个）".into(), figures.projects.to_string()),
        ("办结问题（个）".into(), figures.resolved.to_string()),
        (
            "平均评分".into(),
            figures
                .average_score
                .map(|a| format!("{a:.1}"))
                .unwrap_or_else(|| "—".into()),
        ),
        ("上报乡里（条）".into(), figures.escalated.to_string()),
        ("逾期（条）".into(), figures.overdue.to_string()),
        ("响应率".into(), percent(figures.response_rate)),
        ("办结率".into(), percent(figures.closure_rate)),
        ("解决率".into(), percent(figures.resolution_rate)),
        ("满意率".into(), percent(figures.satisfaction_rate)),
        ("孝心车位登记（次）".into(), visits.registered.to_string()),
        ("孝心车位到访（次）".into(), visits.came.to_string()),
        ("孝心车位超时（次）".into(), visits.overstayed.to_string()),
        ("孝心车位临时访客（次）".into(), visits.walk_ups.to_string()),
        ("孝心车位取消（次）".into(), visits.cancelled.to_string()),
    ]
}

fn xlsx(
    scope: &str,
    period: Period,
    figures: &Figures,
    visits: &ledger::VisitFigures,
    rows: &[[String; 13]],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("汇总")?;
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 28)?;
    for (n, (label, value)) in summary(scope, period, figures, visits).iter().enumerate() {
        sheet.write_string_with_format(n as u32, 0, label, &bold)?;
        match value.parse::<f64>() {
            Ok(number) if !value.contains('%') => sheet.write_number(n as u32, 1, number)?,
            _ => sheet.write_string(n as u32, 1, value)?,
        };
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("问题明细")?;
    for (column, title) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &bold)?;
    }
    sheet.set_column_width(1, 36)?;
    for (n, row) in rows.iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            sheet.write_string(n as u32 + 1, column as u16, value)?;
        }
    }
    workbook.save_to_buffer()
}

/// The ledger as a file: `format=xlsx` (a summary sheet and the issue rows) or `format=csv`
/// (the issue rows, UTF-8 with a BOM so Excel and WPS read the Chinese).
#[utoipa::path(get, path = "/api/ledger/export", tag = "ledger", params(LedgerQuery),
    responses((status = 200, description = "The file"), (status = 403, body = domain::wire::ApiError),
              (status = 422, body = domain::wire::ApiError)))]
pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<LedgerQuery>,
) -> Result<impl IntoResponse, AppError> {
    let format = query.format.clone().unwrap_or_else(|| "xlsx".into());
    if format != "xlsx" && format != "csv" {
        return Err(AppError::Invalid(vec![domain::FieldError::new(
            "format",
            domain::FieldErrorKind::Unknown,
        )]));
    }
    let loaded = load(&state, &principal, &query).await?;
    let today = china_date(Utc::now());
    let figures = ledger::figures(&loaded.issues, &loaded.dialogues, loaded.period, today);
    let rows = rows(&loaded.issues, loaded.period, today);
    let name = format!(
        "台账-{}-{}-{}",
        loaded.scope, loaded.period.from, loaded.period.to
    );
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition =
        format!("attachment; filename=\"ledger.{format}\"; filename*=UTF-8''{encoded}.{format}");
    let (content_type, body) = if format == "csv" {
        let mut text = String::from("\u{feff}");
        text.push_str(&COLUMNS.join(","));
        text.push_str("\r\n");
        for row in &rows {
            text.push_str(
                &row.iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            text.push_str("\r\n");
        }
        ("text/csv; charset=utf-8", text.into_bytes())
    } else {
        let visits = ledger::visit_figures(&loaded.visits, loaded.period);
        let bytes = xlsx(&loaded.scope, loaded.period, &figures, &visits, &rows)
            .map_err(|e| AppError::Internal(e.into()))?;
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        )
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    ))
}
