//! The web site: browser sessions (a cookie's SHA-256 hash, the device it came
//! from) and invitation links for invite-only registration.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000007_web"
    }
}

fn fk(from_table: &'static str, from_col: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to("accounts", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("web_sessions")
                .col(big_integer("id").primary_key())
                .col(string_uniq("token_hash"))
                .col(big_integer("account_id"))
                .col(string("user_agent"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .foreign_key(&mut fk("web_sessions", "account_id"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("web_sessions_account_idx")
                .table("web_sessions")
                .col("account_id")
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("invites")
                .col(big_integer("id").primary_key())
                .col(string_uniq("code"))
                .col(big_integer("account_id"))
                .col(integer_null("max_uses"))
                .col(integer("uses").default(0))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("invites", "account_id"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("invites").take()).await?;
        m.drop_table(Table::drop().table("web_sessions").take())
            .await
    }
}
