//! Authorisation: who may do what, where. The one place that decides it.
//!
//! Architecture Invariant: handlers and mutators ask this module; none of them checks a
//! role itself. Every mutation in a push and every row in a pull passes through here.

use domain::person::{mask_name, Role};
use domain::wire::IssueView;
use domain::{Mutation, RejectCode, Rejection};

use crate::auth::Principal;
use crate::store::issues::IssueRow;

/// Where an authorised mutation takes effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub community_id: String,
}

fn communities_with_role(principal: &Principal, role: Role) -> impl Iterator<Item = &str> {
    principal
        .memberships
        .iter()
        .filter(move |m| m.role == role)
        .filter_map(|m| m.community_id.as_deref())
}

/// Decides whether the person may run this mutation, and in which community.
pub fn authorize(principal: &Principal, mutation: &Mutation) -> Result<Target, Rejection> {
    match mutation {
        // Residents raise issues in the community they live in.
        Mutation::RaiseIssue(_) => communities_with_role(principal, Role::Resident)
            .next()
            .map(|community_id| Target {
                community_id: community_id.to_string(),
            })
            .ok_or(Rejection::new(RejectCode::Forbidden)),
    }
}

/// What a pull may return: the communities whose shared rows this person sees, and the
/// townships they oversee (every community of those).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PullScope {
    pub communities: Vec<String>,
    pub townships: Vec<String>,
}

pub fn pull_scope(principal: &Principal) -> PullScope {
    let mut scope = PullScope::default();
    for membership in &principal.memberships {
        match (&membership.community_id, membership.role) {
            (_, Role::TownshipStaff) => push_unique(&mut scope.townships, &membership.township_id),
            (Some(community_id), _) => push_unique(&mut scope.communities, community_id),
            (None, _) => {}
        }
    }
    scope
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

/// An issue as this person may see it: the raiser's name masked, unless it is their own.
pub fn issue_view(principal: &Principal, row: &IssueRow) -> IssueView {
    let mine = row.raised_by == Some(principal.user_id);
    let raised_by = match (&row.raiser_name, mine) {
        (Some(name), true) => name.clone(),
        (Some(name), false) => mask_name(name),
        (None, _) => "已注销用户".to_string(),
    };
    IssueView {
        id: row.id,
        community_id: row.community_id.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
        category: row.category.clone(),
        place: row.place.clone(),
        status: row.status.clone(),
        raised_by,
        mine,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::people::Membership;
    use domain::NewIssue;
    use uuid::Uuid;

    fn principal(memberships: Vec<(Role, Option<&str>)>) -> Principal {
        Principal {
            user_id: Uuid::new_v4(),
            display_name: "王秀兰".into(),
            phone: "13900000001".into(),
            memberships: memberships
                .into_iter()
                .map(|(role, community)| Membership {
                    role,
                    township_id: "tangwang".into(),
                    community_id: community.map(Into::into),
                    community_name: None,
                    township_name: "汤汪乡".into(),
                })
                .collect(),
            token_hash: String::new(),
        }
    }

    fn raise() -> Mutation {
        Mutation::RaiseIssue(NewIssue {
            id: Uuid::nil(),
            title: "t".into(),
            description: String::new(),
            category: domain::Category::Other,
            place: None,
        })
    }

    #[test]
    fn a_resident_raises_issues_in_their_own_community() {
        let resident = principal(vec![(Role::Resident, Some("shanwan"))]);
        assert_eq!(
            authorize(&resident, &raise()).unwrap().community_id,
            "shanwan"
        );
    }

    #[test]
    fn people_without_a_resident_role_may_not_raise_issues() {
        for role in [
            Role::Guard,
            Role::Property,
            Role::Volunteer,
            Role::CommunityStaff,
        ] {
            let someone = principal(vec![(role, Some("shanwan"))]);
            assert_eq!(
                authorize(&someone, &raise()).unwrap_err().code,
                RejectCode::Forbidden
            );
        }
        let township = principal(vec![(Role::TownshipStaff, None)]);
        assert!(authorize(&township, &raise()).is_err());
    }

    #[test]
    fn the_pull_scope_is_the_persons_communities_and_townships() {
        let volunteer_resident = principal(vec![
            (Role::Resident, Some("jiulong")),
            (Role::Volunteer, Some("jiulong")),
        ]);
        assert_eq!(pull_scope(&volunteer_resident).communities, ["jiulong"]);
        let township = principal(vec![(Role::TownshipStaff, None)]);
        assert_eq!(pull_scope(&township).townships, ["tangwang"]);
        assert!(pull_scope(&township).communities.is_empty());
    }
}
