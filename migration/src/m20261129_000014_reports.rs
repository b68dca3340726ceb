//! Reports people make about accounts (and their posts) for moderators.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000014_reports"
    }
}

fn fk(col: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from("reports", col)
        .to("accounts", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("reports")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(big_integer("target_account_id"))
                .col(text("status_ids"))
                .col(text("rule_ids"))
                .col(text("comment"))
                .col(string("category"))
                .col(boolean("forwarded"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("action_taken_at"))
                .col(big_integer_null("action_taken_by_account_id"))
                .foreign_key(&mut fk("account_id"))
                .foreign_key(&mut fk("target_account_id"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("reports_open_idx")
                .table("reports")
                .col("action_taken_at")
                .col("id")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("reports").take()).await
    }
}
