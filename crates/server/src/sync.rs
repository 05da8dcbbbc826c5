//! The sync engine: pushed batches, exactly-once processing of each mutation, and pulls.
//!
//! Each mutation runs in its own write transaction together with the client's last seq:
//! a replay (`seq ≤ last`) returns the stored result with no second effect, the next seq
//! runs the mutator, a gap answers `out_of_order`. A refusal is committed as processed, so
//! it never blocks the queue; a database failure rolls back and answers `retry`.

use chrono::Utc;
use domain::wire::{
    entity, Change, MutationEnvelope, MutationResult, Op, PullRequest, PullResponse, PushRequest,
    PushResponse, ResultStatus, PUSH_BATCH_MAX,
};
use domain::{FieldError, FieldErrorKind, Mutation};
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::AppError;
use crate::mutators::{self, ApplyError};
use crate::store::{self, Db};
use crate::{policy, views};

/// Processes a pushed batch in seq order: one result per mutation processed. It stops at
/// the first that must be retried or is out of order, since every later one would be out
/// of order too; the phone sends them again after it.
pub async fn push(
    db: &Db,
    principal: Principal,
    request: PushRequest,
) -> Result<PushResponse, AppError> {
    if request.mutations.len() > PUSH_BATCH_MAX {
        return Err(AppError::Invalid(vec![FieldError::new(
            "mutations",
            FieldErrorKind::TooLong {
                max: PUSH_BATCH_MAX,
                actual: request.mutations.len(),
            },
        )]));
    }
    // Everything runs in a task of its own, claiming the installation id included: if the
    // phone hangs up (a lost connection, the page navigating away), the work still finishes
    // cleanly instead of being cancelled between two statements, or halfway through opening
    // a transaction (which left a pooled connection inside `BEGIN IMMEDIATE`, and the next
    // push on it failed). The phone learns the results on its retry.
    let db = db.clone();
    let results = tokio::spawn(async move {
        claim_client(&db, &principal, request.client_id).await?;
        let mut results = Vec::with_capacity(request.mutations.len());
        for envelope in &request.mutations {
            let result = match process(&db, &principal, request.client_id, envelope).await {
                Ok(result) => result,
                Err(error) => {
                    tracing::warn!(error = %error, seq = envelope.seq, "mutation not processed; the client will retry");
                    MutationResult::retry(envelope.seq, "服务器暂时忙，稍后会自动重试")
                }
            };
            let stop = matches!(result.status, ResultStatus::Retry | ResultStatus::OutOfOrder);
            results.push(result);
            if stop {
                break;
            }
        }
        Ok::<_, AppError>(results)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))??;
    Ok(PushResponse { results })
}

/// Makes sure the installation `client_id` belongs to this person (registering it on
/// first use). Another person's installation id is refused.
async fn claim_client(db: &Db, principal: &Principal, client_id: Uuid) -> Result<(), AppError> {
    let mut conn = db.pool().acquire().await?;
    match store::sync::client(&mut conn, client_id).await? {
        Some(client) if policy::may_use_client(principal, &client) => Ok(()),
        Some(_) => Err(AppError::Forbidden("这台设备的同步编号属于另一个账号")),
        None => {
            let mut tx = db.begin_write().await?;
            if store::sync::client(&mut tx, client_id).await?.is_none() {
                store::sync::insert_client(&mut tx, client_id, principal.user_id, Utc::now())
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        }
    }
}

/// Processes one mutation. `Err` means a transient failure: nothing was committed.
async fn process(
    db: &Db,
    principal: &Principal,
    client_id: Uuid,
    envelope: &MutationEnvelope,
) -> Result<MutationResult, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let client = store::sync::client(&mut tx, client_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let seq = envelope.seq;
    if seq <= client.last_seq {
        // Already processed: answer as the first time, change nothing. If the phone sends a
        // different mutation under a processed seq (its storage was restored from an older
        // copy, say), its numbering is behind: tell it where the server is.
        let stored = match store::sync::result_for_seq(&mut tx, client_id, seq).await? {
            Some((mutation_id, result)) if mutation_id == envelope.id => Some(result),
            Some(_) => None,
            None => store::sync::result_for_mutation_id(&mut tx, envelope.id).await?,
        };
        tx.rollback().await?;
        return Ok(match stored {
            Some(mut result) => {
                result.seq = seq;
                result
            }
            None => MutationResult::out_of_order(seq, client.last_seq + 1),
        });
    }
    if seq != client.last_seq + 1 {
        tx.rollback().await?;
        return Ok(MutationResult::out_of_order(seq, client.last_seq + 1));
    }
    let now = Utc::now();
    // The same mutation pushed before under another installation id: no second effect.
    if let Some(mut earlier) = store::sync::result_for_mutation_id(&mut tx, envelope.id).await? {
        store::sync::set_last_seq(&mut tx, client_id, seq, now).await?;
        tx.commit().await?;
        earlier.seq = seq;
        return Ok(earlier);
    }
    let version = store::next_version(&mut tx).await?;
    let outcome = match Mutation::parse_envelope(envelope) {
        Err(rejection) => Err(ApplyError::Rejected(rejection)),
        Ok(mutation) => {
            // A savepoint, so a refusal found halfway leaves no partial effect behind.
            let mut savepoint = sqlx::Connection::begin(&mut *tx).await?;
            match mutators::apply(&mut savepoint, principal, &mutation, version, now).await {
                Ok(()) => savepoint.commit().await.map(|_| Ok(()))?,
                Err(error) => {
                    savepoint.rollback().await?;
                    Err(error)
                }
            }
        }
    };
    let result = match outcome {
        Ok(()) => MutationResult::applied(seq),
        Err(ApplyError::Rejected(rejection)) => rejection.to_result(seq),
        Err(ApplyError::Store(error)) => return Err(error),
    };
    store::sync::insert_result(&mut tx, client_id, envelope, &result, version, now).await?;
    store::sync::set_last_seq(&mut tx, client_id, seq, now).await?;
    tx.commit().await?;
    Ok(result)
}

/// The changes since the cursor that this person may see, and this client's results.
pub async fn pull(
    db: &Db,
    principal: &Principal,
    request: &PullRequest,
) -> Result<PullResponse, AppError> {
    let cursor = request.cursor.unwrap_or(0) as i64;
    let scope = policy::pull_scope(principal);
    let mut tx = db.begin_read().await?;
    // Read the version first: everything read below is at least as new, so nothing
    // committed after this snapshot can slip under the returned cursor.
    let version = store::current_version(&mut tx).await?;
    let mut communities = scope.communities.clone();
    for id in store::people::communities_of_townships(&mut tx, &scope.townships).await? {
        if !communities.contains(&id) {
            communities.push(id);
        }
    }
    let issues = store::issues::changed_since(&mut tx, &communities, cursor).await?;
    let records = if issues.is_empty() {
        store::issues::LoopRecords::default()
    } else {
        store::issues::loop_records(&mut tx, &communities).await?
    };
    let dialogues = store::dialogues::changed_since(&mut tx, &communities, cursor).await?;
    let community_rows = store::communities::changed_since(&mut tx, &communities, cursor).await?;
    let staff_of = policy::staff_scope(principal);
    let households = store::households::changed_since(&mut tx, &staff_of, cursor).await?;
    let people = store::people::people_changed_since(&mut tx, &staff_of, cursor).await?;
    let invitations = store::invitations::changed_since(&mut tx, &staff_of, cursor).await?;
    // Labels and names the staff views show, looked up once each.
    let mut households_by_id = std::collections::HashMap::new();
    let referenced = people
        .iter()
        .filter_map(|p| p.household_id)
        .chain(invitations.iter().filter_map(|i| i.household_id));
    for id in referenced {
        if let std::collections::hash_map::Entry::Vacant(entry) = households_by_id.entry(id) {
            entry.insert(store::households::by_id(&mut tx, id).await?);
        }
    }
    let mut name_of = std::collections::HashMap::new();
    for id in invitations.iter().filter_map(|i| i.person_id) {
        if let std::collections::hash_map::Entry::Vacant(entry) = name_of.entry(id) {
            entry.insert(
                store::people::user_by_id(&mut tx, id)
                    .await?
                    .map(|u| u.display_name),
            );
        }
    }
    let client = store::sync::client(&mut tx, request.client_id).await?;
    let (last_seq, results) = match client {
        Some(client) if policy::may_use_client(principal, &client) => (
            client.last_seq,
            store::sync::results_since(&mut tx, request.client_id, cursor).await?,
        ),
        Some(_) => return Err(AppError::Forbidden("这台设备的同步编号属于另一个账号")),
        None => (0, Vec::new()),
    };
    tx.commit().await?;
    let put = |entity: &str, id: String, data: serde_json::Value| Change {
        entity: entity.to_string(),
        id,
        op: Op::Put,
        data: Some(data),
    };
    let household_of =
        |id: Option<Uuid>| id.and_then(|id| households_by_id.get(&id).cloned().flatten());
    let mut changes: Vec<Change> = issues
        .iter()
        .map(|row| {
            put(
                entity::ISSUE,
                row.id.to_string(),
                views::json(&views::issue_view(principal, row, &records)),
            )
        })
        .collect();
    changes.extend(community_rows.iter().map(|row| {
        put(
            entity::COMMUNITY,
            row.id.clone(),
            views::json(&views::community_view(row)),
        )
    }));
    changes.extend(dialogues.iter().map(|row| {
        put(
            entity::DIALOGUE,
            row.id.to_string(),
            views::json(&views::dialogue_view(row)),
        )
    }));
    changes.extend(households.iter().map(|row| {
        put(
            entity::HOUSEHOLD,
            row.id.to_string(),
            views::json(&views::household_view(row)),
        )
    }));
    changes.extend(people.iter().map(|row| {
        let view = views::person_view(row, household_of(row.household_id).as_ref());
        put(
            entity::PERSON,
            format!("{}:{}", row.community_id, row.id),
            views::json(&view),
        )
    }));
    changes.extend(invitations.iter().map(|row| {
        let person = row
            .person_id
            .and_then(|id| name_of.get(&id).cloned().flatten());
        let view = views::invitation_view(row, household_of(row.household_id).as_ref(), person);
        put(entity::INVITATION, row.id.to_string(), views::json(&view))
    }));
    Ok(PullResponse {
        cursor: version as u64,
        last_seq,
        changes,
        results,
    })
}

/// Decides every scoring round whose window has ended (run every minute, and at start).
pub async fn settle_due_rounds(db: &Db, now: chrono::DateTime<Utc>) -> Result<usize, sqlx::Error> {
    let due = {
        let mut conn = db.pool().acquire().await?;
        store::issues::due_rounds(&mut conn, now).await?
    };
    let mut settled = 0;
    for issue_id in due {
        let mut tx = db.begin_write().await?;
        let version = store::next_version(&mut tx).await?;
        if mutators::settle_due_round(&mut tx, issue_id, now, version).await? {
            tx.commit().await?;
            settled += 1;
        } else {
            tx.rollback().await?;
        }
    }
    Ok(settled)
}
