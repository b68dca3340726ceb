//! The delivery queue is claimed in `(next_attempt_at, id)` order. An index on
//! `next_attempt_at` alone made every claim read all due rows and sort them by
//! id (a post to many inboxes queues them all with one time): on PostgreSQL
//! 100 ms a claim with 64,000 due rows. With `id` in the index a claim reads
//! its rows in order and stops at its limit.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000015_delivery_due_order"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        due_index(m, &["next_attempt_at", "id"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        due_index(m, &["next_attempt_at"]).await
    }
}

async fn due_index(m: &SchemaManager<'_>, cols: &[&'static str]) -> Result<(), DbErr> {
    m.drop_index(
        Index::drop()
            .name("deliveries_due_idx")
            .table("deliveries")
            .to_owned(),
    )
    .await?;
    let mut index = Index::create();
    index.name("deliveries_due_idx").table("deliveries");
    for c in cols {
        index.col(*c);
    }
    m.create_index(index.take()).await
}
