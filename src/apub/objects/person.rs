//! `Person`: a local account as other servers see it.
use entity::accounts;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    pub id: String,
    pub owner: String,
    pub public_key_pem: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_inbox: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PropertyValue {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub preferred_username: String,
    pub name: String,
    pub summary: String,
    pub url: String,
    pub inbox: String,
    pub outbox: String,
    pub followers: String,
    pub following: String,
    pub endpoints: Endpoints,
    pub public_key: PublicKey,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    pub attachment: Vec<PropertyValue>,
}

/// The key id other servers see in our signatures.
pub fn key_id(actor_uri: &str) -> String {
    format!("{actor_uri}#main-key")
}

impl Person {
    pub fn from_account(a: &accounts::Model) -> Person {
        let fields = a
            .fields
            .as_array()
            .map(|fs| {
                fs.iter()
                    .filter_map(|f| {
                        Some(PropertyValue {
                            kind: "PropertyValue".into(),
                            name: f.get("name")?.as_str()?.to_string(),
                            value: f.get("value")?.as_str()?.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let image = |url: &Option<String>| {
            url.as_ref().map(|u| Image {
                kind: "Image".into(),
                url: u.clone(),
                media_type: None,
            })
        };
        Person {
            id: a.uri.clone(),
            kind: if a.bot {
                "Service".into()
            } else {
                "Person".into()
            },
            preferred_username: a.username.clone(),
            name: a.display_name.clone(),
            summary: a.note.clone(),
            url: a.url.clone().unwrap_or_else(|| a.uri.clone()),
            inbox: a.inbox_url.clone(),
            outbox: a
                .outbox_url
                .clone()
                .unwrap_or_else(|| format!("{}/outbox", a.uri)),
            followers: a
                .followers_url
                .clone()
                .unwrap_or_else(|| format!("{}/followers", a.uri)),
            following: a
                .following_url
                .clone()
                .unwrap_or_else(|| format!("{}/following", a.uri)),
            endpoints: Endpoints {
                shared_inbox: a.shared_inbox_url.clone(),
            },
            public_key: PublicKey {
                id: key_id(&a.uri),
                owner: a.uri.clone(),
                public_key_pem: a.public_key_pem.clone(),
            },
            manually_approves_followers: a.locked,
            discoverable: a.discoverable,
            indexable: a.discoverable,
            published: a
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            icon: image(&a.avatar_url),
            image: image(&a.header_url),
            attachment: fields,
        }
    }
}
