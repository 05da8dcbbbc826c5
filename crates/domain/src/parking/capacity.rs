//! Interval capacity: at no instant may more visits hold a spot than the pool has.
//!
//! A visit holds a spot over `[starts_at, ends_at)`: one leaving at 14:00 and one arriving
//! at 14:00 never overlap. The server asks `fits` inside its write transaction with every
//! live visit of the pool, so two phones taking the last spot at once get one visit and one
//! `full` refusal with `free_windows`.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// A span of time a visit holds a spot: `[starts_at, ends_at)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Span {
    #[serde(with = "crate::time::instant")]
    pub starts_at: DateTime<Utc>,
    #[serde(with = "crate::time::instant")]
    pub ends_at: DateTime<Utc>,
}

impl Span {
    pub fn new(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Span {
        Span { starts_at, ends_at }
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }
}

/// The most spans holding a spot at one instant within `window`.
pub fn peak(spans: &[Span], window: Span) -> usize {
    // Ends sort before starts at the same instant: [start, end) spans that touch do not overlap.
    let mut events: Vec<(DateTime<Utc>, i32)> = spans
        .iter()
        .filter(|s| s.overlaps(&window))
        .flat_map(|s| {
            [
                (s.starts_at.max(window.starts_at), 1),
                (s.ends_at.min(window.ends_at), -1),
            ]
        })
        .collect();
    events.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, step) in events {
        now += step;
        most = most.max(now);
    }
    most as usize
}

/// Whether one more visit over `window` keeps every instant within `spots`.
pub fn fits(spans: &[Span], spots: u32, window: Span) -> bool {
    peak(spans, window) < spots as usize
}

/// Where free windows are looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Search {
    /// The window asked for; free ones nearest to its start come first.
    pub wanted: Span,
    /// No window starts before this (now, rounded up).
    pub earliest: DateTime<Utc>,
    /// No window starts after this (the booking horizon).
    pub latest: DateTime<Utc>,
    /// Opening hours in Beijing time, if the pool has them: a window lies within one day's.
    pub hours: Option<(NaiveTime, NaiveTime)>,
}

/// How many free windows a refusal offers.
pub const WINDOWS: usize = 3;
/// Free windows start on the half hour.
const STEP_MINUTES: i64 = 30;

/// Whether `window` lies within the opening hours of the day it starts on (Beijing time).
pub fn within_hours(window: Span, hours: Option<(NaiveTime, NaiveTime)>) -> bool {
    let Some((opens, closes)) = hours else {
        return true;
    };
    let starts = crate::time::beijing(window.starts_at);
    let day = starts.date();
    let closing = crate::time::from_beijing(day.and_time(closes));
    starts.time() >= opens && window.ends_at <= closing
}

/// The free windows of the same length nearest to the one asked for, at most `WINDOWS`, at
/// least an hour apart (three choices, not three half hours of one), nearest first; a later
/// one before an earlier one at the same distance.
pub fn free_windows(spans: &[Span], spots: u32, search: &Search) -> Vec<Span> {
    let length = search.wanted.ends_at - search.wanted.starts_at;
    let step = Duration::minutes(STEP_MINUTES);
    // Candidates on the half hour from the earliest start to the latest.
    let first = round_up(search.earliest, STEP_MINUTES);
    let mut candidates = Vec::new();
    let mut start = first;
    while start <= search.latest {
        let window = Span::new(start, start + length);
        if within_hours(window, search.hours) && fits(spans, spots, window) {
            candidates.push(window);
        }
        start += step;
    }
    candidates.sort_by_key(|w| {
        let distance = (w.starts_at - search.wanted.starts_at).num_seconds();
        (distance.abs(), distance < 0)
    });
    let mut chosen: Vec<Span> = Vec::new();
    for window in candidates {
        if chosen
            .iter()
            .all(|c| (c.starts_at - window.starts_at).num_minutes().abs() >= 60)
        {
            chosen.push(window);
            if chosen.len() == WINDOWS {
                break;
            }
        }
    }
    chosen
}

fn round_up(at: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    let step = minutes * 60;
    let seconds = at.timestamp();
    let rounded = (seconds + step - 1).div_euclid(step) * step;
    DateTime::from_timestamp(rounded, 0).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(hour: i64, minute: i64) -> DateTime<Utc> {
        // 2026-12-08 00:00 Beijing is 2026-12-07 16:00 UTC.
        DateTime::from_timestamp(1_796_659_200, 0).unwrap()
            + Duration::hours(hour)
            + Duration::minutes(minute)
    }

    fn span(from: i64, to: i64) -> Span {
        Span::new(at(from, 0), at(to, 0))
    }

    #[test]
    fn spans_that_touch_do_not_overlap_and_the_peak_counts_the_busiest_instant() {
        let spans = [span(8, 14), span(14, 20), span(10, 12), span(11, 15)];
        assert_eq!(peak(&spans, span(0, 24)), 3);
        assert_eq!(peak(&spans, span(14, 15)), 2);
        assert_eq!(peak(&spans, span(20, 22)), 0);
        assert!(fits(&spans, 3, span(16, 18)));
        assert!(!fits(&spans, 3, span(11, 12)));
    }

    #[test]
    fn a_full_window_offers_the_nearest_free_ones_within_opening_hours() {
        // Two spots, both taken 10:00–16:00; opening hours 06:00–22:00.
        let spans = [span(10, 16), span(10, 16)];
        let hours = Some((
            NaiveTime::from_hms_opt(6, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
        ));
        let search = Search {
            wanted: span(12, 16),
            earliest: at(7, 10),
            latest: at(24 * 7, 0),
            hours,
        };
        let free = free_windows(&spans, 2, &search);
        // The day's afternoon, an hour apart, never out of hours nor before now.
        assert_eq!(free, vec![span(16, 20), span(17, 21), span(18, 22)]);
        // With the afternoon taken too, the next morning.
        let spans = [span(10, 22), span(10, 22)];
        let free = free_windows(&spans, 2, &search);
        assert_eq!(free[0], span(24 + 6, 24 + 10));
        for window in &free {
            assert!(fits(&spans, 2, *window) && within_hours(*window, hours));
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        Register { from: i64, hours: i64 },
        Change { which: usize, from: i64, hours: i64 },
        Cancel { which: usize },
        Extend { which: usize, hours: i64 },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..40i64, 1..12i64).prop_map(|(from, hours)| Op::Register { from, hours }),
            (0..50usize, 0..40i64, 1..12i64).prop_map(|(which, from, hours)| Op::Change {
                which,
                from,
                hours
            }),
            (0..50usize).prop_map(|which| Op::Cancel { which }),
            (0..50usize, 1..6i64).prop_map(|(which, hours)| Op::Extend { which, hours }),
        ]
    }

    /// The brute-force count at every half hour: what `peak` must never let exceed the pool.
    fn busiest(spans: &[Span]) -> usize {
        (0..=60 * 2)
            .map(|half| at(0, 30 * half))
            .map(|instant| {
                spans
                    .iter()
                    .filter(|s| s.starts_at <= instant && instant < s.ends_at)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    proptest! {
        #[test]
        fn no_instant_ever_holds_more_visits_than_spots(spots in 1u32..6, ops in proptest::collection::vec(op(), 1..80)) {
            let mut live: Vec<Span> = Vec::new();
            for op in ops {
                match op {
                    Op::Register { from, hours } => {
                        let window = span(from, from + hours);
                        if fits(&live, spots, window) {
                            live.push(window);
                        }
                    }
                    Op::Change { which, from, hours } if !live.is_empty() => {
                        let which = which % live.len();
                        let others: Vec<Span> = live.iter().enumerate().filter(|(i, _)| *i != which).map(|(_, s)| *s).collect();
                        let window = span(from, from + hours);
                        if fits(&others, spots, window) {
                            live[which] = window;
                        }
                    }
                    Op::Cancel { which } if !live.is_empty() => {
                        live.remove(which % live.len());
                    }
                    Op::Extend { which, hours } if !live.is_empty() => {
                        let which = which % live.len();
                        let old = live[which];
                        let more = Span::new(old.ends_at, old.ends_at + Duration::hours(hours));
                        let others: Vec<Span> = live.iter().enumerate().filter(|(i, _)| *i != which).map(|(_, s)| *s).collect();
                        if fits(&others, spots, more) {
                            live[which] = Span::new(old.starts_at, more.ends_at);
                        }
                    }
                    _ => {}
                }
                prop_assert!(busiest(&live) <= spots as usize);
                prop_assert_eq!(peak(&live, span(0, 60)), busiest(&live));
            }
        }
    }
}
