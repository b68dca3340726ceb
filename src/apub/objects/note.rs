//! `Note`: a status as other servers see it.
use entity::{Visibility, accounts, statuses};
use serde::{Deserialize, Serialize};

use crate::apub::context::PUBLIC;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Tag {
    #[serde(rename = "type")]
    pub kind: String,
    pub href: String,
    pub name: String,
}

/// A picture on a Note, as Mastodon sends it: a `Document` with the alt text as `name`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    #[serde(rename = "type")]
    pub kind: String,
    pub media_type: String,
    pub url: String,
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blurhash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focal_point: Option<[f64; 2]>,
}

impl Attachment {
    /// The Document for one of our (or a remote) attachment rows, given its public URL.
    pub fn from_media(m: &entity::media_attachments::Model, url: String) -> Attachment {
        let original = m.meta.get("original");
        let dim = |k: &str| {
            original
                .and_then(|o| o.get(k))
                .and_then(serde_json::Value::as_u64)
        };
        let focus = m
            .meta
            .get("focus")
            .and_then(|f| Some([f.get("x")?.as_f64()?, f.get("y")?.as_f64()?]));
        Attachment {
            kind: "Document".into(),
            media_type: m
                .content_type
                .clone()
                .unwrap_or_else(|| "image/jpeg".into()),
            url,
            name: m.description.clone(),
            blurhash: m.blurhash.clone(),
            width: dim("width"),
            height: dim("height"),
            focal_point: focus,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub attributed_to: String,
    pub content: String,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    pub url: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub in_reply_to: Option<String>,
    pub tag: Vec<Tag>,
    pub attachment: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_map: Option<serde_json::Map<String, serde_json::Value>>,
    /// The replies collection (for local notes).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replies: Option<String>,
}

/// Who a status is addressed to, as Mastodon addresses it:
/// - public: to Public, cc followers and the mentioned;
/// - unlisted: to followers, cc Public and the mentioned;
/// - followers-only: to followers, cc the mentioned;
/// - direct: to the mentioned only.
pub fn audience(
    visibility: Visibility,
    followers_url: &str,
    mentioned: &[String],
) -> (Vec<String>, Vec<String>) {
    let m = mentioned.iter().cloned();
    match visibility {
        Visibility::Public => (
            vec![PUBLIC.into()],
            std::iter::once(followers_url.to_string())
                .chain(m)
                .collect(),
        ),
        Visibility::Unlisted => (
            vec![followers_url.to_string()],
            std::iter::once(PUBLIC.to_string()).chain(m).collect(),
        ),
        Visibility::Private => (vec![followers_url.to_string()], m.collect()),
        Visibility::Direct => (m.collect(), Vec::new()),
    }
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// What a Note needs besides the status row.
pub struct NoteParts<'a> {
    pub author: &'a accounts::Model,
    pub mentioned: &'a [accounts::Model],
    pub tags: &'a [String],
    pub in_reply_to_uri: Option<String>,
    pub base_url: &'a str,
    pub attachments: &'a [Attachment],
}

impl Note {
    pub fn from_status(s: &statuses::Model, p: NoteParts<'_>) -> Note {
        let followers = p
            .author
            .followers_url
            .clone()
            .unwrap_or_else(|| format!("{}/followers", p.author.uri));
        let mention_uris: Vec<String> = p.mentioned.iter().map(|a| a.uri.clone()).collect();
        let (to, cc) = audience(s.visibility, &followers, &mention_uris);
        let mut tag: Vec<Tag> = p
            .mentioned
            .iter()
            .map(|a| Tag {
                kind: "Mention".into(),
                href: a.uri.clone(),
                name: format!(
                    "@{}@{}",
                    a.username,
                    a.domain.as_deref().unwrap_or_else(|| domain_of(p.base_url))
                ),
            })
            .collect();
        tag.extend(p.tags.iter().map(|t| Tag {
            kind: "Hashtag".into(),
            href: format!("{}/tags/{t}", p.base_url),
            name: format!("#{t}"),
        }));
        let content_map = s.language.as_ref().map(|l| {
            let mut m = serde_json::Map::new();
            m.insert(l.clone(), serde_json::Value::String(s.content.clone()));
            m
        });
        Note {
            id: s.uri.clone(),
            kind: "Note".into(),
            attributed_to: p.author.uri.clone(),
            content: s.content.clone(),
            summary: (!s.spoiler_text.is_empty()).then(|| s.spoiler_text.clone()),
            sensitive: s.sensitive,
            published: time(s.created_at),
            updated: s.edited_at.map(time),
            url: s.url.clone().unwrap_or_else(|| s.uri.clone()),
            to,
            cc,
            in_reply_to: p.in_reply_to_uri,
            tag,
            attachment: p
                .attachments
                .iter()
                .filter_map(|a| serde_json::to_value(a).ok())
                .collect(),
            content_map,
            replies: s.local.then(|| format!("{}/replies", s.uri)),
        }
    }
}

fn domain_of(base_url: &str) -> &str {
    base_url
        .split_once("://")
        .map(|(_, d)| d)
        .unwrap_or(base_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addressing_follows_mastodon() {
        let f = "https://k.example/users/a/followers";
        let m = vec!["https://b.example/users/b".to_string()];
        let (to, cc) = audience(Visibility::Public, f, &m);
        assert_eq!(
            (to, cc),
            (vec![PUBLIC.to_string()], vec![f.to_string(), m[0].clone()])
        );
        let (to, cc) = audience(Visibility::Unlisted, f, &m);
        assert_eq!(
            (to, cc),
            (vec![f.to_string()], vec![PUBLIC.to_string(), m[0].clone()])
        );
        let (to, cc) = audience(Visibility::Private, f, &m);
        assert_eq!((to, cc), (vec![f.to_string()], m.clone()));
        let (to, cc) = audience(Visibility::Direct, f, &m);
        assert_eq!((to, cc), (m.clone(), Vec::<String>::new()));
    }
}
