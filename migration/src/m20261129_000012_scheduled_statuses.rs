//! Statuses scheduled for later, and the uploads they will carry (kept from
//! expiring while they wait).
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000012_scheduled_statuses"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("scheduled_statuses")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(timestamp_with_time_zone("scheduled_at"))
                .col(text("params"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("scheduled_statuses", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("scheduled_statuses_due_idx")
                .table("scheduled_statuses")
                .col("scheduled_at")
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("scheduled_statuses_account_idx")
                .table("scheduled_statuses")
                .col("account_id")
                .col("id")
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("media_attachments")
                .add_column(big_integer_null("scheduled_status_id"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("media_attachments")
                .drop_column("scheduled_status_id")
                .take(),
        )
        .await?;
        m.drop_table(Table::drop().table("scheduled_statuses").take())
            .await
    }
}
