//! `Delete` of a status (with a Tombstone) or of an actor.
use serde_json::{Value, json};

pub fn delete_note(actor: &str, note_id: &str, to: Vec<String>, cc: Vec<String>) -> Value {
    json!({
        "id": format!("{note_id}#delete"),
        "type": "Delete",
        "actor": actor,
        "to": to,
        "cc": cc,
        "object": { "id": note_id, "type": "Tombstone" },
    })
}
