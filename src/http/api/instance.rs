//! Instance discovery: `/api/v1/instance`, `/api/v2/instance` and friends.
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::json;
use crate::config::RegistrationMode;
use crate::error::AppResult;
use crate::service::instance::InstanceSettings;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/instance", get(v1))
        .route("/api/v2/instance", get(v2))
        .route("/api/v1/instance/peers", get(peers))
        .route("/api/v1/instance/rules", get(rules))
        .route(
            "/api/v1/instance/extended_description",
            get(extended_description),
        )
        .route("/api/v1/instance/activity", get(activity))
        .route(
            "/api/v1/instance/translation_languages",
            get(translation_languages),
        )
        .route("/api/v1/directory", get(directory))
        .route("/api/v1/custom_emojis", get(empty_list))
        .route("/api/v1/announcements", get(empty_list))
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth_metadata),
        )
        .route(super::entities::MISSING_AVATAR, get(missing_avatar))
        .route(super::entities::MISSING_HEADER, get(missing_header))
}

/// The Mastodon API version Kith speaks, for clients that check it.
pub const MASTODON_VERSION: &str = "4.3.0";

fn version() -> String {
    format!(
        "{MASTODON_VERSION} (compatible; Kith {})",
        env!("CARGO_PKG_VERSION")
    )
}

fn configuration(state: &AppState, settings: &InstanceSettings, vapid_key: &str) -> Value {
    json!({
        "urls": { "streaming": format!("{}", state.base_url().replacen("http", "ws", 1)), "status": null },
        "vapid": { "public_key": vapid_key },
        "accounts": { "max_featured_tags": 10, "max_pinned_statuses": 5 },
        "statuses": { "max_characters": settings.max_status_chars, "max_media_attachments": 4, "characters_reserved_per_url": 23 },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
            "image_size_limit": 16 * 1024 * 1024,
            "image_matrix_limit": 33_177_600,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
            "description_limit": 1500
        },
        "polls": { "max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2_629_746 },
        "translation": { "enabled": false },
    })
}

/// The Rule entity.
fn rules_json(settings: &InstanceSettings) -> Value {
    settings
        .rules
        .iter()
        .map(|r| json!({ "id": r.id.to_string(), "text": r.text, "hint": r.hint, "translations": {} }))
        .collect()
}

async fn v2(State(state): State<AppState>) -> AppResult<Response> {
    let usage = crate::service::instance::usage(&state).await?;
    let settings = crate::service::instance::settings(&state).await?;
    let reg = settings.registrations;
    Ok(json(json!({
        "domain": state.config.domain,
        "title": settings.name,
        "version": version(),
        "source_url": state.config.source_url,
        "description": settings.description_or_default(),
        "usage": { "users": { "active_month": usage.active_month } },
        "thumbnail": { "url": format!("{}{}", state.base_url(), super::entities::MISSING_HEADER), "blurhash": null, "versions": {} },
        "icon": [],
        "languages": ["en"],
        "configuration": configuration(&state, &settings, &crate::service::push::server_key(&state)?),
        "registrations": {
            "enabled": settings.registrations_open(),
            "approval_required": reg == RegistrationMode::Approval,
            "message": null,
            "url": null,
            "reason_required": reg == RegistrationMode::Approval,
            "min_age": null,
        },
        "api_versions": { "mastodon": 2 },
        "contact": { "email": settings.contact_email, "account": null },
        "rules": rules_json(&settings),
    })))
}

async fn v1(State(state): State<AppState>) -> AppResult<Response> {
    let usage = crate::service::instance::usage(&state).await?;
    let settings = crate::service::instance::settings(&state).await?;
    let reg = settings.registrations;
    Ok(json(json!({
        "uri": state.config.domain,
        "title": settings.name,
        "short_description": settings.description_or_default(),
        "description": settings.description_or_default(),
        "email": settings.contact_email,
        "version": version(),
        "urls": { "streaming_api": state.base_url().replacen("http", "ws", 1) },
        "stats": { "user_count": usage.users, "status_count": usage.local_posts, "domain_count": 0 },
        "thumbnail": format!("{}{}", state.base_url(), super::entities::MISSING_HEADER),
        "languages": ["en"],
        "registrations": settings.registrations_open(),
        "approval_required": reg == RegistrationMode::Approval,
        "invites_enabled": reg == RegistrationMode::Invite,
        "configuration": configuration(&state, &settings, &crate::service::push::server_key(&state)?),
        "contact_account": null,
        "rules": rules_json(&settings),
    })))
}

async fn peers(State(state): State<AppState>) -> AppResult<Response> {
    Ok(json(
        crate::db::accounts::known_domains(&state.db.read).await?,
    ))
}

async fn rules(State(state): State<AppState>) -> AppResult<Response> {
    let settings = crate::service::instance::settings(&state).await?;
    Ok(json(rules_json(&settings)))
}

/// The description as HTML: escaped, paragraphs at blank lines, breaks at newlines.
fn description_html(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(|l| html_escape(l.trim_end())).collect();
            format!("<p>{}</p>", lines.join("<br>"))
        })
        .collect()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn extended_description(State(state): State<AppState>) -> AppResult<Response> {
    let settings = crate::service::instance::settings(&state).await?;
    let updated = settings.updated_at.unwrap_or_else(crate::db::now);
    Ok(json(json!({
        "updated_at": super::entities::time(updated),
        "content": description_html(&settings.description_or_default()),
    })))
}

/// Weekly local posts, log-ins and sign-ups, as Mastodon reports them (numbers
/// as strings, the week as a Unix time).
async fn activity(State(state): State<AppState>) -> AppResult<Response> {
    let weeks = crate::service::instance::weekly_activity(&state).await?;
    Ok(json(
        weeks
            .iter()
            .map(|w| {
                json!({
                    "week": w.week.timestamp().to_string(),
                    "statuses": w.statuses.to_string(),
                    "logins": w.logins.to_string(),
                    "registrations": w.registrations.to_string(),
                })
            })
            .collect::<Vec<_>>(),
    ))
}

/// Kith translates nothing (`configuration.translation.enabled` is false), so
/// no language pairs.
async fn translation_languages() -> Response {
    json(json!({}))
}

#[derive(serde::Deserialize)]
struct DirectoryParams {
    offset: Option<String>,
    limit: Option<String>,
    order: Option<String>,
    local: Option<String>,
}

/// `GET /api/v1/directory`: accounts that chose to be discoverable.
async fn directory(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<DirectoryParams>,
) -> AppResult<Response> {
    use crate::db::instance::DirectoryOrder;
    let num = |v: &Option<String>, default: u64| -> AppResult<u64> {
        match v.as_deref().filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(s) => s
                .parse()
                .map_err(|_| crate::error::AppError::validation(format!("{s} is not a number"))),
        }
    };
    let order = match q.order.as_deref() {
        None | Some("") | Some("active") => DirectoryOrder::Active,
        Some("new") => DirectoryOrder::New,
        Some(o) => {
            return Err(crate::error::AppError::validation(format!(
                "order must be active or new, not {o}"
            )));
        }
    };
    let local = matches!(q.local.as_deref(), Some("true" | "1" | "on"));
    let accounts = crate::service::instance::directory(
        &state,
        order,
        local,
        num(&q.offset, 0)?,
        num(&q.limit, 40)?,
    )
    .await?;
    Ok(json(
        accounts
            .iter()
            .map(|a| super::entities::account(&state, a))
            .collect::<Vec<_>>(),
    ))
}

async fn empty_list() -> Response {
    json(json!([]))
}

async fn oauth_metadata(State(state): State<AppState>) -> Response {
    let base = state.base_url();
    json(json!({
        "issuer": format!("{base}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "userinfo_endpoint": format!("{base}/oauth/userinfo"),
        "scopes_supported": crate::service::oauth::TOP_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
}

async fn missing_avatar() -> Response {
    image(include_bytes!("../assets/missing_avatar.png"))
}

async fn missing_header() -> Response {
    image(include_bytes!("../assets/missing_header.png"))
}

fn image(bytes: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes,
    )
        .into_response()
}
