//! Follows, follow requests, blocks and mutes.
use entity::{NotificationKind, accounts, blocks, follow_requests, follows, mutes};
use sea_orm::{ConnectionTrait, DatabaseTransaction, Set, TransactionTrait};

use super::notifications::notify;
use super::outbox::{emit_to, kick};
use crate::apub::activities::{
    accept::answer_follow, block as block_activity, follow as follow_activity, undo::undo,
};
use crate::db::{self, accounts::Counter};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// How many of a newly followed account's recent statuses go into the follower's feed.
const BACKFILL: u64 = 400;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowOptions {
    pub show_reblogs: bool,
    pub notify: bool,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            show_reblogs: true,
            notify: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowOutcome {
    /// Now following.
    Following,
    /// A request waits for the target's approval.
    Requested,
}

/// Follows `target_id`: at once for an unlocked local account, as a request for a
/// locked one. A remote account always starts as a request, which its server's
/// Accept turns into a follow. Following again updates the options.
pub async fn follow(
    state: &AppState,
    account: &accounts::Model,
    target_id: i64,
    opts: FollowOptions,
) -> AppResult<FollowOutcome> {
    if account.id == target_id {
        return Err(AppError::Forbidden("You cannot follow yourself".into()));
    }
    let txn = state.db.write.begin().await?;
    let mut events = crate::events::Pending::default();
    let target = db::accounts::find(&txn, target_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if target.suspended_at.is_some() {
        return Err(AppError::not_found());
    }
    if db::relationships::blocked_either_way(&txn, account.id, target.id).await? {
        return Err(AppError::Forbidden("This action is not allowed".into()));
    }
    if let Some(d) = &target.domain
        && db::domain_blocks::is_blocked(&txn, account.id, d).await?
    {
        return Err(AppError::validation(format!(
            "You are blocking {d}; unblock it to follow people there"
        )));
    }
    if let Some(existing) = db::relationships::find_follow(&txn, account.id, target.id).await? {
        db::relationships::update_follow_options(&txn, existing.id, opts.show_reblogs, opts.notify)
            .await?;
        txn.commit().await?;
        events.publish(&*state.events);
        return Ok(FollowOutcome::Following);
    }
    if db::relationships::find_follow_request(&txn, account.id, target.id)
        .await?
        .is_some()
    {
        return Ok(FollowOutcome::Requested);
    }
    let outcome = if target.locked || !target.is_local() {
        let request_id = state.ids.next();
        let uri =
            (!target.is_local()).then(|| follow_activity::follow_id(&state.base_url(), request_id));
        db::relationships::insert_follow_request(
            &txn,
            follow_requests::ActiveModel {
                id: Set(request_id),
                account_id: Set(account.id),
                target_account_id: Set(target.id),
                uri: Set(uri.clone()),
                show_reblogs: Set(opts.show_reblogs),
                notify: Set(opts.notify),
                created_at: Set(db::now()),
            },
        )
        .await?;
        notify(
            &txn,
            &state.ids,
            &mut events,
            &target,
            account.id,
            NotificationKind::FollowRequest,
            None,
        )
        .await?;
        if let Some(uri) = uri {
            emit_to(
                &txn,
                state,
                account,
                follow_activity::follow(&uri, &account.uri, &target.uri),
                &target,
            )
            .await?;
        }
        FollowOutcome::Requested
    } else {
        create_follow(state, &txn, account, &target, opts, None).await?;
        notify(
            &txn,
            &state.ids,
            &mut events,
            &target,
            account.id,
            NotificationKind::Follow,
            None,
        )
        .await?;
        FollowOutcome::Following
    };
    txn.commit().await?;
    events.publish(&*state.events);
    kick(state);
    Ok(outcome)
}

/// A remote account asks to follow a local one (an incoming Follow): granted at
/// once, with an Accept, unless the account is locked; refused with a Reject
/// when either blocks the other. Idempotent.
pub async fn receive_follow(
    state: &AppState,
    follower: &accounts::Model,
    target: &accounts::Model,
    follow_uri: &str,
) -> AppResult<FollowOutcome> {
    let txn = state.db.write.begin().await?;
    let mut events = crate::events::Pending::default();
    if target.suspended_at.is_some() || !target.is_local() {
        return Err(AppError::not_found());
    }
    if db::relationships::blocked_either_way(&txn, follower.id, target.id).await? {
        let reject = answer_follow(
            "Reject",
            &target.uri,
            follow_uri,
            &follower.uri,
            state.ids.next(),
        );
        emit_to(&txn, state, target, reject, follower).await?;
        txn.commit().await?;
        events.publish(&*state.events);
        kick(state);
        return Err(AppError::Forbidden("This action is not allowed".into()));
    }
    let outcome = if db::relationships::find_follow(&txn, follower.id, target.id)
        .await?
        .is_some()
    {
        FollowOutcome::Following
    } else if target.locked {
        if db::relationships::find_follow_request(&txn, follower.id, target.id)
            .await?
            .is_none()
        {
            db::relationships::insert_follow_request(
                &txn,
                follow_requests::ActiveModel {
                    id: Set(state.ids.next()),
                    account_id: Set(follower.id),
                    target_account_id: Set(target.id),
                    uri: Set(Some(follow_uri.to_string())),
                    show_reblogs: Set(true),
                    notify: Set(false),
                    created_at: Set(db::now()),
                },
            )
            .await?;
            notify(
                &txn,
                &state.ids,
                &mut events,
                target,
                follower.id,
                NotificationKind::FollowRequest,
                None,
            )
            .await?;
        }
        FollowOutcome::Requested
    } else {
        create_follow(
            state,
            &txn,
            follower,
            target,
            FollowOptions::default(),
            Some(follow_uri.to_string()),
        )
        .await?;
        notify(
            &txn,
            &state.ids,
            &mut events,
            target,
            follower.id,
            NotificationKind::Follow,
            None,
        )
        .await?;
        FollowOutcome::Following
    };
    if outcome == FollowOutcome::Following {
        // Accept again on a repeated Follow too: the first Accept may have been lost.
        let accept = answer_follow(
            "Accept",
            &target.uri,
            follow_uri,
            &follower.uri,
            state.ids.next(),
        );
        emit_to(&txn, state, target, accept, follower).await?;
    }
    txn.commit().await?;
    events.publish(&*state.events);
    kick(state);
    Ok(outcome)
}

/// A remote account accepted a local account's follow request (an incoming Accept).
pub async fn receive_accept(
    state: &AppState,
    target: &accounts::Model,
    follower: &accounts::Model,
) -> AppResult<()> {
    let txn = state.db.write.begin().await?;
    let Some(request) =
        db::relationships::find_follow_request(&txn, follower.id, target.id).await?
    else {
        // Already following, or never asked: nothing to do.
        return Ok(());
    };
    db::relationships::delete_follow_request(&txn, follower.id, target.id).await?;
    let opts = FollowOptions {
        show_reblogs: request.show_reblogs,
        notify: request.notify,
    };
    create_follow(state, &txn, follower, target, opts, request.uri).await?;
    txn.commit().await?;
    Ok(())
}

/// A remote account turned down (or ended) a local account's follow (an incoming Reject).
pub async fn receive_reject(
    state: &AppState,
    target: &accounts::Model,
    follower: &accounts::Model,
) -> AppResult<()> {
    let txn = state.db.write.begin().await?;
    db::relationships::delete_follow_request(&txn, follower.id, target.id).await?;
    remove_follow(&txn, follower.id, target.id).await?;
    txn.commit().await?;
    Ok(())
}

/// Writes the follow, moves both counters and fills the follower's feed.
async fn create_follow(
    state: &AppState,
    txn: &DatabaseTransaction,
    follower: &accounts::Model,
    target: &accounts::Model,
    opts: FollowOptions,
    uri: Option<String>,
) -> AppResult<()> {
    db::relationships::insert_follow(
        txn,
        follows::ActiveModel {
            id: Set(state.ids.next()),
            account_id: Set(follower.id),
            target_account_id: Set(target.id),
            uri: Set(uri),
            show_reblogs: Set(opts.show_reblogs),
            notify: Set(opts.notify),
            created_at: Set(db::now()),
        },
    )
    .await?;
    db::accounts::bump(txn, follower.id, Counter::Following, 1).await?;
    db::accounts::bump(txn, target.id, Counter::Followers, 1).await?;
    if follower.is_local() {
        backfill(txn, follower.id, target.id, opts.show_reblogs).await?;
    }
    Ok(())
}

/// Puts the recent statuses of `author_id` into `reader_id`'s feed.
async fn backfill(
    conn: &impl ConnectionTrait,
    reader_id: i64,
    author_id: i64,
    show_reblogs: bool,
) -> AppResult<()> {
    for s in db::feeds::backfill_candidates(conn, author_id, BACKFILL).await? {
        if s.reblog_of_id.is_some() && !show_reblogs {
            continue;
        }
        db::feeds::insert(conn, &[reader_id], &s).await?;
    }
    Ok(())
}

/// Approves a pending request from `requester_id` to follow `account`.
pub async fn authorize_follow_request(
    state: &AppState,
    account: &accounts::Model,
    requester_id: i64,
) -> AppResult<()> {
    let txn = state.db.write.begin().await?;
    let request = db::relationships::find_follow_request(&txn, requester_id, account.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let requester = db::accounts::find(&txn, requester_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    db::relationships::delete_follow_request(&txn, requester_id, account.id).await?;
    let opts = FollowOptions {
        show_reblogs: request.show_reblogs,
        notify: request.notify,
    };
    create_follow(state, &txn, &requester, account, opts, request.uri.clone()).await?;
    if let Some(uri) = &request.uri {
        let accept = answer_follow(
            "Accept",
            &account.uri,
            uri,
            &requester.uri,
            state.ids.next(),
        );
        emit_to(&txn, state, account, accept, &requester).await?;
    }
    txn.commit().await?;
    kick(state);
    Ok(())
}

/// Turns down a pending request from `requester_id`.
pub async fn reject_follow_request(
    state: &AppState,
    account: &accounts::Model,
    requester_id: i64,
) -> AppResult<()> {
    let txn = state.db.write.begin().await?;
    let request = db::relationships::find_follow_request(&txn, requester_id, account.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    db::relationships::delete_follow_request(&txn, requester_id, account.id).await?;
    if let (Some(uri), Some(requester)) =
        (&request.uri, db::accounts::find(&txn, requester_id).await?)
    {
        let reject = answer_follow(
            "Reject",
            &account.uri,
            uri,
            &requester.uri,
            state.ids.next(),
        );
        emit_to(&txn, state, account, reject, &requester).await?;
    }
    txn.commit().await?;
    kick(state);
    Ok(())
}

/// Pending requests to follow `account`.
pub async fn follow_requests(
    state: &AppState,
    account: &accounts::Model,
) -> AppResult<Vec<accounts::Model>> {
    let reqs = db::relationships::follow_requests_for(&state.db.read, account.id).await?;
    let ids: Vec<i64> = reqs.iter().map(|r| r.account_id).collect();
    let mut accounts = db::accounts::find_many(&state.db.read, &ids).await?;
    accounts.sort_by_key(|a| ids.iter().position(|i| *i == a.id));
    Ok(accounts)
}

/// Stops following `target_id` (or withdraws a pending request). Idempotent.
pub async fn unfollow(
    state: &AppState,
    account: &accounts::Model,
    target_id: i64,
) -> AppResult<()> {
    let txn = state.db.write.begin().await?;
    let follow_uri = match db::relationships::find_follow(&txn, account.id, target_id).await? {
        Some(f) => f.uri,
        None => db::relationships::find_follow_request(&txn, account.id, target_id)
            .await?
            .and_then(|r| r.uri),
    };
    remove_follow(&txn, account.id, target_id).await?;
    if db::relationships::delete_follow_request(&txn, account.id, target_id).await? > 0 {
        db::notifications::delete_for(
            &txn,
            target_id,
            account.id,
            NotificationKind::FollowRequest,
            None,
        )
        .await?;
    }
    if let (Some(uri), Some(target)) = (follow_uri, db::accounts::find(&txn, target_id).await?)
        && !target.is_local()
    {
        let activity = undo(
            &account.uri,
            follow_activity::follow(&uri, &account.uri, &target.uri),
        );
        emit_to(&txn, state, account, activity, &target).await?;
    }
    txn.commit().await?;
    kick(state);
    Ok(())
}

/// Ends a follow without telling anyone (the other side already knows).
pub(crate) async fn receive_unfollow_by_ids(
    state: &AppState,
    follower_id: i64,
    target_id: i64,
) -> AppResult<()> {
    let txn = state.db.write.begin().await?;
    remove_follow(&txn, follower_id, target_id).await?;
    db::relationships::delete_follow_request(&txn, follower_id, target_id).await?;
    txn.commit().await?;
    Ok(())
}

/// A remote follower stopped following a local account (an incoming Undo Follow).
pub async fn receive_unfollow(
    state: &AppState,
    follower: &accounts::Model,
    target: &accounts::Model,
) -> AppResult<()> {
    let txn = state.db.write.begin().await?;
    remove_follow(&txn, follower.id, target.id).await?;
    db::relationships::delete_follow_request(&txn, follower.id, target.id).await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes a follow with its counters, feed entries and notification.
async fn remove_follow(
    conn: &impl ConnectionTrait,
    follower_id: i64,
    target_id: i64,
) -> AppResult<bool> {
    if db::relationships::delete_follow(conn, follower_id, target_id).await? == 0 {
        return Ok(false);
    }
    db::accounts::bump(conn, follower_id, Counter::Following, -1).await?;
    db::accounts::bump(conn, target_id, Counter::Followers, -1).await?;
    db::feeds::remove_author(conn, follower_id, target_id).await?;
    // Lists hold followed accounts only, as on Mastodon.
    db::lists::remove_from_owner_lists(conn, follower_id, target_id).await?;
    db::notifications::delete_for(conn, target_id, follower_id, NotificationKind::Follow, None)
        .await?;
    Ok(true)
}

/// Removes `follower_id` from `account`'s followers.
pub async fn remove_from_followers(
    state: &AppState,
    account: &accounts::Model,
    follower_id: i64,
) -> AppResult<()> {
    let txn = state.db.write.begin().await?;
    remove_follower(
        &txn,
        state,
        account,
        follower_id,
        db::relationships::find_follow(&txn, follower_id, account.id)
            .await?
            .and_then(|f| f.uri),
    )
    .await?;
    txn.commit().await?;
    kick(state);
    Ok(())
}

/// Ends `follower_id`'s follow of `account` and, when the follow came from
/// another server (`follow_uri`), tells it with a Reject.
async fn remove_follower(
    conn: &impl ConnectionTrait,
    state: &AppState,
    account: &accounts::Model,
    follower_id: i64,
    follow_uri: Option<String>,
) -> AppResult<()> {
    remove_follow(conn, follower_id, account.id).await?;
    if let (Some(uri), Some(follower)) = (follow_uri, db::accounts::find(conn, follower_id).await?)
    {
        let reject = answer_follow(
            "Reject",
            &account.uri,
            &uri,
            &follower.uri,
            state.ids.next(),
        );
        emit_to(conn, state, account, reject, &follower).await?;
    }
    Ok(())
}

/// Blocks `target_id`: ends follows and requests both ways, clears each from the
/// other's feed and drops the target's notifications to the blocker.
pub async fn block(state: &AppState, account: &accounts::Model, target_id: i64) -> AppResult<()> {
    if account.id == target_id {
        return Err(AppError::Forbidden("You cannot block yourself".into()));
    }
    let txn = state.db.write.begin().await?;
    let target = db::accounts::find(&txn, target_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let block_id = state.ids.next();
    let fresh = db::relationships::find_block(&txn, account.id, target_id)
        .await?
        .is_none();
    db::relationships::insert_block(
        &txn,
        blocks::ActiveModel {
            id: Set(block_id),
            account_id: Set(account.id),
            target_account_id: Set(target_id),
            uri: Set(None),
            created_at: Set(db::now()),
        },
    )
    .await?;
    remove_follow(&txn, account.id, target_id).await?;
    remove_follow(&txn, target_id, account.id).await?;
    db::relationships::delete_follow_request(&txn, account.id, target_id).await?;
    db::relationships::delete_follow_request(&txn, target_id, account.id).await?;
    db::feeds::remove_author(&txn, account.id, target_id).await?;
    db::feeds::remove_author(&txn, target_id, account.id).await?;
    db::notifications::delete_all_from(&txn, account.id, target_id).await?;
    if fresh {
        let activity =
            block_activity::block(&state.base_url(), block_id, &account.uri, &target.uri);
        emit_to(&txn, state, account, activity, &target).await?;
    }
    txn.commit().await?;
    kick(state);
    Ok(())
}

pub async fn unblock(state: &AppState, account: &accounts::Model, target_id: i64) -> AppResult<()> {
    let txn = state.db.write.begin().await?;
    if let Some(b) = db::relationships::find_block(&txn, account.id, target_id).await? {
        db::relationships::delete_block(&txn, account.id, target_id).await?;
        if let Some(target) = db::accounts::find(&txn, target_id).await? {
            let activity = undo(
                &account.uri,
                block_activity::block(&state.base_url(), b.id, &account.uri, &target.uri),
            );
            emit_to(&txn, state, account, activity, &target).await?;
        }
    }
    txn.commit().await?;
    kick(state);
    Ok(())
}

/// Mutes `target_id`: their statuses leave the home feed and stop arriving;
/// with `hide_notifications`, so do their notifications. `duration` ends it by itself.
pub async fn mute(
    state: &AppState,
    account: &accounts::Model,
    target_id: i64,
    hide_notifications: bool,
    duration: Option<chrono::Duration>,
) -> AppResult<()> {
    if account.id == target_id {
        return Err(AppError::Forbidden("You cannot mute yourself".into()));
    }
    let txn = state.db.write.begin().await?;
    db::accounts::find(&txn, target_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let now = db::now();
    db::relationships::upsert_mute(
        &txn,
        mutes::ActiveModel {
            id: Set(state.ids.next()),
            account_id: Set(account.id),
            target_account_id: Set(target_id),
            hide_notifications: Set(hide_notifications),
            expires_at: Set(duration.map(|d| now + d)),
            created_at: Set(now),
        },
    )
    .await?;
    db::feeds::remove_author(&txn, account.id, target_id).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn unmute(state: &AppState, account: &accounts::Model, target_id: i64) -> AppResult<()> {
    db::relationships::delete_mute(&state.db.write, account.id, target_id).await?;
    Ok(())
}

/// Every boolean of Mastodon's Relationship entity that the core knows, and
/// the viewer's private note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Relationship {
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub requested: bool,
    pub requested_by: bool,
    /// The viewer blocks the account's domain.
    pub domain_blocking: bool,
    /// The viewer's private note on the account ("" when none).
    pub note: String,
}

pub async fn relationship(
    state: &AppState,
    account: &accounts::Model,
    target_id: i64,
) -> AppResult<Relationship> {
    let c = &state.db.read;
    let follow = db::relationships::find_follow(c, account.id, target_id).await?;
    let mute = db::relationships::find_mute(c, account.id, target_id).await?;
    Ok(Relationship {
        following: follow.is_some(),
        showing_reblogs: follow.as_ref().is_some_and(|f| f.show_reblogs),
        notifying: follow.as_ref().is_some_and(|f| f.notify),
        followed_by: db::relationships::find_follow(c, target_id, account.id)
            .await?
            .is_some(),
        blocking: db::relationships::find_block(c, account.id, target_id)
            .await?
            .is_some(),
        blocked_by: db::relationships::find_block(c, target_id, account.id)
            .await?
            .is_some(),
        muting: mute.is_some(),
        muting_notifications: mute.as_ref().is_some_and(|m| m.hide_notifications),
        requested: db::relationships::find_follow_request(c, account.id, target_id)
            .await?
            .is_some(),
        requested_by: db::relationships::find_follow_request(c, target_id, account.id)
            .await?
            .is_some(),
        domain_blocking: match db::accounts::find(c, target_id)
            .await?
            .and_then(|t| t.domain)
        {
            Some(d) => db::domain_blocks::is_blocked(c, account.id, &d).await?,
            None => false,
        },
        note: db::featured::note(c, account.id, target_id)
            .await?
            .unwrap_or_default(),
    })
}

/// A domain as people type it (`Example.ORG`, `https://example.org/`), as
/// `accounts.domain` keeps it: lower case, host with an optional port.
fn normalise_domain(state: &AppState, input: &str) -> AppResult<String> {
    let t = input.trim().to_lowercase();
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(&t)
        .trim_end_matches('/')
        .to_string();
    let bad = || AppError::validation(format!("{input} is not a domain"));
    let parsed = url::Url::parse(&format!("http://{t}/")).map_err(|_| bad())?;
    let host = parsed
        .host_str()
        .filter(|h| h.contains('.') || *h == "localhost")
        .ok_or_else(bad)?;
    let domain = match parsed.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    if domain != t || t.is_empty() {
        return Err(bad());
    }
    if domain == state.config.domain {
        return Err(AppError::validation("You cannot block your own server"));
    }
    Ok(domain)
}

/// Blocks a domain for `account`: its followers there are removed (each told
/// with a Reject), pending requests, feed rows and notifications from there
/// are deleted, and from now on nothing from there reaches `account`.
/// Existing follows of accounts there stay, as on Mastodon.
pub async fn block_domain(
    state: &AppState,
    account: &accounts::Model,
    domain: &str,
) -> AppResult<()> {
    let domain = normalise_domain(state, domain)?;
    let txn = state.db.write.begin().await?;
    db::domain_blocks::insert(&txn, state.ids.next(), account.id, &domain).await?;
    for f in db::domain_blocks::followers_from(&txn, account.id, &domain).await? {
        remove_follower(&txn, state, account, f.account_id, f.uri).await?;
    }
    db::domain_blocks::clear_traces(&txn, account.id, &domain).await?;
    txn.commit().await?;
    kick(state);
    Ok(())
}

pub async fn unblock_domain(
    state: &AppState,
    account: &accounts::Model,
    domain: &str,
) -> AppResult<()> {
    let domain = normalise_domain(state, domain)?;
    db::domain_blocks::delete(&state.db.write, account.id, &domain).await?;
    Ok(())
}

/// A page of the domains `account` blocks: `(block id, domain)`, newest first.
pub async fn blocked_domains(
    state: &AppState,
    account: &accounts::Model,
    page: &db::Page,
) -> AppResult<Vec<(i64, String)>> {
    Ok(db::domain_blocks::page(&state.db.read, account.id, page)
        .await?
        .into_iter()
        .map(|b| (b.id, b.domain))
        .collect())
}

/// The longest private note on an account, in characters (Mastodon's limit).
const MAX_NOTE_CHARS: usize = 2000;

/// Sets `account`'s private note on `target_id`; an empty note removes it.
pub async fn set_note(
    state: &AppState,
    account: &accounts::Model,
    target_id: i64,
    comment: &str,
) -> AppResult<()> {
    if comment.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::validation(format!(
            "Validation failed: Comment is too long (maximum is {MAX_NOTE_CHARS} characters)"
        )));
    }
    db::accounts::find(&state.db.read, target_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    db::featured::set_note(&state.db.write, account.id, target_id, comment.trim()).await?;
    Ok(())
}

/// A page of an account's followers or follows: `(follow id, account)`, newest first.
pub async fn follows_page(
    state: &AppState,
    account_id: i64,
    side: db::relationships::FollowSide,
    page: &db::Page,
) -> AppResult<Vec<(i64, accounts::Model)>> {
    let pairs = db::relationships::follows_page(&state.db.read, account_id, side, page).await?;
    let ids: Vec<i64> = pairs.iter().map(|(_, a)| *a).collect();
    let accounts = db::accounts::find_many(&state.db.read, &ids).await?;
    Ok(pairs
        .into_iter()
        .filter_map(|(fid, aid)| {
            accounts
                .iter()
                .find(|a| a.id == aid)
                .map(|a| (fid, a.clone()))
        })
        .collect())
}

/// Which list of accounts an account keeps.
#[derive(Clone, Copy, Debug)]
pub enum AccountList {
    Blocks,
    Mutes,
}

/// A page of the accounts someone blocks or mutes: `(row id, account)`.
pub async fn account_list(
    state: &AppState,
    account: &accounts::Model,
    list: AccountList,
    page: &db::Page,
) -> AppResult<Vec<(i64, accounts::Model)>> {
    let pairs = match list {
        AccountList::Blocks => {
            db::relationships::blocks_page(&state.db.read, account.id, page).await?
        }
        AccountList::Mutes => {
            db::relationships::mutes_page(&state.db.read, account.id, page).await?
        }
    };
    let ids: Vec<i64> = pairs.iter().map(|(_, a)| *a).collect();
    let accounts = db::accounts::find_many(&state.db.read, &ids).await?;
    Ok(pairs
        .into_iter()
        .filter_map(|(rid, aid)| {
            accounts
                .iter()
                .find(|a| a.id == aid)
                .map(|a| (rid, a.clone()))
        })
        .collect())
}
