//! The delivery worker: sends what `service/` queued in the `deliveries` table.
//!
//! One signed POST per (activity, inbox); shared inboxes were chosen when the
//! rows were written. Several requests are in flight at once over the client's
//! keep-alive pool. A failure is retried with exponential back-off, from two
//! seconds up to six hours, and given up (the row kept with its error) after a
//! week or on a permanent refusal. A host that does not answer is marked down
//! and its deliveries wait, without spending attempts or workers, until it is
//! due again. Rows are claimed with a lock time, so several processes can share
//! the queue, and a crash only delays what it held.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::deliveries;
use futures_util::StreamExt;
use reqwest::header::CONTENT_TYPE;

use crate::apub::objects::person::key_id;
use crate::apub::signatures::sign;
use crate::db;
use crate::state::AppState;

const BATCH: u64 = 128;
const CONCURRENCY: usize = 32;
const LOCK: chrono::Duration = chrono::Duration::seconds(60);
const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::days(7);
const IDLE_POLL: Duration = Duration::from_millis(1000);

/// How long to wait after the `attempts`-th failure: 2 s, 4 s, 8 s ... at most 6 h.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exp = attempts.clamp(1, 20) - 1;
    let secs = 2i64.saturating_mul(1i64 << exp).min(6 * 60 * 60);
    chrono::Duration::seconds(secs)
}

/// What the worker remembers about hosts that failed to answer.
#[derive(Default)]
struct HostState {
    down: Mutex<HashMap<String, (i32, DateTime<Utc>)>>,
}

impl HostState {
    fn down_until(&self, host: &str) -> Option<DateTime<Utc>> {
        let m = self.down.lock().ok()?;
        m.get(host)
            .map(|(_, until)| *until)
            .filter(|until| *until > Utc::now())
    }

    fn failed(&self, host: &str) {
        if let Ok(mut m) = self.down.lock() {
            let e = m.entry(host.to_string()).or_insert((0, Utc::now()));
            e.0 += 1;
            e.1 = Utc::now() + backoff(e.0);
        }
    }

    fn answered(&self, host: &str) {
        if let Ok(mut m) = self.down.lock() {
            m.remove(host);
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
    loop {
        if *stop.borrow() {
            return;
        }
        let batch = match db::deliveries::claim_due(&state.db.write, BATCH, LOCK).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the delivery queue");
                Vec::new()
            }
        };
        if batch.is_empty() {
            tokio::select! {
                _ = state.deliveries_queued.notified() => {}
                _ = tokio::time::sleep(IDLE_POLL) => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        futures_util::stream::iter(batch)
            .for_each_concurrent(CONCURRENCY, |d| {
                let state = state.clone();
                let hosts = hosts.clone();
                async move { settle(&state, &hosts, d).await }
            })
            .await;
    }
}

async fn settle(state: &AppState, hosts: &HostState, d: deliveries::Model) {
    if let Some(until) = hosts.down_until(&d.host) {
        let _ = db::deliveries::postpone(&state.db.write, d.id, until).await;
        return;
    }
    let attempts = d.attempts + 1;
    let result = match send(state, &d).await {
        Outcome::Delivered => {
            hosts.answered(&d.host);
            tracing::debug!(inbox = %d.inbox_url, activity = %d.activity_id, "delivered");
            db::deliveries::delete(&state.db.write, d.id).await
        }
        Outcome::Refused(error) => {
            hosts.answered(&d.host);
            tracing::info!(inbox = %d.inbox_url, %error, "delivery refused; giving up");
            db::deliveries::give_up(&state.db.write, d.id, attempts, &error).await
        }
        Outcome::Retry { error, host_down } => {
            if host_down {
                hosts.failed(&d.host);
            }
            if Utc::now() - d.created_at > GIVE_UP_AFTER {
                tracing::info!(inbox = %d.inbox_url, %error, "delivery failed for a week; giving up");
                db::deliveries::give_up(&state.db.write, d.id, attempts, &error).await
            } else {
                tracing::debug!(inbox = %d.inbox_url, %error, attempts, "delivery failed; will retry");
                db::deliveries::retry_later(
                    &state.db.write,
                    d.id,
                    attempts,
                    Utc::now() + backoff(attempts),
                    &error,
                )
                .await
            }
        }
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot record a delivery result");
    }
}

async fn send(state: &AppState, d: &deliveries::Model) -> Outcome {
    let url = match url::Url::parse(&d.inbox_url) {
        Ok(u) => u,
        Err(_) => return Outcome::Refused("the inbox is not a URL".into()),
    };
    if let Err(e) = crate::net::check_url(&state.config, &url) {
        return Outcome::Refused(e);
    }
    let signer = match db::accounts::find(&state.db.read, d.signer_account_id).await {
        Ok(Some(a)) => a,
        Ok(None) => return Outcome::Refused("the signing account is gone".into()),
        Err(e) => {
            return Outcome::Retry {
                error: e.to_string(),
                host_down: false,
            };
        }
    };
    let Some(pem) = signer.private_key_pem.as_deref() else {
        return Outcome::Refused("the signing account has no private key".into());
    };
    let body = d.body.as_bytes();
    let headers = match sign(
        &state.keys,
        "POST",
        &url,
        Some(body),
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
        .body(d.body.clone());
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
