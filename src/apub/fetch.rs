//! Fetching remote ActivityPub documents: signed (so servers in authorized-fetch
//! mode answer), time-limited, size-capped, kept off private networks, and
//! checked to come from the host that names them.
use reqwest::header::ACCEPT;
use serde_json::Value;

use crate::state::AppState;

/// The largest document accepted.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

pub const ACCEPT_AP: &str = r#"application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams""#;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("refused: {0}")]
    Refused(String),
    #[error("the object is gone")]
    Gone,
    #[error("the object was not found")]
    NotFound,
    #[error("the server answered {0}")]
    Status(u16),
    #[error("network error: {0}")]
    Network(String),
    #[error("the document is larger than {MAX_DOCUMENT_BYTES} bytes")]
    TooLarge,
    #[error("the document is not valid JSON: {0}")]
    BadJson(String),
    #[error("the document's id is not on the host it was fetched from")]
    WrongHost,
}

/// `host[:port]` of a URL, the unit of trust in ActivityPub.
pub fn authority(url: &url::Url) -> String {
    match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    }
}

/// True when two URLs share host and port.
pub fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.scheme() == b.scheme() && authority(a) == authority(b)
}

/// GETs `url` with an `Accept` header, signed as the instance actor, and reads
/// at most [`MAX_DOCUMENT_BYTES`].
pub async fn get_signed(
    state: &AppState,
    url: &url::Url,
    accept: &str,
) -> Result<(url::Url, Vec<u8>), FetchError> {
    crate::net::check_url(&state.config, url).map_err(FetchError::Refused)?;
    let mut req = state.http.get(url.clone()).header(ACCEPT, accept);
    if let Ok(actor) = state.instance_actor().await
        && let Some(pem) = &actor.private_key_pem
    {
        let key_id = crate::apub::objects::person::key_id(&actor.uri);
        if let Ok(headers) =
            crate::apub::signatures::sign(&state.keys, "GET", url, None, None, &key_id, pem)
        {
            for (k, v) in headers {
                req = req.header(k, v);
            }
        }
    }
    let mut resp = req
        .send()
        .await
        .map_err(|e| FetchError::Network(e.to_string()))?;
    match resp.status().as_u16() {
        200..=299 => {}
        404 => return Err(FetchError::NotFound),
        410 => return Err(FetchError::Gone),
        s => return Err(FetchError::Status(s)),
    }
    if resp
        .content_length()
        .is_some_and(|n| n as usize > MAX_DOCUMENT_BYTES)
    {
        return Err(FetchError::TooLarge);
    }
    let final_url = resp.url().clone();
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| FetchError::Network(e.to_string()))?
    {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok((final_url, body))
}

/// Fetches an ActivityPub object and checks that its `id` lives on the host it
/// was served from.
pub async fn fetch_object(state: &AppState, url: &url::Url) -> Result<Value, FetchError> {
    let (final_url, body) = get_signed(state, url, ACCEPT_AP).await?;
    let json: Value =
        serde_json::from_slice(&body).map_err(|e| FetchError::BadJson(e.to_string()))?;
    let id = json
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| url::Url::parse(s).ok())
        .ok_or(FetchError::WrongHost)?;
    if !same_origin(&id, &final_url) || !same_origin(url, &final_url) {
        return Err(FetchError::WrongHost);
    }
    Ok(json)
}

/// Content types an inbox accepts.
pub fn is_activity_content_type(ct: &str) -> bool {
    let media = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        media.as_str(),
        "application/activity+json" | "application/ld+json" | "application/json"
    )
}
