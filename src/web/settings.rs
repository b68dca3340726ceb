//! Settings: the profile editor, the password, sessions and authorised apps.
use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::{Form, Multipart, Web, WebError, v, view};
use crate::error::AppError;
use crate::service;
use crate::state::AppState;

pub async fn profile_page(State(state): State<AppState>, web: Web) -> Result<Response, WebError> {
    let s = web.user()?;
    let a = &s.account;
    let mut fields: Vec<(String, String)> = a
        .fields
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    let g = |k: &str| f.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                    (g("name"), service::text::strip_html(&g("value")))
                })
                .collect()
        })
        .unwrap_or_default();
    fields.resize(
        service::accounts::MAX_FIELDS,
        (String::new(), String::new()),
    );
    web.page(
        &state,
        "settings_profile.html",
        context! {
            account => v(view::account(&state, a)),
            display_name => a.display_name.clone(),
            bio => a.note_source.clone().unwrap_or_default(),
            fields => v(fields),
            locked => a.locked,
        },
    )
    .await
}

/// The profile form is multipart because it carries the pictures: the text
/// fields and any new avatar or header go through one profile update.
pub async fn save_profile(
    State(state): State<AppState>,
    web: Web,
    form: Multipart,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let f = &form.fields;
    let get = |k: &str| f.get(k).cloned();
    let fields: Vec<(String, String)> = (0..service::accounts::MAX_FIELDS)
        .map(|i| {
            (
                get(&format!("field_name_{i}")).unwrap_or_default(),
                get(&format!("field_value_{i}")).unwrap_or_default(),
            )
        })
        .collect();
    let update = service::accounts::ProfileUpdate {
        display_name: get("display_name"),
        note: get("bio"),
        locked: Some(get("locked").is_some_and(|v| v == "on" || v == "true" || v == "1")),
        bot: None,
        discoverable: None,
        fields: Some(fields),
        avatar: picture(&form, "avatar"),
        header: picture(&form, "header"),
    };
    let result = service::accounts::update_profile(&state, &s.account, update).await;
    match result {
        Ok(_) => Ok(web.redirect("/settings/profile", Some(super::strings::t("saved")))),
        Err(e) if e.status().is_client_error() => {
            Ok(web.redirect("/settings/profile", Some(&e.to_string())))
        }
        Err(e) => Err(e.into()),
    }
}

fn picture(form: &Multipart, field: &str) -> Option<service::media::Upload> {
    form.files
        .iter()
        .find(|(name, ..)| name == field)
        .map(|(_, file_name, ct, bytes)| service::media::Upload {
            bytes: bytes.clone(),
            content_type: Some(ct.clone()).filter(|c| !c.is_empty()),
            file_name: Some(file_name.clone()),
        })
}

pub async fn account_page(State(state): State<AppState>, web: Web) -> Result<Response, WebError> {
    let s = web.user()?;
    let sessions: Vec<serde_json::Value> = service::web::sessions(&state, &s.account)
        .await?
        .into_iter()
        .map(|x| {
            serde_json::json!({
                "id": x.id.to_string(),
                "user_agent": x.user_agent,
                "current": x.id == s.session.id,
                "created_at": crate::http::api::entities::time(x.created_at),
                "last_seen_at": crate::http::api::entities::time(x.last_seen_at),
            })
        })
        .collect();
    let apps: Vec<serde_json::Value> = service::web::authorised_apps(&state, &s.account)
        .await?
        .into_iter()
        .map(|(t, name)| {
            serde_json::json!({
                "id": t.id.to_string(),
                "name": name,
                "scopes": t.scopes,
                "created_at": crate::http::api::entities::time(t.created_at),
            })
        })
        .collect();
    web.page(
        &state,
        "settings_account.html",
        context! { sessions => v(sessions), apps => v(apps), email => s.user.email.clone() },
    )
    .await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: Option<String>,
    new_password: Option<String>,
}

pub async fn change_password(
    State(state): State<AppState>,
    web: Web,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let result = service::accounts::change_password(
        &state,
        &s.account,
        f.current_password.as_deref().unwrap_or(""),
        f.new_password.as_deref().unwrap_or(""),
    )
    .await;
    match result {
        Ok(()) => {
            service::web::end_other_sessions(&state, s).await?;
            Ok(web.redirect(
                "/settings/account",
                Some(super::strings::t("password_changed")),
            ))
        }
        Err(e) if e.status().is_client_error() => {
            Ok(web.redirect("/settings/account", Some(&e.to_string())))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn revoke_session(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    service::web::end_session(&state, &s.account, id).await?;
    let to = if id == s.session.id {
        "/"
    } else {
        "/settings/account"
    };
    Ok(web.redirect(to, None))
}

pub async fn revoke_app(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    service::web::revoke_app_token(&state, &s.account, id).await?;
    Ok(web.redirect("/settings/account", None))
}
