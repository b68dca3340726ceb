//! Landing, sign-up, log-in and log-out.
use axum::extract::{Query, State};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::{Form, SESSION_COOKIE, Web, WebError, add_cookie, safe_back};
use crate::config::RegistrationMode;
use crate::service::web::SignUp;
use crate::state::AppState;

fn mode_key(m: RegistrationMode) -> &'static str {
    match m {
        RegistrationMode::Open => "registrations_open",
        RegistrationMode::Approval => "registrations_approval",
        RegistrationMode::Invite => "registrations_invite",
        RegistrationMode::Closed => "registrations_closed",
    }
}

/// The front page for someone not signed in.
pub async fn landing(state: &AppState, web: &Web) -> Result<Response, WebError> {
    let usage = crate::service::instance::usage(state).await?;
    let settings = crate::service::instance::settings(state).await?;
    let mode = settings.registrations;
    web.page(
        state,
        "landing.html",
        context! {
            mode_text => super::strings::t(mode_key(mode)),
            can_sign_up => matches!(mode, RegistrationMode::Open | RegistrationMode::Approval),
            description => settings.description.clone(),
            rules => super::v(&settings.rules),
            users => usage.users,
            posts => usage.local_posts,
        },
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct SignupQuery {
    invite: Option<String>,
}

pub async fn signup_page(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<SignupQuery>,
) -> Result<Response, WebError> {
    if web.session.is_some() {
        return Ok(web.redirect("/", None));
    }
    signup_form(&state, &web, q.invite.as_deref(), None, "", "").await
}

async fn signup_form(
    state: &AppState,
    web: &Web,
    invite: Option<&str>,
    error: Option<String>,
    username: &str,
    email: &str,
) -> Result<Response, WebError> {
    let mode = crate::service::instance::settings(state)
        .await?
        .registrations;
    let invite_ok = match invite.filter(|c| !c.is_empty()) {
        Some(c) => crate::service::web::valid_invite(state, c).await.is_ok(),
        None => false,
    };
    let open = invite_ok || matches!(mode, RegistrationMode::Open | RegistrationMode::Approval);
    web.page(
        state,
        "signup.html",
        context! {
            open,
            invite => invite.filter(|_| invite_ok),
            bad_invite => invite.is_some_and(|c| !c.is_empty()) && !invite_ok,
            mode_text => super::strings::t(mode_key(mode)),
            error,
            username,
            email,
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct SignupForm {
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
    invite: Option<String>,
}

pub async fn signup(
    State(state): State<AppState>,
    web: Web,
    Form(f): Form<SignupForm>,
) -> Result<Response, WebError> {
    let username = f.username.unwrap_or_default();
    let email = f.email.unwrap_or_default();
    let result = crate::service::web::sign_up(
        &state,
        username.trim(),
        &email,
        f.password.as_deref().unwrap_or(""),
        f.invite.as_deref(),
    )
    .await;
    match result {
        Ok(SignUp::Active(account)) => {
            let secret =
                crate::service::web::start_session(&state, &account, &web.user_agent).await?;
            let mut resp = web.redirect("/", None);
            add_cookie(&mut resp, &session_cookie(&web, &secret));
            Ok(resp)
        }
        Ok(SignUp::PendingApproval) => web.page(&state, "pending.html", context! {}).await,
        Err(e) if e.status().is_client_error() => {
            let mut resp = signup_form(
                &state,
                &web,
                f.invite.as_deref(),
                Some(e.to_string()),
                &username,
                &email,
            )
            .await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

pub fn session_cookie(web: &Web, secret: &str) -> String {
    let secure = if web.secure() { "; Secure" } else { "" };
    // A year: a person stays signed in on their own device until they log out.
    format!("{SESSION_COOKIE}={secret}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}")
}

#[derive(Deserialize, Default)]
pub struct BackQuery {
    back: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<BackQuery>,
) -> Result<Response, WebError> {
    if web.session.is_some() {
        return Ok(web.redirect(&safe_back(q.back.as_deref()), None));
    }
    web.page(
        &state,
        "login.html",
        context! { back => safe_back(q.back.as_deref()), error => None::<String>, login => "" },
    )
    .await
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: Option<String>,
    password: Option<String>,
    back: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    web: Web,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let login = f.login.unwrap_or_default();
    let back = safe_back(f.back.as_deref());
    match crate::service::accounts::authenticate(
        &state,
        &login,
        f.password.as_deref().unwrap_or(""),
    )
    .await
    {
        Ok((account, _)) => {
            let secret =
                crate::service::web::start_session(&state, &account, &web.user_agent).await?;
            let mut resp = web.redirect(&back, None);
            add_cookie(&mut resp, &session_cookie(&web, &secret));
            Ok(resp)
        }
        Err(e) if e.status().is_client_error() => {
            let mut resp = web
                .page(
                    &state,
                    "login.html",
                    context! { back, error => e.to_string(), login },
                )
                .await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    web: Web,
    Form(_): Form<Empty>,
) -> Result<Response, WebError> {
    if let Some(s) = &web.session {
        crate::service::web::end_session(&state, &s.account, s.session.id).await?;
    }
    let mut resp = web.redirect("/", None);
    let secure = if web.secure() { "; Secure" } else { "" };
    add_cookie(
        &mut resp,
        &format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"),
    );
    Ok(resp)
}
