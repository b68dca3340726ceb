//! The real JSON other servers send (tests/fixtures/activitypub, captured from
//! Mastodon, Pleroma, Akkoma, Friendica, Misskey, Lemmy and others): every
//! Follow, Create, Like, Announce, Delete, Update, Undo, actor and post there is
//! accepted or refused on purpose. The deliberately broken ones (their file
//! names say so) must be refused; everything else must be read.
use std::path::PathBuf;

use kith::apub::actors::parse_actor;
use kith::apub::inbox::{envelope, read_note};
use serde_json::Value;

const ACTIVITIES: &[&str] = &[
    "Follow", "Create", "Like", "Announce", "Delete", "Update", "Undo", "Accept", "Reject", "Block",
];
const POSTS: &[&str] = &["Note", "Article", "Page", "Question"];
const ACTORS: &[&str] = &["Person", "Service", "Application", "Group", "Organization"];

/// Fixtures refused on purpose although their names do not say they are broken.
const REFUSED: &[(&str, &str)] = &[
    ("gnusocial/group.json", "its key is owned by another actor"),
    (
        "generic/activitypub-client-post-activity.json",
        "a client-to-server post without an id; servers must send ids",
    ),
    ("generic/fep-e232.json", "an example without an id"),
    (
        "misskey/misskey-like.json",
        "hand-edited: the id is on misskey.xyz, the actor on mastodon.example.org",
    ),
    (
        "pleroma/https__info.pleroma.site_activity.json",
        "hand-edited: the note is on another host than its author",
    ),
    (
        "pleroma/https__info.pleroma.site_activity3.json",
        "hand-edited: the note is on another host than its author",
    ),
];

/// Fixtures named as broken that are read on purpose, because what is broken
/// about them is something Kith never trusts or never uses.
const ACCEPTED: &[(&str, &str)] = &[
    (
        "mastodon/bogus-mastodon-announce.json",
        "the embedded object of an Announce is ignored; the post is fetched from its own host",
    ),
    (
        "pleroma/spoofed-object.json",
        "the spoof only shows when fetched from another URL, which fetch_object refuses",
    ),
    (
        "fedibird/fedibird_quote_mismatched.json",
        "the mismatch is in quote fields, which Kith does not read",
    ),
    (
        "minds/minds-invalid-mention-post.json",
        "a mention of an unknown account is simply not linked",
    ),
    (
        "takahe/nonsense_attachment_user.json",
        "a malformed attachment list is ignored; the actor is otherwise valid",
    ),
];

fn negative(name: &str) -> bool {
    if ACCEPTED.iter().any(|(f, _)| name.ends_with(f)) {
        return false;
    }
    [
        "bogus",
        "spoofed",
        "evil",
        "imposter",
        "invalid",
        "mismatched",
        "nonsense",
    ]
    .iter()
    .any(|n| name.contains(n))
        || REFUSED.iter().any(|(f, _)| name.ends_with(f))
}

fn fixtures() -> Vec<(String, Value)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/activitypub");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let path = f.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let name = format!(
                "{}/{}",
                dir.file_name().unwrap().to_string_lossy(),
                path.file_name().unwrap().to_string_lossy()
            );
            out.push((name, json));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A stand-in author for a post: the account its `attributedTo` names.
fn author_of(post: &Value) -> Option<entity::accounts::Model> {
    let uri = match post.get("attributedTo")? {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().find_map(|x| {
            x.as_str()
                .map(str::to_string)
                .or_else(|| x.get("id")?.as_str().map(str::to_string))
        })?,
        Value::Object(o) => o.get("id")?.as_str()?.to_string(),
        _ => return None,
    };
    let now = chrono::Utc::now();
    Some(entity::accounts::Model {
        id: 1,
        username: "author".into(),
        domain: url::Url::parse(&uri)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string)),
        display_name: String::new(),
        note: String::new(),
        note_source: None,
        avatar_url: None,
        header_url: None,
        locked: false,
        bot: false,
        discoverable: false,
        fields: serde_json::json!([]),
        followers_url: Some(format!("{uri}/followers")),
        uri,
        url: None,
        inbox_url: String::new(),
        shared_inbox_url: None,
        outbox_url: None,
        following_url: None,
        public_key_pem: String::new(),
        private_key_pem: None,
        followers_count: 0,
        following_count: 0,
        statuses_count: 0,
        last_status_at: None,
        created_at: now,
        updated_at: now,
        last_fetched_at: None,
        suspended_at: None,
    })
}

fn check_post(post: &Value) -> Result<(), String> {
    let author = author_of(post).ok_or("the post has no author")?;
    let status = read_note(post, &author).map_err(|e| e.to_string())?;
    if status.content_html.contains("<script") {
        return Err("script survived sanitising".into());
    }
    Ok(())
}

#[test]
fn every_captured_activity_actor_and_post_is_handled_on_purpose() {
    let mut counted = std::collections::BTreeMap::<&str, usize>::new();
    let mut failures = Vec::new();
    for (name, json) in fixtures() {
        let Some(kind) = json.get("type").and_then(Value::as_str) else {
            continue;
        };
        let result: Result<(), String> = if ACTIVITIES.contains(&kind) {
            envelope(&json)
                .map(|_| ())
                .and_then(|_| match json.get("object") {
                    Some(o)
                        if kind == "Create"
                            && o.is_object()
                            && POSTS
                                .contains(&o.get("type").and_then(Value::as_str).unwrap_or("")) =>
                    {
                        check_post(o)
                    }
                    _ => Ok(()),
                })
        } else if POSTS.contains(&kind) {
            check_post(&json)
        } else if ACTORS.contains(&kind) {
            parse_actor(&json).map(|_| ())
        } else {
            continue;
        };
        *counted
            .entry(if ACTIVITIES.contains(&kind) {
                "activity"
            } else if POSTS.contains(&kind) {
                "post"
            } else {
                "actor"
            })
            .or_default() += 1;
        match (result, negative(&name)) {
            (Ok(()), false) | (Err(_), true) => {}
            (Ok(()), true) => failures.push(format!(
                "{name}: accepted, but it is a deliberately broken document"
            )),
            (Err(e), false) => failures.push(format!("{name}: refused: {e}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        counted["activity"] >= 60 && counted["post"] >= 50 && counted["actor"] >= 60,
        "{counted:?}"
    );
}
