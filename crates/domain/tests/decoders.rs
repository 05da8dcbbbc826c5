//! Property tests of every decoder that takes outside input (the domain's one integration
//! test binary): mutation envelopes and their arguments, codes, phones, instants, days and
//! market passes.
//! Whatever arrives, the answer is a value or a field error — never a panic — and the same
//! answer every time (the phone and the server run this same code, so they agree).

use chrono::{DateTime, TimeZone, Utc};
use domain::account::Code;
use domain::mutation::KNOWN;
use domain::person::Phone;
use domain::time::{parse_day, parse_instant};
use domain::Mutation;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Every field name any mutation's arguments use, so generated objects reach validation.
const FIELDS: &[&str] = &[
    "answer",
    "attendees",
    "building",
    "category",
    "code",
    "comment",
    "community_id",
    "content_type",
    "data",
    "deadline",
    "description",
    "dialogue_id",
    "held_on",
    "household_id",
    "id",
    "issue_id",
    "note",
    "notes",
    "on_behalf_of",
    "pass_average",
    "person_id",
    "place",
    "point",
    "role",
    "room",
    "round",
    "stage",
    "step",
    "title",
    "unit",
    "value",
    "window_days",
];

/// Strings that are likely to matter: empty, blank, long, emoji, control characters, ids,
/// dates, numbers in text, and anything at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("   ".to_string()),
        Just("楼".repeat(2_000)),
        Just("\u{0}\r\n\t=HYPERLINK(\"x\")".to_string()),
        Just("👨‍👩‍👧".to_string()),
        Just("2026-12-01".to_string()),
        Just("2026-12-01T08:00:00Z".to_string()),
        Just("repairs".to_string()),
        Just("shanwan".to_string()),
        any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string()),
        "\\PC{0,60}",
        any::<String>(),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-10.0f64..10.0).prop_map(Value::from),
        Just(json!(f64::MAX)),
        text().prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((text(), inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An object with some of the known field names, each with any value.
fn args() -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(FIELDS), value()), 0..12).prop_map(|pairs| {
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Map<_, _>>(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn every_mutation_decodes_anything_to_a_mutation_or_a_rejection(
        which in 0..KNOWN.len(),
        version in prop_oneof![Just(None), any::<u32>().prop_map(Some)],
        args in prop_oneof![args(), value()],
    ) {
        let (name, current, _) = KNOWN[which];
        let version = version.unwrap_or(current);
        let first = Mutation::parse(name, version, &args);
        let again = Mutation::parse(name, version, &args);
        prop_assert_eq!(format!("{first:?}"), format!("{again:?}"));
    }

    #[test]
    fn an_unknown_mutation_name_asks_for_an_update(name in "\\PC{0,30}", args in value()) {
        prop_assume!(!KNOWN.iter().any(|(known, _, _)| *known == name));
        let rejection = Mutation::parse(&name, 1, &args).unwrap_err();
        prop_assert_eq!(rejection.code, domain::RejectCode::UpdateRequired);
    }

    #[test]
    fn codes_read_as_typed_and_read_back_the_same(text in "\\PC{0,30}", bytes in any::<[u8; 10]>()) {
        if let Ok(code) = Code::parse(&text) {
            prop_assert_eq!(Code::parse(&code.display()), Ok(code.clone()));
            prop_assert_eq!(Code::parse(&code.as_str().to_lowercase()), Ok(code));
        }
        let made = Code::from_random(&bytes);
        prop_assert_eq!(Code::parse(&made.display()), Ok(made));
    }

    #[test]
    fn phones_are_eleven_digits_from_one_whatever_is_typed(text in "[0-9 \\-+a-z一]{0,20}") {
        if let Ok(phone) = Phone::parse(&text) {
            prop_assert_eq!(phone.as_str().len(), 11);
            prop_assert!(phone.as_str().starts_with('1'));
            prop_assert_eq!(Phone::parse(phone.as_str()), Ok(phone.clone()));
        }
    }

    #[test]
    fn instants_and_days_never_panic_on_any_text(text in "\\PC{0,40}") {
        let _ = parse_instant(&text);
        let _ = parse_day(&text);
    }

    #[test]
    fn an_instant_written_by_chrono_reads_back_exactly(
        seconds in -2_000_000_000i64..8_000_000_000,
        nanos in 0u32..1_000_000_000,
        offset_minutes in -840i32..840,
    ) {
        let instant: DateTime<Utc> = Utc.timestamp_opt(seconds, nanos).unwrap();
        let zone = chrono::FixedOffset::east_opt(offset_minutes * 60).unwrap();
        let written = instant.with_timezone(&zone).to_rfc3339();
        prop_assert_eq!(parse_instant(&written), Some(instant), "{}", written);
        let zulu = instant.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        prop_assert_eq!(parse_instant(&zulu), Some(instant), "{}", zulu);
        let day = instant.date_naive();
        prop_assert_eq!(parse_day(&day.format("%Y-%m-%d").to_string()), Some(day));
    }

    #[test]
    fn a_pass_token_is_a_pass_or_a_refusal_and_any_claims_round_trip(
        text in "[A-Za-z0-9_#/:.-]{0,240}",
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        booking in any::<u128>(),
        service in any::<u128>(),
        day in 0i32..3_000_000,
        starts in 0u32..1440,
        ends in 0u32..1440,
        expires in 0u32..u32::MAX,
        name in "\\PC{0,12}",
        key_id in any::<u16>(),
    ) {
        use base64::Engine;
        use domain::market::pass::{read, sign, verify, token_in, PassClaims, PassKey};
        let signing = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let keys = [PassKey { key_id, public: signing.verifying_key().to_bytes() }];
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        // Whatever a camera reads: a refusal, never a panic, and the same one twice.
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        for scanned in [text.as_str(), encoded.as_str()] {
            let first = verify(token_in(scanned), &keys, |_| false, now);
            prop_assert_eq!(&first, &verify(token_in(scanned), &keys, |_| false, now));
            let _ = read(scanned);
        }
        // Whatever the server signs reads back as signed (the name cut to 30 bytes).
        let at = |m: u32| chrono::NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap();
        let claims = PassClaims {
            key_id,
            booking_id: uuid::Uuid::from_u128(booking),
            service_id: uuid::Uuid::from_u128(service),
            day: chrono::NaiveDate::from_num_days_from_ce_opt(day).unwrap(),
            starts: at(starts),
            ends: at(ends),
            expires_at: Utc.timestamp_opt(i64::from(expires), 0).unwrap(),
            masked_name: name,
        };
        let back = read(&sign(&claims, &signing)).unwrap();
        prop_assert!(claims.masked_name.starts_with(&back.masked_name));
        prop_assert_eq!(PassClaims { masked_name: claims.masked_name.clone(), ..back }, claims);
    }
}
