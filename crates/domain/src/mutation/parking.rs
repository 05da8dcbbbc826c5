//! 孝心车位: `register_visit`, `change_visit`, `cancel_visit`, `gate_in`, `gate_out`,
//! `request_walk_up`, `approve_walk_up` and the pool's `set_parking_pool`. Interval capacity,
//! the pool's rules and the household limits are `parking::visit`'s, decided by the server
//! inside its write transaction; the phone shows its own request as 待同步 / 待确认, never as
//! booked.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Definition, Label, Local, Optimistic, Redo, RejectCode, Rejection, Touches};
use crate::field::FieldError;
use crate::parking::plate::{self, Plate, PlateKind};
use crate::parking::visit::{
    self, ApproveWalkUpArgs, CancelVisitArgs, ChangeVisitArgs, GateArgs, ParkRefusal,
    RegisterVisitArgs, RequestWalkUpArgs, SetParkingPoolArgs,
};
use crate::parking::{PoolRules, VisitStatus};
use crate::wire::{ParkingPoolView, VisitView};

impl From<ParkRefusal> for Rejection {
    /// A window with no spot free is `full` with the nearest free windows; every other
    /// refusal is a conflict with the state of things, explained.
    fn from(refusal: ParkRefusal) -> Rejection {
        let (zh, en) = refusal.explain();
        match refusal {
            ParkRefusal::Full { windows } => Rejection {
                windows,
                ..Rejection::explained(RejectCode::Full, zh, en)
            },
            _ => Rejection::explained(RejectCode::Conflict, zh, en),
        }
    }
}

/// "苏K·12345 12-08 09:00" — a visit named for a label, from the phone's rows.
fn visit_words(local: &Local, visit_id: Uuid) -> String {
    local
        .rows
        .visit(visit_id)
        .map(|v| {
            format!(
                "{} {}",
                plate::display(&v.plate),
                crate::time::day_and_clock(v.arrives_at)
            )
        })
        .unwrap_or_default()
}

/// The phone's visit after `change`, or nothing when it holds no such visit.
fn changed(local: &Local, visit_id: Uuid, change: impl FnOnce(&mut VisitView)) -> Vec<Optimistic> {
    local
        .rows
        .visit(visit_id)
        .map(|mut visit| {
            change(&mut visit);
            Optimistic::visit(&visit)
        })
        .into_iter()
        .collect()
}

/// A visit's plate and the other fields every registration checks, all problems at once.
fn fields(plate: &str, hours: u32, note: &str) -> Result<(Plate, u32, String), Vec<FieldError>> {
    let (plate, hours, note) = (Plate::parse(plate), visit::hours(hours), visit::note(note));
    match (plate, hours, note) {
        (Ok(plate), Ok(hours), Ok(note)) => Ok((plate, hours, note)),
        (plate, hours, note) => Err([plate.err(), hours.err(), note.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

/// `register_visit`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterVisit {
    pub id: Uuid,
    pub plate: Plate,
    pub arrives_at: DateTime<Utc>,
    pub hours: u32,
    pub relation: String,
    pub note: String,
    pub for_household: Option<Uuid>,
    pub over_limit: bool,
}

impl Definition for RegisterVisitArgs {
    const NAME: &'static str = "register_visit";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = RegisterVisit;

    fn parse(&self) -> Result<RegisterVisit, Vec<FieldError>> {
        let relation = visit::relation(&self.relation);
        let checked = fields(&self.plate, self.hours, &self.note);
        match (checked, relation) {
            (Ok((plate, hours, note)), Ok(relation)) => Ok(RegisterVisit {
                id: self.id,
                plate,
                arrives_at: self.arrives_at,
                hours,
                relation,
                note,
                for_household: self.for_household,
                over_limit: self.over_limit,
            }),
            (checked, relation) => {
                let mut errors = checked.err().unwrap_or_default();
                errors.extend(relation.err());
                Err(errors)
            }
        }
    }

    fn touches(register: &RegisterVisit) -> Touches {
        Touches {
            household: register.for_household,
            pool: true,
            ..Touches::default()
        }
    }

    fn label(&self, _: &Local) -> Label {
        let about = format!(
            "{} {}",
            plate::display(&plate::normalise(&self.plate)),
            crate::time::day_and_clock(self.arrives_at)
        );
        Label::about("登记访客车辆", "Register a visiting car", &about)
    }

    /// A resident's visit is redone on 车位; staff's on 车位管理.
    fn redo(&self) -> Redo {
        if self.for_household.is_some() {
            Redo::ParkingSetup
        } else {
            Redo::Parking
        }
    }

    /// The phone's own request, `requested` (待同步, then 待确认) with no pass, until the
    /// server's row replaces it.
    fn optimistic(register: &RegisterVisit, local: &Local) -> Vec<Optimistic> {
        let window = visit::window(register.arrives_at, register.hours);
        let household = register.for_household;
        // Staff's visit is in the household's community; a resident's in their home.
        let row = household.and_then(|id| local.rows.household(id));
        vec![Optimistic::visit(&VisitView {
            id: register.id,
            community_id: row
                .as_ref()
                .map(|h| h.community_id.clone())
                .unwrap_or_else(|| local.home_community.to_string()),
            household_id: household.unwrap_or_default(),
            plate: register.plate.as_str().to_string(),
            plate_masked: register.plate.masked(),
            unusual: register.plate.kind() == PlateKind::Unusual,
            arrives_at: window.starts_at,
            leaves_by: window.ends_at,
            status: VisitStatus::Requested,
            own: household.is_none(),
            household: row.map(|h| h.label).unwrap_or_default(),
            relation: register.relation.clone(),
            note: register.note.clone(),
            walk_up: false,
            over_limit: register.over_limit,
            entered_at: None,
            left_at: None,
            short_code: String::new(),
            pass: None,
        })]
    }
}

/// `change_visit`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeVisit {
    pub visit_id: Uuid,
    pub arrives_at: DateTime<Utc>,
    pub hours: u32,
}

impl Definition for ChangeVisitArgs {
    const NAME: &'static str = "change_visit";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = ChangeVisit;

    fn parse(&self) -> Result<ChangeVisit, Vec<FieldError>> {
        Ok(ChangeVisit {
            visit_id: self.visit_id,
            arrives_at: self.arrives_at,
            hours: visit::hours(self.hours).map_err(|e| vec![e])?,
        })
    }

    fn touches(change: &ChangeVisit) -> Touches {
        Touches {
            visit: Some(change.visit_id),
            pool: true,
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        Label::about(
            "改约车位",
            "Change a visit",
            &visit_words(local, self.visit_id),
        )
    }

    fn redo(&self) -> Redo {
        Redo::Parking
    }

    /// The new window (待同步); a car inside keeps its arrival.
    fn optimistic(change: &ChangeVisit, local: &Local) -> Vec<Optimistic> {
        changed(local, change.visit_id, |visit| {
            if visit.status != VisitStatus::Inside {
                visit.arrives_at = change.arrives_at;
            }
            let window = visit::window(visit.arrives_at, change.hours);
            visit.leaves_by = window.ends_at;
        })
    }
}

/// `cancel_visit`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelVisit {
    pub visit_id: Uuid,
}

impl Definition for CancelVisitArgs {
    const NAME: &'static str = "cancel_visit";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = CancelVisit;

    fn parse(&self) -> Result<CancelVisit, Vec<FieldError>> {
        Ok(CancelVisit {
            visit_id: self.visit_id,
        })
    }

    fn touches(cancel: &CancelVisit) -> Touches {
        Touches {
            visit: Some(cancel.visit_id),
            pool: true,
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        Label::about(
            "取消车位",
            "Cancel a visit",
            &visit_words(local, self.visit_id),
        )
    }

    fn redo(&self) -> Redo {
        Redo::Parking
    }

    fn optimistic(cancel: &CancelVisit, local: &Local) -> Vec<Optimistic> {
        changed(local, cancel.visit_id, |visit| {
            visit.status = VisitStatus::Cancelled;
            visit.pass = None;
        })
    }
}

/// `gate_in` / `gate_out`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gate {
    pub visit_id: Uuid,
    pub at: DateTime<Utc>,
    pub offline: bool,
}

impl Gate {
    /// The visit, and its pool.
    fn touches(&self) -> Touches {
        Touches {
            visit: Some(self.visit_id),
            pool: true,
            ..Touches::default()
        }
    }
}

fn gate(args: &GateArgs) -> Gate {
    Gate {
        visit_id: args.visit_id,
        at: args.at,
        offline: args.offline,
    }
}

/// `gate_in`: the guard lets the car in (入场).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct GateInArgs(pub GateArgs);

/// `gate_out`: the guard lets the car out (离场).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct GateOutArgs(pub GateArgs);

impl Definition for GateInArgs {
    const NAME: &'static str = "gate_in";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = Gate;

    fn parse(&self) -> Result<Gate, Vec<FieldError>> {
        Ok(gate(&self.0))
    }

    fn touches(gate: &Gate) -> Touches {
        gate.touches()
    }

    fn label(&self, local: &Local) -> Label {
        Label::about("入场", "Let in", &visit_words(local, self.0.visit_id))
    }

    fn redo(&self) -> Redo {
        Redo::Gate
    }

    fn optimistic(gate: &Gate, local: &Local) -> Vec<Optimistic> {
        changed(local, gate.visit_id, |visit| {
            if visit.status == VisitStatus::Booked {
                visit.status = VisitStatus::Inside;
                visit.entered_at = Some(gate.at);
            }
        })
    }
}

impl Definition for GateOutArgs {
    const NAME: &'static str = "gate_out";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = Gate;

    fn parse(&self) -> Result<Gate, Vec<FieldError>> {
        Ok(gate(&self.0))
    }

    fn touches(gate: &Gate) -> Touches {
        gate.touches()
    }

    fn label(&self, local: &Local) -> Label {
        Label::about("离场", "Let out", &visit_words(local, self.0.visit_id))
    }

    fn redo(&self) -> Redo {
        Redo::Gate
    }

    fn optimistic(gate: &Gate, local: &Local) -> Vec<Optimistic> {
        changed(local, gate.visit_id, |visit| {
            if matches!(visit.status, VisitStatus::Booked | VisitStatus::Inside) {
                visit.status = VisitStatus::Left;
                visit.left_at = Some(gate.at);
            }
        })
    }
}

/// `request_walk_up`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestWalkUp {
    pub id: Uuid,
    pub plate: Plate,
    pub household_id: Uuid,
    pub hours: u32,
    pub at: DateTime<Utc>,
    pub note: String,
}

impl Definition for RequestWalkUpArgs {
    const NAME: &'static str = "request_walk_up";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = RequestWalkUp;

    fn parse(&self) -> Result<RequestWalkUp, Vec<FieldError>> {
        let (plate, hours, note) = fields(&self.plate, self.hours, &self.note)?;
        Ok(RequestWalkUp {
            id: self.id,
            plate,
            household_id: self.household_id,
            hours,
            at: self.at,
            note,
        })
    }

    fn touches(walk_up: &RequestWalkUp) -> Touches {
        Touches {
            household: Some(walk_up.household_id),
            pool: true,
            ..Touches::default()
        }
    }

    fn label(&self, _: &Local) -> Label {
        Label::about(
            "登记临时访客",
            "Register a walk-up visitor",
            &plate::display(&plate::normalise(&self.plate)),
        )
    }

    fn redo(&self) -> Redo {
        Redo::Gate
    }

    /// The guard's request, `requested` until the server has it (then 待住户确认).
    fn optimistic(walk_up: &RequestWalkUp, local: &Local) -> Vec<Optimistic> {
        let window = visit::window(walk_up.at, walk_up.hours);
        let household = local.rows.household(walk_up.household_id);
        vec![Optimistic::visit(&VisitView {
            id: walk_up.id,
            community_id: household
                .as_ref()
                .map(|h| h.community_id.clone())
                .unwrap_or_else(|| local.home_community.to_string()),
            household_id: walk_up.household_id,
            plate: walk_up.plate.as_str().to_string(),
            plate_masked: walk_up.plate.masked(),
            unusual: walk_up.plate.kind() == PlateKind::Unusual,
            arrives_at: window.starts_at,
            leaves_by: window.ends_at,
            status: VisitStatus::Requested,
            own: false,
            household: household.map(|h| h.label).unwrap_or_default(),
            relation: String::new(),
            note: walk_up.note.clone(),
            walk_up: true,
            over_limit: false,
            entered_at: None,
            left_at: None,
            short_code: String::new(),
            pass: None,
        })]
    }
}

/// `approve_walk_up`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApproveWalkUp {
    pub visit_id: Uuid,
    pub approve: bool,
}

impl Definition for ApproveWalkUpArgs {
    const NAME: &'static str = "approve_walk_up";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = ApproveWalkUp;

    fn parse(&self) -> Result<ApproveWalkUp, Vec<FieldError>> {
        Ok(ApproveWalkUp {
            visit_id: self.visit_id,
            approve: self.approve,
        })
    }

    fn touches(approve: &ApproveWalkUp) -> Touches {
        Touches {
            visit: Some(approve.visit_id),
            pool: true,
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        let (zh, en) = if self.approve {
            ("同意访客进入", "Let the visitor in")
        } else {
            ("不同意访客进入", "Turn the visitor away")
        };
        Label::about(zh, en, &visit_words(local, self.visit_id))
    }

    fn redo(&self) -> Redo {
        Redo::Parking
    }

    /// Turned away: shown cancelled (待同步). Let in: nothing until the server has given it
    /// a spot and a pass.
    fn optimistic(approve: &ApproveWalkUp, local: &Local) -> Vec<Optimistic> {
        if approve.approve {
            return Vec::new();
        }
        changed(local, approve.visit_id, |visit| {
            visit.status = VisitStatus::Cancelled
        })
    }
}

/// `set_parking_pool`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetParkingPool {
    pub community_id: String,
    pub rules: PoolRules,
}

impl Definition for SetParkingPoolArgs {
    const NAME: &'static str = "set_parking_pool";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = SetParkingPool;

    fn parse(&self) -> Result<SetParkingPool, Vec<FieldError>> {
        Ok(SetParkingPool {
            community_id: self.community_id.trim().to_string(),
            rules: self.rules.validate()?,
        })
    }

    fn touches(set: &SetParkingPool) -> Touches {
        Touches {
            community: Some(set.community_id.clone()),
            pool: true,
            ..Touches::default()
        }
    }

    fn label(&self, _: &Local) -> Label {
        Label::new("设置孝心车位", "Set the visitor spots")
    }

    fn redo(&self) -> Redo {
        Redo::ParkingSetup
    }

    /// The pool with its new rules (待同步), where the phone holds it.
    fn optimistic(set: &SetParkingPool, local: &Local) -> Vec<Optimistic> {
        local
            .rows
            .parking_pool(&set.community_id)
            .map(|mut pool: ParkingPoolView| {
                pool.rules = set.rules.clone();
                Optimistic::parking_pool(&pool)
            })
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutation::Mutation;

    #[test]
    fn a_registration_reports_every_field_problem_at_once_with_the_servers_words() {
        let args = RegisterVisitArgs {
            id: Uuid::nil(),
            plate: "苏KI2345".into(),
            arrives_at: DateTime::UNIX_EPOCH,
            hours: 13,
            relation: "boss".into(),
            note: String::new(),
            for_household: None,
            over_limit: false,
        };
        let fields: Vec<&str> = args.parse().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["plate", "hours", "relation"]);
        let envelope = args.envelope(1, Uuid::nil(), DateTime::UNIX_EPOCH);
        let rejection = Mutation::parse_envelope(&envelope).unwrap_err();
        assert_eq!(rejection.code, RejectCode::Invalid);
        assert!(rejection
            .message(crate::Lang::Zh)
            .contains("车牌号的格式不对"));
    }

    #[test]
    fn a_full_refusal_carries_its_free_windows_onto_the_wire() {
        let free = visit::window(DateTime::UNIX_EPOCH, 2);
        let rejection = Rejection::from(ParkRefusal::Full {
            windows: vec![free],
        });
        let result = rejection.to_result(3);
        assert_eq!(result.code.as_deref(), Some("full"));
        assert_eq!(result.windows, vec![free]);
        assert!(result.message.unwrap().starts_with("车位已满"));
    }

    #[test]
    fn gate_arguments_travel_flat() {
        let args = GateInArgs(GateArgs {
            visit_id: Uuid::nil(),
            at: DateTime::UNIX_EPOCH,
            offline: true,
        });
        let json = serde_json::to_value(&args).unwrap();
        assert_eq!(json["offline"], true);
        assert_eq!(json["visit_id"], Uuid::nil().to_string());
    }
}
