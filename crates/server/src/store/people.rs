//! Townships, communities, people and what they do where.

use chrono::{DateTime, Utc};
use domain::person::Role;
use domain::wire::CommunityView;
use sqlx::Row;
use uuid::Uuid;

use super::{parse_time, time_text, uuid_col, Conn};

/// A role held in a township (township staff) or one of its communities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub role: Role,
    pub township_id: String,
    pub community_id: Option<String>,
    pub community_name: Option<String>,
    pub township_name: String,
    pub household_id: Option<Uuid>,
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: Uuid,
    pub phone: String,
    pub display_name: String,
    pub password_hash: String,
    pub deactivated_at: Option<DateTime<Utc>>,
}

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<User, sqlx::Error> {
    let deactivated: Option<String> = row.try_get("deactivated_at")?;
    Ok(User {
        id: uuid_col(row, "id")?,
        phone: row.try_get("phone")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        deactivated_at: deactivated.as_deref().map(parse_time),
    })
}

pub async fn user_by_phone(conn: &mut Conn, phone: &str) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM users WHERE phone = ?")
        .bind(phone)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn user_by_id(conn: &mut Conn, id: Uuid) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM users WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn memberships(conn: &mut Conn, user_id: Uuid) -> Result<Vec<Membership>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT m.role, m.township_id, m.community_id, m.household_id, c.name AS community_name, t.name AS township_name
         FROM memberships m JOIN townships t ON t.id = m.township_id
         LEFT JOIN communities c ON c.id = m.community_id
         WHERE m.user_id = ? ORDER BY m.rowid",
    )
    .bind(user_id.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .filter_map(|row| {
            let role: String = row.try_get("role").ok()?;
            Some(Ok(Membership {
                role: Role::from_code(&role)?,
                township_id: row.try_get("township_id").ok()?,
                community_id: row.try_get("community_id").ok()?,
                community_name: row.try_get("community_name").ok()?,
                township_name: row.try_get("township_name").ok()?,
                household_id: row
                    .try_get::<Option<String>, _>("household_id")
                    .ok()?
                    .and_then(|h| Uuid::parse_str(&h).ok()),
            }))
        })
        .collect()
}

pub async fn insert_user(
    conn: &mut Conn,
    id: Uuid,
    phone: &str,
    display_name: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, phone, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(phone)
    .bind(display_name)
    .bind(password_hash)
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_membership(
    conn: &mut Conn,
    user_id: Uuid,
    role: Role,
    township_id: &str,
    community_id: Option<&str>,
    household_id: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    let added = sqlx::query(
        "INSERT OR IGNORE INTO memberships (user_id, role, township_id, community_id, household_id)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(user_id.to_string())
    .bind(role.code())
    .bind(township_id)
    .bind(community_id)
    .bind(household_id.map(|h| h.to_string()))
    .execute(&mut *conn)
    .await?;
    if added.rows_affected() > 0 {
        // The person now sees more: their phones' next pull starts again from nothing, and
        // staff phones learn the new role.
        let version = super::next_version(&mut *conn).await?;
        sqlx::query("UPDATE users SET scope_version = ?, version = ? WHERE id = ?")
            .bind(version)
            .bind(version)
            .bind(user_id.to_string())
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The version at which this person's scope last widened (0 if never).
pub async fn scope_version(conn: &mut Conn, user_id: Uuid) -> Result<i64, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT scope_version FROM users WHERE id = ?")
        .bind(user_id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(found.unwrap_or(0))
}

pub async fn township_of(
    conn: &mut Conn,
    community_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT township_id FROM communities WHERE id = ?")
        .bind(community_id)
        .fetch_optional(conn)
        .await
}

pub async fn community_name(
    conn: &mut Conn,
    community_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM communities WHERE id = ?")
        .bind(community_id)
        .fetch_optional(conn)
        .await
}

/// Marks what staff see of a person as changed.
pub async fn touch(conn: &mut Conn, user_id: Uuid, version: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET version = ? WHERE id = ?")
        .bind(version)
        .bind(user_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_password(
    conn: &mut Conn,
    user_id: Uuid,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(password_hash)
        .bind(user_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Deactivates a person: no request of theirs is accepted any more, every session of theirs
/// ends now with the reason kept, so their phone can say why, and their unused codes (reset
/// codes for them, invitations they made) expire now.
pub async fn deactivate(
    conn: &mut Conn,
    user_id: Uuid,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET deactivated_at = ?, version = ? WHERE id = ?")
        .bind(time_text(now))
        .bind(version)
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE sessions SET ended_reason = 'deactivated' WHERE user_id = ?")
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE invitations SET expires_at = ?, version = ?
         WHERE (person_id = ? OR created_by = ?) AND used_at IS NULL AND expires_at > ?",
    )
    .bind(time_text(now))
    .bind(version)
    .bind(user_id.to_string())
    .bind(user_id.to_string())
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn record_consent(
    conn: &mut Conn,
    user_id: Uuid,
    version: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT OR IGNORE INTO consents (user_id, version, agreed_at) VALUES (?, ?, ?)")
        .bind(user_id.to_string())
        .bind(version)
        .bind(time_text(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// A person as community staff see them.
#[derive(Clone, Debug)]
pub struct PersonRow {
    pub id: Uuid,
    pub display_name: String,
    pub phone: String,
    pub deactivated: bool,
    pub community_id: String,
    pub roles: Vec<Role>,
    pub household_id: Option<Uuid>,
    pub version: i64,
}

/// The people of these communities whose record changed after `cursor`, one row per
/// (person, community).
pub async fn people_changed_since(
    conn: &mut Conn,
    community_ids: &[String],
    cursor: i64,
) -> Result<Vec<PersonRow>, sqlx::Error> {
    let mut people: Vec<PersonRow> = Vec::new();
    for community_id in community_ids {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name, u.phone, u.deactivated_at, u.version, m.role, m.household_id
             FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.community_id = ? AND u.version > ? ORDER BY u.version, m.rowid",
        )
        .bind(community_id)
        .bind(cursor)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            let id = uuid_col(row, "id")?;
            let role: String = row.try_get("role")?;
            let household: Option<String> = row.try_get("household_id")?;
            let household_id = household.and_then(|h| Uuid::parse_str(&h).ok());
            let existing = people
                .iter_mut()
                .find(|p| p.id == id && p.community_id == *community_id);
            match existing {
                Some(person) => {
                    person.roles.extend(Role::from_code(&role));
                    person.household_id = person.household_id.or(household_id);
                }
                None => {
                    let deactivated: Option<String> = row.try_get("deactivated_at")?;
                    people.push(PersonRow {
                        id,
                        display_name: row.try_get("display_name")?,
                        phone: row.try_get("phone")?,
                        deactivated: deactivated.is_some(),
                        community_id: community_id.clone(),
                        roles: Role::from_code(&role).into_iter().collect(),
                        household_id,
                        version: row.try_get("version")?,
                    });
                }
            }
        }
    }
    Ok(people)
}

/// Whether the person holds any role in the community.
pub async fn is_member(
    conn: &mut Conn,
    user_id: Uuid,
    community_id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM memberships WHERE user_id = ? AND community_id = ? LIMIT 1",
    )
    .bind(user_id.to_string())
    .bind(community_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// The communities where the person holds a role.
pub async fn communities_of(conn: &mut Conn, user_id: Uuid) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT community_id FROM memberships WHERE user_id = ? AND community_id IS NOT NULL",
    )
    .bind(user_id.to_string())
    .fetch_all(conn)
    .await
}

/// Removes a person. Their issues stay in the ledger with no name (the foreign key sets
/// the raiser to NULL); memberships, sessions, installations and consents go with them.
/// Staff phones are told to forget the person (a tombstone per community at `version`).
pub async fn delete_user(conn: &mut Conn, user_id: Uuid, version: i64) -> Result<(), sqlx::Error> {
    let id = user_id.to_string();
    // What would outlive the account otherwise: the phone number in the attempt limits, the
    // photos the person took and the words of their scores (the score itself still counts,
    // anonymously). Issues that lose a photo or a comment change, so phones re-pull them.
    sqlx::query(
        "DELETE FROM attempt_limits WHERE key = 'phone:' || (SELECT phone FROM users WHERE id = ?)",
    )
    .bind(&id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE issues SET version = ? WHERE id IN (
             SELECT issue_id FROM photos WHERE uploaded_by = ?
             UNION SELECT issue_id FROM scores WHERE user_id = ? AND comment <> '')",
    )
    .bind(version)
    .bind(&id)
    .bind(&id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM photos WHERE uploaded_by = ?")
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    // The booking and the place in line stay the household's (the market's counts keep
    // them); the name on them was the person's own, unless staff booked for the household.
    sqlx::query(
        "UPDATE bookings SET for_name = '', version = ? WHERE booked_by = ? AND on_behalf = 0",
    )
    .bind(version)
    .bind(&id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE waitlist SET for_name = '', version = ? WHERE user_id = ?")
        .bind(version)
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE scores SET comment = '' WHERE user_id = ?")
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT OR REPLACE INTO tombstones (entity, id, community_id, version)
         SELECT DISTINCT ?, m.community_id || ':' || m.user_id, m.community_id, ?
         FROM memberships m WHERE m.user_id = ? AND m.community_id IS NOT NULL",
    )
    .bind(domain::wire::entity::PERSON)
    .bind(version)
    .bind(user_id.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM users WHERE id = ?")
        .bind(user_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Everything stored about a person, for "download my data".
pub async fn export(conn: &mut Conn, user_id: Uuid) -> Result<serde_json::Value, sqlx::Error> {
    let id = user_id.to_string();
    let mut sections = serde_json::Map::new();
    let queries: [(&str, &str); 16] = [
        ("account", "SELECT id, phone, display_name, created_at, deactivated_at FROM users WHERE id = ?"),
        ("memberships", "SELECT m.role, c.name AS community, h.point, h.building, h.unit, h.room
                         FROM memberships m LEFT JOIN communities c ON c.id = m.community_id
                         LEFT JOIN households h ON h.id = m.household_id WHERE m.user_id = ?"),
        ("consents", "SELECT version, agreed_at FROM consents WHERE user_id = ?"),
        ("issues_raised", "SELECT id, title, description, category, place, status, created_at FROM issues WHERE raised_by = ?"),
        ("sessions", "SELECT created_at, last_seen_at, expires_at, user_agent, ended_reason FROM sessions WHERE user_id = ?"),
        ("installations", "SELECT client_id, last_seq, created_at, last_seen_at FROM clients WHERE user_id = ?"),
        ("actions", "SELECT r.seq, r.name, r.status, r.code, r.message, r.device_time, r.processed_at
                     FROM mutation_results r JOIN clients c ON c.client_id = r.client_id WHERE c.user_id = ? ORDER BY r.processed_at"),
        ("issues_joined", "SELECT j.issue_id, i.title, j.joined_at FROM issue_joins j JOIN issues i ON i.id = j.issue_id
                           WHERE j.user_id = ? ORDER BY j.joined_at"),
        ("scores", "SELECT s.issue_id, i.title, s.round, s.value, s.comment, s.scored_at
                    FROM scores s JOIN issues i ON i.id = s.issue_id WHERE s.user_id = ? ORDER BY s.scored_at"),
        ("photos_uploaded", "SELECT id, issue_id, stage, content_type, created_at FROM photos
                             WHERE uploaded_by = ? ORDER BY created_at"),
        // Codes themselves are never exported (they may still open an account); nor who
        // used an invitation the person made: that is the other person's data.
        ("invitations_made", "SELECT v.kind, v.role, c.name AS community, v.created_at, v.expires_at, v.used_at
                              FROM invitations v JOIN communities c ON c.id = v.community_id
                              WHERE v.created_by = ? ORDER BY v.created_at"),
        ("invitations_used", "SELECT v.kind, v.role, c.name AS community, v.used_at
                              FROM invitations v JOIN communities c ON c.id = v.community_id
                              WHERE v.used_by = ? ORDER BY v.used_at"),
        ("dialogues_scheduled", "SELECT d.id, c.name AS community, d.held_on, d.place, d.created_at
                                 FROM dialogues d JOIN communities c ON c.id = d.community_id
                                 WHERE d.created_by = ? ORDER BY d.created_at"),
        // The household's bookings and visits, and those the person made for others (staff's
        // 代预约, a guard's walk-ups): `?1` is the person.
        ("bookings", "SELECT b.id, s.name AS service, b.day, b.state, b.note, b.on_behalf, b.created_at
                      FROM bookings b JOIN market_services s ON s.id = b.service_id
                      WHERE b.booked_by = ?1
                         OR b.household_id IN (SELECT household_id FROM memberships WHERE user_id = ?1)
                      ORDER BY b.created_at"),
        ("visits", "SELECT v.id, c.name AS community, v.plate, v.arrives_at, v.leaves_by, v.status, v.relation,
                           v.note, v.walk_up, v.entered_at, v.left_at, v.created_at
                    FROM visits v JOIN communities c ON c.id = v.community_id
                    WHERE v.registered_by = ?1
                       OR v.household_id IN (SELECT household_id FROM memberships WHERE user_id = ?1)
                    ORDER BY v.created_at"),
        ("sign_in_failures", "SELECT failures, first_at, locked_until FROM attempt_limits
                              WHERE key = 'phone:' || (SELECT phone FROM users WHERE id = ?)"),
    ];
    for (name, sql) in queries {
        let rows = sqlx::query(sql).bind(&id).fetch_all(&mut *conn).await?;
        let rows: Vec<serde_json::Value> = rows.iter().map(row_to_json).collect();
        sections.insert(name.to_string(), serde_json::Value::Array(rows));
    }
    // The photos themselves, so the copy is complete.
    let photos =
        sqlx::query("SELECT id, bytes FROM photos WHERE uploaded_by = ? ORDER BY created_at")
            .bind(&id)
            .fetch_all(&mut *conn)
            .await?;
    if let Some(serde_json::Value::Array(listed)) = sections.get_mut("photos_uploaded") {
        use base64::Engine;
        for (entry, row) in listed.iter_mut().zip(&photos) {
            let bytes: Vec<u8> = row.try_get("bytes")?;
            entry["data_base64"] = base64::engine::general_purpose::STANDARD
                .encode(bytes)
                .into();
        }
    }
    Ok(serde_json::Value::Object(sections))
}

fn row_to_json(row: &sqlx::sqlite::SqliteRow) -> serde_json::Value {
    use sqlx::{Column, ValueRef};
    let mut object = serde_json::Map::new();
    for (index, column) in row.columns().iter().enumerate() {
        let is_null = row.try_get_raw(index).map(|v| v.is_null()).unwrap_or(true);
        let value = if is_null {
            serde_json::Value::Null
        } else if let Ok(number) = row.try_get::<i64, _>(index) {
            serde_json::Value::from(number)
        } else {
            serde_json::Value::from(row.try_get::<String, _>(index).unwrap_or_default())
        };
        object.insert(column.name().to_string(), value);
    }
    serde_json::Value::Object(object)
}

pub async fn insert_township(conn: &mut Conn, id: &str, name: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("INSERT OR IGNORE INTO townships (id, name) VALUES (?, ?)")
        .bind(id)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_community(
    conn: &mut Conn,
    id: &str,
    township_id: &str,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT OR IGNORE INTO communities (id, township_id, name) VALUES (?, ?, ?)")
        .bind(id)
        .bind(township_id)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn communities(conn: &mut Conn) -> Result<Vec<CommunityView>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name, township_id FROM communities ORDER BY rowid")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(CommunityView {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                township_id: row.try_get("township_id")?,
            })
        })
        .collect()
}

/// The communities of the given townships (what township staff oversee).
pub async fn communities_of_townships(
    conn: &mut Conn,
    township_ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let mut ids = Vec::new();
    for township_id in township_ids {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT id FROM communities WHERE township_id = ?")
                .bind(township_id)
                .fetch_all(&mut *conn)
                .await?;
        ids.extend(rows);
    }
    Ok(ids)
}

/// Where a person holds a role: one row per membership (`community_id` NULL for the
/// township-wide roles), whatever the role, so the policy sees every place they belong to.
pub async fn scopes_of(conn: &mut Conn, user_id: Uuid) -> Result<Vec<PersonScope>, sqlx::Error> {
    let rows = sqlx::query("SELECT township_id, community_id FROM memberships WHERE user_id = ?")
        .bind(user_id.to_string())
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(PersonScope {
                township_id: row.try_get("township_id")?,
                community_id: row.try_get("community_id")?,
            })
        })
        .collect()
}

/// One membership's place: a community, or a whole township (`community_id` None).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonScope {
    pub township_id: String,
    pub community_id: Option<String>,
}
