//! SeaORM entities: one module per table, in the shape the generator would write.
//! Hand-written logic lives in the `kith` crate (`db/` and `service/`), never here.

pub mod account_conversations;
pub mod accounts;
pub mod blocks;
pub mod bookmarks;
pub mod conversations;
pub mod deliveries;
pub mod favourites;
pub mod follow_requests;
pub mod follows;
pub mod home_feed;
pub mod invites;
pub mod markers;
pub mod mentions;
pub mod mutes;
pub mod notifications;
pub mod oauth_applications;
pub mod oauth_codes;
pub mod oauth_tokens;
pub mod received_activities;
pub mod statuses;
pub mod statuses_tags;
pub mod tags;
pub mod types;
pub mod users;
pub mod web_sessions;

pub use types::{NotificationKind, Role, Visibility};
