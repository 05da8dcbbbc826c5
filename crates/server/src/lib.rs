//! The 一碗汤 server: sign-in, the sync endpoints (push and pull), the OpenAPI document and
//! the built app, all from one origin.
//!
//! `app(state)` builds the router apart from `main`, so tests drive the real thing on a
//! port of their own with a database of their own.
//!
//! A push goes `http` → `push::Writer` (one writer, group commit, exactly once per mutation) →
//! `mutators::apply`, which loads the rows the mutation names (`Facts`), asks
//! `policy::authorize` who may, then acts on those same rows through `store`. A pull goes
//! `http` → `sync::pull`, which reads what `policy` says the person may see and has `views`
//! shape it. Only `store` speaks SQL.

mod auth;
mod config;
mod demo;
mod demo_history;
mod demo_market;
mod demo_parking;
mod error;
mod http;
mod market_days;
mod mutators;
mod openapi;
mod parking;
pub mod passes;
mod policy;
mod push;
pub mod store;
mod sync;
mod township;
mod views;
mod writer_thread;

pub use market_days::open_coming_days;
pub use parking::tend as tend_parking;
pub use sync::{settle_due_rounds, settle_lapsed_offers, turn_door_to_door_days};

use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

pub use auth::{hash_password, token_hash, SESSION_COOKIE};
pub use config::{Command, Config};
pub use demo::{account_lines as demo_account_lines, DEMO_ACCOUNTS, DEMO_PASSWORD};
pub use http::app;
pub use township::create as create_township;

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    pub db: store::Db,
    pub config: Arc<Config>,
    /// The one writer of pushes (group commit).
    pub writer: push::Writer,
    /// Permits to run argon2: at most `hashing_permits` hashes at once.
    pub hashing: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// Opens the database, runs the migrations and loads the demo township when asked.
    pub async fn new(config: Config) -> anyhow::Result<AppState> {
        let db = store::Db::connect(&config.database_url)
            .await
            .with_context(|| format!("opening the database {}", config.database_url))?;
        // The hash verified for unknown phones, made once off the async workers.
        tokio::task::spawn_blocking(|| {
            auth::dummy_hash();
        })
        .await
        .context("hashing the stand-in password")?;
        if config.demo {
            let mut conn = db.pool().acquire().await?;
            anyhow::ensure!(
                !store::townships::holds_real_township(&mut conn).await?,
                "--demo refuses to start: this database holds a real township. \
                 Serve it without --demo, or give the demo its own database (YWT_DATABASE_URL)."
            );
            drop(conn);
            demo::load(&db).await.context("loading the demo township")?;
        }
        passes::ensure_key(&db)
            .await
            .context("making the key that signs market passes")?;
        Ok(AppState {
            writer: push::Writer::start(
                db.clone(),
                policy::Quotas {
                    issues_per_day: config.issues_per_day,
                    photos_per_day: config.photos_per_day,
                },
                std::time::Duration::from_micros(config.writer_spin_us),
            ),
            hashing: Arc::new(tokio::sync::Semaphore::new(config.hashing_permits.max(1))),
            db,
            config: Arc::new(config),
        })
    }
}

/// `backup FILE`: a consistent copy of the database, taken while serving.
pub async fn backup(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        !file.exists(),
        "{} already exists; choose a new file name",
        file.display()
    );
    let db = store::Db::connect(&config.database_url).await?;
    let mut conn = db.pool().acquire().await?;
    store::backup_into(&mut conn, &file.to_string_lossy()).await?;
    println!("backed up {} to {}", config.database_url, file.display());
    Ok(())
}

/// `restore FILE`: the database replaced by a backup (the server stopped meanwhile).
pub async fn restore(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    anyhow::ensure!(file.exists(), "no backup at {}", file.display());
    let (_, kept) = store::Db::restore(&config.database_url, file).await?;
    println!(
        "restored {} from {}; the replaced database is kept at {}",
        config.database_url,
        file.display(),
        kept.display()
    );
    Ok(())
}

/// `new-township --id ID --name NAME`: prints the setup code and what to do with it.
pub async fn new_township(config: &Config, id: &str, name: &str) -> anyhow::Result<()> {
    let code = township::create(config, id, name).await?;
    println!(
        "Township {name} ({id}) is ready in {}.\n\n  Setup code: {}\n\n\
         It works once, for {} hours. Open https://<your address>/work/setup on the phone of the \
         township's first staff member,\nenter the code, their name, phone number and a password \
         of their own. They then open communities and invite\neach community's first staff from \
         the work app (工作端 → 乡镇管理).",
        config.database_url,
        code.display(),
        township::SETUP_CODE_HOURS
    );
    Ok(())
}

/// `rotate-pass-key [--retire-old]`: a new signing key for market passes.
pub async fn rotate_pass_key(config: &Config, retire_old: bool) -> anyhow::Result<()> {
    let db = store::Db::connect(&config.database_url).await?;
    passes::ensure_key(&db).await?;
    let (key_id, retired) = passes::rotate(&db, retire_old).await?;
    println!(
        "New pass-signing key {key_id} in {}: it signs every pass from now on.{}",
        config.database_url,
        if retire_old {
            format!(" {retired} older key(s) retired: the passes they signed no longer verify.")
        } else {
            " Older keys keep verifying the passes they signed.".to_string()
        }
    );
    Ok(())
}

/// Binds the configured address and serves until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let state = AppState::new(config).await?;
    let listener = TcpListener::bind(state.config.addr)
        .await
        .with_context(|| format!("binding {}", state.config.addr))?;
    let local = listener.local_addr()?;
    // Scoring windows end on their own: decide them every minute.
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            if let Err(error) = sync::settle_due_rounds(&db, chrono::Utc::now()).await {
                tracing::warn!(%error, "deciding scoring rounds failed; will try again");
            }
            if let Err(error) = sync::settle_lapsed_offers(&db, chrono::Utc::now()).await {
                tracing::warn!(%error, "moving on lapsed waitlist offers failed; will try again");
            }
            if let Err(error) = sync::turn_door_to_door_days(&db, chrono::Utc::now()).await {
                tracing::warn!(%error, "turning door-to-door days failed; will try again");
            }
            if let Err(error) = market_days::open_coming_days(&db, chrono::Utc::now()).await {
                tracing::warn!(%error, "opening the coming market days failed; will try again");
            }
            if let Err(error) = parking::tend(&db, chrono::Utc::now()).await {
                tracing::warn!(%error, "flagging overstays and deleting old plates failed; will try again");
            }
        }
    });
    tracing::info!("一碗汤 is listening on http://{local}");
    if state.config.demo {
        println!("\n一碗汤 demo township is running at http://{local}\n");
        println!("Demo accounts (password: {DEMO_PASSWORD}):");
        for line in demo::account_lines() {
            println!("  {line}");
        }
        println!();
    }
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
