//! The storage layer: the only module that speaks SQL.
//!
//! Architecture Invariant: handlers, the policy and the mutators never build SQL; they call
//! the functions here, which take a pool or a transaction. The SQL is plain enough to move
//! to PostgreSQL (the version counter and `BEGIN IMMEDIATE` are the SQLite-specific parts).

pub mod bookings;
pub mod communities;
pub mod dialogues;
pub mod generate;
pub mod households;
pub mod invitations;
pub mod issues;
pub mod limits;
pub mod market;
pub mod parking;
pub mod pass_keys;
pub mod people;
pub mod photos;
pub mod sessions;
pub mod sync;
pub mod townships;
pub mod waitlist;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

pub type Tx = Transaction<'static, Sqlite>;
pub type Conn = SqliteConnection;

#[derive(Clone)]
pub struct Db {
    pool: SqlitePool,
    options: SqliteConnectOptions,
}

impl Db {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a mutation acknowledged to a phone survives a power cut, not just a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let mut conn = pool.acquire().await?;
        invitations::hash_plain_codes(&mut conn).await?;
        drop(conn);
        Ok(Db { pool, options })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Replaces the database file of `url` with a copy of the backup file `backup`, then
    /// opens it (migrating a backup taken by an older server) and marks it a new copy of the
    /// data. Whatever was at `url` is moved aside to `<file>.before-restore-<time>`, never
    /// deleted. The server must be stopped meanwhile.
    pub async fn restore(url: &str, backup: &std::path::Path) -> anyhow::Result<(Db, PathBuf)> {
        let target = SqliteConnectOptions::from_str(url)?
            .get_filename()
            .to_path_buf();
        let kept = PathBuf::from(format!(
            "{}.before-restore-{}",
            target.display(),
            Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", target.display()));
            if from.exists() {
                std::fs::rename(&from, format!("{}{suffix}", kept.display()))?;
            }
        }
        let source = SqliteConnectOptions::new().filename(backup).read_only(true);
        let mut conn = sqlx::ConnectOptions::connect(&source).await?;
        backup_into(&mut conn, &target.to_string_lossy()).await?;
        sqlx::Connection::close(conn).await?;
        let db = Db::connect(url).await?;
        let mut conn = db.pool.acquire().await?;
        new_epoch(&mut conn).await?;
        drop(conn);
        Ok((db, kept))
    }

    /// A transaction that holds the write lock from its first statement, so two writers
    /// never deadlock upgrading a read lock; SQLite then runs writers one after another.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// `begin_write` on a connection of its own (the push writer's).
    pub async fn begin_write_on(conn: &mut Conn) -> Result<Transaction<'_, Sqlite>, sqlx::Error> {
        sqlx::Connection::begin_with(conn, "BEGIN IMMEDIATE").await
    }

    /// A connection of its own, outside the pool, for the push writer. Its page cache holds
    /// the indexes every push writes (64 MB; the default 2 MB made it read them back from the
    /// file), and its savepoints' journals stay in memory.
    pub async fn writer_connection(&self) -> Result<Conn, sqlx::Error> {
        let options = self
            .options
            .clone()
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        sqlx::ConnectOptions::connect(&options).await
    }

    /// A read transaction: every read inside sees one snapshot.
    pub async fn begin_read(&self) -> Result<Tx, sqlx::Error> {
        self.pool.begin().await
    }
}

/// Times are stored as RFC 3339 text in UTC with milliseconds, which sorts correctly.
pub fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads a UUID stored as text (ids are stored hyphenated, readable in any SQL shell).
pub fn uuid_col(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<uuid::Uuid, sqlx::Error> {
    use sqlx::Row;
    let text: String = row.try_get(column)?;
    uuid::Uuid::parse_str(&text).map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: Box::new(e),
    })
}

pub fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// Increases the server version and returns the new value. Call it inside the write
/// transaction whose changes the version stands for.
pub async fn next_version(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE server_version SET version = version + 1 WHERE id = 1 RETURNING version",
    )
    .fetch_one(conn)
    .await
}

/// Moves the version counter to `version` (the push writer hands versions out itself within
/// its group, under the write lock, and writes the counter back once before committing).
pub async fn set_version(conn: &mut Conn, version: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE server_version SET version = ? WHERE id = 1")
        .bind(version)
        .execute(conn)
        .await?;
    Ok(())
}

/// Which copy of the data this database is (see migration 0009).
pub async fn epoch(conn: &mut Conn) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT epoch FROM server_epoch WHERE id = 1")
        .fetch_one(conn)
        .await
}

/// Marks this database as a new copy of the data (after a restore).
pub async fn new_epoch(conn: &mut Conn) -> Result<String, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE server_epoch SET epoch = lower(hex(randomblob(8))) WHERE id = 1 RETURNING epoch",
    )
    .fetch_one(conn)
    .await
}

/// A consistent copy of the whole database into a new file, taken while serving
/// (`VACUUM INTO` reads one snapshot; writers go on).
pub async fn backup_into(conn: &mut Conn, file: &str) -> Result<(), sqlx::Error> {
    sqlx::query("VACUUM INTO ?")
        .bind(file)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn current_version(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM server_version WHERE id = 1")
        .fetch_one(conn)
        .await
}
