//! `Block`.
use serde_json::{Value, json};

pub fn block(base_url: &str, block_id: i64, actor: &str, object: &str) -> Value {
    json!({ "id": format!("{base_url}/activities/blocks/{block_id}"), "type": "Block", "actor": actor, "object": object })
}
