//! Market days, slots and capacity.
//!
//! A market runs on a monthly rule (the 9th of every month at 九龙花园) plus one-off days.
//! A day's timed slots run from an opening to a closing time in equal steps (08:30–11:30 in
//! 30-minute slots); door-to-door services use two windows, 上午 and 下午. A slot's capacity
//! comes from the volunteers on duty (two barbers, two per slot); staff may change it, but
//! never below the seats already confirmed.

use chrono::{Datelike, Months, NaiveDate, NaiveTime};

use crate::field::{FieldError, FieldErrorKind};

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

/// A slot's seats: each volunteer on duty serves `per_volunteer` people in it.
pub fn capacity(volunteers_on_duty: u32, per_volunteer: u32) -> u32 {
    volunteers_on_duty
        .saturating_mul(per_volunteer)
        .min(CAPACITY_MAX)
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
        assert_eq!(capacity(u32::MAX, 2), CAPACITY_MAX);
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
}
