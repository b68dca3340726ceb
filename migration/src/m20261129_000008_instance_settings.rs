//! Instance settings an admin changes at run time (name, description,
//! registration mode, character limit, contact), overriding the configuration
//! file, and the server's rules.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000008_instance_settings"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("instance_settings")
                .col(string("name").primary_key())
                .col(text("value"))
                .col(timestamp_with_time_zone("updated_at"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("instance_rules")
                .col(big_integer("id").primary_key())
                .col(integer("position"))
                .col(text("text"))
                .col(text("hint"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("instance_rules").take())
            .await?;
        m.drop_table(Table::drop().table("instance_settings").take())
            .await
    }
}
