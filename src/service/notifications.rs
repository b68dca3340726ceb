//! Notifications: written inside the transaction of the action that causes them,
//! read newest first.
use entity::{NotificationKind, accounts, notifications};
use sea_orm::{ConnectionTrait, Set};

use crate::db::{self, Page};
use crate::error::{AppError, AppResult};
use crate::ids::IdGenerator;
use crate::state::AppState;

/// Notifies a local `recipient` that `from_id` did something, unless it is their
/// own action, or they block the actor or mute them with notifications hidden.
pub(crate) async fn notify(
    conn: &impl ConnectionTrait,
    ids: &IdGenerator,
    events: &mut crate::events::Pending,
    recipient: &accounts::Model,
    from_id: i64,
    kind: NotificationKind,
    status_id: Option<i64>,
) -> AppResult<()> {
    if !recipient.is_local() || recipient.id == from_id {
        return Ok(());
    }
    if !db::relationships::who_mutes_or_blocks(conn, &[recipient.id], from_id, true)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let id = ids.next();
    db::notifications::insert(
        conn,
        notifications::ActiveModel {
            id: Set(id),
            account_id: Set(recipient.id),
            from_account_id: Set(from_id),
            kind: Set(kind),
            status_id: Set(status_id),
            created_at: Set(db::now()),
        },
    )
    .await?;
    events.push(crate::events::Event::Notification {
        account_id: recipient.id,
        notification_id: id,
    });
    Ok(())
}

/// A page of `account`'s notifications, optionally only of some kinds.
pub async fn list(
    state: &AppState,
    account: &accounts::Model,
    kinds: Option<&[NotificationKind]>,
    page: &Page,
) -> AppResult<Vec<notifications::Model>> {
    Ok(db::notifications::page(&state.db.read, account.id, kinds, page).await?)
}

pub async fn get(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
) -> AppResult<notifications::Model> {
    db::notifications::find(&state.db.read, account.id, id)
        .await?
        .ok_or_else(AppError::not_found)
}

pub async fn dismiss(state: &AppState, account: &accounts::Model, id: i64) -> AppResult<()> {
    if db::notifications::delete(&state.db.write, account.id, id).await? == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}

pub async fn clear(state: &AppState, account: &accounts::Model) -> AppResult<u64> {
    Ok(db::notifications::clear(&state.db.write, account.id).await?)
}
