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
    let now = db::now();
    let group_key = group_key(conn, recipient.id, kind, status_id, now).await?;
    db::notifications::insert(
        conn,
        notifications::ActiveModel {
            id: Set(id),
            account_id: Set(recipient.id),
            from_account_id: Set(from_id),
            kind: Set(kind),
            status_id: Set(status_id),
            created_at: Set(now),
            group_key: Set(group_key),
        },
    )
    .await?;
    events.push(crate::events::Event::Notification {
        account_id: recipient.id,
        notification_id: id,
    });
    Ok(())
}

/// A group spans at most this many hours from its first notification, as on Mastodon.
const GROUP_SPAN_HOURS: i64 = 12;

/// The group a new notification joins: favourites and boosts of one status, and
/// new followers, close in time, as Mastodon 4.3 groups them. Other kinds stand alone.
async fn group_key(
    conn: &impl ConnectionTrait,
    recipient: i64,
    kind: NotificationKind,
    status_id: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Option<String>> {
    let prefix = match (kind, status_id) {
        (NotificationKind::Favourite | NotificationKind::Reblog, Some(s)) => {
            format!("{}-{s}-", kind.as_str())
        }
        (NotificationKind::Follow, _) => "follow-".to_string(),
        _ => return Ok(None),
    };
    let hour = now.timestamp() / 3600;
    let bucket = match db::notifications::latest_group_with_prefix(conn, recipient, &prefix).await?
    {
        Some(key) => match key
            .strip_prefix(&prefix)
            .and_then(|b| b.parse::<i64>().ok())
        {
            Some(previous) if hour < previous + GROUP_SPAN_HOURS => previous,
            _ => hour,
        },
        None => hour,
    };
    Ok(Some(format!("{prefix}{bucket}")))
}

/// How Mastodon names a notification's group: its key, or `ungrouped-ID`.
pub fn group_key_of(n: &notifications::Model) -> String {
    n.group_key
        .clone()
        .unwrap_or_else(|| format!("ungrouped-{}", n.id))
}

/// A page of `account`'s notifications, optionally only of some kinds.
pub async fn list(
    state: &AppState,
    account: &accounts::Model,
    kinds: Option<&[NotificationKind]>,
    page: &Page,
) -> AppResult<Vec<notifications::Model>> {
    list_from(state, account, kinds, None, page).await
}

/// A page of `account`'s notifications, optionally only of some kinds and
/// only those `from_account_id` caused.
pub async fn list_from(
    state: &AppState,
    account: &accounts::Model,
    kinds: Option<&[NotificationKind]>,
    from_account_id: Option<i64>,
    page: &Page,
) -> AppResult<Vec<notifications::Model>> {
    Ok(db::notifications::page(&state.db.read, account.id, kinds, from_account_id, page).await?)
}

/// A group of notifications as `/api/v2/notifications` shows it.
#[derive(Clone, Debug)]
pub struct Group {
    pub key: String,
    pub count: i64,
    /// The group's newest notification on the page (its type and status).
    pub latest: notifications::Model,
    pub oldest_id: i64,
    /// Who most recently caused notifications of the group, newest first (up to 8).
    pub sample_account_ids: Vec<i64>,
}

/// Accounts shown per group, as on Mastodon.
const SAMPLE_ACCOUNTS: usize = 8;

/// A page of `account`'s notifications, grouped (in a fixed number of queries).
pub async fn groups(
    state: &AppState,
    account: &accounts::Model,
    q: &db::notifications::NotificationQuery,
    page: &Page,
) -> AppResult<Vec<Group>> {
    let c = &state.db.read;
    let rows = db::notifications::group_page(c, account.id, q, page).await?;
    let latest_ids: Vec<i64> = rows.iter().map(|r| r.latest_id).collect();
    let latest: std::collections::HashMap<i64, notifications::Model> =
        db::notifications::find_many(c, account.id, &latest_ids)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
    let grouped: Vec<String> = rows
        .iter()
        .filter(|r| r.count > 1)
        .map(|r| r.key.clone())
        .collect();
    let (lo, hi) = (
        rows.iter().map(|r| r.oldest_id).min().unwrap_or(0),
        rows.iter().map(|r| r.latest_id).max().unwrap_or(0),
    );
    let mut samples: std::collections::HashMap<String, Vec<i64>> = Default::default();
    let members = db::notifications::in_groups(
        c,
        account.id,
        &grouped,
        lo,
        hi,
        (grouped.len() * 50).max(1) as u64,
    )
    .await?;
    for n in members {
        let Some(key) = n.group_key.clone() else {
            continue;
        };
        if q.from_account_id.is_some_and(|a| a != n.from_account_id) {
            continue;
        }
        let list = samples.entry(key).or_default();
        if list.len() < SAMPLE_ACCOUNTS && !list.contains(&n.from_account_id) {
            list.push(n.from_account_id);
        }
    }
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let latest = latest.get(&r.latest_id)?.clone();
            let sample_account_ids = samples
                .remove(&r.key)
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| vec![latest.from_account_id]);
            Some(Group {
                key: r.key,
                count: r.count,
                latest,
                oldest_id: r.oldest_id,
                sample_account_ids,
            })
        })
        .collect())
}

/// The notifications of one group, newest first: a stored key, or
/// `ungrouped-ID` for a notification of its own.
async fn group_members(
    state: &AppState,
    account: &accounts::Model,
    key: &str,
) -> AppResult<Vec<notifications::Model>> {
    let rows = match key.strip_prefix("ungrouped-") {
        Some(id) => {
            let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
            vec![get(state, account, id).await?]
        }
        None => db::notifications::by_group_key(&state.db.read, account.id, key, 1000).await?,
    };
    if rows.is_empty() {
        return Err(AppError::not_found());
    }
    Ok(rows)
}

/// One group by its key.
pub async fn group(state: &AppState, account: &accounts::Model, key: &str) -> AppResult<Group> {
    let rows = group_members(state, account, key).await?;
    let mut sample_account_ids: Vec<i64> = Vec::new();
    for n in &rows {
        if sample_account_ids.len() < SAMPLE_ACCOUNTS
            && !sample_account_ids.contains(&n.from_account_id)
        {
            sample_account_ids.push(n.from_account_id);
        }
    }
    let oldest_id = rows.iter().map(|n| n.id).min().unwrap_or_default();
    let latest = rows.into_iter().next().ok_or_else(AppError::not_found)?;
    let count = db::notifications::by_group_key(&state.db.read, account.id, key, 1000)
        .await?
        .len()
        .max(1) as i64;
    Ok(Group {
        key: key.to_string(),
        count,
        latest,
        oldest_id,
        sample_account_ids,
    })
}

/// Everyone who caused a group's notifications, newest first.
pub async fn group_accounts(
    state: &AppState,
    account: &accounts::Model,
    key: &str,
) -> AppResult<Vec<accounts::Model>> {
    let rows = group_members(state, account, key).await?;
    let mut ids: Vec<i64> = Vec::new();
    for n in &rows {
        if !ids.contains(&n.from_account_id) {
            ids.push(n.from_account_id);
        }
    }
    let mut found = db::accounts::find_many(&state.db.read, &ids).await?;
    found.sort_by_key(|a| ids.iter().position(|i| *i == a.id));
    Ok(found)
}

/// Dismisses every notification of a group.
pub async fn dismiss_group(
    state: &AppState,
    account: &accounts::Model,
    key: &str,
) -> AppResult<()> {
    match key.strip_prefix("ungrouped-") {
        Some(id) => {
            let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
            dismiss(state, account, id).await
        }
        None => {
            if db::notifications::delete_group(&state.db.write, account.id, key).await? == 0 {
                return Err(AppError::not_found());
            }
            Ok(())
        }
    }
}

/// How many notifications arrived since the reader's notifications marker (at most `cap`).
pub async fn unread_count(
    state: &AppState,
    account: &accounts::Model,
    q: &db::notifications::NotificationQuery,
    cap: u64,
) -> AppResult<u64> {
    let c = &state.db.read;
    let marker = db::markers::for_account(c, account.id)
        .await?
        .into_iter()
        .find(|m| m.timeline == "notifications")
        .map(|m| m.last_read_id);
    Ok(db::notifications::count_after(c, account.id, q, marker, cap).await?)
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
