//! ActivityStreams objects, one file per kind: the wire structs and their
//! conversion from our rows.
pub mod collection;
pub mod note;
pub mod person;
