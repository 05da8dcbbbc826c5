//! The key that signs market passes: made at first start, kept across restarts, rotated by
//! command; a rotation keeps old passes verifying unless the old keys are retired (a leak).

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use domain::market::pass::{self, PassClaims, PassError};
use server::store;
use uuid::Uuid;

use crate::helpers::*;

fn claims(key_id: u16) -> PassClaims {
    PassClaims {
        key_id,
        booking_id: Uuid::new_v4(),
        service_id: Uuid::new_v4(),
        day: NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
        starts: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        ends: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
        expires_at: Utc.with_ymd_and_hms(2026, 12, 9, 16, 0, 0).unwrap(),
        masked_name: "孙*".into(),
    }
}

async fn signed_now(app: &TestApp) -> String {
    let mut conn = app.db.pool().acquire().await.unwrap();
    let (key_id, key) = store::pass_keys::current(&mut conn).await.unwrap().unwrap();
    pass::sign(&claims(key_id), &key)
}

async fn public_keys(app: &TestApp) -> Vec<pass::PassKey> {
    let mut conn = app.db.pool().acquire().await.unwrap();
    store::pass_keys::public_keys(&mut conn).await.unwrap()
}

fn morning() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 9, 1, 0, 0).unwrap()
}

#[tokio::test]
async fn the_first_start_makes_one_key_and_a_restart_keeps_it() {
    let app = spawn().await;
    let keys = public_keys(&app).await;
    assert_eq!(keys.len(), 1);
    let token = signed_now(&app).await;
    assert!(pass::verify(&token, &keys, |_| false, morning()).is_ok());
    // A second start on the same database makes no new key.
    let again = server::passes::ensure_key(&app.db).await.unwrap();
    assert_eq!(again, keys[0].key_id);
    assert_eq!(public_keys(&app).await, keys);
}

#[tokio::test]
async fn a_rotation_signs_with_the_new_key_and_old_passes_still_verify() {
    let app = spawn().await;
    let old = signed_now(&app).await;
    let (new_id, retired) = server::passes::rotate(&app.db, false).await.unwrap();
    assert_eq!(retired, 0);
    let new = signed_now(&app).await;
    assert_eq!(pass::read(&new).unwrap().key_id, new_id);
    let keys = public_keys(&app).await;
    assert_eq!(keys.len(), 2);
    for token in [&old, &new] {
        assert!(pass::verify(token, &keys, |_| false, morning()).is_ok());
    }
}

#[tokio::test]
async fn retiring_old_keys_after_a_leak_ends_the_passes_they_signed() {
    let app = spawn().await;
    let old = signed_now(&app).await;
    let old_id = pass::read(&old).unwrap().key_id;
    let (_, retired) = server::passes::rotate(&app.db, true).await.unwrap();
    assert_eq!(retired, 1);
    let keys = public_keys(&app).await;
    assert_eq!(
        pass::verify(&old, &keys, |_| false, morning()),
        Err(PassError::UnknownKey { key_id: old_id })
    );
    let new = signed_now(&app).await;
    assert!(pass::verify(&new, &keys, |_| false, morning()).is_ok());
}

#[tokio::test]
async fn retiring_keys_signs_every_live_booking_again_and_its_household_pulls_the_new_pass() {
    use domain::wire::{entity, BookingView};
    let app = spawn().await;
    let zhao = app.signed_in("13900000004").await;
    let mine = |changes: Vec<domain::wire::Change>| -> BookingView {
        changes
            .into_iter()
            .filter(|c| c.entity == entity::BOOKING && c.data.is_some())
            .map(|c| serde_json::from_value::<BookingView>(c.data.unwrap()).unwrap())
            .find(|b| b.own)
            .expect("her demo haircut")
    };
    let before = mine(pull_all(&zhao).await);
    let old = before.pass.clone().unwrap();
    let (new_id, _) = server::passes::rotate(&app.db, true).await.unwrap();
    let after = mine(pull_all(&zhao).await);
    let renewed = after.pass.clone().unwrap();
    assert_ne!(renewed, old);
    let keys = public_keys(&app).await;
    let on_the_day = before.starts_at;
    // The old pass no longer verifies; the renewed one does, with the same claims.
    assert!(pass::verify(&old, &keys, |_| false, on_the_day).is_err());
    let claims = pass::verify(&renewed, &keys, |_| false, on_the_day).unwrap();
    assert_eq!(claims.key_id, new_id);
    assert_eq!(claims.booking_id, before.id);
    assert_eq!(
        (claims.masked_name, claims.day),
        (
            pass::read(&old).unwrap().masked_name,
            pass::read(&old).unwrap().day
        )
    );
}
