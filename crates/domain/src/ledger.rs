//! The ledger (台账): the article's figures and the four rates township staff look for,
//! computed from the issue records themselves — on the server for the API and the export,
//! and on the phone from its cached rows, offline.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::dialogue::{overdue, PASS_AVERAGE};
use crate::issue::IssueStatus;
use crate::wire::{DialogueView, IssueView};

/// The property company should answer an accepted issue within this many days (响应).
pub const ANSWER_WITHIN_DAYS: i64 = 15;
/// The township should answer an escalation within this many days.
pub const ESCALATION_ANSWER_DAYS: i64 = 15;

/// A day as a date input gives it ("2026-11-28"). Small on purpose: chrono's format parser
/// is heavy in the phone's Wasm.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let mut parts = text.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The day a moment falls on in Beijing time (the ledger's calendar).
pub fn china_date(time: DateTime<Utc>) -> NaiveDate {
    time.with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
        .date_naive()
}

/// A period of days, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
}

/// The figures, as `GET /api/ledger` returns them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// 双月对话 held.
    pub dialogues: u32,
    /// 提出问题.
    pub issues_raised: u32,
    /// 形成项目: accepted as projects.
    pub projects: u32,
    /// 办结.
    pub resolved: u32,
    /// The mean of the final scores of resolved issues.
    pub average_score: Option<f64>,
    /// 上报 to the township.
    pub escalated: u32,
    /// Promised dates or township deadlines passed with the work not done.
    pub overdue: u32,
    /// 响应率: projects answered within 15 days of acceptance.
    pub response_rate: Option<f64>,
    /// 办结率: resolved ÷ projects.
    pub closure_rate: Option<f64>,
    /// 解决率: resolved issues whose final score passed (≥ 3, the default pass mark, so that
    /// communities with their own pass marks compare on one scale) ÷ resolved issues scored.
    pub resolution_rate: Option<f64>,
    /// 满意率: final-round scores of 4–5 ÷ all final-round scores.
    pub satisfaction_rate: Option<f64>,
}

/// Which figure a drill-down lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    IssuesRaised,
    Projects,
    Resolved,
    Escalated,
    Overdue,
}

impl Figure {
    pub const ALL: [Figure; 5] = [
        Figure::IssuesRaised,
        Figure::Projects,
        Figure::Resolved,
        Figure::Escalated,
        Figure::Overdue,
    ];
}

fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Whether the issue is late: a promise past its day, or an escalation unanswered or past
/// the township's deadline.
pub fn is_overdue(issue: &IssueView, today: NaiveDate) -> bool {
    let status = Some(issue.status);
    let working = matches!(
        status,
        Some(IssueStatus::Answered | IssueStatus::Rectifying)
    );
    let promise_late = overdue(issue.promised_by, !working, today);
    let escalation_late = issue.escalation.as_ref().is_some_and(|e| {
        let closed = status == Some(IssueStatus::Closed);
        match (e.answered_at, e.deadline) {
            (None, _) => {
                !closed
                    && today > china_date(e.escalated_at) + Duration::days(ESCALATION_ANSWER_DAYS)
            }
            (Some(_), deadline) => overdue(deadline, closed, today),
        }
    });
    promise_late || escalation_late
}

/// The final round's (average, satisfied scores, all scores) of a resolved issue.
fn final_round(issue: &IssueView) -> Option<(Option<f64>, u32, u32)> {
    issue
        .rounds
        .iter()
        .max_by_key(|r| r.round)
        .map(|r| (r.average, r.satisfied, r.scores))
}

/// Whether an issue counts under a figure (it was raised in the period).
pub fn counts(issue: &IssueView, figure: Figure, today: NaiveDate) -> bool {
    let status = Some(issue.status);
    match figure {
        Figure::IssuesRaised => true,
        Figure::Projects => issue.accepted_at.is_some(),
        Figure::Resolved => status == Some(IssueStatus::Closed),
        Figure::Escalated => issue.escalation.is_some(),
        Figure::Overdue => is_overdue(issue, today),
    }
}

/// The issues raised in the period that stand behind a figure (the drill-down).
pub fn behind(
    issues: &[IssueView],
    period: Period,
    figure: Figure,
    today: NaiveDate,
) -> Vec<&IssueView> {
    issues
        .iter()
        .filter(|i| period.contains(china_date(i.created_at)))
        .filter(|i| counts(i, figure, today))
        .collect()
}

pub fn figures(
    issues: &[IssueView],
    dialogues: &[DialogueView],
    period: Period,
    today: NaiveDate,
) -> Figures {
    let count = |figure| behind(issues, period, figure, today).len();
    let projects = behind(issues, period, Figure::Projects, today);
    let resolved = behind(issues, period, Figure::Resolved, today);
    let answered_in_time = projects
        .iter()
        .filter(|i| match (i.accepted_at, i.answered_at) {
            (Some(accepted), Some(answered)) => {
                answered - accepted <= Duration::days(ANSWER_WITHIN_DAYS)
            }
            _ => false,
        })
        .count();
    let finals: Vec<_> = resolved.iter().filter_map(|i| final_round(i)).collect();
    let averages: Vec<f64> = finals
        .iter()
        .filter_map(|(average, _, _)| *average)
        .collect();
    let passed = averages
        .iter()
        .filter(|a| **a + 1e-9 >= PASS_AVERAGE)
        .count();
    let satisfied: u32 = finals.iter().map(|(_, s, _)| s).sum();
    let scored: u32 = finals.iter().map(|(_, _, n)| n).sum();
    Figures {
        dialogues: dialogues
            .iter()
            .filter(|d| period.contains(d.held_on))
            .count() as u32,
        issues_raised: count(Figure::IssuesRaised) as u32,
        projects: projects.len() as u32,
        resolved: resolved.len() as u32,
        average_score: (!averages.is_empty())
            .then(|| averages.iter().sum::<f64>() / averages.len() as f64),
        escalated: count(Figure::Escalated) as u32,
        overdue: count(Figure::Overdue) as u32,
        response_rate: rate(answered_in_time, projects.len()),
        closure_rate: rate(resolved.len(), projects.len()),
        resolution_rate: rate(passed, averages.len()),
        satisfaction_rate: rate(satisfied as usize, scored as usize),
    }
}

/// One bar pair of the chart: issues raised and issues resolved since the previous dialogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionBar {
    pub held_on: NaiveDate,
    pub raised: u32,
    pub resolved: u32,
}

/// Raised vs resolved per dialogue session of the period, in date order.
pub fn per_session(
    issues: &[IssueView],
    dialogues: &[DialogueView],
    period: Period,
) -> Vec<SessionBar> {
    let mut days: Vec<NaiveDate> = dialogues
        .iter()
        .map(|d| d.held_on)
        .filter(|d| period.contains(*d))
        .collect();
    crate::order::sort_by_number(&mut days, |d| i64::from(d.num_days_from_ce()));
    let mut previous = period.from.pred_opt().unwrap_or(period.from);
    days.into_iter()
        .map(|held_on| {
            let within = |day: NaiveDate| previous < day && day <= held_on;
            let raised = issues
                .iter()
                .filter(|i| within(china_date(i.created_at)))
                .count() as u32;
            let resolved = issues
                .iter()
                .filter(|i| i.closed_at.map(china_date).is_some_and(within))
                .filter(|i| i.status == IssueStatus::Closed)
                .count() as u32;
            previous = held_on;
            SessionBar {
                held_on,
                raised,
                resolved,
            }
        })
        .collect()
}

/// One service's month in the market's ledger: seats taken, services given, households that
/// did not come, and bookings cancelled (by the household or with a day called off).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceMonth {
    pub service_id: uuid::Uuid,
    /// The month (Beijing time) as its first day.
    pub month: NaiveDate,
    pub booked: u32,
    pub served: u32,
    pub no_show: u32,
    pub cancelled: u32,
}

/// The market's figures per service and month, from the bookings the server decided (a
/// booking only asked for on a phone is not counted), earliest month first.
pub fn market_months(bookings: &[crate::wire::BookingView]) -> Vec<ServiceMonth> {
    use crate::market::booking::BookingState;
    let mut months: Vec<ServiceMonth> = Vec::new();
    for booking in bookings {
        if booking.state == BookingState::Requested {
            continue;
        }
        let day = china_date(booking.starts_at);
        let month = day.with_day(1).unwrap_or(day);
        let at = match months
            .iter()
            .position(|m| m.service_id == booking.service_id && m.month == month)
        {
            Some(at) => at,
            None => {
                months.push(ServiceMonth {
                    service_id: booking.service_id,
                    month,
                    ..ServiceMonth::default()
                });
                months.len() - 1
            }
        };
        let figures = &mut months[at];
        match booking.state {
            BookingState::Cancelled => figures.cancelled += 1,
            state => {
                figures.booked += 1;
                figures.served += u32::from(state == BookingState::Served);
                figures.no_show += u32::from(state == BookingState::NoShow);
            }
        }
    }
    months.sort_by_key(|m| (m.month, m.service_id));
    months
}

/// A visit to the 孝心车位 as the ledger counts it: no plate, no household.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisitRecord {
    pub arrives_at: chrono::DateTime<chrono::Utc>,
    pub status: crate::parking::VisitStatus,
    /// The guard recorded the car coming in.
    pub came: bool,
    /// The car stayed past its window (flagged by the server).
    pub overstayed: bool,
    pub walk_up: bool,
}

/// 孝心车位 in the ledger: visits counted, never plates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitFigures {
    /// Visits registered (not cancelled) arriving in the period.
    pub registered: u32,
    /// Of those, the cars the guard let in.
    pub came: u32,
    /// Of those, the cars that stayed past their window.
    pub overstayed: u32,
    /// Of those, visitors registered at the gate (walk-ups).
    pub walk_ups: u32,
    /// Visits cancelled (or walk-ups turned away).
    pub cancelled: u32,
}

/// The 孝心车位 figures of the visits arriving in `period` (Beijing days).
pub fn visit_figures(visits: &[VisitRecord], period: Period) -> VisitFigures {
    use crate::parking::VisitStatus;
    let mut figures = VisitFigures::default();
    for visit in visits
        .iter()
        .filter(|v| period.contains(china_date(v.arrives_at)))
    {
        match visit.status {
            VisitStatus::Cancelled => figures.cancelled += 1,
            VisitStatus::Requested | VisitStatus::Awaiting => {}
            _ => {
                figures.registered += 1;
                figures.came += u32::from(visit.came);
                figures.overstayed += u32::from(visit.overstayed);
                figures.walk_ups += u32::from(visit.walk_up);
            }
        }
    }
    figures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_market_counts_seats_services_and_no_shows_per_service_and_month() {
        use crate::market::booking::BookingState;
        use chrono::TimeZone;
        let haircut = uuid::Uuid::from_u128(1);
        let sewing = uuid::Uuid::from_u128(2);
        let booking = |service, month, state| crate::wire::BookingView {
            id: uuid::Uuid::new_v4(),
            service_id: service,
            slot_id: uuid::Uuid::nil(),
            community_id: "jiulong".into(),
            // 08:30 in Beijing on the 9th.
            starts_at: Utc.with_ymd_and_hms(2026, month, 9, 0, 30, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, month, 9, 1, 0, 0).unwrap(),
            state,
            own: false,
            who: String::new(),
            household: String::new(),
            note: String::new(),
            on_behalf: false,
            pass: None,
            served_at: None,
            served_by: String::new(),
            cancel_reason: String::new(),
        };
        let months = market_months(&[
            booking(haircut, 12, BookingState::Served),
            booking(haircut, 12, BookingState::Served),
            booking(haircut, 12, BookingState::NoShow),
            booking(haircut, 12, BookingState::Booked),
            booking(haircut, 12, BookingState::Cancelled),
            booking(haircut, 12, BookingState::Requested),
            booking(haircut, 11, BookingState::Served),
            booking(sewing, 12, BookingState::Booked),
        ]);
        let december = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(months.len(), 3);
        assert_eq!(
            months[0].month,
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(
            months[1],
            ServiceMonth {
                service_id: haircut,
                month: december,
                booked: 4,
                served: 2,
                no_show: 1,
                cancelled: 1,
            }
        );
        assert_eq!((months[2].service_id, months[2].booked), (sewing, 1));
    }
    use crate::wire::{EscalationView, RoundView};
    use uuid::Uuid;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap()
            .and_utc()
    }

    fn issue(raised: DateTime<Utc>, status: IssueStatus) -> IssueView {
        IssueView::optimistic(
            &crate::NewIssue {
                id: Uuid::new_v4(),
                title: "t".into(),
                description: String::new(),
                category: crate::Category::Other,
                place: None,
                on_behalf_of: None,
            },
            "shanwan",
            "王*兰",
            raised,
        )
        .with_status(status)
    }

    trait WithStatus {
        fn with_status(self, status: IssueStatus) -> Self;
    }

    impl WithStatus for IssueView {
        fn with_status(mut self, status: IssueStatus) -> Self {
            self.status = status;
            self
        }
    }

    fn closed(raised: DateTime<Utc>, scores: &[u8]) -> IssueView {
        let mut issue = issue(raised, IssueStatus::Closed);
        issue.accepted_at = Some(raised + Duration::days(5));
        issue.answered_at = Some(raised + Duration::days(10));
        issue.closed_at = Some(raised + Duration::days(40));
        let average = (!scores.is_empty())
            .then(|| scores.iter().map(|s| *s as f64).sum::<f64>() / scores.len() as f64);
        issue.rounds = vec![RoundView {
            round: 1,
            report: "done".into(),
            reported_at: raised + Duration::days(30),
            closes_at: raised + Duration::days(44),
            outcome: Some(crate::wire::RoundDecision::Closed),
            average,
            scores: scores.len() as u32,
            satisfied: scores.iter().filter(|s| **s >= 4).count() as u32,
        }];
        issue
    }

    fn period() -> Period {
        Period {
            from: NaiveDate::from_ymd_opt(2018, 10, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2020, 3, 31).unwrap(),
        }
    }

    #[test]
    fn days_parse_as_date_inputs_give_them() {
        assert_eq!(
            parse_day("2026-11-28"),
            NaiveDate::from_ymd_opt(2026, 11, 28)
        );
        assert_eq!(
            parse_day(" 2027-01-09 "),
            NaiveDate::from_ymd_opt(2027, 1, 9)
        );
        for bad in [
            "",
            "2026-13-01",
            "2026-02-30",
            "2026/11/28",
            "2026-11",
            "tomorrow",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn figures_count_the_records_raised_in_the_period() {
        let mut accepted = issue(at(2019, 5, 1), IssueStatus::Rectifying);
        accepted.accepted_at = Some(at(2019, 5, 30));
        accepted.answered_at = Some(at(2019, 6, 30));
        let issues = vec![
            closed(at(2018, 11, 1), &[5, 4]),
            closed(at(2019, 1, 1), &[2, 3]),
            accepted,
            issue(at(2019, 2, 1), IssueStatus::Declined),
            closed(at(2021, 1, 1), &[5]),
        ];
        let dialogue = |d: NaiveDate| DialogueView {
            id: Uuid::new_v4(),
            community_id: "shanwan".into(),
            held_on: d,
            place: String::new(),
            attendees: String::new(),
            minutes: None,
            notes: Vec::new(),
        };
        let dialogues = vec![
            dialogue(NaiveDate::from_ymd_opt(2018, 12, 1).unwrap()),
            dialogue(NaiveDate::from_ymd_opt(2021, 2, 1).unwrap()),
        ];
        let today = NaiveDate::from_ymd_opt(2020, 3, 31).unwrap();
        let f = figures(&issues, &dialogues, period(), today);
        assert_eq!(
            (f.dialogues, f.issues_raised, f.projects, f.resolved),
            (1, 4, 3, 2)
        );
        assert_eq!(f.average_score, Some(3.5));
        assert_eq!(f.closure_rate, Some(2.0 / 3.0));
        assert_eq!(
            f.response_rate,
            Some(2.0 / 3.0),
            "the third answered after 31 days"
        );
        assert_eq!(f.resolution_rate, Some(0.5), "2.5 fails the pass mark");
        assert_eq!(f.satisfaction_rate, Some(0.5), "two of four scores are 4–5");
        assert_eq!(behind(&issues, period(), Figure::Resolved, today).len(), 2);
    }

    #[test]
    fn late_promises_and_unanswered_escalations_are_overdue() {
        let today = NaiveDate::from_ymd_opt(2020, 3, 1).unwrap();
        let mut late = issue(at(2019, 1, 1), IssueStatus::Rectifying);
        late.promised_by = NaiveDate::from_ymd_opt(2020, 2, 1);
        assert!(is_overdue(&late, today));
        late.status = IssueStatus::AwaitingScore;
        assert!(!is_overdue(&late, today), "reported done: no longer late");
        let mut escalated = issue(at(2019, 1, 1), IssueStatus::Accepted);
        escalated.escalation = Some(EscalationView {
            note: "需要乡里协调".into(),
            escalated_at: at(2020, 1, 1),
            answer: None,
            deadline: None,
            answered_at: None,
        });
        assert!(is_overdue(&escalated, today), "unanswered for two months");
        let escalation = escalated.escalation.as_mut().unwrap();
        escalation.answered_at = Some(at(2020, 1, 10));
        escalation.deadline = NaiveDate::from_ymd_opt(2020, 4, 1);
        assert!(!is_overdue(&escalated, today));
    }

    #[test]
    fn the_chart_counts_raised_and_resolved_between_sessions() {
        let issues = vec![
            closed(at(2018, 10, 5), &[4]),
            closed(at(2018, 11, 20), &[4]),
        ];
        let dialogue = |d| DialogueView {
            id: Uuid::new_v4(),
            community_id: "shanwan".into(),
            held_on: d,
            place: String::new(),
            attendees: String::new(),
            minutes: None,
            notes: Vec::new(),
        };
        let days = [
            NaiveDate::from_ymd_opt(2018, 10, 31).unwrap(),
            NaiveDate::from_ymd_opt(2018, 12, 31).unwrap(),
        ];
        let bars = per_session(&issues, &days.map(dialogue), period());
        assert_eq!(
            bars.iter()
                .map(|b| (b.raised, b.resolved))
                .collect::<Vec<_>>(),
            [(1, 0), (1, 2)],
            "both closed 40 days after they were raised"
        );
    }

    #[test]
    fn visits_are_counted_in_their_arrival_period_without_plates() {
        use crate::parking::VisitStatus;
        use chrono::TimeZone;
        let at = |day: u32| {
            chrono::Utc
                .with_ymd_and_hms(2026, 12, day, 2, 0, 0)
                .single()
                .expect("a time")
        };
        let record = |day, status, came, overstayed, walk_up| VisitRecord {
            arrives_at: at(day),
            status,
            came,
            overstayed,
            walk_up,
        };
        let visits = [
            record(1, VisitStatus::Left, true, true, false),
            record(2, VisitStatus::Booked, false, false, true),
            record(3, VisitStatus::Cancelled, false, false, false),
            record(4, VisitStatus::Awaiting, false, false, true),
            record(20, VisitStatus::Left, true, false, false),
        ];
        let period = Period {
            from: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
        };
        assert_eq!(
            visit_figures(&visits, period),
            VisitFigures {
                registered: 2,
                came: 1,
                overstayed: 1,
                walk_ups: 1,
                cancelled: 1
            }
        );
    }
}
