//! Notifications: written inside the transaction of the action that causes them,
//! read newest first.
use entity::{NotificationKind, accounts, notifications};
use sea_orm::{ConnectionTrait, Set};

use crate::db::{self, Page};
use crate::error::{AppError, AppResult};
use crate::ids::IdGenerator;
use crate::state::AppState;

/// Notifies a local `recipient` that `from_id` did something, unless it is their
/// own action, they block the actor (or its domain) or mute them with
/// notifications hidden, they muted the status's thread, or their policy
/// drops it.
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
    if let Some(sid) = status_id
        && db::conversation_mutes::mutes_thread_of(conn, recipient.id, sid).await?
    {
        return Ok(());
    }
    let filtered = match verdict(conn, recipient, from_id, kind, status_id).await? {
        PolicyAction::Drop => return Ok(()),
        PolicyAction::Filter => true,
        PolicyAction::Accept => false,
    };
    let id = ids.next();
    let now = db::now();
    // A filtered notification stands alone: it must not join (or start) a
    // group the recipient sees.
    let group_key = if filtered {
        None
    } else {
        group_key(conn, recipient.id, kind, status_id, now).await?
    };
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
            filtered: Set(filtered),
        },
    )
    .await?;
    if filtered {
        db::notification_requests::record(conn, ids.next(), recipient.id, from_id, status_id)
            .await?;
        return Ok(());
    }
    events.push(crate::events::Event::Notification {
        account_id: recipient.id,
        notification_id: id,
    });
    Ok(())
}

/// What a notification policy does with a kind of sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PolicyAction {
    Accept,
    Filter,
    Drop,
}

impl PolicyAction {
    pub fn parse(s: &str) -> Option<PolicyAction> {
        match s {
            "accept" => Some(PolicyAction::Accept),
            "filter" => Some(PolicyAction::Filter),
            "drop" => Some(PolicyAction::Drop),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PolicyAction::Accept => "accept",
            PolicyAction::Filter => "filter",
            PolicyAction::Drop => "drop",
        }
    }
}

/// A person's notification policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub for_not_following: PolicyAction,
    pub for_not_followers: PolicyAction,
    pub for_new_accounts: PolicyAction,
    pub for_private_mentions: PolicyAction,
    pub for_limited_accounts: PolicyAction,
}

impl Default for Policy {
    /// Everything accepted until the person chooses otherwise.
    fn default() -> Self {
        Policy {
            for_not_following: PolicyAction::Accept,
            for_not_followers: PolicyAction::Accept,
            for_new_accounts: PolicyAction::Accept,
            for_private_mentions: PolicyAction::Accept,
            for_limited_accounts: PolicyAction::Accept,
        }
    }
}

impl Policy {
    fn from_row(r: &entity::notification_policies::Model) -> Policy {
        let d = PolicyAction::Accept;
        let p = |s: &str| PolicyAction::parse(s).unwrap_or(d);
        Policy {
            for_not_following: p(&r.for_not_following),
            for_not_followers: p(&r.for_not_followers),
            for_new_accounts: p(&r.for_new_accounts),
            for_private_mentions: p(&r.for_private_mentions),
            for_limited_accounts: p(&r.for_limited_accounts),
        }
    }

    fn accepts_all(&self) -> bool {
        [
            self.for_not_following,
            self.for_not_followers,
            self.for_new_accounts,
            self.for_private_mentions,
        ]
        .iter()
        .all(|a| *a == PolicyAction::Accept)
    }
}

/// Accounts younger than this are "new" to the `for_new_accounts` policy.
const NEW_ACCOUNT_DAYS: i64 = 30;

/// What `recipient`'s policy does with this notification. Only the kinds
/// Mastodon filters (mentions, follows, follow requests, favourites, boosts)
/// are looked at; a sender the recipient follows or accepted before always
/// gets through, as does a reply to the recipient's own post.
async fn verdict(
    conn: &impl ConnectionTrait,
    recipient: &accounts::Model,
    from_id: i64,
    kind: NotificationKind,
    status_id: Option<i64>,
) -> AppResult<PolicyAction> {
    if !matches!(
        kind,
        NotificationKind::Mention
            | NotificationKind::Follow
            | NotificationKind::FollowRequest
            | NotificationKind::Favourite
            | NotificationKind::Reblog
    ) {
        return Ok(PolicyAction::Accept);
    }
    let policy = match db::notification_requests::policy(conn, recipient.id).await? {
        Some(row) => Policy::from_row(&row),
        None => return Ok(PolicyAction::Accept),
    };
    if policy.accepts_all() {
        return Ok(PolicyAction::Accept);
    }
    if db::relationships::find_follow(conn, recipient.id, from_id)
        .await?
        .is_some()
        || db::notification_requests::is_permitted(conn, recipient.id, from_id).await?
    {
        return Ok(PolicyAction::Accept);
    }
    let status = match status_id {
        Some(id) => db::statuses::find(conn, id).await?,
        None => None,
    };
    if status
        .as_ref()
        .is_some_and(|s| s.in_reply_to_account_id == Some(recipient.id))
        && kind == NotificationKind::Mention
    {
        return Ok(PolicyAction::Accept);
    }
    // The recipient does not follow the sender (checked above).
    let mut action = policy.for_not_following;
    if policy.for_not_followers != PolicyAction::Accept
        && db::relationships::find_follow(conn, from_id, recipient.id)
            .await?
            .is_none()
    {
        action = action.max(policy.for_not_followers);
    }
    if policy.for_new_accounts != PolicyAction::Accept
        && let Some(sender) = db::accounts::find(conn, from_id).await?
        && sender.created_at > db::now() - chrono::Duration::days(NEW_ACCOUNT_DAYS)
    {
        action = action.max(policy.for_new_accounts);
    }
    if kind == NotificationKind::Mention
        && status
            .as_ref()
            .is_some_and(|s| s.visibility == entity::Visibility::Direct)
    {
        action = action.max(policy.for_private_mentions);
    }
    Ok(action)
}

/// The person's policy, with how many requests and filtered notifications wait.
pub async fn policy(state: &AppState, account: &accounts::Model) -> AppResult<(Policy, i64, i64)> {
    let c = &state.db.read;
    let policy = db::notification_requests::policy(c, account.id)
        .await?
        .map(|r| Policy::from_row(&r))
        .unwrap_or_default();
    let (requests, notifications) = db::notification_requests::summary(c, account.id).await?;
    Ok((policy, requests, notifications))
}

/// A change to the policy: fields left `None` stay as they are.
#[derive(Clone, Debug, Default)]
pub struct PolicyUpdate {
    pub for_not_following: Option<String>,
    pub for_not_followers: Option<String>,
    pub for_new_accounts: Option<String>,
    pub for_private_mentions: Option<String>,
    pub for_limited_accounts: Option<String>,
}

pub async fn update_policy(
    state: &AppState,
    account: &accounts::Model,
    u: PolicyUpdate,
) -> AppResult<(Policy, i64, i64)> {
    let (mut p, _, _) = policy(state, account).await?;
    let set = |field: &mut PolicyAction, name: &str, v: &Option<String>| -> AppResult<()> {
        if let Some(v) = v {
            *field = PolicyAction::parse(v).ok_or_else(|| {
                AppError::validation(format!("{name} must be accept, filter or drop"))
            })?;
        }
        Ok(())
    };
    set(
        &mut p.for_not_following,
        "for_not_following",
        &u.for_not_following,
    )?;
    set(
        &mut p.for_not_followers,
        "for_not_followers",
        &u.for_not_followers,
    )?;
    set(
        &mut p.for_new_accounts,
        "for_new_accounts",
        &u.for_new_accounts,
    )?;
    set(
        &mut p.for_private_mentions,
        "for_private_mentions",
        &u.for_private_mentions,
    )?;
    set(
        &mut p.for_limited_accounts,
        "for_limited_accounts",
        &u.for_limited_accounts,
    )?;
    db::notification_requests::put_policy(
        &state.db.write,
        entity::notification_policies::Model {
            account_id: account.id,
            for_not_following: p.for_not_following.as_str().into(),
            for_not_followers: p.for_not_followers.as_str().into(),
            for_new_accounts: p.for_new_accounts.as_str().into(),
            for_private_mentions: p.for_private_mentions.as_str().into(),
            for_limited_accounts: p.for_limited_accounts.as_str().into(),
            updated_at: db::now(),
        },
    )
    .await?;
    policy(state, account).await
}

pub async fn requests(
    state: &AppState,
    account: &accounts::Model,
    page: &Page,
) -> AppResult<Vec<entity::notification_requests::Model>> {
    Ok(db::notification_requests::page(&state.db.read, account.id, page).await?)
}

pub async fn request(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
) -> AppResult<entity::notification_requests::Model> {
    db::notification_requests::find(&state.db.read, account.id, id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Accepts (lets the notifications in and the sender through from now on) or
/// dismisses (deletes the filtered notifications) requests, in one transaction.
/// Ids that are not the person's are passed over.
pub async fn settle_requests(
    state: &AppState,
    account: &accounts::Model,
    ids: &[i64],
    accept: bool,
) -> AppResult<()> {
    use sea_orm::TransactionTrait;
    let txn = state.db.write.begin().await?;
    for r in db::notification_requests::find_many(&txn, account.id, ids).await? {
        if accept {
            db::notification_requests::unfilter_from(&txn, account.id, r.from_account_id).await?;
            db::notification_requests::permit(&txn, account.id, r.from_account_id).await?;
        } else {
            db::notification_requests::delete_filtered_from(&txn, account.id, r.from_account_id)
                .await?;
        }
        db::notification_requests::delete(&txn, r.id).await?;
    }
    txn.commit().await?;
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
    list_from(state, account, kinds, None, false, page).await
}

/// A page of `account`'s notifications, optionally only of some kinds and
/// only those `from_account_id` caused; filtered ones only when asked for.
pub async fn list_from(
    state: &AppState,
    account: &accounts::Model,
    kinds: Option<&[NotificationKind]>,
    from_account_id: Option<i64>,
    include_filtered: bool,
    page: &Page,
) -> AppResult<Vec<notifications::Model>> {
    Ok(db::notifications::page(
        &state.db.read,
        account.id,
        kinds,
        from_account_id,
        include_filtered,
        page,
    )
    .await?)
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
