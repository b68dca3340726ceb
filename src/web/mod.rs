//! The web site: server-rendered pages over the same service layer as the API.
//!
//! Sessions are cookies naming a `web_sessions` row (`service::web`); every
//! POST carries a CSRF token that must equal the `kith_csrf` cookie (double
//! submit; the cookies are HttpOnly and SameSite=Lax, Secure under https).
//! Core actions are plain forms that post and redirect; `static/kith.js` adds
//! live updates (`/web/events`, an event stream) and in-place likes.
//! Templates (`templates/`) are compiled into the binary; every string they show
//! comes from `strings.rs`.
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::Value;
use minijinja::value::Serde;
use serde::de::DeserializeOwned;

use crate::config::Scheme;
use crate::error::AppError;
use crate::service::web::WebSession;
use crate::state::AppState;

mod admin;
mod assets;
mod auth;
mod events;
mod feed;
mod messages;
mod people;
mod settings;
pub mod strings;
mod view;

pub const SESSION_COOKIE: &str = "kith_session";
const CSRF_COOKIE: &str = "kith_csrf";
const FLASH_COOKIE: &str = "kith_flash";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(feed::home))
        .route("/signup", get(auth::signup_page).post(auth::signup))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/@{handle}", get(people::profile))
        .route("/@{handle}/{id}", get(people::profile_sub))
        .route("/friends", get(people::friends))
        .route("/messages", get(messages::list))
        .route("/messages/new", get(messages::new_page))
        .route("/messages/{id}", get(messages::show))
        .route("/notifications", get(feed::notifications))
        .route("/settings", get(settings::profile_page))
        .route("/settings/profile", get(settings::profile_page))
        .route("/settings/account", get(settings::account_page))
        .route("/admin", get(admin::page))
        .route("/web/statuses", post(feed::compose))
        .route("/web/statuses/{id}/{action}", post(feed::act))
        .route("/web/accounts/{id}/{action}", post(people::act))
        .route(
            "/web/follow_requests/{id}/{action}",
            post(people::answer_request),
        )
        .route("/web/messages", post(messages::send))
        .route("/web/profile", post(settings::save_profile))
        .route("/web/password", post(settings::change_password))
        .route("/web/sessions/{id}/revoke", post(settings::revoke_session))
        .route("/web/apps/{id}/revoke", post(settings::revoke_app))
        .route("/web/admin/users/{id}/{action}", post(admin::user_action))
        .route("/web/admin/invites", post(admin::create_invite))
        .route("/web/admin/invites/{id}/delete", post(admin::delete_invite))
        .route("/web/admin/settings", post(admin::save_settings))
        .route(
            "/web/admin/reports/{id}/resolve",
            post(admin::resolve_report),
        )
        .route("/web/admin/rules", post(admin::add_rule))
        .route("/web/admin/rules/{id}", post(admin::update_rule))
        .route("/web/admin/rules/{id}/delete", post(admin::delete_rule))
        .route("/web/events", get(events::stream))
        .route("/web/static/{file}", get(assets::file))
}

/// Who is asking, and what every page needs to know about the request.
pub struct Web {
    pub session: Option<WebSession>,
    pub csrf: String,
    new_csrf: bool,
    flash: Option<String>,
    secure: bool,
    pub user_agent: String,
    /// Path and query of this request, for "come back here" links.
    pub path: String,
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// The session a request's cookie names, if any (the OAuth consent page uses it too).
pub async fn session_of(state: &AppState, headers: &HeaderMap) -> Option<WebSession> {
    let secret = cookie(headers, SESSION_COOKIE).filter(|s| !s.is_empty())?;
    match crate::service::web::session(state, &secret).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "could not read a web session");
            None
        }
    }
}

impl FromRequestParts<AppState> for Web {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let session = session_of(state, &parts.headers).await;
        let (csrf, new_csrf) = match cookie(&parts.headers, CSRF_COOKIE).filter(|c| {
            c.len() >= 20
                && c.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        }) {
            Some(c) => (c, false),
            None => (crate::service::oauth::random_secret(), true),
        };
        let flash = cookie(&parts.headers, FLASH_COOKIE)
            .filter(|f| !f.is_empty())
            .map(|f| {
                url::form_urlencoded::parse(format!("m={f}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            });
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Ok(Web {
            session,
            csrf,
            new_csrf,
            flash,
            secure: state.config.scheme == Scheme::Https,
            user_agent,
            path,
        })
    }
}

impl Web {
    /// The signed-in person, or a redirect to the login page that comes back here.
    pub fn user(&self) -> Result<&WebSession, WebError> {
        self.session
            .as_ref()
            .ok_or_else(|| WebError::Login(self.path.clone()))
    }

    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Renders a page with what every page shows (navigation, unread counts,
    /// the CSRF token, a flash message) merged into `ctx`.
    pub async fn page(
        &self,
        state: &AppState,
        name: &str,
        ctx: Value,
    ) -> Result<Response, WebError> {
        let me = self
            .session
            .as_ref()
            .map(|s| view::account(state, &s.account));
        let unread = match &self.session {
            Some(s) => crate::service::web::unread(state, &s.account).await?,
            None => Default::default(),
        };
        let settings = crate::service::instance::settings(state).await?;
        let base = minijinja::context! {
            me => Serde(me),
            is_admin => self.session.as_ref().is_some_and(WebSession::is_admin),
            unread => Serde(unread),
            csrf => self.csrf.clone(),
            flash => self.flash.clone(),
            path => self.path.clone(),
            instance => settings.name.clone(),
            max_chars => settings.max_status_chars,
        };
        let html = view::render(name, minijinja::context! { ..ctx, ..base })?;
        let mut resp = html_response(StatusCode::OK, html);
        self.finish(&mut resp);
        Ok(resp)
    }

    /// Sets the CSRF cookie when it was new and clears a flash once shown.
    pub fn finish(&self, resp: &mut Response) {
        let secure = if self.secure { "; Secure" } else { "" };
        if self.new_csrf {
            add_cookie(
                resp,
                &format!(
                    "{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
                    self.csrf
                ),
            );
        }
        if self.flash.is_some() {
            add_cookie(
                resp,
                &format!("{FLASH_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"),
            );
        }
    }

    /// A redirect after a form, optionally with a message for the next page.
    pub fn redirect(&self, to: &str, flash: Option<&str>) -> Response {
        let mut resp = Redirect::to(to).into_response();
        if let Some(msg) = flash {
            let secure = if self.secure { "; Secure" } else { "" };
            let enc: String = url::form_urlencoded::byte_serialize(msg.as_bytes()).collect();
            add_cookie(
                &mut resp,
                &format!(
                    "{FLASH_COOKIE}={enc}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax{secure}"
                ),
            );
        }
        resp
    }

    /// Back to `back` after an action: a 4xx error becomes a message there.
    pub fn after(&self, back: &str, result: Result<(), AppError>) -> Result<Response, WebError> {
        match result {
            Ok(()) => Ok(self.redirect(back, None)),
            Err(e) if e.status().is_client_error() && e.status() != StatusCode::NOT_FOUND => {
                Ok(self.redirect(back, Some(&e.to_string())))
            }
            Err(e) => Err(e.into()),
        }
    }
}

pub fn add_cookie(resp: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// An HTML response with the headers every page carries.
pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut resp = (status, html).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' https: http: data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept, Cookie"));
    resp
}

/// A local path to come back to: anything else (another site, `//host`) is `/`.
pub fn safe_back(back: Option<&str>) -> String {
    match back {
        Some(b) if b.starts_with('/') && !b.starts_with("//") && !b.starts_with("/\\") => {
            b.to_string()
        }
        _ => "/".into(),
    }
}

/// What a page handler fails with.
#[derive(Debug)]
pub enum WebError {
    /// Not signed in: to the login page, then back to this path.
    Login(String),
    /// An error page.
    App(AppError),
    /// A form without the right CSRF token.
    Csrf,
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError::App(e)
    }
}

impl From<minijinja::Error> for WebError {
    fn from(e: minijinja::Error) -> Self {
        WebError::App(AppError::internal(format!("template: {e:#}")))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            WebError::Login(back) => {
                let enc: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
                return Redirect::to(&format!("/login?back={enc}")).into_response();
            }
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                strings::t("forbidden_form").to_string(),
            ),
            WebError::App(e) => {
                let status = e.status();
                if status.is_server_error() {
                    tracing::error!(error = %e, "web page failed");
                    (status, strings::t("error").to_string())
                } else if status == StatusCode::NOT_FOUND {
                    (status, strings::t("not_found_body").to_string())
                } else {
                    (status, e.to_string())
                }
            }
        };
        let title = if status == StatusCode::NOT_FOUND {
            strings::t("not_found")
        } else {
            strings::t("error")
        };
        let ctx =
            minijinja::context! { title, message => message.clone(), status => status.as_u16() };
        match view::render("error.html", ctx) {
            Ok(html) => html_response(status, html),
            Err(e) => {
                tracing::error!(error = %e, "the error page failed");
                (status, message).into_response()
            }
        }
    }
}

/// A form body whose `csrf` field must equal the CSRF cookie.
pub struct Form<T>(pub T);

fn csrf_matches(headers: &HeaderMap, given: Option<&str>) -> bool {
    match (cookie(headers, CSRF_COOKIE), given) {
        (Some(c), Some(g)) => {
            !c.is_empty()
                && c.len() == g.len()
                && c.bytes().zip(g.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
        }
        _ => false,
    }
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Form<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, WebError> {
        let headers = req.headers().clone();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| WebError::App(AppError::BadRequest(e.body_text())))?;
        let token = url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned());
        if !csrf_matches(&headers, token.as_deref()) {
            return Err(WebError::Csrf);
        }
        let v = serde_urlencoded_from(&bytes)?;
        Ok(Form(v))
    }
}

fn serde_urlencoded_from<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(bytes).into_owned().collect();
    // Round-trip through JSON: every field is a string, repeated keys keep the last.
    let map: serde_json::Map<String, serde_json::Value> = pairs
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| WebError::App(AppError::validation(e.to_string())))
}

/// A multipart form (the profile editor, with its pictures): its text fields
/// and its files, after the CSRF check.
pub struct Multipart {
    pub fields: std::collections::HashMap<String, String>,
    /// `(field name, file name, content type, bytes)` of each non-empty file.
    pub files: Vec<(String, String, String, axum::body::Bytes)>,
}

impl FromRequest<AppState> for Multipart {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, WebError> {
        let headers = req.headers().clone();
        let bad = |e: String| WebError::App(AppError::BadRequest(e));
        let is_multipart = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
        if !is_multipart {
            // The same form posted without files (a script, an old page).
            let bytes = axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|e| bad(e.body_text()))?;
            let fields: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(&bytes).into_owned().collect();
            if !csrf_matches(&headers, fields.get("csrf").map(String::as_str)) {
                return Err(WebError::Csrf);
            }
            return Ok(Multipart {
                fields,
                files: Vec::new(),
            });
        }
        let mut mp = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|e| bad(e.body_text()))?;
        let mut fields = std::collections::HashMap::new();
        let mut files = Vec::new();
        while let Some(field) = mp.next_field().await.map_err(|e| bad(e.body_text()))? {
            let name = field.name().unwrap_or("").to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let ct = field.content_type().unwrap_or("").to_string();
                    let data = field.bytes().await.map_err(|e| bad(e.body_text()))?;
                    if !data.is_empty() {
                        files.push((name, file_name, ct, data));
                    }
                }
                None => {
                    let text = field.text().await.map_err(|e| bad(e.body_text()))?;
                    fields.insert(name, text);
                }
            }
        }
        if !csrf_matches(&headers, fields.get("csrf").map(String::as_str)) {
            return Err(WebError::Csrf);
        }
        Ok(Multipart { fields, files })
    }
}

/// `Value` from anything serialisable.
pub fn v<T: serde::Serialize>(x: T) -> Value {
    Value::from(Serde(x))
}

/// Does the request want JSON (the in-page script) rather than a redirect?
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json"))
}
