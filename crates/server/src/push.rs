//! Pushes, with group commit: one writer task takes the pushes of every connection, applies
//! their mutations one after another inside one write transaction — each under its own
//! savepoint, so a refusal or a failure undoes only its own effect — commits the group with
//! one fsync, and only then answers each push.
//!
//! The guarantees are the engine's as before (docs/PROTOCOL.md): per client in seq order,
//! exactly once, each result committed with its effect, refusals never blocking. A crowd
//! costs one transaction per group instead of one per mutation, and never holds more than
//! the writer's one connection, so new phones registering at once cannot exhaust the pool.
//! When more work waits than the writer takes in, pushes are answered `retry` at once, with
//! `Retry-After`, instead of timing out.

use std::time::Duration;

use chrono::Utc;
use domain::wire::{MutationEnvelope, MutationResult, PushRequest, ResultStatus, PUSH_BATCH_MAX};
use domain::{FieldError, FieldErrorKind, Mutation};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::AppError;
use crate::mutators::{self, ApplyError};
use crate::policy::{self, Quotas};
use crate::store::{self, Conn, Db};

/// How many pushes may wait for the writer before the server sheds load.
const QUEUE: usize = 4096;
/// The most mutations one group commits (a bound on one transaction's time and size).
const GROUP_MAX: usize = 2000;
/// What a shed push is told to wait, in seconds (the phone backs off on `retry` anyway).
pub const RETRY_AFTER_SECONDS: u64 = 2;

/// The answer to one push: its results, or why the push as a whole was refused.
pub enum Pushed {
    Results(Vec<MutationResult>),
    /// The writer is full: every mutation is to be retried later.
    Shed(Vec<MutationResult>),
}

struct Job {
    principal: Principal,
    quotas: Quotas,
    client_id: Uuid,
    mutations: Vec<MutationEnvelope>,
    reply: oneshot::Sender<Result<Vec<MutationResult>, AppError>>,
}

/// The handle pushes go through; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    quotas: Quotas,
}

impl Writer {
    /// Starts the writer task on `db`; the mutations it applies are under `quotas`.
    pub fn start(db: Db, quotas: Quotas) -> Writer {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(db, queue));
        Writer { jobs, quotas }
    }

    /// Processes a pushed batch in seq order: one result per mutation processed. It stops at
    /// the first that must be retried or is out of order, since every later one would be
    /// out of order too; the phone sends them again after it.
    pub async fn push(
        &self,
        principal: Principal,
        request: PushRequest,
    ) -> Result<Pushed, AppError> {
        if request.mutations.len() > PUSH_BATCH_MAX {
            return Err(AppError::Invalid(vec![FieldError::new(
                "mutations",
                FieldErrorKind::TooLong {
                    max: PUSH_BATCH_MAX,
                    actual: request.mutations.len(),
                },
            )]));
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            principal,
            quotas: self.quotas,
            client_id: request.client_id,
            mutations: request.mutations,
            reply,
        };
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(job) | mpsc::error::TrySendError::Closed(job)) => {
                return Ok(Pushed::Shed(retry_all(&job.mutations)));
            }
        }
        // The writer answers even if the phone has hung up meanwhile: its work is never
        // cancelled halfway (the phone learns the results on its retry).
        match answer.await {
            Ok(result) => result.map(Pushed::Results),
            Err(_) => Err(AppError::Internal(anyhow::anyhow!("the writer stopped"))),
        }
    }
}

fn retry_all(mutations: &[MutationEnvelope]) -> Vec<MutationResult> {
    mutations
        .iter()
        .map(|m| MutationResult::retry(m.seq, "服务器正忙，稍后会自动重试"))
        .collect()
}

async fn run(db: Db, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut count = first.mutations.len();
        let mut jobs = vec![first];
        // Whatever else is already waiting joins this group.
        while count < GROUP_MAX {
            match queue.try_recv() {
                Ok(job) => {
                    count += job.mutations.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        commit_group(&db, jobs).await;
    }
}

/// Answers every push of a group that could not start: all to be retried, nothing applied.
fn retry_jobs(jobs: Vec<Job>) {
    for job in jobs {
        // A phone that hung up has nobody waiting; it retries on its own.
        let _ = job.reply.send(Ok(retry_all(&job.mutations)));
    }
}

/// One group: every job applied in one transaction, committed once, then answered.
async fn commit_group(db: &Db, jobs: Vec<Job>) {
    let mut tx = match db.begin_write().await {
        Ok(tx) => tx,
        Err(error) => {
            tracing::warn!(%error, "could not start a group; its pushes will be retried");
            return retry_jobs(jobs);
        }
    };
    // Versions are handed out here, under the write lock the group holds, and the counter is
    // written back once: a statement less for every mutation.
    let mut version = match store::current_version(&mut tx).await {
        Ok(version) => version,
        Err(error) => {
            tracing::warn!(%error, "could not read the version; the group's pushes will be retried");
            return retry_jobs(jobs);
        }
    };
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        let outcome = apply_job(&mut tx, &job, &mut version).await;
        answers.push((job, outcome));
    }
    let committed = match store::set_version(&mut tx, version).await {
        Ok(()) => tx.commit().await,
        Err(error) => Err(error),
    };
    for (job, outcome) in answers {
        let answer = match (&committed, outcome) {
            (Ok(()), outcome) => outcome,
            // Nothing of the group was kept: every push is retried, none half-applied.
            (Err(_), Ok(_)) => Ok(retry_all(&job.mutations)),
            (Err(_), Err(error)) => Err(error),
        };
        // A phone that hung up has nobody waiting: its results are stored all the same.
        let _ = job.reply.send(answer);
    }
    if let Err(error) = committed {
        tracing::warn!(%error, "a group did not commit; its pushes will be retried");
    }
}

/// One push inside the group, under a savepoint of its own: the installation id is claimed
/// (registered on first use), then each mutation is processed in seq order, and the
/// client's position is written once for the push.
async fn apply_job(
    tx: &mut Conn,
    job: &Job,
    version: &mut i64,
) -> Result<Vec<MutationResult>, AppError> {
    let mut savepoint = sqlx::Connection::begin(&mut *tx)
        .await
        .map_err(AppError::from)?;
    let mut last_seq = match claim_client(&mut savepoint, &job.principal, job.client_id).await {
        Ok(last_seq) => last_seq,
        Err(error) => {
            let _ = savepoint.rollback().await;
            return Err(error);
        }
    };
    let first_seq = last_seq;
    let now = Utc::now();
    let mut results = Vec::with_capacity(job.mutations.len());
    for envelope in &job.mutations {
        let result = match process(&mut savepoint, job, last_seq, envelope, now, version).await {
            Ok(result) => result,
            Err(error) => {
                tracing::warn!(error = %error, seq = envelope.seq, "mutation not processed; the client will retry");
                MutationResult::retry(envelope.seq, "服务器暂时忙，稍后会自动重试")
            }
        };
        let stop = matches!(
            result.status,
            ResultStatus::Retry | ResultStatus::OutOfOrder
        );
        if !stop && envelope.seq == last_seq + 1 {
            last_seq = envelope.seq;
        }
        results.push(result);
        if stop {
            break;
        }
    }
    if last_seq != first_seq {
        store::sync::set_last_seq(&mut savepoint, job.client_id, last_seq, now)
            .await
            .map_err(AppError::from)?;
    }
    savepoint.commit().await.map_err(AppError::from)?;
    Ok(results)
}

/// Makes sure the installation `client_id` belongs to this person (registering it on first
/// use), and answers the last seq processed for it. Another person's installation id is
/// refused.
async fn claim_client(
    conn: &mut Conn,
    principal: &Principal,
    client_id: Uuid,
) -> Result<u64, AppError> {
    match store::sync::client(conn, client_id).await? {
        Some(client) if policy::may_use_client(principal, &client) => Ok(client.last_seq),
        Some(_) => Err(AppError::Forbidden("这台设备的同步编号属于另一个账号")),
        None => {
            store::sync::insert_client(conn, client_id, principal.user_id, Utc::now()).await?;
            Ok(0)
        }
    }
}

/// Processes one mutation of a client whose last processed seq is `last_seq`. `Err` means a
/// transient failure: nothing of this mutation is kept, and the client retries it.
async fn process(
    tx: &mut Conn,
    job: &Job,
    last_seq: u64,
    envelope: &MutationEnvelope,
    now: chrono::DateTime<Utc>,
    next_version: &mut i64,
) -> Result<MutationResult, sqlx::Error> {
    let (principal, client_id) = (&job.principal, job.client_id);
    let seq = envelope.seq;
    if seq <= last_seq {
        // Already processed: answer as the first time, change nothing. If the phone sends a
        // different mutation under a processed seq (its storage was restored from an older
        // copy, say), its numbering is behind: tell it where the server is.
        let stored = match store::sync::result_for_seq(tx, client_id, seq).await? {
            Some((mutation_id, result)) if mutation_id == envelope.id => Some(result),
            Some(_) => None,
            None => store::sync::result_for_mutation_id(tx, envelope.id).await?,
        };
        return Ok(match stored {
            Some(mut result) => {
                result.seq = seq;
                result
            }
            None => MutationResult::out_of_order(seq, last_seq + 1),
        });
    }
    if seq != last_seq + 1 {
        return Ok(MutationResult::out_of_order(seq, last_seq + 1));
    }
    // The same mutation pushed before under another installation id: no second effect.
    if let Some(mut earlier) = store::sync::result_for_mutation_id(tx, envelope.id).await? {
        earlier.seq = seq;
        return Ok(earlier);
    }
    *next_version += 1;
    let version = *next_version;
    let mutation = match Mutation::parse_envelope(envelope) {
        Ok(mutation) => mutation,
        Err(rejection) => {
            let result = rejection.to_result(seq);
            store::sync::insert_result(tx, client_id, envelope, &result, version, now).await?;
            return Ok(result);
        }
    };
    // The effect and its result under one savepoint: a refusal found halfway leaves no
    // partial effect behind, and an effect is never kept without its result.
    let mut effect = sqlx::Connection::begin(&mut *tx).await?;
    let result = match mutators::apply(&mut effect, principal, &mutation, version, now, job.quotas)
        .await
    {
        Ok(()) => {
            let result = MutationResult::applied(seq);
            if let Err(error) =
                store::sync::insert_result(&mut effect, client_id, envelope, &result, version, now)
                    .await
            {
                effect.rollback().await?;
                return Err(error);
            }
            effect.commit().await?;
            return Ok(result);
        }
        Err(ApplyError::Rejected(rejection)) => rejection.to_result(seq),
        Err(ApplyError::Store(error)) => {
            effect.rollback().await?;
            return Err(error);
        }
    };
    effect.rollback().await?;
    store::sync::insert_result(tx, client_id, envelope, &result, version, now).await?;
    Ok(result)
}

/// How long a phone is asked to wait when its push was shed.
pub fn retry_after() -> Duration {
    Duration::from_secs(RETRY_AFTER_SECONDS)
}
