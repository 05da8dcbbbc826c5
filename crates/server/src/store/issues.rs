//! Dialogue issues.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::dialogue::Step;
use domain::issue::IssueStatus;
use domain::wire::RoundDecision;
use domain::NewIssue;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::{parse_time, time_text, uuid_col, Conn};

/// An issue row with the raiser's name (unmasked: masking is the policy's job).
#[derive(Clone, Debug)]
pub struct IssueRow {
    pub id: Uuid,
    pub community_id: String,
    pub raised_by: Option<Uuid>,
    pub raiser_name: Option<String>,
    pub title: String,
    pub description: String,
    pub category: String,
    pub place: Option<String>,
    /// Parsed when the row is read: a status this server does not know is a decode error,
    /// never quietly taken for 待受理.
    pub status: IssueStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// Staff raised it for this household.
    pub on_behalf: bool,
    pub accepted_at: Option<DateTime<Utc>>,
    pub dialogue_id: Option<Uuid>,
    pub merged_into: Option<Uuid>,
    pub decline_reason: Option<String>,
    pub reply: Option<String>,
    pub plan: Option<String>,
    pub promised_by: Option<NaiveDate>,
    pub answered_at: Option<DateTime<Utc>>,
    pub round: u32,
    pub closed_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub escalation_note: Option<String>,
    pub township_answer: Option<String>,
    pub township_deadline: Option<NaiveDate>,
    pub township_answered_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
impl IssueRow {
    /// A freshly raised issue, for tests of the policy and the views.
    pub fn example(community_id: &str, raised_by: Option<Uuid>) -> IssueRow {
        let now = Utc::now();
        IssueRow {
            id: Uuid::new_v4(),
            community_id: community_id.into(),
            raised_by,
            raiser_name: raised_by.map(|_| "王秀兰".into()),
            title: "楼道灯不亮".into(),
            description: String::new(),
            category: "repairs".into(),
            place: None,
            status: IssueStatus::Raised,
            created_at: now,
            updated_at: now,
            version: 1,
            on_behalf: false,
            accepted_at: None,
            dialogue_id: None,
            merged_into: None,
            decline_reason: None,
            reply: None,
            plan: None,
            promised_by: None,
            answered_at: None,
            round: 0,
            closed_at: None,
            escalated_at: None,
            escalation_note: None,
            township_answer: None,
            township_deadline: None,
            township_answered_at: None,
        }
    }
}

fn opt_time(row: &SqliteRow, column: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    Ok(row
        .try_get::<Option<String>, _>(column)?
        .as_deref()
        .map(parse_time))
}

fn opt_date(row: &SqliteRow, column: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
    Ok(row
        .try_get::<Option<String>, _>(column)?
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

fn opt_uuid(row: &SqliteRow, column: &str) -> Result<Option<Uuid>, sqlx::Error> {
    Ok(row
        .try_get::<Option<String>, _>(column)?
        .and_then(|id| Uuid::parse_str(&id).ok()))
}

/// Reads the status column. An unknown code means the database was written by a newer
/// server or by hand: acting on a guess could reopen a closed issue, so it is an error.
fn status(row: &SqliteRow) -> Result<IssueStatus, sqlx::Error> {
    let code: String = row.try_get("status")?;
    IssueStatus::from_code(&code).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "status".to_string(),
        source: format!("unknown issue status {code:?}").into(),
    })
}

/// A decided round's outcome; an unknown one is a decode error, never a silent guess.
fn decision_col(row: &SqliteRow) -> Result<Option<RoundDecision>, sqlx::Error> {
    let code: Option<String> = row.try_get("outcome")?;
    code.map(|code| {
        RoundDecision::from_code(&code).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "outcome".to_string(),
            source: format!("unknown round outcome {code:?}").into(),
        })
    })
    .transpose()
}

fn issue_from_row(row: &SqliteRow) -> Result<IssueRow, sqlx::Error> {
    let round: i64 = row.try_get("round")?;
    Ok(IssueRow {
        id: uuid_col(row, "id")?,
        community_id: row.try_get("community_id")?,
        raised_by: opt_uuid(row, "raised_by")?,
        raiser_name: row.try_get("raiser_name")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        category: row.try_get("category")?,
        place: row.try_get("place")?,
        status: status(row)?,
        created_at: parse_time(row.try_get("created_at")?),
        updated_at: parse_time(row.try_get("updated_at")?),
        version: row.try_get("version")?,
        on_behalf: row
            .try_get::<Option<String>, _>("on_behalf_household")?
            .is_some(),
        accepted_at: opt_time(row, "accepted_at")?,
        dialogue_id: opt_uuid(row, "dialogue_id")?,
        merged_into: opt_uuid(row, "merged_into")?,
        decline_reason: row.try_get("decline_reason")?,
        reply: row.try_get("reply")?,
        plan: row.try_get("plan")?,
        promised_by: opt_date(row, "promised_by")?,
        answered_at: opt_time(row, "answered_at")?,
        round: round as u32,
        closed_at: opt_time(row, "closed_at")?,
        escalated_at: opt_time(row, "escalated_at")?,
        escalation_note: row.try_get("escalation_note")?,
        township_answer: row.try_get("township_answer")?,
        township_deadline: opt_date(row, "township_deadline")?,
        township_answered_at: opt_time(row, "township_answered_at")?,
    })
}

const SELECT_ISSUE: &str =
    "SELECT i.*, u.display_name AS raiser_name FROM issues i LEFT JOIN users u ON u.id = i.raised_by";

pub async fn by_id(conn: &mut Conn, id: Uuid) -> Result<Option<IssueRow>, sqlx::Error> {
    let row = sqlx::query(&format!("{SELECT_ISSUE} WHERE i.id = ?"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(issue_from_row).transpose()
}

/// Inserts a new issue; `false` (and nothing written) if an issue with its id exists.
pub async fn insert(
    conn: &mut Conn,
    issue: &NewIssue,
    community_id: &str,
    raised_by: Uuid,
    created_at: DateTime<Utc>,
    status: IssueStatus,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO issues (id, community_id, raised_by, title, description, category, place, status,
                             created_at, updated_at, version, on_behalf_household)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(issue.id.to_string())
    .bind(community_id)
    .bind(raised_by.to_string())
    .bind(&issue.title)
    .bind(&issue.description)
    .bind(issue.category.code())
    .bind(&issue.place)
    .bind(status.code())
    .bind(time_text(created_at))
    .bind(time_text(created_at))
    .bind(version)
    .bind(issue.on_behalf_of.map(|h| h.to_string()))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The issues of these communities changed after `cursor` up to `upto`, oldest change first.
pub async fn changed_since(
    conn: &mut Conn,
    community_ids: &[String],
    cursor: i64,
    upto: i64,
) -> Result<Vec<IssueRow>, sqlx::Error> {
    if community_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = vec!["?"; community_ids.len()].join(", ");
    let sql = format!("{SELECT_ISSUE} WHERE i.version > ? AND i.version <= ? AND i.community_id IN ({placeholders}) ORDER BY i.version");
    let mut query = sqlx::query(&sql).bind(cursor).bind(upto);
    for id in community_ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter().map(issue_from_row).collect()
}

/// Every issue of a community (the ledger reads them all).
pub async fn of_community(
    conn: &mut Conn,
    community_id: &str,
) -> Result<Vec<IssueRow>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "{SELECT_ISSUE} WHERE i.community_id = ? ORDER BY i.created_at"
    ))
    .bind(community_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(issue_from_row).collect()
}

/// The loop's extra records for a set of issues: who joined, the rounds, the scores.
#[derive(Clone, Debug, Default)]
pub struct LoopRecords {
    pub joins: HashMap<Uuid, Vec<Uuid>>,
    pub rounds: HashMap<Uuid, Vec<RoundRow>>,
    /// (issue, round) → who scored what (the scorer is None once their account is deleted).
    pub scores: HashMap<(Uuid, u32), Vec<ScoreRow>>,
    /// issue → its photos (id, stage)
    pub photos: HashMap<Uuid, Vec<(Uuid, domain::dialogue::PhotoStage)>>,
}

pub type ScoreRow = (Option<Uuid>, u8);

#[derive(Clone, Debug, PartialEq)]
pub struct RoundRow {
    pub round: u32,
    pub report: String,
    pub reported_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub outcome: Option<RoundDecision>,
    pub average: Option<f64>,
}

/// Loads the loop records of the issues of these communities (the ledger's whole view).
pub async fn loop_records(
    conn: &mut Conn,
    community_ids: &[String],
) -> Result<LoopRecords, sqlx::Error> {
    let mut records = LoopRecords::default();
    for community_id in community_ids {
        let by = "JOIN issues i ON i.id = x.issue_id WHERE i.community_id = ?";
        load_records(conn, &mut records, by, std::slice::from_ref(community_id)).await?;
    }
    Ok(records)
}

/// Loads the loop records of these issues only: a pull costs what changed, not all the data.
pub async fn loop_records_of(
    conn: &mut Conn,
    issue_ids: &[Uuid],
) -> Result<LoopRecords, sqlx::Error> {
    let mut records = LoopRecords::default();
    // Bounded lists of bound parameters, well under SQLite's limit.
    for chunk in issue_ids.chunks(500) {
        let ids: Vec<String> = chunk.iter().map(Uuid::to_string).collect();
        let by = format!("WHERE x.issue_id IN ({})", vec!["?"; ids.len()].join(", "));
        load_records(conn, &mut records, &by, &ids).await?;
    }
    Ok(records)
}

/// Joins, rounds, scores and photos of the issues that `filter` (over `x`, with `binds`)
/// selects, added to `records`.
async fn load_records(
    conn: &mut Conn,
    records: &mut LoopRecords,
    filter: &str,
    binds: &[String],
) -> Result<(), sqlx::Error> {
    let joins = bound(
        &format!("SELECT x.issue_id, x.user_id FROM issue_joins x {filter}"),
        binds,
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in &joins {
        records
            .joins
            .entry(uuid_col(row, "issue_id")?)
            .or_default()
            .push(uuid_col(row, "user_id")?);
    }
    let rounds = bound(
        &format!("SELECT x.* FROM rounds x {filter} ORDER BY x.round"),
        binds,
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in &rounds {
        let round: i64 = row.try_get("round")?;
        records
            .rounds
            .entry(uuid_col(row, "issue_id")?)
            .or_default()
            .push(RoundRow {
                round: round as u32,
                report: row.try_get("report")?,
                reported_at: parse_time(row.try_get("reported_at")?),
                closes_at: parse_time(row.try_get("closes_at")?),
                outcome: decision_col(row)?,
                average: row.try_get("average")?,
            });
    }
    let scores = bound(
        &format!("SELECT x.issue_id, x.round, x.user_id, x.value FROM scores x {filter}"),
        binds,
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in &scores {
        let round: i64 = row.try_get("round")?;
        let value: i64 = row.try_get("value")?;
        records
            .scores
            .entry((uuid_col(row, "issue_id")?, round as u32))
            .or_default()
            .push((opt_uuid(row, "user_id")?, value as u8));
    }
    let photos = bound(
        &format!("SELECT x.issue_id, x.id, x.stage FROM photos x {filter} ORDER BY x.created_at"),
        binds,
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in &photos {
        let stage: String = row.try_get("stage")?;
        if let Some(stage) = domain::dialogue::PhotoStage::from_code(&stage) {
            records
                .photos
                .entry(uuid_col(row, "issue_id")?)
                .or_default()
                .push((uuid_col(row, "id")?, stage));
        }
    }
    Ok(())
}

/// A query over `sql` with these text parameters bound in order.
fn bound<'q>(
    sql: &'q str,
    binds: &'q [String],
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    binds
        .iter()
        .fold(sqlx::query(sql), |query, value| query.bind(value))
}

/// Marks an issue changed (someone joined or scored it), so pulls bring it again.
pub async fn touch(
    conn: &mut Conn,
    id: Uuid,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE issues SET version = ?, updated_at = ? WHERE id = ?")
        .bind(version)
        .bind(time_text(now))
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Puts an issue on a dialogue session's agenda, or takes it off (`None`).
pub async fn set_agenda(
    conn: &mut Conn,
    id: Uuid,
    dialogue_id: Option<Uuid>,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE issues SET dialogue_id = ?, version = ?, updated_at = ? WHERE id = ?")
        .bind(dialogue_id.map(|d| d.to_string()))
        .bind(version)
        .bind(time_text(now))
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a step of the loop: the new status and what the step carries.
pub async fn advance(
    conn: &mut Conn,
    id: Uuid,
    step: &Step,
    to: IssueStatus,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    let update: Option<(&str, Vec<Option<String>>)> = match step {
        Step::Accept { session_id } => Some((
            "UPDATE issues SET accepted_at = ?, dialogue_id = ? WHERE id = ?",
            vec![Some(time_text(now)), session_id.map(|s| s.to_string())],
        )),
        Step::Merge { into } => Some((
            "UPDATE issues SET merged_into = ? WHERE id = ?",
            vec![Some(into.to_string())],
        )),
        Step::Decline { reason } => Some((
            "UPDATE issues SET decline_reason = ? WHERE id = ?",
            vec![Some(reason.clone())],
        )),
        Step::Answer {
            reply,
            plan,
            promised_by,
        } => Some((
            "UPDATE issues SET reply = ?, plan = ?, promised_by = ?, answered_at = ? WHERE id = ?",
            vec![
                Some(reply.clone()),
                Some(plan.clone()),
                Some(promised_by.to_string()),
                Some(time_text(now)),
            ],
        )),
        Step::StartRectifying => None,
        Step::ReportRectified { .. } => {
            Some(("UPDATE issues SET round = round + 1 WHERE id = ?", vec![]))
        }
    };
    if let Some((sql, texts)) = update {
        let mut query = sqlx::query(sql);
        for text in texts {
            query = query.bind(text);
        }
        query.bind(id.to_string()).execute(&mut *conn).await?;
    }
    set_status(conn, id, to, now, version).await
}

pub async fn set_status(
    conn: &mut Conn,
    id: Uuid,
    status: IssueStatus,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    let closed_at = (status == IssueStatus::Closed).then(|| time_text(now));
    sqlx::query(
        "UPDATE issues SET status = ?, updated_at = ?, version = ?, closed_at = COALESCE(?, closed_at) WHERE id = ?",
    )
    .bind(status.code())
    .bind(time_text(now))
    .bind(version)
    .bind(closed_at)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_round(
    conn: &mut Conn,
    id: Uuid,
    round: u32,
    report: &str,
    now: DateTime<Utc>,
    closes_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO rounds (issue_id, round, report, reported_at, closes_at) VALUES (?, ?, ?, ?, ?)")
        .bind(id.to_string())
        .bind(round as i64)
        .bind(report)
        .bind(time_text(now))
        .bind(time_text(closes_at))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn decide_round(
    conn: &mut Conn,
    id: Uuid,
    round: u32,
    outcome: &str,
    average: Option<f64>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rounds SET outcome = ?, average = ?, decided_at = ? WHERE issue_id = ? AND round = ?")
        .bind(outcome)
        .bind(average)
        .bind(time_text(now))
        .bind(id.to_string())
        .bind(round as i64)
        .execute(conn)
        .await?;
    Ok(())
}

/// Open rounds whose window has ended by `now`.
pub async fn due_rounds(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<Uuid>, sqlx::Error> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT issue_id FROM rounds WHERE outcome IS NULL AND closes_at <= ?")
            .bind(time_text(now))
            .fetch_all(conn)
            .await?;
    Ok(ids
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect())
}

/// Adds a join (我也遇到); `Ok(false)` when the person had already joined.
pub async fn join(
    conn: &mut Conn,
    id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO issue_joins (issue_id, user_id, joined_at) VALUES (?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(user_id.to_string())
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn joined_users(conn: &mut Conn, id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT user_id FROM issue_joins WHERE issue_id = ?")
        .bind(id.to_string())
        .fetch_all(conn)
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect())
}

/// Records or changes a person's score for a round.
pub async fn upsert_score(
    conn: &mut Conn,
    id: Uuid,
    round: u32,
    user_id: Uuid,
    value: u8,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO scores (issue_id, round, user_id, value, comment, scored_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (issue_id, round, user_id) DO UPDATE SET value = excluded.value, comment = excluded.comment,
                                                            scored_at = excluded.scored_at",
    )
    .bind(id.to_string())
    .bind(round as i64)
    .bind(user_id.to_string())
    .bind(value as i64)
    .bind(comment)
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn round_scores(conn: &mut Conn, id: Uuid, round: u32) -> Result<Vec<u8>, sqlx::Error> {
    let values: Vec<i64> =
        sqlx::query_scalar("SELECT value FROM scores WHERE issue_id = ? AND round = ?")
            .bind(id.to_string())
            .bind(round as i64)
            .fetch_all(conn)
            .await?;
    Ok(values.into_iter().map(|v| v as u8).collect())
}

pub async fn round_closes_at(
    conn: &mut Conn,
    id: Uuid,
    round: u32,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let closes: Option<String> =
        sqlx::query_scalar("SELECT closes_at FROM rounds WHERE issue_id = ? AND round = ?")
            .bind(id.to_string())
            .bind(round as i64)
            .fetch_optional(conn)
            .await?;
    Ok(closes.as_deref().map(parse_time))
}

pub async fn escalate(
    conn: &mut Conn,
    id: Uuid,
    note: &str,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE issues SET escalated_at = ?, escalation_note = ?, version = ?, updated_at = ? WHERE id = ?")
        .bind(time_text(now))
        .bind(note)
        .bind(version)
        .bind(time_text(now))
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn answer_escalation(
    conn: &mut Conn,
    id: Uuid,
    answer: &str,
    deadline: NaiveDate,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE issues SET township_answer = ?, township_deadline = ?, township_answered_at = ?, version = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(answer)
    .bind(deadline.to_string())
    .bind(time_text(now))
    .bind(version)
    .bind(time_text(now))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Before a person is deleted: their issues stay, with no raiser, and phones learn of it.
pub async fn anonymise_raiser(
    conn: &mut Conn,
    user_id: Uuid,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE issues SET raised_by = NULL, version = ? WHERE raised_by = ?")
        .bind(version)
        .bind(user_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// How many issues this person raised at or after `since`, up to `at_most` (for the daily
/// quota).
pub async fn raised_since(
    conn: &mut Conn,
    user_id: Uuid,
    since: DateTime<Utc>,
    at_most: u32,
) -> Result<i64, sqlx::Error> {
    // Counting stops at `at_most` (the quota): a check costs the quota's rows, never all of
    // a person's issues of the day.
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM issues WHERE raised_by = ? AND created_at >= ? LIMIT ?)",
    )
    .bind(user_id.to_string())
    .bind(time_text(since))
    .bind(i64::from(at_most))
    .fetch_one(conn)
    .await
}
