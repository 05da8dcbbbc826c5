//! The server's side of market passes (`domain::market::pass`): the signing key, made at
//! first start and replaced by `yiwantang-server rotate-pass-key`. The keys live in the
//! database (`pass_keys`), so a backup holds them too: keep backups as private as the
//! database (docs/SECURITY.md).

use chrono::Utc;
use ed25519_dalek::SigningKey;
use rand::RngCore;

use crate::store::{self, Conn, Db};

fn new_key() -> SigningKey {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    SigningKey::from_bytes(&secret)
}

/// Makes the first signing key if there is none; returns the current key's id.
pub async fn ensure_key(db: &Db) -> Result<u16, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let key_id = ensure_key_in(&mut tx).await?;
    tx.commit().await?;
    Ok(key_id)
}

/// `ensure_key` inside a write transaction already open (the demo's loading, which books).
pub async fn ensure_key_in(conn: &mut Conn) -> Result<u16, sqlx::Error> {
    Ok(match store::pass_keys::current(conn).await? {
        Some((key_id, _)) => key_id,
        None => {
            let version = store::next_version(conn).await?;
            store::pass_keys::insert(conn, &new_key(), Utc::now(), version).await?
        }
    })
}

/// A new signing key; with `retire_old`, the older keys stop verifying at once (a key that
/// leaked), otherwise they keep verifying the passes they signed. When keys retire, every
/// live booking's pass is signed again with the new key, in the same transaction: the
/// households' phones pull the renewed pass, and nobody booked loses their seat's pass.
pub async fn rotate(db: &Db, retire_old: bool) -> Result<(u16, u64), sqlx::Error> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let version = store::next_version(&mut tx).await?;
    let key = new_key();
    let key_id = store::pass_keys::insert(&mut tx, &key, now, version).await?;
    let retired = if retire_old {
        let retired = store::pass_keys::retire_all_but(&mut tx, key_id, now, version).await?;
        for (booking_id, token) in store::bookings::live_passes(&mut tx).await? {
            // Only the server's own passes are stored, so they read; one that does not is
            // left alone rather than stopping the rotation.
            let Ok(mut claims) = domain::market::pass::read(&token) else {
                tracing::warn!(%booking_id, "a stored pass does not read; not re-signed");
                continue;
            };
            if claims.key_id != key_id {
                claims.key_id = key_id;
                let renewed = domain::market::pass::sign(&claims, &key);
                store::bookings::set_pass(&mut tx, booking_id, &renewed, version).await?;
            }
        }
        for (visit_id, token) in store::parking::live_passes(&mut tx).await? {
            let Ok(mut claims) = domain::market::pass::read(&token) else {
                tracing::warn!(%visit_id, "a stored visit pass does not read; not re-signed");
                continue;
            };
            if claims.key_id != key_id {
                claims.key_id = key_id;
                let renewed = domain::market::pass::sign(&claims, &key);
                let change = store::parking::VisitChange {
                    pass: Some(Some(&renewed)),
                    ..Default::default()
                };
                store::parking::change_visit(&mut tx, visit_id, &change, version).await?;
            }
        }
        retired
    } else {
        0
    };
    tx.commit().await?;
    Ok((key_id, retired))
}
