//! The phone's storage: the only module that touches IndexedDB (through rexie).
//!
//! Stores, all scoped by the signed-in person's user id:
//! - `meta`: small values by key (the cached session, the installation's client id and next
//!   seq, the pull cursor, preferences).
//! - `outbox`: queued mutations, keyed `<client_id>:<seq>` so they sort in push order.
//! - `overlay`: the optimistic rows of queued mutations, shown on top of `base`.
//! - `base`: rows as the server last sent them.
//! - `failed`: mutations the server refused for good, with the reason, kept until the person
//!   fixes or discards them.
//!
//! Architecture Invariant: a queued mutation and its optimistic rows are written in one
//! transaction with nothing but IndexedDB requests awaited inside it; callers show 待同步
//! only after that transaction has committed. Every transaction is all-or-nothing, so an
//! operation that fails (a lost connection, a WebKit bug) is retried once on a reopened
//! connection without risk of doing it twice.
//!
//! `outbox` queues and settles mutations, `pull` applies pulls and reads snapshots, `local`
//! keeps the small things that live in localStorage.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use domain::mutation::{Label, Redo};
use domain::wire::{MutationEnvelope, WireFieldError};
use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

mod local;
mod outbox;
mod pull;

pub use local::{codes, guide, panics, prefs, seen};

pub const DB_NAME: &str = "yiwantang";
const DB_VERSION: u32 = 1;
const META: &str = "meta";
const OUTBOX: &str = "outbox";
const OVERLAY: &str = "overlay";
const BASE: &str = "base";
const FAILED: &str = "failed";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IndexedDB: {}", self.0)
    }
}

impl From<rexie::Error> for StoreError {
    fn from(error: rexie::Error) -> Self {
        StoreError(error.to_string())
    }
}

impl From<serde_wasm_bindgen::Error> for StoreError {
    fn from(error: serde_wasm_bindgen::Error) -> Self {
        StoreError(error.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// This installation's identity for one person, and the seq its next mutation gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientState {
    pub client_id: Uuid,
    pub next_seq: u64,
}

/// A queued mutation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub key: String,
    pub user_id: Uuid,
    pub client_id: Uuid,
    pub seq: u64,
    pub mutation: MutationEnvelope,
    #[serde(with = "domain::time::instant")]
    pub queued_at: DateTime<Utc>,
    /// The server answered `applied`; the entry waits for the pull that brings its rows.
    pub submitted: bool,
    /// What the queue screen calls it (absent in entries queued by older versions).
    #[serde(default)]
    pub label: Option<Label>,
    /// The form that made it, for "fix and resubmit".
    #[serde(default)]
    pub redo: Option<Redo>,
}

/// A mutation ready to be queued: what its definition made of the person's action.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    pub name: &'static str,
    pub version: u32,
    pub args: serde_json::Value,
    pub label: Label,
    pub redo: Redo,
    /// The optimistic rows as (entity, id, data).
    pub overlay: Vec<(&'static str, String, serde_json::Value)>,
}

/// A mutation the server refused for good.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailedEntry {
    pub key: String,
    pub user_id: Uuid,
    pub mutation: MutationEnvelope,
    pub code: String,
    pub message: String,
    pub fields: Vec<WireFieldError>,
    #[serde(with = "domain::time::instant")]
    pub failed_at: DateTime<Utc>,
    #[serde(default)]
    pub label: Option<Label>,
    #[serde(default)]
    pub redo: Option<Redo>,
    /// For a booking refused as `full`: the nearest free slots the server offered.
    #[serde(default)]
    pub alternatives: Vec<Uuid>,
    /// For a visit refused as `full`: the nearest free windows the server offered.
    #[serde(default)]
    pub windows: Vec<domain::parking::Span>,
}

/// A row as the server sent it (`base`) or as a queued mutation expects it (`overlay`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub key: String,
    pub user_id: Uuid,
    pub entity: String,
    pub id: String,
    pub data: serde_json::Value,
    /// For overlay rows: the outbox key of the mutation that made it.
    #[serde(default)]
    pub mutation_key: Option<String>,
}

impl Row {
    pub fn key_for(user_id: Uuid, entity: &str, id: &str) -> String {
        format!("{user_id}:{entity}:{id}")
    }
}

/// Everything the screens show for one person, read in one transaction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    pub base: Vec<Row>,
    pub overlay: Vec<Row>,
    pub outbox: Vec<OutboxEntry>,
    pub failed: Vec<FailedEntry>,
}

fn outbox_key(client_id: Uuid, seq: u64) -> String {
    format!("{client_id}:{seq:020}")
}

fn client_meta_key(user_id: Uuid) -> String {
    format!("client:{user_id}")
}

pub fn cursor_meta_key(user_id: Uuid) -> String {
    format!("cursor:{user_id}")
}

/// Which copy of the server's data the cursor belongs to.
pub fn epoch_meta_key(user_id: Uuid) -> String {
    format!("epoch:{user_id}")
}

pub fn last_sync_meta_key(user_id: Uuid) -> String {
    format!("last_sync:{user_id}")
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue> {
    Ok(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())?)
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T> {
    Ok(serde_wasm_bindgen::from_value(value)?)
}

fn all_of<T: DeserializeOwned>(values: Vec<JsValue>) -> Result<Vec<T>> {
    values.into_iter().map(from_js).collect()
}

/// Waits for a transaction to end, and fails unless it committed. rexie answers `Ok` for a
/// transaction that was aborted without an error (`let_go_before_freezing` aborts such): it
/// wrote nothing, so it must count as a failure, which `Db::run` retries.
async fn finish(tx: rexie::Transaction) -> Result<()> {
    match tx.done().await? {
        rexie::TransactionResult::Committed => Ok(()),
        rexie::TransactionResult::Aborted => Err(StoreError("the transaction was aborted".into())),
    }
}

/// An open connection, closed when the last operation using it lets go: one given up on
/// (`Db::close`) while operations still hold it closes once they end, so retries never
/// leave connections open behind them (which would block a later version upgrade).
struct Connection(Option<Rexie>);

impl std::ops::Deref for Connection {
    type Target = Rexie;

    fn deref(&self) -> &Rexie {
        self.0.as_ref().expect("open until dropped")
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(rexie) = self.0.take() {
            rexie.close();
        }
    }
}

/// A handle on the database; cheap to clone. Reopens itself when the connection is lost.
#[derive(Clone)]
pub struct Db {
    name: Rc<str>,
    connection: Rc<RefCell<Option<Rc<Connection>>>>,
}

impl Db {
    pub async fn open(name: &str) -> Result<Db> {
        let db = Db {
            name: name.into(),
            connection: Rc::new(RefCell::new(None)),
        };
        db.connection().await?;
        Ok(db)
    }

    async fn connection(&self) -> Result<Rc<Connection>> {
        if let Some(rexie) = self.connection.borrow().as_ref() {
            return Ok(rexie.clone());
        }
        let rexie = Rexie::builder(&self.name)
            .version(DB_VERSION)
            .add_object_store(ObjectStore::new(META))
            .add_object_store(ObjectStore::new(OUTBOX).key_path("key"))
            .add_object_store(ObjectStore::new(OVERLAY).key_path("key"))
            .add_object_store(ObjectStore::new(BASE).key_path("key"))
            .add_object_store(ObjectStore::new(FAILED).key_path("key"))
            .build()
            .await?;
        let connection = Rc::new(Connection(Some(rexie)));
        *self.connection.borrow_mut() = Some(connection.clone());
        Ok(connection)
    }

    /// Gives up the connection: it closes once no operation holds it; the next operation
    /// opens a new one.
    pub fn close(&self) {
        self.connection.borrow_mut().take();
    }

    /// Runs `op` on the connection; if it fails, reopens and runs it once more. Safe because
    /// a failed IndexedDB transaction commits nothing.
    async fn run<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: Fn(Rc<Connection>) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let rexie = self.connection().await?;
        match op(rexie).await {
            Ok(value) => Ok(value),
            Err(first) => {
                web_sys::console::warn_1(
                    &format!("{first}; reopening IndexedDB and retrying").into(),
                );
                self.close();
                let rexie = self.connection().await?;
                op(rexie).await
            }
        }
    }

    pub async fn get_meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        self.run(|rexie| async move {
            let tx = rexie.transaction(&[META], TransactionMode::ReadOnly)?;
            let value = tx.store(META)?.get(key.into()).await?;
            finish(tx).await?;
            match value {
                Some(value) if !value.is_undefined() => Ok(Some(from_js(value)?)),
                _ => Ok(None),
            }
        })
        .await
    }

    pub async fn set_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let value = to_js(value)?;
        self.run(|rexie| {
            let value = value.clone();
            async move {
                let tx = rexie.transaction(&[META], TransactionMode::ReadWrite)?;
                tx.store(META)?.put(&value, Some(&key.into())).await?;
                finish(tx).await?;
                Ok(())
            }
        })
        .await
    }

    pub async fn delete_meta(&self, key: &str) -> Result<()> {
        self.run(|rexie| async move {
            let tx = rexie.transaction(&[META], TransactionMode::ReadWrite)?;
            tx.store(META)?.delete(key.into()).await?;
            finish(tx).await?;
            Ok(())
        })
        .await
    }

    /// This installation's client id and next seq for the person (created on first use).
    pub async fn client_state(&self, user_id: Uuid) -> Result<Option<ClientState>> {
        self.get_meta(&client_meta_key(user_id)).await
    }

    /// This installation's client id for the person, created (with next seq 1) if needed.
    pub async fn ensure_client(&self, user_id: Uuid) -> Result<ClientState> {
        self.run(|rexie| async move {
            let tx = rexie.transaction(&[META], TransactionMode::ReadWrite)?;
            let meta = tx.store(META)?;
            let key: JsValue = client_meta_key(user_id).into();
            let state = match meta.get(key.clone()).await? {
                Some(value) if !value.is_undefined() => from_js::<ClientState>(value)?,
                _ => {
                    let state = ClientState {
                        client_id: Uuid::new_v4(),
                        next_seq: 1,
                    };
                    meta.put(&to_js(&state)?, Some(&key)).await?;
                    state
                }
            };
            finish(tx).await?;
            Ok(state)
        })
        .await
    }
}

thread_local! {
    static APP_DB: RefCell<Option<Db>> = const { RefCell::new(None) };
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/common/store/transactions.js")]
extern "C" {
    #[wasm_bindgen(js_name = noteTransactions)]
    fn note_transactions();
    #[wasm_bindgen(js_name = abortOpenTransactions)]
    fn abort_open_transactions() -> u32;
}

/// Ends this page's IndexedDB transactions before WebKit freezes it. WebKit keeps a page in
/// its back-forward cache (`pagehide` with `persisted`; an `unload` listener no longer keeps
/// it out) with a transaction in flight: frozen, the transaction never ends, and every
/// later page's transactions on the same stores wait for ever (the app stays at 正在加载…).
/// Traced in WebKitGTK 2.50 (e2e `webkit.spec.ts`): it hung a page load in about one run
/// in three. So at `pagehide`, going into the cache, the open transactions are aborted:
/// each is all-or-nothing, and the operation that made it fails and is retried on a
/// reopened connection when the page is shown again (`Db::run`), so nothing is lost or
/// done twice. Only in WebKit (`domain::host`): other engines do not freeze a transaction.
pub fn let_go_before_freezing() {
    if !crate::common::host::here().webkit {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    note_transactions();
    let on_pagehide =
        wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::PageTransitionEvent)>::new(
            |event: web_sys::PageTransitionEvent| {
                if event.persisted() {
                    let aborted = abort_open_transactions();
                    if aborted > 0 {
                        web_sys::console::info_1(
                        &format!("IndexedDB: {aborted} transaction(s) ended before the page was frozen").into(),
                    );
                    }
                }
            },
        );
    let _ =
        window.add_event_listener_with_callback("pagehide", on_pagehide.as_ref().unchecked_ref());
    on_pagehide.forget();
}

/// The app's database, opened on first use.
pub async fn app_db() -> Result<Db> {
    if let Some(db) = APP_DB.with(|cell| cell.borrow().clone()) {
        return Ok(db);
    }
    let db = Db::open(DB_NAME).await?;
    APP_DB.with(|cell| *cell.borrow_mut() = Some(db.clone()));
    Ok(db)
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use domain::mutation::Definition;
    use domain::wire::{Change, IssueView, MutationResult, Op, PullResponse, ResultStatus};
    use domain::RaiseIssueArgs;
    use wasm_bindgen_test::*;

    /// What `act` makes of an issue raised, with the given optimistic rows.
    fn prepared(
        args: &RaiseIssueArgs,
        overlay: &[(&'static str, String, serde_json::Value)],
    ) -> Prepared {
        Prepared {
            name: RaiseIssueArgs::NAME,
            version: RaiseIssueArgs::VERSION,
            args: serde_json::to_value(args).unwrap(),
            label: Label::about("提问题", "Raise an issue", &args.title),
            redo: Redo::RaiseIssue {
                for_household: false,
            },
            overlay: overlay.to_vec(),
        }
    }

    wasm_bindgen_test_configure!(run_in_browser);

    fn args(title: &str) -> RaiseIssueArgs {
        RaiseIssueArgs {
            id: Uuid::new_v4(),
            title: title.into(),
            description: String::new(),
            category: "repairs".into(),
            place: None,
            on_behalf_of: None,
        }
    }

    async fn fresh_db() -> Db {
        let name = format!("test-{}", Uuid::new_v4());
        Db::open(&name).await.expect("open")
    }

    /// `let_go_before_freezing`: a transaction aborted as the page goes into WebKit's cache
    /// fails its operation, which is retried on a reopened connection: done once, not lost.
    #[wasm_bindgen_test]
    async fn an_operation_whose_transaction_is_aborted_before_freezing_is_done_once() {
        note_transactions();
        let db = fresh_db().await;
        let user = Uuid::new_v4();
        let issue = args("冻结前中止的问题");
        let prepared = prepared(&issue, &[]);
        let mut queued = Box::pin(db.enqueue(user, &prepared));
        // Started, with its transaction open: abort it as `pagehide` would.
        assert!(futures::poll!(queued.as_mut()).is_pending());
        assert!(abort_open_transactions() >= 1);
        let entry = queued.await.expect("retried on a reopened connection");
        assert_eq!(entry.seq, 1);
        let pending = db.pending(user).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].seq, 1);
    }

    #[wasm_bindgen_test]
    async fn an_enqueued_mutation_is_durable_across_closing_and_reopening_the_database() {
        let name = format!("test-{}", Uuid::new_v4());
        let user = Uuid::new_v4();
        let db = Db::open(&name).await.unwrap();
        let issue = args("楼道灯坏了");
        let overlay = [(
            "issue",
            issue.id.to_string(),
            serde_json::json!({"title": "楼道灯坏了"}),
        )];
        let entry = db.enqueue(user, &prepared(&issue, &overlay)).await.unwrap();
        assert_eq!(entry.seq, 1);
        db.close();

        let reopened = Db::open(&name).await.unwrap();
        let pending = reopened.pending(user).await.unwrap();
        assert_eq!(pending, vec![entry.clone()]);
        assert_eq!(pending[0].mutation.name, "raise_issue");
        let snapshot = reopened.snapshot(user).await.unwrap();
        assert_eq!(snapshot.overlay.len(), 1);
        assert_eq!(
            snapshot.overlay[0].mutation_key.as_deref(),
            Some(entry.key.as_str())
        );
        // The seq counter survived too: the next mutation continues the sequence.
        let next = reopened
            .enqueue(user, &prepared(&args("第二条"), &[]))
            .await
            .unwrap();
        assert_eq!((next.seq, next.client_id), (2, entry.client_id));
    }

    #[wasm_bindgen_test]
    async fn mutations_get_consecutive_seqs_even_when_queued_at_once() {
        let db = fresh_db().await;
        let user = Uuid::new_v4();
        let (a, b, c) = (args("一"), args("二"), args("三"));
        let (ra, rb, rc) = futures_join3(
            db.enqueue(user, &prepared(&a, &[])),
            db.enqueue(user, &prepared(&b, &[])),
            db.enqueue(user, &prepared(&c, &[])),
        )
        .await;
        let mut seqs = vec![ra.unwrap().seq, rb.unwrap().seq, rc.unwrap().seq];
        seqs.sort();
        assert_eq!(seqs, [1, 2, 3]);
    }

    async fn futures_join3<A, B, C>(a: A, b: B, c: C) -> (A::Output, B::Output, C::Output)
    where
        A: std::future::Future,
        B: std::future::Future,
        C: std::future::Future,
    {
        futures::join!(a, b, c)
    }

    #[wasm_bindgen_test]
    async fn a_pull_drops_acknowledged_entries_and_their_overlay_and_moves_refusals_to_failed() {
        let db = fresh_db().await;
        let user = Uuid::new_v4();
        let good = args("好的问题");
        let bad = args("");
        let first = db
            .enqueue(
                user,
                &prepared(
                    &good,
                    &[("issue", good.id.to_string(), serde_json::json!({}))],
                ),
            )
            .await
            .unwrap();
        let second = db
            .enqueue(
                user,
                &prepared(
                    &bad,
                    &[("issue", bad.id.to_string(), serde_json::json!({}))],
                ),
            )
            .await
            .unwrap();
        let view = IssueView::optimistic(
            &domain::NewIssue::parse(&good).unwrap(),
            "shanwan",
            "王秀兰",
            Utc::now(),
        );
        let mut rejected = MutationResult::applied(2);
        rejected.status = ResultStatus::Rejected;
        rejected.code = Some("invalid".into());
        rejected.message = Some("请填写标题".into());
        let pull = PullResponse {
            cursor: 9,
            last_seq: 2,
            changes: vec![Change {
                entity: "issue".into(),
                id: good.id.to_string(),
                op: Op::Put,
                data: Some(serde_json::to_value(&view).unwrap()),
            }],
            results: vec![MutationResult::applied(1), rejected],
            has_more: false,
            epoch: "e1".into(),
            reset: false,
        };
        db.apply_pull(user, first.client_id, &pull).await.unwrap();
        let snapshot = db.snapshot(user).await.unwrap();
        assert!(snapshot.outbox.is_empty());
        assert!(snapshot.overlay.is_empty());
        assert_eq!(snapshot.base.len(), 1);
        assert_eq!(snapshot.failed.len(), 1);
        assert_eq!(snapshot.failed[0].mutation, second.mutation);
        assert_eq!(snapshot.failed[0].message, "请填写标题");
        assert_eq!(
            db.get_meta::<u64>(&cursor_meta_key(user)).await.unwrap(),
            Some(9)
        );
        // A later page says the row was removed (a tombstone): the phone forgets it.
        let removal = PullResponse {
            cursor: 10,
            last_seq: 2,
            changes: vec![Change {
                entity: "issue".into(),
                id: good.id.to_string(),
                op: Op::Del,
                data: None,
            }],
            results: Vec::new(),
            has_more: false,
            epoch: "e1".into(),
            reset: false,
        };
        db.apply_pull(user, first.client_id, &removal)
            .await
            .unwrap();
        assert!(db.snapshot(user).await.unwrap().base.is_empty());
        // A restored server: a page that says reset replaces every row the phone had.
        db.apply_pull(user, first.client_id, &pull).await.unwrap();
        let restored = PullResponse {
            cursor: 3,
            last_seq: 2,
            changes: Vec::new(),
            results: Vec::new(),
            has_more: false,
            epoch: "e2".into(),
            reset: true,
        };
        db.apply_pull(user, first.client_id, &restored)
            .await
            .unwrap();
        assert!(db.snapshot(user).await.unwrap().base.is_empty());
        assert_eq!(
            db.get_meta::<String>(&epoch_meta_key(user)).await.unwrap(),
            Some("e2".into())
        );
    }

    #[wasm_bindgen_test]
    async fn renumbering_moves_the_queue_to_the_seq_the_server_expects() {
        let db = fresh_db().await;
        let user = Uuid::new_v4();
        let a = args("甲");
        let first = db
            .enqueue(
                user,
                &prepared(&a, &[("issue", a.id.to_string(), serde_json::json!({}))]),
            )
            .await
            .unwrap();
        db.enqueue(user, &prepared(&args("乙"), &[])).await.unwrap();
        db.renumber(user, first.client_id, 7).await.unwrap();
        let pending = db.pending(user).await.unwrap();
        let seqs: Vec<_> = pending.iter().map(|e| (e.seq, e.mutation.seq)).collect();
        assert_eq!(seqs, [(7, 7), (8, 8)]);
        let snapshot = db.snapshot(user).await.unwrap();
        assert_eq!(
            snapshot.overlay[0].mutation_key.as_deref(),
            Some(pending[0].key.as_str())
        );
        assert_eq!(
            db.enqueue(user, &prepared(&args("丙"), &[]))
                .await
                .unwrap()
                .seq,
            9
        );
    }

    #[wasm_bindgen_test]
    async fn one_persons_queue_and_rows_are_not_shown_to_another() {
        let db = fresh_db().await;
        let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
        db.enqueue(alice, &prepared(&args("甲的问题"), &[]))
            .await
            .unwrap();
        assert!(db.snapshot(bob).await.unwrap().outbox.is_empty());
        assert!(db.pending(bob).await.unwrap().is_empty());
        assert_eq!(db.pending(alice).await.unwrap().len(), 1);
    }
}
