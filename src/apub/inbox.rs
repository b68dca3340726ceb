//! Receiving activities: check the signature, find the sender, and hand each
//! activity kind to the service function that means it. Idempotent on the
//! activity id; anything unknown is accepted and dropped.
use std::collections::BTreeMap;

use entity::{Visibility, accounts};
use serde_json::Value;

use super::actors::{fetch_actor, parse_actor, resolve_actor};
use super::context::PUBLIC;
use super::fetch::{fetch_object, same_origin};
use super::signatures::{self, VerifyError};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::service::{self, statuses::RemoteStatus, text::sanitize_remote_html};
use crate::state::AppState;

/// The largest activity accepted.
pub const MAX_ACTIVITY_BYTES: usize = 1024 * 1024;

fn unauthorized(msg: impl Into<String>) -> AppError {
    AppError::Unauthorized(msg.into())
}

fn verify_error(e: VerifyError) -> AppError {
    match e {
        VerifyError::DigestMismatch => AppError::BadRequest(e.to_string()),
        other => unauthorized(other.to_string()),
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// An object given inline, by id, or as a one-element list: its id.
fn id_of(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::String(s) => Some(s),
        Value::Object(_) => v.and_then(|o| str_of(o, "id")),
        Value::Array(a) => a.first().and_then(|x| id_of(Some(x))),
        _ => None,
    }
}

/// Who signed the request: the actor owning `key_id`, fetched if unknown.
pub(crate) async fn key_owner(state: &AppState, key_id: &str) -> AppResult<accounts::Model> {
    let actor_uri = signatures::actor_of_key_id(key_id);
    if let Some(a) = db::accounts::find_by_uri(&state.db.read, actor_uri).await? {
        return Ok(a);
    }
    fetch_key_owner(state, key_id).await
}

/// The owner of `key_id`, which is not stored here: fetched.
async fn fetch_key_owner(state: &AppState, key_id: &str) -> AppResult<accounts::Model> {
    let actor_uri = signatures::actor_of_key_id(key_id);
    match fetch_actor(state, actor_uri).await {
        Ok(a) => Ok(a),
        Err(first) => {
            // Some servers publish the key as its own document, with an owner.
            let url =
                url::Url::parse(key_id).map_err(|_| unauthorized("the keyId is not a URL"))?;
            let doc = fetch_object(state, &url).await.map_err(|_| first)?;
            let owner =
                str_of(&doc, "owner").ok_or_else(|| unauthorized("the key has no owner"))?;
            resolve_actor(state, owner).await
        }
    }
}

/// The parts of an activity every kind needs, checked before anything else:
/// an id and an actor that are URLs on the same host, and a type.
#[derive(Debug, PartialEq, Eq)]
pub struct Envelope<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub actor: &'a str,
}

pub fn envelope(activity: &Value) -> Result<Envelope<'_>, String> {
    let id = str_of(activity, "id").ok_or("the activity has no id")?;
    let kind = str_of(activity, "type").ok_or("the activity has no type")?;
    let actor = id_of(activity.get("actor")).ok_or("the activity has no actor")?;
    let id_url = url::Url::parse(id).map_err(|_| "the activity id is not a URL")?;
    let actor_url = url::Url::parse(actor).map_err(|_| "the actor is not a URL")?;
    if !same_origin(&id_url, &actor_url) {
        return Err("the activity id is not on its actor's host".into());
    }
    Ok(Envelope { id, kind, actor })
}

/// Handles one POST to an inbox. `Ok` means 202.
pub async fn receive(
    state: &AppState,
    path_and_query: &str,
    headers: &BTreeMap<String, String>,
    body: &[u8],
) -> AppResult<()> {
    let pending =
        signatures::prepare("POST", path_and_query, headers, Some(body)).map_err(verify_error)?;
    let activity: Value = serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("the body is not JSON: {e}")))?;
    let Envelope {
        id,
        kind,
        actor: actor_uri,
    } = envelope(&activity).map_err(AppError::BadRequest)?;

    // A Create with its Note inline, the common case, has its signer and its
    // own checks read in one statement; everything else reads the signer here
    // and its activity id below.
    let inline_note = match activity.get("object") {
        Some(o @ Value::Object(_)) if kind == "Create" => str_of(o, "id"),
        _ => None,
    };
    let mut create_checks = None;
    let signer = match inline_note {
        Some(note_id) => {
            let (known, received, stored) = db::deliveries::signer_and_create_checks(
                &state.db.read,
                signatures::actor_of_key_id(&pending.key_id),
                id,
                note_id,
            )
            .await?;
            create_checks = Some(service::statuses::CreateChecks {
                status_uri: note_id.to_string(),
                received,
                stored,
            });
            match known {
                Some(a) => Ok(a),
                None => fetch_key_owner(state, &pending.key_id).await,
            }
        }
        None => key_owner(state, &pending.key_id).await,
    };
    let signer = match signer {
        Ok(a) => a,
        // A deleted actor's last word: nothing of it is here to delete.
        Err(_) if kind == "Delete" && id_of(activity.get("object")) == Some(actor_uri) => {
            return Ok(());
        }
        Err(e) => {
            return Err(unauthorized(format!(
                "the signing key cannot be found: {e}"
            )));
        }
    };
    if signer.is_local() {
        return Err(unauthorized(
            "local actors do not sign requests to their own server",
        ));
    }
    if let Err(first) = pending.verify(&state.keys, &signer.public_key_pem) {
        // The key may have changed since we stored it: fetch the actor again, once.
        state.keys.forget_public(&pending.key_id);
        let fresh = fetch_actor(state, &signer.uri)
            .await
            .map_err(|_| verify_error(first.clone()))?;
        pending
            .verify(&state.keys, &fresh.public_key_pem)
            .map_err(verify_error)?;
    }
    if signer.uri != actor_uri {
        return Err(unauthorized(
            "the signing key does not belong to the activity's actor",
        ));
    }
    if signer.suspended_at.is_some() {
        return Ok(());
    }
    // A Create with its Note inline had its activity checked with its Note
    // above (`create_checks`); everything else here.
    let inline_create =
        kind == "Create" && matches!(activity.get("object"), Some(Value::Object(_)));
    if !inline_create && db::deliveries::was_received(&state.db.read, id).await? {
        return Ok(());
    }
    // A Create, the common case, is stored and recorded in one write transaction.
    let recorded = if kind == "Create" {
        receive_create(state, &signer, &activity, create_checks).await?
    } else {
        dispatch(state, &signer, kind, &activity).await?;
        false
    };
    if !recorded {
        db::deliveries::record_received(&state.db.write, id).await?;
    }
    Ok(())
}

async fn local_account_by_uri(state: &AppState, uri: Option<&str>) -> AppResult<accounts::Model> {
    let uri = uri.ok_or_else(|| AppError::BadRequest("the object is missing".into()))?;
    match db::accounts::find_by_uri(&state.db.read, uri).await? {
        Some(a) if a.is_local() => Ok(a),
        _ => Err(AppError::not_found()),
    }
}

async fn status_by_uri(
    state: &AppState,
    uri: Option<&str>,
) -> AppResult<Option<entity::statuses::Model>> {
    match uri {
        Some(u) => Ok(db::statuses::find_by_uri(&state.db.read, u)
            .await?
            .filter(|s| s.deleted_at.is_none())),
        None => Ok(None),
    }
}

/// A `Create`: `true` when the activity id was recorded in the transaction
/// that stored its status (see [`service::statuses::receive_remote_create`]).
async fn receive_create(
    state: &AppState,
    actor: &accounts::Model,
    activity: &Value,
    checks: Option<service::statuses::CreateChecks>,
) -> AppResult<bool> {
    let activity_id = str_of(activity, "id").unwrap_or_default();
    let fetched;
    let note = match activity.get("object") {
        Some(o @ Value::Object(_)) => o,
        Some(Value::String(uri)) => {
            let url =
                url::Url::parse(uri).map_err(|_| AppError::BadRequest("bad object id".into()))?;
            fetched = fetch_object(state, &url)
                .await
                .map_err(|e| AppError::Validation(e.to_string()))?;
            &fetched
        }
        _ => return Err(AppError::BadRequest("Create of nothing".into())),
    };
    if !matches!(
        str_of(note, "type"),
        Some("Note" | "Article" | "Page" | "Question")
    ) {
        return Ok(false);
    }
    let status = read_note(note, actor)?;
    fetch_missing_parent(state, &status, 0).await;
    service::statuses::receive_checked_create(state, actor, status, activity_id, checks).await
}

async fn dispatch(
    state: &AppState,
    actor: &accounts::Model,
    kind: &str,
    activity: &Value,
) -> AppResult<()> {
    let object = activity.get("object");
    let activity_id = str_of(activity, "id").unwrap_or_default();
    match kind {
        "Follow" => {
            let target = local_account_by_uri(state, id_of(object)).await?;
            match service::relationships::receive_follow(state, actor, &target, activity_id).await {
                Ok(_) | Err(AppError::Forbidden(_)) => Ok(()),
                Err(e) => Err(e),
            }
        }
        "Accept" | "Reject" => {
            // The Follow being answered: embedded (Mastodon) or by id.
            let follower = match object {
                Some(Value::Object(_)) => object
                    .and_then(|o| id_of(o.get("actor")))
                    .map(str::to_string),
                _ => None,
            };
            let follower = match follower {
                Some(f) => local_account_by_uri(state, Some(&f)).await?,
                None => {
                    let fid = id_of(object).ok_or_else(|| {
                        AppError::BadRequest("the answered Follow is missing".into())
                    })?;
                    let req = db::relationships::find_follow_request_by_uri(&state.db.read, fid)
                        .await?
                        .ok_or_else(AppError::not_found)?;
                    db::accounts::find(&state.db.read, req.account_id)
                        .await?
                        .ok_or_else(AppError::not_found)?
                }
            };
            if kind == "Accept" {
                service::relationships::receive_accept(state, actor, &follower).await
            } else {
                service::relationships::receive_reject(state, actor, &follower).await
            }
        }
        "Undo" => {
            let inner = object.ok_or_else(|| AppError::BadRequest("Undo of nothing".into()))?;
            let inner_kind = str_of(inner, "type").unwrap_or("");
            if id_of(inner.get("actor")).is_some_and(|a| a != actor.uri) {
                return Err(unauthorized("an actor may only undo its own activities"));
            }
            match inner_kind {
                "Follow" => {
                    let target = local_account_by_uri(state, id_of(inner.get("object"))).await?;
                    service::relationships::receive_unfollow(state, actor, &target).await
                }
                "Like" => match status_by_uri(state, id_of(inner.get("object"))).await? {
                    Some(s) => service::interactions::unfavourite(state, actor, s.id)
                        .await
                        .map(|_| ()),
                    None => Ok(()),
                },
                "Announce" => match status_by_uri(state, id_of(inner.get("object"))).await? {
                    Some(s) => service::interactions::unreblog(state, actor, s.id)
                        .await
                        .map(|_| ()),
                    None => Ok(()),
                },
                "Block" => {
                    let target = local_account_by_uri(state, id_of(inner.get("object"))).await?;
                    service::relationships::unblock(state, actor, target.id).await
                }
                _ => Ok(()),
            }
        }
        "Create" => receive_create(state, actor, activity, None)
            .await
            .map(|_| ()),
        "Update" => {
            let obj = object.ok_or_else(|| AppError::BadRequest("Update of nothing".into()))?;
            match str_of(obj, "type") {
                Some("Note" | "Article" | "Page" | "Question") => {
                    let status = read_note(obj, actor)?;
                    service::statuses::receive_remote_edit(state, actor, status).await
                }
                Some("Person" | "Service" | "Application" | "Group" | "Organization") => {
                    let profile = parse_actor(obj).map_err(AppError::Validation)?;
                    if profile.uri != actor.uri {
                        return Err(unauthorized("an actor may only update itself"));
                    }
                    service::accounts::upsert_remote(state, profile)
                        .await
                        .map(|_| ())
                }
                _ => Ok(()),
            }
        }
        "Delete" => {
            let target =
                id_of(object).ok_or_else(|| AppError::BadRequest("Delete of nothing".into()))?;
            if target == actor.uri {
                return service::accounts::receive_remote_actor_delete(state, actor).await;
            }
            service::statuses::receive_remote_delete(state, actor, target).await
        }
        "Like" => match status_by_uri(state, id_of(object)).await? {
            Some(s) => match service::interactions::favourite_with_uri(
                state,
                actor,
                s.id,
                Some(activity_id),
            )
            .await
            {
                Ok(_) | Err(AppError::NotFound(_)) => Ok(()),
                Err(e) => Err(e),
            },
            None => Ok(()),
        },
        "Announce" => {
            let Some(object_uri) = id_of(object) else {
                return Ok(());
            };
            let original = match status_by_uri(state, Some(object_uri)).await? {
                Some(s) => s,
                // A boost of a post this server has not seen: fetch it from its origin.
                None => match fetch_status(state, object_uri).await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::debug!(error = %e, object_uri, "cannot fetch a boosted status");
                        return Ok(());
                    }
                },
            };
            let visibility = visibility_of(activity, actor);
            match service::interactions::reblog_with_uri(
                state,
                actor,
                original.id,
                Some(visibility),
                Some(activity_id),
            )
            .await
            {
                Ok(_) | Err(AppError::NotFound(_) | AppError::Forbidden(_)) => Ok(()),
                Err(e) => Err(e),
            }
        }
        "Block" => {
            let target = local_account_by_uri(state, id_of(object)).await?;
            service::relationships::block(state, actor, target.id).await
        }
        _ => Ok(()),
    }
}

/// How far up a thread missing parents are fetched.
const MAX_PARENT_DEPTH: usize = 5;

/// Fetches the parent a reply points at when this server does not have it, so
/// the reply attaches to its thread. Failure leaves the reply unthreaded.
async fn fetch_missing_parent(state: &AppState, status: &RemoteStatus, depth: usize) {
    let Some(parent) = &status.in_reply_to_uri else {
        return;
    };
    if depth >= MAX_PARENT_DEPTH
        || matches!(
            db::statuses::find_by_uri(&state.db.read, parent).await,
            Ok(Some(_))
        )
    {
        return;
    }
    if let Err(e) = Box::pin(fetch_status_at_depth(state, parent, depth + 1)).await {
        tracing::debug!(error = %e, parent, "cannot fetch a reply's parent");
    }
}

/// Fetches a status by its id from its own server and stores it (with its author).
pub async fn fetch_status(state: &AppState, uri: &str) -> AppResult<entity::statuses::Model> {
    fetch_status_at_depth(state, uri, 0).await
}

async fn fetch_status_at_depth(
    state: &AppState,
    uri: &str,
    depth: usize,
) -> AppResult<entity::statuses::Model> {
    if let Some(s) = db::statuses::find_by_uri(&state.db.read, uri).await? {
        return Ok(s);
    }
    let url = url::Url::parse(uri).map_err(|_| AppError::BadRequest("bad object id".into()))?;
    let note = fetch_object(state, &url)
        .await
        .map_err(|e| AppError::Validation(e.to_string()))?;
    if !matches!(
        str_of(&note, "type"),
        Some("Note" | "Article" | "Page" | "Question")
    ) {
        return Err(AppError::Validation("the object is not a post".into()));
    }
    let author_uri = id_of(note.get("attributedTo"))
        .ok_or_else(|| AppError::Validation("the post has no author".into()))?;
    let author = resolve_actor(state, author_uri).await?;
    let status = read_note(&note, &author)?;
    fetch_missing_parent(state, &status, depth).await;
    service::statuses::receive_remote(state, &author, status).await
}

fn addressed(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| id_of(Some(x)).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_public(s: &str) -> bool {
    s == PUBLIC || s == "as:Public" || s == "Public"
}

/// Mastodon's reading of an object's addressing.
pub fn visibility_of(object: &Value, author: &accounts::Model) -> Visibility {
    let to = addressed(object, "to");
    let cc = addressed(object, "cc");
    if to.iter().any(|s| is_public(s)) {
        Visibility::Public
    } else if cc.iter().any(|s| is_public(s)) {
        Visibility::Unlisted
    } else if author
        .followers_url
        .as_ref()
        .is_some_and(|f| to.contains(f) || cc.contains(f))
    {
        Visibility::Private
    } else {
        Visibility::Direct
    }
}

/// Reads a Note (or Article, Page, Question) by `author` into a status.
/// The pictures (and other files) on a Note: `Document`/`Image`/... objects
/// whose `url` is a string, a Link, or a list of Links. Only http(s) URLs are
/// kept; alt text is plain text.
pub fn read_attachments(note: &Value) -> Vec<crate::service::media::RemoteAttachment> {
    let list: Vec<&Value> = match note.get("attachment") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|a| {
            let (url, link_type) = match a.get("url") {
                Some(Value::String(u)) => (u.clone(), None),
                Some(Value::Array(links)) => links.iter().find_map(|l| match l {
                    Value::String(u) => Some((u.clone(), None)),
                    other => str_of(other, "href").map(|h| {
                        (
                            h.to_string(),
                            str_of(other, "mediaType").map(str::to_string),
                        )
                    }),
                })?,
                Some(link @ Value::Object(_)) => (
                    str_of(link, "href")?.to_string(),
                    str_of(link, "mediaType").map(str::to_string),
                ),
                _ => return None,
            };
            let parsed = url::Url::parse(&url).ok()?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return None;
            }
            let dim = |k: &str| {
                a.get(k)
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
            };
            let focus = a.get("focalPoint").and_then(Value::as_array).and_then(|p| {
                let x = p.first()?.as_f64()?;
                let y = p.get(1)?.as_f64()?;
                ((-1.0..=1.0).contains(&x) && (-1.0..=1.0).contains(&y)).then_some((x, y))
            });
            Some(crate::service::media::RemoteAttachment {
                url: parsed.to_string(),
                media_type: str_of(a, "mediaType").map(str::to_string).or(link_type),
                description: str_of(a, "name")
                    .or_else(|| str_of(a, "summary"))
                    .map(crate::service::text::strip_html)
                    .filter(|d| !d.trim().is_empty()),
                blurhash: str_of(a, "blurhash")
                    .filter(|b| b.len() <= 100 && b.is_ascii())
                    .map(str::to_string),
                width: dim("width"),
                height: dim("height"),
                focus,
            })
        })
        .take(16)
        .collect()
}

pub fn read_note(note: &Value, author: &accounts::Model) -> AppResult<RemoteStatus> {
    let uri =
        str_of(note, "id").ok_or_else(|| AppError::BadRequest("the note has no id".into()))?;
    let attributed = id_of(note.get("attributedTo")).or_else(|| {
        note.get("attributedTo")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find_map(|x| id_of(Some(x))))
    });
    if attributed != Some(author.uri.as_str()) {
        return Err(unauthorized("the note is attributed to someone else"));
    }
    let note_url = url::Url::parse(uri)
        .map_err(|_| AppError::BadRequest("the note id is not a URL".into()))?;
    let author_url =
        url::Url::parse(&author.uri).map_err(|_| AppError::BadRequest("bad author".into()))?;
    if !same_origin(&note_url, &author_url) {
        return Err(unauthorized("the note is not on its author's host"));
    }
    let mut content = str_of(note, "content").unwrap_or("").to_string();
    if content.is_empty()
        && let Some(map) = note.get("contentMap").and_then(Value::as_object)
    {
        content = map
            .values()
            .find_map(Value::as_str)
            .unwrap_or("")
            .to_string();
    }
    if str_of(note, "type") != Some("Note") {
        // Articles and pages: show the title with a link, as Mastodon does.
        if let Some(name) = str_of(note, "name") {
            content = format!(
                "<p><strong>{}</strong></p>{content}",
                crate::service::text::strip_html(name)
            );
        }
    }
    let tags = note
        .get("tag")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mention_uris = tags
        .iter()
        .filter(|t| str_of(t, "type") == Some("Mention"))
        .filter_map(|t| str_of(t, "href").map(str::to_string))
        .chain(addressed(note, "to"))
        .chain(addressed(note, "cc"))
        .filter(|u| !is_public(u) && Some(u) != author.followers_url.as_ref())
        .collect();
    let hashtags = tags
        .iter()
        .filter(|t| str_of(t, "type") == Some("Hashtag"))
        .filter_map(|t| str_of(t, "name"))
        .map(|n| n.trim_start_matches('#').to_lowercase())
        .filter(|n| !n.is_empty() && n.chars().count() <= 100)
        .collect();
    let published = str_of(note, "published")
        .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or_else(chrono::Utc::now);
    let language = note
        .get("contentMap")
        .and_then(Value::as_object)
        .and_then(|m| m.keys().next().cloned())
        .filter(|l| l.len() <= 8);
    Ok(RemoteStatus {
        uri: uri.to_string(),
        url: note.get("url").and_then(|u| match u {
            Value::String(s) => Some(s.clone()),
            Value::Array(a) => a.iter().find_map(|x| {
                id_of(Some(x))
                    .or_else(|| str_of(x, "href"))
                    .map(str::to_string)
            }),
            Value::Object(_) => str_of(u, "href").map(str::to_string),
            _ => None,
        }),
        content_html: sanitize_remote_html(&content),
        spoiler_text: crate::service::text::strip_html(str_of(note, "summary").unwrap_or("")),
        sensitive: note
            .get("sensitive")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        visibility: visibility_of(note, author),
        published,
        in_reply_to_uri: id_of(note.get("inReplyTo")).map(str::to_string),
        mention_uris,
        tags: hashtags,
        language,
        attachments: read_attachments(note),
    })
}

#[cfg(test)]
mod attachment_tests {
    use super::*;

    #[test]
    fn reads_attachments_as_mastodon_lemmy_and_misskey_send_them() {
        let mastodon: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/activitypub/mastodon/mastodon-create-with-attachment.json"
        ))
        .unwrap();
        let a = read_attachments(&mastodon["object"]);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].media_type.as_deref(), Some("image/jpeg"));
        assert!(a[0].url.ends_with("334ce029e7bfb920.jpg"));
        assert_eq!(a[0].description, None);

        let lemmy: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/activitypub/lemmy/page_image_and_link.json"
        ))
        .unwrap();
        // The image is kept; the Link (an article, not a file) is not.
        let a = read_attachments(&lemmy);
        assert_eq!(a.len(), 1);
        assert!(a[0].url.ends_with(".png"));

        let linked = serde_json::json!({"attachment": [
            {"type": "Document", "mediaType": "image/png", "name": "<b>alt</b>",
             "url": [{"type": "Link", "href": "https://m.example/f.png", "mediaType": "image/png"}],
             "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH", "width": 10, "height": 20,
             "focalPoint": [0.5, -0.5]},
            {"type": "Document", "url": "javascript:alert(1)"},
            {"type": "Document", "url": "file:///etc/passwd"}
        ]});
        let a = read_attachments(&linked);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].description.as_deref(), Some("alt"));
        assert_eq!((a[0].width, a[0].height), (Some(10), Some(20)));
        assert_eq!(a[0].focus, Some((0.5, -0.5)));
    }
}
