//! `OrderedCollection` and `OrderedCollectionPage`.
use serde::Serialize;
use serde_json::Value;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollection {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub total_items: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollectionPage {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub part_of: String,
    pub total_items: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    pub ordered_items: Vec<Value>,
}

impl OrderedCollection {
    /// A collection that links to its first page (or shows only its size).
    pub fn new(id: &str, total_items: u64, paged: bool) -> OrderedCollection {
        OrderedCollection {
            id: id.to_string(),
            kind: "OrderedCollection",
            total_items,
            first: paged.then(|| format!("{id}?page=true")),
        }
    }
}

impl OrderedCollectionPage {
    /// A page of items, newest first; `next` continues below the last item's id.
    pub fn new(
        collection_id: &str,
        total_items: u64,
        max_id: Option<i64>,
        items: Vec<Value>,
        last_id: Option<i64>,
        full: bool,
    ) -> Self {
        let id = match max_id {
            Some(m) => format!("{collection_id}?page=true&max_id={m}"),
            None => format!("{collection_id}?page=true"),
        };
        OrderedCollectionPage {
            id,
            kind: "OrderedCollectionPage",
            part_of: collection_id.to_string(),
            total_items,
            next: if full {
                last_id.map(|l| format!("{collection_id}?page=true&max_id={l}"))
            } else {
                None
            },
            prev: None,
            ordered_items: items,
        }
    }
}
