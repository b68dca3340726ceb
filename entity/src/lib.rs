//! SeaORM entities: one module per table, in the shape the generator would write.
//! Hand-written logic lives in the `kith` crate (`db/` and `service/`), never here.

pub mod account_conversations;
pub mod account_domain_blocks;
pub mod account_notes;
pub mod accounts;
pub mod blocks;
pub mod bookmarks;
pub mod conversations;
pub mod deliveries;
pub mod favourites;
pub mod featured_tags;
pub mod filter_keywords;
pub mod filter_statuses;
pub mod filters;
pub mod follow_requests;
pub mod follows;
pub mod home_feed;
pub mod instance_rules;
pub mod instance_settings;
pub mod invites;
pub mod list_accounts;
pub mod lists;
pub mod markers;
pub mod media_attachments;
pub mod mentions;
pub mod mutes;
pub mod notification_permissions;
pub mod notification_policies;
pub mod notification_requests;
pub mod notifications;
pub mod oauth_applications;
pub mod oauth_codes;
pub mod oauth_tokens;
pub mod push_subscriptions;
pub mod received_activities;
pub mod status_edits;
pub mod status_pins;
pub mod statuses;
pub mod statuses_tags;
pub mod suggestion_dismissals;
pub mod tag_follows;
pub mod tags;
pub mod types;
pub mod users;
pub mod web_sessions;

pub use types::{NotificationKind, Role, Visibility};
