//! 孝心车位: each community's pool of visitor spots and the visits that hold them.

use chrono::{DateTime, Duration, Utc};
use domain::parking::{PoolRules, Span, VisitStatus};
use sqlx::Row;
use uuid::Uuid;

use super::{parse_time, time_text, uuid_col, Conn};

/// A community's pool as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolRow {
    pub id: Uuid,
    pub community_id: String,
    pub rules: PoolRules,
    pub version: i64,
}

fn pool_row(row: &sqlx::sqlite::SqliteRow) -> Result<PoolRow, sqlx::Error> {
    let number = |column: &str| -> Result<u32, sqlx::Error> {
        Ok(row.try_get::<i64, _>(column)?.clamp(0, i64::from(u32::MAX)) as u32)
    };
    Ok(PoolRow {
        id: uuid_col(row, "id")?,
        community_id: row.try_get("community_id")?,
        rules: PoolRules {
            spots: number("spots")?,
            max_hours: number("max_hours")?,
            opens: row.try_get("opens")?,
            closes: row.try_get("closes")?,
            days_ahead: number("days_ahead")?,
            per_week: number("per_week")?,
            at_once: number("at_once")?,
            keep_days: number("keep_days")?,
        },
        version: row.try_get("version")?,
    })
}

/// The pool of a community, if it has one.
pub async fn pool_of(conn: &mut Conn, community_id: &str) -> Result<Option<PoolRow>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM parking_pools WHERE community_id = ?")
        .bind(community_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(pool_row).transpose()
}

/// Creates the community's pool with `id`, or sets the rules of the one it has.
pub async fn set_pool(
    conn: &mut Conn,
    id: Uuid,
    community_id: &str,
    rules: &PoolRules,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO parking_pools
           (id, community_id, spots, max_hours, opens, closes, days_ahead, per_week, at_once,
            keep_days, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (community_id) DO UPDATE SET
           spots = excluded.spots, max_hours = excluded.max_hours, opens = excluded.opens,
           closes = excluded.closes, days_ahead = excluded.days_ahead,
           per_week = excluded.per_week, at_once = excluded.at_once,
           keep_days = excluded.keep_days, version = excluded.version",
    )
    .bind(id.to_string())
    .bind(community_id)
    .bind(rules.spots)
    .bind(rules.max_hours)
    .bind(&rules.opens)
    .bind(&rules.closes)
    .bind(rules.days_ahead)
    .bind(rules.per_week)
    .bind(rules.at_once)
    .bind(rules.keep_days)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

/// The pool's row changes (its held spans are part of it): every phone of the community
/// pulls it again.
pub async fn touch_pool(conn: &mut Conn, pool_id: Uuid, version: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE parking_pools SET version = ? WHERE id = ?")
        .bind(version)
        .bind(pool_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The pools of these communities changed after `cursor`, up to `upto`.
pub async fn pools_changed_since(
    conn: &mut Conn,
    communities: &[String],
    cursor: i64,
    upto: i64,
) -> Result<Vec<PoolRow>, sqlx::Error> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM parking_pools WHERE community_id IN ({}) AND version > ? AND version <= ?",
        vec!["?"; communities.len()].join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in communities {
        query = query.bind(id);
    }
    let rows = query.bind(cursor).bind(upto).fetch_all(conn).await?;
    rows.iter().map(pool_row).collect()
}

/// How long an overstaying car is counted as holding its spot beyond now: it has not left,
/// and nobody knows when it will.
pub const OVERSTAY_HOLD_MINUTES: i64 = 60;

/// The spans the pool's spots are held over from `now` on (the visits awaiting approval,
/// booked or inside), except `except`: what a new window is weighed against. A car still
/// inside past its window holds its spot until an hour from now.
pub async fn held_spans(
    conn: &mut Conn,
    pool_id: Uuid,
    except: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<Span>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT arrives_at, leaves_by, status FROM visits
         WHERE pool_id = ? AND status IN ('awaiting', 'booked', 'inside')
           AND (leaves_by > ? OR status = 'inside') AND id <> ?",
    )
    .bind(pool_id.to_string())
    .bind(time_text(now))
    .bind(except.map(|id| id.to_string()).unwrap_or_default())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let starts_at = parse_time(&row.try_get::<String, _>("arrives_at")?);
            let leaves_by = parse_time(&row.try_get::<String, _>("leaves_by")?);
            let inside = row.try_get::<String, _>("status")? == "inside";
            let ends_at = if inside && leaves_by <= now {
                now + Duration::minutes(OVERSTAY_HOLD_MINUTES)
            } else {
                leaves_by
            };
            Ok(Span::new(starts_at, ends_at))
        })
        .collect()
}

/// A visit as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct VisitRow {
    pub id: Uuid,
    pub pool_id: Uuid,
    pub community_id: String,
    pub household_id: Uuid,
    /// `None` once that account was deleted.
    pub registered_by: Option<Uuid>,
    /// `None` once deleted.
    pub plate: Option<String>,
    pub plate_masked: String,
    pub unusual: bool,
    pub arrives_at: DateTime<Utc>,
    pub leaves_by: DateTime<Utc>,
    pub status: VisitStatus,
    pub relation: String,
    pub note: String,
    pub walk_up: bool,
    pub over_limit: bool,
    pub entered_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
    pub overstayed_at: Option<DateTime<Utc>>,
    pub short_code: String,
    pub pass: Option<String>,
    pub version: i64,
}

fn visit_row(row: &sqlx::sqlite::SqliteRow) -> Result<VisitRow, sqlx::Error> {
    let time = |column: &str| -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        Ok(row
            .try_get::<Option<String>, _>(column)?
            .map(|t| parse_time(&t)))
    };
    let status: String = row.try_get("status")?;
    Ok(VisitRow {
        id: uuid_col(row, "id")?,
        pool_id: uuid_col(row, "pool_id")?,
        community_id: row.try_get("community_id")?,
        household_id: uuid_col(row, "household_id")?,
        registered_by: row
            .try_get::<Option<String>, _>("registered_by")?
            .and_then(|id| Uuid::parse_str(&id).ok()),
        plate: row.try_get("plate")?,
        plate_masked: row.try_get("plate_masked")?,
        unusual: row.try_get("unusual")?,
        arrives_at: parse_time(&row.try_get::<String, _>("arrives_at")?),
        leaves_by: parse_time(&row.try_get::<String, _>("leaves_by")?),
        status: VisitStatus::from_code(&status).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "status".into(),
            source: format!("unknown visit status {status:?}").into(),
        })?,
        relation: row.try_get("relation")?,
        note: row.try_get("note")?,
        walk_up: row.try_get("walk_up")?,
        over_limit: row.try_get("over_limit")?,
        entered_at: time("entered_at")?,
        left_at: time("left_at")?,
        overstayed_at: time("overstayed_at")?,
        short_code: row.try_get("short_code")?,
        pass: row.try_get("pass")?,
        version: row.try_get("version")?,
    })
}

pub async fn visit_by_id(conn: &mut Conn, id: Uuid) -> Result<Option<VisitRow>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM visits WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(visit_row).transpose()
}

/// A visit the server has decided to hold a spot for.
#[derive(Clone, Debug)]
pub struct NewVisit<'a> {
    pub id: Uuid,
    pub pool_id: Uuid,
    pub community_id: &'a str,
    pub household_id: Uuid,
    pub registered_by: Uuid,
    pub plate: &'a str,
    pub plate_masked: &'a str,
    pub unusual: bool,
    pub window: Span,
    pub status: VisitStatus,
    pub relation: &'a str,
    pub note: &'a str,
    pub walk_up: bool,
    pub over_limit: bool,
    pub short_code: &'a str,
    pub pass: Option<&'a str>,
}

/// Stores a visit; `false` (and nothing written) when its id, or its short code in the
/// pool, is taken.
pub async fn insert_visit(
    conn: &mut Conn,
    visit: &NewVisit<'_>,
    now: DateTime<Utc>,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO visits
           (id, pool_id, community_id, household_id, registered_by, plate, plate_masked,
            unusual, arrives_at, leaves_by, status, relation, note, walk_up, over_limit,
            short_code, pass, created_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(visit.id.to_string())
    .bind(visit.pool_id.to_string())
    .bind(visit.community_id)
    .bind(visit.household_id.to_string())
    .bind(visit.registered_by.to_string())
    .bind(visit.plate)
    .bind(visit.plate_masked)
    .bind(visit.unusual)
    .bind(time_text(visit.window.starts_at))
    .bind(time_text(visit.window.ends_at))
    .bind(visit.status.code())
    .bind(visit.relation)
    .bind(visit.note)
    .bind(visit.walk_up)
    .bind(visit.over_limit)
    .bind(visit.short_code)
    .bind(visit.pass)
    .bind(time_text(now))
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a change does to a stored visit: the fields that are `Some` are set.
#[derive(Clone, Debug, Default)]
pub struct VisitChange<'a> {
    pub status: Option<VisitStatus>,
    pub window: Option<Span>,
    pub entered: Option<(DateTime<Utc>, bool)>,
    pub left_at: Option<DateTime<Utc>>,
    /// The pass, re-signed (`Some(None)`: cleared).
    pub pass: Option<Option<&'a str>>,
}

pub async fn change_visit(
    conn: &mut Conn,
    id: Uuid,
    change: &VisitChange<'_>,
    version: i64,
) -> Result<(), sqlx::Error> {
    let current = visit_by_id(&mut *conn, id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let window = change
        .window
        .unwrap_or(Span::new(current.arrives_at, current.leaves_by));
    let (entered_at, entered_offline) = match change.entered {
        Some((at, offline)) => (Some(at), offline),
        None => (current.entered_at, false),
    };
    let pass = match change.pass {
        Some(pass) => pass.map(str::to_string),
        None => current.pass,
    };
    sqlx::query(
        "UPDATE visits SET status = ?, arrives_at = ?, leaves_by = ?, entered_at = ?,
                entered_offline = entered_offline OR ?, left_at = ?, pass = ?, version = ?
         WHERE id = ?",
    )
    .bind(change.status.unwrap_or(current.status).code())
    .bind(time_text(window.starts_at))
    .bind(time_text(window.ends_at))
    .bind(entered_at.map(time_text))
    .bind(entered_offline)
    .bind(change.left_at.or(current.left_at).map(time_text))
    .bind(pass)
    .bind(version)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// What a household holds and used, as `domain::parking::visit::HouseholdUse` counts it:
/// visits arriving in `week`, those holding a spot over `window` (except `except`), and
/// overstays since `since`.
pub async fn household_use(
    conn: &mut Conn,
    household_id: Uuid,
    week: (DateTime<Utc>, DateTime<Utc>),
    window: Span,
    except: Option<Uuid>,
    since: DateTime<Utc>,
) -> Result<domain::parking::visit::HouseholdUse, sqlx::Error> {
    let row = sqlx::query(
        "SELECT
           COALESCE(SUM(status <> 'cancelled' AND arrives_at >= ? AND arrives_at < ?), 0) AS week,
           COALESCE(SUM(status IN ('awaiting', 'booked', 'inside')
                        AND arrives_at < ? AND leaves_by > ?), 0) AS overlapping,
           COALESCE(SUM(overstayed_at IS NOT NULL AND overstayed_at >= ?), 0) AS overstays
         FROM visits WHERE household_id = ? AND id <> ?",
    )
    .bind(time_text(week.0))
    .bind(time_text(week.1))
    .bind(time_text(window.ends_at))
    .bind(time_text(window.starts_at))
    .bind(time_text(since))
    .bind(household_id.to_string())
    .bind(except.map(|id| id.to_string()).unwrap_or_default())
    .fetch_one(conn)
    .await?;
    let count = |column: &str| -> Result<u32, sqlx::Error> {
        Ok(row.try_get::<i64, _>(column)?.max(0) as u32)
    };
    Ok(domain::parking::visit::HouseholdUse {
        this_week: count("week")?,
        overlapping: count("overlapping")?,
        overstays: count("overstays")?,
    })
}

/// Which visits a pull sends this person: their households', and those of the communities
/// where they are staff or a guard.
#[derive(Clone, Debug, Default)]
pub struct VisitScope {
    pub households: Vec<String>,
    pub communities: Vec<String>,
}

impl VisitScope {
    pub fn is_empty(&self) -> bool {
        self.households.is_empty() && self.communities.is_empty()
    }

    /// `(household_id IN (…) OR community_id IN (…))` and its binds; deleted plates' visits
    /// are no longer sent (their tombstones are).
    pub(super) fn condition(&self) -> (String, Vec<&String>) {
        let mut parts = Vec::new();
        let mut binds = Vec::new();
        for (column, ids) in [
            ("household_id", &self.households),
            ("community_id", &self.communities),
        ] {
            if !ids.is_empty() {
                parts.push(format!("{column} IN ({})", vec!["?"; ids.len()].join(", ")));
                binds.extend(ids.iter());
            }
        }
        (
            format!("({}) AND purged_at IS NULL", parts.join(" OR ")),
            binds,
        )
    }
}

/// The visits in `scope` changed after `cursor`, up to `upto`.
pub async fn visits_changed_since(
    conn: &mut Conn,
    scope: &VisitScope,
    cursor: i64,
    upto: i64,
) -> Result<Vec<VisitRow>, sqlx::Error> {
    if scope.is_empty() {
        return Ok(Vec::new());
    }
    let (condition, binds) = scope.condition();
    let sql = format!(
        "SELECT * FROM visits WHERE {condition} AND version > ? AND version <= ? ORDER BY version"
    );
    let mut query = sqlx::query(&sql);
    for id in binds {
        query = query.bind(id);
    }
    let rows = query.bind(cursor).bind(upto).fetch_all(conn).await?;
    rows.iter().map(visit_row).collect()
}

/// The page-end branch of visits for `page_end`: its SQL and binds.
pub(super) fn page_branch(scope: &VisitScope) -> Option<(String, Vec<&String>)> {
    if scope.is_empty() {
        return None;
    }
    let (condition, binds) = scope.condition();
    Some((
        format!("SELECT version FROM visits WHERE {condition} AND version > ?"),
        binds,
    ))
}

/// Cars still inside past their window that nobody has flagged yet: each is flagged now
/// (it counts against its household's limit) and gets a new version, so the household's
/// phone is told and the guard's list shows it first. Returns their pools.
pub async fn flag_overstays(
    conn: &mut Conn,
    now: DateTime<Utc>,
    version: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let pools: Vec<String> = sqlx::query_scalar(
        "UPDATE visits SET overstayed_at = ?, version = ?
         WHERE status = 'inside' AND overstayed_at IS NULL AND leaves_by < ?
         RETURNING pool_id",
    )
    .bind(time_text(now))
    .bind(version)
    .bind(time_text(now))
    .fetch_all(conn)
    .await?;
    Ok(pools
        .iter()
        .filter_map(|p| Uuid::parse_str(p).ok())
        .collect())
}

/// Deletes the plate, relation, note and pass of every visit that ended more than its pool's
/// `keep_days` ago (a car never marked out counts as gone at its window's end) (PIPL art. 19), keeping the row for the ledger's counts, and tells every
/// phone to forget it (a tombstone in its community). How many.
pub async fn purge_plates(
    conn: &mut Conn,
    now: DateTime<Utc>,
    version: i64,
) -> Result<u64, sqlx::Error> {
    // A visit ends when the car left, or at its window's end if it never came, was
    // cancelled, or was never marked out (`keep_days` after its window, it is not inside).
    let due = "SELECT v.id FROM visits v JOIN parking_pools p ON p.id = v.pool_id
         WHERE v.purged_at IS NULL
           AND COALESCE(v.left_at, v.leaves_by) < strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-' || p.keep_days || ' days')";
    let sql = format!(
        "INSERT OR REPLACE INTO tombstones (entity, id, community_id, version)
         SELECT ?, id, community_id, ? FROM visits WHERE id IN ({due})"
    );
    sqlx::query(&sql)
        .bind(domain::wire::entity::VISIT)
        .bind(version)
        .bind(time_text(now))
        .execute(&mut *conn)
        .await?;
    let sql = format!(
        "UPDATE visits SET plate = NULL, relation = '', note = '', pass = NULL,
                purged_at = ?, version = ?
         WHERE id IN ({due})"
    );
    let done = sqlx::query(&sql)
        .bind(time_text(now))
        .bind(version)
        .bind(time_text(now))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// The live passes of visits (booked or inside): (visit id, pass), for re-signing when keys
/// retire.
pub async fn live_passes(conn: &mut Conn) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, pass FROM visits
         WHERE status IN ('booked', 'inside') AND pass IS NOT NULL ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| Ok((uuid_col(row, "id")?, row.try_get("pass")?)))
        .collect()
}

/// Every visit of these communities as the ledger counts it (purged ones too: the counts
/// outlive the plates).
pub async fn ledger_records(
    conn: &mut Conn,
    communities: &[String],
) -> Result<Vec<domain::ledger::VisitRecord>, sqlx::Error> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT arrives_at, status, entered_at IS NOT NULL AS came,
                overstayed_at IS NOT NULL AS overstayed, walk_up
         FROM visits WHERE community_id IN ({})",
        vec!["?"; communities.len()].join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in communities {
        query = query.bind(id);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let status: String = row.try_get("status")?;
            Ok(domain::ledger::VisitRecord {
                arrives_at: parse_time(&row.try_get::<String, _>("arrives_at")?),
                status: VisitStatus::from_code(&status).unwrap_or(VisitStatus::Cancelled),
                came: row.try_get("came")?,
                overstayed: row.try_get("overstayed")?,
                walk_up: row.try_get("walk_up")?,
            })
        })
        .collect()
}

/// Test and bench support: how many visits of the pool hold a spot at some instant, the
/// most at once (checked by brute force over every arrival).
pub async fn peak_held(conn: &mut Conn, pool_id: Uuid) -> Result<usize, sqlx::Error> {
    let rows = sqlx::query_as::<_, (String, String)>(
        "SELECT arrives_at, leaves_by FROM visits
         WHERE pool_id = ? AND status IN ('awaiting', 'booked', 'inside')",
    )
    .bind(pool_id.to_string())
    .fetch_all(conn)
    .await?;
    let spans: Vec<Span> = rows
        .iter()
        .map(|(a, l)| Span::new(parse_time(a), parse_time(l)))
        .collect();
    Ok(spans
        .iter()
        .map(|s| {
            spans
                .iter()
                .filter(|o| o.starts_at <= s.starts_at && s.starts_at < o.ends_at)
                .count()
        })
        .max()
        .unwrap_or(0))
}
