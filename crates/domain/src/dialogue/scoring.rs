//! Scoring a rectification: a score, the round it belongs to and how the round is decided, and
//! a community's rules (the pass mark and the window).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{COMMENT_MAX, PASS_AVERAGE, SCORING_WINDOW_DAYS};
use crate::field::{char_count, clean_text, FieldError, FieldErrorKind};

/// A score of a rectification: 1 (very unhappy) to 5 (very happy), with an optional comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub value: u8,
    pub comment: String,
}

impl Score {
    pub fn parse(value: u8, comment: &str) -> Result<Score, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(1..=5).contains(&value) {
            errors.push(FieldError::new("score", FieldErrorKind::Invalid));
        }
        let comment = clean_text(comment, true);
        if char_count(&comment) > COMMENT_MAX {
            errors.push(FieldError::new(
                "comment",
                FieldErrorKind::TooLong {
                    max: COMMENT_MAX,
                    actual: char_count(&comment),
                },
            ));
        }
        if errors.is_empty() {
            Ok(Score { value, comment })
        } else {
            Err(errors)
        }
    }

    /// 满意: a score of 4 or 5 (how public-service hotlines count satisfaction).
    pub fn satisfied(value: u8) -> bool {
        value >= 4
    }
}

/// The scoring of one rectification round.
#[derive(Clone, Debug, PartialEq)]
pub struct Round {
    pub opened_at: DateTime<Utc>,
    pub window_days: i64,
    /// How many people may score: the raiser and everyone who joined (我也遇到).
    pub eligible: usize,
    pub scores: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RoundOutcome {
    /// Still waiting for scores.
    Open,
    /// 已办结: accepted (average at or above the pass mark, or nobody objected in time).
    Closed { average: Option<f64> },
    /// 退回重办: below the pass mark; back to 整改中.
    Reopened { average: f64 },
}

impl Round {
    pub fn closes_at(&self) -> DateTime<Utc> {
        self.opened_at + Duration::days(self.window_days)
    }

    pub fn average(&self) -> Option<f64> {
        (!self.scores.is_empty())
            .then(|| self.scores.iter().map(|s| *s as f64).sum::<f64>() / self.scores.len() as f64)
    }

    /// Decided when everyone eligible has scored, or when the window has ended.
    pub fn outcome(&self, now: DateTime<Utc>, pass: f64) -> RoundOutcome {
        let everyone = self.eligible > 0 && self.scores.len() >= self.eligible;
        if !everyone && now < self.closes_at() {
            return RoundOutcome::Open;
        }
        match self.average() {
            None => RoundOutcome::Closed { average: None },
            Some(average) if average + 1e-9 >= pass => RoundOutcome::Closed {
                average: Some(average),
            },
            Some(average) => RoundOutcome::Reopened { average },
        }
    }

    /// Whether a person may still score (or change their score) at `now`.
    pub fn accepts_scores(&self, now: DateTime<Utc>) -> bool {
        now < self.closes_at()
    }
}

/// `score_issue` (version 1): the raiser or a joined resident scores a rectification round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreIssueArgs {
    pub issue_id: Uuid,
    pub round: u32,
    pub value: u8,
    #[serde(default)]
    pub comment: String,
}

/// `set_scoring_rules` (version 1): staff set how residents' scores decide their
/// community's rectifications. The window applies to rounds opened after the change; the
/// pass mark to every round decided after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoringRulesArgs {
    pub community_id: String,
    /// 1.0–5.0, in steps of 0.5.
    pub pass_average: f64,
    /// 1–60 days.
    pub window_days: i64,
}

/// A community's scoring rules, validated. The pass mark is kept in halves so the value
/// compares exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoringRules {
    pub pass_halves: u8,
    pub window_days: i64,
}

pub const WINDOW_DAYS_MAX: i64 = 60;

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            pass_halves: (PASS_AVERAGE * 2.0) as u8,
            window_days: SCORING_WINDOW_DAYS,
        }
    }
}

impl ScoringRules {
    pub fn pass_average(self) -> f64 {
        f64::from(self.pass_halves) / 2.0
    }
}

impl ScoringRulesArgs {
    pub fn parse(&self) -> Result<ScoringRules, Vec<FieldError>> {
        let mut errors = Vec::new();
        let halves = self.pass_average * 2.0;
        let whole_half = halves.is_finite() && (halves - halves.round()).abs() < 1e-9;
        if !whole_half || !(2.0..=10.0).contains(&halves) {
            errors.push(FieldError::new(
                "pass_average",
                FieldErrorKind::OutOfRange {
                    min: "1".into(),
                    max: "5".into(),
                },
            ));
        }
        if !(1..=WINDOW_DAYS_MAX).contains(&self.window_days) {
            errors.push(FieldError::new(
                "window_days",
                FieldErrorKind::OutOfRange {
                    min: "1".into(),
                    max: WINDOW_DAYS_MAX.to_string(),
                },
            ));
        }
        if errors.is_empty() {
            Ok(ScoringRules {
                pass_halves: halves.round() as u8,
                window_days: self.window_days,
            })
        } else {
            Err(errors)
        }
    }
}
