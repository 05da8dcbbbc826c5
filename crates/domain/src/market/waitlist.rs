//! The waitlist of a full slot: a freed seat is offered to the first in line, held for them
//! for a window (two hours by default, never past the slot's start), and moved on to the next
//! when the offer lapses. The people in line are told on their phone.
//!
//! `settle` is the whole rule: the server runs it in its write transaction whenever a seat
//! frees (a cancellation, a capacity raised) and whenever it reads the slot to book it (offers
//! lapse by time alone).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::booking::Limits;

/// Where an entry of the waitlist stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WaitState {
    /// In line.
    Waiting,
    /// A seat is held for them until `until`: they accept (a booking) or it lapses.
    Offered { until: DateTime<Utc> },
    /// The offer lapsed unanswered; the seat moved on.
    Lapsed,
    /// They accepted: the entry became a booking.
    Accepted,
    /// They left the line.
    Left,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitEntry {
    pub id: Uuid,
    pub joined_at: DateTime<Utc>,
    pub state: WaitState,
}

/// What `settle` changed, for the server to store and to tell the phones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Offered { entry: Uuid, until: DateTime<Utc> },
    Lapsed { entry: Uuid },
}

impl WaitState {
    /// The stored and wire code (`offered` without its time).
    pub fn code(self) -> &'static str {
        match self {
            WaitState::Waiting => "waiting",
            WaitState::Offered { .. } => "offered",
            WaitState::Lapsed => "lapsed",
            WaitState::Accepted => "accepted",
            WaitState::Left => "left",
        }
    }

    /// Reads a stored state (`offered` needs its time).
    pub fn from_code(code: &str, until: Option<DateTime<Utc>>) -> Option<WaitState> {
        Some(match (code, until) {
            ("waiting", _) => WaitState::Waiting,
            ("offered", Some(until)) => WaitState::Offered { until },
            ("lapsed", _) => WaitState::Lapsed,
            ("accepted", _) => WaitState::Accepted,
            ("left", _) => WaitState::Left,
            _ => return None,
        })
    }
}

/// How long a promoted person has to accept: the window, or until the slot starts.
pub fn offer_until(
    now: DateTime<Utc>,
    slot_starts_at: DateTime<Utc>,
    limits: &Limits,
) -> DateTime<Utc> {
    (now + Duration::minutes(limits.promotion_minutes)).min(slot_starts_at)
}

/// Lapses the offers whose time has passed, then offers the seats free of bookings and live
/// offers to the people waiting longest. `free_of_bookings` is capacity minus confirmed
/// bookings; no offer is made once the slot has started or while it is closed.
pub fn settle(
    entries: &mut [WaitEntry],
    free_of_bookings: u32,
    slot: (DateTime<Utc>, bool),
    limits: &Limits,
    now: DateTime<Utc>,
) -> Vec<Change> {
    let (slot_starts_at, closed) = slot;
    let mut changes = Vec::new();
    for entry in entries.iter_mut() {
        if let WaitState::Offered { until } = entry.state {
            if now >= until {
                entry.state = WaitState::Lapsed;
                changes.push(Change::Lapsed { entry: entry.id });
            }
        }
    }
    if closed || now >= slot_starts_at {
        return changes;
    }
    let live_offers = entries
        .iter()
        .filter(|e| matches!(e.state, WaitState::Offered { .. }))
        .count() as u32;
    let mut seats = free_of_bookings.saturating_sub(live_offers);
    let mut order: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].state == WaitState::Waiting)
        .collect();
    order.sort_by_key(|&i| (entries[i].joined_at, entries[i].id));
    for i in order {
        if seats == 0 {
            break;
        }
        let until = offer_until(now, slot_starts_at, limits);
        entries[i].state = WaitState::Offered { until };
        changes.push(Change::Offered {
            entry: entries[i].id,
            until,
        });
        seats -= 1;
    }
    changes
}

/// Seats held by live offers at `now` (they count as taken for new bookings).
pub fn held(entries: &[WaitEntry], now: DateTime<Utc>) -> u32 {
    entries
        .iter()
        .filter(|e| matches!(e.state, WaitState::Offered { until } if now < until))
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 9, h, m, 0).unwrap()
    }

    fn waiting(n: u128, joined: DateTime<Utc>) -> WaitEntry {
        WaitEntry {
            id: Uuid::from_u128(n),
            joined_at: joined,
            state: WaitState::Waiting,
        }
    }

    #[test]
    fn a_freed_seat_goes_to_the_first_in_line_for_two_hours() {
        let limits = Limits::default();
        let mut line = vec![waiting(2, at(1, 5)), waiting(1, at(1, 0))];
        let changes = settle(&mut line, 1, (at(9, 0), false), &limits, at(3, 0));
        assert_eq!(
            changes,
            vec![Change::Offered {
                entry: Uuid::from_u128(1),
                until: at(5, 0)
            }]
        );
        assert_eq!(line[1].state, WaitState::Offered { until: at(5, 0) });
        assert_eq!(line[0].state, WaitState::Waiting);
        assert_eq!(held(&line, at(4, 0)), 1);
        // Settling again changes nothing: the seat is held.
        assert!(settle(&mut line, 1, (at(9, 0), false), &limits, at(4, 0)).is_empty());
    }

    #[test]
    fn an_offer_never_runs_past_the_slot_start() {
        let mut line = vec![waiting(1, at(1, 0))];
        settle(
            &mut line,
            1,
            (at(8, 30), false),
            &Limits::default(),
            at(8, 0),
        );
        assert_eq!(line[0].state, WaitState::Offered { until: at(8, 30) });
    }

    #[test]
    fn a_lapsed_offer_moves_the_seat_on() {
        let limits = Limits::default();
        let mut line = vec![waiting(1, at(1, 0)), waiting(2, at(1, 5))];
        settle(&mut line, 1, (at(9, 0), false), &limits, at(3, 0));
        let changes = settle(&mut line, 1, (at(9, 0), false), &limits, at(5, 0));
        assert_eq!(
            changes,
            vec![
                Change::Lapsed {
                    entry: Uuid::from_u128(1)
                },
                Change::Offered {
                    entry: Uuid::from_u128(2),
                    until: at(7, 0)
                }
            ]
        );
        assert_eq!(held(&line, at(5, 0)), 1);
    }

    #[test]
    fn no_offer_once_the_slot_has_started_and_none_beyond_the_free_seats() {
        let limits = Limits::default();
        let mut line = vec![waiting(1, at(1, 0)), waiting(2, at(1, 5))];
        assert!(settle(&mut line, 2, (at(9, 0), false), &limits, at(9, 0)).is_empty());
        assert!(settle(&mut line, 0, (at(9, 0), false), &limits, at(3, 0)).is_empty());
        let changes = settle(&mut line, 2, (at(9, 0), false), &limits, at(3, 0));
        assert_eq!(changes.len(), 2);
    }

    #[test]
    fn a_closed_slot_makes_no_offer() {
        let mut line = vec![waiting(1, at(1, 0))];
        assert!(settle(&mut line, 1, (at(9, 0), true), &Limits::default(), at(3, 0)).is_empty());
        assert_eq!(line[0].state, WaitState::Waiting);
    }

    #[test]
    fn those_who_left_or_accepted_are_skipped() {
        let mut line = vec![
            WaitEntry {
                state: WaitState::Left,
                ..waiting(1, at(1, 0))
            },
            WaitEntry {
                state: WaitState::Accepted,
                ..waiting(2, at(1, 1))
            },
            waiting(3, at(1, 2)),
        ];
        let changes = settle(
            &mut line,
            1,
            (at(9, 0), false),
            &Limits::default(),
            at(3, 0),
        );
        assert_eq!(
            changes,
            vec![Change::Offered {
                entry: Uuid::from_u128(3),
                until: at(5, 0)
            }]
        );
    }
}
