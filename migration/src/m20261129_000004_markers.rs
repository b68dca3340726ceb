//! Reading positions (`/api/v1/markers`): where each person stopped reading
//! their home timeline and notifications, shared between their apps.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000004_markers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("markers")
                .col(big_integer("account_id"))
                .col(string("timeline"))
                .col(big_integer("last_read_id"))
                .col(integer("version").default(0))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("account_id").col("timeline"))
                .foreign_key(
                    ForeignKey::create()
                        .from("markers", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("markers").take()).await
    }
}
