//! Staff keep their community's accounts: `add_household`, `invite`, `reset_password`,
//! `revoke_invitation`, `deactivate_person`. Codes are made on the staff phone, so each can be written offline.

use chrono::Duration;
use uuid::Uuid;

use super::{Definition, Label, Local, Optimistic, Redo, Touches};
use crate::account::{
    household_label, AddCommunityArgs, AddHouseholdArgs, Code, DeactivatePersonArgs, InviteArgs,
    NewCommunity, NewHousehold, NewInvitation, ResetPasswordArgs, RevokeInvitationArgs,
    CODE_VALID_DAYS,
};
use crate::field::FieldError;
use crate::wire::{CommunityRulesView, HouseholdView, InvitationView, PersonView};

impl Definition for AddHouseholdArgs {
    const NAME: &'static str = "add_household";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = NewHousehold;

    fn parse(&self) -> Result<NewHousehold, Vec<FieldError>> {
        AddHouseholdArgs::parse(self)
    }

    fn touches(_: &NewHousehold) -> Touches {
        Touches::default()
    }

    fn label(&self, _: &Local) -> Label {
        let place = household_label(
            self.point.as_deref(),
            self.building.trim(),
            self.unit.as_deref(),
            None,
            false,
        );
        Label::about("添加住户", "Add a household", &place)
    }

    fn redo(&self) -> Redo {
        Redo::Households
    }

    fn optimistic(household: &NewHousehold, _: &Local) -> Vec<Optimistic> {
        vec![Optimistic::household(&HouseholdView {
            id: household.id,
            community_id: household.community_id.clone(),
            point: household.point.clone(),
            building: household.building.clone(),
            unit: household.unit.clone(),
            room: household.room.clone(),
            label: household_label(
                household.point.as_deref(),
                &household.building,
                household.unit.as_deref(),
                household.room.as_deref(),
                true,
            ),
        })]
    }
}

impl Definition for AddCommunityArgs {
    const NAME: &'static str = "add_community";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = NewCommunity;

    fn parse(&self) -> Result<NewCommunity, Vec<FieldError>> {
        AddCommunityArgs::parse(self)
    }

    fn touches(_: &NewCommunity) -> Touches {
        Touches::default()
    }

    fn label(&self, _: &Local) -> Label {
        Label::about("新建社区", "Open a community", self.name.trim())
    }

    fn redo(&self) -> Redo {
        Redo::Communities
    }

    fn optimistic(community: &NewCommunity, _: &Local) -> Vec<Optimistic> {
        vec![Optimistic::community(&CommunityRulesView {
            community_id: community.id.clone(),
            name: community.name.clone(),
            pass_average: crate::dialogue::PASS_AVERAGE,
            window_days: crate::dialogue::SCORING_WINDOW_DAYS,
        })]
    }
}

impl Definition for InviteArgs {
    const NAME: &'static str = "invite";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = NewInvitation;

    fn parse(&self) -> Result<NewInvitation, Vec<FieldError>> {
        InviteArgs::parse(self)
    }

    fn touches(invitation: &NewInvitation) -> Touches {
        Touches {
            household: invitation.household_id,
            community: Some(invitation.community_id.clone()),
            ..Touches::default()
        }
    }

    fn label(&self, _: &Local) -> Label {
        Label::new(
            format!("邀请{}：{}", self.role.label(crate::Lang::Zh), self.code),
            format!(
                "Invite a {}: {}",
                self.role.label(crate::Lang::En).to_lowercase(),
                self.code
            ),
        )
    }

    fn redo(&self) -> Redo {
        Redo::Invitations
    }

    fn optimistic(invitation: &NewInvitation, local: &Local) -> Vec<Optimistic> {
        let household_label = invitation
            .household_id
            .and_then(|id| local.rows.household(id))
            .map(|h| h.label);
        vec![Optimistic::invitation(&InvitationView {
            id: invitation.id,
            community_id: invitation.community_id.clone(),
            kind: "join".into(),
            code: invitation.code.display(),
            role: Some(invitation.role),
            household_id: invitation.household_id,
            household_label,
            person_id: None,
            person_name: None,
            expires_at: local.now + Duration::days(CODE_VALID_DAYS),
            used: false,
        })]
    }
}

/// `reset_password`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResetPassword {
    pub id: Uuid,
    pub person_id: Uuid,
    pub code: Code,
}

impl Definition for ResetPasswordArgs {
    const NAME: &'static str = "reset_password";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = ResetPassword;

    fn parse(&self) -> Result<ResetPassword, Vec<FieldError>> {
        Ok(ResetPassword {
            id: self.id,
            person_id: self.person_id,
            code: Code::parse(&self.code).map_err(|e| vec![e])?,
        })
    }

    fn touches(reset: &ResetPassword) -> Touches {
        Touches {
            person: Some(reset.person_id),
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        let name = local
            .rows
            .person(self.person_id)
            .map(|p| p.display_name)
            .unwrap_or_default();
        Label::about("重设密码", "Reset a password", &name)
    }

    fn redo(&self) -> Redo {
        Redo::People
    }

    fn optimistic(reset: &ResetPassword, local: &Local) -> Vec<Optimistic> {
        let person = local.rows.person(reset.person_id);
        vec![Optimistic::invitation(&InvitationView {
            id: reset.id,
            community_id: person
                .as_ref()
                .map(|p| p.community_id.clone())
                .unwrap_or_else(|| local.home_community.to_string()),
            kind: "reset".into(),
            code: reset.code.display(),
            role: None,
            household_id: None,
            household_label: None,
            person_id: Some(reset.person_id),
            person_name: person.map(|p| p.display_name),
            expires_at: local.now + Duration::days(CODE_VALID_DAYS),
            used: false,
        })]
    }
}

/// `deactivate_person`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeactivatePerson {
    pub person_id: Uuid,
}

impl Definition for DeactivatePersonArgs {
    const NAME: &'static str = "deactivate_person";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = DeactivatePerson;

    fn parse(&self) -> Result<DeactivatePerson, Vec<FieldError>> {
        Ok(DeactivatePerson {
            person_id: self.person_id,
        })
    }

    fn touches(deactivate: &DeactivatePerson) -> Touches {
        Touches {
            person: Some(deactivate.person_id),
            ..Touches::default()
        }
    }

    fn label(&self, local: &Local) -> Label {
        let name = local
            .rows
            .person(self.person_id)
            .map(|p| p.display_name)
            .unwrap_or_default();
        Label::about("停用账号", "Deactivate an account", &name)
    }

    fn redo(&self) -> Redo {
        Redo::People
    }

    fn optimistic(deactivate: &DeactivatePerson, local: &Local) -> Vec<Optimistic> {
        local
            .rows
            .person(deactivate.person_id)
            .map(|person| {
                Optimistic::person(&PersonView {
                    deactivated: true,
                    ..person
                })
            })
            .into_iter()
            .collect()
    }
}

impl Definition for RevokeInvitationArgs {
    const NAME: &'static str = "revoke_invitation";
    const VERSION: u32 = 1;
    const ACCEPTED: &'static [u32] = &[];
    type Valid = RevokeInvitationArgs;

    fn parse(&self) -> Result<RevokeInvitationArgs, Vec<FieldError>> {
        Ok(self.clone())
    }

    fn touches(revoke: &RevokeInvitationArgs) -> Touches {
        Touches {
            community: Some(revoke.community_id.clone()),
            ..Touches::default()
        }
    }

    fn label(&self, _: &Local) -> Label {
        Label::new("撤销邀请码", "Revoke a code")
    }

    fn redo(&self) -> Redo {
        Redo::Invitations
    }

    /// Nothing shown early: the card changes when the server has ended the code.
    fn optimistic(_: &RevokeInvitationArgs, _: &Local) -> Vec<Optimistic> {
        Vec::new()
    }
}
