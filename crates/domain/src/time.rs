//! How instants and days travel: RFC 3339 (`2026-12-01T08:57:21.123Z`) and ISO days
//! (`2026-12-01`), written by chrono as before, read by the small parsers below. chrono's own
//! reader is a general format parser that the phone would otherwise carry (about 4 KB
//! compressed) for one fixed format.
//!
//! Use with `#[serde(with = "crate::time::instant")]` (and `instant_option`, `day`,
//! `day_option`) on fields the phone reads.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (a space for `T` and a lowercase `z` too).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let day = parse_day(&text[..10])?;
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let mut rest = &text[19..];
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        for (n, digit) in fraction[..digits].bytes().enumerate() {
            if n < 9 {
                nanos += u32::from(digit - b'0') * 10u32.pow(8 - n as u32);
            }
        }
        rest = &fraction[digits..];
    }
    let offset_seconds: i64 = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hours: i64 = rest[1..3].parse().ok()?;
            let minutes: i64 = rest[4..6].parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let local = day.and_time(time);
    Some(Utc.from_utc_datetime(&(local - chrono::Duration::seconds(offset_seconds))))
}

/// Reads `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        text[..4].parse().ok()?,
        text[5..7].parse().ok()?,
        text[8..10].parse().ok()?,
    )
}

fn invalid<E: serde::de::Error>(what: &str, text: &str) -> E {
    E::custom(format_args!("not {what}: {text:?}"))
}

pub mod instant {
    use super::*;

    pub fn serialize<S: Serializer>(
        value: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_instant(&text).ok_or_else(|| invalid("an RFC 3339 time", &text))
    }
}

pub mod instant_option {
    use super::*;

    pub fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) => parse_instant(&text)
                .map(Some)
                .ok_or_else(|| invalid("an RFC 3339 time", &text)),
        }
    }
}

pub mod day {
    use super::*;

    pub fn serialize<S: Serializer>(value: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_day(&text).ok_or_else(|| invalid("a day", &text))
    }
}

pub mod day_option {
    use super::*;

    pub fn serialize<S: Serializer>(
        value: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) => parse_day(&text)
                .map(Some)
                .ok_or_else(|| invalid("a day", &text)),
        }
    }
}

/// Beijing time (UTC+8, no daylight saving): the time every community in the product lives by.
pub fn beijing(time: DateTime<Utc>) -> chrono::NaiveDateTime {
    time.naive_utc() + chrono::Duration::hours(8)
}

/// The instant of a Beijing wall-clock time.
pub fn from_beijing(local: chrono::NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&(local - chrono::Duration::hours(8)))
}

/// "08:30": a time of day (written without chrono's formatter).
pub fn clock(time: NaiveTime) -> String {
    use chrono::Timelike;
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// "08:30": the Beijing time of day of an instant.
pub fn clock_of(time: DateTime<Utc>) -> String {
    clock(beijing(time).time())
}

/// "12-09 09:00": a Beijing day and time, the same in both languages (written without
/// chrono's formatter, which the phone would otherwise carry).
pub fn day_and_clock(time: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let local = beijing(time);
    format!(
        "{:02}-{:02} {:02}:{:02}",
        local.month(),
        local.day(),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_chrono_writes_reads_back_the_same() {
        for text in [
            "2026-12-01T08:57:21Z",
            "2026-12-01T08:57:21.5Z",
            "2026-12-01T08:57:21.123456789Z",
            "2026-12-01T16:57:21.25+08:00",
            "1999-01-01T00:00:00-05:30",
        ] {
            let chrono: DateTime<Utc> = text.parse().unwrap();
            assert_eq!(parse_instant(text), Some(chrono), "{text}");
            let written = serde_json::to_string(&chrono).unwrap();
            assert_eq!(
                parse_instant(written.trim_matches('"')),
                Some(chrono),
                "{written}"
            );
        }
        let now = Utc::now();
        let written = serde_json::to_value(now).unwrap();
        assert_eq!(parse_instant(written.as_str().unwrap()), Some(now));
    }

    #[test]
    fn anything_else_is_refused_not_guessed() {
        for text in [
            "",
            "2026-12-01",
            "2026-12-01T08:57Z",
            "2026-13-01T08:57:21Z",
            "2026-12-01T08:57:21",
            "2026-12-01T08:57:21.Z",
            "2026-12-01T08:57:21+8",
        ] {
            assert_eq!(parse_instant(text), None, "{text}");
        }
        assert_eq!(parse_day("2026-02-29"), None);
        assert_eq!(
            parse_day("2028-02-29"),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        assert_eq!(parse_day("2026-1-1"), None);
    }
}
