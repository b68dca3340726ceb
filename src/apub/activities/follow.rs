//! `Follow`.
use serde_json::{Value, json};

/// The id a local follow request goes out under.
pub fn follow_id(base_url: &str, request_id: i64) -> String {
    format!("{base_url}/activities/follows/{request_id}")
}

pub fn follow(id: &str, actor: &str, object: &str) -> Value {
    json!({ "id": id, "type": "Follow", "actor": actor, "object": object })
}
