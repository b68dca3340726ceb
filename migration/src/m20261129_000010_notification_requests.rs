//! Notification filtering (Mastodon 4.3): each person's policy, notifications
//! held back as filtered, one request per sender, and the senders accepted.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000010_notification_requests"
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
        m.alter_table(
            Table::alter()
                .table("notifications")
                .add_column(boolean("filtered").default(false))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notification_policies")
                .col(big_integer("account_id").primary_key())
                .col(string("for_not_following"))
                .col(string("for_not_followers"))
                .col(string("for_new_accounts"))
                .col(string("for_private_mentions"))
                .col(string("for_limited_accounts"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("notification_policies", "account_id"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notification_requests")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(big_integer("from_account_id"))
                .col(big_integer_null("last_status_id"))
                .col(big_integer("notifications_count"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("notification_requests", "account_id"))
                .foreign_key(&mut fk("notification_requests", "from_account_id"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("notification_requests_account_from_idx")
                .table("notification_requests")
                .col("account_id")
                .col("from_account_id")
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notification_permissions")
                .col(big_integer("account_id"))
                .col(big_integer("from_account_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("account_id").col("from_account_id"))
                .foreign_key(&mut fk("notification_permissions", "account_id"))
                .foreign_key(&mut fk("notification_permissions", "from_account_id"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "notification_permissions",
            "notification_requests",
            "notification_policies",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        m.alter_table(
            Table::alter()
                .table("notifications")
                .drop_column("filtered")
                .take(),
        )
        .await
    }
}
