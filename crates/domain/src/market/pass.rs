//! The pass: a confirmed booking, signed by the server with Ed25519, that a volunteer's phone
//! checks with no network.
//!
//! A token is `base64url(payload ‖ signature)`, compact enough for a small QR code and a URL
//! (`<origin>/p#<token>`: any phone camera opens the pass page; the fragment never reaches a
//! server log). The payload, big-endian:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | format version (1) |
//! | 2 | key id |
//! | 16 | booking id |
//! | 16 | service id |
//! | 4 | the day (chrono's `num_days_from_ce`: 0001-01-01 is 1) |
//! | 2 + 2 | the slot's start and end, minutes after midnight (Beijing time) |
//! | 4 | expiry, Unix seconds (the end of the slot's day) |
//! | 1 + n | the masked name (孙*), UTF-8, at most 30 bytes |
//!
//! The signature covers `CONTEXT ‖ payload`, so no other signed message of ours can pass for
//! a pass. Checking: the format, a known key id, the signature (`verify_strict`), expiry, not
//! revoked; then `check_for` the volunteer's services and today.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use uuid::Uuid;

/// Signed before the payload: the signature means "a 一碗汤 pass, format 1".
const CONTEXT: &[u8] = b"yiwantang pass v1\0";
const VERSION: u8 = 1;
/// Payload bytes before the name.
const FIXED: usize = 1 + 2 + 16 + 16 + 4 + 2 + 2 + 4;
/// The longest masked name a pass carries, in bytes.
pub const NAME_MAX_BYTES: usize = 30;

/// What a pass says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassClaims {
    pub key_id: u16,
    pub booking_id: Uuid,
    pub service_id: Uuid,
    pub day: NaiveDate,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
    pub expires_at: DateTime<Utc>,
    /// Masked (孙*): the pass is shown to a volunteer, not to the world.
    pub masked_name: String,
}

impl PassClaims {
    /// The pass of a booking of the slot `starts_at`–`ends_at` for `name` (masked here): its
    /// day and times in Beijing time, valid until that day ends.
    pub fn for_slot(
        key_id: u16,
        booking_id: Uuid,
        service_id: Uuid,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        name: &str,
    ) -> PassClaims {
        let starts = crate::time::beijing(starts_at);
        let day = starts.date();
        let next_day = day.succ_opt().unwrap_or(day).and_time(NaiveTime::MIN);
        PassClaims {
            key_id,
            booking_id,
            service_id,
            day,
            starts: starts.time(),
            ends: crate::time::beijing(ends_at).time(),
            expires_at: crate::time::from_beijing(next_day),
            masked_name: crate::person::mask_name(name),
        }
    }
}

/// A public key the volunteers' and guards' phones pull, by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassKey {
    pub key_id: u16,
    pub public: [u8; 32],
}

impl PassKey {
    /// A pulled key: its id and the 32-byte public half in URL-safe base64 (no padding).
    pub fn parse(key_id: u16, public: &str) -> Option<PassKey> {
        let public = URL_SAFE_NO_PAD.decode(public).ok()?.try_into().ok()?;
        Some(PassKey { key_id, public })
    }
}

/// Why a pass was refused. Each has its own words for the volunteer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PassError {
    /// Not a pass of ours (a QR code of something else, a mistyped code, cut short).
    Malformed,
    /// Signed with a key this phone does not hold: pull, or it is not from this server.
    UnknownKey { key_id: u16 },
    /// Signed with a key the server retired (it leaked): the household's phone gets a pass
    /// signed with the new key at its next pull.
    RetiredKey { key_id: u16 },
    /// The signature does not match: forged or altered.
    Forged,
    /// Past its expiry.
    Expired,
    /// The booking was cancelled.
    Revoked,
    /// For a service this volunteer does not give.
    OtherService,
    /// For another day.
    OtherDay { day: NaiveDate },
}

impl PassError {
    pub fn code(&self) -> &'static str {
        match self {
            PassError::Malformed => "malformed",
            PassError::UnknownKey { .. } => "unknown_key",
            PassError::RetiredKey { .. } => "retired_key",
            PassError::Forged => "forged",
            PassError::Expired => "expired",
            PassError::Revoked => "revoked",
            PassError::OtherService => "other_service",
            PassError::OtherDay { .. } => "other_day",
        }
    }
}

fn minutes(time: NaiveTime) -> u16 {
    (time.hour() * 60 + time.minute()) as u16
}

fn time_of(minutes: u16) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(u32::from(minutes / 60), u32::from(minutes % 60), 0)
}

fn payload(claims: &PassClaims) -> Vec<u8> {
    let name = truncate_utf8(&claims.masked_name, NAME_MAX_BYTES);
    let mut bytes = Vec::with_capacity(FIXED + 1 + name.len());
    bytes.push(VERSION);
    bytes.extend_from_slice(&claims.key_id.to_be_bytes());
    bytes.extend_from_slice(claims.booking_id.as_bytes());
    bytes.extend_from_slice(claims.service_id.as_bytes());
    bytes.extend_from_slice(&(claims.day.num_days_from_ce() as u32).to_be_bytes());
    bytes.extend_from_slice(&minutes(claims.starts).to_be_bytes());
    bytes.extend_from_slice(&minutes(claims.ends).to_be_bytes());
    let expires = claims.expires_at.timestamp().clamp(0, i64::from(u32::MAX)) as u32;
    bytes.extend_from_slice(&expires.to_be_bytes());
    bytes.push(name.len() as u8);
    bytes.extend_from_slice(name.as_bytes());
    bytes
}

fn truncate_utf8(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn signed_message(payload: &[u8]) -> Vec<u8> {
    [CONTEXT, payload].concat()
}

/// Signs a pass (the server, with its current key).
pub fn sign(claims: &PassClaims, key: &SigningKey) -> String {
    let payload = payload(claims);
    let signature = key.sign(&signed_message(&payload));
    let mut token = payload;
    token.extend_from_slice(&signature.to_bytes());
    URL_SAFE_NO_PAD.encode(token)
}

/// Reads a pass's claims without checking the signature: only for showing one's own pass.
pub fn read(token: &str) -> Result<PassClaims, PassError> {
    split(token).map(|(claims, _, _)| claims)
}

fn split(token: &str) -> Result<(PassClaims, Vec<u8>, [u8; 64]), PassError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| PassError::Malformed)?;
    if bytes.len() < FIXED + 1 + 64 || bytes[0] != VERSION {
        return Err(PassError::Malformed);
    }
    let (payload, signature) = bytes.split_at(bytes.len() - 64);
    let name_len = usize::from(payload[FIXED]);
    if payload.len() != FIXED + 1 + name_len || name_len > NAME_MAX_BYTES {
        return Err(PassError::Malformed);
    }
    let u16_at = |at: usize| u16::from_be_bytes([payload[at], payload[at + 1]]);
    let u32_at = |at: usize| u32::from_be_bytes(payload[at..at + 4].try_into().expect("4"));
    let uuid_at = |at: usize| Uuid::from_slice(&payload[at..at + 16]).expect("16 bytes");
    let day = i32::try_from(u32_at(35))
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or(PassError::Malformed)?;
    let claims = PassClaims {
        key_id: u16_at(1),
        booking_id: uuid_at(3),
        service_id: uuid_at(19),
        day,
        starts: time_of(u16_at(39)).ok_or(PassError::Malformed)?,
        ends: time_of(u16_at(41)).ok_or(PassError::Malformed)?,
        expires_at: DateTime::from_timestamp(i64::from(u32_at(43)), 0)
            .ok_or(PassError::Malformed)?,
        masked_name: std::str::from_utf8(&payload[FIXED + 1..])
            .map_err(|_| PassError::Malformed)?
            .to_string(),
    };
    let signature: [u8; 64] = signature.try_into().expect("64 bytes");
    Ok((claims, payload.to_vec(), signature))
}

/// Checks a pass offline: format, key, signature, expiry and revocation.
pub fn verify(
    token: &str,
    keys: &[PassKey],
    revoked: impl Fn(Uuid) -> bool,
    now: DateTime<Utc>,
) -> Result<PassClaims, PassError> {
    let (claims, payload, signature) = split(token)?;
    let key = keys
        .iter()
        .find(|k| k.key_id == claims.key_id)
        .ok_or(PassError::UnknownKey {
            key_id: claims.key_id,
        })?;
    let public = VerifyingKey::from_bytes(&key.public).map_err(|_| PassError::Forged)?;
    public
        .verify_strict(
            &signed_message(&payload),
            &Signature::from_bytes(&signature),
        )
        .map_err(|_| PassError::Forged)?;
    if now >= claims.expires_at {
        return Err(PassError::Expired);
    }
    if revoked(claims.booking_id) {
        return Err(PassError::Revoked);
    }
    Ok(claims)
}

/// Whether a verified pass is for one of `services` (the volunteer's) and for `today`.
pub fn check_for(
    claims: &PassClaims,
    services: &[Uuid],
    today: NaiveDate,
) -> Result<(), PassError> {
    if !services.contains(&claims.service_id) {
        return Err(PassError::OtherService);
    }
    if claims.day != today {
        return Err(PassError::OtherDay { day: claims.day });
    }
    Ok(())
}

/// The pass's address: any camera opens the pass page; the token stays in the fragment.
pub fn url(origin: &str, token: &str) -> String {
    format!("{}/p#{token}", origin.trim_end_matches('/'))
}

/// The token in what a scanner read: our pass URL or a bare token.
pub fn token_in(scanned: &str) -> &str {
    let scanned = scanned.trim();
    match scanned.find("/p#") {
        Some(at) => &scanned[at + 3..],
        None => scanned,
    }
}

/// Crockford's base32: no I, L, O or U, so a code read aloud is not misheard.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The short code printed under the QR, to read aloud or type: 40 bits of the booking id in
/// Crockford's base32, `ABCD-EFGH`.
pub fn short_code(booking_id: Uuid) -> String {
    let bits = booking_id.as_u128() >> 88;
    let mut code = String::with_capacity(9);
    for n in 0..8 {
        if n == 4 {
            code.push('-');
        }
        let index = (bits >> (35 - 5 * n)) & 31;
        code.push(CROCKFORD[index as usize] as char);
    }
    code
}

/// A typed short code, normalised (case, dashes and spaces, and the letters people confuse
/// with digits: O → 0, I and L → 1), or `None` when it cannot be one.
pub fn normalise_short_code(typed: &str) -> Option<String> {
    let chars: Vec<char> = typed
        .chars()
        // Full-width letters and digits, as Chinese input methods type them, read as ASCII.
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if chars.len() != 8
        || !chars
            .iter()
            .all(|c| c.is_ascii() && CROCKFORD.contains(&(*c as u8)))
    {
        return None;
    }
    let (head, tail) = chars.split_at(4);
    Some(format!(
        "{}-{}",
        head.iter().collect::<String>(),
        tail.iter().collect::<String>()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn public(key_id: u16, signing: &SigningKey) -> PassKey {
        PassKey {
            key_id,
            public: signing.verifying_key().to_bytes(),
        }
    }

    fn claims() -> PassClaims {
        PassClaims {
            key_id: 1,
            booking_id: Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
            service_id: Uuid::from_u128(7),
            day: NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
            starts: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            ends: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
            // The end of the day in Beijing: 16:00 UTC.
            expires_at: Utc.with_ymd_and_hms(2026, 12, 9, 16, 0, 0).unwrap(),
            masked_name: "孙*".to_string(),
        }
    }

    fn morning() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 9, 1, 0, 0).unwrap()
    }

    #[test]
    fn a_slot_pass_is_dated_in_beijing_time_and_lasts_until_that_day_ends() {
        // 09:00–09:30 in Beijing is 01:00–01:30 UTC.
        let made = PassClaims::for_slot(
            1,
            claims().booking_id,
            Uuid::from_u128(7),
            morning(),
            morning() + chrono::Duration::minutes(30),
            "孙德",
        );
        assert_eq!(made, claims());
        // 07:30 in Beijing on the 10th is 23:30 UTC on the 9th: the pass is the 10th's.
        let early = Utc.with_ymd_and_hms(2026, 12, 9, 23, 30, 0).unwrap();
        let made = PassClaims::for_slot(1, Uuid::nil(), Uuid::nil(), early, early, "李明");
        assert_eq!(made.day, NaiveDate::from_ymd_opt(2026, 12, 10).unwrap());
        assert_eq!(
            made.expires_at,
            Utc.with_ymd_and_hms(2026, 12, 10, 16, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_signed_pass_verifies_and_says_what_was_signed() {
        let token = sign(&claims(), &key(1));
        assert!(token.len() < 180, "{} characters", token.len());
        let read = verify(&token, &[public(1, &key(1))], |_| false, morning()).unwrap();
        assert_eq!(read, claims());
        assert_eq!(
            check_for(&read, &[Uuid::from_u128(7)], claims().day),
            Ok(())
        );
    }

    #[test]
    fn a_pulled_key_is_read_from_base64_and_bad_ones_are_not() {
        let pulled = URL_SAFE_NO_PAD.encode(key(1).verifying_key().to_bytes());
        assert_eq!(PassKey::parse(1, &pulled), Some(public(1, &key(1))));
        let token = sign(&claims(), &key(1));
        let keys = [PassKey::parse(1, &pulled).unwrap()];
        assert!(verify(&token, &keys, |_| false, morning()).is_ok());
        assert_eq!(PassKey::parse(1, &pulled[..20]), None);
        assert_eq!(PassKey::parse(1, "not base64!"), None);
    }

    #[test]
    fn a_forged_signature_is_refused() {
        // Signed by someone else's key, under our key id.
        let token = sign(&claims(), &key(2));
        assert_eq!(
            verify(&token, &[public(1, &key(1))], |_| false, morning()),
            Err(PassError::Forged)
        );
    }

    #[test]
    fn every_altered_byte_is_refused() {
        let token = sign(&claims(), &key(1));
        let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        for at in 0..bytes.len() {
            let mut altered = bytes.clone();
            altered[at] ^= 0x01;
            let result = verify(
                &URL_SAFE_NO_PAD.encode(&altered),
                &[public(1, &key(1))],
                |_| false,
                morning(),
            );
            assert!(result.is_err(), "byte {at} altered, still accepted");
        }
    }

    #[test]
    fn an_altered_field_with_the_old_signature_is_forged() {
        let mut later = claims();
        later.day = later.day.succ_opt().unwrap();
        later.expires_at += chrono::Duration::days(1);
        let genuine = URL_SAFE_NO_PAD.decode(sign(&claims(), &key(1))).unwrap();
        let mut spliced = payload(&later);
        spliced.extend_from_slice(&genuine[genuine.len() - 64..]);
        assert_eq!(
            verify(
                &URL_SAFE_NO_PAD.encode(spliced),
                &[public(1, &key(1))],
                |_| false,
                morning()
            ),
            Err(PassError::Forged)
        );
    }

    #[test]
    fn expired_revoked_and_unknown_keys_are_refused() {
        let token = sign(&claims(), &key(1));
        let keys = [public(1, &key(1))];
        assert_eq!(
            verify(&token, &keys, |_| false, claims().expires_at),
            Err(PassError::Expired)
        );
        assert_eq!(
            verify(&token, &keys, |id| id == claims().booking_id, morning()),
            Err(PassError::Revoked)
        );
        assert_eq!(
            verify(&token, &[public(2, &key(1))], |_| false, morning()),
            Err(PassError::UnknownKey { key_id: 1 })
        );
        // A rotated key: the old passes still verify while their key id is pulled.
        let keys = [public(2, &key(3)), public(1, &key(1))];
        assert!(verify(&token, &keys, |_| false, morning()).is_ok());
    }

    #[test]
    fn another_service_or_another_day_is_refused() {
        let c = claims();
        assert_eq!(
            check_for(&c, &[Uuid::from_u128(8)], c.day),
            Err(PassError::OtherService)
        );
        let tomorrow = c.day.succ_opt().unwrap();
        assert_eq!(
            check_for(&c, &[c.service_id], tomorrow),
            Err(PassError::OtherDay { day: c.day })
        );
    }

    #[test]
    fn what_is_not_a_pass_is_malformed() {
        let keys = [public(1, &key(1))];
        for text in ["", "hello", "!!!!", "https://example.com/p#", "AAAA"] {
            assert_eq!(
                verify(token_in(text), &keys, |_| false, morning()),
                Err(PassError::Malformed),
                "{text:?}"
            );
        }
        let token = sign(&claims(), &key(1));
        let cut = &token[..token.len() - 10];
        assert_eq!(read(cut).unwrap_err(), PassError::Malformed);
    }

    #[test]
    fn the_url_carries_the_token_in_its_fragment_and_scans_back() {
        let token = sign(&claims(), &key(1));
        let url = url("https://ywt.example.cn/", &token);
        assert!(url.starts_with("https://ywt.example.cn/p#"));
        assert_eq!(token_in(&url), token);
        assert_eq!(token_in(&token), token);
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        let mut c = claims();
        c.masked_name = "欧".repeat(20);
        let read = read(&sign(&c, &key(1))).unwrap();
        assert_eq!(read.masked_name, "欧".repeat(10));
    }

    #[test]
    fn short_codes_read_back_with_the_usual_slips() {
        let code = short_code(claims().booking_id);
        assert_eq!(code.len(), 9);
        assert_eq!(code.as_bytes()[4], b'-');
        assert_eq!(normalise_short_code(&code).as_deref(), Some(code.as_str()));
        let typed = code.to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(normalise_short_code(&typed).as_deref(), Some(code.as_str()));
        assert_eq!(normalise_short_code("ABC"), None);
        // Not ASCII is not a code (a cast to a byte would have read 丰 as '0').
        assert_eq!(normalise_short_code("丰丰丰丰丰丰丰丰"), None);
        // Full-width, as a Chinese input method types it.
        let wide: String = code
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        assert_eq!(normalise_short_code(&wide).as_deref(), Some(code.as_str()));
        assert_eq!(normalise_short_code("ABCD-EFGU"), None);
        // Different bookings, different codes.
        assert_ne!(
            short_code(Uuid::from_u128(1 << 100)),
            short_code(Uuid::nil())
        );
    }
}
