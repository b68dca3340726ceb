//! The Mastodon client API: the routes apps call, their authentication, and the
//! entities they read, shaped as Mastodon shapes them.
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, AppResult};
use crate::service::oauth::{TokenAuth, authenticate_token};
use crate::state::AppState;

pub use body::{Body, WithFiles};

pub mod account_lists;
pub mod accounts;
pub mod body;
pub mod discovery;
pub mod domain_blocks;
pub mod entities;
pub mod featured_tags;
pub mod filters;
pub mod instance;
pub mod lists;
pub mod markers;
pub mod media;
pub mod notification_requests;
pub mod notifications;
pub mod oauth;
pub mod params;
pub mod reports;
pub mod scheduled;
pub mod search;
pub mod status_extras;
pub mod statuses;
pub mod streaming;
pub mod timelines;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(instance::routes())
        .merge(oauth::routes())
        .merge(accounts::routes())
        .merge(statuses::routes())
        .merge(status_extras::routes())
        .merge(timelines::routes())
        .merge(notifications::routes())
        .merge(notification_requests::routes())
        .merge(lists::routes())
        .merge(account_lists::routes())
        .merge(markers::routes())
        .merge(media::routes())
        .merge(filters::routes())
        .merge(discovery::routes())
        .merge(domain_blocks::routes())
        .merge(featured_tags::routes())
        .merge(search::routes())
        .merge(scheduled::routes())
        .merge(reports::routes())
        .merge(streaming::routes())
}

/// The bearer token of a request, if it has one (an invalid one is a 401).
pub struct Auth(pub Option<TokenAuth>);

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string());
        let Some(bearer) = bearer.filter(|t| !t.is_empty()) else {
            return Ok(Auth(None));
        };
        let auth = authenticate_token(state, &bearer).await?;
        crate::service::oauth::note_token_use(state, &auth.token).await;
        Ok(Auth(Some(auth)))
    }
}

impl Auth {
    /// A token with `scope`: 401 without a token, 403 when the scope is missing.
    pub fn require(&self, scope: &str) -> AppResult<&TokenAuth> {
        let auth = self
            .0
            .as_ref()
            .ok_or_else(|| AppError::Unauthorized("The access token is invalid".into()))?;
        if !auth.scopes.allows(scope) {
            return Err(AppError::Forbidden(
                "This action is outside the authorized scopes".into(),
            ));
        }
        Ok(auth)
    }

    /// The account of a user token with `scope`.
    pub fn user(&self, scope: &str) -> AppResult<&entity::accounts::Model> {
        self.require(scope)?.account.as_ref().ok_or_else(|| {
            AppError::Validation("This method requires an authenticated user".into())
        })
    }

    /// The viewer, when a user token is present (public endpoints).
    pub fn viewer(&self) -> Option<&entity::accounts::Model> {
        self.0.as_ref().and_then(|a| a.account.as_ref())
    }
}

/// Parses an id given as a string path segment: anything else is a 404.
pub fn parse_id(s: &str) -> AppResult<i64> {
    s.parse().map_err(|_| AppError::not_found())
}

/// `max_id`, `since_id`, `min_id` and `limit`, as query parameters.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageParams {
    pub max_id: Option<String>,
    pub since_id: Option<String>,
    pub min_id: Option<String>,
    pub limit: Option<String>,
}

impl PageParams {
    pub fn page(&self) -> AppResult<crate::db::Page> {
        let id = |v: &Option<String>| -> AppResult<Option<i64>> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => s
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::Validation(format!("{s} is not a valid id"))),
            }
        };
        let limit = match self
            .limit
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => crate::db::Page::DEFAULT_LIMIT,
            Some(l) => l
                .parse::<u64>()
                .map_err(|_| AppError::Validation("limit must be a number".into()))?,
        };
        Ok(crate::db::Page {
            max_id: id(&self.max_id)?,
            since_id: id(&self.since_id)?,
            min_id: id(&self.min_id)?,
            limit: limit.clamp(1, crate::db::Page::MAX_LIMIT),
        })
    }
}

/// Adds Mastodon's `Link` header: `next` pages below the last id, `prev` above the first.
pub fn with_link(
    mut resp: Response,
    state: &AppState,
    path: &str,
    extra: &[(&str, String)],
    first: Option<i64>,
    last: Option<i64>,
) -> Response {
    let (Some(first), Some(last)) = (first, last) else {
        return resp;
    };
    let base = state.base_url();
    let mut parts = Vec::new();
    let q = |key: &str, id: i64| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in extra {
            s.append_pair(k, v);
        }
        s.append_pair(key, &id.to_string());
        s.finish()
    };
    parts.push(format!(
        "<{base}{path}?{}>; rel=\"next\"",
        q("max_id", last)
    ));
    parts.push(format!(
        "<{base}{path}?{}>; rel=\"prev\"",
        q("min_id", first)
    ));
    if let Ok(v) = HeaderValue::from_str(&parts.join(", ")) {
        resp.headers_mut().insert(header::LINK, v);
    }
    resp
}

pub fn json<T: serde::Serialize>(v: T) -> Response {
    axum::Json(v).into_response()
}
