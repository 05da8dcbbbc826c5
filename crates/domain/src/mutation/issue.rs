//! `raise_issue`: a resident raises an issue for the dialogue (or staff raise one for a
//! household without a smartphone, recorded as such).

use super::{Definition, Label, Local, Optimistic, Redo, Touches};
use crate::field::FieldError;
use crate::issue::{NewIssue, RaiseIssueArgs};
use crate::wire::IssueView;

impl Definition for RaiseIssueArgs {
    const NAME: &'static str = "raise_issue";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = NewIssue;

    fn parse(&self) -> Result<NewIssue, Vec<FieldError>> {
        NewIssue::parse(self)
    }

    fn touches(issue: &NewIssue) -> Touches {
        Touches {
            household: issue.on_behalf_of,
            ..Touches::default()
        }
    }

    fn label(&self, _: &Local) -> Label {
        Label::about("提问题", "Raise an issue", self.title.trim())
    }

    fn redo(&self) -> Redo {
        Redo::RaiseIssue {
            for_household: self.on_behalf_of.is_some(),
        }
    }

    fn optimistic(issue: &NewIssue, local: &Local) -> Vec<Optimistic> {
        let (community, raiser) = match issue.on_behalf_of.and_then(|h| local.rows.household(h)) {
            Some(household) => (
                household.community_id,
                format!("{}（代居民提出）", local.display_name),
            ),
            None => (
                local.home_community.to_string(),
                local.display_name.to_string(),
            ),
        };
        vec![Optimistic::issue(&IssueView::optimistic(
            issue, &community, &raiser, local.now,
        ))]
    }
}
