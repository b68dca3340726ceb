//! Hashtags people feature on their profile, and the private notes people keep
//! about other accounts.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000009_featured_and_notes"
    }
}

fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("featured_tags")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(big_integer("tag_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("featured_tags", "account_id", "accounts"))
                .foreign_key(&mut fk("featured_tags", "tag_id", "tags"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("featured_tags_account_tag_idx")
                .table("featured_tags")
                .col("account_id")
                .col("tag_id")
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("account_notes")
                .col(big_integer("account_id"))
                .col(big_integer("target_account_id"))
                .col(text("comment"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("account_id").col("target_account_id"))
                .foreign_key(&mut fk("account_notes", "account_id", "accounts"))
                .foreign_key(&mut fk("account_notes", "target_account_id", "accounts"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("account_notes").take())
            .await?;
        m.drop_table(Table::drop().table("featured_tags").take())
            .await
    }
}
