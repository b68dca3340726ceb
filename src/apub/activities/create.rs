//! `Create`: wraps a new Note, addressed like the Note itself.
use serde::Serialize;

use crate::apub::objects::note::Note;

#[derive(Clone, Debug, Serialize)]
pub struct Create {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub actor: String,
    pub published: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub object: Note,
}

impl Create {
    /// Each Create has its own URL: the Note's id followed by `/activity`.
    pub fn for_note(note: Note) -> Create {
        Create {
            id: format!("{}/activity", note.id),
            kind: "Create",
            actor: note.attributed_to.clone(),
            published: note.published.clone(),
            to: note.to.clone(),
            cc: note.cc.clone(),
            object: note,
        }
    }
}
