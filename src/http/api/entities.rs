//! The client API's entities, shaped exactly as Mastodon shapes them: ids as
//! strings, ISO 8601 times, every required field present.
use std::collections::{HashMap, HashSet};

use entity::{accounts, notifications, statuses};
use serde_json::{Value, json};

use crate::db;
use crate::error::AppResult;
use crate::service::relationships::Relationship;
use crate::service::timelines::StatusView;
use crate::state::AppState;

/// `2026-11-29T05:00:00.000Z`
pub fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
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
        "domain_blocking": false,
        "endorsed": false,
        "note": "",
    })
}

/// What it takes to render many statuses for one viewer, loaded in a fixed
/// number of queries.
struct StatusContext {
    accounts: HashMap<i64, accounts::Model>,
    mentions: HashMap<i64, Vec<i64>>,
    tags: HashMap<i64, Vec<String>>,
    favourited: HashSet<i64>,
    bookmarked: HashSet<i64>,
    reblogged: HashSet<i64>,
    media: HashMap<i64, Vec<entity::media_attachments::Model>>,
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
    let (favourited, bookmarked, reblogged) = match viewer {
        Some(v) => (
            db::interactions::favourited_among(c, v.id, &ids)
                .await?
                .into_iter()
                .collect(),
            db::interactions::bookmarked_among(c, v.id, &ids)
                .await?
                .into_iter()
                .collect(),
            db::statuses::reblogged_among(c, v.id, &ids)
                .await?
                .into_iter()
                .collect(),
        ),
        None => Default::default(),
    };
    let media = db::media::for_statuses(c, &ids).await?;
    Ok(StatusContext {
        media,
        accounts,
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
                .map(|n| json!({ "name": n, "url": format!("{base}/tags/{n}") }))
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
        "account": account(state, author),
        "content": s.content,
        "visibility": s.visibility.as_str(),
        "sensitive": s.sensitive,
        "spoiler_text": s.spoiler_text,
        "media_attachments": ctx.media.get(&s.id).map(|ms| ms.iter().map(|m| media_attachment(state, m)).collect::<Vec<_>>()).unwrap_or_default(),
        "application": if own && s.local { json!({ "name": "Kith", "website": null }) } else { Value::Null },
        "mentions": mentions,
        "tags": tags,
        "emojis": [],
        "reblogs_count": s.reblogs_count.max(0),
        "favourites_count": s.favourites_count.max(0),
        "replies_count": s.replies_count.max(0),
        "quotes_count": 0,
        "in_reply_to_id": s.in_reply_to_id.map(|i| i.to_string()),
        "in_reply_to_account_id": s.in_reply_to_account_id.map(|i| i.to_string()),
        "reblog": reblog,
        "poll": null,
        "card": null,
        "language": s.language,
        "text": null,
        "filtered": [],
    });
    if let (Some(obj), Some(_)) = (v.as_object_mut(), ctx.viewer) {
        obj.insert("favourited".into(), json!(ctx.favourited.contains(&s.id)));
        obj.insert("reblogged".into(), json!(ctx.reblogged.contains(&s.id)));
        obj.insert("muted".into(), json!(false));
        obj.insert("bookmarked".into(), json!(ctx.bookmarked.contains(&s.id)));
        obj.insert("pinned".into(), json!(false));
    }
    v
}

/// Renders statuses for `viewer`, keeping their order.
pub async fn statuses(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    views: &[StatusView],
) -> AppResult<Vec<Value>> {
    let ctx = load_context(state, viewer, views).await?;
    Ok(views
        .iter()
        .map(|v| {
            let reblog = v
                .reblog
                .as_ref()
                .map(|r| status_value(state, &ctx, &r.status, &r.account, None));
            let mut outer = status_value(state, &ctx, &v.status, &v.account, reblog);
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
            outer
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
    let rendered = statuses(state, Some(viewer), &views).await?;
    let by_id: HashMap<i64, Value> = views.iter().map(|v| v.status.id).zip(rendered).collect();
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
                "group_key": format!("ungrouped-{}", n.id),
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
