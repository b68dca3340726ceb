//! Federation: the durable outbound queue and the record of inbound activities.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000002_federation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per (activity, inbox) still to deliver. Written in the same
        // transaction as the change that causes it; deleted once delivered.
        m.create_table(
            Table::create()
                .table("deliveries")
                .col(big_integer("id").primary_key())
                .col(string("activity_id"))
                .col(string("inbox_url"))
                .col(string("host"))
                .col(big_integer("signer_account_id"))
                .col(text("body"))
                .col(integer("attempts").default(0))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("failed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("deliveries", "signer_account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("deliveries_due_idx")
                .table("deliveries")
                .col("next_attempt_at")
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("deliveries_host_idx")
                .table("deliveries")
                .col("host")
                .col("id")
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("deliveries_activity_inbox_key")
                .table("deliveries")
                .col("activity_id")
                .col("inbox_url")
                .unique()
                .take(),
        )
        .await?;

        // Ids of activities already handled, so a redelivery changes nothing.
        m.create_table(
            Table::create()
                .table("received_activities")
                .col(string("uri").primary_key())
                .col(timestamp_with_time_zone("received_at"))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("received_activities").take())
            .await?;
        m.drop_table(Table::drop().table("deliveries").take())
            .await?;
        Ok(())
    }
}
