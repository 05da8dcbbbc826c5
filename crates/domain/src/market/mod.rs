//! 公益集市 and 共享小屋: services given in capacity-limited slots on set days, booked by
//! households, confirmed by a volunteer scanning a signed pass. One slot engine serves both
//! (the market's haircuts and repairs, the shared house's kitchen and health checks).
//!
//! - `schedule` — market days from a monthly rule, the slots of a day, capacity from the
//!   volunteers on duty, and the staff's changes to it.
//! - `booking` — whether a household may take a seat (never overbooked; the household limit;
//!   the cancellation cut-off) and the nearest free slots offered when one is full.
//! - `waitlist` — a freed seat offered in order of joining, held for a window, then moved on.
//! - `pass` — the booking's pass, signed by the server with Ed25519 and checked offline.
//!
//! Pure: the server calls these inside its write transaction, where the counts are exact;
//! the phone calls the same functions to say what it can before the server answers.

pub mod booking;
pub mod pass;
pub mod schedule;
pub mod waitlist;

use serde::{Deserialize, Serialize};

/// How a service is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ServiceMode {
    /// 定点服务: at a place (理发 and 缝补 at the 新时代文明实践站), in timed slots.
    AtPlace,
    /// 上门服务: at the resident's home (跑买办, 水电维修), in half-day windows.
    AtHome,
}

impl ServiceMode {
    pub fn code(self) -> &'static str {
        match self {
            ServiceMode::AtPlace => "at_place",
            ServiceMode::AtHome => "at_home",
        }
    }
}

/// Where a service is given from: the market's stalls (公益集市) or the shared house (共享小屋).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Venue {
    Market,
    SharedHouse,
}

impl Venue {
    pub fn code(self) -> &'static str {
        match self {
            Venue::Market => "market",
            Venue::SharedHouse => "shared_house",
        }
    }
}
