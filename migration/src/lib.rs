//! Schema migrations, one file each. A released migration is never edited: add a new one.
pub use sea_orm_migration::prelude::*;

mod m20261129_000001_initial;
mod m20261129_000002_federation;
mod m20261129_000003_oauth;
mod m20261129_000004_markers;
mod m20261129_000005_media;
mod m20261129_000006_api;
mod m20261129_000007_web;
mod m20261129_000008_instance_settings;
mod m20261129_000009_featured_and_notes;
mod m20261129_000010_notification_requests;
mod m20261129_000011_domain_blocks;
mod m20261129_000012_scheduled_statuses;
mod m20261129_000013_conversation_mutes;
mod m20261129_000014_reports;
mod m20261205_000015_delivery_due_order;
mod m20261205_000016_search_words;
mod m20261205_000017_delivery_bodies;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_initial::Migration),
            Box::new(m20261129_000002_federation::Migration),
            Box::new(m20261129_000003_oauth::Migration),
            Box::new(m20261129_000004_markers::Migration),
            Box::new(m20261129_000005_media::Migration),
            Box::new(m20261129_000006_api::Migration),
            Box::new(m20261129_000007_web::Migration),
            Box::new(m20261129_000008_instance_settings::Migration),
            Box::new(m20261129_000009_featured_and_notes::Migration),
            Box::new(m20261129_000010_notification_requests::Migration),
            Box::new(m20261129_000011_domain_blocks::Migration),
            Box::new(m20261129_000012_scheduled_statuses::Migration),
            Box::new(m20261129_000013_conversation_mutes::Migration),
            Box::new(m20261129_000014_reports::Migration),
            Box::new(m20261205_000015_delivery_due_order::Migration),
            Box::new(m20261205_000016_search_words::Migration),
            Box::new(m20261205_000017_delivery_bodies::Migration),
        ]
    }
}
