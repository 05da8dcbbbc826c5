//! 公益集市 and 共享小屋 bookings: `book_service` and `cancel_booking`. The capacity rule and
//! the household limit are `market::booking`'s, decided by the server inside its write
//! transaction; the phone shows its own request as 待同步 / 待确认, never as booked.

use uuid::Uuid;

use super::{Definition, Label, Local, Optimistic, Redo, RejectCode, Rejection, Touches};
use crate::field::FieldError;
use crate::market::booking::{
    self, AcceptPromotionArgs, BookServiceArgs, BookingState, CancelBookingArgs,
    CancelMarketDayArgs, ConfirmServiceArgs, JoinWaitlistArgs, MarkNoShowArgs, Refusal,
    UpdateMarketSlotArgs,
};
use crate::wire::{BookingView, WaitlistView};

/// `book_service`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookService {
    pub id: Uuid,
    pub slot_id: Uuid,
    pub note: String,
    pub for_household: Option<Uuid>,
}

/// "理发 12-09 09:00" — a slot named for a label, from the phone's rows.
fn slot_words(local: &Local, slot_id: Uuid) -> String {
    let Some(slot) = local.rows.market_slot(slot_id) else {
        return String::new();
    };
    let service = local
        .rows
        .market_service(slot.service_id)
        .map(|s| s.name)
        .unwrap_or_default();
    format!("{service} {}", crate::time::day_and_clock(slot.starts_at))
}

/// "赵*珍 理发 12-09 09:00" — a booking named for a volunteer's label, from the phone's rows.
fn booking_words(local: &Local, booking_id: Uuid) -> String {
    local
        .rows
        .booking(booking_id)
        .map(|b| format!("{} {}", b.who, slot_words(local, b.slot_id)))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A booked booking as the phone expects it after `change` (nothing for any other state).
fn from_booked(
    local: &Local,
    booking_id: Uuid,
    change: impl FnOnce(&mut BookingView),
) -> Vec<Optimistic> {
    local
        .rows
        .booking(booking_id)
        .filter(|b| b.state == BookingState::Booked)
        .map(|mut booking| {
            change(&mut booking);
            Optimistic::booking(&booking)
        })
        .into_iter()
        .collect()
}

impl Definition for BookServiceArgs {
    const NAME: &'static str = "book_service";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = BookService;

    fn parse(&self) -> Result<BookService, Vec<FieldError>> {
        Ok(BookService {
            id: self.id,
            slot_id: self.slot_id,
            note: booking::note(&self.note).map_err(|e| vec![e])?,
            for_household: self.for_household,
        })
    }

    fn touches(book: &BookService) -> Touches {
        Touches {
            slot: Some(book.slot_id),
            household: book.for_household,
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        Label::about("预约", "Book", &slot_words(local, self.slot_id))
    }

    /// A resident's booking is redone on 集市; staff's 代预约 on 集市管理.
    fn redo(&self) -> Redo {
        if self.for_household.is_some() {
            Redo::MarketSetup
        } else {
            Redo::Market
        }
    }

    /// The phone's own request, `requested` (待同步, then 待确认) with no pass, until the
    /// server's row replaces it.
    fn optimistic(book: &BookService, local: &Local) -> Vec<Optimistic> {
        let Some(slot) = local.rows.market_slot(book.slot_id) else {
            return Vec::new();
        };
        vec![Optimistic::booking(&BookingView {
            id: book.id,
            service_id: slot.service_id,
            slot_id: slot.id,
            community_id: slot.community_id,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            state: BookingState::Requested,
            own: book.for_household.is_none(),
            who: if book.for_household.is_some() {
                String::new()
            } else {
                local.display_name.to_string()
            },
            household: book
                .for_household
                .and_then(|id| local.rows.household(id))
                .map(|h| h.label)
                .unwrap_or_default(),
            note: book.note.clone(),
            on_behalf: book.for_household.is_some(),
            pass: None,
            served_at: None,
            served_by: String::new(),
            cancel_reason: String::new(),
        })]
    }
}

/// `cancel_booking`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelBooking {
    pub booking_id: Uuid,
}

impl Definition for CancelBookingArgs {
    const NAME: &'static str = "cancel_booking";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = CancelBooking;

    fn parse(&self) -> Result<CancelBooking, Vec<FieldError>> {
        Ok(CancelBooking {
            booking_id: self.booking_id,
        })
    }

    fn touches(cancel: &CancelBooking) -> Touches {
        Touches {
            booking: Some(cancel.booking_id),
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        let about = local
            .rows
            .booking(self.booking_id)
            .map(|b| slot_words(local, b.slot_id))
            .unwrap_or_default();
        Label::about("取消预约", "Cancel a booking", &about)
    }

    fn redo(&self) -> Redo {
        Redo::Market
    }

    /// The booking shown as cancelled (待同步) without its pass.
    fn optimistic(cancel: &CancelBooking, local: &Local) -> Vec<Optimistic> {
        local
            .rows
            .booking(cancel.booking_id)
            .map(|mut booking| {
                booking.state = BookingState::Cancelled;
                booking.pass = None;
                Optimistic::booking(&booking)
            })
            .into_iter()
            .collect()
    }
}

/// `confirm_service`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmService {
    pub booking_id: Uuid,
    pub confirmed_at: chrono::DateTime<chrono::Utc>,
    pub offline: bool,
}

impl Definition for ConfirmServiceArgs {
    const NAME: &'static str = "confirm_service";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = ConfirmService;

    fn parse(&self) -> Result<ConfirmService, Vec<FieldError>> {
        Ok(ConfirmService {
            booking_id: self.booking_id,
            confirmed_at: self.confirmed_at,
            offline: self.offline,
        })
    }

    fn touches(confirm: &ConfirmService) -> Touches {
        Touches {
            booking: Some(confirm.booking_id),
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        Label::about(
            "确认已服务",
            "Confirm served",
            &booking_words(local, self.booking_id),
        )
    }

    fn redo(&self) -> Redo {
        Redo::Today
    }

    /// The booking shown as served (待同步) by this volunteer.
    fn optimistic(confirm: &ConfirmService, local: &Local) -> Vec<Optimistic> {
        from_booked(local, confirm.booking_id, |booking| {
            booking.state = BookingState::Served;
            booking.served_at = Some(confirm.confirmed_at);
            booking.served_by = local.display_name.to_string();
        })
    }
}

/// `mark_no_show`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkNoShow {
    pub booking_id: Uuid,
}

impl Definition for MarkNoShowArgs {
    const NAME: &'static str = "mark_no_show";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = MarkNoShow;

    fn parse(&self) -> Result<MarkNoShow, Vec<FieldError>> {
        Ok(MarkNoShow {
            booking_id: self.booking_id,
        })
    }

    fn touches(mark: &MarkNoShow) -> Touches {
        Touches {
            booking: Some(mark.booking_id),
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        Label::about(
            "记为未到",
            "Mark as not come",
            &booking_words(local, self.booking_id),
        )
    }

    fn redo(&self) -> Redo {
        Redo::Today
    }

    fn optimistic(mark: &MarkNoShow, local: &Local) -> Vec<Optimistic> {
        from_booked(local, mark.booking_id, |booking| {
            booking.state = BookingState::NoShow
        })
    }
}

/// `join_waitlist`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinWaitlist {
    pub id: Uuid,
    pub slot_id: Uuid,
    pub note: String,
}

impl Definition for JoinWaitlistArgs {
    const NAME: &'static str = "join_waitlist";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = JoinWaitlist;

    fn parse(&self) -> Result<JoinWaitlist, Vec<FieldError>> {
        Ok(JoinWaitlist {
            id: self.id,
            slot_id: self.slot_id,
            note: booking::note(&self.note).map_err(|e| vec![e])?,
        })
    }

    fn touches(join: &JoinWaitlist) -> Touches {
        Touches {
            slot: Some(join.slot_id),
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        Label::about(
            "加入候补",
            "Join the waiting list",
            &slot_words(local, self.slot_id),
        )
    }

    fn redo(&self) -> Redo {
        Redo::Market
    }

    /// The place asked for, `requested` until the server has it.
    fn optimistic(join: &JoinWaitlist, local: &Local) -> Vec<Optimistic> {
        let Some(slot) = local.rows.market_slot(join.slot_id) else {
            return Vec::new();
        };
        vec![Optimistic::waitlist(&WaitlistView {
            id: join.id,
            slot_id: slot.id,
            service_id: slot.service_id,
            community_id: slot.community_id,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            state: "requested".into(),
            offer_until: None,
            note: join.note.clone(),
        })]
    }
}

/// `accept_promotion`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptPromotion {
    pub waitlist_id: Uuid,
    pub booking_id: Uuid,
}

impl Definition for AcceptPromotionArgs {
    const NAME: &'static str = "accept_promotion";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = AcceptPromotion;

    fn parse(&self) -> Result<AcceptPromotion, Vec<FieldError>> {
        Ok(AcceptPromotion {
            waitlist_id: self.waitlist_id,
            booking_id: self.booking_id,
        })
    }

    fn touches(accept: &AcceptPromotion) -> Touches {
        Touches {
            waitlist: Some(accept.waitlist_id),
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        let about = local
            .rows
            .waitlist(self.waitlist_id)
            .map(|w| slot_words(local, w.slot_id))
            .unwrap_or_default();
        Label::about("确认候补名额", "Take the offered seat", &about)
    }

    fn redo(&self) -> Redo {
        Redo::Market
    }

    /// The booking asked for (`requested`, no pass) until the server gives the seat.
    fn optimistic(accept: &AcceptPromotion, local: &Local) -> Vec<Optimistic> {
        local
            .rows
            .waitlist(accept.waitlist_id)
            .map(|entry| {
                Optimistic::booking(&BookingView {
                    id: accept.booking_id,
                    service_id: entry.service_id,
                    slot_id: entry.slot_id,
                    community_id: entry.community_id,
                    starts_at: entry.starts_at,
                    ends_at: entry.ends_at,
                    state: BookingState::Requested,
                    own: true,
                    who: local.display_name.to_string(),
                    household: String::new(),
                    note: entry.note,
                    on_behalf: false,
                    pass: None,
                    served_at: None,
                    served_by: String::new(),
                    cancel_reason: String::new(),
                })
            })
            .into_iter()
            .collect()
    }
}

impl From<Refusal> for Rejection {
    /// A slot with no seat left is `full` with the nearest free slots; every other refusal
    /// is a conflict with the state of things, explained.
    fn from(refusal: Refusal) -> Rejection {
        let (zh, en) = refusal.explain();
        match refusal {
            Refusal::Full { alternatives } => Rejection {
                alternatives,
                ..Rejection::explained(RejectCode::Full, zh, en)
            },
            _ => Rejection::explained(RejectCode::Conflict, zh, en),
        }
    }
}

/// `update_market_slot`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateMarketSlot {
    pub slot_id: Uuid,
    pub capacity: u32,
    pub closed: bool,
}

impl Definition for UpdateMarketSlotArgs {
    const NAME: &'static str = "update_market_slot";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = UpdateMarketSlot;

    fn parse(&self) -> Result<UpdateMarketSlot, Vec<FieldError>> {
        Ok(UpdateMarketSlot {
            slot_id: self.slot_id,
            capacity: booking::capacity(self.capacity).map_err(|e| vec![e])?,
            closed: self.closed,
        })
    }

    fn touches(update: &UpdateMarketSlot) -> Touches {
        Touches {
            slot: Some(update.slot_id),
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        let (zh, en) = if self.closed {
            ("暂停预约", "Close for booking")
        } else {
            ("设名额", "Set seats")
        };
        let about = format!("{} · {}", slot_words(local, self.slot_id), self.capacity);
        Label::about(zh, en, about.trim_start_matches(" · "))
    }

    fn redo(&self) -> Redo {
        Redo::MarketSetup
    }

    /// The slot with its new seats and state, until the server answers.
    fn optimistic(update: &UpdateMarketSlot, local: &Local) -> Vec<Optimistic> {
        local
            .rows
            .market_slot(update.slot_id)
            .map(|mut slot| {
                slot.capacity = update.capacity;
                slot.closed = update.closed;
                Optimistic::market_slot(&slot)
            })
            .into_iter()
            .collect()
    }
}

/// `cancel_market_day`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelMarketDay {
    pub service_id: Uuid,
    pub day: chrono::NaiveDate,
    pub reason: String,
}

impl Definition for CancelMarketDayArgs {
    const NAME: &'static str = "cancel_market_day";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = CancelMarketDay;

    fn parse(&self) -> Result<CancelMarketDay, Vec<FieldError>> {
        Ok(CancelMarketDay {
            service_id: self.service_id,
            day: self.day,
            reason: booking::reason(&self.reason).map_err(|e| vec![e])?,
        })
    }

    fn touches(cancel: &CancelMarketDay) -> Touches {
        Touches {
            service: Some(cancel.service_id),
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        let service = local
            .rows
            .market_service(self.service_id)
            .map(|s| s.name)
            .unwrap_or_default();
        let about = format!("{service} {}", self.day.format("%m-%d"));
        Label::about("取消这天的服务", "Call off the day", about.trim())
    }

    fn redo(&self) -> Redo {
        Redo::MarketSetup
    }

    /// The households' bookings change on the server (each phone hears it by pull); this
    /// phone waits for the answer too.
    fn optimistic(_: &CancelMarketDay, _: &Local) -> Vec<Optimistic> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::ServiceMode;
    use crate::mutation::{Mutation, Rows};
    use crate::wire::{
        CommunityRulesView, DialogueView, HouseholdView, IssueView, MarketServiceView,
        MarketSlotView, PersonView,
    };
    use chrono::{DateTime, TimeZone, Utc};
    use serde_json::json;

    /// The phone's rows: one service with one slot, and bookings.
    struct Market {
        service: MarketServiceView,
        slot: MarketSlotView,
        bookings: Vec<BookingView>,
    }

    impl Rows for Market {
        fn issue(&self, _: Uuid) -> Option<IssueView> {
            None
        }
        fn dialogue(&self, _: Uuid) -> Option<DialogueView> {
            None
        }
        fn household(&self, _: Uuid) -> Option<HouseholdView> {
            None
        }
        fn person(&self, _: Uuid) -> Option<PersonView> {
            None
        }
        fn community(&self, _: &str) -> Option<CommunityRulesView> {
            None
        }
        fn market_slot(&self, id: Uuid) -> Option<MarketSlotView> {
            (self.slot.id == id).then(|| self.slot.clone())
        }
        fn market_service(&self, id: Uuid) -> Option<MarketServiceView> {
            (self.service.id == id).then(|| self.service.clone())
        }
        fn booking(&self, id: Uuid) -> Option<BookingView> {
            self.bookings.iter().find(|b| b.id == id).cloned()
        }
        fn waitlist(&self, _: Uuid) -> Option<crate::wire::WaitlistView> {
            None
        }
        fn visit(&self, _: Uuid) -> Option<crate::wire::VisitView> {
            None
        }
        fn parking_pool(&self, _: &str) -> Option<crate::wire::ParkingPoolView> {
            None
        }
    }

    fn market() -> Market {
        let starts_at = Utc.with_ymd_and_hms(2026, 12, 9, 1, 0, 0).unwrap();
        Market {
            service: MarketServiceView {
                id: Uuid::from_u128(1),
                community_id: "jiulong".into(),
                venue: "market".into(),
                name: "理发".into(),
                mode: ServiceMode::AtPlace,
                place: "新时代文明实践站".into(),
                serves: false,
                walk_in: false,
                opens: "08:30".into(),
                closes: "11:30".into(),
                slot_minutes: 30,
                monthly_day: Some(9),
            },
            slot: MarketSlotView {
                id: Uuid::from_u128(2),
                service_id: Uuid::from_u128(1),
                community_id: "jiulong".into(),
                starts_at,
                ends_at: starts_at + chrono::Duration::minutes(30),
                capacity: 2,
                booked: 1,
                held: 0,
                closed: false,
            },
            bookings: Vec::new(),
        }
    }

    fn local(rows: &Market) -> Local<'_> {
        Local {
            user_id: Uuid::from_u128(9),
            display_name: "孙德华",
            home_community: "jiulong",
            now: DateTime::UNIX_EPOCH,
            rows,
        }
    }

    #[test]
    fn the_phone_shows_its_request_as_requested_without_a_pass_and_names_it() {
        let rows = market();
        let args = BookServiceArgs {
            id: Uuid::from_u128(7),
            slot_id: rows.slot.id,
            note: " 上午10点后在家 ".into(),
            for_household: None,
        };
        let valid = args.parse().unwrap();
        assert_eq!(valid.note, "上午10点后在家");
        let rows_shown = BookServiceArgs::optimistic(&valid, &local(&rows));
        let view: BookingView = serde_json::from_value(rows_shown[0].data.clone()).unwrap();
        assert_eq!(view.state, BookingState::Requested);
        assert_eq!(view.pass, None);
        assert_eq!(view.who, "孙德华");
        // 09:00 in Beijing.
        assert_eq!(args.label(&local(&rows)).zh, "预约：理发 12-09 09:00");
        let cancel = CancelBookingArgs {
            booking_id: view.id,
        };
        let rows = Market {
            bookings: vec![BookingView {
                state: BookingState::Booked,
                pass: Some("token".into()),
                ..view
            }],
            ..market()
        };
        let cancelled = CancelBookingArgs::optimistic(&cancel.parse().unwrap(), &local(&rows));
        let view: BookingView = serde_json::from_value(cancelled[0].data.clone()).unwrap();
        assert_eq!((view.state, view.pass), (BookingState::Cancelled, None));
        assert_eq!(
            cancel.label(&local(&rows)).en,
            "Cancel a booking: 理发 12-09 09:00"
        );
    }

    #[test]
    fn staff_booking_for_a_household_is_redone_on_market_set_up() {
        let mut args = BookServiceArgs {
            id: Uuid::from_u128(9),
            slot_id: market().slot.id,
            note: String::new(),
            for_household: None,
        };
        assert_eq!(args.redo(), Redo::Market);
        args.for_household = Some(Uuid::from_u128(5));
        assert_eq!(args.redo(), Redo::MarketSetup);
        let rows = market();
        let queued = BookServiceArgs::optimistic(&args.parse().unwrap(), &local(&rows));
        let view: BookingView = serde_json::from_value(queued[0].data.clone()).unwrap();
        assert!(view.on_behalf && !view.own);
    }

    #[test]
    fn a_long_note_is_refused_with_its_field() {
        let args = json!({"id": Uuid::nil(), "slot_id": Uuid::nil(), "note": "很".repeat(61)});
        let rejection = Mutation::parse("book_service", 1, &args).unwrap_err();
        assert_eq!(rejection.fields[0].field, "note");
        assert_eq!(
            rejection.message(crate::Lang::Zh),
            "说明最多60个字，现在有61个字"
        );
    }

    #[test]
    fn a_full_slot_is_rejected_as_full_with_the_alternatives_kept_in_the_result() {
        let alternatives = vec![Uuid::from_u128(3), Uuid::from_u128(4)];
        let rejection = Rejection::from(Refusal::Full {
            alternatives: alternatives.clone(),
        });
        let result = rejection.to_result(5);
        assert_eq!(result.code.as_deref(), Some("full"));
        assert_eq!(result.alternatives, alternatives);
        assert!(result.message.unwrap().starts_with("名额已满"));
        let limit = Rejection::from(Refusal::HouseholdLimit { max: 1 });
        assert_eq!(limit.code, RejectCode::Conflict);
        assert!(limit.alternatives.is_empty());
    }
}
