//! A visit to the 孝心车位: the pool's rules, what travels, and whether a visit may be
//! registered, changed, extended or let in — decided by the server inside its write
//! transaction with the pool's live visits (`decide_window`), shown on the phone as 待同步 /
//! 待确认 until then.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::capacity::{self, Search, Span};
use crate::field::{char_count, clean_text, FieldError, FieldErrorKind};

/// The longest note a visit carries ("白色SUV", "下午接老人去医院").
pub const NOTE_MAX: usize = 40;
/// The most hours staff may allow a free stay.
pub const HOURS_MAX: u32 = 12;
/// The most spots a pool may have.
pub const SPOTS_MAX: u32 = 200;
/// How long a registration may come after the arrival it names and still be accepted (a
/// phone that queued "arriving now" offline and synced later).
pub const LATE_MINUTES: i64 = 120;

/// The rules of a community's pool, set by its staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolRules {
    pub spots: u32,
    /// The longest free stay, in hours (1–12).
    pub max_hours: u32,
    /// Opening hours in Beijing time ("06:00"–"22:00"), if the gate has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<String>,
    /// How many days ahead a visit may be registered.
    pub days_ahead: u32,
    /// Visits a household may register per calendar week (Monday to Sunday).
    pub per_week: u32,
    /// Visits a household may have at one time.
    pub at_once: u32,
    /// Days after a visit that its plate is kept (PIPL art. 19), then deleted.
    pub keep_days: u32,
}

impl Default for PoolRules {
    fn default() -> Self {
        PoolRules {
            spots: 12,
            max_hours: 6,
            opens: None,
            closes: None,
            days_ahead: 7,
            per_week: 3,
            at_once: 1,
            keep_days: 30,
        }
    }
}

impl PoolRules {
    /// Every field's problem at once.
    pub fn validate(&self) -> Result<PoolRules, Vec<FieldError>> {
        let mut errors = Vec::new();
        let range = |field: &'static str, value: u32, min: u32, max: u32| {
            (!(min..=max).contains(&value)).then(|| {
                FieldError::new(
                    field,
                    FieldErrorKind::OutOfRange {
                        min: min.to_string(),
                        max: max.to_string(),
                    },
                )
            })
        };
        errors.extend(range("spots", self.spots, 1, SPOTS_MAX));
        errors.extend(range("max_hours", self.max_hours, 1, HOURS_MAX));
        errors.extend(range("days_ahead", self.days_ahead, 0, 60));
        errors.extend(range("per_week", self.per_week, 1, 21));
        errors.extend(range("at_once", self.at_once, 1, 5));
        errors.extend(range("keep_days", self.keep_days, 1, 180));
        let clock = |field: &'static str, text: &Option<String>| match text {
            None => Ok(None),
            Some(text) => crate::market::schedule::parse_clock(field, text).map(Some),
        };
        let opens = clock("opens", &self.opens);
        let closes = clock("closes", &self.closes);
        match (opens, closes) {
            (Ok(Some(opens)), Ok(Some(closes))) if closes <= opens => errors.push(FieldError::new(
                "closes",
                FieldErrorKind::OutOfRange {
                    min: crate::time::clock(opens),
                    max: "24:00".into(),
                },
            )),
            (Ok(Some(_)), Ok(None)) => {
                errors.push(FieldError::new("closes", FieldErrorKind::Required))
            }
            (Ok(None), Ok(Some(_))) => {
                errors.push(FieldError::new("opens", FieldErrorKind::Required))
            }
            (opens, closes) => {
                errors.extend(opens.err());
                errors.extend(closes.err());
            }
        }
        if errors.is_empty() {
            Ok(self.clone())
        } else {
            Err(errors)
        }
    }

    /// The opening hours, if any (checked by `validate`).
    pub fn hours(&self) -> Option<(NaiveTime, NaiveTime)> {
        let parse =
            |t: &Option<String>| crate::market::schedule::parse_clock("opens", t.as_deref()?).ok();
        Some((parse(&self.opens)?, parse(&self.closes)?))
    }
}

/// Where a visit stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitStatus {
    /// On the phone only: asked for, not yet decided by the server (待同步, then 待确认).
    Requested,
    /// A walk-up visitor the guard registered, waiting for the household to approve.
    Awaiting,
    /// Registered: a spot is held for the window (已预约), with a pass.
    Booked,
    /// The car came in (在场).
    Inside,
    /// The car left (已离场).
    Left,
    /// The household (or staff) cancelled it, or the household declined a walk-up.
    Cancelled,
}

impl VisitStatus {
    pub fn code(self) -> &'static str {
        match self {
            VisitStatus::Requested => "requested",
            VisitStatus::Awaiting => "awaiting",
            VisitStatus::Booked => "booked",
            VisitStatus::Inside => "inside",
            VisitStatus::Left => "left",
            VisitStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<VisitStatus> {
        [
            VisitStatus::Requested,
            VisitStatus::Awaiting,
            VisitStatus::Booked,
            VisitStatus::Inside,
            VisitStatus::Left,
            VisitStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            VisitStatus::Requested => lang.pick("待确认", "Awaiting confirmation"),
            VisitStatus::Awaiting => lang.pick("待住户确认", "Awaiting the household"),
            VisitStatus::Booked => lang.pick("已预约", "Booked"),
            VisitStatus::Inside => lang.pick("在场", "Parked"),
            VisitStatus::Left => lang.pick("已离场", "Left"),
            VisitStatus::Cancelled => lang.pick("已取消", "Cancelled"),
        }
    }

    /// Whether the visit holds a spot over its window.
    pub fn holds_spot(self) -> bool {
        matches!(
            self,
            VisitStatus::Awaiting | VisitStatus::Booked | VisitStatus::Inside
        )
    }
}

/// Who the visitor is to the household (optional).
pub const RELATIONS: [(&str, &str, &str); 4] = [
    ("child", "子女", "Son or daughter"),
    ("relative", "亲属", "Relative"),
    ("friend", "亲友", "Friend"),
    ("carer", "护工", "Carer"),
];

/// `register_visit` (version 1): a household registers a visiting car for one of the spots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterVisitArgs {
    /// The visit's id, made by the phone (the pass and its short code come from it).
    pub id: Uuid,
    pub plate: String,
    #[serde(with = "crate::time::instant")]
    pub arrives_at: DateTime<Utc>,
    pub hours: u32,
    /// `child`, `relative`, `friend`, `carer`, or empty.
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub note: String,
    /// Staff registering for a household that phoned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_household: Option<Uuid>,
    /// Staff allowing a visit beyond the household's limits (recorded with the visit).
    #[serde(default)]
    pub over_limit: bool,
}

/// `change_visit` (version 1): before arrival, a new time or stay; while parked, a longer
/// stay (an extension).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeVisitArgs {
    pub visit_id: Uuid,
    #[serde(with = "crate::time::instant")]
    pub arrives_at: DateTime<Utc>,
    pub hours: u32,
}

/// `cancel_visit` (version 1): before arrival, the household (or staff) give the spot back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CancelVisitArgs {
    pub visit_id: Uuid,
}

/// `gate_in` and `gate_out` (version 1): the guard lets the car in or out, at `at` by the
/// guard's phone, which may have checked the pass with no network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateArgs {
    pub visit_id: Uuid,
    #[serde(with = "crate::time::instant")]
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub offline: bool,
}

/// `request_walk_up` (version 1): a visitor at the gate without a pass; the guard registers
/// the plate and the household, which approves on its phone (or staff do).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestWalkUpArgs {
    pub id: Uuid,
    pub plate: String,
    pub household_id: Uuid,
    pub hours: u32,
    #[serde(with = "crate::time::instant")]
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub note: String,
}

/// `approve_walk_up` (version 1): the household (or staff) let a walk-up visitor in, or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApproveWalkUpArgs {
    pub visit_id: Uuid,
    pub approve: bool,
}

/// `set_parking_pool` (version 1): staff set their community's pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetParkingPoolArgs {
    pub community_id: String,
    pub rules: PoolRules,
}

/// A stay of 1 to `HOURS_MAX` hours (the pool's own maximum is the server's to check).
pub fn hours(hours: u32) -> Result<u32, FieldError> {
    if (1..=HOURS_MAX).contains(&hours) {
        Ok(hours)
    } else {
        Err(FieldError::new(
            "hours",
            FieldErrorKind::OutOfRange {
                min: "1".into(),
                max: HOURS_MAX.to_string(),
            },
        ))
    }
}

pub fn note(text: &str) -> Result<String, FieldError> {
    let note = clean_text(text, false);
    let actual = char_count(&note);
    if actual > NOTE_MAX {
        return Err(FieldError::new(
            "note",
            FieldErrorKind::TooLong {
                max: NOTE_MAX,
                actual,
            },
        ));
    }
    Ok(note)
}

pub fn relation(code: &str) -> Result<String, FieldError> {
    let code = code.trim();
    if code.is_empty() || RELATIONS.iter().any(|(c, _, _)| *c == code) {
        Ok(code.to_string())
    } else {
        Err(FieldError::new("relation", FieldErrorKind::Unknown))
    }
}

/// The words of a relation code ("子女"), or nothing.
pub fn relation_words(code: &str, lang: crate::Lang) -> &'static str {
    RELATIONS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| lang.pick(*zh, *en))
        .unwrap_or("")
}

/// The window of a visit arriving at `arrives_at` for `hours`.
pub fn window(arrives_at: DateTime<Utc>, hours: u32) -> Span {
    Span::new(arrives_at, arrives_at + Duration::hours(i64::from(hours)))
}

/// What the household holds and used, for its limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HouseholdUse {
    /// Its visits (not cancelled) arriving in the same calendar week as the new one.
    pub this_week: u32,
    /// Its visits holding a spot at some instant of the new window.
    pub overlapping: u32,
    /// Its visits that overstayed in the last 30 days: from the second, each counts as one
    /// more visit this week.
    pub overstays: u32,
}

/// Why a visit was not registered, changed or let in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParkRefusal {
    /// 车位已满: some instant of the window has every spot held; the nearest free windows.
    Full { windows: Vec<Span> },
    /// The window has already ended.
    Past,
    /// Further ahead than the pool allows.
    TooFarAhead { days: u32 },
    /// Outside the gate's opening hours.
    OutsideHours { opens: String, closes: String },
    /// Longer than the pool's free stay.
    TooLong { max: u32 },
    /// The household's visits this week (overstays counted) reached the limit.
    WeekLimit { max: u32 },
    /// The household already has as many visits at that time as allowed.
    AtOnce { max: u32 },
    /// The visit is not in a state that allows it (cancelled, already left…).
    WrongState { status: VisitStatus },
    /// Changing the arrival of a car that is already inside.
    AlreadyArrived,
}

impl ParkRefusal {
    /// Why, in plain words (zh, en).
    pub fn explain(&self) -> (String, String) {
        match self {
            ParkRefusal::Full { windows } => {
                let zh = if windows.is_empty() {
                    "车位已满：这段时间的车位都被约了".to_string()
                } else {
                    format!(
                        "车位已满：这段时间的车位都被约了。还有空位的时间：{}",
                        windows_words(windows)
                    )
                };
                let en = if windows.is_empty() {
                    "All spots are taken for that time".to_string()
                } else {
                    format!(
                        "All spots are taken for that time. Free: {}",
                        windows_words(windows)
                    )
                };
                (zh, en)
            }
            ParkRefusal::Past => (
                "这段时间已经过去了，请重新选择到达时间".into(),
                "That time has passed; choose a new arrival time".into(),
            ),
            ParkRefusal::TooFarAhead { days } => (
                format!("最多只能提前{days}天登记"),
                format!("Visits can be registered at most {days} days ahead"),
            ),
            ParkRefusal::OutsideHours { opens, closes } => (
                format!("车位开放时间是{opens}到{closes}，请在这段时间内停放"),
                format!("The spots are open {opens}–{closes}; the stay must fit in it"),
            ),
            ParkRefusal::TooLong { max } => (
                format!("每次最多免费停{max}小时"),
                format!("A free stay is at most {max} hours"),
            ),
            ParkRefusal::WeekLimit { max } => (
                format!("每户每周最多登记{max}次（超时停放也算），本周已用完，如有特殊情况请联系社区"),
                format!("Each household may register {max} visits a week (overstays count); this week's are used. Call the community if it is urgent"),
            ),
            ParkRefusal::AtOnce { max } => (
                format!("每户同一时间最多{max}辆访客车"),
                format!("A household may have at most {max} visiting car(s) at a time"),
            ),
            ParkRefusal::WrongState { status } => (
                format!("这次来访现在是「{}」，不能这样办理", status.label(crate::Lang::Zh)),
                format!("This visit is now \"{}\"; that cannot be done", status.label(crate::Lang::En)),
            ),
            ParkRefusal::AlreadyArrived => (
                "车已经进场，只能延长停放时间".into(),
                "The car is already in; only the stay can be extended".into(),
            ),
        }
    }

    /// The code on the wire (`rejected` with `full`, or a conflict explained).
    pub fn code(&self) -> &'static str {
        match self {
            ParkRefusal::Full { .. } => "full",
            _ => "conflict",
        }
    }
}

/// "12-08 14:00–20:00、12-08 15:00–21:00" — free windows in words.
pub fn windows_words(windows: &[Span]) -> String {
    windows
        .iter()
        .map(|w| {
            format!(
                "{}–{}",
                crate::time::day_and_clock(w.starts_at),
                crate::time::clock_of(w.ends_at)
            )
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// Everything the server weighs for a new window (a registration, a change, an extension).
#[derive(Clone, Debug)]
pub struct Ask<'a> {
    pub rules: &'a PoolRules,
    /// The spans of every other visit holding a spot in the pool.
    pub others: &'a [Span],
    pub window: Span,
    pub household: HouseholdUse,
    /// Staff allowed it beyond the household's limits.
    pub over_limit: bool,
    pub now: DateTime<Utc>,
}

/// Whether a visit may hold a spot over `ask.window`: the pool's rules, the household's
/// limits (unless staff overrode them), then interval capacity.
pub fn decide_window(ask: &Ask) -> Result<(), ParkRefusal> {
    let rules = ask.rules;
    let window = ask.window;
    if window.ends_at <= ask.now || window.starts_at < ask.now - Duration::minutes(LATE_MINUTES) {
        return Err(ParkRefusal::Past);
    }
    let hours = (window.ends_at - window.starts_at).num_minutes();
    if hours > i64::from(rules.max_hours) * 60 {
        return Err(ParkRefusal::TooLong {
            max: rules.max_hours,
        });
    }
    let today = crate::ledger::china_date(ask.now);
    let day = crate::ledger::china_date(window.starts_at);
    if (day - today).num_days() > i64::from(rules.days_ahead) {
        return Err(ParkRefusal::TooFarAhead {
            days: rules.days_ahead,
        });
    }
    if !capacity::within_hours(window, rules.hours()) {
        return Err(ParkRefusal::OutsideHours {
            opens: rules.opens.clone().unwrap_or_default(),
            closes: rules.closes.clone().unwrap_or_default(),
        });
    }
    if !ask.over_limit {
        let household = ask.household;
        let counted = household.this_week + household.overstays.saturating_sub(1);
        if counted >= rules.per_week {
            return Err(ParkRefusal::WeekLimit {
                max: rules.per_week,
            });
        }
        if household.overlapping >= rules.at_once {
            return Err(ParkRefusal::AtOnce { max: rules.at_once });
        }
    }
    if !capacity::fits(ask.others, rules.spots, window) {
        let search = Search {
            wanted: window,
            earliest: ask.now,
            // A week at most: a refusal's search stays small inside the write transaction.
            latest: crate::time::from_beijing(
                (today + Duration::days(i64::from(rules.days_ahead.min(7))))
                    .and_time(NaiveTime::from_hms_opt(23, 59, 0).expect("a time")),
            ),
            hours: rules.hours(),
        };
        return Err(ParkRefusal::Full {
            windows: capacity::free_windows(ask.others, rules.spots, &search),
        });
    }
    Ok(())
}

/// Whether a car inside may stay until `window`'s new end: the whole stay within the pool's
/// maximum and its opening hours, and a spot free over the added time (`others`: every other
/// visit holding one).
pub fn decide_extension(
    rules: &PoolRules,
    others: &[Span],
    current: Span,
    longer: Span,
) -> Result<(), ParkRefusal> {
    if (longer.ends_at - longer.starts_at).num_minutes() > i64::from(rules.max_hours) * 60 {
        return Err(ParkRefusal::TooLong {
            max: rules.max_hours,
        });
    }
    if !capacity::within_hours(longer, rules.hours()) {
        return Err(ParkRefusal::OutsideHours {
            opens: rules.opens.clone().unwrap_or_default(),
            closes: rules.closes.clone().unwrap_or_default(),
        });
    }
    let added = Span::new(current.ends_at, longer.ends_at);
    if added.ends_at > added.starts_at && !capacity::fits(others, rules.spots, added) {
        return Err(ParkRefusal::Full {
            windows: Vec::new(),
        });
    }
    Ok(())
}

/// The pass of a visit: the market's format, with the visit as the booking, the pool as the
/// service, the window's day and times (Beijing), and the plate masked where a name would
/// be; valid until twelve hours after the window, so the car can still be let out.
pub fn pass_claims(
    key_id: u16,
    visit_id: Uuid,
    pool_id: Uuid,
    window: Span,
    plate_masked: &str,
) -> crate::market::pass::PassClaims {
    let starts = crate::time::beijing(window.starts_at);
    crate::market::pass::PassClaims {
        key_id,
        booking_id: visit_id,
        service_id: pool_id,
        day: starts.date(),
        starts: starts.time(),
        ends: crate::time::beijing(window.ends_at).time(),
        expires_at: window.ends_at + Duration::hours(12),
        masked_name: plate_masked.to_string(),
    }
}

/// Monday 00:00 of the calendar week (Beijing time) that `at` falls in, and the next Monday:
/// the week whose visits the household limit counts.
pub fn week_of(at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = crate::ledger::china_date(at);
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let starts = crate::time::from_beijing(monday.and_time(NaiveTime::MIN));
    (starts, starts + Duration::days(7))
}

/// How long a car has stayed past its window, in whole minutes, if it has (`None` while
/// within it, or when it is not inside).
pub fn overstay_minutes(
    status: VisitStatus,
    leaves_by: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<i64> {
    (status == VisitStatus::Inside && now > leaves_by).then(|| (now - leaves_by).num_minutes())
}

/// "您的访客车辆已超时30分钟" — what the household is told.
pub fn overstay_words(minutes: i64, lang: crate::Lang) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    match lang {
        crate::Lang::Zh if hours > 0 => format!("您的访客车辆已超时{hours}小时{rest}分钟"),
        crate::Lang::Zh => format!("您的访客车辆已超时{minutes}分钟"),
        crate::Lang::En if hours > 0 => {
            format!("Your visitor's car has overstayed by {hours} h {rest} min")
        }
        crate::Lang::En => format!("Your visitor's car has overstayed by {minutes} minutes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: i64, minute: i64) -> DateTime<Utc> {
        // 2026-12-08 (a Tuesday) 00:00 Beijing.
        DateTime::from_timestamp(1_796_659_200, 0).unwrap()
            + Duration::hours(hour)
            + Duration::minutes(minute)
    }

    fn rules() -> PoolRules {
        PoolRules {
            spots: 2,
            opens: Some("06:00".into()),
            closes: Some("22:00".into()),
            ..PoolRules::default()
        }
    }

    fn ask<'a>(rules: &'a PoolRules, others: &'a [Span], window: Span) -> Ask<'a> {
        Ask {
            rules,
            others,
            window,
            household: HouseholdUse::default(),
            over_limit: false,
            now: at(8, 0),
        }
    }

    #[test]
    fn the_pools_rules_come_before_capacity() {
        let rules = rules();
        let ok = window(at(9, 0), 6);
        assert_eq!(decide_window(&ask(&rules, &[], ok)), Ok(()));
        let refuse = |w: Span| decide_window(&ask(&rules, &[], w)).unwrap_err();
        assert_eq!(refuse(window(at(9, 0), 7)), ParkRefusal::TooLong { max: 6 });
        assert_eq!(refuse(window(at(1, 0), 2)), ParkRefusal::Past);
        assert!(matches!(
            refuse(window(at(18, 0), 5)),
            ParkRefusal::OutsideHours { .. }
        ));
        assert_eq!(
            refuse(window(at(24 * 8 + 9, 0), 2)),
            ParkRefusal::TooFarAhead { days: 7 }
        );
        // Registered late from a phone that was offline: the visitor is already here.
        assert_eq!(
            decide_window(&ask(&rules, &[], window(at(7, 0), 3))),
            Ok(())
        );
    }

    #[test]
    fn household_limits_count_the_week_and_repeated_overstays_unless_staff_override() {
        let rules = rules();
        let w = window(at(9, 0), 2);
        let with = |household: HouseholdUse, over_limit: bool| {
            decide_window(&Ask {
                household,
                over_limit,
                ..ask(&rules, &[], w)
            })
        };
        let used = |this_week, overlapping, overstays| HouseholdUse {
            this_week,
            overlapping,
            overstays,
        };
        assert_eq!(with(used(2, 0, 1), false), Ok(()));
        assert_eq!(
            with(used(3, 0, 0), false),
            Err(ParkRefusal::WeekLimit { max: 3 })
        );
        assert_eq!(
            with(used(2, 0, 2), false),
            Err(ParkRefusal::WeekLimit { max: 3 })
        );
        assert_eq!(
            with(used(0, 1, 0), false),
            Err(ParkRefusal::AtOnce { max: 1 })
        );
        assert_eq!(with(used(5, 1, 3), true), Ok(()));
    }

    #[test]
    fn a_full_window_is_refused_with_free_windows_in_words() {
        let rules = rules();
        let taken = [window(at(9, 0), 6), window(at(9, 0), 6)];
        let refusal = decide_window(&ask(&rules, &taken, window(at(10, 0), 4))).unwrap_err();
        let ParkRefusal::Full { windows } = &refusal else {
            panic!("full: {refusal:?}")
        };
        assert_eq!(windows[0], window(at(15, 0), 4));
        let (zh, _) = refusal.explain();
        assert!(
            zh.contains("车位已满") && zh.contains("12-08 15:00–19:00"),
            "{zh}"
        );
        assert_eq!(refusal.code(), "full");
    }

    #[test]
    fn overstay_is_counted_from_the_end_of_the_window_while_the_car_is_inside() {
        let leaves_by = at(15, 0);
        assert_eq!(
            overstay_minutes(VisitStatus::Inside, leaves_by, at(15, 30)),
            Some(30)
        );
        assert_eq!(
            overstay_minutes(VisitStatus::Inside, leaves_by, at(14, 59)),
            None
        );
        assert_eq!(
            overstay_minutes(VisitStatus::Left, leaves_by, at(16, 0)),
            None
        );
        assert_eq!(
            overstay_words(30, crate::Lang::Zh),
            "您的访客车辆已超时30分钟"
        );
        assert_eq!(
            overstay_words(95, crate::Lang::Zh),
            "您的访客车辆已超时1小时35分钟"
        );
    }

    #[test]
    fn pool_rules_report_every_problem_at_once() {
        let bad = PoolRules {
            spots: 0,
            max_hours: 13,
            opens: Some("22:00".into()),
            closes: Some("06:00".into()),
            ..PoolRules::default()
        };
        let fields: Vec<&str> = bad
            .validate()
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["spots", "max_hours", "closes"]);
        assert!(PoolRules::default().validate().is_ok());
        let rules = rules();
        let current = window(at(9, 0), 4);
        let busy = [window(at(13, 0), 3), window(at(13, 0), 3)];
        assert_eq!(
            decide_extension(&rules, &busy, current, window(at(9, 0), 5)),
            Err(ParkRefusal::Full { windows: vec![] })
        );
        assert_eq!(
            decide_extension(&rules, &busy[..1], current, window(at(9, 0), 6)),
            Ok(())
        );
        assert_eq!(
            decide_extension(&rules, &[], current, window(at(9, 0), 7)),
            Err(ParkRefusal::TooLong { max: 6 })
        );
        let (monday, next) = week_of(at(9, 0));
        assert_eq!((monday, next - monday), (at(-24, 0), Duration::days(7)));
    }
}
