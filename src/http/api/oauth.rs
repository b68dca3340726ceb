//! OAuth 2 endpoints: app registration, the consent page, tokens, revocation.
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::{Auth, Body, json};
use crate::error::{AppError, AppResult};
use crate::service::oauth::{self as svc, AuthorizationRequest, OOB};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/apps", post(create_app))
        .route("/api/v1/apps/verify_credentials", get(verify_app))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .route("/oauth/userinfo", get(userinfo).post(userinfo))
        .route(
            "/oauth/authorize",
            get(authorize_page).post(authorize_submit),
        )
}

#[derive(Deserialize)]
struct AppForm {
    client_name: Option<String>,
    redirect_uris: Option<StringOrList>,
    scopes: Option<String>,
    website: Option<String>,
}

/// Mastodon accepts `redirect_uris` as one string (newline-separated) or a list.
#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrList {
    One(String),
    Many(Vec<String>),
}

impl StringOrList {
    fn joined(&self) -> String {
        match self {
            StringOrList::One(s) => s.clone(),
            StringOrList::Many(v) => v.join("\n"),
        }
    }
}

fn app_json(app: &entity::oauth_applications::Model, vapid_key: &str) -> serde_json::Value {
    let uris: Vec<&str> = app.redirect_uris.lines().collect();
    json!({
        "id": app.id.to_string(),
        "name": app.name,
        "website": app.website,
        "scopes": app.scopes.split(' ').collect::<Vec<_>>(),
        "redirect_uri": uris.join("\n"),
        "redirect_uris": uris,
        "vapid_key": vapid_key,
    })
}

async fn create_app(State(state): State<AppState>, Body(f): Body<AppForm>) -> AppResult<Response> {
    let name = f.client_name.ok_or_else(|| {
        AppError::validation("Validation failed: Application name can't be blank")
    })?;
    let uris = f.redirect_uris.map(|u| u.joined()).unwrap_or_default();
    let created = svc::create_app(
        &state,
        &name,
        &uris,
        f.scopes.as_deref().unwrap_or("read"),
        f.website.as_deref(),
    )
    .await?;
    let mut v = app_json(&created.app, &crate::service::push::server_key(&state)?);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("client_id".into(), json!(created.app.client_id));
        obj.insert("client_secret".into(), json!(created.client_secret));
        obj.insert("client_secret_expires_at".into(), json!(0));
    }
    Ok(json(v))
}

async fn verify_app(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let a = auth
        .0
        .as_ref()
        .ok_or_else(|| AppError::Unauthorized("The access token is invalid".into()))?;
    Ok(json(app_json(
        &a.app,
        &crate::service::push::server_key(&state)?,
    )))
}

#[derive(Deserialize, Default)]
struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    code: Option<String>,
    code_verifier: Option<String>,
    username: Option<String>,
    password: Option<String>,
    scope: Option<String>,
    token: Option<String>,
}

/// RFC 6749 error bodies: `{"error": "invalid_grant", "error_description": "..."}`.
fn oauth_error(e: AppError) -> Response {
    let status = e.status();
    let text = e.to_string();
    let (code, desc) = match text.split_once(": ") {
        Some((c, d)) if !c.contains(' ') => (c.to_string(), d.to_string()),
        _ => (
            if status == StatusCode::UNAUTHORIZED {
                "invalid_client".into()
            } else {
                "invalid_request".into()
            },
            text,
        ),
    };
    (
        status,
        axum::Json(json!({ "error": code, "error_description": desc })),
    )
        .into_response()
}

/// Client credentials from the body or from HTTP Basic authentication.
fn client_credentials(headers: &HeaderMap, f: &TokenForm) -> Option<(String, String)> {
    if let (Some(id), Some(secret)) = (&f.client_id, &f.client_secret) {
        return Some((id.clone(), secret.clone()));
    }
    let basic = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()?;
    let (id, secret) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(f): Body<TokenForm>,
) -> Response {
    match issue_token(&state, &headers, &f).await {
        Ok(v) => json(v),
        Err(e) => oauth_error(e),
    }
}

async fn issue_token(
    state: &AppState,
    headers: &HeaderMap,
    f: &TokenForm,
) -> AppResult<serde_json::Value> {
    let (id, secret) = client_credentials(headers, f).ok_or_else(|| {
        AppError::Unauthorized("invalid_client: Client authentication failed".into())
    })?;
    let app = svc::check_client(state, &id, &secret).await?;
    let issued = match f.grant_type.as_deref() {
        Some("password") => {
            let (Some(u), Some(p)) = (&f.username, &f.password) else {
                return Err(AppError::BadRequest(
                    "invalid_request: username and password are required".into(),
                ));
            };
            svc::password_grant(state, &app, u, p, f.scope.as_deref()).await?
        }
        Some("client_credentials") => {
            svc::client_credentials_grant(state, &app, f.scope.as_deref()).await?
        }
        Some("authorization_code") => {
            let code = f
                .code
                .as_deref()
                .ok_or_else(|| AppError::BadRequest("invalid_request: code is required".into()))?;
            let redirect = f.redirect_uri.as_deref().unwrap_or(OOB);
            svc::code_grant(state, &app, code, redirect, f.code_verifier.as_deref()).await?
        }
        other => {
            return Err(AppError::BadRequest(format!(
                "unsupported_grant_type: {}",
                other.unwrap_or("none")
            )));
        }
    };
    Ok(json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "scope": issued.token.scopes,
        "created_at": issued.token.created_at.timestamp(),
    }))
}

/// OpenID Connect's UserInfo, for apps that sign people in with Kith (the
/// `profile` scope, or any that reads accounts).
async fn userinfo(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let me = auth.user("profile")?;
    let a = super::entities::account(&state, me);
    Ok(json(serde_json::json!({
        "iss": format!("{}/", state.base_url()),
        "sub": me.uri,
        "name": if me.display_name.is_empty() { &me.username } else { &me.display_name },
        "preferred_username": me.username,
        "profile": a.get("url"),
        "picture": a.get("avatar"),
    })))
}

async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(f): Body<TokenForm>,
) -> Response {
    let result = async {
        let (id, secret) = client_credentials(&headers, &f).ok_or_else(|| {
            AppError::Unauthorized("invalid_client: Client authentication failed".into())
        })?;
        let app = svc::check_client(&state, &id, &secret).await?;
        let token = f
            .token
            .as_deref()
            .ok_or_else(|| AppError::BadRequest("invalid_request: token is required".into()))?;
        svc::revoke(&state, &app, token).await
    }
    .await;
    match result {
        Ok(()) => json(json!({})),
        Err(e) => oauth_error(e),
    }
}

#[derive(Deserialize, Default, Clone)]
struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    // The form's own fields.
    login: Option<String>,
    password: Option<String>,
    csrf: Option<String>,
    decision: Option<String>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const CSRF_COOKIE: &str = "kith_oauth_csrf";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1d2433}}\
label{{display:block;margin:.75rem 0 .25rem}}input{{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}}\
button{{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;margin-right:.5rem}}button:focus,input:focus{{outline:3px solid #3563e9}}\
.error{{color:#a1001c}}code{{font-size:1.2rem;word-break:break-all}}</style></head><body>{}</body></html>",
        esc(title),
        body
    )
}

async fn authorize_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<AuthorizeParams>,
) -> Response {
    let signed_in = crate::web::session_of(&state, &headers).await;
    render_authorize(&state, &p, None, signed_in.as_ref().map(|s| &s.account)).await
}

/// The consent page. Someone signed in to the web site (`signed_in`) is not
/// asked for their password again.
async fn render_authorize(
    state: &AppState,
    p: &AuthorizeParams,
    error: Option<&str>,
    signed_in: Option<&entity::accounts::Model>,
) -> Response {
    let app = match p.client_id.as_deref() {
        Some(id) => svc::app_by_client_id(state, id).await,
        None => Err(AppError::BadRequest(
            "invalid_request: client_id is required".into(),
        )),
    };
    let instance_name = match crate::service::instance::settings(state).await {
        Ok(s) => s.name.clone(),
        Err(_) => state.config.instance_name.clone(),
    };
    let app = match app {
        Ok(a) => a,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Html(page(
                    "Authorization failed",
                    &format!(
                        "<h1>Authorization failed</h1><p class=\"error\">{}</p>",
                        esc(&e.to_string())
                    ),
                )),
            )
                .into_response();
        }
    };
    if p.response_type.as_deref().unwrap_or("code") != "code" {
        return (StatusCode::BAD_REQUEST, Html(page("Authorization failed", "<h1>Authorization failed</h1><p class=\"error\">Only response_type=code is supported.</p>"))).into_response();
    }
    let redirect = p
        .redirect_uri
        .clone()
        .unwrap_or_else(|| app.redirect_uris.lines().next().unwrap_or(OOB).to_string());
    let req = AuthorizationRequest {
        app: &app,
        redirect_uri: &redirect,
        scope: p.scope.as_deref(),
        code_challenge: p.code_challenge.as_deref(),
        code_challenge_method: p.code_challenge_method.as_deref(),
    };
    let scopes = match svc::check_authorization(&req) {
        Ok(s) => s,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Html(page(
                    "Authorization failed",
                    &format!(
                        "<h1>Authorization failed</h1><p class=\"error\">{}</p>",
                        esc(&e.to_string())
                    ),
                )),
            )
                .into_response();
        }
    };
    let csrf = {
        use rand::RngCore;
        let mut b = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut b);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    };
    let hidden = |name: &str, v: &Option<String>| {
        v.as_ref()
            .map(|v| {
                format!(
                    "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                    esc(v)
                )
            })
            .unwrap_or_default()
    };
    let scope_list: String = scopes
        .as_string()
        .split(' ')
        .map(|s| format!("<li>{}</li>", esc(s)))
        .collect();
    let body = format!(
        "<h1>Authorise {app}</h1><p><strong>{app}</strong> wants to use your account on {instance} with these permissions:</p><ul>{scope_list}</ul>\
{err}<form method=\"post\" action=\"/oauth/authorize\">\
<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">{h1}{h2}{h3}{h4}{h5}{h6}{h7}\
{credentials}<button type=\"submit\" name=\"decision\" value=\"approve\">Authorise</button><button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Deny</button></form>",
        app = esc(&app.name),
        instance = esc(&instance_name),
        credentials = match signed_in {
            Some(a) => format!("<p>Signed in as <strong>@{}</strong>.</p>", esc(&a.username)),
            None => "<label for=\"login\">E-mail address or username</label><input id=\"login\" name=\"login\" autocomplete=\"username\" required>\
<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>".to_string(),
        },
        err = error
            .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(e)))
            .unwrap_or_default(),
        h1 = hidden("response_type", &Some("code".into())),
        h2 = hidden("client_id", &p.client_id),
        h3 = hidden("redirect_uri", &Some(redirect.clone())),
        h4 = hidden("scope", &Some(scopes.as_string())),
        h5 = hidden("state", &p.state),
        h6 = hidden("code_challenge", &p.code_challenge),
        h7 = hidden("code_challenge_method", &p.code_challenge_method),
    );
    let secure = if state.config.scheme == crate::config::Scheme::Https {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{CSRF_COOKIE}={csrf}; Path=/oauth; HttpOnly; SameSite=Lax{secure}");
    (
        [(header::SET_COOKIE, cookie)],
        Html(page(&format!("Authorise {}", app.name), &body)),
    )
        .into_response()
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

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => uri.to_string(),
    }
}

async fn authorize_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Form(p): axum::Form<AuthorizeParams>,
) -> Response {
    // Double-submit CSRF check: the form's token must match the cookie set with it.
    let csrf_ok = match (cookie(&headers, CSRF_COOKIE), &p.csrf) {
        (Some(c), Some(f)) => !c.is_empty() && c == *f,
        _ => false,
    };
    if !csrf_ok {
        return (StatusCode::FORBIDDEN, Html(page("Authorization failed", "<h1>Authorization failed</h1><p class=\"error\">The form expired or did not come from this site. Go back and try again.</p>"))).into_response();
    }
    let Some(client_id) = p.client_id.as_deref() else {
        return render_authorize(&state, &p, None, None).await;
    };
    let Ok(app) = svc::app_by_client_id(&state, client_id).await else {
        return render_authorize(&state, &p, None, None).await;
    };
    let redirect = p.redirect_uri.clone().unwrap_or_else(|| OOB.to_string());
    let req = AuthorizationRequest {
        app: &app,
        redirect_uri: &redirect,
        scope: p.scope.as_deref(),
        code_challenge: p.code_challenge.as_deref(),
        code_challenge_method: p.code_challenge_method.as_deref(),
    };
    if svc::check_authorization(&req).is_err() {
        return render_authorize(&state, &p, None, None).await;
    }
    let st = p.state.clone().unwrap_or_default();
    if p.decision.as_deref() == Some("deny") {
        if redirect == OOB {
            return Html(page(
                "Authorization denied",
                "<h1>Authorization denied</h1><p>You can close this page.</p>",
            ))
            .into_response();
        }
        let mut pairs = vec![
            ("error", "access_denied"),
            ("error_description", "The resource owner denied the request"),
        ];
        if !st.is_empty() {
            pairs.push(("state", &st));
        }
        return Redirect::to(&with_query(&redirect, &pairs)).into_response();
    }
    let signed_in = crate::web::session_of(&state, &headers).await;
    let account = match (&signed_in, p.password.as_deref()) {
        (Some(s), None) => s.account.clone(),
        _ => match crate::service::accounts::authenticate(
            &state,
            p.login.as_deref().unwrap_or(""),
            p.password.as_deref().unwrap_or(""),
        )
        .await
        {
            Ok((a, _)) => a,
            Err(e) => {
                return render_authorize(&state, &p, Some(&e.to_string()), None).await;
            }
        },
    };
    match svc::create_code(&state, &req, &account).await {
        Ok(code) if redirect == OOB => Html(page("Authorization code", &format!("<h1>Authorization code</h1><p>Copy this code and paste it into the application:</p><p><code>{}</code></p>", esc(&code)))).into_response(),
        Ok(code) => {
            let mut pairs = vec![("code", code.as_str())];
            if !st.is_empty() {
                pairs.push(("state", &st));
            }
            Redirect::to(&with_query(&redirect, &pairs)).into_response()
        }
        Err(e) => render_authorize(&state, &p, Some(&e.to_string()), None).await,
    }
}
