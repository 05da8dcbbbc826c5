//! Pushes, with group commit: one writer task takes the pushes of every connection, applies
//! their mutations one after another inside one write transaction — each under its own
//! savepoint, so a refusal or a failure undoes only its own effect — commits the group with
//! one fsync, and only then answers each push.
//!
//! The guarantees are the engine's as before (docs/PROTOCOL.md): per client in seq order,
//! exactly once, each result committed with its effect, refusals never blocking. A crowd
//! costs one transaction per group instead of one per mutation, and the writer holds one
//! connection of its own, so new phones registering at once cannot exhaust the pool.
//!
//! What keeps the writer fast (issue 10's figures): the handlers decode and validate the
//! mutations before they queue them; a push asks once which of its mutations were processed
//! before, not once per mutation; the writer has a connection of its own (a large page
//! cache, savepoint journals in memory); a mutation's result, its effect kept or undone and
//! the savepoint moved on go in one round trip; and a group stops at `GROUP_MAX` mutations,
//! so a push waits for at most about one group ahead of it. The writer runs on a thread of
//! its own that spins a moment for each statement's answer (`writer_thread`). When more
//! mutations wait than the writer does in about two seconds, further pushes are answered
//! `retry` at once, with `Retry-After`, instead of waiting until the phone gives up.
//!
//! The writer's connection checkpoints the WAL itself, between groups (SQLite's automatic
//! checkpoint). A passive checkpoint beside it was tried: under a steady crowd it never
//! caught up with the writer, so the WAL was never restarted and grew past a gigabyte.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use domain::wire::{MutationEnvelope, MutationResult, PushRequest, ResultStatus, PUSH_BATCH_MAX};
use domain::{FieldError, FieldErrorKind, Mutation, Rejection};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::AppError;
use crate::mutators::{self, ApplyError};
use crate::policy::{self, Quotas};
use crate::store::sync::Effect;
use crate::store::{self, Conn, Db};
use crate::writer_thread;

/// How many mutations may wait for the writer before the server sheds load: about two
/// seconds of the writer's work, well within a phone's patience.
const QUEUED_MAX: usize = 20_000;
/// The most mutations one group takes (a push is never split): a bound on one transaction's
/// time, and so on how long a push waits behind the group being written.
const GROUP_MAX: usize = 500;
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
    client_id: Uuid,
    mutations: Vec<Pending>,
    reply: oneshot::Sender<Result<Vec<MutationResult>, AppError>>,
}

/// A pushed mutation, with its arguments already decoded and validated by the handler (the
/// domain's `parse`, pure), so the writer spends its time on the database alone.
struct Pending {
    envelope: MutationEnvelope,
    parsed: Result<Mutation, Rejection>,
}

/// The handle pushes go through; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::UnboundedSender<Job>,
    /// Mutations queued and not yet taken into a group.
    queued: Arc<AtomicUsize>,
    /// The most mutations that may be queued (`QUEUED_MAX`).
    capacity: usize,
}

impl Writer {
    /// Starts the writer on a thread of its own (`writer_thread`, spinning up to `spin` for
    /// each answer of the database) on `db`; the mutations it applies are under `quotas`.
    pub fn start(db: Db, quotas: Quotas, spin: Duration) -> Writer {
        let (writer, queue) = Writer::new(QUEUED_MAX);
        let queued = writer.queued.clone();
        writer_thread::spawn(run(db, queue, queued, quotas), spin);
        writer
    }

    /// A writer whose queue is `queue`, holding at most `capacity` mutations.
    fn new(capacity: usize) -> (Writer, mpsc::UnboundedReceiver<Job>) {
        let (jobs, queue) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let writer = Writer {
            jobs,
            queued,
            capacity,
        };
        (writer, queue)
    }

    /// Processes a pushed batch in seq order: one result per mutation processed. It stops at
    /// the first that must be retried or is out of order, since every later one would be
    /// out of order too; the phone sends them again after it.
    pub async fn push(
        &self,
        principal: Principal,
        request: PushRequest,
    ) -> Result<Pushed, AppError> {
        let count = request.mutations.len();
        if count > PUSH_BATCH_MAX {
            return Err(AppError::Invalid(vec![FieldError::new(
                "mutations",
                FieldErrorKind::TooLong {
                    max: PUSH_BATCH_MAX,
                    actual: count,
                },
            )]));
        }
        if !self.admit(count) {
            let seqs = request.mutations.iter().map(|m| m.seq);
            return Ok(Pushed::Shed(retry_all(seqs)));
        }
        let mutations = request
            .mutations
            .into_iter()
            .map(|envelope| Pending {
                parsed: Mutation::parse_envelope(&envelope),
                envelope,
            })
            .collect();
        let (reply, answer) = oneshot::channel();
        let job = Job {
            principal,
            client_id: request.client_id,
            mutations,
            reply,
        };
        if let Err(mpsc::error::SendError(job)) = self.jobs.send(job) {
            // The writer is gone (its thread ended): nothing was applied.
            self.queued.fetch_sub(count, Ordering::SeqCst);
            return Ok(Pushed::Shed(retry_pending(&job.mutations)));
        }
        // The writer answers every job it takes, even if the phone has hung up meanwhile: its
        // work is never cancelled halfway (the phone learns the results on its retry). A panic
        // in it ends the process (`writer_thread::spawn`), so an unanswered job is a bug.
        match answer.await {
            Ok(result) => result.map(Pushed::Results),
            Err(_) => Err(AppError::Internal(anyhow::anyhow!("the writer stopped"))),
        }
    }

    /// Counts `count` more mutations into the queue if they fit; a push finding the queue
    /// empty always fits, however large.
    fn admit(&self, count: usize) -> bool {
        let before = self.queued.fetch_add(count, Ordering::SeqCst);
        if before == 0 || before + count <= self.capacity {
            return true;
        }
        self.queued.fetch_sub(count, Ordering::SeqCst);
        false
    }
}

fn retry_all(seqs: impl Iterator<Item = u64>) -> Vec<MutationResult> {
    seqs.map(|seq| MutationResult::retry(seq, "服务器正忙，稍后会自动重试"))
        .collect()
}

fn retry_pending(mutations: &[Pending]) -> Vec<MutationResult> {
    retry_all(mutations.iter().map(|m| m.envelope.seq))
}

/// Takes the jobs waiting, a group at a time, and writes each group on the writer's own
/// connection (opened again after a failure).
async fn run(
    db: Db,
    mut queue: mpsc::UnboundedReceiver<Job>,
    queued: Arc<AtomicUsize>,
    quotas: Quotas,
) {
    let mut connection = None;
    while let Some(first) = queue.recv().await {
        let jobs = group(first, &mut queue, &queued);
        let conn = match open(&db, &mut connection).await {
            Ok(conn) => conn,
            Err(error) => {
                tracing::warn!(%error, "the writer could not connect; its pushes will be retried");
                retry_jobs(jobs);
                continue;
            }
        };
        if !commit_group(conn, jobs, quotas).await {
            connection = None;
        }
    }
}

/// A group: `first`, and whatever else is already waiting, up to `GROUP_MAX` mutations. They
/// leave the queue's count, making room for more pushes.
fn group(first: Job, queue: &mut mpsc::UnboundedReceiver<Job>, queued: &AtomicUsize) -> Vec<Job> {
    let mut count = first.mutations.len();
    let mut jobs = vec![first];
    while count < GROUP_MAX {
        match queue.try_recv() {
            Ok(job) => {
                count += job.mutations.len();
                jobs.push(job);
            }
            Err(_) => break,
        }
    }
    queued.fetch_sub(count, Ordering::SeqCst);
    jobs
}

/// The writer's connection, opened if there is none.
async fn open<'c>(db: &Db, slot: &'c mut Option<Conn>) -> Result<&'c mut Conn, sqlx::Error> {
    let conn = match slot.take() {
        Some(conn) => conn,
        None => db.writer_connection().await?,
    };
    Ok(slot.insert(conn))
}

/// Answers every push of a group that could not start: all to be retried, nothing applied.
fn retry_jobs(jobs: Vec<Job>) {
    for job in jobs {
        // A phone that hung up has nobody waiting; it retries on its own.
        let _ = job.reply.send(Ok(retry_pending(&job.mutations)));
    }
}

/// One group: every job applied in one transaction, committed once, then answered. Answers
/// whether the group committed (if not, the connection is opened afresh).
async fn commit_group(conn: &mut Conn, jobs: Vec<Job>, quotas: Quotas) -> bool {
    let mut tx = match store::Db::begin_write_on(conn).await {
        Ok(tx) => tx,
        Err(error) => {
            tracing::warn!(%error, "could not start a group; its pushes will be retried");
            retry_jobs(jobs);
            return false;
        }
    };
    // Versions are handed out here, under the write lock the group holds, and the counter is
    // written back once: a statement less for every mutation.
    let mut version = match store::current_version(&mut tx).await {
        Ok(version) => version,
        Err(error) => {
            tracing::warn!(%error, "could not read the version; the group's pushes will be retried");
            retry_jobs(jobs);
            return false;
        }
    };
    let mut answers = Vec::with_capacity(jobs.len());
    let mut lost = false;
    for job in jobs {
        // Once the group is lost, the remaining pushes are not even tried.
        let outcome = if lost {
            Err(JobFailure::GroupLost)
        } else {
            apply_job(&mut tx, &job, quotas, &mut version).await
        };
        lost |= matches!(outcome, Err(JobFailure::GroupLost));
        answers.push((job, outcome));
    }
    let kept = if lost {
        // Whatever SQLite still holds of the group is thrown away; the connection is opened
        // afresh for the next group.
        let _ = tx.rollback().await;
        false
    } else {
        let committed = match store::set_version(&mut tx, version).await {
            Ok(()) => tx.commit().await,
            Err(error) => Err(error),
        };
        if let Err(error) = &committed {
            tracing::warn!(%error, "a group did not commit; its pushes will be retried");
        }
        committed.is_ok()
    };
    for (job, outcome) in answers {
        let answer = match (kept, outcome) {
            (true, Ok(results)) => Ok(results),
            (_, Err(JobFailure::Refused(error))) => Err(error),
            // Nothing of the group was kept: every push is retried, none half-applied.
            (false, _) | (_, Err(JobFailure::GroupLost)) => Ok(retry_pending(&job.mutations)),
        };
        // A phone that hung up has nobody waiting: its results are stored all the same.
        let _ = job.reply.send(answer);
    }
    kept
}

/// Why a push inside a group was not applied as such.
enum JobFailure {
    /// Refused as a whole (another person's installation id): answered with this error.
    Refused(AppError),
    /// The group's transaction is gone (SQLite rolled it back, or undoing failed): nothing
    /// of the group may be kept or reported as applied.
    GroupLost,
}

/// One push inside the group, under a savepoint of its own: the installation id is claimed
/// (registered on first use), then each mutation is processed in seq order, and the
/// client's position is written once for the push. A database failure anywhere undoes the
/// whole push (every mutation answered `retry`, nothing of it kept); if even that fails, the
/// group is lost.
async fn apply_job(
    tx: &mut Conn,
    job: &Job,
    quotas: Quotas,
    version: &mut i64,
) -> Result<Vec<MutationResult>, JobFailure> {
    let mut savepoint = sqlx::Connection::begin(&mut *tx)
        .await
        .map_err(|_| JobFailure::GroupLost)?;
    match apply_mutations(&mut savepoint, job, quotas, version).await {
        Ok(results) => match savepoint.commit().await {
            Ok(()) => Ok(results),
            Err(error) => {
                tracing::warn!(%error, "a push could not be kept; the group is retried");
                Err(JobFailure::GroupLost)
            }
        },
        Err(failure) => {
            // Undo this push entirely: its effects, its results and its position.
            if let Err(error) = savepoint.rollback().await {
                tracing::warn!(%error, "a push could not be undone; the group is retried");
                return Err(JobFailure::GroupLost);
            }
            match failure {
                AppError::Forbidden(reason) => {
                    Err(JobFailure::Refused(AppError::Forbidden(reason)))
                }
                error => {
                    tracing::warn!(%error, "a push was not processed; the client will retry it");
                    Ok(retry_pending(&job.mutations))
                }
            }
        }
    }
}

/// The mutations of one push, on its savepoint. `Err` leaves the savepoint to be undone.
async fn apply_mutations(
    savepoint: &mut Conn,
    job: &Job,
    quotas: Quotas,
    version: &mut i64,
) -> Result<Vec<MutationResult>, AppError> {
    let mut last_seq = claim_client(savepoint, &job.principal, job.client_id).await?;
    // The same mutation may have been processed before under another installation id: one
    // look-up for the push's new mutations, kept up to date as they are processed.
    let new: Vec<Uuid> = job
        .mutations
        .iter()
        .filter(|m| m.envelope.seq > last_seq)
        .map(|m| m.envelope.id)
        .collect();
    let mut processed: HashMap<Uuid, MutationResult> =
        store::sync::results_for_mutation_ids(savepoint, &new)
            .await?
            .into_iter()
            .collect();
    // Each mutation's effect under the savepoint `effect`, which each result moves on.
    store::sync::open_effect(savepoint).await?;
    let first_seq = last_seq;
    let now = Utc::now();
    let mut results = Vec::with_capacity(job.mutations.len());
    for pending in &job.mutations {
        let seq = pending.envelope.seq;
        let at = Position {
            principal: &job.principal,
            client_id: job.client_id,
            last_seq,
            processed: &processed,
            now,
            quotas,
        };
        // A database failure is not a refusal: the whole push is undone and retried (an
        // effect is never kept without its result, and the position never moves past one).
        let result = process(savepoint, &at, pending, version).await?;
        let stop = matches!(
            result.status,
            ResultStatus::Retry | ResultStatus::OutOfOrder
        );
        if !stop && seq == last_seq + 1 {
            last_seq = seq;
            // Its outcome is stored now (or was before): a copy later in the group finds it.
            processed
                .entry(pending.envelope.id)
                .or_insert_with(|| result.clone());
        }
        results.push(result);
        if stop {
            break;
        }
    }
    if last_seq != first_seq {
        store::sync::set_last_seq(savepoint, job.client_id, last_seq, now).await?;
    }
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

/// Where a push stands when one of its mutations is processed.
struct Position<'a> {
    principal: &'a Principal,
    client_id: Uuid,
    /// The last seq processed for this installation.
    last_seq: u64,
    /// The stored outcomes of this push's new mutations that were processed before, by id.
    processed: &'a HashMap<Uuid, MutationResult>,
    now: chrono::DateTime<Utc>,
    quotas: Quotas,
}

/// Processes one mutation. `Err` means a transient failure: nothing of this mutation is
/// kept, and the client retries it.
async fn process(
    tx: &mut Conn,
    at: &Position<'_>,
    pending: &Pending,
    next_version: &mut i64,
) -> Result<MutationResult, sqlx::Error> {
    let (envelope, client_id, last_seq, now) =
        (&pending.envelope, at.client_id, at.last_seq, at.now);
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
    if let Some(earlier) = at.processed.get(&envelope.id) {
        let mut earlier = earlier.clone();
        earlier.seq = seq;
        return Ok(earlier);
    }
    *next_version += 1;
    let version = *next_version;
    let mutation = match &pending.parsed {
        Ok(mutation) => mutation,
        Err(rejection) => {
            let result = rejection.to_result(seq);
            store::sync::keep_result(tx, Effect::Undo, client_id, envelope, &result, version, now)
                .await?;
            return Ok(result);
        }
    };
    // The effect and its result under one savepoint: a refusal found halfway leaves no
    // partial effect behind, and an effect is never kept without its result.
    let (effect, result) =
        match mutators::apply(tx, at.principal, mutation, version, now, at.quotas).await {
            Ok(()) => (Effect::Keep, MutationResult::applied(seq)),
            Err(ApplyError::Rejected(rejection)) => (Effect::Undo, rejection.to_result(seq)),
            Err(ApplyError::Store(error)) => {
                store::sync::undo_effect(tx).await?;
                return Err(error);
            }
        };
    let kept =
        store::sync::keep_result(tx, effect, client_id, envelope, &result, version, now).await;
    if let Err(error) = kept {
        store::sync::undo_effect(tx).await?;
        return Err(error);
    }
    Ok(result)
}

/// How long a phone is asked to wait when its push was shed.
pub fn retry_after() -> Duration {
    Duration::from_secs(RETRY_AFTER_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::mutation::Definition;
    use domain::RaiseIssueArgs;

    fn principal() -> Principal {
        Principal {
            user_id: Uuid::new_v4(),
            display_name: "测试".into(),
            phone: "13900000009".into(),
            memberships: Vec::new(),
            token_hash: String::new(),
        }
    }

    fn request(count: u64) -> PushRequest {
        let raise = |seq| {
            RaiseIssueArgs {
                id: Uuid::new_v4(),
                title: format!("排队 {seq}"),
                description: "楼道灯坏了".into(),
                category: "repairs".into(),
                place: None,
                on_behalf_of: None,
            }
            .envelope(seq, Uuid::new_v4(), Utc::now())
        };
        PushRequest {
            client_id: Uuid::new_v4(),
            mutations: (1..=count).map(raise).collect(),
        }
    }

    /// A crowd beyond what the writer does in a while is answered at once, every mutation
    /// `retry` (the handler adds `Retry-After`), and nothing of it is queued; a push finding
    /// the queue empty is always taken, and room comes back as soon as the writer takes a
    /// group.
    #[tokio::test]
    async fn pushes_beyond_the_queue_are_shed_at_once_and_admitted_again_when_it_drains() {
        let (writer, mut queue) = Writer::new(50);
        let pushing = writer.clone();
        // Larger than the whole queue, but the queue is empty: taken.
        let first = tokio::spawn(async move { pushing.push(principal(), request(60)).await });
        let job = queue.recv().await.expect("the first push is queued");
        assert_eq!(writer.queued.load(Ordering::SeqCst), 60);

        match writer.push(principal(), request(10)).await {
            Ok(Pushed::Shed(results)) => {
                assert_eq!(results.len(), 10);
                for (result, seq) in results.iter().zip(1..) {
                    assert_eq!(result.status, ResultStatus::Retry);
                    assert_eq!(result.seq, seq);
                }
            }
            _ => panic!("a push beyond the queue is shed at once"),
        }
        assert_eq!(
            writer.queued.load(Ordering::SeqCst),
            60,
            "a shed push is not queued"
        );

        // The writer takes the first push into a group: there is room again.
        let jobs = group(job, &mut queue, &writer.queued);
        assert_eq!(jobs.len(), 1);
        assert_eq!(writer.queued.load(Ordering::SeqCst), 0);
        let pushing = writer.clone();
        let second = tokio::spawn(async move { pushing.push(principal(), request(10)).await });
        let next = queue.recv().await.expect("the second push is queued");
        assert_eq!(next.mutations.len(), 10);

        // Each is answered with what the writer sends.
        for job in jobs.into_iter().chain([next]) {
            let results = retry_pending(&job.mutations);
            assert!(job.reply.send(Ok(results)).is_ok(), "the push waits");
        }
        for task in [first, second] {
            assert!(matches!(task.await.unwrap(), Ok(Pushed::Results(_))));
        }
    }

    /// A job of `count` raises from a registered person with no role (each refused, so each
    /// stores a result), with the channel its answer arrives on.
    async fn job(
        db: &Db,
        count: u64,
    ) -> (
        Job,
        Uuid,
        oneshot::Receiver<Result<Vec<MutationResult>, AppError>>,
    ) {
        let principal = principal();
        let mut conn = db.pool().acquire().await.unwrap();
        let phone = format!("137{:08}", principal.user_id.as_u128() % 100_000_000);
        store::people::insert_user(
            &mut conn,
            principal.user_id,
            &phone,
            "测试",
            "-",
            Utc::now(),
        )
        .await
        .unwrap();
        let request = request(count);
        let client_id = request.client_id;
        let (reply, answer) = oneshot::channel();
        let mutations = request
            .mutations
            .into_iter()
            .map(|envelope| Pending {
                parsed: Mutation::parse_envelope(&envelope),
                envelope,
            })
            .collect();
        let job = Job {
            principal,
            client_id,
            mutations,
            reply,
        };
        (job, client_id, answer)
    }

    async fn results_of(db: &Db, client_id: Uuid) -> i64 {
        let mut conn = db.pool().acquire().await.unwrap();
        store::sync::result_count(&mut conn, client_id)
            .await
            .unwrap()
    }

    /// A database failure in the middle of a push (here a trigger refusing its second result)
    /// undoes that whole push — effects, results, position — and answers it `retry`; the other
    /// pushes of the group are kept. If the failure ends the transaction itself, nothing of the
    /// group is kept and every push is answered `retry`: never an effect without its result,
    /// never a position past a lost result.
    #[tokio::test]
    async fn a_database_failure_undoes_its_push_or_the_whole_group_and_nothing_half_applied() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url).await.unwrap();
        let mut conn = db.writer_connection().await.unwrap();
        for (raise, kept_of_other) in [("ABORT", 2), ("ROLLBACK", 0)] {
            let (failing, failing_client, failing_answer) = job(&db, 3).await;
            let (other, other_client, other_answer) = job(&db, 2).await;
            let mut other_conn = db.pool().acquire().await.unwrap();
            store::sync::fail_result_of(&mut other_conn, failing_client, 2, raise)
                .await
                .unwrap();
            let quotas = Quotas {
                issues_per_day: Quotas::UNLIMITED,
                photos_per_day: Quotas::UNLIMITED,
            };
            let kept = commit_group(&mut conn, vec![failing, other], quotas).await;
            store::sync::stop_failing_results(&mut other_conn)
                .await
                .unwrap();

            let answer = failing_answer.await.unwrap().unwrap();
            assert_eq!(answer.len(), 3, "{raise}");
            assert!(
                answer.iter().all(|r| r.status == ResultStatus::Retry),
                "{raise}"
            );
            assert_eq!(
                results_of(&db, failing_client).await,
                0,
                "{raise}: nothing of it kept"
            );
            let client = store::sync::client(&mut other_conn, failing_client)
                .await
                .unwrap();
            assert!(
                client.is_none_or(|c| c.last_seq == 0),
                "{raise}: its position did not move"
            );

            let other = other_answer.await.unwrap().unwrap();
            assert_eq!(
                results_of(&db, other_client).await,
                kept_of_other,
                "{raise}"
            );
            if kept_of_other == 0 {
                assert!(!kept, "the transaction was lost: the group is not kept");
                assert!(other.iter().all(|r| r.status == ResultStatus::Retry));
                conn = db.writer_connection().await.unwrap();
            } else {
                assert!(kept);
                assert!(other.iter().all(|r| r.status == ResultStatus::Rejected));
            }
        }
    }
}
