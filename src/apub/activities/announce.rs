//! `Announce` (a boost).
use serde_json::{Value, json};

pub fn announce(
    id: &str,
    actor: &str,
    object: &str,
    to: Vec<String>,
    cc: Vec<String>,
    published: &str,
) -> Value {
    json!({ "id": id, "type": "Announce", "actor": actor, "object": object, "to": to, "cc": cc, "published": published })
}
