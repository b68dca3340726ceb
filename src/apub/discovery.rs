//! WebFinger, host-meta and NodeInfo documents.
use serde_json::{Value, json};

/// The JRD WebFinger answers for a local account.
pub fn webfinger(username: &str, domain: &str, actor_uri: &str, profile_url: &str) -> Value {
    json!({
        "subject": format!("acct:{username}@{domain}"),
        "aliases": [profile_url, actor_uri],
        "links": [
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile_url },
            { "rel": "self", "type": "application/activity+json", "href": actor_uri }
        ]
    })
}

/// What a WebFinger `resource` names.
#[derive(Debug, PartialEq, Eq)]
pub enum Resource {
    /// `acct:user@host` (or `user@host`): the username, if the host is ours.
    Acct { username: String, host: String },
    /// An actor or profile URL.
    Url(url::Url),
}

pub fn parse_resource(resource: &str) -> Option<Resource> {
    let r = resource.trim();
    if r.starts_with("http://") || r.starts_with("https://") {
        return url::Url::parse(r).ok().map(Resource::Url);
    }
    let acct = r.strip_prefix("acct:").unwrap_or(r);
    let acct = acct.strip_prefix('@').unwrap_or(acct);
    let (user, host) = acct.rsplit_once('@')?;
    if user.is_empty() || host.is_empty() {
        return None;
    }
    Some(Resource::Acct {
        username: user.to_string(),
        host: host.to_lowercase(),
    })
}

pub fn host_meta(base_url: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
<Link rel=\"lrdd\" template=\"{base_url}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n"
    )
}

pub fn nodeinfo_links(base_url: &str) -> Value {
    json!({
        "links": [
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": format!("{base_url}/nodeinfo/2.0") },
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": format!("{base_url}/nodeinfo/2.1") }
        ]
    })
}

/// Figures NodeInfo reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    pub users: u64,
    pub active_month: u64,
    pub active_halfyear: u64,
    pub local_posts: u64,
}

/// NodeInfo `2.0` or `2.1` (the same document; 2.1 only adds optional fields).
pub fn nodeinfo(version: &str, usage: Usage, open_registrations: bool, node_name: &str) -> Value {
    let software = json!({ "name": "kith", "version": env!("CARGO_PKG_VERSION") });
    json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": open_registrations,
        "usage": {
            "users": { "total": usage.users, "activeMonth": usage.active_month, "activeHalfyear": usage.active_halfyear },
            "localPosts": usage.local_posts
        },
        "metadata": { "nodeName": node_name }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources() {
        assert_eq!(
            parse_resource("acct:Alice@K.example"),
            Some(Resource::Acct {
                username: "Alice".into(),
                host: "k.example".into()
            })
        );
        assert_eq!(
            parse_resource("@bob@k.example:8443"),
            Some(Resource::Acct {
                username: "bob".into(),
                host: "k.example:8443".into()
            })
        );
        assert!(matches!(
            parse_resource("https://k.example/users/alice"),
            Some(Resource::Url(_))
        ));
        assert_eq!(parse_resource("acct:nohost"), None);
        assert_eq!(parse_resource("acct:@k.example"), None);
    }
}
