//! 孝心车位: a community's pool of visitor spots (杉湾花园: 12), the visits residents register
//! for their visiting children, and the guard's checks at the gate.
//!
//! - `plate`: licence plates read, checked, shown and masked.
//! - `capacity`: interval capacity — no instant ever holds more visits than spots.
//! - `visit`: the pool's rules, the mutations' arguments, the household limits, overstay.
//!
//! The pass is the market's (`market::pass`): the visit's id as the booking, the pool's id as
//! the service, the arrival window, and the plate masked where the name would be.

pub mod capacity;
pub mod plate;
pub mod visit;

pub use capacity::Span;
pub use plate::Plate;
pub use visit::{PoolRules, VisitStatus};
