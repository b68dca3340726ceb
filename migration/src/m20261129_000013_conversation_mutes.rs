//! Threads a person muted: no notifications from them.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000013_conversation_mutes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("conversation_mutes")
                .col(big_integer("account_id"))
                .col(big_integer("conversation_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("account_id").col("conversation_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("conversation_mutes", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("conversation_mutes").take())
            .await
    }
}
