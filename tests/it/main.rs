//! The integration tests of the `kith` crate: one binary, real databases,
//! real HTTP on 127.0.0.1, the real `kith` executable.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod accounts;
mod api;
mod api_extras;
mod cli;
mod client;
mod common;
mod conformance;
mod delivery_queue;
mod discovery;
mod domain_blocks;
mod federation_documents;
mod filters;
mod fixtures;
mod inbox;
mod ingest;
mod interactions;
mod lists;
mod media;
mod notification_requests;
mod pins_and_groups;
mod relationships;
mod scheduled;
mod schema;
mod server;
mod statuses;
mod streaming;
mod timelines;
mod visibility;
mod web;
