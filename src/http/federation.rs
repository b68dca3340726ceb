//! The federation-facing endpoints: discovery (WebFinger, host-meta, NodeInfo)
//! and the ActivityPub documents for local actors and statuses, with content
//! negotiation (ActivityStreams JSON for servers, a redirect to the profile or
//! post page for browsers).
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::apub::{context, documents};
use crate::db::relationships::FollowSide;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/.well-known/host-meta", get(host_meta))
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/nodeinfo/{version}", get(nodeinfo))
        .route("/users/{name}", get(actor))
        .route("/users/{name}/outbox", get(outbox))
        .route("/users/{name}/followers", get(followers))
        .route("/users/{name}/following", get(following))
        .route("/users/{name}/statuses/{id}", get(status))
        .route("/users/{name}/statuses/{id}/activity", get(status_activity))
        .route("/users/{name}/statuses/{id}/replies", get(status_replies))
        .merge(
            Router::new()
                .route("/inbox", post(inbox))
                .route("/users/{name}/inbox", post(inbox))
                .layer(DefaultBodyLimit::max(
                    crate::apub::inbox::MAX_ACTIVITY_BYTES,
                )),
        )
}

/// Both the shared inbox and the per-user ones: the activity's addressing, not
/// the URL, says whom it concerns.
async fn inbox(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !crate::apub::fetch::is_activity_content_type(ct) {
        let msg =
            serde_json::json!({ "error": "activities must be sent as application/activity+json" });
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, Json(msg)).into_response();
    }
    let mut map = std::collections::BTreeMap::new();
    for (name, value) in &headers {
        if let Ok(v) = value.to_str() {
            map.entry(name.as_str().to_string())
                .and_modify(|e: &mut String| {
                    e.push_str(", ");
                    e.push_str(v);
                })
                .or_insert_with(|| v.to_string());
        }
    }
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    match crate::apub::inbox::receive(&state, &path, &map, &body).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(e) => {
            tracing::debug!(error = %e, %path, "inbox refused an activity");
            e.into_response()
        }
    }
}

fn activity_json(v: Value) -> Response {
    let mut r = Json(v).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(context::ACTIVITY_JSON),
    );
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    r
}

fn json_as(v: Value, content_type: &'static str) -> Response {
    let mut r = Json(v).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(context::accepts_activity_json)
}

#[derive(Deserialize)]
struct WebfingerQuery {
    resource: Option<String>,
}

async fn webfinger(
    State(state): State<AppState>,
    Query(q): Query<WebfingerQuery>,
) -> AppResult<Response> {
    let resource = q
        .resource
        .ok_or_else(|| AppError::BadRequest("the resource parameter is required".into()))?;
    Ok(json_as(
        documents::webfinger(&state, &resource).await?,
        "application/jrd+json; charset=utf-8",
    ))
}

async fn host_meta(State(state): State<AppState>) -> Response {
    let body = crate::apub::discovery::host_meta(&state.base_url());
    (
        [
            (header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body,
    )
        .into_response()
}

async fn nodeinfo_links(State(state): State<AppState>) -> Response {
    json_as(
        crate::apub::discovery::nodeinfo_links(&state.base_url()),
        "application/json; charset=utf-8",
    )
}

async fn nodeinfo(
    State(state): State<AppState>,
    Path(version): Path<String>,
) -> AppResult<Response> {
    let (v, ct) = match version.as_str() {
        "2.0" | "2.0.json" => (
            "2.0",
            r#"application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.0#""#,
        ),
        "2.1" | "2.1.json" => (
            "2.1",
            r#"application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#""#,
        ),
        _ => return Err(AppError::not_found()),
    };
    Ok(json_as(documents::nodeinfo(&state, v).await?, ct))
}

/// A browser asking for an ActivityPub URL goes to the page people read.
fn to_page(location: String) -> Response {
    Redirect::to(&location).into_response()
}

/// The actor that signed a GET, if it was signed. A bad signature is a 401; with
/// authorized fetch on, so is no signature, except for the instance actor, whose
/// key others need to check our own signed fetches.
async fn signed_viewer(
    state: &AppState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    exempt: bool,
) -> AppResult<Option<entity::accounts::Model>> {
    if exempt {
        // Checking a signature on the instance actor would mean fetching the
        // signer's key, whose server would check ours the same way: a loop.
        return Ok(None);
    }
    if !headers.contains_key("signature") {
        if state.config.authorized_fetch && !exempt {
            return Err(AppError::Unauthorized(
                "this server only answers signed requests".into(),
            ));
        }
        return Ok(None);
    }
    match verify_get(state, uri, headers).await {
        Ok(signer) => Ok(Some(signer)),
        // Without authorized fetch a signature that cannot be checked only means
        // the request is treated as anonymous, as Mastodon does.
        Err(e) if state.config.authorized_fetch => Err(e),
        Err(e) => {
            tracing::debug!(error = %e, "ignoring an unverifiable signature on a GET");
            Ok(None)
        }
    }
}

async fn verify_get(
    state: &AppState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> AppResult<entity::accounts::Model> {
    let map: std::collections::BTreeMap<String, String> = headers
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_string(), v.to_string()))
        })
        .collect();
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    let pending = crate::apub::signatures::prepare("GET", &path, &map, None)
        .map_err(|e| AppError::Unauthorized(e.to_string()))?;
    let signer = crate::apub::inbox::key_owner(state, &pending.key_id)
        .await
        .map_err(|e| AppError::Unauthorized(format!("the signing key cannot be found: {e}")))?;
    pending
        .verify(&state.keys, &signer.public_key_pem)
        .map_err(|e| AppError::Unauthorized(e.to_string()))?;
    Ok(signer)
}

async fn actor(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let exempt = name == crate::service::accounts::INSTANCE_ACTOR;
    if wants_json(&headers) {
        signed_viewer(&state, &uri, &headers, exempt).await?;
    }
    let doc = documents::actor(&state, &name).await?;
    if wants_json(&headers) {
        return Ok(activity_json(doc));
    }
    Ok(to_page(
        doc.get("url")
            .and_then(Value::as_str)
            .unwrap_or("/")
            .to_string(),
    ))
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
    max_id: Option<String>,
}

impl PageQuery {
    /// `None`: the collection itself; `Some(max_id)`: one page of it.
    fn page(&self) -> AppResult<Option<Option<i64>>> {
        if self.page.is_none() {
            return Ok(None);
        }
        let max_id = match &self.max_id {
            None => None,
            Some(m) => Some(
                m.parse::<i64>()
                    .map_err(|_| AppError::BadRequest("max_id must be a number".into()))?,
            ),
        };
        Ok(Some(max_id))
    }
}

async fn outbox(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    signed_viewer(&state, &uri, &headers, false).await?;
    Ok(activity_json(
        documents::outbox(&state, &name, q.page()?).await?,
    ))
}

async fn followers(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    signed_viewer(&state, &uri, &headers, false).await?;
    Ok(activity_json(
        documents::follow_collection(&state, &name, FollowSide::Followers, q.page()?).await?,
    ))
}

async fn following(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    signed_viewer(&state, &uri, &headers, false).await?;
    Ok(activity_json(
        documents::follow_collection(&state, &name, FollowSide::Following, q.page()?).await?,
    ))
}

fn parse_id(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

async fn status(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path((name, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let viewer = if wants_json(&headers) {
        signed_viewer(&state, &uri, &headers, false).await?
    } else {
        None
    };
    let doc = documents::note(&state, &name, parse_id(&id)?, viewer.as_ref()).await?;
    if wants_json(&headers) {
        return Ok(activity_json(doc));
    }
    Ok(to_page(
        doc.get("url")
            .and_then(Value::as_str)
            .unwrap_or("/")
            .to_string(),
    ))
}

async fn status_activity(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path((name, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let viewer = signed_viewer(&state, &uri, &headers, false).await?;
    Ok(activity_json(
        documents::create_activity(&state, &name, parse_id(&id)?, viewer.as_ref()).await?,
    ))
}

async fn status_replies(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path((name, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let viewer = signed_viewer(&state, &uri, &headers, false).await?;
    Ok(activity_json(
        documents::replies(&state, &name, parse_id(&id)?, viewer.as_ref()).await?,
    ))
}
