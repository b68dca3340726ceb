//! What only the web site needs: browser sessions, invitations, unread counts,
//! the messages of a conversation and the admin's user actions.
use entity::{Role, accounts, invites, statuses, users, web_sessions};
use sea_orm::{Set, TransactionTrait};

use super::oauth::{hash, random_secret};
use crate::config::RegistrationMode;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A signed-in browser: its session row, account and login.
#[derive(Clone, Debug)]
pub struct WebSession {
    pub session: web_sessions::Model,
    pub account: accounts::Model,
    pub user: users::Model,
}

impl WebSession {
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }

    pub fn is_staff(&self) -> bool {
        matches!(self.user.role, Role::Admin | Role::Moderator)
    }
}

/// Starts a session for an account that has just proved who it is; returns the
/// cookie's secret (only its hash is stored).
pub async fn start_session(
    state: &AppState,
    account: &accounts::Model,
    user_agent: &str,
) -> AppResult<String> {
    let secret = random_secret();
    let now = db::now();
    let ua: String = user_agent.chars().take(200).collect();
    db::web::insert_session(
        &state.db.write,
        web_sessions::ActiveModel {
            id: Set(state.ids.next()),
            token_hash: Set(hash(&secret)),
            account_id: Set(account.id),
            user_agent: Set(ua),
            created_at: Set(now),
            last_seen_at: Set(now),
        },
    )
    .await?;
    Ok(secret)
}

/// The live session a cookie names, or `None` (unknown, or its account may no
/// longer log in).
pub async fn session(state: &AppState, secret: &str) -> AppResult<Option<WebSession>> {
    let Some(session) = db::web::session_by_hash(&state.db.read, &hash(secret)).await? else {
        return Ok(None);
    };
    let Some(account) = db::accounts::find(&state.db.read, session.account_id).await? else {
        return Ok(None);
    };
    let Some(user) = db::users::find_by_account(&state.db.read, account.id).await? else {
        return Ok(None);
    };
    if account.suspended_at.is_some() || !user.approved {
        return Ok(None);
    }
    // Seen-at is for the sessions list; a minute's precision is plenty.
    if db::now() - session.last_seen_at > chrono::Duration::minutes(1) {
        db::web::touch_session(&state.db.write, session.id).await?;
    }
    Ok(Some(WebSession {
        session,
        account,
        user,
    }))
}

pub async fn end_session(state: &AppState, account: &accounts::Model, id: i64) -> AppResult<()> {
    if db::web::delete_session(&state.db.write, account.id, id).await? == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}

pub async fn end_other_sessions(state: &AppState, s: &WebSession) -> AppResult<u64> {
    Ok(db::web::delete_other_sessions(&state.db.write, s.account.id, s.session.id).await?)
}

pub async fn sessions(
    state: &AppState,
    account: &accounts::Model,
) -> AppResult<Vec<web_sessions::Model>> {
    Ok(db::web::sessions_of(&state.db.read, account.id).await?)
}

/// The apps holding a live token for the account: `(token, app name)`.
pub async fn authorised_apps(
    state: &AppState,
    account: &accounts::Model,
) -> AppResult<Vec<(entity::oauth_tokens::Model, String)>> {
    let tokens = db::oauth::tokens_of(&state.db.read, account.id).await?;
    let mut out = Vec::with_capacity(tokens.len());
    for t in tokens {
        let name = db::oauth::app(&state.db.read, t.application_id)
            .await?
            .map(|a| a.name)
            .unwrap_or_default();
        out.push((t, name));
    }
    Ok(out)
}

/// Revokes one of the account's app tokens.
pub async fn revoke_app_token(
    state: &AppState,
    account: &accounts::Model,
    token_id: i64,
) -> AppResult<()> {
    let tokens = db::oauth::tokens_of(&state.db.read, account.id).await?;
    if !tokens.iter().any(|t| t.id == token_id) {
        return Err(AppError::not_found());
    }
    db::oauth::revoke_token(&state.db.write, token_id).await?;
    Ok(())
}

/// How a sign-up from the web went.
#[derive(Debug)]
pub enum SignUp {
    /// The account may log in now.
    Active(Box<accounts::Model>),
    /// An admin must approve it first.
    PendingApproval,
}

/// Registers from the sign-up form, as the registration mode allows. An invite
/// code admits a person even when registrations are otherwise closed to them.
pub async fn sign_up(
    state: &AppState,
    username: &str,
    email: &str,
    password: &str,
    invite: Option<&str>,
) -> AppResult<SignUp> {
    let invite = match invite.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Some(valid_invite(state, code).await?),
        None => None,
    };
    let approved = match (
        super::instance::settings(state).await?.registrations,
        &invite,
    ) {
        (_, Some(_)) | (RegistrationMode::Open, None) => true,
        (RegistrationMode::Approval, None) => false,
        (RegistrationMode::Invite, None) => {
            return Err(AppError::Forbidden(
                "This server admits new people by invitation only".into(),
            ));
        }
        (RegistrationMode::Closed, None) => {
            return Err(AppError::Forbidden(
                "Registrations are closed on this server".into(),
            ));
        }
    };
    let mut new = super::accounts::NewUser::new(username, email, password);
    new.approved = approved;
    let (account, _) = super::accounts::register(state, new).await?;
    if let Some(inv) = invite {
        let txn = state.db.write.begin().await?;
        db::web::use_invite(&txn, inv.id).await?;
        txn.commit().await?;
    }
    Ok(if approved {
        SignUp::Active(Box::new(account))
    } else {
        SignUp::PendingApproval
    })
}

/// An invite that can still be used, or a 422 saying why not.
pub async fn valid_invite(state: &AppState, code: &str) -> AppResult<invites::Model> {
    let bad = || AppError::validation("This invitation link is invalid or has expired");
    let inv = db::web::invite_by_code(&state.db.read, code)
        .await?
        .ok_or_else(bad)?;
    if inv.expires_at.is_some_and(|t| t < db::now()) || inv.max_uses.is_some_and(|m| inv.uses >= m)
    {
        return Err(bad());
    }
    Ok(inv)
}

pub async fn create_invite(
    state: &AppState,
    by: &accounts::Model,
    max_uses: Option<i32>,
    expires_in_days: Option<i64>,
) -> AppResult<invites::Model> {
    let code: String = random_secret().chars().take(12).collect();
    Ok(db::web::insert_invite(
        &state.db.write,
        invites::ActiveModel {
            id: Set(state.ids.next()),
            code: Set(code),
            account_id: Set(by.id),
            max_uses: Set(max_uses.filter(|m| *m > 0)),
            uses: Set(0),
            expires_at: Set(expires_in_days
                .filter(|d| *d > 0)
                .map(|d| db::now() + chrono::Duration::days(d.min(3650)))),
            created_at: Set(db::now()),
        },
    )
    .await?)
}

pub async fn invites(state: &AppState) -> AppResult<Vec<invites::Model>> {
    Ok(db::web::invites(&state.db.read).await?)
}

pub async fn delete_invite(state: &AppState, id: i64) -> AppResult<()> {
    if db::web::delete_invite(&state.db.write, id).await? == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// What the navigation bar shows: unread notifications and conversations.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Unread {
    pub notifications: u64,
    pub messages: u64,
}

pub async fn unread(state: &AppState, account: &accounts::Model) -> AppResult<Unread> {
    let markers = db::markers::for_account(&state.db.read, account.id).await?;
    let after = markers
        .iter()
        .find(|m| m.timeline == "notifications")
        .map(|m| m.last_read_id)
        .unwrap_or(0);
    Ok(Unread {
        notifications: db::web::unread_notifications(&state.db.read, account.id, after).await?,
        messages: db::web::unread_conversations(&state.db.read, account.id).await?,
    })
}

/// The messages of one of the viewer's conversations (by conversation id),
/// oldest first; marks it read. 404 when the viewer is not in it.
pub async fn conversation(
    state: &AppState,
    viewer: &accounts::Model,
    conversation_id: i64,
) -> AppResult<(
    entity::account_conversations::Model,
    Vec<accounts::Model>,
    Vec<statuses::Model>,
)> {
    let row = db::web::account_conversation(&state.db.read, viewer.id, conversation_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let ids: Vec<i64> = row
        .participant_account_ids
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
        .unwrap_or_default();
    let participants = db::accounts::find_many(&state.db.read, &ids).await?;
    let mut messages = Vec::new();
    for s in db::web::conversation_messages(&state.db.read, conversation_id, 100).await? {
        if super::visibility::can_view(&state.db.read, &s, Some(viewer)).await? {
            messages.push(s);
        }
    }
    if row.unread {
        db::conversations::mark_read(&state.db.write, viewer.id, row.id).await?;
    }
    Ok((row, participants, messages))
}

/// Local logins with their accounts, newest first (the admin's list).
pub async fn users(state: &AppState) -> AppResult<Vec<(accounts::Model, users::Model)>> {
    let users = db::web::users_page(&state.db.read, 200).await?;
    let ids: Vec<i64> = users.iter().map(|u| u.account_id).collect();
    let accounts = db::accounts::find_many(&state.db.read, &ids).await?;
    Ok(users
        .into_iter()
        .filter_map(|u| {
            let a = accounts.iter().find(|a| a.id == u.account_id)?.clone();
            (a.username != super::accounts::INSTANCE_ACTOR).then_some((a, u))
        })
        .collect())
}

pub async fn approve(state: &AppState, account_id: i64) -> AppResult<()> {
    if db::web::set_approved(&state.db.write, account_id).await? == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}

pub async fn set_role(state: &AppState, account_id: i64, role: Role) -> AppResult<()> {
    if db::web::set_role(&state.db.write, account_id, role).await? == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// People you may know: followed by those you follow, not yet by you.
pub async fn suggestions(
    state: &AppState,
    viewer: &accounts::Model,
) -> AppResult<Vec<accounts::Model>> {
    let following = db::relationships::following_ids(&state.db.read, viewer.id, 200).await?;
    let ids = db::web::friends_of_friends(&state.db.read, viewer.id, &following, 8).await?;
    let found = db::accounts::find_many(&state.db.read, &ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            found
                .iter()
                .find(|a| a.id == *id && a.suspended_at.is_none())
                .cloned()
        })
        .collect())
}

/// An account by handle as pages name it: `name` or `name@host`, our own host
/// meaning a local account. An unknown remote one is looked up on its server
/// when `resolve` (a signed-in viewer) allows.
pub async fn find_by_handle(
    state: &AppState,
    handle: &str,
    resolve: bool,
) -> AppResult<accounts::Model> {
    let handle = handle.trim().trim_start_matches('@');
    let (user, host) = match handle.split_once('@') {
        Some((u, h)) if h.eq_ignore_ascii_case(&state.config.domain) => (u, None),
        Some((u, h)) => (u, Some(h.to_lowercase())),
        None => (handle, None),
    };
    if user.is_empty() {
        return Err(AppError::not_found());
    }
    let Some(host) = host else {
        return super::accounts::find_visible_local(state, user).await;
    };
    match db::accounts::find_by_username(&state.db.read, user, Some(&host)).await? {
        Some(a) if a.suspended_at.is_none() => Ok(a),
        Some(_) => Err(AppError::not_found()),
        None if resolve => crate::apub::actors::resolve_acct(state, user, &host)
            .await
            .map_err(|e| {
                tracing::debug!(error = %e, %handle, "could not resolve a remote account");
                AppError::NotFound(format!("@{user}@{host} could not be found"))
            }),
        None => Err(AppError::not_found()),
    }
}

/// The newest message of one of the viewer's conversations (a reply to it
/// continues the conversation), or 404.
pub async fn last_message_id(
    state: &AppState,
    viewer: &accounts::Model,
    conversation_id: i64,
) -> AppResult<Option<i64>> {
    Ok(
        db::web::account_conversation(&state.db.read, viewer.id, conversation_id)
            .await?
            .ok_or_else(AppError::not_found)?
            .last_status_id,
    )
}
