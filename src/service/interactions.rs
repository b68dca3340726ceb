//! Favourites, reblogs and bookmarks.
use std::collections::HashSet;

use entity::{NotificationKind, Visibility, accounts, bookmarks, favourites, statuses};
use sea_orm::{ConnectionTrait, Set, TransactionTrait};

use super::notifications::notify;
use super::outbox::{emit, emit_to, kick};
use super::visibility::can_view;
use crate::apub::activities::{announce::announce, like::like, undo::undo};
use crate::db::{self, accounts::Counter as AccountCounter, statuses::Counter};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The status an action applies to: a reblog stands for the status it reblogs.
async fn target(
    conn: &impl ConnectionTrait,
    viewer: &accounts::Model,
    id: i64,
) -> AppResult<statuses::Model> {
    let mut status = db::statuses::find(conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if let Some(orig) = status.reblog_of_id {
        status = db::statuses::find(conn, orig)
            .await?
            .ok_or_else(AppError::not_found)?;
    }
    if !can_view(conn, &status, Some(viewer)).await? {
        return Err(AppError::not_found());
    }
    Ok(status)
}

/// Favourites a status (idempotent) and notifies its author. Returns the status
/// with its new count.
pub async fn favourite(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
) -> AppResult<statuses::Model> {
    favourite_with_uri(state, account, id, None).await
}

/// [`favourite`], recording the id of the Like activity it came in as.
pub async fn favourite_with_uri(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
    uri: Option<&str>,
) -> AppResult<statuses::Model> {
    let txn = state.db.write.begin().await?;
    let mut events = crate::events::Pending::default();
    let status = target(&txn, account, id).await?;
    let fav_id = state.ids.next();
    let inserted = db::interactions::insert_favourite(
        &txn,
        favourites::ActiveModel {
            id: Set(fav_id),
            account_id: Set(account.id),
            status_id: Set(status.id),
            uri: Set(uri.map(str::to_string)),
            created_at: Set(db::now()),
        },
    )
    .await?;
    if inserted {
        db::statuses::bump(&txn, status.id, Counter::Favourites, 1).await?;
        if let Some(author) = db::accounts::find(&txn, status.account_id).await? {
            notify(
                &txn,
                &state.ids,
                &mut events,
                &author,
                account.id,
                NotificationKind::Favourite,
                Some(status.id),
            )
            .await?;
            emit_to(
                &txn,
                state,
                account,
                like(&account.uri, fav_id, &status.uri),
                &author,
            )
            .await?;
        }
    }
    let status = db::statuses::find(&txn, status.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    txn.commit().await?;
    events.publish(&*state.events);
    kick(state);
    Ok(status)
}

/// Takes a favourite back (idempotent), with its notification.
pub async fn unfavourite(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
) -> AppResult<statuses::Model> {
    let txn = state.db.write.begin().await?;
    let status = target(&txn, account, id).await?;
    let existing = db::interactions::find_favourite(&txn, account.id, status.id).await?;
    if db::interactions::delete_favourite(&txn, account.id, status.id).await? > 0 {
        db::statuses::bump(&txn, status.id, Counter::Favourites, -1).await?;
        db::notifications::delete_for(
            &txn,
            status.account_id,
            account.id,
            NotificationKind::Favourite,
            Some(status.id),
        )
        .await?;
        if let (Some(fav), Some(author)) =
            (existing, db::accounts::find(&txn, status.account_id).await?)
        {
            emit_to(
                &txn,
                state,
                account,
                undo(&account.uri, like(&account.uri, fav.id, &status.uri)),
                &author,
            )
            .await?;
        }
    }
    let status = db::statuses::find(&txn, status.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    txn.commit().await?;
    kick(state);
    Ok(status)
}

/// Reblogs (boosts) a status. Direct messages cannot be reblogged, nor can
/// followers-only posts except by their author. Reblogging twice returns the
/// first reblog. `visibility` may narrow the reblog's audience (never widen it
/// past public).
pub async fn reblog(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
    visibility: Option<Visibility>,
) -> AppResult<statuses::Model> {
    reblog_with_uri(state, account, id, visibility, None).await
}

/// [`reblog`], for a remote account's Announce with its id.
pub async fn reblog_with_uri(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
    visibility: Option<Visibility>,
    uri: Option<&str>,
) -> AppResult<statuses::Model> {
    let txn = state.db.write.begin().await?;
    let mut events = crate::events::Pending::default();
    let original = target(&txn, account, id).await?;
    match original.visibility {
        Visibility::Direct => return Err(AppError::Forbidden("This action is not allowed".into())),
        Visibility::Private if original.account_id != account.id => {
            return Err(AppError::Forbidden("This action is not allowed".into()));
        }
        _ => {}
    }
    if let Some(existing) = db::statuses::find_reblog(&txn, account.id, original.id).await? {
        return Ok(existing);
    }
    let vis = match (
        original.visibility,
        visibility.unwrap_or(Visibility::Public),
    ) {
        (Visibility::Private, _) => Visibility::Private,
        (_, Visibility::Direct) => {
            return Err(AppError::validation(
                "Validation failed: Visibility is not valid for a reblog",
            ));
        }
        (_, v) => v,
    };
    let reblog_id = state.ids.next();
    let now = db::now();
    let base = state.base_url();
    let reblog = db::statuses::insert(
        &txn,
        statuses::ActiveModel {
            id: Set(reblog_id),
            uri: Set(uri.map(str::to_string).unwrap_or_else(|| {
                format!(
                    "{base}/users/{}/statuses/{reblog_id}/activity",
                    account.username
                )
            })),
            url: Set(None),
            local: Set(account.is_local()),
            account_id: Set(account.id),
            in_reply_to_id: Set(None),
            in_reply_to_account_id: Set(None),
            thread_root_id: Set(None),
            conversation_id: Set(None),
            reblog_of_id: Set(Some(original.id)),
            content: Set(String::new()),
            text: Set(String::new()),
            visibility: Set(vis),
            sensitive: Set(false),
            spoiler_text: Set(String::new()),
            language: Set(None),
            replies_count: Set(0),
            reblogs_count: Set(0),
            favourites_count: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            edited_at: Set(None),
            deleted_at: Set(None),
        },
    )
    .await?;
    db::statuses::bump(&txn, original.id, Counter::Reblogs, 1).await?;
    db::accounts::bump(&txn, account.id, AccountCounter::Statuses, 1).await?;
    let readers = fan_out_reblog(&txn, &reblog, &original).await?;
    events.push(super::statuses::update_event(&reblog, readers, &[]));
    if let Some(author) = db::accounts::find(&txn, original.account_id).await? {
        notify(
            &txn,
            &state.ids,
            &mut events,
            &author,
            account.id,
            NotificationKind::Reblog,
            Some(original.id),
        )
        .await?;
        if account.is_local() {
            let activity = announce_of(account, &reblog, &original, &author);
            let mut inboxes = db::deliveries::remote_follower_inboxes(&txn, account.id).await?;
            inboxes.extend(super::outbox::inbox_of(&author));
            emit(&txn, state, account, activity, inboxes).await?;
        }
    }
    txn.commit().await?;
    events.publish(&*state.events);
    kick(state);
    Ok(reblog)
}

fn announce_of(
    account: &accounts::Model,
    reblog: &statuses::Model,
    original: &statuses::Model,
    original_author: &accounts::Model,
) -> serde_json::Value {
    let followers = account.followers_url.clone().unwrap_or_default();
    let (to, cc) = crate::apub::objects::note::audience(
        reblog.visibility,
        &followers,
        std::slice::from_ref(&original_author.uri),
    );
    let published = reblog
        .created_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    announce(&reblog.uri, &account.uri, &original.uri, to, cc, &published)
}

/// A reblog reaches local followers of the reblogger who want reblogs, unless
/// they already have the status (or a reblog of it) in their feed, wrote it,
/// or mute or block either the reblogger or the original author.
async fn fan_out_reblog(
    conn: &impl ConnectionTrait,
    reblog: &statuses::Model,
    original: &statuses::Model,
) -> AppResult<Vec<i64>> {
    let mut readers: Vec<i64> = db::relationships::local_followers(conn, reblog.account_id)
        .await?
        .into_iter()
        .filter_map(|(id, show_reblogs)| show_reblogs.then_some(id))
        .filter(|id| *id != original.account_id)
        .collect();
    let mut skip: HashSet<i64> = db::feeds::already_showing(conn, &readers, original.id)
        .await?
        .into_iter()
        .collect();
    skip.extend(
        db::relationships::who_mutes_or_blocks(conn, &readers, reblog.account_id, false).await?,
    );
    skip.extend(
        db::relationships::who_mutes_or_blocks(conn, &readers, original.account_id, false).await?,
    );
    readers.retain(|r| !skip.contains(r));
    if reblog.local {
        readers.push(reblog.account_id);
    }
    db::feeds::insert(conn, &readers, reblog).await?;
    Ok(readers)
}

/// Undoes a reblog (idempotent). Returns the original status.
pub async fn unreblog(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
) -> AppResult<statuses::Model> {
    let txn = state.db.write.begin().await?;
    let original = target(&txn, account, id).await?;
    if let Some(reblog) = db::statuses::find_reblog(&txn, account.id, original.id).await? {
        db::statuses::delete_hard(&txn, reblog.id).await?;
        state.events.publish(crate::events::Event::Delete {
            status_id: reblog.id,
        });
        db::statuses::bump(&txn, original.id, Counter::Reblogs, -1).await?;
        db::accounts::bump(&txn, account.id, AccountCounter::Statuses, -1).await?;
        db::notifications::delete_for(
            &txn,
            original.account_id,
            account.id,
            NotificationKind::Reblog,
            Some(original.id),
        )
        .await?;
        if let (true, Some(author)) = (
            account.is_local(),
            db::accounts::find(&txn, original.account_id).await?,
        ) {
            let activity = undo(
                &account.uri,
                announce_of(account, &reblog, &original, &author),
            );
            let mut inboxes = db::deliveries::remote_follower_inboxes(&txn, account.id).await?;
            inboxes.extend(super::outbox::inbox_of(&author));
            emit(&txn, state, account, activity, inboxes).await?;
        }
    }
    let original = db::statuses::find(&txn, original.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    txn.commit().await?;
    kick(state);
    Ok(original)
}

pub async fn bookmark(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
) -> AppResult<statuses::Model> {
    let status = target(&state.db.read, account, id).await?;
    db::interactions::insert_bookmark(
        &state.db.write,
        bookmarks::ActiveModel {
            id: Set(state.ids.next()),
            account_id: Set(account.id),
            status_id: Set(status.id),
            created_at: Set(db::now()),
        },
    )
    .await?;
    Ok(status)
}

pub async fn unbookmark(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
) -> AppResult<statuses::Model> {
    let status = target(&state.db.read, account, id).await?;
    db::interactions::delete_bookmark(&state.db.write, account.id, status.id).await?;
    Ok(status)
}

/// Which of an account's own lists of statuses.
#[derive(Clone, Copy, Debug)]
pub enum StatusList {
    Favourites,
    Bookmarks,
}

/// A page of an account's favourites or bookmarks: `(row id, status)`, newest first,
/// leaving out what the account may no longer see.
pub async fn status_list(
    state: &AppState,
    account: &accounts::Model,
    list: StatusList,
    page: &db::Page,
) -> AppResult<Vec<(i64, statuses::Model)>> {
    let pairs = match list {
        StatusList::Favourites => {
            db::interactions::favourites_page(&state.db.read, account.id, page).await?
        }
        StatusList::Bookmarks => {
            db::interactions::bookmarks_page(&state.db.read, account.id, page).await?
        }
    };
    let ids: Vec<i64> = pairs.iter().map(|(_, s)| *s).collect();
    let found = db::statuses::find_many(&state.db.read, &ids).await?;
    let mut out = Vec::new();
    for (rid, sid) in pairs {
        if let Some(s) = found.iter().find(|s| s.id == sid)
            && can_view(&state.db.read, s, Some(account)).await?
        {
            out.push((rid, s.clone()));
        }
    }
    Ok(out)
}

/// Who favourited or boosted a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interaction {
    Favourited,
    Reblogged,
}

/// A page of the accounts that favourited or boosted a status the viewer may
/// see: `(favourite or reblog id, account)`, newest first.
pub async fn interacted_by(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    status_id: i64,
    kind: Interaction,
    page: &db::Page,
) -> AppResult<Vec<(i64, accounts::Model)>> {
    let status = super::statuses::get(state, viewer, status_id).await?;
    let c = &state.db.read;
    let pairs = match kind {
        Interaction::Favourited => db::interactions::favourited_by_page(c, status.id, page).await?,
        Interaction::Reblogged => db::interactions::reblogged_by_page(c, status.id, page).await?,
    };
    let ids: Vec<i64> = pairs.iter().map(|(_, a)| *a).collect();
    let found = db::accounts::find_many(c, &ids).await?;
    Ok(pairs
        .into_iter()
        .filter_map(|(r, a)| {
            found
                .iter()
                .find(|x| x.id == a && x.suspended_at.is_none())
                .map(|x| (r, x.clone()))
        })
        .collect())
}
