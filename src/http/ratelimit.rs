//! Request rate limits, as Mastodon applies them: a fixed five-minute window per
//! access token (or, without one, per client address), with the `X-RateLimit-*`
//! headers on every answer and a 429 past the limit. Counted in memory, per process.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use crate::error::AppError;
use crate::state::AppState;

const WINDOW: chrono::Duration = chrono::Duration::minutes(5);
/// Buckets kept before stale ones are swept.
const SWEEP_AT: usize = 50_000;

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

impl RateLimiter {
    /// Counts a request for `key`: `(allowed, remaining, window end)`.
    pub fn hit(&self, key: &str, limit: u32) -> (bool, u32, DateTime<Utc>) {
        let now = Utc::now();
        let Ok(mut m) = self.buckets.lock() else {
            return (true, limit, now + WINDOW);
        };
        if m.len() > SWEEP_AT {
            m.retain(|_, (end, _)| *end > now);
        }
        let entry = m.entry(key.to_string()).or_insert((now + WINDOW, 0));
        if entry.0 <= now {
            *entry = (now + WINDOW, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        (entry.1 <= limit, limit.saturating_sub(entry.1), entry.0)
    }
}

pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !(path.starts_with("/api/") || path.starts_with("/oauth/"))
        || path.starts_with("/api/v1/streaming")
    {
        return next.run(req).await;
    }
    let key = match req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(t) => format!("token:{}", crate::service::oauth::hash(t)),
        None => {
            let ip = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_default();
            format!("ip:{ip}")
        }
    };
    let limit = state.config.rate_limit;
    let (allowed, remaining, reset) = state.rate_limiter.hit(&key, limit);
    let mut resp = if allowed {
        next.run(req).await
    } else {
        AppError::TooManyRequests("Too many requests".into()).into_response()
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&limit.to_string()) {
        h.insert("x-ratelimit-limit", v);
    }
    if let Ok(v) = HeaderValue::from_str(&remaining.to_string()) {
        h.insert("x-ratelimit-remaining", v);
    }
    if let Ok(v) =
        HeaderValue::from_str(&reset.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    {
        h.insert("x-ratelimit-reset", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_the_limit_then_refuses() {
        let r = RateLimiter::default();
        for i in 0..3 {
            let (ok, remaining, _) = r.hit("k", 3);
            assert!(ok);
            assert_eq!(remaining, 2 - i);
        }
        assert!(!r.hit("k", 3).0);
        assert!(r.hit("other", 3).0, "keys are counted apart");
    }
}
