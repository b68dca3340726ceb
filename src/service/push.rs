//! Web Push subscriptions: stored per access token, as Mastodon does, with the
//! alerts and policy the app chose. Sending the pushes is not done yet: nothing
//! reads these rows besides the API.
use std::path::Path;

use entity::push_subscriptions;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use sea_orm::{IntoActiveModel, Set};
use serde_json::{Map, Value};

use super::oauth::TokenAuth;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The alert kinds a subscription has, all present in the entity.
pub const ALERTS: [&str; 10] = [
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
];

const POLICIES: [&str; 4] = ["all", "followed", "follower", "none"];

/// What an app sends: the subscription (on create) and its data.
#[derive(Clone, Debug, Default)]
pub struct PushInput {
    pub endpoint: Option<String>,
    pub p256dh: Option<String>,
    pub auth: Option<String>,
    pub standard: Option<bool>,
    /// Alert kinds switched on or off; others keep their value.
    pub alerts: Vec<(String, bool)>,
    pub policy: Option<String>,
}

/// Alerts with every kind present: `previous` updated with `changes`.
fn alerts(previous: Option<&Value>, changes: &[(String, bool)]) -> Value {
    let mut m = Map::new();
    for k in ALERTS {
        let old = previous
            .and_then(|p| p.get(k))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        m.insert(k.to_string(), Value::Bool(old));
    }
    for (k, v) in changes {
        if ALERTS.contains(&k.as_str()) {
            m.insert(k.clone(), Value::Bool(*v));
        }
    }
    Value::Object(m)
}

fn check_policy(p: &Option<String>) -> AppResult<()> {
    match p {
        Some(p) if !POLICIES.contains(&p.as_str()) => Err(AppError::validation(
            "Validation failed: Policy is not included in the list",
        )),
        _ => Ok(()),
    }
}

/// Creates (or replaces) the token's subscription.
pub async fn subscribe(
    state: &AppState,
    auth: &TokenAuth,
    input: PushInput,
) -> AppResult<push_subscriptions::Model> {
    let account = auth
        .account
        .as_ref()
        .ok_or_else(|| AppError::validation("This method requires an authenticated user"))?;
    let endpoint = input
        .endpoint
        .clone()
        .filter(|e| e.starts_with("https://") || e.starts_with("http://"))
        .ok_or_else(|| AppError::validation("Validation failed: Endpoint is not a URL"))?;
    let (Some(p256dh), Some(key_auth)) = (input.p256dh.clone(), input.auth.clone()) else {
        return Err(AppError::validation(
            "Validation failed: keys p256dh and auth are required",
        ));
    };
    if p256dh.is_empty() || key_auth.is_empty() || p256dh.len() > 200 || key_auth.len() > 200 {
        return Err(AppError::validation("Validation failed: keys are invalid"));
    }
    check_policy(&input.policy)?;
    let now = db::now();
    db::push::upsert(
        &state.db.write,
        push_subscriptions::ActiveModel {
            id: Set(state.ids.next()),
            token_id: Set(auth.token.id),
            account_id: Set(account.id),
            endpoint: Set(endpoint),
            key_p256dh: Set(p256dh),
            key_auth: Set(key_auth),
            alerts: Set(alerts(None, &input.alerts)),
            policy: Set(input.policy.clone().unwrap_or_else(|| "all".into())),
            standard: Set(input.standard.unwrap_or(false)),
            created_at: Set(now),
            updated_at: Set(now),
        },
    )
    .await?;
    get(state, auth).await
}

pub async fn get(state: &AppState, auth: &TokenAuth) -> AppResult<push_subscriptions::Model> {
    db::push::for_token(&state.db.write, auth.token.id)
        .await?
        .ok_or_else(|| AppError::NotFound("Record not found".into()))
}

/// Changes the alerts or policy of the token's subscription.
pub async fn update(
    state: &AppState,
    auth: &TokenAuth,
    input: PushInput,
) -> AppResult<push_subscriptions::Model> {
    check_policy(&input.policy)?;
    let sub = get(state, auth).await?;
    let next_alerts = alerts(Some(&sub.alerts), &input.alerts);
    let mut m = sub.into_active_model();
    m.alerts = Set(next_alerts);
    if let Some(p) = input.policy {
        m.policy = Set(p);
    }
    m.updated_at = Set(db::now());
    Ok(db::push::update(&state.db.write, m).await?)
}

pub async fn unsubscribe(state: &AppState, auth: &TokenAuth) -> AppResult<()> {
    db::push::delete_for_token(&state.db.write, auth.token.id).await?;
    Ok(())
}

/// The server's VAPID public key (base64url, uncompressed P-256 point), made
/// once and kept in the data directory, for apps to subscribe with; read from
/// disk once per process.
pub fn server_key(state: &AppState) -> AppResult<String> {
    use base64::Engine;
    if let Some(k) = state.vapid_public_key.get() {
        return Ok(k.clone());
    }
    let path = state.config.data_dir.join("vapid_key.pk8");
    let pkcs8 = load_or_create_key(&path)?;
    let pair = EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &pkcs8,
        &SystemRandom::new(),
    )
    .map_err(|e| AppError::internal(format!("bad VAPID key in {}: {e}", path.display())))?;
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
    Ok(state.vapid_public_key.get_or_init(|| key).clone())
}

fn load_or_create_key(path: &Path) -> AppResult<Vec<u8>> {
    if let Ok(bytes) = std::fs::read(path) {
        return Ok(bytes);
    }
    let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
        .map_err(|e| AppError::internal(format!("cannot make a VAPID key: {e}")))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(AppError::internal)?;
    }
    // Written beside, then renamed: two requests racing keep one key.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, doc.as_ref()).map_err(AppError::internal)?;
    if std::fs::hard_link(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
        return std::fs::read(path).map_err(AppError::internal);
    }
    let _ = std::fs::remove_file(&tmp);
    Ok(doc.as_ref().to_vec())
}
