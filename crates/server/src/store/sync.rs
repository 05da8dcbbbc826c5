//! Sync bookkeeping: which installation belongs to whom, the last seq processed for each,
//! and the stored outcome of every processed mutation.

use chrono::{DateTime, Utc};
use domain::wire::{MutationEnvelope, MutationResult, ResultStatus, WireFieldError};
use sqlx::Row;
use uuid::Uuid;

use super::{time_text, uuid_col, Conn};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientRow {
    pub user_id: Uuid,
    pub last_seq: u64,
}

pub async fn client(conn: &mut Conn, client_id: Uuid) -> Result<Option<ClientRow>, sqlx::Error> {
    let row = sqlx::query("SELECT user_id, last_seq FROM clients WHERE client_id = ?")
        .bind(client_id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|row| {
        let last_seq: i64 = row.try_get("last_seq")?;
        Ok(ClientRow {
            user_id: uuid_col(&row, "user_id")?,
            last_seq: last_seq as u64,
        })
    })
    .transpose()
}

pub async fn insert_client(
    conn: &mut Conn,
    client_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO clients (client_id, user_id, last_seq, created_at, last_seen_at) VALUES (?, ?, 0, ?, ?)",
    )
    .bind(client_id.to_string())
    .bind(user_id.to_string())
    .bind(time_text(now))
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_last_seq(
    conn: &mut Conn,
    client_id: Uuid,
    seq: u64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE clients SET last_seq = ?, last_seen_at = ? WHERE client_id = ?")
        .bind(seq as i64)
        .bind(time_text(now))
        .bind(client_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

fn status_code(status: ResultStatus) -> &'static str {
    match status {
        ResultStatus::Applied => "applied",
        ResultStatus::Rejected => "rejected",
        ResultStatus::Retry => "retry",
        ResultStatus::OutOfOrder => "out_of_order",
    }
}

fn status_from_code(code: &str) -> ResultStatus {
    match code {
        "rejected" => ResultStatus::Rejected,
        "retry" => ResultStatus::Retry,
        "out_of_order" => ResultStatus::OutOfOrder,
        _ => ResultStatus::Applied,
    }
}

fn result_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<MutationResult, sqlx::Error> {
    let seq: i64 = row.try_get("seq")?;
    let status: String = row.try_get("status")?;
    let fields: String = row.try_get("fields")?;
    Ok(MutationResult {
        seq: seq as u64,
        status: status_from_code(&status),
        code: row.try_get("code")?,
        message: row.try_get("message")?,
        expected_seq: None,
        fields: serde_json::from_str::<Vec<WireFieldError>>(&fields).unwrap_or_default(),
        alternatives: serde_json::from_str(&row.try_get::<String, _>("alternatives")?)
            .unwrap_or_default(),
        windows: serde_json::from_str(&row.try_get::<String, _>("windows")?).unwrap_or_default(),
    })
}

// The push writer applies a push's mutations one at a time under a savepoint named
// `effect`, opened once for the push and moved on by each result: a mutation's effect and
// its result are kept together, or its effect alone is undone, in one round trip each.

/// Opens the savepoint `effect` for a push's mutations (released with the push's own).
pub async fn open_effect(conn: &mut Conn) -> Result<(), sqlx::Error> {
    sqlx::query("SAVEPOINT effect").execute(conn).await?;
    Ok(())
}

/// Undoes everything since the savepoint `effect` was opened or last moved on; it stays open.
pub async fn undo_effect(conn: &mut Conn) -> Result<(), sqlx::Error> {
    sqlx::query("ROLLBACK TO effect").execute(conn).await?;
    Ok(())
}

/// What becomes of a mutation's effect when its result is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Applied: the effect is kept with the result.
    Keep,
    /// Refused: the effect, if any, is undone, and only the result is kept.
    Undo,
}

/// Records the outcome of a processed mutation (applied or rejected) at `version`, keeps or
/// undoes its effect, and moves the savepoint `effect` on to the next mutation — one round
/// trip. If the insert fails, the savepoint has not moved: `undo_effect` undoes the lot.
pub async fn keep_result(
    conn: &mut Conn,
    effect: Effect,
    client_id: Uuid,
    envelope: &MutationEnvelope,
    result: &MutationResult,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    macro_rules! insert_and_move_on {
        () => {
            "INSERT INTO mutation_results
               (client_id, seq, mutation_id, name, status, code, message, fields, alternatives,
                windows, device_time, processed_at, version)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
             RELEASE effect; SAVEPOINT effect"
        };
    }
    let sql = match effect {
        Effect::Keep => insert_and_move_on!(),
        Effect::Undo => concat!("ROLLBACK TO effect; ", insert_and_move_on!()),
    };
    let fields = serde_json::to_string(&result.fields).expect("field errors serialise");
    let alternatives = serde_json::to_string(&result.alternatives).expect("alternatives serialise");
    let windows = serde_json::to_string(&result.windows).expect("windows serialise");
    sqlx::query(sql)
        .bind(client_id.to_string())
        .bind(envelope.seq as i64)
        .bind(envelope.id.to_string())
        .bind(&envelope.name)
        .bind(status_code(result.status))
        .bind(&result.code)
        .bind(&result.message)
        .bind(fields)
        .bind(alternatives)
        .bind(windows)
        .bind(time_text(envelope.device_time))
        .bind(time_text(now))
        .bind(version)
        .execute(conn)
        .await?;
    Ok(())
}

/// The stored outcome of this client's mutation `seq`, with the id of that mutation.
pub async fn result_for_seq(
    conn: &mut Conn,
    client_id: Uuid,
    seq: u64,
) -> Result<Option<(Uuid, MutationResult)>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM mutation_results WHERE client_id = ? AND seq = ?")
        .bind(client_id.to_string())
        .bind(seq as i64)
        .fetch_optional(conn)
        .await?;
    row.as_ref()
        .map(|row| Ok((uuid_col(row, "mutation_id")?, result_from_row(row)?)))
        .transpose()
}

/// The stored outcome of the mutation with this id, whichever client pushed it.
pub async fn result_for_mutation_id(
    conn: &mut Conn,
    mutation_id: Uuid,
) -> Result<Option<MutationResult>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM mutation_results WHERE mutation_id = ?")
        .bind(mutation_id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(result_from_row).transpose()
}

/// The stored outcomes of whichever of these mutations were processed before, by id: one
/// query for a whole push instead of one per mutation.
pub async fn results_for_mutation_ids(
    conn: &mut Conn,
    mutation_ids: &[Uuid],
) -> Result<Vec<(Uuid, MutationResult)>, sqlx::Error> {
    if mutation_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM mutation_results WHERE mutation_id IN ({})",
        vec!["?"; mutation_ids.len()].join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in mutation_ids {
        query = query.bind(id.to_string());
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter()
        .map(|row| Ok((uuid_col(row, "mutation_id")?, result_from_row(row)?)))
        .collect()
}

/// The outcomes of this client's mutations processed after `cursor`, in seq order.
pub async fn results_since(
    conn: &mut Conn,
    client_id: Uuid,
    cursor: i64,
) -> Result<Vec<MutationResult>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT * FROM mutation_results WHERE client_id = ? AND version > ? ORDER BY seq",
    )
    .bind(client_id.to_string())
    .bind(cursor)
    .fetch_all(conn)
    .await?;
    rows.iter().map(result_from_row).collect()
}

/// Everything one person's pull covers, as `page_end` counts it.
pub struct PullRows<'a> {
    /// The communities whose shared rows the person sees.
    pub communities: &'a [String],
    /// The communities whose staff rows the person keeps.
    pub staffed: &'a [String],
    pub bookings: &'a super::bookings::BookingScope,
    pub visits: &'a super::parking::VisitScope,
    /// Whether the person pulls the pass keys.
    pub pass_keys: bool,
}

/// The version of the `page`-th change after `cursor` that a pull would send — over every row
/// of `communities` and the staff rows of `staffed` — or `None` when there are no more than
/// `page`. A pull sends the changes up to that version and says there is more.
pub async fn page_end(
    conn: &mut Conn,
    rows: &PullRows<'_>,
    cursor: i64,
    page: usize,
) -> Result<Option<i64>, sqlx::Error> {
    let PullRows {
        communities,
        staffed,
        bookings,
        visits,
        pass_keys,
    } = *rows;
    let list = |ids: &[String]| vec!["?"; ids.len()].join(", ");
    let mut branches = Vec::new();
    let mut binds: Vec<Vec<&String>> = Vec::new();
    if !communities.is_empty() {
        let c = list(communities);
        for sql in [
            format!("SELECT version FROM issues WHERE community_id IN ({c}) AND version > ?"),
            format!("SELECT version FROM dialogues WHERE community_id IN ({c}) AND version > ?"),
            format!("SELECT version FROM communities WHERE id IN ({c}) AND version > ?"),
            format!(
                "SELECT version FROM market_services WHERE community_id IN ({c}) AND version > ?"
            ),
            format!("SELECT version FROM market_slots WHERE community_id IN ({c}) AND version > ?"),
            format!(
                "SELECT version FROM parking_pools WHERE community_id IN ({c}) AND version > ?"
            ),
            format!("SELECT version FROM tombstones WHERE community_id IN ({c}) AND version > ?"),
        ] {
            branches.push(sql);
            binds.push(communities.iter().collect());
        }
    }
    if !staffed.is_empty() {
        let s = list(staffed);
        for sql in [
            format!("SELECT version FROM households WHERE community_id IN ({s}) AND version > ?"),
            format!(
                "SELECT u.version FROM memberships m JOIN users u ON u.id = m.user_id
                 WHERE m.community_id IN ({s}) AND u.version > ?"
            ),
            format!("SELECT version FROM invitations WHERE community_id IN ({s}) AND version > ?"),
            format!("SELECT version FROM tombstones WHERE community_id IN ({s}) AND version > ?"),
        ] {
            branches.push(sql);
            binds.push(staffed.iter().collect());
        }
    }
    if !bookings.is_empty() {
        let (condition, ids) = bookings.condition("");
        branches.push(format!(
            "SELECT version FROM bookings WHERE {condition} AND version > ?"
        ));
        binds.push(ids);
    }
    if !bookings.households.is_empty() {
        branches.push(format!(
            "SELECT version FROM waitlist WHERE household_id IN ({}) AND version > ?",
            list(&bookings.households)
        ));
        binds.push(bookings.households.iter().collect());
    }
    if let Some((branch, ids)) = super::parking::page_branch(visits) {
        branches.push(branch);
        binds.push(ids);
    }
    if pass_keys {
        branches.push("SELECT version FROM pass_keys WHERE version > ?".into());
        binds.push(Vec::new());
    }
    if branches.is_empty() {
        return Ok(None);
    }
    // Each branch gives at most its first `page` versions (an ordered index range), so the
    // sort is over a few pages, never over everything after the cursor.
    let sql = format!(
        "SELECT version FROM ({}) ORDER BY version LIMIT 1 OFFSET ?",
        branches
            .iter()
            .map(|branch| format!("SELECT * FROM ({branch} ORDER BY 1 LIMIT ?)"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
    );
    let mut query = sqlx::query_scalar(&sql);
    for ids in binds {
        for id in ids {
            query = query.bind(id);
        }
        query = query.bind(cursor).bind(page as i64);
    }
    query.bind(page as i64 - 1).fetch_optional(conn).await
}

/// Rows removed after `cursor` up to `upto`, in these communities: (entity, id, community).
pub async fn tombstones_since(
    conn: &mut Conn,
    communities: &[String],
    cursor: i64,
    upto: i64,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT entity, id, community_id FROM tombstones
         WHERE community_id IN ({}) AND version > ? AND version <= ? ORDER BY version",
        vec!["?"; communities.len()].join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String, String)>(&sql);
    for id in communities {
        query = query.bind(id);
    }
    query.bind(cursor).bind(upto).fetch_all(conn).await
}

/// Test support: how many results are stored for an installation.
#[cfg(test)]
pub async fn result_count(conn: &mut Conn, client_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM mutation_results WHERE client_id = ?")
        .bind(client_id.to_string())
        .fetch_one(conn)
        .await
}

/// Test support: makes storing the result of `seq` for `client_id` fail with SQLite's
/// `RAISE(<raise>)` (`ABORT`: the statement; `ROLLBACK`: the whole transaction), until
/// `stop_failing_results`.
#[cfg(test)]
pub async fn fail_result_of(
    conn: &mut Conn,
    client_id: Uuid,
    seq: u64,
    raise: &str,
) -> Result<(), sqlx::Error> {
    assert!(matches!(raise, "ABORT" | "ROLLBACK"));
    let trigger = format!(
        "CREATE TRIGGER fail_result BEFORE INSERT ON mutation_results
         WHEN NEW.client_id = '{client_id}' AND NEW.seq = {seq}
         BEGIN SELECT RAISE({raise}, 'injected'); END"
    );
    sqlx::query(&trigger).execute(conn).await?;
    Ok(())
}

#[cfg(test)]
pub async fn stop_failing_results(conn: &mut Conn) -> Result<(), sqlx::Error> {
    sqlx::query("DROP TRIGGER fail_result")
        .execute(conn)
        .await?;
    Ok(())
}
