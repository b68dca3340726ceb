//! `Undo` of an earlier activity (embedded).
use serde_json::{Value, json};

pub fn undo(actor: &str, activity: Value) -> Value {
    let id = activity
        .get("id")
        .and_then(Value::as_str)
        .map(|i| format!("{i}/undo"))
        .unwrap_or_default();
    json!({ "id": id, "type": "Undo", "actor": actor, "object": activity })
}
