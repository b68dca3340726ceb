//! Domains a person blocks: nothing from them reaches that person.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000011_domain_blocks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("account_domain_blocks")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(string("domain"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("account_domain_blocks", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("account_domain_blocks_account_domain_idx")
                .table("account_domain_blocks")
                .col("account_id")
                .col("domain")
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("account_domain_blocks_domain_idx")
                .table("account_domain_blocks")
                .col("domain")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("account_domain_blocks").take())
            .await
    }
}
