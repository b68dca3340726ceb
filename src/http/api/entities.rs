//! The client API's entities, shaped exactly as Mastodon shapes them: ids as
//! strings, ISO 8601 times, every required field present.
use std::collections::{HashMap, HashSet};

use entity::{accounts, notifications, statuses};
use serde::Serialize;
use serde_json::{Value, json};
use std::borrow::Cow;

use crate::db;
use crate::error::AppResult;
use crate::service::filters::{FilterMatch, FilterSet, FilterView};
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
    to_value(&Account::new(&state.base_url(), a))
}

/// A typed entity as a `Value`, for callers that add to it or embed it in `json!`.
fn to_value<T: Serialize>(t: &T) -> Value {
    // Serialising these structs cannot fail (string keys, no maps with other keys).
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// An id as Mastodon writes it: a string, written without allocating one.
#[derive(Clone, Copy)]
struct Id(i64);

impl Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

static EMPTY_STRING: Value = Value::String(String::new());
static NULL: Value = Value::Null;

/// Mastodon's `[]` for lists Kith never fills (custom emojis, roles).
type Empty = [(); 0];

// The client-API entities below are serialised straight from the rows. Their
// fields are in alphabetical order so that the bytes are those the earlier
// `serde_json::Value` (a `BTreeMap`) gave: clients and fixtures see no change.

/// An Account.
#[derive(Serialize)]
pub struct Account<'a> {
    acct: Cow<'a, str>,
    avatar: Cow<'a, str>,
    avatar_description: &'static str,
    avatar_static: Cow<'a, str>,
    bot: bool,
    created_at: String,
    discoverable: bool,
    display_name: &'a str,
    emojis: Empty,
    fields: Vec<AccountField<'a>>,
    followers_count: i64,
    following_count: i64,
    group: bool,
    header: Cow<'a, str>,
    header_description: &'static str,
    header_static: Cow<'a, str>,
    hide_collections: bool,
    id: Id,
    indexable: bool,
    last_status_at: Option<String>,
    locked: bool,
    noindex: bool,
    note: &'a str,
    roles: Empty,
    statuses_count: i64,
    uri: &'a str,
    url: &'a str,
    username: &'a str,
}

#[derive(Serialize)]
struct AccountField<'a> {
    name: &'a Value,
    value: &'a Value,
    verified_at: &'a Value,
}

fn acct(a: &accounts::Model) -> Cow<'_, str> {
    match &a.domain {
        None => Cow::Borrowed(&a.username),
        Some(_) => Cow::Owned(a.acct()),
    }
}

impl<'a> Account<'a> {
    pub fn new(base: &str, a: &'a accounts::Model) -> Account<'a> {
        let avatar: Cow<'a, str> = match &a.avatar_url {
            Some(u) => Cow::Borrowed(u),
            None => Cow::Owned(format!("{base}{MISSING_AVATAR}")),
        };
        let header: Cow<'a, str> = match &a.header_url {
            Some(u) => Cow::Borrowed(u),
            None => Cow::Owned(format!("{base}{MISSING_HEADER}")),
        };
        let fields = a
            .fields
            .as_array()
            .map(|fs| {
                fs.iter()
                    .map(|f| AccountField {
                        name: f.get("name").unwrap_or(&EMPTY_STRING),
                        value: f.get("value").unwrap_or(&EMPTY_STRING),
                        verified_at: f.get("verified_at").unwrap_or(&NULL),
                    })
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
        Account {
            acct: acct(a),
            avatar_static: avatar.clone(),
            avatar,
            avatar_description: "",
            bot: a.bot,
            created_at: time(created),
            discoverable: a.discoverable,
            display_name: &a.display_name,
            emojis: [],
            fields,
            followers_count: a.followers_count.max(0),
            following_count: a.following_count.max(0),
            group: false,
            header_static: header.clone(),
            header,
            header_description: "",
            hide_collections: false,
            id: Id(a.id),
            indexable: a.discoverable,
            last_status_at: a.last_status_at.map(|t| t.date_naive().to_string()),
            locked: a.locked,
            noindex: !a.discoverable,
            note: &a.note,
            roles: [],
            statuses_count: a.statuses_count.max(0),
            uri: &a.uri,
            url: a.url.as_deref().unwrap_or(&a.uri),
            username: &a.username,
        }
    }
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
    to_value(&MediaAttachment::new(state, m))
}

#[derive(Serialize)]
pub struct MediaAttachment<'a> {
    blurhash: Option<&'a str>,
    description: Option<&'a str>,
    id: Id,
    meta: Option<&'a Value>,
    preview_remote_url: (),
    preview_url: Option<String>,
    remote_url: Option<&'a str>,
    text_url: (),
    #[serde(rename = "type")]
    kind: &'a str,
    url: Option<String>,
}

impl<'a> MediaAttachment<'a> {
    pub fn new(state: &AppState, m: &'a entity::media_attachments::Model) -> MediaAttachment<'a> {
        let (url, preview_url) = crate::service::media::urls(state, m);
        MediaAttachment {
            blurhash: m.blurhash.as_deref(),
            description: m.description.as_deref(),
            id: Id(m.id),
            meta: Some(&m.meta).filter(|v| v.as_object().is_some_and(|o| !o.is_empty())),
            preview_remote_url: (),
            preview_url,
            remote_url: m.remote_url.as_deref(),
            text_url: (),
            kind: &m.kind,
            url,
        }
    }
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
    /// The mentioned accounts.
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
    let mut threads: Vec<i64> = shown.iter().filter_map(|s| s.conversation_id).collect();
    threads.sort_unstable();
    threads.dedup();
    // Mentions, hashtags and the viewer's flags and muted threads, in one query.
    let mut mention_rows: Vec<(i64, i64, i64)> = Vec::new();
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    let (mut favourited, mut bookmarked, mut reblogged, mut pinned) = Default::default();
    let mut muted_threads = HashSet::new();
    let (mut has_media, mut has_filters) = (false, false);
    let viewer_id = viewer.map(|v| v.id);
    for row in db::interactions::render_context(c, viewer_id, &ids, &threads).await? {
        use db::interactions::{ContextRow, ViewerFlag};
        match row {
            ContextRow::Mention {
                status_id,
                account_id,
                mention_id,
            } => mention_rows.push((mention_id, status_id, account_id)),
            ContextRow::Tag { status_id, name } => tags.entry(status_id).or_default().push(name),
            ContextRow::Flag { status_id, flag } => {
                let set: &mut HashSet<i64> = match flag {
                    ViewerFlag::Favourited => &mut favourited,
                    ViewerFlag::Bookmarked => &mut bookmarked,
                    ViewerFlag::Reblogged => &mut reblogged,
                    ViewerFlag::Pinned => &mut pinned,
                };
                set.insert(status_id);
            }
            ContextRow::MutedThread { conversation_id } => {
                muted_threads.insert(conversation_id);
            }
            ContextRow::HasMedia { .. } => has_media = true,
            ContextRow::HasFilters => has_filters = true,
        }
    }
    // Each status's mentions in the order they were made.
    mention_rows.sort_unstable();
    let mut account_ids: Vec<i64> = mention_rows.iter().map(|(_, _, a)| *a).collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    // The mentioned accounts (the authors are in the views already).
    let accounts: HashMap<i64, accounts::Model> = db::accounts::find_many(c, &account_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut mentions: HashMap<i64, Vec<i64>> = HashMap::new();
    for (_, s, a) in mention_rows {
        mentions.entry(s).or_default().push(a);
    }
    let filters = match viewer {
        Some(v) if has_filters => FilterSet::load(state, v).await?,
        _ => FilterSet::default(),
    };
    let media = if has_media {
        db::media::for_statuses(c, &ids).await?
    } else {
        HashMap::new()
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

/// A Status. The viewer's flags (`favourited` ... `pinned`) are absent without a viewer.
#[derive(Serialize)]
pub struct Status<'a> {
    account: Account<'a>,
    application: Option<Application>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bookmarked: Option<bool>,
    card: (),
    content: &'a str,
    created_at: String,
    edited_at: Option<String>,
    emojis: Empty,
    #[serde(skip_serializing_if = "Option::is_none")]
    favourited: Option<bool>,
    favourites_count: i64,
    #[serde(serialize_with = "filter_results")]
    filtered: &'a [FilterMatch],
    id: Id,
    in_reply_to_account_id: Option<Id>,
    in_reply_to_id: Option<Id>,
    language: Option<&'a str>,
    media_attachments: Vec<MediaAttachment<'a>>,
    mentions: Vec<Mention<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    muted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinned: Option<bool>,
    poll: (),
    quotes_count: u8,
    reblog: Option<Box<Status<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reblogged: Option<bool>,
    reblogs_count: i64,
    replies_count: i64,
    sensitive: bool,
    spoiler_text: &'a str,
    tags: Vec<Tag<'a>>,
    text: (),
    uri: &'a str,
    url: Option<&'a str>,
    visibility: &'static str,
}

#[derive(Serialize)]
struct Application {
    name: &'static str,
    website: (),
}

#[derive(Serialize)]
struct Mention<'a> {
    acct: Cow<'a, str>,
    id: Id,
    url: &'a str,
    username: &'a str,
}

#[derive(Serialize)]
struct Tag<'a> {
    name: &'a str,
    url: String,
}

/// A FilterResult, with its filter as [`filter`] shows it without its parts.
#[derive(Serialize)]
struct FilterResult<'a> {
    filter: FilterEntity<'a>,
    keyword_matches: Option<&'a [String]>,
    status_matches: Option<&'a [String]>,
}

#[derive(Serialize)]
struct FilterEntity<'a> {
    context: Vec<&'a str>,
    expires_at: Option<String>,
    filter_action: &'a str,
    id: Id,
    title: &'a str,
}

fn non_empty(v: &[String]) -> Option<&[String]> {
    Some(v).filter(|v| !v.is_empty())
}

fn filter_results<S: serde::Serializer>(matches: &&[FilterMatch], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(matches.iter().map(|m| FilterResult {
        filter: FilterEntity {
            context: m.filter.contexts(),
            expires_at: m.filter.filter.expires_at.map(time),
            filter_action: &m.filter.filter.action,
            id: Id(m.filter.filter.id),
            title: &m.filter.filter.title,
        },
        keyword_matches: non_empty(&m.keyword_matches),
        status_matches: non_empty(&m.status_matches),
    }))
}

/// Statuses rendered for one viewer, in order, leaving out those a `hide`
/// filter removes in the context they are shown in. Serialises as the JSON
/// array of Status entities, built from the rows as it is written.
pub struct StatusPage<'v> {
    state: &'v AppState,
    base: String,
    tags_prefix: String,
    ctx: StatusContext,
    views: &'v [StatusView],
    context: Option<FilterContext>,
}

impl<'v> StatusPage<'v> {
    /// Loads what rendering `views` takes (a fixed number of queries).
    pub async fn load(
        state: &'v AppState,
        viewer: Option<&accounts::Model>,
        views: &'v [StatusView],
        context: Option<FilterContext>,
    ) -> AppResult<StatusPage<'v>> {
        let ctx = load_context(state, viewer, views).await?;
        let base = state.base_url();
        Ok(StatusPage {
            state,
            tags_prefix: format!("{base}/tags"),
            base,
            ctx,
            views,
            context,
        })
    }

    /// Calls `f` with each view and its entity, `None` when a filter hides it.
    fn each<E>(
        &self,
        mut f: impl FnMut(&StatusView, Option<&Status<'_>>) -> Result<(), E>,
    ) -> Result<(), E> {
        for v in self.views {
            let matches = self.ctx.filters.matches(v.shown());
            if let Some(c) = self.context
                && crate::service::filters::hidden_in(&matches, c.as_str())
            {
                f(v, None)?;
                continue;
            }
            f(v, Some(&self.entity(v, &matches)))?;
        }
        Ok(())
    }

    /// Each status as a `Value`, in order; `None` where a filter hides it.
    pub fn values(&self) -> Vec<Option<Value>> {
        let mut out = Vec::with_capacity(self.views.len());
        let _ = self.each(|_, s| {
            out.push(s.map(to_value));
            Ok::<(), std::convert::Infallible>(())
        });
        out
    }

    fn entity<'a>(&'a self, v: &'a StatusView, matches: &'a [FilterMatch]) -> Status<'a> {
        let mut outer = self.status(&v.status, &v.account, matches);
        if let Some(r) = &v.reblog {
            // A reblog wrapper reports the viewer's flags of the reblogged status.
            if self.ctx.viewer.is_some() {
                outer.favourited = Some(self.ctx.favourited.contains(&r.status.id));
                outer.reblogged = Some(self.ctx.reblogged.contains(&r.status.id));
                outer.bookmarked = Some(self.ctx.bookmarked.contains(&r.status.id));
            }
            outer.reblog = Some(Box::new(self.status(&r.status, &r.account, matches)));
        }
        outer
    }

    fn status<'a>(
        &'a self,
        s: &'a statuses::Model,
        author: &'a accounts::Model,
        filtered: &'a [FilterMatch],
    ) -> Status<'a> {
        let ctx = &self.ctx;
        let mentions = ctx
            .mentions
            .get(&s.id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| ctx.accounts.get(id))
                    .map(|a| Mention {
                        acct: acct(a),
                        id: Id(a.id),
                        url: a.url.as_deref().unwrap_or(&a.uri),
                        username: &a.username,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let tags = ctx
            .tags
            .get(&s.id)
            .map(|ns| {
                ns.iter()
                    .map(|n| Tag {
                        name: n,
                        url: tag_url(&self.tags_prefix, n),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let media_attachments = ctx
            .media
            .get(&s.id)
            .map(|ms| {
                ms.iter()
                    .map(|m| MediaAttachment::new(self.state, m))
                    .collect()
            })
            .unwrap_or_default();
        let own = ctx.viewer == Some(s.account_id);
        let flag = |set: &HashSet<i64>| ctx.viewer.map(|_| set.contains(&s.id));
        Status {
            account: Account::new(&self.base, author),
            application: (own && s.local).then_some(Application {
                name: "Kith",
                website: (),
            }),
            bookmarked: flag(&ctx.bookmarked),
            card: (),
            content: &s.content,
            created_at: time(s.created_at),
            edited_at: s.edited_at.map(time),
            emojis: [],
            favourited: flag(&ctx.favourited),
            favourites_count: s.favourites_count.max(0),
            filtered,
            id: Id(s.id),
            in_reply_to_account_id: s.in_reply_to_account_id.map(Id),
            in_reply_to_id: s.in_reply_to_id.map(Id),
            language: s.language.as_deref(),
            media_attachments,
            mentions,
            muted: ctx.viewer.map(|_| {
                s.conversation_id
                    .is_some_and(|c| ctx.muted_threads.contains(&c))
            }),
            pinned: ctx.viewer.map(|_| own && ctx.pinned.contains(&s.id)),
            poll: (),
            quotes_count: 0,
            reblog: None,
            reblogged: flag(&ctx.reblogged),
            reblogs_count: s.reblogs_count.max(0),
            replies_count: s.replies_count.max(0),
            sensitive: s.sensitive,
            spoiler_text: &s.spoiler_text,
            tags,
            text: (),
            uri: &s.uri,
            url: s.url.as_deref(),
            visibility: s.visibility.as_str(),
        }
    }
}

impl Serialize for StatusPage<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        self.each(|_, status| match status {
            Some(status) => seq.serialize_element(status),
            None => Ok(()),
        })?;
        seq.end()
    }
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

pub fn list(l: &entity::lists::Model) -> Value {
    json!({
        "id": l.id.to_string(),
        "title": l.title,
        "replies_policy": l.replies_policy,
        "exclusive": l.exclusive,
    })
}

/// Statuses shown in `context` for `viewer`, for a handler to send as they are.
pub async fn status_page<'v>(
    state: &'v AppState,
    viewer: Option<&accounts::Model>,
    views: &'v [StatusView],
    context: FilterContext,
) -> AppResult<StatusPage<'v>> {
    StatusPage::load(state, viewer, views, Some(context)).await
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
    Ok(StatusPage::load(state, viewer, views, context)
        .await?
        .values())
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use entity::Visibility;

    fn at(day: u32, secs: u32) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 10, 0, secs).unwrap()
    }

    fn account(id: i64, username: &str, domain: Option<&str>) -> accounts::Model {
        accounts::Model {
            id,
            username: username.into(),
            domain: domain.map(Into::into),
            display_name: format!("{username} \"the\" <b>name</b>"),
            note: "<p>a note</p>".into(),
            note_source: None,
            avatar_url: domain.map(|d| format!("https://{d}/a/{username}.png")),
            header_url: None,
            locked: domain.is_some(),
            bot: id % 2 == 0,
            discoverable: domain.is_none(),
            fields: if domain.is_some() {
                json!([{ "name": "site", "value": "<a href=\"https://x.example\">x</a>", "verified_at": "2026-11-01T00:00:00.000Z" }, { "value": "no name" }])
            } else {
                json!([])
            },
            uri: match domain {
                None => format!("http://kith.test/users/{username}"),
                Some(d) => format!("https://{d}/users/{username}"),
            },
            url: domain.map(|d| format!("https://{d}/@{username}")),
            inbox_url: String::new(),
            shared_inbox_url: None,
            outbox_url: None,
            followers_url: None,
            following_url: None,
            public_key_pem: String::new(),
            private_key_pem: None,
            followers_count: 3,
            following_count: -1,
            statuses_count: 12,
            last_status_at: domain.map(|_| at(28, 5)),
            created_at: at(1, 7),
            updated_at: at(1, 7),
            last_fetched_at: None,
            suspended_at: None,
        }
    }

    fn status(id: i64, account_id: i64, content: &str) -> statuses::Model {
        statuses::Model {
            id,
            uri: format!("http://kith.test/statuses/{id}"),
            url: Some(format!("http://kith.test/@x/{id}")),
            local: true,
            account_id,
            in_reply_to_id: None,
            in_reply_to_account_id: None,
            thread_root_id: None,
            conversation_id: None,
            reblog_of_id: None,
            content: content.into(),
            text: String::new(),
            visibility: Visibility::Public,
            sensitive: false,
            spoiler_text: String::new(),
            language: None,
            replies_count: 0,
            reblogs_count: 0,
            favourites_count: 0,
            created_at: at(29, (id % 60) as u32),
            updated_at: at(29, 0),
            edited_at: None,
            deleted_at: None,
        }
    }

    fn media(id: i64, status_id: i64, stored: bool) -> entity::media_attachments::Model {
        entity::media_attachments::Model {
            id,
            account_id: 2,
            status_id: Some(status_id),
            position: 0,
            kind: "image".into(),
            state: "ready".into(),
            content_type: Some("image/png".into()),
            file_key: stored.then(|| format!("f/{id}.png")),
            preview_key: None,
            file_size: None,
            remote_url: (!stored).then(|| format!("https://remote.example/m/{id}.png")),
            description: stored.then(|| "a \"picture\"".into()),
            blurhash: stored.then(|| "LEHV6nWB2yk8".into()),
            meta: if stored {
                json!({ "original": { "width": 640, "height": 480 } })
            } else {
                json!({})
            },
            error: None,
            created_at: at(29, 0),
            updated_at: at(29, 0),
            scheduled_status_id: None,
        }
    }

    fn view(s: statuses::Model, a: &accounts::Model) -> StatusView {
        StatusView {
            status: s,
            account: a.clone(),
            reblog: None,
        }
    }

    /// Varied statuses: own and pinned with tags, a remote reply with mentions
    /// and media, spoiler, edited, a reblog of it, a thread the viewer muted,
    /// a status a `warn` filter matches by keyword and by id, one a `hide`
    /// filter hides at home, one with no extras. `viewer`: the context has
    /// a viewer (id 1) and their favourites, boosts, bookmarks, pins, filters.
    fn sample(viewer: bool) -> (Vec<StatusView>, StatusContext) {
        let me = account(1, "me", None);
        let them = account(2, "them", Some("remote.example"));
        let other = account(3, "other", Some("other.example"));
        let mut own = status(101, 1, "<p>hello #rust #café</p>");
        own.language = Some("en".into());
        own.replies_count = 1;
        own.favourites_count = 2;
        own.reblogs_count = -3;
        let mut reply = status(102, 2, "<p>@me and @other look</p>");
        reply.local = false;
        reply.uri = "https://remote.example/objects/102".into();
        reply.url = None;
        reply.in_reply_to_id = Some(101);
        reply.in_reply_to_account_id = Some(1);
        reply.sensitive = true;
        reply.spoiler_text = "spoiler \"quoted\"".into();
        reply.edited_at = Some(at(29, 59));
        reply.visibility = Visibility::Unlisted;
        reply.conversation_id = Some(7);
        let mut boost = status(103, 1, "");
        boost.reblog_of_id = Some(102);
        let muted = {
            let mut s = status(104, 3, "<p>in a muted thread</p>");
            s.conversation_id = Some(8);
            s.visibility = Visibility::Private;
            s
        };
        let warned = status(105, 3, "<p>this has a SECRET word</p>");
        let hidden = status(106, 2, "<p>this is hidden at home</p>");
        let plain = status(107, 2, "");
        let views = vec![
            view(own.clone(), &me),
            view(reply.clone(), &them),
            StatusView {
                status: boost,
                account: me.clone(),
                reblog: Some(Box::new(view(reply, &them))),
            },
            view(muted, &other),
            view(warned, &other),
            view(hidden, &them),
            view(plain, &them),
        ];
        let accounts: HashMap<i64, accounts::Model> = [&me, &them, &other]
            .into_iter()
            .map(|a| (a.id, a.clone()))
            .collect();
        let filters = if viewer {
            FilterSet::of(vec![
                FilterView {
                    filter: entity::filters::Model {
                        id: 501,
                        account_id: 1,
                        title: "secrets".into(),
                        context: "home,public".into(),
                        action: "warn".into(),
                        expires_at: Some(at(30, 0)),
                        created_at: at(1, 0),
                    },
                    keywords: vec![entity::filter_keywords::Model {
                        id: 601,
                        filter_id: 501,
                        keyword: "secret".into(),
                        whole_word: true,
                    }],
                    statuses: vec![entity::filter_statuses::Model {
                        id: 701,
                        filter_id: 501,
                        status_id: 105,
                    }],
                },
                FilterView {
                    filter: entity::filters::Model {
                        id: 502,
                        account_id: 1,
                        title: "hidden".into(),
                        context: "home".into(),
                        action: "hide".into(),
                        expires_at: None,
                        created_at: at(1, 0),
                    },
                    keywords: vec![entity::filter_keywords::Model {
                        id: 602,
                        filter_id: 502,
                        keyword: "hidden".into(),
                        whole_word: false,
                    }],
                    statuses: vec![],
                },
            ])
        } else {
            FilterSet::default()
        };
        let set = |ids: &[i64]| -> HashSet<i64> {
            if viewer {
                ids.iter().copied().collect()
            } else {
                HashSet::new()
            }
        };
        let ctx = StatusContext {
            accounts,
            pinned: set(&[101]),
            filters,
            mentions: [(102, vec![1, 3, 99])].into_iter().collect(),
            tags: [(101, vec!["rust".to_string(), "café".to_string()])]
                .into_iter()
                .collect(),
            favourited: set(&[102, 105]),
            bookmarked: set(&[102]),
            reblogged: set(&[102]),
            media: [(102, vec![media(801, 102, true), media(802, 102, false)])]
                .into_iter()
                .collect(),
            muted_threads: set(&[8]),
            viewer: viewer.then_some(1),
        };
        (views, ctx)
    }

    async fn state(dir: &std::path::Path) -> AppState {
        let data_dir = dir.display().to_string();
        let url = format!("sqlite://{}/kith.db", dir.display());
        let config = crate::Config::from_pairs(&[
            ("domain", "kith.test"),
            ("scheme", "http"),
            ("data_dir", &data_dir),
            ("database_url", &url),
        ])
        .unwrap();
        AppState::new(config).await.unwrap()
    }

    fn page<'v>(
        state: &'v AppState,
        ctx: StatusContext,
        views: &'v [StatusView],
        context: Option<FilterContext>,
    ) -> StatusPage<'v> {
        let base = state.base_url();
        StatusPage {
            state,
            tags_prefix: format!("{base}/tags"),
            base,
            ctx,
            views,
            context,
        }
    }

    /// Every rendering of the sample, keyed by viewer and context.
    fn sample_pages(state: &AppState) -> String {
        let mut out = serde_json::Map::new();
        for viewer in [true, false] {
            for context in [None, Some(FilterContext::Home)] {
                let (views, ctx) = sample(viewer);
                let p = page(state, ctx, &views, context);
                let key = format!(
                    "{}_{}",
                    if viewer { "viewer" } else { "anonymous" },
                    context.map_or("anywhere", FilterContext::as_str)
                );
                let written = serde_json::to_string(&p).unwrap();
                let value: Value = serde_json::from_str(&written).unwrap();
                // Keys in sorted order, as the `Value` trees had them.
                assert_eq!(written, value.to_string(), "{key}: keys out of order");
                // What callers that need `Value`s get is the same.
                let values: Vec<Value> = p.values().into_iter().flatten().collect();
                assert_eq!(Value::Array(values), value, "{key}: values differ");
                out.insert(key, value);
            }
        }
        serde_json::to_string_pretty(&out).unwrap() + "\n"
    }

    /// The sample's JSON, checked in: `KITH_BLESS=1 cargo test --lib
    /// status_pages_are_the_checked_in_json` writes it again after a deliberate change.
    #[tokio::test]
    async fn status_pages_are_the_checked_in_json() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path()).await;
        let got = sample_pages(&state);
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/status_pages.json"
        );
        if std::env::var_os("KITH_BLESS").is_some() {
            std::fs::write(path, &got).unwrap();
        }
        let want = std::fs::read_to_string(path).unwrap();
        assert_eq!(got, want, "the JSON of the sample statuses changed");
    }
}
