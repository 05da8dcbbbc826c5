//! Staff set up the market and the shared house: `create_market_service` (a service, its
//! hours and slot length, its volunteers, its monthly day) and `add_market_day` (a one-off
//! day). The slots themselves are cut on the server by `market::schedule`, so the phone shows
//! the request as 待同步 and the service's days once the server has made them.

use super::{Definition, Label, Local, Optimistic, Redo, Touches};
use crate::field::FieldError;
use crate::market::schedule::{AddMarketDayArgs, CreateMarketService, CreateMarketServiceArgs};

impl Definition for CreateMarketServiceArgs {
    const NAME: &'static str = "create_market_service";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = CreateMarketService;

    fn parse(&self) -> Result<CreateMarketService, Vec<FieldError>> {
        self.validate()
    }

    fn touches(create: &CreateMarketService) -> Touches {
        Touches {
            community: Some(create.community_id.clone()),
            ..Touches::default()
        }
    }

    fn label(&self, _: &Local) -> Label {
        Label::about("新增服务", "Add a service", self.name.trim())
    }

    fn redo(&self) -> Redo {
        Redo::MarketSetup
    }

    /// The service and its days come from the server (it cuts the slots).
    fn optimistic(_: &CreateMarketService, _: &Local) -> Vec<Optimistic> {
        Vec::new()
    }
}

impl Definition for AddMarketDayArgs {
    const NAME: &'static str = "add_market_day";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = AddMarketDayArgs;

    fn parse(&self) -> Result<AddMarketDayArgs, Vec<FieldError>> {
        Ok(self.clone())
    }

    fn touches(add: &AddMarketDayArgs) -> Touches {
        Touches {
            service: Some(add.service_id),
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
        Label::about("加一天", "Add a day", about.trim())
    }

    fn redo(&self) -> Redo {
        Redo::MarketSetup
    }

    /// The day's slots come from the server.
    fn optimistic(_: &AddMarketDayArgs, _: &Local) -> Vec<Optimistic> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use crate::field::FieldErrorKind;
    use crate::market::schedule::CreateMarketServiceArgs;
    use crate::market::{ServiceMode, Venue};
    use crate::mutation::Mutation;
    use serde_json::json;

    fn haircut() -> serde_json::Value {
        json!({
            "id": "5b0c6c1e-3c1f-4a36-9d2f-1a2b3c4d5e6f",
            "community_id": "jiulong",
            "venue": "market",
            "name": " 理发 ",
            "mode": "at_place",
            "place": "新时代文明实践站",
            "opens": "08:30",
            "closes": "11:30",
            "slot_minutes": 30,
            "per_volunteer": 1,
            "monthly_day": 9,
            "volunteers": []
        })
    }

    #[test]
    fn a_haircut_stall_on_the_ninth_parses_with_six_slots() {
        let Mutation::CreateMarketService(create) =
            Mutation::parse("create_market_service", 1, &haircut()).unwrap()
        else {
            panic!("a create_market_service");
        };
        assert_eq!(create.name, "理发");
        assert_eq!(create.venue, Venue::Market);
        assert_eq!(create.monthly_day, Some(9));
        assert_eq!(create.setup.day_slots().unwrap().len(), 6);
        // Nobody listed counts one on duty.
        assert_eq!(create.setup.seats(0), 1);
        assert_eq!(create.setup.seats(2), 2);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut args = haircut();
        args["name"] = json!("");
        args["place"] = json!("");
        args["opens"] = json!("half past eight");
        args["per_volunteer"] = json!(0);
        args["monthly_day"] = json!(32);
        let rejection = Mutation::parse("create_market_service", 1, &args).unwrap_err();
        let fields: Vec<&str> = rejection.fields.iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            vec!["name", "place", "opens", "per_volunteer", "monthly_day"]
        );
    }

    #[test]
    fn hours_shorter_than_a_slot_or_backwards_are_refused() {
        let mut args = haircut();
        args["closes"] = json!("08:45");
        let rejection = Mutation::parse("create_market_service", 1, &args).unwrap_err();
        assert_eq!(rejection.fields[0].field, "closes");
        args["closes"] = json!("08:00");
        let rejection = Mutation::parse("create_market_service", 1, &args).unwrap_err();
        assert_eq!(rejection.fields[0].kind, FieldErrorKind::Invalid);
    }

    #[test]
    fn a_reading_room_is_walk_in_with_its_hours_as_one_closed_slot_and_no_seats() {
        let args = CreateMarketServiceArgs {
            id: uuid::Uuid::new_v4(),
            community_id: "jiulong".into(),
            venue: Venue::SharedHouse,
            name: "共享阅览".into(),
            mode: ServiceMode::AtPlace,
            place: "九福共享小屋".into(),
            walk_in: true,
            opens: "14:00".into(),
            closes: "17:00".into(),
            slot_minutes: 0,
            per_volunteer: 0,
            monthly_day: Some(9),
            volunteers: vec![],
        };
        let create = args.validate().unwrap();
        assert_eq!(create.setup.day_slots().unwrap().len(), 1);
        assert_eq!(create.setup.seats(3), 0);
        // Door to door cannot be walk-in.
        let door = CreateMarketServiceArgs {
            mode: ServiceMode::AtHome,
            ..args
        };
        assert_eq!(door.validate().unwrap_err()[0].field, "walk_in");
    }

    #[test]
    fn door_to_door_needs_no_place_or_hours_and_gets_two_windows() {
        let mut args = haircut();
        args["mode"] = json!("at_home");
        args["place"] = json!("");
        args["opens"] = json!("");
        args["closes"] = json!("");
        args["per_volunteer"] = json!(3);
        let Mutation::CreateMarketService(create) =
            Mutation::parse("create_market_service", 1, &args).unwrap()
        else {
            panic!("a create_market_service");
        };
        assert_eq!(create.setup.day_slots().unwrap().len(), 2);
        assert_eq!(create.place, "");
        assert_eq!(create.setup.seats(1), 3);
    }
}
