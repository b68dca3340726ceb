//! The delivery worker: sends what `service/` queued in the `deliveries` table.
//!
//! One signed POST per (activity, inbox); shared inboxes were chosen when the
//! rows were written. Many requests are in flight at once over the client's
//! keep-alive pool, but activities about the same object going to the same
//! inbox (a post, its edits, its deletion) are sent one after the other, in the
//! order they were queued, so the receiver never sees a Delete before its Create. A failure is retried with exponential back-off, from two
//! seconds up to six hours, and given up (the row kept with its error) after a
//! week or on a permanent refusal. A host that does not answer is marked down
//! and its deliveries wait, without spending attempts or workers, until it is
//! due again. Rows are claimed with a lock time, so several processes can share
//! the queue, and a crash only delays what it held.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{accounts, deliveries};
use futures_util::StreamExt;
use reqwest::header::CONTENT_TYPE;

use crate::apub::objects::person::key_id;
use crate::apub::signatures::sign;
use crate::db;
use crate::state::AppState;

const BATCH: u64 = 512;
/// Requests in flight at once. Waiting on remote servers costs no CPU, so this is
/// high: with a 250 ms round trip it allows about 500 deliveries a second.
const CONCURRENCY: usize = 128;
const LOCK: chrono::Duration = chrono::Duration::seconds(60);
const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::days(7);
const IDLE_POLL: Duration = Duration::from_millis(1000);

/// How long to wait after the `attempts`-th failure: 2 s, 4 s, 8 s ... at most 6 h.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exp = attempts.clamp(1, 20) - 1;
    let secs = 2i64.saturating_mul(1i64 << exp).min(6 * 60 * 60);
    chrono::Duration::seconds(secs)
}

/// What the worker knows about each host it sends to: whether it answered last
/// time, and until when it is put off after failing to answer.
///
/// A host not known to answer (new to this process, or due again after being
/// down) is *probed*: one delivery goes first while the others to that host
/// wait for its outcome, so a dead host costs one refused connection per
/// back-off period, not one per chain that happened to be in flight.
#[derive(Default)]
struct HostState {
    hosts: Mutex<HashMap<String, Host>>,
}

#[derive(Default)]
struct Host {
    failures: i32,
    down_until: Option<DateTime<Utc>>,
    up: bool,
    /// Held by the delivery probing the host.
    probe: Arc<tokio::sync::Mutex<()>>,
}

/// May a delivery to a host go ahead?
enum Gate {
    /// The host answered last time.
    Go,
    /// The host is not known to answer: this delivery finds out, holding the
    /// host's probe until its outcome is recorded (and the guard dropped).
    Probe(tokio::sync::OwnedMutexGuard<()>),
    /// The host is down until then.
    Down(DateTime<Utc>),
}

impl HostState {
    /// `Ok(gate)` when the host's state decides; `Err(probe)` when it must be probed.
    fn decide(&self, host: &str) -> Result<Gate, Arc<tokio::sync::Mutex<()>>> {
        let Ok(mut m) = self.hosts.lock() else {
            return Ok(Gate::Go);
        };
        let h = m.entry(host.to_string()).or_default();
        match h.down_until {
            Some(until) if until > Utc::now() => Ok(Gate::Down(until)),
            _ if h.up => Ok(Gate::Go),
            _ => Err(h.probe.clone()),
        }
    }

    /// Waits, when another delivery is probing the host, for its outcome.
    async fn gate(&self, host: &str) -> Gate {
        let probe = match self.decide(host) {
            Ok(gate) => return gate,
            Err(probe) => probe,
        };
        let guard = probe.lock_owned().await;
        match self.decide(host) {
            Ok(gate) => gate,
            // Still unknown (the last probe never reached the host): this one probes.
            Err(_) => Gate::Probe(guard),
        }
    }

    fn down_until(&self, host: &str) -> Option<DateTime<Utc>> {
        let m = self.hosts.lock().ok()?;
        m.get(host)
            .and_then(|h| h.down_until)
            .filter(|until| *until > Utc::now())
    }

    fn failed(&self, host: &str) {
        if let Ok(mut m) = self.hosts.lock() {
            let h = m.entry(host.to_string()).or_default();
            h.failures += 1;
            h.up = false;
            h.down_until = Some(Utc::now() + backoff(h.failures));
        }
    }

    fn answered(&self, host: &str) {
        if let Ok(mut m) = self.hosts.lock() {
            let h = m.entry(host.to_string()).or_default();
            h.failures = 0;
            h.down_until = None;
            h.up = true;
        }
    }
}

/// Deliveries made whose rows are not deleted yet. They are deleted together,
/// one statement for many, rather than one write each on SQLite's single
/// writer. The rows stay claimed (locked) meanwhile; a crash before the delete
/// sends them again, which receivers, idempotent on the activity id, ignore.
#[derive(Default)]
struct Delivered(Mutex<Vec<i64>>);

/// Delivered rows deleted per statement while a batch is being sent.
const DELETE_EVERY: usize = 64;

impl Delivered {
    /// Adds `id`; returns the ids to delete now when enough have gathered.
    fn push(&self, id: i64) -> Option<Vec<i64>> {
        let mut ids = self.0.lock().ok()?;
        ids.push(id);
        (ids.len() >= DELETE_EVERY).then(|| std::mem::take(&mut *ids))
    }

    fn take(&self) -> Vec<i64> {
        self.0
            .lock()
            .map(|mut ids| std::mem::take(&mut *ids))
            .unwrap_or_default()
    }

    async fn delete(state: &AppState, ids: Vec<i64>) {
        if ids.is_empty() {
            return;
        }
        if let Err(e) = db::deliveries::delete_many(&state.db.write, &ids).await {
            tracing::warn!(error = %e, "cannot record deliveries made");
        }
    }
}

enum Outcome {
    Delivered,
    /// The server answered and refused for good (4xx other than 408/429).
    Refused(String),
    /// Try again later; `host_down` when the host did not answer at all.
    Retry {
        error: String,
        host_down: bool,
    },
}

/// Runs until `stop` turns true, then finishes what is in flight.
pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let hosts = Arc::new(HostState::default());
    if state.db.backend() == sea_orm::DatabaseBackend::Sqlite {
        // SQLite means one process: locks left by a crash are ours to release.
        let _ = db::deliveries::release_all_locks(&state.db.write).await;
    }
    // Whether the last claim found deliveries.
    let mut busy = true;
    loop {
        if *stop.borrow() {
            return;
        }
        let db::deliveries::Claimed {
            deliveries: batch,
            bodies,
        } = match db::deliveries::claim_due(&state.db.write, BATCH, LOCK).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the delivery queue");
                Default::default()
            }
        };
        if batch.is_empty() {
            if std::mem::take(&mut busy) {
                // The queue is empty: drop the bodies of deliveries that went
                // with their signer's account.
                if let Err(e) = db::deliveries::delete_unused_bodies(&state.db.write).await {
                    tracing::warn!(error = %e, "cannot delete unused delivery bodies");
                }
            }
            tokio::select! {
                _ = state.deliveries_queued.notified() => {}
                _ = tokio::time::sleep(IDLE_POLL) => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        busy = true;
        let signers = Signers::load(&state, &batch, bodies).await;
        let delivered = Arc::new(Delivered::default());
        // Each chain is its own task, so signing (the CPU-heavy part) runs on
        // every worker thread rather than inside this one task.
        futures_util::stream::iter(chains(batch, &signers.bodies))
            .map(|chain| {
                let state = state.clone();
                let hosts = hosts.clone();
                let signers = signers.clone();
                let delivered = delivered.clone();
                tokio::spawn(async move {
                    settle_chain(&state, &hosts, &signers, &delivered, chain).await
                })
            })
            .buffer_unordered(CONCURRENCY)
            .for_each(|done| async move {
                if let Err(e) = done {
                    tracing::warn!(error = %e, "a delivery task failed");
                }
            })
            .await;
        Delivered::delete(&state, delivered.take()).await;
    }
}

/// What a batch's deliveries need, read once: their signing accounts (a post
/// to many inboxes has one signer) and their activities' bodies.
#[derive(Clone, Default)]
struct Signers {
    accounts: Arc<HashMap<i64, Option<accounts::Model>>>,
    /// Activity id -> body (claimed with the deliveries).
    bodies: Arc<HashMap<String, Arc<str>>>,
}

impl Signers {
    async fn load(
        state: &AppState,
        batch: &[deliveries::Model],
        bodies: HashMap<String, Arc<str>>,
    ) -> Signers {
        let mut ids: Vec<i64> = batch.iter().map(|d| d.signer_account_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut map = HashMap::new();
        if let Ok(found) = db::accounts::find_many(&state.db.read, &ids).await {
            for id in ids {
                map.insert(id, found.iter().find(|a| a.id == id).cloned());
            }
        }
        // An id missing from the map (the read failed) is retried later.
        Signers {
            accounts: Arc::new(map),
            bodies: Arc::new(bodies),
        }
    }
}

/// What an activity is about, for ordering: the object's id, or for an activity
/// about an activity (`Undo(Like)`, `Accept(Follow)`) that activity's object.
fn object_key(body: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Head {
        object: Option<serde_json::Value>,
    }
    fn id(v: &serde_json::Value) -> Option<&str> {
        match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Object(o) => match o.get("object") {
                Some(inner) => id(inner),
                None => o.get("id").and_then(serde_json::Value::as_str),
            },
            _ => None,
        }
    }
    serde_json::from_str::<Head>(body)
        .ok()
        .and_then(|h| h.object.as_ref().and_then(id).map(str::to_string))
        .unwrap_or_default()
}

/// Splits a batch (in queue order) into chains of deliveries to the same inbox
/// about the same object, each in queue order. Chains run concurrently; the
/// deliveries of a chain one after the other.
fn chains(
    batch: Vec<deliveries::Model>,
    bodies: &HashMap<String, Arc<str>>,
) -> Vec<Vec<deliveries::Model>> {
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut out: Vec<Vec<deliveries::Model>> = Vec::new();
    for d in batch {
        let about = bodies
            .get(&d.activity_id)
            .map(|b| object_key(b))
            .unwrap_or_default();
        let key = (d.inbox_url.clone(), about);
        match index.get(&key).and_then(|i| out.get_mut(*i)) {
            Some(chain) => chain.push(d),
            None => {
                index.insert(key, out.len());
                out.push(vec![d]);
            }
        }
    }
    out
}

/// Sends a chain in order. When one delivery has to wait, so do the ones after
/// it: they are put off to the same time, and sent after it then.
async fn settle_chain(
    state: &AppState,
    hosts: &HostState,
    signers: &Signers,
    delivered: &Delivered,
    chain: Vec<deliveries::Model>,
) {
    let mut blocked: Option<DateTime<Utc>> = None;
    for d in chain {
        match blocked {
            Some(until) => {
                if let Err(e) = db::deliveries::postpone(&state.db.write, d.id, until).await {
                    tracing::warn!(error = %e, "cannot postpone a delivery");
                }
            }
            None => blocked = settle(state, hosts, signers, delivered, d).await,
        }
    }
}

/// Sends one delivery and records the outcome; `Some(time)` when it will be tried again then.
async fn settle(
    state: &AppState,
    hosts: &HostState,
    signers: &Signers,
    delivered: &Delivered,
    d: deliveries::Model,
) -> Option<DateTime<Utc>> {
    let probe = match hosts.gate(&d.host).await {
        Gate::Down(until) => {
            let _ = db::deliveries::postpone(&state.db.write, d.id, until).await;
            return Some(until);
        }
        Gate::Go => None,
        Gate::Probe(guard) => Some(guard),
    };
    let attempts = d.attempts + 1;
    let mut again = None;
    let outcome = send(state, signers, &d).await;
    match &outcome {
        Outcome::Delivered | Outcome::Refused(_) => hosts.answered(&d.host),
        Outcome::Retry {
            host_down: true, ..
        } => hosts.failed(&d.host),
        Outcome::Retry { .. } => {}
    }
    // The host's state is known now: the deliveries waiting on the probe may go.
    drop(probe);
    let result = match outcome {
        Outcome::Delivered => {
            tracing::debug!(inbox = %d.inbox_url, activity = %d.activity_id, "delivered");
            if let Some(ids) = delivered.push(d.id) {
                Delivered::delete(state, ids).await;
            }
            Ok(())
        }
        Outcome::Refused(error) => {
            tracing::info!(inbox = %d.inbox_url, %error, "delivery refused; giving up");
            db::deliveries::give_up(&state.db.write, d.id, attempts, &error).await
        }
        Outcome::Retry { error, host_down } => {
            if host_down {
                // Put off the host's other waiting deliveries in one statement, so
                // they are not claimed (and put off) one by one meanwhile.
                if let Some(until) = hosts.down_until(&d.host)
                    && let Err(e) =
                        db::deliveries::postpone_host(&state.db.write, &d.host, until).await
                {
                    tracing::warn!(error = %e, "cannot postpone a host's deliveries");
                }
            }
            if Utc::now() - d.created_at > GIVE_UP_AFTER {
                tracing::info!(inbox = %d.inbox_url, %error, "delivery failed for a week; giving up");
                db::deliveries::give_up(&state.db.write, d.id, attempts, &error).await
            } else {
                tracing::debug!(inbox = %d.inbox_url, %error, attempts, "delivery failed; will retry");
                let next = Utc::now() + backoff(attempts);
                again = Some(next);
                db::deliveries::retry_later(&state.db.write, d.id, attempts, next, &error).await
            }
        }
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot record a delivery result");
    }
    again
}

async fn send(state: &AppState, signers: &Signers, d: &deliveries::Model) -> Outcome {
    let url = match url::Url::parse(&d.inbox_url) {
        Ok(u) => u,
        Err(_) => return Outcome::Refused("the inbox is not a URL".into()),
    };
    if let Err(e) = crate::net::check_url(&state.config, &url) {
        return Outcome::Refused(e);
    }
    let Some(body) = signers.bodies.get(&d.activity_id) else {
        return Outcome::Refused("the activity's body is gone".into());
    };
    let signer = match signers.accounts.get(&d.signer_account_id) {
        Some(Some(a)) => a,
        Some(None) => return Outcome::Refused("the signing account is gone".into()),
        None => {
            return Outcome::Retry {
                error: "the signing account cannot be read".into(),
                host_down: false,
            };
        }
    };
    let Some(pem) = signer.private_key_pem.as_deref() else {
        return Outcome::Refused("the signing account has no private key".into());
    };
    let headers = match sign(
        &state.keys,
        "POST",
        &url,
        Some(body.as_bytes()),
        Some("application/activity+json"),
        &key_id(&signer.uri),
        pem,
    ) {
        Ok(h) => h,
        Err(e) => return Outcome::Refused(e),
    };
    let mut req = state
        .http
        .post(url)
        .header(CONTENT_TYPE, "application/activity+json")
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(k, v);
    }
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            if status.is_success() {
                Outcome::Delivered
            } else if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
                Outcome::Refused(format!("HTTP {status}"))
            } else {
                Outcome::Retry {
                    error: format!("HTTP {status}"),
                    host_down: status.as_u16() == 503,
                }
            }
        }
        Err(e) => Outcome::Retry {
            error: e.to_string(),
            host_down: e.is_connect() || e.is_timeout(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, inbox: &str) -> deliveries::Model {
        deliveries::Model {
            id,
            activity_id: format!("https://kith.test/a/{id}"),
            inbox_url: inbox.into(),
            host: "remote.test".into(),
            signer_account_id: 1,
            attempts: 0,
            next_attempt_at: Utc::now(),
            locked_until: None,
            last_error: None,
            failed_at: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn activities_about_one_object_to_one_inbox_form_one_chain_in_queue_order() {
        let create = r#"{"type":"Create","object":{"id":"https://kith.test/s/1","type":"Note"}}"#;
        let update = r#"{"type":"Update","object":{"id":"https://kith.test/s/1","type":"Note"}}"#;
        let delete =
            r#"{"type":"Delete","object":{"id":"https://kith.test/s/1","type":"Tombstone"}}"#;
        let like = r#"{"type":"Like","object":"https://remote.test/s/9"}"#;
        let undo = r#"{"type":"Undo","object":{"type":"Like","id":"https://kith.test/l/1","object":"https://remote.test/s/9"}}"#;
        let a = "https://a.test/inbox";
        let b = "https://b.test/inbox";
        let queued = [
            (1, a, create),
            (2, b, create),
            (3, a, like),
            (4, a, update),
            (5, a, undo),
            (6, a, delete),
            (7, b, delete),
        ];
        let batch = queued
            .iter()
            .map(|(id, inbox, _)| row(*id, inbox))
            .collect();
        let bodies = queued
            .iter()
            .map(|(id, _, body)| (format!("https://kith.test/a/{id}"), Arc::from(*body)))
            .collect();
        let ids: Vec<Vec<i64>> = chains(batch, &bodies)
            .iter()
            .map(|c| c.iter().map(|d| d.id).collect())
            .collect();
        assert_eq!(ids, vec![vec![1, 4, 6], vec![2, 7], vec![3, 5]]);
        assert_eq!(object_key("not json"), "");
    }

    #[tokio::test]
    async fn one_delivery_probes_an_unknown_host_while_the_others_wait_for_it() {
        let hosts = Arc::new(HostState::default());
        let probe = hosts.gate("dead.test").await;
        assert!(
            matches!(probe, Gate::Probe(_)),
            "the first delivery to a new host probes it"
        );
        // A second delivery waits for the probe's outcome instead of connecting too.
        let waiter = tokio::spawn({
            let hosts = hosts.clone();
            async move { hosts.gate("dead.test").await }
        });
        tokio::task::yield_now().await;
        assert!(
            !waiter.is_finished(),
            "the second delivery went ahead of the probe"
        );
        hosts.failed("dead.test");
        drop(probe);
        assert!(matches!(waiter.await, Ok(Gate::Down(_))));

        // A host that answered lets everyone through at once.
        let probe = hosts.gate("live.test").await;
        assert!(
            matches!(probe, Gate::Probe(_)),
            "the first delivery to a new host probes it"
        );
        hosts.answered("live.test");
        drop(probe);
        assert!(matches!(hosts.gate("live.test").await, Gate::Go));
        assert!(matches!(hosts.gate("live.test").await, Gate::Go));

        // A probe that never reached the host hands the probing on.
        let probe = hosts.gate("odd.test").await;
        assert!(
            matches!(probe, Gate::Probe(_)),
            "the first delivery to a new host probes it"
        );
        drop(probe);
        assert!(matches!(hosts.gate("odd.test").await, Gate::Probe(_)));
    }

    #[test]
    fn backoff_grows_from_seconds_to_hours() {
        assert_eq!(backoff(1).num_seconds(), 2);
        assert_eq!(backoff(2).num_seconds(), 4);
        assert_eq!(backoff(10).num_seconds(), 1024);
        assert_eq!(backoff(30).num_seconds(), 6 * 60 * 60);
        // Retries go on, six hours apart at most, until the week is over (about 50 attempts).
        let total: i64 = (1..=50).map(|a| backoff(a).num_seconds()).sum();
        assert!(total > 7 * 24 * 3600);
    }
}
