//! Group commit for remote statuses. SQLite has one writer, and an inbox
//! `Create` used to hold it for a transaction of its own; under load the
//! activities queued for it one by one. Here the statuses waiting are written
//! together: one transaction per batch, each status in its own savepoint, so
//! one that fails rolls back alone and gets its own error. Every caller is
//! answered after the commit (durable before the 202), and the live events of
//! a batch are published after it too. If the commit fails, every status of
//! the batch gets the error: nothing is half-written.
//!
//! There is no permanent task: the first caller to find no writer running
//! starts one, which writes batches until the queue is empty and then ends.
//! The writer is its own task, so a request that goes away (its client hung
//! up) cannot cancel a batch that others wait for.
//!
//! Several processes may share one PostgreSQL database, each with its own
//! writer; what keeps them correct is in the database: the activity id is
//! recorded with `ON CONFLICT DO NOTHING` (a second delivery waits for the
//! first to commit, then stores nothing), a status id taken by another
//! process is retried with a fresh one, and a deadlock between two batches
//! retries the status that lost it.
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use entity::statuses;
use sea_orm::{DatabaseTransaction, TransactionTrait};
use tokio::sync::oneshot;

use super::statuses::{BatchWrite, RemoteStatusJob, RemoteWrite, write_remote, write_remote_batch};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The most statuses written in one transaction. Enough for every inbox
/// connection of a busy server to share one commit; few enough that a batch
/// holds the writer for tens of milliseconds at most.
const MAX_BATCH: usize = 64;

/// How often one status is tried in a batch (a fresh id, or after a deadlock).
const MAX_ATTEMPTS: u32 = 4;

/// The answer for one status: the stored one (new, or found stored by
/// another activity meanwhile), or `None` when its activity had been recorded.
type Reply = AppResult<Option<statuses::Model>>;

struct Job {
    job: RemoteStatusJob,
    reply: oneshot::Sender<Reply>,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// A writer task is running and will take what is queued.
    writing: bool,
}

/// The queue of remote statuses waiting for the writer (in [`AppState`]).
#[derive(Default)]
pub struct RemoteStatusWriter {
    queue: Mutex<Queue>,
    /// Statuses written by the multi-row path (see [`write_together`]).
    together: AtomicU64,
    /// Batches that path gave back to be written one status at a time.
    one_by_one: AtomicU64,
}

impl RemoteStatusWriter {
    /// Writes `job` in the next batch and answers after that batch commits.
    pub(crate) async fn store(&self, state: &AppState, job: RemoteStatusJob) -> Reply {
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            q.jobs.push_back(Job { job, reply });
            !std::mem::replace(&mut q.writing, true)
        };
        if start {
            tokio::spawn(write_until_empty(state.clone()));
        }
        answer
            .await
            .map_err(|_| AppError::internal("the remote status writer stopped"))?
    }

    /// [`Self::store`] for several jobs, queued together so that they share
    /// a batch (up to its size). The answers are in the order of `jobs`.
    pub(crate) async fn store_many(
        &self,
        state: &AppState,
        jobs: Vec<RemoteStatusJob>,
    ) -> Vec<Reply> {
        let mut answers = Vec::with_capacity(jobs.len());
        let start = {
            let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            for job in jobs {
                let (reply, answer) = oneshot::channel();
                q.jobs.push_back(Job { job, reply });
                answers.push(answer);
            }
            !std::mem::replace(&mut q.writing, true)
        };
        if start {
            tokio::spawn(write_until_empty(state.clone()));
        }
        let mut out = Vec::with_capacity(answers.len());
        for answer in answers {
            out.push(
                answer
                    .await
                    .map_err(|_| AppError::internal("the remote status writer stopped"))
                    .and_then(|r| r),
            );
        }
        out
    }

    /// Statuses written with one statement per table for their whole batch,
    /// and batches written one status at a time after that failed (a bad
    /// status among them, an id taken by another process): for tests and
    /// benchmarks to see which path ran.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.together.load(Ordering::Relaxed),
            self.one_by_one.load(Ordering::Relaxed),
        )
    }

    /// The next batch, or `None` (and the writer ends) when nothing waits.
    fn next_batch(&self) -> Option<Vec<Job>> {
        let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        if q.jobs.is_empty() {
            q.writing = false;
            return None;
        }
        let n = q.jobs.len().min(MAX_BATCH);
        Some(q.jobs.drain(..n).collect())
    }
}

/// Lets the next caller start a writer if this one is dropped before it
/// empties the queue (it does not panic, but a runtime shutting down drops it
/// mid-batch).
struct WritingFlag<'a> {
    writer: &'a RemoteStatusWriter,
    /// Cleared when the writer ends normally: `next_batch` reset the flag
    /// itself, and another writer may be running by now.
    armed: bool,
}

impl Drop for WritingFlag<'_> {
    fn drop(&mut self) {
        if self.armed {
            let mut q = self
                .writer
                .queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            q.writing = false;
        }
    }
}

async fn write_until_empty(state: AppState) {
    let writer = state.remote_writer.clone();
    let mut flag = WritingFlag {
        writer: &writer,
        armed: true,
    };
    while let Some(batch) = writer.next_batch() {
        write_batch(&state, batch).await;
    }
    flag.armed = false;
}

async fn write_batch(state: &AppState, batch: Vec<Job>) {
    let txn = match state.db.write.begin().await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "cannot begin a batch of remote statuses");
            for job in batch {
                let _ = job
                    .reply
                    .send(Err(AppError::internal("the batch could not begin")));
            }
            return;
        }
    };
    let mut done = Vec::with_capacity(batch.len());
    match write_together(&txn, state, &batch).await {
        Some(outcomes) => {
            state
                .remote_writer
                .together
                .fetch_add(outcomes.len() as u64, Ordering::Relaxed);
            for (Job { reply, .. }, outcome) in batch.into_iter().zip(outcomes) {
                done.push((reply, outcome));
            }
        }
        None => {
            if batch.len() > 1 {
                state
                    .remote_writer
                    .one_by_one
                    .fetch_add(1, Ordering::Relaxed);
            }
            for Job { job, reply } in batch {
                let outcome = write_one(&txn, state, &job).await;
                done.push((reply, outcome));
            }
        }
    }
    if let Err(e) = txn.commit().await {
        tracing::error!(error = %e, statuses = done.len(), "a batch of remote statuses could not be committed");
        for (reply, _) in done {
            let _ = reply.send(Err(AppError::internal("the batch could not be committed")));
        }
        return;
    }
    for (reply, outcome) in done {
        let answer = match outcome {
            Ok(Written::New(status, events)) => {
                events.publish(&*state.events);
                Ok(Some(*status))
            }
            Ok(Written::Existing(status)) => Ok(Some(*status)),
            Ok(Written::ActivitySeen) => Ok(None),
            Err(e) => Err(e),
        };
        // The caller may have gone (its client hung up): the status is stored anyway.
        let _ = reply.send(answer);
    }
}

enum Written {
    New(Box<statuses::Model>, crate::events::Pending),
    Existing(Box<statuses::Model>),
    ActivitySeen,
}

/// The whole batch in one savepoint, one statement per table for all its
/// statuses (see [`write_remote_batch`]). `None` when that savepoint was
/// rolled back (a status failed, an id was taken, ...) and the batch must be
/// written one status at a time, so that a bad status fails alone.
async fn write_together(
    txn: &DatabaseTransaction,
    state: &AppState,
    batch: &[Job],
) -> Option<Vec<AppResult<Written>>> {
    if batch.len() < 2 {
        return None;
    }
    let savepoint = match txn.begin().await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "cannot open a savepoint for a batch of remote statuses");
            return None;
        }
    };
    let jobs: Vec<&RemoteStatusJob> = batch.iter().map(|j| &j.job).collect();
    let written = match write_remote_batch(&savepoint, state, &jobs).await {
        Ok(Some(w)) => w,
        Ok(None) => {
            rollback(savepoint).await;
            return None;
        }
        Err(e) => {
            // Expected now and then (a status whose author has just gone, a
            // deadlock with another process): written one by one, the bad
            // one fails alone and the others are stored.
            tracing::debug!(error = %e, statuses = batch.len(), "a batch of remote statuses is written one by one");
            rollback(savepoint).await;
            return None;
        }
    };
    if let Err(e) = savepoint.commit().await {
        // What the savepoint wrote may or may not stay: tell no one it is stored.
        tracing::warn!(error = %e, "cannot release the savepoint of a batch of remote statuses");
        return Some(
            batch
                .iter()
                .map(|_| Err(AppError::internal("the batch could not be written")))
                .collect(),
        );
    }
    let outcomes = written
        .into_iter()
        .map(|w| {
            Ok(match w {
                BatchWrite::New(status, events) => Written::New(status, events),
                BatchWrite::ActivitySeen => Written::ActivitySeen,
            })
        })
        .collect();
    Some(outcomes)
}

async fn rollback(savepoint: DatabaseTransaction) {
    if let Err(e) = savepoint.rollback().await {
        tracing::warn!(error = %e, "cannot roll back the savepoint of a batch of remote statuses");
    }
}

/// One status in its own savepoint of the batch's transaction.
async fn write_one(
    txn: &DatabaseTransaction,
    state: &AppState,
    job: &RemoteStatusJob,
) -> AppResult<Written> {
    let mut attempt = 1;
    loop {
        let savepoint = txn.begin().await?;
        let written = write_remote(&savepoint, state, job).await;
        match written {
            Ok(RemoteWrite::New(status, events)) => {
                savepoint.commit().await?;
                return Ok(Written::New(status, events));
            }
            Ok(RemoteWrite::ActivitySeen) => {
                savepoint.commit().await?;
                return Ok(Written::ActivitySeen);
            }
            Ok(RemoteWrite::IdTaken) if attempt < MAX_ATTEMPTS => savepoint.rollback().await?,
            Ok(RemoteWrite::IdTaken) => {
                savepoint.rollback().await?;
                return Err(AppError::internal("no free status id was found"));
            }
            Err(AppError::Database(e)) if db::is_retryable(&e) && attempt < MAX_ATTEMPTS => {
                savepoint.rollback().await?;
            }
            Err(e @ AppError::Validation(_)) => {
                savepoint.rollback().await?;
                // A unique conflict: the same post may have been stored by
                // another activity meanwhile (in this batch or elsewhere).
                return match db::statuses::find_by_uri(txn, &job.status.uri).await? {
                    Some(existing) => {
                        if let Some(activity_id) = &job.activity_id {
                            db::deliveries::record_received(txn, activity_id).await?;
                        }
                        Ok(Written::Existing(Box::new(existing)))
                    }
                    None => Err(e),
                };
            }
            Err(e) => {
                savepoint.rollback().await?;
                return Err(e);
            }
        }
        attempt += 1;
    }
}
