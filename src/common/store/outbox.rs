//! The outbox: queueing a mutation with its optimistic rows, the push results, renumbering
//! when the server expects other seqs, and refusals kept until the person deals with them.

use chrono::Utc;
use domain::order::sort_by_number;
use domain::wire::{MutationEnvelope, MutationResult, ResultStatus};
use rexie::TransactionMode;
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::{
    all_of, client_meta_key, finish, from_js, outbox_key, to_js, ClientState, Db, FailedEntry,
    OutboxEntry, Prepared, Result, Row, FAILED, META, OUTBOX, OVERLAY,
};

impl Db {
    /// Queues a mutation and writes its optimistic rows, atomically. Returns the entry once
    /// the transaction has committed.
    pub async fn enqueue(&self, user_id: Uuid, prepared: &Prepared) -> Result<OutboxEntry> {
        let mutation_id = Uuid::new_v4();
        let now = Utc::now();
        self.run(|rexie| async move {
            let tx = rexie.transaction(&[META, OUTBOX, OVERLAY], TransactionMode::ReadWrite)?;
            let meta = tx.store(META)?;
            let meta_key: JsValue = client_meta_key(user_id).into();
            let state = match meta.get(meta_key.clone()).await? {
                Some(value) if !value.is_undefined() => from_js::<ClientState>(value)?,
                _ => ClientState {
                    client_id: Uuid::new_v4(),
                    next_seq: 1,
                },
            };
            let seq = state.next_seq;
            let key = outbox_key(state.client_id, seq);
            let entry = OutboxEntry {
                key: key.clone(),
                user_id,
                client_id: state.client_id,
                seq,
                mutation: MutationEnvelope {
                    seq,
                    id: mutation_id,
                    name: prepared.name.to_string(),
                    version: prepared.version,
                    args: prepared.args.clone(),
                    device_time: now,
                },
                queued_at: now,
                submitted: false,
                label: Some(prepared.label.clone()),
                redo: Some(prepared.redo.clone()),
            };
            tx.store(OUTBOX)?.put(&to_js(&entry)?, None).await?;
            let overlay_store = tx.store(OVERLAY)?;
            for (entity, id, data) in &prepared.overlay {
                let row = Row {
                    key: Row::key_for(user_id, entity, id),
                    user_id,
                    entity: entity.to_string(),
                    id: id.clone(),
                    data: data.clone(),
                    mutation_key: Some(key.clone()),
                };
                overlay_store.put(&to_js(&row)?, None).await?;
            }
            let next = ClientState {
                next_seq: seq + 1,
                ..state
            };
            meta.put(&to_js(&next)?, Some(&meta_key)).await?;
            finish(tx).await?;
            Ok(entry)
        })
        .await
    }

    /// The queued mutations of this installation for the person, in seq order.
    pub async fn pending(&self, user_id: Uuid) -> Result<Vec<OutboxEntry>> {
        let Some(client) = self.client_state(user_id).await? else {
            return Ok(Vec::new());
        };
        let mut entries = self.snapshot(user_id).await?.outbox;
        entries.retain(|e| e.client_id == client.client_id);
        sort_by_number(&mut entries, |e| e.seq as i64);
        Ok(entries)
    }

    /// Applies a push response: `applied` entries are marked submitted, `rejected` ones move
    /// to `failed` with their optimistic rows removed.
    pub async fn apply_push_results(
        &self,
        user_id: Uuid,
        client_id: Uuid,
        results: &[MutationResult],
    ) -> Result<()> {
        self.run(|rexie| async move {
            let tx = rexie.transaction(&[OUTBOX, OVERLAY, FAILED], TransactionMode::ReadWrite)?;
            for result in results {
                settle(&tx, user_id, client_id, result, false).await?;
            }
            finish(tx).await?;
            Ok(())
        })
        .await
    }

    /// Gives the queued mutations new seqs starting at `first_seq` (the server expects a
    /// different next seq: it lost or never had what this phone thinks it sent). Only entries
    /// the server has not processed are ever renumbered.
    pub async fn renumber(&self, user_id: Uuid, client_id: Uuid, first_seq: u64) -> Result<()> {
        self.run(|rexie| async move {
            let tx = rexie.transaction(&[META, OUTBOX, OVERLAY], TransactionMode::ReadWrite)?;
            let outbox = tx.store(OUTBOX)?;
            let overlay = tx.store(OVERLAY)?;
            let mut entries: Vec<OutboxEntry> = all_of(outbox.get_all(None, None).await?)?;
            entries.retain(|e| e.client_id == client_id && !e.submitted);
            sort_by_number(&mut entries, |e| e.seq as i64);
            let overlays: Vec<Row> = all_of(overlay.get_all(None, None).await?)?;
            let mut seq = first_seq;
            for mut entry in entries {
                let old_key = entry.key.clone();
                outbox.delete(old_key.clone().into()).await?;
                entry.seq = seq;
                entry.mutation.seq = seq;
                entry.key = outbox_key(client_id, seq);
                outbox.put(&to_js(&entry)?, None).await?;
                for row in overlays
                    .iter()
                    .filter(|r| r.mutation_key.as_deref() == Some(old_key.as_str()))
                {
                    let mut row = row.clone();
                    row.mutation_key = Some(entry.key.clone());
                    overlay.put(&to_js(&row)?, None).await?;
                }
                seq += 1;
            }
            let state = ClientState {
                client_id,
                next_seq: seq,
            };
            tx.store(META)?
                .put(&to_js(&state)?, Some(&client_meta_key(user_id).into()))
                .await?;
            finish(tx).await?;
            Ok(())
        })
        .await
    }

    /// Forgets a refused mutation (the person discarded it or redid it).
    pub async fn discard_failed(&self, key: &str) -> Result<()> {
        self.run(|rexie| async move {
            let tx = rexie.transaction(&[FAILED], TransactionMode::ReadWrite)?;
            tx.store(FAILED)?.delete(key.into()).await?;
            finish(tx).await?;
            Ok(())
        })
        .await
    }
}

/// Records one result inside a transaction over outbox, overlay and failed.
pub(super) async fn settle(
    tx: &rexie::Transaction,
    user_id: Uuid,
    client_id: Uuid,
    result: &MutationResult,
    from_pull: bool,
) -> Result<()> {
    let outbox = tx.store(OUTBOX)?;
    let key = outbox_key(client_id, result.seq);
    let Some(value) = outbox
        .get(key.clone().into())
        .await?
        .filter(|v| !v.is_undefined())
    else {
        return Ok(());
    };
    let mut entry: OutboxEntry = from_js(value)?;
    match result.status {
        ResultStatus::Applied if !from_pull => {
            entry.submitted = true;
            outbox.put(&to_js(&entry)?, None).await?;
        }
        ResultStatus::Rejected => {
            let failed = FailedEntry {
                key: entry.mutation.id.to_string(),
                user_id,
                mutation: entry.mutation.clone(),
                code: result.code.clone().unwrap_or_else(|| "rejected".into()),
                message: result.message.clone().unwrap_or_default(),
                fields: result.fields.clone(),
                failed_at: Utc::now(),
                label: entry.label.clone(),
                redo: entry.redo.clone(),
                alternatives: result.alternatives.clone(),
                windows: result.windows.clone(),
            };
            tx.store(FAILED)?.put(&to_js(&failed)?, None).await?;
            outbox.delete(key.clone().into()).await?;
            let overlay = tx.store(OVERLAY)?;
            let overlays: Vec<Row> = all_of(overlay.get_all(None, None).await?)?;
            for row in overlays
                .iter()
                .filter(|r| r.mutation_key.as_deref() == Some(key.as_str()))
            {
                overlay.delete(row.key.clone().into()).await?;
            }
        }
        _ => {}
    }
    Ok(())
}
