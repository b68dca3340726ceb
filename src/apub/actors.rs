//! Remote actors: reading their JSON, fetching them by id or WebFinger, and
//! keeping them fresh.
use serde_json::Value;

use super::fetch::{FetchError, authority, fetch_object, get_signed};
use crate::error::{AppError, AppResult};
use crate::service::accounts::{RemoteProfile, upsert_remote};
use crate::service::text::{sanitize_remote_html, strip_html};
use crate::state::AppState;
use entity::accounts;

/// A stored actor older than this is fetched again when needed.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::days(1);

const ACTOR_TYPES: &[&str] = &["Person", "Service", "Application", "Group", "Organization"];

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A URL given as a string, an object with `href`/`url`, or a list of those.
fn url_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => a.iter().find_map(|x| url_of(Some(x))),
        Value::Object(o) => o
            .get("href")
            .or_else(|| o.get("url"))
            .and_then(|x| url_of(Some(x))),
        _ => None,
    }
}

/// Reads an actor document into a profile. Refuses documents that are not an
/// actor, lack an inbox or key, or whose key belongs to someone else.
pub fn parse_actor(json: &Value) -> Result<RemoteProfile, String> {
    let id = str_of(json, "id").ok_or("the actor has no id")?;
    let id_url = url::Url::parse(id).map_err(|_| "the actor id is not a URL")?;
    let kind = str_of(json, "type").unwrap_or("");
    if !ACTOR_TYPES.contains(&kind) {
        return Err(format!("{kind:?} is not an actor type"));
    }
    let username = str_of(json, "preferredUsername")
        .filter(|u| !u.is_empty())
        .ok_or("the actor has no preferredUsername")?;
    let inbox = str_of(json, "inbox").ok_or("the actor has no inbox")?;
    let key = json.get("publicKey").map(|k| {
        if let Value::Array(a) = k {
            a.first().cloned().unwrap_or(Value::Null)
        } else {
            k.clone()
        }
    });
    let key = key.ok_or("the actor has no public key")?;
    let pem = str_of(&key, "publicKeyPem").ok_or("the actor's key has no PEM")?;
    if let Some(owner) = str_of(&key, "owner")
        && owner != id
    {
        return Err("the actor's key belongs to another actor".into());
    }
    let same_host = |u: &str| {
        url::Url::parse(u)
            .map(|u| authority(&u) == authority(&id_url))
            .unwrap_or(false)
    };
    if !same_host(inbox) {
        return Err("the actor's inbox is on another host".into());
    }
    let fields = json
        .get("attachment")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|f| str_of(f, "type") == Some("PropertyValue"))
                .filter_map(|f| {
                    Some((
                        strip_html(str_of(f, "name")?),
                        sanitize_remote_html(str_of(f, "value")?),
                    ))
                })
                .take(16)
                .collect()
        })
        .unwrap_or_default();
    Ok(RemoteProfile {
        uri: id.to_string(),
        username: username.chars().take(200).collect(),
        domain: authority(&id_url),
        display_name: strip_html(str_of(json, "name").unwrap_or(""))
            .chars()
            .take(200)
            .collect(),
        note_html: sanitize_remote_html(str_of(json, "summary").unwrap_or("")),
        url: url_of(json.get("url")),
        inbox: inbox.to_string(),
        shared_inbox: json
            .get("endpoints")
            .and_then(|e| str_of(e, "sharedInbox"))
            .filter(|u| same_host(u))
            .map(str::to_string),
        outbox: str_of(json, "outbox").map(str::to_string),
        followers: str_of(json, "followers").map(str::to_string),
        following: str_of(json, "following").map(str::to_string),
        public_key_pem: pem.to_string(),
        locked: json
            .get("manuallyApprovesFollowers")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        bot: matches!(kind, "Service" | "Application"),
        discoverable: json
            .get("discoverable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        avatar_url: url_of(json.get("icon")),
        header_url: url_of(json.get("image")),
        fields,
    })
}

fn fetch_failed(e: FetchError) -> AppError {
    match e {
        FetchError::NotFound | FetchError::Gone => {
            AppError::NotFound("The remote account could not be found".into())
        }
        other => AppError::Validation(format!("The remote account could not be fetched: {other}")),
    }
}

/// Fetches an actor by id and stores it.
pub async fn fetch_actor(state: &AppState, uri: &str) -> AppResult<accounts::Model> {
    let url = url::Url::parse(uri).map_err(|_| AppError::BadRequest("not an actor URL".into()))?;
    let json = fetch_object(state, &url).await.map_err(fetch_failed)?;
    let profile = parse_actor(&json).map_err(AppError::Validation)?;
    if profile.uri != uri {
        return Err(AppError::Validation(
            "the actor document names another id".into(),
        ));
    }
    upsert_remote(state, profile).await
}

/// The actor with this id: from the database when fresh, else fetched.
pub async fn resolve_actor(state: &AppState, uri: &str) -> AppResult<accounts::Model> {
    if let Some(a) = crate::db::accounts::find_by_uri(&state.db.read, uri).await? {
        let fresh = a.is_local()
            || a.last_fetched_at
                .is_some_and(|t| crate::db::now() - t < STALE_AFTER);
        if fresh {
            return Ok(a);
        }
        // A stale copy still serves when its server does not answer.
        return Ok(fetch_actor(state, uri).await.unwrap_or(a));
    }
    fetch_actor(state, uri).await
}

/// Finds `user@host` through WebFinger and stores the actor it points to.
pub async fn resolve_acct(state: &AppState, user: &str, host: &str) -> AppResult<accounts::Model> {
    let host = host.to_lowercase();
    if host == state.config.domain {
        return crate::service::accounts::find_visible_local(state, user).await;
    }
    if let Some(a) =
        crate::db::accounts::find_by_username(&state.db.read, user, Some(&host)).await?
        && a.last_fetched_at
            .is_some_and(|t| crate::db::now() - t < STALE_AFTER)
    {
        return Ok(a);
    }
    let url = url::Url::parse(&format!(
        "{}://{host}/.well-known/webfinger",
        state.config.scheme.as_str()
    ))
    .map_err(|_| AppError::BadRequest("not a host name".into()))?;
    let mut url = url;
    url.query_pairs_mut()
        .append_pair("resource", &format!("acct:{user}@{host}"));
    let (_, body) = get_signed(state, &url, "application/jrd+json, application/json")
        .await
        .map_err(fetch_failed)?;
    let jrd: Value = serde_json::from_slice(&body)
        .map_err(|_| AppError::Validation("bad WebFinger answer".into()))?;
    let actor_uri = jrd
        .get("links")
        .and_then(Value::as_array)
        .and_then(|links| {
            links.iter().find(|l| {
                str_of(l, "rel") == Some("self")
                    && str_of(l, "type").is_some_and(|t| {
                        t.starts_with("application/activity+json")
                            || t.starts_with("application/ld+json")
                    })
            })
        })
        .and_then(|l| str_of(l, "href"))
        .ok_or_else(|| AppError::NotFound("The remote account has no ActivityPub actor".into()))?
        .to_string();
    fetch_actor(state, &actor_uri).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_own_person_document() {
        let a = entity::accounts::Model {
            id: 1,
            username: "alice".into(),
            domain: None,
            display_name: "Alice".into(),
            note: "<p>hi</p>".into(),
            note_source: None,
            avatar_url: Some("https://k.example/a.png".into()),
            header_url: None,
            locked: true,
            bot: false,
            discoverable: true,
            fields: serde_json::json!([{"name": "Web", "value": "<a href=\"https://a.example\">a</a>"}]),
            uri: "https://k.example/users/alice".into(),
            url: Some("https://k.example/@alice".into()),
            inbox_url: "https://k.example/users/alice/inbox".into(),
            shared_inbox_url: Some("https://k.example/inbox".into()),
            outbox_url: None,
            followers_url: None,
            following_url: None,
            public_key_pem: "PEM".into(),
            private_key_pem: None,
            followers_count: 0,
            following_count: 0,
            statuses_count: 0,
            last_status_at: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            last_fetched_at: None,
            suspended_at: None,
        };
        let json = crate::apub::context::with_context(
            &crate::apub::objects::person::Person::from_account(&a),
        );
        let p = parse_actor(&json).unwrap();
        assert_eq!(
            (p.username.as_str(), p.domain.as_str(), p.locked),
            ("alice", "k.example", true)
        );
        assert_eq!(p.avatar_url.as_deref(), Some("https://k.example/a.png"));
        assert_eq!(p.fields.len(), 1);
        assert_eq!(p.shared_inbox.as_deref(), Some("https://k.example/inbox"));
    }

    #[test]
    fn reads_a_mastodon_actor_and_refuses_impostors() {
        let mut json = serde_json::json!({
            "id": "https://m.example/users/bob", "type": "Person", "preferredUsername": "bob",
            "name": "<b>Bob</b>", "summary": "<p>hi<script>x</script></p>",
            "inbox": "https://m.example/users/bob/inbox", "endpoints": {"sharedInbox": "https://m.example/inbox"},
            "publicKey": {"id": "https://m.example/users/bob#main-key", "owner": "https://m.example/users/bob", "publicKeyPem": "PEM"},
            "icon": {"type": "Image", "url": "https://files.m.example/bob.png"}
        });
        let p = parse_actor(&json).unwrap();
        assert_eq!(p.display_name, "Bob");
        assert_eq!(p.note_html, "<p>hi</p>");
        assert_eq!(
            p.avatar_url.as_deref(),
            Some("https://files.m.example/bob.png")
        );
        json["publicKey"]["owner"] = "https://m.example/users/eve".into();
        assert!(parse_actor(&json).is_err());
        json["publicKey"]["owner"] = "https://m.example/users/bob".into();
        json["inbox"] = "https://elsewhere.example/inbox".into();
        assert!(parse_actor(&json).is_err());
        json["inbox"] = "https://m.example/users/bob/inbox".into();
        json["type"] = "Note".into();
        assert!(parse_actor(&json).is_err());
    }
}
