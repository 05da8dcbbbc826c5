//! Starting a real township without the demo: `new-township` creates it and prints a
//! one-time setup code; whoever redeems the code (`POST /api/setup`) becomes its first
//! township staff, with a password of their own choosing. From there township staff open
//! communities (`add_community`) and invite each community's first staff (`invite`).

use anyhow::Context;
use chrono::{Duration, Utc};
use domain::account::{Code, CODE_LEN};
use rand::RngCore;

use crate::config::Config;
use crate::store::{self, Db};

/// How long a setup code works.
pub const SETUP_CODE_HOURS: i64 = 72;

fn valid_id(id: &str) -> bool {
    (2..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `new-township --id ID --name NAME`: creates the township (or, while nobody has set it up
/// yet, replaces its setup code) and returns the new one-time setup code.
pub async fn create(config: &Config, id: &str, name: &str) -> anyhow::Result<Code> {
    anyhow::ensure!(
        valid_id(id),
        "--id must be 2–32 lowercase letters, digits or '-' (it appears in data, never to people)"
    );
    let name = name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 20,
        "--name must be 1–20 characters"
    );
    let db = Db::connect(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", config.database_url))?;
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    if store::townships::exists(&mut tx, id).await? {
        anyhow::ensure!(
            store::townships::is_real(&mut tx, id).await?,
            "this database holds the demo township '{id}'; start a real township in a new database (YWT_DATABASE_URL)"
        );
        anyhow::ensure!(
            store::townships::staff_count(&mut tx, id).await? == 0,
            "township '{id}' is set up already: its township staff invite everyone else from the work app"
        );
    } else {
        store::townships::insert_real(&mut tx, id, name, now).await?;
    }
    let mut bytes = [0u8; CODE_LEN];
    rand::thread_rng().fill_bytes(&mut bytes);
    let code = Code::from_random(&bytes);
    store::townships::replace_setup_code(
        &mut tx,
        id,
        &store::invitations::code_hash(code.as_str()),
        now,
        now + Duration::hours(SETUP_CODE_HOURS),
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}
