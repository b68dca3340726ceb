//! JSON-LD contexts and media types.
use serde_json::{Value, json};

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
pub const ACTIVITY_JSON: &str = "application/activity+json; charset=utf-8";

/// The context every document Kith serves carries: ActivityStreams, the security
/// vocabulary (publicKey) and the Mastodon extensions clients look for.
pub fn default_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "blurhash": "toot:blurhash",
            "focalPoint": { "@container": "@list", "@id": "toot:focalPoint" },
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value"
        }
    ])
}

/// Wraps an object with `@context` as its first key.
pub fn with_context<T: serde::Serialize>(object: &T) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("@context".into(), default_context());
    if let Ok(Value::Object(fields)) = serde_json::to_value(object) {
        out.extend(fields);
    }
    Value::Object(out)
}

/// True when an `Accept` header asks for ActivityStreams JSON rather than HTML:
/// `application/activity+json` or `application/ld+json` (with or without the
/// ActivityStreams profile).
pub fn accepts_activity_json(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let media = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        media == "application/activity+json" || media == "application/ld+json"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_negotiation() {
        assert!(accepts_activity_json("application/activity+json"));
        assert!(accepts_activity_json(
            r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#
        ));
        assert!(accepts_activity_json(
            "text/html;q=0.9, application/activity+json"
        ));
        assert!(!accepts_activity_json(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(!accepts_activity_json("application/json"));
        assert!(!accepts_activity_json(""));
    }

    #[test]
    fn context_comes_first() {
        let v = with_context(&serde_json::json!({"id": "x", "type": "Note"}));
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys[0], "@context");
        assert_eq!(v["type"], "Note");
    }
}
