//! Market days, slots and capacity.
//!
//! A market runs on a monthly rule (the 9th of every month at 九龙花园) plus one-off days.
//! A day's timed slots run from an opening to a closing time in equal steps (08:30–11:30 in
//! 30-minute slots); door-to-door services use two windows, 上午 and 下午. A slot's capacity
//! comes from the volunteers on duty (two barbers, two per slot); staff may change it, but
//! never below the seats already confirmed.

use chrono::{Datelike, Months, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field::{char_count, clean_text, FieldError, FieldErrorKind};
use crate::market::{ServiceMode, Venue};

/// The longest slot and the shortest: a booking is for one person's service.
pub const SLOT_MINUTES_MIN: u32 = 5;
pub const SLOT_MINUTES_MAX: u32 = 240;
/// The most seats one slot may hold.
pub const CAPACITY_MAX: u32 = 200;

/// The next `count` market days on `day_of_month`, from `from` (included). A month without
/// that day (the 31st in April) has its market on its last day instead, so no month is
/// silently skipped.
pub fn monthly_days(day_of_month: u32, from: NaiveDate, count: usize) -> Vec<NaiveDate> {
    let day_of_month = day_of_month.clamp(1, 31);
    let first_of_month = from.with_day(1).expect("every month has a first day");
    (0..)
        .map(|n| {
            let month = first_of_month + Months::new(n);
            let last = (month + Months::new(1))
                .pred_opt()
                .expect("a day before")
                .day();
            month
                .with_day(day_of_month.min(last))
                .expect("a day of the month")
        })
        .filter(|day| *day >= from)
        .take(count)
        .collect()
}

/// A slot's times within its day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotTimes {
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

/// The timed slots from `opens` to `closes` in steps of `minutes`; a last piece shorter
/// than a step is not a slot.
pub fn timed_slots(
    opens: NaiveTime,
    closes: NaiveTime,
    minutes: u32,
) -> Result<Vec<SlotTimes>, FieldError> {
    if !(SLOT_MINUTES_MIN..=SLOT_MINUTES_MAX).contains(&minutes) {
        return Err(FieldError::new(
            "slot_minutes",
            FieldErrorKind::OutOfRange {
                min: SLOT_MINUTES_MIN.to_string(),
                max: SLOT_MINUTES_MAX.to_string(),
            },
        ));
    }
    if closes <= opens {
        return Err(FieldError::new("closes", FieldErrorKind::Invalid));
    }
    let step = chrono::Duration::minutes(i64::from(minutes));
    let mut slots = Vec::new();
    let mut starts = opens;
    while closes - starts >= step {
        let ends = starts + step;
        slots.push(SlotTimes { starts, ends });
        starts = ends;
    }
    Ok(slots)
}

/// The two windows of a door-to-door service: 上午 08:00–12:00 and 下午 14:00–17:30.
pub fn home_windows() -> [SlotTimes; 2] {
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("a time of day");
    [
        SlotTimes {
            starts: at(8, 0),
            ends: at(12, 0),
        },
        SlotTimes {
            starts: at(14, 0),
            ends: at(17, 30),
        },
    ]
}

/// A slot's seats: each volunteer on duty serves `per_volunteer` people in it, never more
/// than staff could set by hand (`booking::CAPACITY_MAX`).
pub fn capacity(volunteers_on_duty: u32, per_volunteer: u32) -> u32 {
    volunteers_on_duty
        .saturating_mul(per_volunteer)
        .min(CAPACITY_MAX)
        .min(crate::market::booking::CAPACITY_MAX)
}

/// A capacity staff set: within bounds, and never below the seats already taken — confirmed
/// bookings and seats held for people promoted from the waitlist (nobody who holds a pass or
/// an offer loses their seat because a volunteer fell ill; staff call them instead).
pub fn check_capacity(new: u32, taken: u32) -> Result<u32, FieldError> {
    if new > CAPACITY_MAX || new < taken {
        return Err(FieldError::new(
            "capacity",
            FieldErrorKind::OutOfRange {
                min: taken.to_string(),
                max: CAPACITY_MAX.to_string(),
            },
        ));
    }
    Ok(new)
}

/// How many market days of a monthly rule are open for booking ahead (the next one and the
/// one after); the server opens the next as each passes.
pub const DAYS_AHEAD: usize = 2;
/// How far ahead staff may open a one-off day.
pub const ONE_OFF_DAYS_AHEAD: i64 = 366;
/// The longest service name (理发, 水电维修, 共享厨房…) and place.
pub const NAME_MAX: usize = 12;
pub const PLACE_MAX: usize = 20;
/// The most people one volunteer serves in a slot, and the most volunteers a service lists.
pub const PER_VOLUNTEER_MAX: u32 = 10;
pub const VOLUNTEERS_MAX: usize = 20;

/// How a service's day is cut into slots and how many seats each has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceSetup {
    pub mode: ServiceMode,
    /// 共享阅览: open hours shown, nobody books (its one slot per day is closed to booking).
    pub walk_in: bool,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    pub slot_minutes: u32,
    pub per_volunteer: u32,
}

impl ServiceSetup {
    /// The slots of one day: timed slots at a place, the two windows door to door, and the
    /// open hours as one slot for a walk-in service.
    pub fn day_slots(&self) -> Result<Vec<SlotTimes>, FieldError> {
        match (self.mode, self.walk_in) {
            (ServiceMode::AtHome, _) => Ok(home_windows().to_vec()),
            (ServiceMode::AtPlace, true) => {
                if self.closes <= self.opens {
                    return Err(FieldError::new("closes", FieldErrorKind::Invalid));
                }
                Ok(vec![SlotTimes {
                    starts: self.opens,
                    ends: self.closes,
                }])
            }
            (ServiceMode::AtPlace, false) => {
                let slots = timed_slots(self.opens, self.closes, self.slot_minutes)?;
                if slots.is_empty() {
                    // Open for less than one slot.
                    return Err(FieldError::new("closes", FieldErrorKind::Invalid));
                }
                Ok(slots)
            }
        }
    }

    /// A slot's seats with this many volunteers listed (none listed counts one on duty); a
    /// walk-in service has none.
    pub fn seats(&self, volunteers: usize) -> u32 {
        if self.walk_in {
            return 0;
        }
        capacity(
            u32::try_from(volunteers.max(1)).unwrap_or(u32::MAX),
            self.per_volunteer,
        )
    }
}

/// "08:30" (or "8:30", "08:30:00") as a time of day.
pub fn parse_clock(field: &'static str, text: &str) -> Result<NaiveTime, FieldError> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .map_err(|_| FieldError::new(field, FieldErrorKind::Invalid))
}

/// `create_market_service` (version 1): community staff add a service to the market or the
/// shared house — its mode, place, hours and slot length, seats per volunteer, the volunteers
/// who give it (they scan its passes) and, if it recurs, its day of the month (the 9th).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateMarketServiceArgs {
    /// The service's id, made by the phone.
    pub id: Uuid,
    pub community_id: String,
    pub venue: Venue,
    pub name: String,
    pub mode: ServiceMode,
    /// Where it is given (定点服务); empty for door-to-door.
    #[serde(default)]
    pub place: String,
    /// Open hours only, no booking (共享阅览).
    #[serde(default)]
    pub walk_in: bool,
    /// "08:30" (ignored door to door: 上午 and 下午 windows).
    #[serde(default)]
    pub opens: String,
    #[serde(default)]
    pub closes: String,
    /// A timed slot's length in minutes (at a place, not walk-in).
    #[serde(default)]
    pub slot_minutes: u32,
    /// People one volunteer on duty serves in a slot.
    pub per_volunteer: u32,
    /// The day of every month it is given (1–31; a shorter month uses its last day), or none
    /// for a service given on one-off days only.
    #[serde(default)]
    pub monthly_day: Option<u32>,
    /// The people who give it: volunteers or staff of the community.
    #[serde(default)]
    pub volunteers: Vec<Uuid>,
}

/// `create_market_service`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateMarketService {
    pub id: Uuid,
    pub community_id: String,
    pub venue: Venue,
    pub name: String,
    pub place: String,
    pub setup: ServiceSetup,
    pub monthly_day: Option<u32>,
    pub volunteers: Vec<Uuid>,
}

fn short_text(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
) -> Result<String, FieldError> {
    let cleaned = clean_text(text, false);
    let actual = char_count(&cleaned);
    if required && cleaned.is_empty() {
        return Err(FieldError::new(field, FieldErrorKind::Required));
    }
    if actual > max {
        return Err(FieldError::new(
            field,
            FieldErrorKind::TooLong { max, actual },
        ));
    }
    Ok(cleaned)
}

/// The value, or its error noted for the form.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

fn in_range(field: &'static str, value: u32, min: u32, max: u32) -> Result<u32, FieldError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(
            field,
            FieldErrorKind::OutOfRange {
                min: min.to_string(),
                max: max.to_string(),
            },
        ))
    }
}

impl CreateMarketServiceArgs {
    /// Every field's problem at once, so the form shows them together.
    pub fn validate(&self) -> Result<CreateMarketService, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = keep(&mut errors, short_text("name", &self.name, NAME_MAX, true));
        let at_place = self.mode == ServiceMode::AtPlace;
        let place = keep(
            &mut errors,
            short_text("place", &self.place, PLACE_MAX, at_place),
        );
        let walk_in = if self.walk_in && !at_place {
            keep(
                &mut errors,
                Err(FieldError::new("walk_in", FieldErrorKind::Invalid)),
            )
        } else {
            Some(self.walk_in)
        };
        let (opens, closes) = if at_place {
            (
                keep(&mut errors, parse_clock("opens", &self.opens)),
                keep(&mut errors, parse_clock("closes", &self.closes)),
            )
        } else {
            let [morning, afternoon] = home_windows();
            (Some(morning.starts), Some(afternoon.ends))
        };
        let per_volunteer = if self.walk_in {
            Some(0)
        } else {
            keep(
                &mut errors,
                in_range("per_volunteer", self.per_volunteer, 1, PER_VOLUNTEER_MAX),
            )
        };
        let monthly_day = match self.monthly_day {
            Some(day) => keep(&mut errors, in_range("monthly_day", day, 1, 31).map(Some)),
            None => Some(None),
        };
        let mut volunteers = self.volunteers.clone();
        volunteers.sort();
        volunteers.dedup();
        if volunteers.len() > VOLUNTEERS_MAX {
            errors.push(FieldError::new(
                "volunteers",
                FieldErrorKind::TooMany {
                    max: VOLUNTEERS_MAX,
                    actual: volunteers.len(),
                },
            ));
        }
        let setup = match (walk_in, opens, closes, per_volunteer) {
            (Some(walk_in), Some(opens), Some(closes), Some(per_volunteer)) => {
                let setup = ServiceSetup {
                    mode: self.mode,
                    walk_in,
                    opens,
                    closes,
                    slot_minutes: if at_place && !walk_in {
                        self.slot_minutes
                    } else {
                        0
                    },
                    per_volunteer,
                };
                keep(&mut errors, setup.day_slots()).map(|_| setup)
            }
            _ => None,
        };
        match (name, place, setup, monthly_day) {
            (Some(name), Some(place), Some(setup), Some(monthly_day)) if errors.is_empty() => {
                Ok(CreateMarketService {
                    id: self.id,
                    community_id: self.community_id.clone(),
                    venue: self.venue,
                    name,
                    place: if at_place { place } else { String::new() },
                    setup,
                    monthly_day,
                    volunteers,
                })
            }
            _ => Err(errors),
        }
    }
}

/// `add_market_day` (version 1): community staff open a one-off day of a service (an extra
/// market before the Spring Festival): its slots as the service's hours cut them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddMarketDayArgs {
    pub service_id: Uuid,
    /// The day, in Beijing time.
    pub day: NaiveDate,
}

/// Whether a day may be opened on `today` (Beijing): today or later, within a year.
pub fn may_open_day(day: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    if day < today || day > today + chrono::Duration::days(ONE_OFF_DAYS_AHEAD) {
        return Err(FieldError::new(
            "day",
            FieldErrorKind::OutOfRange {
                min: today.to_string(),
                max: (today + chrono::Duration::days(ONE_OFF_DAYS_AHEAD)).to_string(),
            },
        ));
    }
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn the_ninth_of_every_month_from_any_day() {
        assert_eq!(
            monthly_days(9, day(2026, 12, 2), 3),
            vec![day(2026, 12, 9), day(2027, 1, 9), day(2027, 2, 9)]
        );
        // On the market day itself, it is the first.
        assert_eq!(monthly_days(9, day(2026, 12, 9), 1), vec![day(2026, 12, 9)]);
        // After it, the next month's.
        assert_eq!(monthly_days(9, day(2026, 12, 10), 1), vec![day(2027, 1, 9)]);
    }

    #[test]
    fn a_month_without_the_day_has_its_market_on_its_last_day() {
        assert_eq!(
            monthly_days(31, day(2027, 1, 31), 4),
            vec![
                day(2027, 1, 31),
                day(2027, 2, 28),
                day(2027, 3, 31),
                day(2027, 4, 30)
            ]
        );
        assert_eq!(monthly_days(30, day(2028, 2, 1), 1), vec![day(2028, 2, 29)]);
    }

    #[test]
    fn half_hour_slots_from_half_past_eight_to_half_past_eleven() {
        let slots = timed_slots(at(8, 30), at(11, 30), 30).unwrap();
        assert_eq!(slots.len(), 6);
        assert_eq!(slots[0].starts, at(8, 30));
        assert_eq!(slots[0].ends, at(9, 0));
        assert_eq!(slots[5].ends, at(11, 30));
        // A last piece shorter than a step is not a slot.
        assert_eq!(timed_slots(at(8, 30), at(11, 40), 30).unwrap().len(), 6);
    }

    #[test]
    fn slots_refuse_a_closing_before_the_opening_and_odd_lengths() {
        assert_eq!(
            timed_slots(at(11, 0), at(8, 0), 30).unwrap_err().kind,
            FieldErrorKind::Invalid
        );
        for minutes in [0, 4, 241] {
            assert_eq!(
                timed_slots(at(8, 0), at(11, 0), minutes).unwrap_err().field,
                "slot_minutes"
            );
        }
    }

    #[test]
    fn two_barbers_make_two_seats_and_capacity_never_falls_below_the_confirmed() {
        assert_eq!(capacity(2, 1), 2);
        assert_eq!(capacity(0, 3), 0);
        assert_eq!(capacity(u32::MAX, 2), crate::market::booking::CAPACITY_MAX);
        assert_eq!(check_capacity(3, 2), Ok(3));
        assert_eq!(check_capacity(2, 2), Ok(2));
        assert_eq!(check_capacity(1, 2).unwrap_err().field, "capacity");
        assert!(check_capacity(CAPACITY_MAX + 1, 0).is_err());
    }

    #[test]
    fn door_to_door_windows_are_morning_and_afternoon() {
        let [morning, afternoon] = home_windows();
        assert!(morning.ends <= afternoon.starts);
        assert_eq!(morning.starts, at(8, 0));
    }

    #[test]
    fn a_one_off_day_is_today_or_later_within_a_year() {
        let today = day(2026, 12, 2);
        assert_eq!(may_open_day(today, today), Ok(today));
        assert!(may_open_day(day(2027, 1, 20), today).is_ok());
        assert_eq!(
            may_open_day(day(2026, 12, 1), today).unwrap_err().field,
            "day"
        );
        assert!(may_open_day(day(2028, 1, 1), today).is_err());
    }

    #[test]
    fn clocks_read_with_or_without_seconds() {
        assert_eq!(parse_clock("opens", "08:30"), Ok(at(8, 30)));
        assert_eq!(parse_clock("opens", " 8:30 "), Ok(at(8, 30)));
        assert_eq!(parse_clock("opens", "14:00:00"), Ok(at(14, 0)));
        assert!(parse_clock("opens", "25:00").is_err());
        assert!(parse_clock("opens", "").is_err());
    }
}
