//! The client API's entities, shaped exactly as Mastodon shapes them: ids as
//! strings, ISO 8601 times, every required field present.
use std::collections::{HashMap, HashSet};

use entity::{accounts, notifications, statuses};
use serde_json::{Value, json};

use crate::db;
use crate::error::AppResult;
use crate::service::filters::{FilterSet, FilterView};
use crate::service::relationships::Relationship;
use crate::service::timelines::StatusView;
use crate::state::AppState;

/// `2026-11-29T05:00:00.000Z`
pub fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `{prefix}/{name}` with the hashtag's name percent-encoded, so that a tag in
/// any script still makes a valid URI (as Mastodon's `/tags/%C3%B2`).
pub fn tag_url(prefix: &str, name: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    format!("{prefix}/{encoded}")
}

pub const MISSING_AVATAR: &str = "/avatars/original/missing.png";
pub const MISSING_HEADER: &str = "/headers/original/missing.png";

pub fn account(state: &AppState, a: &accounts::Model) -> Value {
    let base = state.base_url();
    let avatar = a
        .avatar_url
        .clone()
        .unwrap_or_else(|| format!("{base}{MISSING_AVATAR}"));
    let header = a
        .header_url
        .clone()
        .unwrap_or_else(|| format!("{base}{MISSING_HEADER}"));
    let fields: Vec<Value> = a
        .fields
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| json!({ "name": f.get("name").cloned().unwrap_or(json!("")), "value": f.get("value").cloned().unwrap_or(json!("")), "verified_at": f.get("verified_at").cloned().unwrap_or(Value::Null) }))
                .collect()
        })
        .unwrap_or_default();
    // Mastodon reports the day an account was made, at midnight.
    let created = a
        .created_at
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc())
        .unwrap_or(a.created_at);
    json!({
        "id": a.id.to_string(),
        "username": a.username,
        "acct": a.acct(),
        "display_name": a.display_name,
        "locked": a.locked,
        "bot": a.bot,
        "discoverable": a.discoverable,
        "indexable": a.discoverable,
        "group": false,
        "noindex": !a.discoverable,
        "hide_collections": false,
        "created_at": time(created),
        "note": a.note,
        "url": a.url.clone().unwrap_or_else(|| a.uri.clone()),
        "uri": a.uri,
        "avatar": avatar,
        "avatar_static": avatar,
        "avatar_description": "",
        "header": header,
        "header_static": header,
        "header_description": "",
        "followers_count": a.followers_count.max(0),
        "following_count": a.following_count.max(0),
        "statuses_count": a.statuses_count.max(0),
        "last_status_at": a.last_status_at.map(|t| t.date_naive().to_string()),
        "emojis": [],
        "fields": fields,
        "roles": [],
    })
}

/// The authenticated user's own account, with `source` (what they typed).
pub fn credential_account(
    state: &AppState,
    a: &accounts::Model,
    follow_requests_count: usize,
) -> Value {
    let mut v = account(state, a);
    let fields: Vec<Value> = a
        .fields
        .as_array()
        .map(|fs| fs.iter().map(|f| json!({ "name": f.get("name").cloned().unwrap_or(json!("")), "value": crate::service::text::strip_html(f.get("value").and_then(Value::as_str).unwrap_or("")), "verified_at": null })).collect())
        .unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "source".into(),
            json!({
                "privacy": "public",
                "sensitive": false,
                "language": "",
                "note": a.note_source.clone().unwrap_or_default(),
                "fields": fields,
                "follow_requests_count": follow_requests_count,
                "hide_collections": false,
                "discoverable": a.discoverable,
                "indexable": a.discoverable,
                "attribution_domains": [],
            }),
        );
        obj.insert("role".into(), json!({ "id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": false }));
    }
    v
}

/// A MediaAttachment. `url` is null while the file is processing.
pub fn media_attachment(state: &AppState, m: &entity::media_attachments::Model) -> Value {
    let (url, preview) = crate::service::media::urls(state, m);
    let meta = if m.meta.as_object().is_some_and(|o| !o.is_empty()) {
        m.meta.clone()
    } else {
        Value::Null
    };
    json!({
        "id": m.id.to_string(),
        "type": m.kind,
        "url": url,
        "preview_url": preview,
        "remote_url": m.remote_url,
        "preview_remote_url": null,
        "text_url": null,
        "meta": meta,
        "description": m.description,
        "blurhash": m.blurhash,
    })
}

pub fn relationship(target_id: i64, r: &Relationship) -> Value {
    json!({
        "id": target_id.to_string(),
        "following": r.following,
        "showing_reblogs": r.showing_reblogs,
        "notifying": r.notifying,
        "languages": null,
        "followed_by": r.followed_by,
        "blocking": r.blocking,
        "blocked_by": r.blocked_by,
        "muting": r.muting,
        "muting_notifications": r.muting_notifications,
        "muting_expires_at": null,
        "requested": r.requested,
        "requested_by": r.requested_by,
        "domain_blocking": r.domain_blocking,
        "endorsed": false,
        "note": r.note,
    })
}

/// What it takes to render many statuses for one viewer, loaded in a fixed
/// number of queries.
struct StatusContext {
    accounts: HashMap<i64, accounts::Model>,
    pinned: HashSet<i64>,
    filters: FilterSet,
    mentions: HashMap<i64, Vec<i64>>,
    tags: HashMap<i64, Vec<String>>,
    favourited: HashSet<i64>,
    bookmarked: HashSet<i64>,
    reblogged: HashSet<i64>,
    media: HashMap<i64, Vec<entity::media_attachments::Model>>,
    /// Threads (conversation ids) the viewer muted.
    muted_threads: HashSet<i64>,
    viewer: Option<i64>,
}

async fn load_context(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    views: &[StatusView],
) -> AppResult<StatusContext> {
    let c = &state.db.read;
    let shown: Vec<&statuses::Model> = views.iter().map(|v| v.shown()).collect();
    let ids: Vec<i64> = shown.iter().map(|s| s.id).collect();
    let mention_pairs = db::statuses::mentions_for(c, &ids).await?;
    let mut account_ids: Vec<i64> = mention_pairs.iter().map(|(_, a)| *a).collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let mut accounts: HashMap<i64, accounts::Model> = db::accounts::find_many(c, &account_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    for v in views {
        accounts.insert(v.account.id, v.account.clone());
        if let Some(r) = &v.reblog {
            accounts.insert(r.account.id, r.account.clone());
        }
    }
    let mut mentions: HashMap<i64, Vec<i64>> = HashMap::new();
    for (s, a) in mention_pairs {
        mentions.entry(s).or_default().push(a);
    }
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (s, n) in db::statuses::tags_for(c, &ids).await? {
        tags.entry(s).or_default().push(n);
    }
    let filters = match viewer {
        Some(v) => FilterSet::load(state, v).await?,
        None => FilterSet::default(),
    };
    // The viewer's favourites, bookmarks, boosts and pins of these statuses, in one query.
    let (mut favourited, mut bookmarked, mut reblogged, mut pinned) = Default::default();
    if let Some(v) = viewer {
        use db::interactions::ViewerFlag;
        for (id, flag) in db::interactions::viewer_flags_among(c, v.id, &ids).await? {
            let set: &mut HashSet<i64> = match flag {
                ViewerFlag::Favourited => &mut favourited,
                ViewerFlag::Bookmarked => &mut bookmarked,
                ViewerFlag::Reblogged => &mut reblogged,
                ViewerFlag::Pinned => &mut pinned,
            };
            set.insert(id);
        }
    }
    let media = db::media::for_statuses(c, &ids).await?;
    let muted_threads = match viewer {
        Some(v) => {
            let mut threads: Vec<i64> = shown.iter().filter_map(|s| s.conversation_id).collect();
            threads.sort_unstable();
            threads.dedup();
            db::conversation_mutes::muted_among(c, v.id, &threads)
                .await?
                .into_iter()
                .collect()
        }
        None => HashSet::new(),
    };
    Ok(StatusContext {
        media,
        muted_threads,
        accounts,
        pinned,
        filters,
        mentions,
        tags,
        favourited,
        bookmarked,
        reblogged,
        viewer: viewer.map(|v| v.id),
    })
}

fn status_value(
    state: &AppState,
    ctx: &StatusContext,
    s: &statuses::Model,
    author: &accounts::Model,
    reblog: Option<Value>,
) -> Value {
    let base = state.base_url();
    let mentions: Vec<Value> = ctx
        .mentions
        .get(&s.id)
        .map(|ids| {
            ids.iter()
                .filter_map(|id| ctx.accounts.get(id))
                .map(|a| json!({ "id": a.id.to_string(), "username": a.username, "acct": a.acct(), "url": a.url.clone().unwrap_or_else(|| a.uri.clone()) }))
                .collect()
        })
        .unwrap_or_default();
    let tags: Vec<Value> = ctx
        .tags
        .get(&s.id)
        .map(|ns| {
            ns.iter()
                .map(|n| json!({ "name": n, "url": tag_url(&format!("{base}/tags"), n) }))
                .collect()
        })
        .unwrap_or_default();
    let own = ctx.viewer == Some(s.account_id);
    let mut v = json!({
        "id": s.id.to_string(),
        "uri": s.uri,
        "url": s.url,
        "created_at": time(s.created_at),
        "edited_at": s.edited_at.map(time),
        "content": s.content,
        "visibility": s.visibility.as_str(),
        "sensitive": s.sensitive,
        "spoiler_text": s.spoiler_text,
        "application": if own && s.local { json!({ "name": "Kith", "website": null }) } else { Value::Null },
        "emojis": [],
        "reblogs_count": s.reblogs_count.max(0),
        "favourites_count": s.favourites_count.max(0),
        "replies_count": s.replies_count.max(0),
        "quotes_count": 0,
        "in_reply_to_id": s.in_reply_to_id.map(|i| i.to_string()),
        "in_reply_to_account_id": s.in_reply_to_account_id.map(|i| i.to_string()),
        "poll": null,
        "card": null,
        "language": s.language,
        "text": null,
        "filtered": [],
    });
    // Values made elsewhere are moved in: inside `json!` each would be copied
    // by serialising it again (a tenth of the cost of a timeline page).
    if let Some(obj) = v.as_object_mut() {
        let media: Vec<Value> = ctx
            .media
            .get(&s.id)
            .map(|ms| ms.iter().map(|m| media_attachment(state, m)).collect())
            .unwrap_or_default();
        obj.insert("account".into(), account(state, author));
        obj.insert("media_attachments".into(), Value::Array(media));
        obj.insert("mentions".into(), Value::Array(mentions));
        obj.insert("tags".into(), Value::Array(tags));
        obj.insert("reblog".into(), reblog.unwrap_or(Value::Null));
    }
    if let (Some(obj), Some(_)) = (v.as_object_mut(), ctx.viewer) {
        obj.insert("favourited".into(), json!(ctx.favourited.contains(&s.id)));
        obj.insert("reblogged".into(), json!(ctx.reblogged.contains(&s.id)));
        obj.insert(
            "muted".into(),
            json!(
                s.conversation_id
                    .is_some_and(|c| ctx.muted_threads.contains(&c))
            ),
        );
        obj.insert("bookmarked".into(), json!(ctx.bookmarked.contains(&s.id)));
        obj.insert("pinned".into(), json!(own && ctx.pinned.contains(&s.id)));
    }
    v
}

/// Where statuses are shown, for filters (a `hide` filter removes a status
/// only in the contexts it names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterContext {
    Home,
    Notifications,
    Public,
    Thread,
    Account,
}

impl FilterContext {
    pub fn as_str(self) -> &'static str {
        match self {
            FilterContext::Home => "home",
            FilterContext::Notifications => "notifications",
            FilterContext::Public => "public",
            FilterContext::Thread => "thread",
            FilterContext::Account => "account",
        }
    }
}

/// A filter as Mastodon shows it (v2), with or without its keywords and statuses.
pub fn filter(f: &FilterView, with_parts: bool) -> Value {
    let mut v = json!({
        "id": f.filter.id.to_string(),
        "title": f.filter.title,
        "context": f.contexts(),
        "expires_at": f.filter.expires_at.map(time),
        "filter_action": f.filter.action,
    });
    if with_parts && let Some(o) = v.as_object_mut() {
        o.insert(
            "keywords".into(),
            f.keywords.iter().map(filter_keyword).collect(),
        );
        o.insert(
            "statuses".into(),
            f.statuses.iter().map(filter_status).collect(),
        );
    }
    v
}

pub fn filter_keyword(k: &entity::filter_keywords::Model) -> Value {
    json!({ "id": k.id.to_string(), "keyword": k.keyword, "whole_word": k.whole_word })
}

pub fn filter_status(s: &entity::filter_statuses::Model) -> Value {
    json!({ "id": s.id.to_string(), "status_id": s.status_id.to_string() })
}

/// The v1 shape: one filter per keyword.
pub fn filters_v1(f: &FilterView) -> Vec<Value> {
    f.keywords
        .iter()
        .map(|k| {
            json!({
                "id": k.id.to_string(),
                "phrase": k.keyword,
                "context": f.contexts(),
                "whole_word": k.whole_word,
                "expires_at": f.filter.expires_at.map(time),
                "irreversible": f.hides(),
            })
        })
        .collect()
}

fn filter_results(matches: &[crate::service::filters::FilterMatch]) -> Value {
    matches
        .iter()
        .map(|m| {
            json!({
                "filter": filter(&m.filter, false),
                "keyword_matches": if m.keyword_matches.is_empty() { Value::Null } else { json!(m.keyword_matches) },
                "status_matches": if m.status_matches.is_empty() { Value::Null } else { json!(m.status_matches) },
            })
        })
        .collect()
}

pub fn list(l: &entity::lists::Model) -> Value {
    json!({
        "id": l.id.to_string(),
        "title": l.title,
        "replies_policy": l.replies_policy,
        "exclusive": l.exclusive,
    })
}

/// Renders statuses for `viewer`, keeping their order; the viewer's matching
/// filters are in each status's `filtered`.
pub async fn statuses(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    views: &[StatusView],
) -> AppResult<Vec<Value>> {
    Ok(render_statuses(state, viewer, views, None)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// Renders statuses shown in `context`, leaving out those a `hide` filter of the
/// viewer's removes there.
pub async fn statuses_in(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    views: &[StatusView],
    context: FilterContext,
) -> AppResult<Vec<Value>> {
    Ok(render_statuses(state, viewer, views, Some(context))
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// One status shown in `context`: `None` when a filter hides it there.
pub async fn status_in(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    s: statuses::Model,
    context: FilterContext,
) -> AppResult<Option<Value>> {
    let views = crate::service::timelines::hydrate(state, vec![s]).await?;
    Ok(render_statuses(state, viewer, &views, Some(context))
        .await?
        .pop()
        .flatten())
}

/// Renders `views` in order; an entry is `None` when a filter hides it in `context`.
async fn render_statuses(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    views: &[StatusView],
    context: Option<FilterContext>,
) -> AppResult<Vec<Option<Value>>> {
    let ctx = load_context(state, viewer, views).await?;
    Ok(views
        .iter()
        .map(|v| {
            let matches = ctx.filters.matches(v.shown());
            if let Some(c) = context
                && crate::service::filters::hidden_in(&matches, c.as_str())
            {
                return None;
            }
            let filtered = filter_results(&matches);
            let reblog = v.reblog.as_ref().map(|r| {
                let mut inner = status_value(state, &ctx, &r.status, &r.account, None);
                if let Some(o) = inner.as_object_mut() {
                    o.insert("filtered".into(), filtered.clone());
                }
                inner
            });
            let mut outer = status_value(state, &ctx, &v.status, &v.account, reblog);
            if let Some(o) = outer.as_object_mut() {
                o.insert("filtered".into(), filtered);
            }
            // A reblog wrapper reports the viewer's flags of the reblogged status.
            if let (Some(r), Some(obj)) = (&v.reblog, outer.as_object_mut())
                && ctx.viewer.is_some()
            {
                obj.insert(
                    "favourited".into(),
                    json!(ctx.favourited.contains(&r.status.id)),
                );
                obj.insert(
                    "reblogged".into(),
                    json!(ctx.reblogged.contains(&r.status.id)),
                );
                obj.insert(
                    "bookmarked".into(),
                    json!(ctx.bookmarked.contains(&r.status.id)),
                );
            }
            Some(outer)
        })
        .collect())
}

pub async fn status(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    s: statuses::Model,
) -> AppResult<Value> {
    let views = crate::service::timelines::hydrate(state, vec![s]).await?;
    let mut out = statuses(state, viewer, &views).await?;
    out.pop().ok_or_else(crate::error::AppError::not_found)
}

pub async fn notifications(
    state: &AppState,
    viewer: &accounts::Model,
    ns: &[notifications::Model],
) -> AppResult<Vec<Value>> {
    let c = &state.db.read;
    let mut account_ids: Vec<i64> = ns.iter().map(|n| n.from_account_id).collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let accounts: HashMap<i64, accounts::Model> = db::accounts::find_many(c, &account_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let status_ids: Vec<i64> = ns.iter().filter_map(|n| n.status_id).collect();
    let rows = db::statuses::find_many(c, &status_ids).await?;
    let views = crate::service::timelines::hydrate(state, rows).await?;
    let rendered = render_statuses(
        state,
        Some(viewer),
        &views,
        Some(FilterContext::Notifications),
    )
    .await?;
    // A status a filter hides in notifications takes its notification with it.
    let by_id: HashMap<i64, Value> = views
        .iter()
        .map(|v| v.status.id)
        .zip(rendered)
        .filter_map(|(id, v)| v.map(|v| (id, v)))
        .collect();
    Ok(ns
        .iter()
        .filter_map(|n| {
            let from = accounts.get(&n.from_account_id)?;
            let status = match n.status_id {
                Some(id) => Some(by_id.get(&id)?.clone()),
                None => None,
            };
            let kind = n.kind.as_str();
            Some(json!({
                "id": n.id.to_string(),
                "type": kind,
                "group_key": crate::service::notifications::group_key_of(n),
                "created_at": time(n.created_at),
                "account": account(state, from),
                "status": status,
            }))
        })
        .collect())
}

/// A direct-message conversation as its participant `viewer` sees it.
pub async fn conversation(
    state: &AppState,
    viewer: &accounts::Model,
    c: &crate::service::conversations::ConversationView,
) -> AppResult<Value> {
    let last = match &c.last_status {
        Some(s) => Some(status(state, Some(viewer), s.clone()).await?),
        None => None,
    };
    Ok(json!({
        "id": c.row.id.to_string(),
        "unread": c.row.unread,
        "accounts": c.participants.iter().map(|a| account(state, a)).collect::<Vec<_>>(),
        "last_status": last,
    }))
}

/// `/api/v2/notifications`: the groups, and the accounts and statuses they
/// refer to, each once (a fixed number of queries).
pub async fn notification_groups(
    state: &AppState,
    viewer: &accounts::Model,
    groups: &[crate::service::notifications::Group],
) -> AppResult<Value> {
    let c = &state.db.read;
    let mut account_ids: Vec<i64> = groups
        .iter()
        .flat_map(|g| g.sample_account_ids.iter().copied())
        .collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let accounts = db::accounts::find_many(c, &account_ids).await?;
    let mut status_ids: Vec<i64> = groups.iter().filter_map(|g| g.latest.status_id).collect();
    status_ids.sort_unstable();
    status_ids.dedup();
    let rows = db::statuses::find_many(c, &status_ids).await?;
    let views = crate::service::timelines::hydrate(state, rows).await?;
    let rendered = render_statuses(
        state,
        Some(viewer),
        &views,
        Some(FilterContext::Notifications),
    )
    .await?;
    let shown: HashMap<i64, Value> = views
        .iter()
        .map(|v| v.status.id)
        .zip(rendered)
        .filter_map(|(id, v)| v.map(|v| (id, v)))
        .collect();
    let known: HashSet<i64> = accounts.iter().map(|a| a.id).collect();
    let out_groups: Vec<Value> = groups
        .iter()
        .filter(|g| g.latest.status_id.is_none_or(|s| shown.contains_key(&s)))
        .filter(|g| g.sample_account_ids.iter().any(|a| known.contains(a)))
        .map(|g| {
            json!({
                "group_key": g.key,
                "notifications_count": g.count,
                "type": g.latest.kind.as_str(),
                "most_recent_notification_id": g.latest.id,
                "page_min_id": g.oldest_id.to_string(),
                "page_max_id": g.latest.id.to_string(),
                "latest_page_notification_at": time(g.latest.created_at),
                "sample_account_ids": g.sample_account_ids.iter().filter(|a| known.contains(a)).map(|a| a.to_string()).collect::<Vec<_>>(),
                "status_id": g.latest.status_id.map(|s| s.to_string()),
            })
        })
        .collect();
    Ok(json!({
        "accounts": accounts.iter().map(|a| account(state, a)).collect::<Vec<_>>(),
        "statuses": shown.into_values().collect::<Vec<_>>(),
        "notification_groups": out_groups,
    }))
}
