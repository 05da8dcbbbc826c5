//! Whether a household may take a seat, and what to offer when it may not.
//!
//! The server asks `decide` inside its write transaction, with the slot's exact count, so two
//! phones booking the last seat at once get one seat and one refusal (`full`, with the
//! nearest free slots of the same service as alternatives). Seats held by a waitlist offer
//! count as taken until the offer is accepted or lapses.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field::{char_count, clean_text, FieldError, FieldErrorKind};

/// The longest note a booking carries ("上午10点后在家", which door to knock on).
pub const NOTE_MAX: usize = 60;

/// `book_service` (version 1): a household takes a seat in a slot. Staff booking for a
/// resident who phoned (代预约) name the household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookServiceArgs {
    /// The booking's id, made by the phone (the pass and its short code come from it).
    pub id: Uuid,
    pub slot_id: Uuid,
    /// For door-to-door services: when to come, which door.
    #[serde(default)]
    pub note: String,
    /// 代预约: the household staff book for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_household: Option<Uuid>,
}

/// `cancel_booking` (version 1): the household (or staff) give the seat back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CancelBookingArgs {
    pub booking_id: Uuid,
}

/// `confirm_service` (version 1): a volunteer confirms the service was given (已服务), from a
/// scanned pass or a typed short code, online or not. The server re-checks the booking and
/// keeps one record however many phones confirmed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmServiceArgs {
    pub booking_id: Uuid,
    /// When the volunteer confirmed it, by the phone's clock (the push may come later).
    #[serde(with = "crate::time::instant")]
    pub confirmed_at: DateTime<Utc>,
    /// Whether the phone checked the pass with no network.
    #[serde(default)]
    pub offline: bool,
}

/// `mark_no_show` (version 1): after its slot ended, a booking nobody came for is 未到.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkNoShowArgs {
    pub booking_id: Uuid,
}

/// `join_waitlist` (version 1): a household waits for a seat of a full slot (候补).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinWaitlistArgs {
    /// The entry's id, made by the phone.
    pub id: Uuid,
    pub slot_id: Uuid,
    #[serde(default)]
    pub note: String,
}

/// `accept_promotion` (version 1): a household offered a freed seat takes it; the booking
/// gets `booking_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptPromotionArgs {
    pub waitlist_id: Uuid,
    pub booking_id: Uuid,
}

/// `update_market_slot` (version 1): community staff set a slot's seats (two barbers on duty →
/// two) and whether it takes bookings (暂停 / 恢复). Never fewer seats than are taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateMarketSlotArgs {
    pub slot_id: Uuid,
    pub capacity: u32,
    pub closed: bool,
}

/// `cancel_market_day` (version 1): community staff call off a service's market day (rain, the
/// barber is ill). Every booking of it is cancelled with `reason`, which the households'
/// phones show, and its slots close.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CancelMarketDayArgs {
    pub service_id: Uuid,
    /// The market day, in Beijing time.
    pub day: chrono::NaiveDate,
    pub reason: String,
}

/// The most seats a slot may have.
pub const CAPACITY_MAX: u32 = 50;
/// The longest reason for calling a day off.
pub const REASON_MAX: usize = 60;

/// A slot's seats: 0 (none today) to `CAPACITY_MAX`.
pub fn capacity(seats: u32) -> Result<u32, FieldError> {
    if seats > CAPACITY_MAX {
        return Err(FieldError::new(
            "capacity",
            FieldErrorKind::OutOfRange {
                min: "0".into(),
                max: CAPACITY_MAX.to_string(),
            },
        ));
    }
    Ok(seats)
}

/// Why a day was called off, as the households read it: required, on one line.
pub fn reason(text: &str) -> Result<String, FieldError> {
    let cleaned = clean_text(text, false);
    let actual = char_count(&cleaned);
    if cleaned.is_empty() {
        return Err(FieldError::new("reason", FieldErrorKind::Required));
    }
    if actual > REASON_MAX {
        return Err(FieldError::new(
            "reason",
            FieldErrorKind::TooLong {
                max: REASON_MAX,
                actual,
            },
        ));
    }
    Ok(cleaned)
}

/// Whether a slot may have `capacity` seats: never fewer than those taken (booked, served or
/// not come) and held for waitlist offers.
pub fn may_resize(slot: &SlotState, capacity: u32) -> Result<(), Refusal> {
    let taken = slot.booked.saturating_add(slot.held);
    if capacity < taken {
        return Err(Refusal::BelowTaken { taken });
    }
    Ok(())
}

/// A booking's note, cleaned: at most `NOTE_MAX` characters, on one line.
pub fn note(text: &str) -> Result<String, FieldError> {
    let cleaned = clean_text(text, false);
    let actual = char_count(&cleaned);
    if actual > NOTE_MAX {
        return Err(FieldError::new(
            "note",
            FieldErrorKind::TooLong {
                max: NOTE_MAX,
                actual,
            },
        ));
    }
    Ok(cleaned)
}

/// Where a booking stands. Only the server says `booked`: the phone's own row, before the
/// server has answered, is `requested` (待同步, then 待确认).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BookingState {
    /// On the phone only: asked for, not yet decided by the server.
    Requested,
    /// 已预约: the server gave the seat; the booking carries its pass.
    Booked,
    /// 已取消: given back (the pass no longer admits).
    Cancelled,
    /// 已服务: a volunteer scanned the pass.
    Served,
    /// 未到: the slot ended without the resident.
    NoShow,
}

impl BookingState {
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            BookingState::Requested => lang.pick("待确认", "Awaiting the server"),
            BookingState::Booked => lang.pick("已预约", "Booked"),
            BookingState::Cancelled => lang.pick("已取消", "Cancelled"),
            BookingState::Served => lang.pick("已服务", "Served"),
            BookingState::NoShow => lang.pick("未到", "Did not come"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            BookingState::Requested => "requested",
            BookingState::Booked => "booked",
            BookingState::Cancelled => "cancelled",
            BookingState::Served => "served",
            BookingState::NoShow => "no_show",
        }
    }

    pub fn from_code(code: &str) -> Option<BookingState> {
        [
            BookingState::Requested,
            BookingState::Booked,
            BookingState::Cancelled,
            BookingState::Served,
            BookingState::NoShow,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// A slot as the rules see it.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotState {
    pub id: Uuid,
    pub service_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: u32,
    /// Confirmed bookings.
    pub booked: u32,
    /// Seats held for people promoted from the waitlist, not yet accepted.
    pub held: u32,
    /// Closed by staff (or its market day cancelled).
    pub closed: bool,
}

impl SlotState {
    /// Seats anyone may still take.
    pub fn free(&self) -> u32 {
        self.capacity
            .saturating_sub(self.booked.saturating_add(self.held))
    }

    /// Open for booking at `now`: not closed and not yet started.
    pub fn bookable(&self, now: DateTime<Utc>) -> bool {
        !self.closed && now < self.starts_at
    }
}

/// The limits a community sets (defaults from the practice: one booking per service per
/// market day, cancel until two hours before, two hours to accept a promotion).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub per_household_per_service_per_day: u32,
    pub cancel_hours_before: i64,
    pub promotion_minutes: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_household_per_service_per_day: 1,
            cancel_hours_before: 2,
            promotion_minutes: 120,
        }
    }
}

/// Why a seat was not given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 名额已满: every seat is taken; the nearest free slots of the service, nearest first.
    Full { alternatives: Vec<Uuid> },
    /// Staff closed the slot, or its day was cancelled.
    Closed,
    /// The slot has started (or passed).
    Started,
    /// The household already holds as many bookings of this service that day as allowed.
    HouseholdLimit { max: u32 },
    /// Too late to cancel: the slot starts within the cut-off.
    TooLateToCancel { hours: i64 },
    /// Fewer seats than are already taken.
    BelowTaken { taken: u32 },
}

impl Refusal {
    /// Why, in plain words (zh, en).
    pub fn explain(&self) -> (String, String) {
        match self {
            Refusal::Full { .. } => (
                "名额已满：别人先约到了这个时段".into(),
                "This slot is full: someone else booked it first".into(),
            ),
            Refusal::Closed => (
                "这个时段已暂停预约".into(),
                "This slot is closed for booking".into(),
            ),
            Refusal::Started => (
                "这个时段已经开始，不能再预约".into(),
                "This slot has already started".into(),
            ),
            Refusal::HouseholdLimit { max } => (
                format!("每户每天每项服务最多预约{max}次，您家已经约过了"),
                format!("Each household may book this service {max} time(s) a day; yours already has"),
            ),
            Refusal::TooLateToCancel { hours } => (
                format!("开始前{hours}小时内不能取消，如有变化请联系社区"),
                format!("Bookings cannot be cancelled within {hours} hours of the start; please call the community"),
            ),
            Refusal::BelowTaken { taken } => (
                format!("已有{taken}人预约，名额不能少于{taken}；要少约，请先取消其中的预约"),
                format!("{taken} seat(s) are already taken; there cannot be fewer. Cancel bookings first"),
            ),
        }
    }

    /// The code on the wire (`rejected` with this code).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Full { .. } => "full",
            Refusal::Closed => "closed",
            Refusal::Started => "started",
            Refusal::HouseholdLimit { .. } => "household_limit",
            Refusal::TooLateToCancel { .. } => "too_late",
            Refusal::BelowTaken { .. } => "below_taken",
        }
    }
}

/// How many alternatives a refusal offers.
pub const ALTERNATIVES: usize = 3;

/// Whether a household may take a seat in `slot` at `now`.
///
/// `household_bookings` counts the household's active bookings of the same service on the
/// same day; `siblings` are the service's other slots (any days), for the alternatives.
pub fn decide(
    slot: &SlotState,
    household_bookings: u32,
    siblings: &[SlotState],
    limits: &Limits,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if slot.closed {
        return Err(Refusal::Closed);
    }
    if now >= slot.starts_at {
        return Err(Refusal::Started);
    }
    if household_bookings >= limits.per_household_per_service_per_day {
        return Err(Refusal::HouseholdLimit {
            max: limits.per_household_per_service_per_day,
        });
    }
    if slot.free() == 0 {
        return Err(Refusal::Full {
            alternatives: alternatives(slot, siblings, now),
        });
    }
    Ok(())
}

/// The nearest free, bookable slots of the same service, nearest in time to the full one
/// first (a later slot before an earlier one at the same distance: people ask for "a bit
/// later" more often than they can come earlier).
pub fn alternatives(full: &SlotState, siblings: &[SlotState], now: DateTime<Utc>) -> Vec<Uuid> {
    let mut free: Vec<&SlotState> = siblings
        .iter()
        .filter(|s| s.id != full.id && s.service_id == full.service_id)
        .filter(|s| s.bookable(now) && s.free() > 0)
        .collect();
    free.sort_by_key(|s| {
        let distance = (s.starts_at - full.starts_at).num_seconds();
        (distance.abs(), distance < 0, s.starts_at)
    });
    free.into_iter().take(ALTERNATIVES).map(|s| s.id).collect()
}

/// Whether a booking of a slot starting at `starts_at` may still be cancelled at `now`.
pub fn may_cancel(
    starts_at: DateTime<Utc>,
    limits: &Limits,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if now + Duration::hours(limits.cancel_hours_before) > starts_at {
        return Err(Refusal::TooLateToCancel {
            hours: limits.cancel_hours_before,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        // 2026-12-09 in Beijing is UTC+8; the rules only compare instants.
        Utc.with_ymd_and_hms(2026, 12, 9, h, m, 0).unwrap()
    }

    fn slot(n: u128, service: u128, h: u32, m: u32, capacity: u32, booked: u32) -> SlotState {
        SlotState {
            id: Uuid::from_u128(n),
            service_id: Uuid::from_u128(service),
            starts_at: at(h, m),
            ends_at: at(h, m) + Duration::minutes(30),
            capacity,
            booked,
            held: 0,
            closed: false,
        }
    }

    #[test]
    fn staff_never_set_fewer_seats_than_are_taken_or_held() {
        let mut barber = slot(1, 7, 9, 0, 2, 2);
        assert_eq!(may_resize(&barber, 2), Ok(()));
        assert_eq!(may_resize(&barber, 3), Ok(()));
        assert_eq!(
            may_resize(&barber, 1),
            Err(Refusal::BelowTaken { taken: 2 })
        );
        barber.booked = 1;
        barber.held = 1;
        assert_eq!(
            may_resize(&barber, 1),
            Err(Refusal::BelowTaken { taken: 2 })
        );
        assert!(Refusal::BelowTaken { taken: 2 }
            .explain()
            .0
            .contains("不能少于2"));
        assert_eq!(capacity(0), Ok(0));
        assert_eq!(capacity(CAPACITY_MAX), Ok(CAPACITY_MAX));
        assert!(capacity(CAPACITY_MAX + 1).is_err());
    }

    #[test]
    fn a_day_is_called_off_with_a_reason_on_one_line() {
        assert_eq!(
            reason("  下雨，改到下周  "),
            Ok("下雨，改到下周".to_string())
        );
        assert_eq!(reason("   ").unwrap_err().kind, FieldErrorKind::Required);
        assert!(reason(&"雨".repeat(REASON_MAX + 1)).is_err());
    }

    #[test]
    fn a_free_seat_is_given_and_the_last_one_only_once() {
        let limits = Limits::default();
        let mut s = slot(1, 9, 8, 30, 2, 1);
        assert_eq!(decide(&s, 0, &[], &limits, at(7, 0)), Ok(()));
        s.booked = 2;
        assert_eq!(
            decide(&s, 0, &[], &limits, at(7, 0)),
            Err(Refusal::Full {
                alternatives: vec![]
            })
        );
    }

    #[test]
    fn a_seat_held_for_a_promotion_is_not_free() {
        let mut s = slot(1, 9, 8, 30, 2, 1);
        s.held = 1;
        assert_eq!(s.free(), 0);
        assert!(matches!(
            decide(&s, 0, &[], &Limits::default(), at(7, 0)),
            Err(Refusal::Full { .. })
        ));
    }

    #[test]
    fn a_full_slot_offers_the_nearest_free_slots_of_the_same_service() {
        let full = slot(1, 9, 9, 0, 2, 2);
        let siblings = vec![
            full.clone(),
            slot(2, 9, 8, 30, 2, 0),  // 30 minutes earlier
            slot(3, 9, 9, 30, 2, 1),  // 30 minutes later: before the earlier one
            slot(4, 9, 11, 0, 2, 0),  // two hours later
            slot(5, 9, 10, 0, 2, 2),  // full
            slot(6, 7, 9, 30, 2, 0),  // another service
            slot(7, 9, 10, 30, 2, 0), // 90 minutes later
        ];
        let Err(Refusal::Full { alternatives }) =
            decide(&full, 0, &siblings, &Limits::default(), at(7, 0))
        else {
            panic!("full");
        };
        assert_eq!(
            alternatives,
            vec![Uuid::from_u128(3), Uuid::from_u128(2), Uuid::from_u128(7)]
        );
    }

    #[test]
    fn alternatives_never_offer_a_started_or_closed_slot() {
        let full = slot(1, 9, 9, 0, 1, 1);
        let mut closed = slot(2, 9, 9, 30, 1, 0);
        closed.closed = true;
        let started = slot(3, 9, 8, 0, 1, 0);
        let open = slot(4, 9, 10, 0, 1, 0);
        assert_eq!(
            alternatives(&full, &[closed, started, open], at(8, 15)),
            vec![Uuid::from_u128(4)]
        );
    }

    #[test]
    fn closed_started_and_household_limits_come_before_capacity() {
        let limits = Limits::default();
        let mut s = slot(1, 9, 8, 30, 2, 0);
        assert_eq!(
            decide(&s, 1, &[], &limits, at(7, 0)),
            Err(Refusal::HouseholdLimit { max: 1 })
        );
        assert_eq!(
            decide(&s, 0, &[], &limits, at(8, 30)),
            Err(Refusal::Started)
        );
        s.closed = true;
        assert_eq!(decide(&s, 0, &[], &limits, at(7, 0)), Err(Refusal::Closed));
        let two = Limits {
            per_household_per_service_per_day: 2,
            ..limits
        };
        s.closed = false;
        assert_eq!(decide(&s, 1, &[], &two, at(7, 0)), Ok(()));
    }

    #[test]
    fn cancelling_is_allowed_until_the_cut_off() {
        let limits = Limits::default();
        assert_eq!(may_cancel(at(10, 0), &limits, at(8, 0)), Ok(()));
        assert_eq!(
            may_cancel(at(10, 0), &limits, at(8, 1)),
            Err(Refusal::TooLateToCancel { hours: 2 })
        );
        assert_eq!(
            may_cancel(at(10, 0), &limits, at(11, 0))
                .unwrap_err()
                .code(),
            "too_late"
        );
    }
}
