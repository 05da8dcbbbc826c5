//! Pulls: the server's rows and results applied in one transaction, the snapshot screens
//! show, and forgetting the rows at sign-out.

use chrono::Utc;
use domain::order::sort_by_number;
use domain::wire::{Op, PullResponse};
use rexie::TransactionMode;
use uuid::Uuid;

use super::outbox::settle;
use super::{
    all_of, cursor_meta_key, epoch_meta_key, finish, last_sync_meta_key, to_js, Db, FailedEntry,
    OutboxEntry, Result, Row, Snapshot, BASE, FAILED, META, OUTBOX, OVERLAY,
};

impl Db {
    /// Everything shown for this person.
    pub async fn snapshot(&self, user_id: Uuid) -> Result<Snapshot> {
        self.run(|rexie| async move {
            let tx =
                rexie.transaction(&[BASE, OVERLAY, OUTBOX, FAILED], TransactionMode::ReadOnly)?;
            let mine = |rows: Vec<Row>| {
                rows.into_iter()
                    .filter(|r| r.user_id == user_id)
                    .collect::<Vec<_>>()
            };
            let base = mine(all_of(tx.store(BASE)?.get_all(None, None).await?)?);
            let overlay = mine(all_of(tx.store(OVERLAY)?.get_all(None, None).await?)?);
            let mut outbox: Vec<OutboxEntry> =
                all_of(tx.store(OUTBOX)?.get_all(None, None).await?)?;
            outbox.retain(|e| e.user_id == user_id);
            let mut failed: Vec<FailedEntry> =
                all_of(tx.store(FAILED)?.get_all(None, None).await?)?;
            failed.retain(|e| e.user_id == user_id);
            sort_by_number(&mut failed, |f| f.failed_at.timestamp_millis());
            finish(tx).await?;
            Ok(Snapshot {
                base,
                overlay,
                outbox,
                failed,
            })
        })
        .await
    }

    /// Applies a pull in one transaction: the rows, the results, the acknowledged entries
    /// (dropped with their optimistic rows) and the new cursor.
    pub async fn apply_pull(
        &self,
        user_id: Uuid,
        client_id: Uuid,
        pull: &PullResponse,
    ) -> Result<()> {
        let now = to_js(&Utc::now())?;
        self.run(|rexie| {
            let now = now.clone();
            async move {
                let tx = rexie.transaction(
                    &[META, BASE, OUTBOX, OVERLAY, FAILED],
                    TransactionMode::ReadWrite,
                )?;
                let base = tx.store(BASE)?;
                if pull.reset {
                    // The server was restored from a backup: rows this copy never held go.
                    let rows: Vec<Row> = all_of(base.get_all(None, None).await?)?;
                    for row in rows.iter().filter(|r| r.user_id == user_id) {
                        base.delete(row.key.clone().into()).await?;
                    }
                }
                for change in &pull.changes {
                    let key = Row::key_for(user_id, &change.entity, &change.id);
                    match (change.op, &change.data) {
                        (Op::Put, Some(data)) => {
                            let row = Row {
                                key,
                                user_id,
                                entity: change.entity.clone(),
                                id: change.id.clone(),
                                data: data.clone(),
                                mutation_key: None,
                            };
                            base.put(&to_js(&row)?, None).await?;
                        }
                        _ => base.delete(key.into()).await?,
                    }
                }
                for result in &pull.results {
                    settle(&tx, user_id, client_id, result, true).await?;
                }
                // Whatever the server has processed is no longer queued.
                let outbox = tx.store(OUTBOX)?;
                let overlay = tx.store(OVERLAY)?;
                let entries: Vec<OutboxEntry> = all_of(outbox.get_all(None, None).await?)?;
                let overlays: Vec<Row> = all_of(overlay.get_all(None, None).await?)?;
                for entry in entries
                    .iter()
                    .filter(|e| e.client_id == client_id && e.seq <= pull.last_seq)
                {
                    outbox.delete(entry.key.clone().into()).await?;
                    for row in overlays
                        .iter()
                        .filter(|r| r.mutation_key.as_deref() == Some(entry.key.as_str()))
                    {
                        overlay.delete(row.key.clone().into()).await?;
                    }
                }
                let meta = tx.store(META)?;
                meta.put(
                    &to_js(&pull.cursor)?,
                    Some(&cursor_meta_key(user_id).into()),
                )
                .await?;
                meta.put(&to_js(&pull.epoch)?, Some(&epoch_meta_key(user_id).into()))
                    .await?;
                meta.put(&now, Some(&last_sync_meta_key(user_id).into()))
                    .await?;
                finish(tx).await?;
                Ok(())
            }
        })
        .await
    }

    /// Removes the person's copy of server rows (on signing out). Queued and refused
    /// mutations stay: they are the person's own unsent work.
    pub async fn forget_rows(&self, user_id: Uuid) -> Result<()> {
        self.run(|rexie| async move {
            let tx = rexie.transaction(&[META, BASE], TransactionMode::ReadWrite)?;
            let base = tx.store(BASE)?;
            let rows: Vec<Row> = all_of(base.get_all(None, None).await?)?;
            for row in rows.iter().filter(|r| r.user_id == user_id) {
                base.delete(row.key.clone().into()).await?;
            }
            tx.store(META)?
                .delete(cursor_meta_key(user_id).into())
                .await?;
            finish(tx).await?;
            Ok(())
        })
        .await
    }
}
