//! `Accept` and `Reject` of a Follow.
use serde_json::{Value, json};

use super::follow::follow;

/// `kind` is "Accept" or "Reject". The Follow is embedded, as Mastodon expects.
pub fn answer_follow(
    kind: &str,
    target_uri: &str,
    follow_id: &str,
    follower_uri: &str,
    answer_no: i64,
) -> Value {
    let verb = kind.to_lowercase();
    json!({
        "id": format!("{target_uri}#{verb}s/follows/{answer_no}"),
        "type": kind,
        "actor": target_uri,
        "object": follow(follow_id, follower_uri, target_uri),
    })
}
