//! The app's state: plain data in signals, provided at the root. The sync engine and the
//! storage module fill it; screens only read it and call actions.

use chrono::{DateTime, Utc};
use domain::wire::{IssueView, SessionView};
use leptos::prelude::*;

use crate::store::{FailedEntry, OutboxEntry, Snapshot};

/// Where an item stands between the phone and the server. Shown in words, never by colour alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyncState {
    /// 待同步: saved on the phone, not yet acknowledged by the server.
    Pending,
    /// 已提交: the server has it.
    Submitted,
    /// 未成功: the server refused it for good (the reason is kept with it).
    Failed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IssueItem {
    pub view: IssueView,
    pub sync: SyncState,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncStatus {
    pub online: bool,
    pub syncing: bool,
    pub last_sync: Option<DateTime<Utc>>,
    /// The server said the session is gone: the queue waits for a new sign-in.
    pub needs_sign_in: bool,
    /// The last sync failed for a passing reason and will be retried.
    pub retrying: bool,
}

#[derive(Clone, Copy)]
pub struct AppState {
    /// Finished reading the phone's storage at start-up.
    pub booted: RwSignal<bool>,
    pub session: RwSignal<Option<SessionView>>,
    pub issues: RwSignal<Vec<IssueItem>>,
    pub pending: RwSignal<Vec<OutboxEntry>>,
    pub failed: RwSignal<Vec<FailedEntry>>,
    pub sync: RwSignal<SyncStatus>,
    pub elder: RwSignal<bool>,
    pub update_ready: RwSignal<bool>,
    /// Whether the browser granted persistent storage (None: not asked or unsupported).
    pub persisted: RwSignal<Option<bool>>,
    /// A storage failure the person must know about.
    pub storage_error: RwSignal<bool>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            booted: RwSignal::new(false),
            session: RwSignal::new(None),
            issues: RwSignal::new(Vec::new()),
            pending: RwSignal::new(Vec::new()),
            failed: RwSignal::new(Vec::new()),
            sync: RwSignal::new(SyncStatus::default()),
            elder: RwSignal::new(false),
            update_ready: RwSignal::new(false),
            persisted: RwSignal::new(None),
            storage_error: RwSignal::new(false),
        }
    }

    /// Shows a snapshot of the phone's storage: server rows with queued changes on top.
    pub fn show(&self, snapshot: Snapshot) {
        let submitted = |key: &str| {
            snapshot
                .outbox
                .iter()
                .any(|entry| entry.key == key && entry.submitted)
        };
        let mut issues: Vec<IssueItem> = snapshot
            .base
            .iter()
            .filter(|row| row.entity == domain::wire::entity::ISSUE)
            .filter(|row| !snapshot.overlay.iter().any(|o| o.key == row.key))
            .filter_map(|row| serde_json::from_value(row.data.clone()).ok())
            .map(|view| IssueItem {
                view,
                sync: SyncState::Submitted,
            })
            .collect();
        for row in snapshot
            .overlay
            .iter()
            .filter(|r| r.entity == domain::wire::entity::ISSUE)
        {
            if let Ok(view) = serde_json::from_value::<IssueView>(row.data.clone()) {
                let acknowledged = row.mutation_key.as_deref().map(submitted).unwrap_or(false);
                issues.push(IssueItem {
                    view,
                    sync: if acknowledged {
                        SyncState::Submitted
                    } else {
                        SyncState::Pending
                    },
                });
            }
        }
        issues.sort_by_key(|item| std::cmp::Reverse(item.view.created_at));
        let mut pending: Vec<OutboxEntry> = snapshot
            .outbox
            .into_iter()
            .filter(|e| !e.submitted)
            .collect();
        pending.sort_by_key(|e| e.seq);
        self.issues.set(issues);
        self.pending.set(pending);
        self.failed.set(snapshot.failed);
    }

    pub fn user_id(&self) -> Option<uuid::Uuid> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.user_id))
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
