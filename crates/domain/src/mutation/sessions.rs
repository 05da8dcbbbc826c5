//! The 双月对话 sessions: `schedule_dialogue`, `record_minutes`, `set_agenda`, and the
//! community's `set_scoring_rules`.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Definition, Label, Local, Optimistic, Redo, Touches};
use crate::dialogue::{
    required_text, RecordMinutesArgs, ScheduleDialogueArgs, ScoringRules, ScoringRulesArgs,
    SetAgendaArgs, REPLY_MAX,
};
use crate::field::{char_count, clean_text, FieldError, FieldErrorKind};
use crate::wire::{CommunityRulesView, DialogueNote, DialogueView};

/// The longest place name of a session.
pub const PLACE_MAX: usize = 60;
/// The most attendees a session lists, and the longest name of one.
pub const ATTENDEES_MAX: usize = 50;
pub const ATTENDEE_NAME_MAX: usize = 30;

/// The attendees, one name per entry separated by 、 , ， ; ； or a new line: at most
/// `ATTENDEES_MAX` names of at most `ATTENDEE_NAME_MAX` characters each.
fn attendees(text: &str) -> Result<String, FieldError> {
    let cleaned = clean_text(text, true);
    let names: Vec<&str> = cleaned
        .split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    if names.len() > ATTENDEES_MAX {
        return Err(FieldError::new(
            "attendees",
            FieldErrorKind::TooMany {
                max: ATTENDEES_MAX,
                actual: names.len(),
            },
        ));
    }
    if let Some(long) = names
        .iter()
        .map(|name| char_count(name))
        .find(|count| *count > ATTENDEE_NAME_MAX)
    {
        return Err(FieldError::new(
            "attendees",
            FieldErrorKind::TooLong {
                max: ATTENDEE_NAME_MAX,
                actual: long,
            },
        ));
    }
    Ok(cleaned)
}

/// A validated dialogue session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDialogue {
    pub id: Uuid,
    pub community_id: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub attendees: String,
}

impl Definition for ScheduleDialogueArgs {
    const NAME: &'static str = "schedule_dialogue";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = NewDialogue;

    fn parse(&self) -> Result<NewDialogue, Vec<FieldError>> {
        let place = required_text("place_of_dialogue", &self.place, PLACE_MAX);
        let attendees = attendees(&self.attendees);
        let errors: Vec<FieldError> = [place.as_ref().err(), attendees.as_ref().err()]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewDialogue {
            id: self.id,
            community_id: self.community_id.clone(),
            held_on: self.held_on,
            place: place.map_err(|e| vec![e])?,
            attendees: attendees.map_err(|e| vec![e])?,
        })
    }

    fn touches(_: &NewDialogue) -> Touches {
        Touches::default()
    }

    fn label(&self, _: &Local) -> Label {
        Label::about(
            "安排双月对话",
            "Schedule a dialogue",
            &self.held_on.to_string(),
        )
    }

    fn redo(&self) -> Redo {
        Redo::Dialogue { id: None }
    }

    fn optimistic(dialogue: &NewDialogue, _: &Local) -> Vec<Optimistic> {
        vec![Optimistic::dialogue(&DialogueView {
            id: dialogue.id,
            community_id: dialogue.community_id.clone(),
            held_on: dialogue.held_on,
            place: dialogue.place.clone(),
            attendees: dialogue.attendees.clone(),
            minutes: None,
            notes: Vec::new(),
        })]
    }
}

/// `record_minutes`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordMinutes {
    pub dialogue_id: Uuid,
    pub issue_id: Option<Uuid>,
    pub notes: String,
}

impl Definition for RecordMinutesArgs {
    const NAME: &'static str = "record_minutes";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = RecordMinutes;

    fn parse(&self) -> Result<RecordMinutes, Vec<FieldError>> {
        Ok(RecordMinutes {
            dialogue_id: self.dialogue_id,
            issue_id: self.issue_id,
            notes: required_text("notes", &self.notes, REPLY_MAX).map_err(|e| vec![e])?,
        })
    }

    fn touches(minutes: &RecordMinutes) -> Touches {
        Touches {
            issue: minutes.issue_id,
            dialogue: Some(minutes.dialogue_id),
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        let about = self
            .issue_id
            .map(|id| local.issue_title(id))
            .unwrap_or_default();
        Label::about("会议记录", "Minutes", &about)
    }

    fn redo(&self) -> Redo {
        Redo::Dialogue {
            id: Some(self.dialogue_id),
        }
    }

    fn optimistic(minutes: &RecordMinutes, local: &Local) -> Vec<Optimistic> {
        let Some(mut dialogue) = local.rows.dialogue(minutes.dialogue_id) else {
            return Vec::new();
        };
        match minutes.issue_id {
            None => dialogue.minutes = Some(minutes.notes.clone()),
            Some(issue_id) => {
                dialogue.notes.retain(|n| n.issue_id != issue_id);
                dialogue.notes.push(DialogueNote {
                    issue_id,
                    notes: minutes.notes.clone(),
                });
            }
        }
        vec![Optimistic::dialogue(&dialogue)]
    }
}

/// `set_agenda`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAgenda {
    pub issue_id: Uuid,
    pub dialogue_id: Option<Uuid>,
}

impl Definition for SetAgendaArgs {
    const NAME: &'static str = "set_agenda";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = SetAgenda;

    fn parse(&self) -> Result<SetAgenda, Vec<FieldError>> {
        Ok(SetAgenda {
            issue_id: self.issue_id,
            dialogue_id: self.dialogue_id,
        })
    }

    fn touches(agenda: &SetAgenda) -> Touches {
        Touches {
            issue: Some(agenda.issue_id),
            dialogue: agenda.dialogue_id,
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        let title = local.issue_title(self.issue_id);
        match self.dialogue_id {
            Some(_) => Label::about("放入议程", "Put on the agenda", &title),
            None => Label::about("移出议程", "Take off the agenda", &title),
        }
    }

    fn redo(&self) -> Redo {
        Redo::Dialogue {
            id: self.dialogue_id,
        }
    }

    fn optimistic(agenda: &SetAgenda, local: &Local) -> Vec<Optimistic> {
        local
            .rows
            .issue(agenda.issue_id)
            .map(|mut issue| {
                issue.dialogue_id = agenda.dialogue_id;
                issue.updated_at = local.now;
                Optimistic::issue(&issue)
            })
            .into_iter()
            .collect()
    }
}

/// `set_scoring_rules`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetScoringRules {
    pub community_id: String,
    pub rules: ScoringRules,
}

impl Definition for ScoringRulesArgs {
    const NAME: &'static str = "set_scoring_rules";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = SetScoringRules;

    fn parse(&self) -> Result<SetScoringRules, Vec<FieldError>> {
        Ok(SetScoringRules {
            community_id: self.community_id.clone(),
            rules: ScoringRulesArgs::parse(self)?,
        })
    }

    fn touches(_: &SetScoringRules) -> Touches {
        Touches::default()
    }

    fn label(&self, _: &Local) -> Label {
        Label::new("评分规则", "Scoring rules")
    }

    fn redo(&self) -> Redo {
        Redo::Dialogue { id: None }
    }

    fn optimistic(rules: &SetScoringRules, local: &Local) -> Vec<Optimistic> {
        let name = local
            .rows
            .community(&rules.community_id)
            .map(|c| c.name)
            .unwrap_or_default();
        vec![Optimistic::community(&CommunityRulesView {
            community_id: rules.community_id.clone(),
            name,
            pass_average: rules.rules.pass_average(),
            window_days: rules.rules.window_days,
        })]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    fn schedule(attendees: String) -> ScheduleDialogueArgs {
        ScheduleDialogueArgs {
            id: Uuid::nil(),
            community_id: "shanwan".into(),
            held_on: NaiveDate::from_ymd_opt(2026, 12, 19).unwrap(),
            place: "社区议事厅".into(),
            attendees,
        }
    }

    #[test]
    fn attendees_are_at_most_fifty_names_of_thirty_characters() {
        let names = |n: usize| {
            (1..=n)
                .map(|i| format!("代表{i}"))
                .collect::<Vec<_>>()
                .join("、")
        };
        assert!(schedule(names(ATTENDEES_MAX)).parse().is_ok());
        assert!(schedule(String::new()).parse().is_ok());
        let errors = schedule(names(ATTENDEES_MAX + 1)).parse().unwrap_err();
        assert_eq!(errors[0].code(), "too_many");
        assert_eq!(errors[0].message(Lang::Zh), "参加人员最多50项，现在有51项");
        assert_eq!(
            errors[0].message(Lang::En),
            "The attendees can list at most 50; it lists 51"
        );
        let long = schedule(format!("物业\n{}", "长".repeat(ATTENDEE_NAME_MAX + 1)));
        assert_eq!(long.parse().unwrap_err()[0].code(), "too_long");
        assert!(schedule("长".repeat(ATTENDEE_NAME_MAX)).parse().is_ok());
    }
}
