//! Admin pages (admins only): open reports, users (approve, suspend, roles),
//! invitations, and the instance's settings and rules.
use axum::extract::{Path, State};
use axum::response::Response;
use entity::Role;
use minijinja::context;
use serde::Deserialize;

use super::{Form, Web, WebError, strings, v, view};
use crate::config::RegistrationMode;
use crate::error::AppError;
use crate::service;
use crate::service::web::WebSession;
use crate::state::AppState;

fn admin(web: &Web) -> Result<&WebSession, WebError> {
    let s = web.user()?;
    if !s.is_admin() {
        return Err(AppError::Forbidden("Only admins may see this page".into()).into());
    }
    Ok(s)
}

pub async fn page(State(state): State<AppState>, web: Web) -> Result<Response, WebError> {
    admin(&web)?;
    let users: Vec<serde_json::Value> = service::web::users(&state)
        .await?
        .into_iter()
        .map(|(a, u)| {
            serde_json::json!({
                "account": view::account(&state, &a),
                "email": u.email,
                "role": u.role.as_str(),
                "approved": u.approved,
                "suspended": a.suspended_at.is_some(),
            })
        })
        .collect();
    let base = state.base_url();
    let invites: Vec<serde_json::Value> = service::web::invites(&state)
        .await?
        .into_iter()
        .map(|i| {
            serde_json::json!({
                "id": i.id.to_string(),
                "url": format!("{base}/signup?invite={}", i.code),
                "uses": i.uses,
                "max_uses": i.max_uses,
                "expires_at": i.expires_at.map(crate::http::api::entities::time),
            })
        })
        .collect();
    let settings = service::instance::settings(&state).await?;
    let modes: Vec<serde_json::Value> = RegistrationMode::ALL
        .iter()
        .map(|m| {
            serde_json::json!({
                "value": m.as_str(),
                "label": strings::t(match m {
                    RegistrationMode::Open => "registrations_choice_open",
                    RegistrationMode::Approval => "registrations_choice_approval",
                    RegistrationMode::Invite => "registrations_choice_invite",
                    RegistrationMode::Closed => "registrations_choice_closed",
                }),
                "selected": *m == settings.registrations,
            })
        })
        .collect();
    let rules: Vec<serde_json::Value> = settings
        .rules
        .iter()
        .map(|r| serde_json::json!({ "id": r.id.to_string(), "text": r.text, "hint": r.hint }))
        .collect();
    let reports: Vec<serde_json::Value> = service::reports::open(&state)
        .await?
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "id": r.report.id.to_string(),
                "reporter": r.reporter.as_ref().map(|a| view::account(&state, a)),
                "target": view::account(&state, &r.target),
                "category": r.report.category,
                "comment": r.report.comment,
                "statuses": r.status_ids.iter().map(|id| format!("/@{}/{id}", r.target.acct())).collect::<Vec<_>>(),
                "forwarded": r.report.forwarded,
                "created_at": crate::http::api::entities::time(r.report.created_at),
            })
        })
        .collect();
    web.page(
        &state,
        "admin.html",
        context! {
            reports => v(reports),
            users => v(users),
            invites => v(invites),
            modes => v(modes),
            rules => v(rules),
            description => settings.description.clone(),
            contact_email => settings.contact_email.clone(),
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn user_action(
    State(state): State<AppState>,
    web: Web,
    Path((id, action)): Path<(String, String)>,
    Form(_): Form<Empty>,
) -> Result<Response, WebError> {
    let me = admin(&web)?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let target = service::account_by_id(&state, id).await?;
    if target.id == me.account.id && action != "approve" {
        return Ok(web.redirect("/admin", Some("You cannot change your own account here")));
    }
    let result = match action.as_str() {
        "approve" => service::web::approve(&state, id).await,
        "suspend" => service::accounts::set_suspended(&state, &target.username, true)
            .await
            .map(|_| ()),
        "unsuspend" => service::accounts::set_suspended(&state, &target.username, false)
            .await
            .map(|_| ()),
        "admin" => service::web::set_role(&state, id, Role::Admin).await,
        "moderator" => service::web::set_role(&state, id, Role::Moderator).await,
        "user" => service::web::set_role(&state, id, Role::User).await,
        _ => return Err(AppError::not_found().into()),
    };
    web.after("/admin", result)
}

#[derive(Deserialize)]
pub struct InviteForm {
    max_uses: Option<String>,
    expires_days: Option<String>,
}

pub async fn create_invite(
    State(state): State<AppState>,
    web: Web,
    Form(f): Form<InviteForm>,
) -> Result<Response, WebError> {
    let me = admin(&web)?;
    let num = |s: &Option<String>| -> Result<Option<i64>, AppError> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(x) => x
                .parse()
                .map(Some)
                .map_err(|_| AppError::validation(format!("{x} is not a number"))),
        }
    };
    let result = async {
        let max = num(&f.max_uses)?.map(|m| m.clamp(0, 100_000) as i32);
        let days = num(&f.expires_days)?;
        service::web::create_invite(&state, &me.account, max, days)
            .await
            .map(|_| ())
    }
    .await;
    web.after("/admin", result)
}

pub async fn delete_invite(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> Result<Response, WebError> {
    admin(&web)?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    service::web::delete_invite(&state, id).await?;
    Ok(web.redirect("/admin", None))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    contact_email: String,
    registrations: String,
    max_status_chars: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    web: Web,
    Form(f): Form<SettingsForm>,
) -> Result<Response, WebError> {
    admin(&web)?;
    let result = service::instance::update_settings(
        &state,
        service::instance::SettingsUpdate {
            name: f.name,
            description: f.description,
            contact_email: f.contact_email,
            registrations: f.registrations,
            max_status_chars: f.max_status_chars,
        },
    )
    .await;
    match result {
        Ok(()) => Ok(web.redirect("/admin#inst-h", Some(strings::t("settings_saved")))),
        Err(e) => web.after("/admin#inst-h", Err(e)),
    }
}

#[derive(Deserialize)]
pub struct RuleForm {
    text: String,
    #[serde(default)]
    hint: String,
}

pub async fn add_rule(
    State(state): State<AppState>,
    web: Web,
    Form(f): Form<RuleForm>,
) -> Result<Response, WebError> {
    admin(&web)?;
    let result = service::instance::add_rule(&state, &f.text, &f.hint)
        .await
        .map(|_| ());
    web.after("/admin#rules-h", result)
}

pub async fn update_rule(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(f): Form<RuleForm>,
) -> Result<Response, WebError> {
    admin(&web)?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let result = service::instance::update_rule(&state, id, &f.text, &f.hint).await;
    web.after("/admin#rules-h", result)
}

pub async fn delete_rule(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> Result<Response, WebError> {
    admin(&web)?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    service::instance::delete_rule(&state, id).await?;
    Ok(web.redirect("/admin#rules-h", None))
}

pub async fn resolve_report(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> Result<Response, WebError> {
    let me = admin(&web)?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    service::reports::resolve(&state, &me.account, id).await?;
    Ok(web.redirect("/admin#reports-h", None))
}
