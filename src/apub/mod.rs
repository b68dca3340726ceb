//! Everything that knows ActivityStreams JSON or signs requests: the documents
//! other servers fetch (actors, notes, collections, WebFinger, NodeInfo) and the
//! key pairs every local account is born with. The inbox and delivery build on it.
pub mod activities;
pub mod actors;
pub mod context;
pub mod delivery;
pub mod discovery;
pub mod documents;
pub mod fetch;
pub mod inbox;
pub mod keys;
pub mod objects;
pub mod signatures;

/// The URLs of a local actor, in one place so that every layer agrees.
pub struct LocalActorUrls {
    pub uri: String,
    pub url: String,
    pub inbox: String,
    pub outbox: String,
    pub followers: String,
    pub following: String,
    pub shared_inbox: String,
}

pub fn local_actor_urls(base_url: &str, username: &str) -> LocalActorUrls {
    let uri = format!("{base_url}/users/{username}");
    LocalActorUrls {
        url: format!("{base_url}/@{username}"),
        inbox: format!("{uri}/inbox"),
        outbox: format!("{uri}/outbox"),
        followers: format!("{uri}/followers"),
        following: format!("{uri}/following"),
        shared_inbox: format!("{base_url}/inbox"),
        uri,
    }
}

/// `https://host/users/alice/statuses/123` and `https://host/@alice/123`.
pub fn local_status_urls(base_url: &str, username: &str, id: i64) -> (String, String) {
    (
        format!("{base_url}/users/{username}/statuses/{id}"),
        format!("{base_url}/@{username}/{id}"),
    )
}
