//! Communities as rows that sync: their names and scoring rules.

use domain::dialogue::ScoringRules;
use sqlx::Row;

use super::Conn;

#[derive(Clone, Debug, PartialEq)]
pub struct CommunityRow {
    pub id: String,
    pub name: String,
    pub rules: ScoringRules,
}

/// The community's pass mark and scoring window.
pub async fn scoring_rules(
    conn: &mut Conn,
    community_id: &str,
) -> Result<ScoringRules, sqlx::Error> {
    let row = sqlx::query("SELECT pass_average, scoring_window_days FROM communities WHERE id = ?")
        .bind(community_id)
        .fetch_one(conn)
        .await?;
    rules_of(&row)
}

fn rules_of(row: &sqlx::sqlite::SqliteRow) -> Result<ScoringRules, sqlx::Error> {
    let pass: f64 = row.try_get("pass_average")?;
    Ok(ScoringRules {
        pass_halves: (pass * 2.0).round().clamp(2.0, 10.0) as u8,
        window_days: row.try_get("scoring_window_days")?,
    })
}

pub async fn set_scoring_rules(
    conn: &mut Conn,
    community_id: &str,
    rules: ScoringRules,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE communities SET pass_average = ?, scoring_window_days = ?, version = ? WHERE id = ?",
    )
    .bind(rules.pass_average())
    .bind(rules.window_days)
    .bind(version)
    .bind(community_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The communities among `ids` changed after `cursor`.
pub async fn changed_since(
    conn: &mut Conn,
    ids: &[String],
    cursor: i64,
    upto: i64,
) -> Result<Vec<CommunityRow>, sqlx::Error> {
    let mut rows = Vec::new();
    for id in ids {
        let found = sqlx::query(
            "SELECT id, name, pass_average, scoring_window_days FROM communities
             WHERE id = ? AND version > ? AND version <= ?",
        )
        .bind(id)
        .bind(cursor)
        .bind(upto)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = found {
            rows.push(CommunityRow {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                rules: rules_of(&row)?,
            });
        }
    }
    Ok(rows)
}

/// Opens a community; false if its id or its name in the township is taken.
pub async fn insert(
    conn: &mut Conn,
    community: &domain::account::NewCommunity,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO communities (id, township_id, name, version)
         SELECT ?, ?, ?, ? WHERE NOT EXISTS
             (SELECT 1 FROM communities WHERE id = ? OR (township_id = ? AND name = ?))",
    )
    .bind(&community.id)
    .bind(&community.township_id)
    .bind(&community.name)
    .bind(version)
    .bind(&community.id)
    .bind(&community.township_id)
    .bind(&community.name)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
