//! Synthetic data for the pull benchmark (`examples/sync_bench.rs`): many communities and
//! issues, with a join on every fifth, written straight into the tables in one transaction.
//! The server itself never calls this.

use uuid::Uuid;

use super::Conn;

/// A random UUID in SQLite, as text.
const UUID_SQL: &str = "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || \
    substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || \
    hex(randomblob(6)))";

/// Adds `communities` communities to `township_id` (ids `bench-0`, `bench-1`, …), then
/// `issues` issues spread evenly over them and `also` (a real community, so a person there
/// sees its share), each with its own version, raised by `raiser` and joined by `joiner`
/// on every fifth. Returns the version counter afterwards.
pub async fn fill(
    conn: &mut Conn,
    township_id: &str,
    communities: usize,
    issues: usize,
    also: &str,
    raiser: Uuid,
    joiner: Uuid,
) -> Result<i64, sqlx::Error> {
    let start = super::current_version(conn).await?;
    sqlx::query(
        "WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < ?)
         INSERT OR IGNORE INTO communities (id, township_id, name, version)
         SELECT 'bench-' || k, ?, '基准小区' || k, ? FROM n",
    )
    .bind(communities as i64)
    .bind(township_id)
    .bind(start)
    .execute(&mut *conn)
    .await?;
    // Community k of `communities + 1`: the last one is `also`.
    sqlx::query(&format!(
        "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
         INSERT INTO issues (id, community_id, raised_by, title, description, category, place,
                             status, created_at, updated_at, version)
         SELECT {UUID_SQL},
                CASE WHEN k % (? + 1) = ? THEN ? ELSE 'bench-' || (k % (? + 1)) END,
                ?, '基准问题 ' || k, '楼道灯坏了，晚上看不见台阶。', 'repairs', '3栋',
                'raised', '2026-11-01T08:00:00Z', '2026-11-01T08:00:00Z', ? + k
         FROM n"
    ))
    .bind(issues as i64)
    .bind(communities as i64)
    .bind(communities as i64)
    .bind(also)
    .bind(communities as i64)
    .bind(raiser.to_string())
    .bind(start)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT OR IGNORE INTO issue_joins (issue_id, user_id, joined_at)
         SELECT id, ?, '2026-11-02T08:00:00Z' FROM issues
         WHERE version > ? AND (version - ?) % 5 = 0",
    )
    .bind(joiner.to_string())
    .bind(start)
    .bind(start)
    .execute(&mut *conn)
    .await?;
    let end = start + issues as i64;
    super::set_version(conn, end).await?;
    Ok(end)
}
