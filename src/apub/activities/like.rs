//! `Like`.
use serde_json::{Value, json};

pub fn like(actor: &str, favourite_id: i64, object: &str) -> Value {
    json!({ "id": format!("{actor}#likes/{favourite_id}"), "type": "Like", "actor": actor, "object": object })
}
