//! The server's side of each mutation: load what it refers to, ask the policy, check it
//! against what the server holds, write its effect. Runs inside the transaction that also
//! records the result.

use chrono::{DateTime, Duration, Utc};
use domain::account::CODE_VALID_DAYS;
use domain::issue::IssueStatus;
use domain::{Mutation, RejectCode, Rejection};

use crate::auth::Principal;
use crate::policy::{self, Facts};
use crate::store::{self, Conn};

/// Why a mutation did not take effect: refused for good, or the database failed (transient).
#[derive(Debug)]
pub enum ApplyError {
    Rejected(Rejection),
    Store(sqlx::Error),
}

impl From<Rejection> for ApplyError {
    fn from(rejection: Rejection) -> Self {
        ApplyError::Rejected(rejection)
    }
}

impl From<sqlx::Error> for ApplyError {
    fn from(error: sqlx::Error) -> Self {
        ApplyError::Store(error)
    }
}

fn conflict() -> ApplyError {
    Rejection::new(RejectCode::Conflict).into()
}

/// What the policy needs to know about the things the mutation names.
async fn facts(conn: &mut Conn, mutation: &Mutation) -> Result<Facts, sqlx::Error> {
    let household_id = match mutation {
        Mutation::RaiseIssue(issue) => issue.on_behalf_of,
        Mutation::Invite(invitation) => invitation.household_id,
        _ => None,
    };
    let household = match household_id {
        Some(id) => store::households::by_id(conn, id).await?,
        None => None,
    };
    let person_communities = match mutation {
        Mutation::ResetPassword { person_id, .. } | Mutation::DeactivatePerson { person_id } => {
            store::people::communities_of(conn, *person_id).await?
        }
        _ => Vec::new(),
    };
    Ok(Facts {
        household,
        person_communities,
    })
}

/// Runs one validated mutation for `principal`; its rows get `version`.
pub async fn apply(
    conn: &mut Conn,
    principal: &Principal,
    mutation: &Mutation,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), ApplyError> {
    let facts = facts(conn, mutation).await?;
    let target = policy::authorize(principal, mutation, &facts)?;
    let expires_at = now + Duration::days(CODE_VALID_DAYS);
    match mutation {
        Mutation::RaiseIssue(issue) => {
            if store::issues::exists(conn, issue.id).await? {
                return Err(conflict());
            }
            store::issues::insert(
                conn,
                issue,
                &target.community_id,
                principal.user_id,
                now,
                IssueStatus::Raised,
                version,
            )
            .await?;
        }
        Mutation::AddHousehold(household) => {
            if store::households::by_id(conn, household.id)
                .await?
                .is_some()
            {
                return Err(conflict());
            }
            store::households::insert(conn, household, now, version).await?;
        }
        Mutation::Invite(invitation) => {
            let inserted = store::invitations::insert(
                conn,
                invitation.id,
                store::invitations::JOIN,
                invitation.code.as_str(),
                &invitation.community_id,
                Some(invitation.role),
                invitation.household_id,
                None,
                principal.user_id,
                now,
                expires_at,
                version,
            )
            .await?;
            if !inserted {
                return Err(conflict());
            }
        }
        Mutation::ResetPassword {
            id,
            person_id,
            code,
        } => {
            store::invitations::expire_resets_of(conn, *person_id, now, version).await?;
            let inserted = store::invitations::insert(
                conn,
                *id,
                store::invitations::RESET,
                code.as_str(),
                &target.community_id,
                None,
                None,
                Some(*person_id),
                principal.user_id,
                now,
                expires_at,
                version,
            )
            .await?;
            if !inserted {
                return Err(conflict());
            }
        }
        Mutation::DeactivatePerson { person_id } => {
            store::people::deactivate(conn, *person_id, now, version).await?;
        }
    }
    Ok(())
}
