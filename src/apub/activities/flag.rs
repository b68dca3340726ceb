//! `Flag`: a report forwarded to the reported account's server, sent by the
//! instance actor so the reporter stays anonymous (as Mastodon sends it).
use serde_json::{Value, json};

pub fn flag(
    base_url: &str,
    report_id: i64,
    instance_actor: &str,
    objects: Vec<String>,
    content: &str,
) -> Value {
    json!({
        "id": format!("{base_url}/activities/flags/{report_id}"),
        "type": "Flag",
        "actor": instance_actor,
        "object": objects,
        "content": content,
    })
}
