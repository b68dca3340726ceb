//! Creating, reading and deleting statuses, and the home-feed fan-out that
//! goes with them.
use std::collections::{HashMap, HashSet};

use entity::{NotificationKind, Visibility, accounts, mentions, statuses};
use sea_orm::{ConnectionTrait, Set, TransactionTrait};

use super::notifications::notify;
use super::outbox::{emit, kick, status_inboxes};
use super::text::{self, LinkedMention};
use super::visibility::can_view;
use crate::apub;
use crate::db::{self, accounts::Counter as AccountCounter, statuses::Counter};
use crate::error::{AppError, AppResult};
use crate::ids::IdGenerator;
use crate::state::AppState;

#[derive(Clone, Debug)]
pub struct NewStatus {
    pub text: String,
    pub visibility: Visibility,
    pub in_reply_to_id: Option<i64>,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub language: Option<String>,
    /// Uploads to attach, in order (at most four).
    pub media_ids: Vec<i64>,
}

impl NewStatus {
    pub fn new(text: &str, visibility: Visibility) -> NewStatus {
        NewStatus {
            text: text.to_string(),
            visibility,
            in_reply_to_id: None,
            sensitive: false,
            spoiler_text: String::new(),
            language: None,
            media_ids: Vec::new(),
        }
    }

    pub fn reply_to(mut self, id: i64) -> NewStatus {
        self.in_reply_to_id = Some(id);
        self
    }
}

/// The checks a new status passes before anything is written: a local,
/// active author; some text or media; the length limit; a language code.
pub(crate) async fn check_new(
    state: &AppState,
    author: &accounts::Model,
    input: &NewStatus,
) -> AppResult<()> {
    if !author.is_local() {
        return Err(AppError::Forbidden(
            "Only local accounts post through this server".into(),
        ));
    }
    if author.suspended_at.is_some() {
        return Err(AppError::Forbidden(
            "Your login is currently disabled".into(),
        ));
    }
    let body = input.text.trim_end();
    if body.trim().is_empty() && input.media_ids.is_empty() {
        return Err(AppError::validation(
            "Validation failed: Text can't be blank",
        ));
    }
    let max = super::instance::settings(state).await?.max_status_chars;
    if text::status_length(body) + input.spoiler_text.chars().count() > max {
        return Err(AppError::validation(format!(
            "Validation failed: Text character limit of {max} exceeded"
        )));
    }
    if let Some(lang) = &input.language
        && (lang.is_empty()
            || lang.len() > 8
            || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(AppError::validation(
            "Validation failed: Language is not a valid language code",
        ));
    }
    Ok(())
}

/// Posts a status for a local author: checks it, renders it, links mentions and
/// hashtags, threads a reply, fills home feeds and notifies, in one transaction.
pub async fn create(
    state: &AppState,
    author: &accounts::Model,
    input: NewStatus,
) -> AppResult<statuses::Model> {
    check_new(state, author, &input).await?;
    let body = input.text.trim_end();

    let parent =
        match input.in_reply_to_id {
            None => None,
            Some(id) => {
                let parent = db::statuses::find(&state.db.read, id).await?;
                match parent {
                    Some(p)
                        if p.reblog_of_id.is_none()
                            && can_view(&state.db.read, &p, Some(author)).await? =>
                    {
                        Some(p)
                    }
                    // Replying to what one may not see is indistinguishable from replying to nothing.
                    _ => return Err(AppError::NotFound(
                        "The status you are replying to does not exist or is not visible to you"
                            .into(),
                    )),
                }
            }
        };

    let attachments = super::media::attachable(state, author, &input.media_ids).await?;

    // Resolve mentions among the accounts this server knows.
    let mut mentioned: Vec<accounts::Model> = Vec::new();
    let mut links: Vec<LinkedMention> = Vec::new();
    let our_host = state.config.domain.as_str();
    for m in text::extract_mentions(body) {
        let domain = m.domain.as_deref().filter(|d| *d != our_host);
        if let Some(acc) =
            db::accounts::find_by_username(&state.db.read, &m.username, domain).await?
        {
            if acc.suspended_at.is_some() || mentioned.iter().any(|x| x.id == acc.id) {
                continue;
            }
            links.push(LinkedMention {
                url: acc.url.clone().unwrap_or_else(|| acc.uri.clone()),
                mention: m,
            });
            mentioned.push(acc);
        }
    }
    let tags = text::extract_hashtags(body);
    let base = state.base_url();
    let content = text::render(body, &links, |t| format!("{base}/tags/{t}"));

    let id = state.ids.next();
    let (uri, url) = apub::local_status_urls(&base, &author.username, id);
    let now = db::now();
    let txn = state.db.write.begin().await?;
    let mut events = crate::events::Pending::default();
    let conversation_id = match parent.as_ref().and_then(|p| p.conversation_id) {
        Some(c) => c,
        None => {
            db::conversations::create(&txn, state.ids.next(), None)
                .await?
                .id
        }
    };
    let status = db::statuses::insert(
        &txn,
        statuses::ActiveModel {
            id: Set(id),
            uri: Set(uri),
            url: Set(Some(url)),
            local: Set(true),
            account_id: Set(author.id),
            in_reply_to_id: Set(parent.as_ref().map(|p| p.id)),
            in_reply_to_account_id: Set(parent.as_ref().map(|p| p.account_id)),
            thread_root_id: Set(Some(
                parent
                    .as_ref()
                    .map(|p| p.thread_root_id.unwrap_or(p.id))
                    .unwrap_or(id),
            )),
            conversation_id: Set(Some(conversation_id)),
            reblog_of_id: Set(None),
            content: Set(content),
            text: Set(body.to_string()),
            visibility: Set(input.visibility),
            sensitive: Set(input.sensitive || !input.spoiler_text.is_empty()),
            spoiler_text: Set(input.spoiler_text.clone()),
            language: Set(input.language.clone()),
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
    let mention_rows = mentioned.iter().map(|a| mentions::ActiveModel {
        id: Set(state.ids.next()),
        status_id: Set(status.id),
        account_id: Set(a.id),
        created_at: Set(now),
    });
    db::statuses::insert_mentions(&txn, mention_rows.collect()).await?;
    super::media::attach(&txn, status.id, &attachments).await?;
    let tag_ids = db::tags::find_or_create(&txn, &tags, || state.ids.next()).await?;
    db::tags::link(&txn, status.id, &tag_ids).await?;
    db::search::index(&txn, &status, search_document(&status)).await?;
    if let Some(p) = &parent {
        db::statuses::bump(&txn, p.id, Counter::Replies, 1).await?;
    }
    db::accounts::bump(&txn, author.id, AccountCounter::Statuses, 1).await?;
    db::accounts::touch_last_status(&txn, author.id, now).await?;

    let mentioned_ids: Vec<i64> = mentioned.iter().map(|a| a.id).collect();
    let mut readers = fan_out(&txn, &status, &mentioned_ids).await?;
    readers.extend(fan_out_to_tag_followers(&txn, &status, &tag_ids, &readers).await?);
    events.push(update_event(&status, readers, &tags));
    for acc in &mentioned {
        notify(
            &txn,
            &state.ids,
            &mut events,
            acc,
            author.id,
            NotificationKind::Mention,
            Some(status.id),
        )
        .await?;
    }
    if status.visibility == Visibility::Direct {
        let participants =
            record_direct_message(&txn, &state.ids, &status, author, &mentioned).await?;
        events.push(crate::events::Event::Conversation {
            account_ids: std::sync::Arc::new(participants),
            status_id: status.id,
        });
    }
    let inboxes = status_inboxes(&txn, &status, &mentioned).await?;
    if !inboxes.is_empty() {
        let docs = super::media::documents(state, &attachments);
        let note = note_of(
            &status,
            author,
            &mentioned,
            &tags,
            parent.as_ref().map(|p| p.uri.clone()),
            &base,
            &docs,
        );
        let create = serde_json::to_value(crate::apub::activities::create::Create::for_note(note))
            .map_err(AppError::internal)?;
        emit(&txn, state, author, create, inboxes).await?;
    }
    txn.commit().await?;
    events.publish(&*state.events);
    kick(state);
    Ok(status)
}

fn note_of(
    status: &statuses::Model,
    author: &accounts::Model,
    mentioned: &[accounts::Model],
    tags: &[String],
    in_reply_to_uri: Option<String>,
    base: &str,
    attachments: &[crate::apub::objects::note::Attachment],
) -> crate::apub::objects::note::Note {
    crate::apub::objects::note::Note::from_status(
        status,
        crate::apub::objects::note::NoteParts {
            author,
            mentioned,
            tags,
            in_reply_to_uri,
            base_url: base,
            attachments,
        },
    )
}

/// Writes a new original status into the home feeds that should show it (the
/// author's own, if local, and local followers'), following Mastodon's rules:
/// - public, unlisted, followers-only: every local follower;
/// - direct: only mentioned local accounts that follow the author;
/// - a reply to someone else reaches only followers who also follow that someone
///   (or are that someone);
/// - never a follower who mutes or blocks the author.
pub(crate) async fn fan_out(
    conn: &impl ConnectionTrait,
    status: &statuses::Model,
    mentioned: &[i64],
) -> AppResult<Vec<i64>> {
    let followers: Vec<i64> = db::relationships::local_followers(conn, status.account_id)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    fan_out_among(conn, status, mentioned, followers).await
}

/// [`fan_out`] given the author's local `followers` (read beforehand, for a
/// batch of statuses at once).
async fn fan_out_among(
    conn: &impl ConnectionTrait,
    status: &statuses::Model,
    mentioned: &[i64],
    followers: Vec<i64>,
) -> AppResult<Vec<i64>> {
    let author = status.account_id;
    let mut readers: Vec<i64> = match status.visibility {
        Visibility::Public | Visibility::Unlisted | Visibility::Private => followers,
        Visibility::Direct => followers
            .into_iter()
            .filter(|f| mentioned.contains(f))
            .collect(),
    };
    if let Some(replied_to) = status.in_reply_to_account_id.filter(|r| *r != author) {
        let also_follow: HashSet<i64> = db::relationships::who_follows(conn, &readers, replied_to)
            .await?
            .into_iter()
            .collect();
        readers.retain(|r| *r == replied_to || also_follow.contains(r));
    }
    let hidden: HashSet<i64> =
        db::relationships::who_mutes_or_blocks(conn, &readers, author, false)
            .await?
            .into_iter()
            .collect();
    readers.retain(|r| !hidden.contains(r));
    if status.local {
        readers.push(author);
    }
    db::feeds::insert(conn, &readers, status).await?;
    Ok(readers)
}

/// Writes a public status into the home feeds of local accounts following one
/// of its hashtags (besides `already`, its other readers), unless they mute or
/// block the author or the author blocks them. Returns those readers.
pub(crate) async fn fan_out_to_tag_followers(
    conn: &impl ConnectionTrait,
    status: &statuses::Model,
    tag_ids: &[i64],
    already: &[i64],
) -> AppResult<Vec<i64>> {
    if status.visibility != Visibility::Public || status.reblog_of_id.is_some() {
        return Ok(Vec::new());
    }
    let mut readers: Vec<i64> = db::tags::followers_of(conn, tag_ids)
        .await?
        .into_iter()
        .filter(|r| *r != status.account_id && !already.contains(r))
        .collect();
    if readers.is_empty() {
        return Ok(readers);
    }
    let mut hidden: HashSet<i64> =
        db::relationships::who_mutes_or_blocks(conn, &readers, status.account_id, false)
            .await?
            .into_iter()
            .collect();
    hidden.extend(db::relationships::blocked_by(conn, status.account_id, &readers).await?);
    readers.retain(|r| !hidden.contains(r));
    db::feeds::insert(conn, &readers, status).await?;
    Ok(readers)
}

/// The live event for a new status: its home-feed readers, and the public
/// streams when it is a public original (not a reply to someone else).
pub(crate) fn update_event(
    status: &statuses::Model,
    readers: Vec<i64>,
    tags: &[String],
) -> crate::events::Event {
    let public = (status.visibility == Visibility::Public
        && status.reblog_of_id.is_none()
        && status
            .in_reply_to_account_id
            .is_none_or(|a| a == status.account_id))
    .then_some(status.local);
    crate::events::Event::Update {
        status_id: status.id,
        readers: std::sync::Arc::new(readers),
        public,
        tags: std::sync::Arc::new(tags.to_vec()),
    }
}

/// Updates every local participant's view of a direct-message conversation.
async fn record_direct_message(
    conn: &impl ConnectionTrait,
    ids: &IdGenerator,
    status: &statuses::Model,
    author: &accounts::Model,
    mentioned: &[accounts::Model],
) -> AppResult<Vec<i64>> {
    let Some(conversation_id) = status.conversation_id else {
        return Ok(Vec::new());
    };
    let mut everyone: Vec<i64> = mentioned.iter().map(|a| a.id).collect();
    everyone.push(author.id);
    everyone.sort_unstable();
    everyone.dedup();
    let locals = std::iter::once(author)
        .chain(mentioned.iter())
        .filter(|a| a.is_local());
    let mut touched = Vec::new();
    for participant in locals {
        let others: Vec<i64> = everyone
            .iter()
            .copied()
            .filter(|i| *i != participant.id)
            .collect();
        let unread = participant.id != author.id;
        db::conversations::touch(
            conn,
            ids.next(),
            participant.id,
            conversation_id,
            &others,
            status.id,
            unread,
        )
        .await?;
        touched.push(participant.id);
    }
    Ok(touched)
}

/// URIs of the public and unlisted replies to a status, oldest first.
pub async fn public_reply_uris(state: &AppState, id: i64, limit: u64) -> AppResult<Vec<String>> {
    Ok(db::statuses::public_reply_uris(&state.db.read, id, limit).await?)
}

/// What an edit may change.
#[derive(Clone, Debug)]
pub struct StatusEdit {
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub language: Option<String>,
}

/// Edits one of the author's statuses: new text (rendered again, hashtags
/// relinked, newly mentioned accounts linked and notified) and an `edited_at`;
/// the servers that have it get an Update.
pub async fn edit(
    state: &AppState,
    author: &accounts::Model,
    id: i64,
    e: StatusEdit,
) -> AppResult<statuses::Model> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    let status = db::statuses::find(&state.db.read, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if status.account_id != author.id || status.reblog_of_id.is_some() || !status.local {
        return Err(AppError::not_found());
    }
    let body = e.text.trim_end();
    if body.trim().is_empty() {
        return Err(AppError::validation(
            "Validation failed: Text can't be blank",
        ));
    }
    let max = super::instance::settings(state).await?.max_status_chars;
    if text::status_length(body) + e.spoiler_text.chars().count() > max {
        return Err(AppError::validation(format!(
            "Validation failed: Text character limit of {max} exceeded"
        )));
    }
    let mut mentioned: Vec<accounts::Model> = db::accounts::find_many(
        &state.db.read,
        &db::statuses::mentioned_account_ids(&state.db.read, id).await?,
    )
    .await?;
    let previously: Vec<i64> = mentioned.iter().map(|a| a.id).collect();
    let mut links = Vec::new();
    let our_host = state.config.domain.as_str();
    for m in text::extract_mentions(body) {
        let domain = m.domain.as_deref().filter(|d| *d != our_host);
        if let Some(acc) =
            db::accounts::find_by_username(&state.db.read, &m.username, domain).await?
        {
            links.push(LinkedMention {
                url: acc.url.clone().unwrap_or_else(|| acc.uri.clone()),
                mention: m,
            });
            if !mentioned.iter().any(|x| x.id == acc.id) {
                mentioned.push(acc);
            }
        }
    }
    let tags = text::extract_hashtags(body);
    let base = state.base_url();
    let content = text::render(body, &links, |t| format!("{base}/tags/{t}"));
    let now = db::now();
    let txn = state.db.write.begin().await?;
    let mut events = crate::events::Pending::default();
    let mut m = status.clone().into_active_model();
    m.content = Set(content);
    m.text = Set(body.to_string());
    m.spoiler_text = Set(e.spoiler_text.clone());
    m.sensitive = Set(e.sensitive || !e.spoiler_text.is_empty());
    m.language = Set(e.language.clone());
    m.edited_at = Set(Some(now));
    m.updated_at = Set(now);
    let saved = m.update(&txn).await?;
    record_edit(&txn, &state.ids, &status, &saved).await?;
    db::search::index(&txn, &saved, search_document(&saved)).await?;
    let new_mentions: Vec<&accounts::Model> = mentioned
        .iter()
        .filter(|a| !previously.contains(&a.id))
        .collect();
    let rows = new_mentions.iter().map(|a| mentions::ActiveModel {
        id: Set(state.ids.next()),
        status_id: Set(saved.id),
        account_id: Set(a.id),
        created_at: Set(now),
    });
    db::statuses::insert_mentions(&txn, rows.collect()).await?;
    for acc in &new_mentions {
        notify(
            &txn,
            &state.ids,
            &mut events,
            acc,
            author.id,
            NotificationKind::Mention,
            Some(saved.id),
        )
        .await?;
    }
    let mut readers: Vec<i64> = db::relationships::local_followers(&txn, author.id)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    readers.push(author.id);
    let public = (saved.visibility == Visibility::Public).then_some(true);
    events.push(crate::events::Event::StatusUpdate {
        status_id: saved.id,
        readers: std::sync::Arc::new(readers),
        public,
    });
    db::tags::unlink_all(&txn, saved.id).await?;
    let tag_ids = db::tags::find_or_create(&txn, &tags, || state.ids.next()).await?;
    db::tags::link(&txn, saved.id, &tag_ids).await?;
    let inboxes = status_inboxes(&txn, &saved, &mentioned).await?;
    if !inboxes.is_empty() {
        let parent_uri = match saved.in_reply_to_id {
            Some(p) => db::statuses::find_any(&txn, p).await?.map(|s| s.uri),
            None => None,
        };
        let docs = super::media::documents(state, &db::media::for_status(&txn, saved.id).await?);
        let note = note_of(&saved, author, &mentioned, &tags, parent_uri, &base, &docs);
        let note_json = serde_json::to_value(&note).map_err(AppError::internal)?;
        let activity = serde_json::json!({
            "id": format!("{}#updates/{}", saved.uri, now.timestamp_micros()),
            "type": "Update",
            "actor": author.uri,
            "to": note.to,
            "cc": note.cc,
            "object": note_json,
        });
        emit(&txn, state, author, activity, inboxes).await?;
    }
    txn.commit().await?;
    events.publish(&*state.events);
    kick(state);
    Ok(saved)
}

/// A status the viewer may see, or 404.
pub async fn get(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    id: i64,
) -> AppResult<statuses::Model> {
    let status = db::statuses::find(&state.db.read, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !can_view(&state.db.read, &status, viewer).await? {
        return Err(AppError::not_found());
    }
    Ok(status)
}

/// Mutes (or unmutes) the thread of a status the account may see: nothing in
/// it notifies them while muted.
pub async fn set_thread_muted(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
    muted: bool,
) -> AppResult<statuses::Model> {
    let status = get(state, Some(account), id).await?;
    let conversation = status.conversation_id.ok_or_else(|| {
        AppError::validation("This status is not part of a conversation that can be muted")
    })?;
    if muted {
        db::conversation_mutes::mute(&state.db.write, account.id, conversation).await?;
    } else {
        db::conversation_mutes::unmute(&state.db.write, account.id, conversation).await?;
    }
    Ok(status)
}

/// The statuses with these ids that `viewer` may see, in the order of `ids`.
pub async fn get_many(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    ids: &[i64],
) -> AppResult<Vec<statuses::Model>> {
    let mut found: std::collections::HashMap<i64, statuses::Model> =
        db::statuses::find_many(&state.db.read, ids)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
    let mut out = Vec::with_capacity(found.len());
    for id in ids {
        if let Some(s) = found.remove(id)
            && can_view(&state.db.read, &s, viewer).await?
        {
            out.push(s);
        }
    }
    Ok(out)
}

/// Deletes one of the author's statuses: a tombstone stays; feeds, reblogs,
/// notifications and counters are cleaned up. Returns the status as it was, so a
/// client can offer to redraft it.
pub async fn delete(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
) -> AppResult<statuses::Model> {
    let txn = state.db.write.begin().await?;
    let status = db::statuses::find(&txn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if status.account_id != account.id {
        return Err(AppError::not_found());
    }
    if status.reblog_of_id.is_some() {
        return Err(AppError::validation(
            "Validation failed: use unreblog to undo a reblog",
        ));
    }
    db::feeds::remove_status(&txn, status.id).await?;
    for (reblog_id, reblogger) in db::statuses::reblog_ids(&txn, status.id).await? {
        db::statuses::delete_hard(&txn, reblog_id).await?;
        db::accounts::bump(&txn, reblogger, AccountCounter::Statuses, -1).await?;
    }
    if let Some(parent) = status.in_reply_to_id {
        db::statuses::bump(&txn, parent, Counter::Replies, -1).await?;
    }
    db::accounts::bump(&txn, account.id, AccountCounter::Statuses, -1).await?;
    delete_status_notifications(&txn, status.id).await?;
    if status.local {
        let mentioned_ids = db::statuses::mentioned_account_ids(&txn, status.id).await?;
        let mentioned = db::accounts::find_many(&txn, &mentioned_ids).await?;
        let inboxes = status_inboxes(&txn, &status, &mentioned).await?;
        let followers = account.followers_url.clone().unwrap_or_default();
        let mention_uris: Vec<String> = mentioned.iter().map(|a| a.uri.clone()).collect();
        let (to, cc) =
            crate::apub::objects::note::audience(status.visibility, &followers, &mention_uris);
        let activity =
            crate::apub::activities::delete::delete_note(&account.uri, &status.uri, to, cc);
        emit(&txn, state, account, activity, inboxes).await?;
    }
    db::statuses::soft_delete(&txn, status.id).await?;
    db::search::remove(&txn, status.id).await?;
    txn.commit().await?;
    kick(state);
    state.events.publish(crate::events::Event::Delete {
        status_id: status.id,
    });
    Ok(status)
}

async fn delete_status_notifications(conn: &impl ConnectionTrait, status_id: i64) -> AppResult<()> {
    use entity::notifications;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    // Notifications point at the tombstone; they would show an empty status.
    notifications::Entity::delete_many()
        .filter(notifications::Column::StatusId.eq(status_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A thread around a status, as the viewer may see it.
#[derive(Debug)]
pub struct Context {
    /// From the thread's root down to the status's parent.
    pub ancestors: Vec<statuses::Model>,
    /// Replies below the status, depth first, oldest first at each level.
    pub descendants: Vec<statuses::Model>,
}

pub async fn context(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    id: i64,
) -> AppResult<Context> {
    let status = get(state, viewer, id).await?;
    let root = status.thread_root_id.unwrap_or(status.id);
    let mut thread = Vec::new();
    for s in db::statuses::thread(&state.db.read, root).await? {
        if can_view(&state.db.read, &s, viewer).await? {
            thread.push(s);
        }
    }
    let mut ancestors = Vec::new();
    let mut cursor = status.in_reply_to_id;
    while let Some(pid) = cursor {
        let Some(p) = thread.iter().find(|s| s.id == pid) else {
            break;
        };
        ancestors.push(p.clone());
        cursor = p.in_reply_to_id;
        if ancestors.len() > thread.len() {
            break;
        }
    }
    ancestors.reverse();
    let mut descendants = Vec::new();
    let mut stack: Vec<i64> = vec![status.id];
    while let Some(parent) = stack.pop() {
        let children: Vec<&statuses::Model> = thread
            .iter()
            .filter(|s| s.in_reply_to_id == Some(parent))
            .collect();
        for c in children.iter().rev() {
            stack.push(c.id);
        }
        if parent != status.id
            && let Some(s) = thread.iter().find(|s| s.id == parent)
        {
            descendants.push(s.clone());
        }
        if descendants.len() > thread.len() {
            break;
        }
    }
    Ok(Context {
        ancestors,
        descendants,
    })
}

/// What it takes to show a status to another server besides its row.
#[derive(Clone, Debug)]
pub struct StatusParts {
    pub author: accounts::Model,
    pub mentioned: Vec<accounts::Model>,
    pub tags: Vec<String>,
    pub in_reply_to_uri: Option<String>,
    pub attachments: Vec<crate::apub::objects::note::Attachment>,
}

pub async fn parts(state: &AppState, status: &statuses::Model) -> AppResult<StatusParts> {
    let c = &state.db.read;
    let author = db::accounts::find(c, status.account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mentioned_ids = db::statuses::mentioned_account_ids(c, status.id).await?;
    let mentioned = db::accounts::find_many(c, &mentioned_ids).await?;
    let tags = db::tags::names_for_status(c, status.id).await?;
    let in_reply_to_uri = match status.in_reply_to_id {
        Some(p) => db::statuses::find_any(c, p).await?.map(|s| s.uri),
        None => None,
    };
    let attachments = super::media::documents(state, &db::media::for_status(c, status.id).await?);
    Ok(StatusParts {
        author,
        mentioned,
        tags,
        in_reply_to_uri,
        attachments,
    })
}

/// A status from another server, read and sanitised by the federation layer.
#[derive(Clone, Debug)]
pub struct RemoteStatus {
    pub uri: String,
    pub url: Option<String>,
    pub content_html: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub published: chrono::DateTime<chrono::Utc>,
    pub in_reply_to_uri: Option<String>,
    /// Actor URIs the status mentions.
    pub mention_uris: Vec<String>,
    pub tags: Vec<String>,
    pub language: Option<String>,
    /// Pictures, by their URLs on the author's server.
    pub attachments: Vec<super::media::RemoteAttachment>,
}

/// Stores a status another server sent (an incoming Create): threads it under a
/// known parent, links known mentioned accounts and hashtags, fills the home
/// feeds of local followers and notifies local mentioned accounts. Receiving the
/// same status again returns the stored one.
pub async fn receive_remote(
    state: &AppState,
    author: &accounts::Model,
    r: RemoteStatus,
) -> AppResult<statuses::Model> {
    if author.is_local() {
        return Err(AppError::Forbidden(
            "a remote status cannot be by a local account".into(),
        ));
    }
    if let Some(existing) = db::statuses::find_by_uri(&state.db.read, &r.uri).await? {
        return Ok(existing);
    }
    store_remote(state, author, r, None)
        .await?
        .ok_or_else(|| AppError::internal("a status stored without an activity went missing"))
}

/// [`receive_remote`] for an inbox `Create`: the activity id is recorded as
/// received in the transaction that stores the status, so an activity costs
/// no write transaction of its own and a crash between the two cannot happen.
/// `true` when the id was recorded here (or had been, by an earlier or a
/// concurrent delivery of the same activity: one read checks the activity
/// and the status together, so the inbox need not ask first); `false` when
/// the status was already stored, and the caller records the id.
pub async fn receive_remote_create(
    state: &AppState,
    author: &accounts::Model,
    r: RemoteStatus,
    activity_id: &str,
) -> AppResult<bool> {
    receive_checked_create(state, author, r, activity_id, None).await
}

/// What an inbox read of a `Create` before it had parsed the Note (see
/// `db::deliveries::signer_and_create_checks`): whether the activity was
/// received and whether a status `status_uri` is stored.
pub struct CreateChecks {
    pub status_uri: String,
    pub received: bool,
    pub stored: bool,
}

/// [`receive_remote_create`] with the checks read already; they are used if
/// they were made for this status, and read again if not.
pub async fn receive_checked_create(
    state: &AppState,
    author: &accounts::Model,
    r: RemoteStatus,
    activity_id: &str,
    checks: Option<CreateChecks>,
) -> AppResult<bool> {
    match create_job(state, author, r, activity_id, checks).await? {
        Ok(job) => {
            state.remote_writer.store(state, job).await?;
            Ok(true)
        }
        Err(recorded) => Ok(recorded),
    }
}

/// A remote status to write, with what was read for it beforehand (outside
/// the writer, on the read pool): its parent and the known mentioned accounts.
pub(crate) struct RemoteStatusJob {
    pub author: accounts::Model,
    pub status: RemoteStatus,
    /// The activity that brought it, recorded as received with it.
    pub activity_id: Option<String>,
    pub parent: Option<statuses::Model>,
    pub mentioned: Vec<accounts::Model>,
    /// What search indexes, made before (parsing HTML is no work for the writer).
    pub search_document: String,
}

/// What [`write_remote`] did.
pub(crate) enum RemoteWrite {
    /// Stored; the events go out after the commit.
    New(Box<statuses::Model>, crate::events::Pending),
    /// The activity had been recorded already: nothing was written.
    ActivitySeen,
    /// The id made from the publication time is taken (by another process):
    /// nothing was written; try again with a fresh id.
    IdTaken,
}

/// What [`write_remote_batch`] did with one status.
pub(crate) enum BatchWrite {
    /// Stored; the events go out after the commit.
    New(Box<statuses::Model>, crate::events::Pending),
    /// Its activity had been recorded already: nothing was written.
    ActivitySeen,
}

/// Stores a new remote status through the group-commit writer (see
/// [`super::remote_writer`]); with `activity_id`, records that activity as
/// received in the same transaction. `None` when the activity had been
/// recorded already (a concurrent delivery of it): nothing is written.
async fn store_remote(
    state: &AppState,
    author: &accounts::Model,
    r: RemoteStatus,
    activity_id: Option<&str>,
) -> AppResult<Option<statuses::Model>> {
    let job = remote_job(state, author, r, activity_id).await?;
    state.remote_writer.store(state, job).await
}

/// A remote status with what the writer needs read beforehand (outside it,
/// on the read pool): its parent and the known mentioned accounts.
async fn remote_job(
    state: &AppState,
    author: &accounts::Model,
    r: RemoteStatus,
    activity_id: Option<&str>,
) -> AppResult<RemoteStatusJob> {
    let parent = match &r.in_reply_to_uri {
        Some(u) => db::statuses::find_by_uri(&state.db.read, u)
            .await?
            .filter(|p| p.deleted_at.is_none() && p.reblog_of_id.is_none()),
        None => None,
    };
    let mut mentioned = Vec::new();
    for uri in &r.mention_uris {
        if let Some(a) = db::accounts::find_by_uri(&state.db.read, uri).await?
            && !mentioned.iter().any(|m: &accounts::Model| m.id == a.id)
        {
            mentioned.push(a);
        }
    }
    Ok(RemoteStatusJob {
        author: author.clone(),
        search_document: search_document_of(&r.spoiler_text, &r.content_html),
        status: r,
        activity_id: activity_id.map(str::to_string),
        parent,
        mentioned,
    })
}

/// [`receive_remote_create`] for several activities at hand at once (a
/// backlog, a test): they reach the writer together, so up to its batch size
/// they share one transaction. The answers are in the order of `creates`,
/// each `(author, status, activity id)`.
pub async fn receive_remote_creates(
    state: &AppState,
    creates: Vec<(accounts::Model, RemoteStatus, String)>,
) -> Vec<AppResult<bool>> {
    // `None`: the answer comes from the writer.
    let mut answers: Vec<Option<AppResult<bool>>> = Vec::with_capacity(creates.len());
    let mut jobs = Vec::new();
    for (author, r, activity_id) in creates {
        match create_job(state, &author, r, &activity_id, None).await {
            Ok(Ok(job)) => {
                answers.push(None);
                jobs.push(job);
            }
            Ok(Err(recorded)) => answers.push(Some(Ok(recorded))),
            Err(e) => answers.push(Some(Err(e))),
        }
    }
    let mut stored = state
        .remote_writer
        .store_many(state, jobs)
        .await
        .into_iter();
    answers
        .into_iter()
        .map(|a| match a {
            Some(answer) => answer,
            None => match stored.next() {
                Some(reply) => reply.map(|_| true),
                None => Err(AppError::internal(
                    "the remote status writer lost an answer",
                )),
            },
        })
        .collect()
}

/// The job for an inbox `Create`, or what to answer without one: `true` when
/// the activity was recorded already (nothing to do), `false` when its status
/// is stored already (the caller records the activity).
async fn create_job(
    state: &AppState,
    author: &accounts::Model,
    r: RemoteStatus,
    activity_id: &str,
    checks: Option<CreateChecks>,
) -> AppResult<Result<RemoteStatusJob, bool>> {
    if author.is_local() {
        return Err(AppError::Forbidden(
            "a remote status cannot be by a local account".into(),
        ));
    }
    let checked = match checks.filter(|c| c.status_uri == r.uri) {
        Some(c) => (c.received, c.stored),
        None => db::deliveries::received_or_stored(&state.db.read, activity_id, &r.uri).await?,
    };
    match checked {
        (true, _) => Ok(Err(true)),
        (false, true) => Ok(Err(false)),
        (false, false) => Ok(Ok(remote_job(state, author, r, Some(activity_id)).await?)),
    }
}

/// The writes of one remote status, inside the writer's transaction (a
/// savepoint of it): every statement of the old one-status transaction.
pub(crate) async fn write_remote(
    txn: &impl ConnectionTrait,
    state: &AppState,
    job: &RemoteStatusJob,
) -> AppResult<RemoteWrite> {
    if let Some(activity_id) = &job.activity_id
        && !db::deliveries::record_received(txn, activity_id).await?
    {
        return Ok(RemoteWrite::ActivitySeen);
    }
    let now = db::now();
    let (row, _, new_conversation) = remote_status_row(state, job, now);
    if let Some(c) = new_conversation {
        db::conversations::create(txn, c, None).await?;
    }
    let Some(status) = db::statuses::insert_unless_id_taken(txn, row).await? else {
        return Ok(RemoteWrite::IdTaken);
    };
    db::search::index_new(txn, &status, job.search_document.clone()).await?;
    db::accounts::count_new_status(txn, job.author.id, status.created_at).await?;
    let followers = db::relationships::local_followers(txn, job.author.id)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let events = write_remote_links(txn, state, job, &status, followers, now).await?;
    Ok(RemoteWrite::New(Box::new(status), events))
}

/// [`write_remote`] for several statuses with one statement per table, in
/// the order of `jobs`: each new status, or `ActivitySeen` when its activity
/// had been recorded (by another process, or by an earlier job of `jobs`).
/// `None` when they must be written one by one instead (one status URI twice,
/// or a status id taken by another process); the caller then rolls back what
/// this wrote. An error fails them all (the caller rolls back, and writes
/// them one by one to find the status that fails).
pub(crate) async fn write_remote_batch(
    txn: &impl ConnectionTrait,
    state: &AppState,
    jobs: &[&RemoteStatusJob],
) -> AppResult<Option<Vec<BatchWrite>>> {
    // The activities recorded here; a job whose activity is not among them
    // (or was claimed by an earlier job) writes nothing.
    let mut activity_ids: Vec<&str> = jobs
        .iter()
        .filter_map(|j| j.activity_id.as_deref())
        .collect();
    activity_ids.sort_unstable();
    activity_ids.dedup();
    let mut recorded: HashSet<String> = if activity_ids.is_empty() {
        HashSet::new()
    } else {
        db::deliveries::record_received_many(txn, &activity_ids)
            .await?
            .into_iter()
            .collect()
    };
    let fresh: Vec<bool> = jobs
        .iter()
        .map(|j| j.activity_id.as_ref().is_none_or(|a| recorded.remove(a)))
        .collect();
    let mut uris = HashSet::new();
    let new_jobs: Vec<&RemoteStatusJob> = jobs
        .iter()
        .zip(&fresh)
        .filter(|(_, f)| **f)
        .map(|(j, _)| *j)
        .collect();
    if !new_jobs.iter().all(|j| uris.insert(j.status.uri.as_str())) {
        return Ok(None);
    }

    let now = db::now();
    let mut rows = Vec::with_capacity(new_jobs.len());
    let mut conversations = Vec::new();
    let mut ids = Vec::with_capacity(new_jobs.len());
    for job in &new_jobs {
        let (row, id, new_conversation) = remote_status_row(state, job, now);
        conversations.extend(new_conversation);
        ids.push(id);
        rows.push(row);
    }
    db::conversations::create_many(txn, &conversations).await?;
    let mut inserted: HashMap<i64, statuses::Model> = if rows.is_empty() {
        HashMap::new()
    } else {
        db::statuses::insert_many_unless_id_taken(txn, rows)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    let mut stored = Vec::with_capacity(new_jobs.len());
    for id in ids {
        match inserted.remove(&id) {
            Some(s) => stored.push(s),
            // Taken by another process: one by one, each tries a fresh id.
            None => return Ok(None),
        }
    }
    db::search::index_new_many(
        txn,
        stored
            .iter()
            .zip(&new_jobs)
            .map(|(s, job)| (s.id, job.search_document.clone()))
            .collect(),
    )
    .await?;
    let mut counts: HashMap<i64, (i64, chrono::DateTime<chrono::Utc>)> = HashMap::new();
    for s in &stored {
        let c = counts.entry(s.account_id).or_insert((0, s.created_at));
        c.0 += 1;
        c.1 = c.1.max(s.created_at);
    }
    let mut counts: Vec<(i64, i64, chrono::DateTime<chrono::Utc>)> = counts
        .into_iter()
        .map(|(id, (n, at))| (id, n, at))
        .collect();
    // One order for every writer, so two processes lock accounts alike.
    counts.sort_unstable_by_key(|c| c.0);
    db::accounts::count_new_statuses(txn, &counts).await?;
    let authors: Vec<i64> = counts.iter().map(|c| c.0).collect();
    let mut followers: HashMap<i64, Vec<i64>> = HashMap::new();
    for (target, follower) in db::relationships::local_followers_of_many(txn, &authors).await? {
        followers.entry(target).or_default().push(follower);
    }

    let mut written = stored.into_iter();
    let mut out = Vec::with_capacity(jobs.len());
    for (job, fresh) in jobs.iter().zip(fresh) {
        if !fresh {
            out.push(BatchWrite::ActivitySeen);
            continue;
        }
        let status = written
            .next()
            .ok_or_else(|| AppError::internal("a status of the batch went missing"))?;
        let followers = followers.get(&job.author.id).cloned().unwrap_or_default();
        let events = write_remote_links(txn, state, job, &status, followers, now).await?;
        out.push(BatchWrite::New(Box::new(status), events));
    }
    Ok(Some(out))
}

/// The row of a new remote status, its id, and the id of a new conversation
/// for it when it does not continue its parent's.
fn remote_status_row(
    state: &AppState,
    job: &RemoteStatusJob,
    now: chrono::DateTime<chrono::Utc>,
) -> (statuses::ActiveModel, i64, Option<i64>) {
    let RemoteStatusJob {
        author,
        status: r,
        parent,
        ..
    } = job;
    // Sort by publication time, but never into the future.
    let published = r.published.min(now);
    let id = state.ids.at(published);
    let (conversation_id, new_conversation) = match parent.as_ref().and_then(|p| p.conversation_id)
    {
        Some(c) => (c, None),
        None => {
            let c = state.ids.next();
            (c, Some(c))
        }
    };
    let row = statuses::ActiveModel {
        id: Set(id),
        uri: Set(r.uri.clone()),
        url: Set(r.url.clone()),
        local: Set(false),
        account_id: Set(author.id),
        in_reply_to_id: Set(parent.as_ref().map(|p| p.id)),
        in_reply_to_account_id: Set(parent.as_ref().map(|p| p.account_id)),
        thread_root_id: Set(Some(
            parent
                .as_ref()
                .map(|p| p.thread_root_id.unwrap_or(p.id))
                .unwrap_or(id),
        )),
        conversation_id: Set(Some(conversation_id)),
        reblog_of_id: Set(None),
        content: Set(r.content_html.clone()),
        text: Set(String::new()),
        visibility: Set(r.visibility),
        sensitive: Set(r.sensitive || !r.spoiler_text.is_empty()),
        spoiler_text: Set(r.spoiler_text.clone()),
        language: Set(r.language.clone()),
        replies_count: Set(0),
        reblogs_count: Set(0),
        favourites_count: Set(0),
        created_at: Set(published),
        updated_at: Set(now),
        edited_at: Set(None),
        deleted_at: Set(None),
    };
    (row, id, new_conversation)
}

/// What a new remote status brings besides its row, its search entry and its
/// author's count: mentions, pictures, hashtags, the parent's reply count,
/// home feeds (among the author's local `followers`), notifications and
/// direct-message conversations. The events go out after the commit.
async fn write_remote_links(
    txn: &impl ConnectionTrait,
    state: &AppState,
    job: &RemoteStatusJob,
    status: &statuses::Model,
    followers: Vec<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<crate::events::Pending> {
    let RemoteStatusJob {
        author,
        status: r,
        parent,
        mentioned,
        ..
    } = job;
    let mut events = crate::events::Pending::default();
    let mention_rows = mentioned.iter().map(|a| mentions::ActiveModel {
        id: Set(state.ids.next()),
        status_id: Set(status.id),
        account_id: Set(a.id),
        created_at: Set(now),
    });
    db::statuses::insert_mentions(txn, mention_rows.collect()).await?;
    super::media::insert_remote(txn, state, author.id, status.id, &r.attachments).await?;
    let tag_ids = db::tags::find_or_create(txn, &r.tags, || state.ids.next()).await?;
    db::tags::link(txn, status.id, &tag_ids).await?;
    if let Some(p) = parent {
        db::statuses::bump(txn, p.id, Counter::Replies, 1).await?;
    }
    let mentioned_ids: Vec<i64> = mentioned.iter().map(|a| a.id).collect();
    let mut readers = fan_out_among(txn, status, &mentioned_ids, followers).await?;
    readers.extend(fan_out_to_tag_followers(txn, status, &tag_ids, &readers).await?);
    events.push(update_event(status, readers, &r.tags));
    // A mentioned local account that does not follow the author still sees a DM or mention.
    for acc in mentioned {
        notify(
            txn,
            &state.ids,
            &mut events,
            acc,
            author.id,
            NotificationKind::Mention,
            Some(status.id),
        )
        .await?;
    }
    if status.visibility == Visibility::Direct {
        let participants =
            record_direct_message(txn, &state.ids, status, author, mentioned).await?;
        events.push(crate::events::Event::Conversation {
            account_ids: std::sync::Arc::new(participants),
            status_id: status.id,
        });
    }
    Ok(events)
}

/// An edit from another server (an incoming Update of a Note by its author).
pub async fn receive_remote_edit(
    state: &AppState,
    author: &accounts::Model,
    r: RemoteStatus,
) -> AppResult<()> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    let Some(existing) = db::statuses::find_by_uri(&state.db.read, &r.uri).await? else {
        return Ok(());
    };
    if existing.account_id != author.id || existing.deleted_at.is_some() {
        return Err(AppError::Forbidden(
            "only the author may edit a status".into(),
        ));
    }
    let existing_id = existing.id;
    let mut m = existing.into_active_model();
    m.content = Set(r.content_html);
    m.spoiler_text = Set(r.spoiler_text.clone());
    m.sensitive = Set(r.sensitive || !r.spoiler_text.is_empty());
    m.edited_at = Set(Some(db::now()));
    m.updated_at = Set(db::now());
    let txn = state.db.write.begin().await?;
    let before = db::statuses::find_any(&txn, existing_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let saved = m.update(&txn).await?;
    record_edit(&txn, &state.ids, &before, &saved).await?;
    db::search::index(&txn, &saved, search_document(&saved)).await?;
    txn.commit().await?;
    Ok(())
}

/// What full-text search indexes for a status: its content warning and its
/// text without markup.
fn search_document(s: &statuses::Model) -> String {
    search_document_of(&s.spoiler_text, &s.content)
}

fn search_document_of(spoiler_text: &str, content: &str) -> String {
    let text = text::strip_html(&content.replace("<br", " <br").replace("</p>", "</p> "));
    format!("{spoiler_text} {text}")
}

/// Keeps a status's versions for its edit history: the original the first time
/// it is edited, then each new version.
async fn record_edit(
    conn: &impl ConnectionTrait,
    ids: &IdGenerator,
    before: &statuses::Model,
    after: &statuses::Model,
) -> AppResult<()> {
    use entity::status_edits;
    let row = |s: &statuses::Model, at| status_edits::ActiveModel {
        id: Set(ids.next()),
        status_id: Set(s.id),
        account_id: Set(s.account_id),
        content: Set(s.content.clone()),
        spoiler_text: Set(s.spoiler_text.clone()),
        sensitive: Set(s.sensitive),
        created_at: Set(at),
    };
    if !db::pins::has_edits(conn, before.id).await? {
        db::pins::insert_edit(
            conn,
            row(before, before.edited_at.unwrap_or(before.created_at)),
        )
        .await?;
    }
    db::pins::insert_edit(
        conn,
        row(after, after.edited_at.unwrap_or(after.updated_at)),
    )
    .await?;
    Ok(())
}

/// A status's versions, oldest first (just the current one if never edited).
pub async fn history(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    id: i64,
) -> AppResult<(statuses::Model, Vec<entity::status_edits::Model>)> {
    let status = get(state, viewer, id).await?;
    let mut edits = db::pins::edits(&state.db.read, status.id).await?;
    if edits.is_empty() {
        edits.push(entity::status_edits::Model {
            id: status.id,
            status_id: status.id,
            account_id: status.account_id,
            content: status.content.clone(),
            spoiler_text: status.spoiler_text.clone(),
            sensitive: status.sensitive,
            created_at: status.created_at,
        });
    }
    Ok((status, edits))
}

/// What the author typed, for editing: only the author may read it.
pub async fn source(
    state: &AppState,
    author: &accounts::Model,
    id: i64,
) -> AppResult<statuses::Model> {
    let status = get(state, Some(author), id).await?;
    if status.account_id != author.id {
        return Err(AppError::not_found());
    }
    Ok(status)
}

/// Most pinned statuses per account, as on Mastodon.
pub const MAX_PINS: u64 = 5;

/// Pins one of the author's own statuses to their profile (not a reblog, not a
/// direct message; at most [`MAX_PINS`]). Pinning twice is harmless.
pub async fn pin(
    state: &AppState,
    author: &accounts::Model,
    id: i64,
) -> AppResult<statuses::Model> {
    let txn = state.db.write.begin().await?;
    let status = db::statuses::find(&txn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if status.account_id != author.id {
        return Err(AppError::validation(
            "Validation failed: Someone else's post cannot be pinned",
        ));
    }
    if status.reblog_of_id.is_some() {
        return Err(AppError::validation(
            "Validation failed: Boosts cannot be pinned",
        ));
    }
    if status.visibility == Visibility::Direct {
        return Err(AppError::validation(
            "Validation failed: Direct posts cannot be pinned",
        ));
    }
    let already = !db::pins::pinned_among(&txn, author.id, &[status.id])
        .await?
        .is_empty();
    if !already && db::pins::count(&txn, author.id).await? >= MAX_PINS {
        return Err(AppError::validation(
            "Validation failed: You have already pinned the maximum number of posts",
        ));
    }
    db::pins::pin(&txn, author.id, status.id).await?;
    txn.commit().await?;
    Ok(status)
}

pub async fn unpin(
    state: &AppState,
    author: &accounts::Model,
    id: i64,
) -> AppResult<statuses::Model> {
    let status = get(state, Some(author), id).await?;
    db::pins::unpin(&state.db.write, author.id, status.id).await?;
    Ok(status)
}

/// An account's pinned statuses as the viewer may see them.
pub async fn pinned(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    author_id: i64,
) -> AppResult<Vec<statuses::Model>> {
    let mut out = Vec::new();
    for s in db::pins::pinned_statuses(&state.db.read, author_id).await? {
        if can_view(&state.db.read, &s, viewer).await? {
            out.push(s);
        }
    }
    Ok(out)
}

/// A status deleted on its own server (an incoming Delete by its author).
pub async fn receive_remote_delete(
    state: &AppState,
    author: &accounts::Model,
    uri: &str,
) -> AppResult<()> {
    match db::statuses::find_by_uri(&state.db.read, uri).await? {
        Some(s) if s.account_id == author.id && s.deleted_at.is_none() => {
            if s.reblog_of_id.is_some() {
                if let Some(orig) = s.reblog_of_id {
                    super::interactions::unreblog(state, author, orig).await?;
                }
                return Ok(());
            }
            delete(state, author, s.id).await.map(|_| ())
        }
        _ => Ok(()),
    }
}
