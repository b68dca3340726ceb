//! `Update` of an actor's profile.
use serde_json::{Value, json};

pub fn update_person(actor: &str, person: Value, stamp: i64) -> Value {
    json!({
        "id": format!("{actor}#updates/{stamp}"),
        "type": "Update",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": person,
    })
}
