//! The server's side of each mutation: authorise it, check it against what the server
//! holds, write its effect. Runs inside the transaction that also records the result.

use chrono::{DateTime, Utc};
use domain::issue::IssueStatus;
use domain::{Mutation, RejectCode, Rejection};

use crate::auth::Principal;
use crate::policy;
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

/// Runs one validated mutation for `principal`; its rows get `version`.
pub async fn apply(
    conn: &mut Conn,
    principal: &Principal,
    mutation: &Mutation,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), ApplyError> {
    let target = policy::authorize(principal, mutation)?;
    match mutation {
        Mutation::RaiseIssue(issue) => {
            if store::issues::exists(conn, issue.id).await? {
                return Err(Rejection::new(RejectCode::Conflict).into());
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
    }
    Ok(())
}
