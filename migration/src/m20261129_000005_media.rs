//! Pictures: uploaded and remote media attachments. Avatars and headers stay
//! URLs on `accounts`; their files live in the same storage.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000005_media"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("media_attachments")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(big_integer_null("status_id"))
                .col(integer("position").default(0))
                // image | gifv | unknown
                .col(string("kind"))
                // processing | ready | failed
                .col(string("state"))
                .col(string_null("content_type"))
                // Storage keys of our copies (local uploads).
                .col(string_null("file_key"))
                .col(string_null("preview_key"))
                .col(big_integer_null("file_size"))
                // Where the file lives on its own server (remote attachments).
                .col(text_null("remote_url"))
                .col(text_null("description"))
                .col(string_null("blurhash"))
                // {"original": {...}, "small": {...}, "focus": {"x":..,"y":..}}
                .col(json("meta"))
                .col(text_null("error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("media_attachments", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("media_attachments", "status_id")
                        .to("statuses", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("media_attachments_status_idx")
                .table("media_attachments")
                .col("status_id")
                .col("position")
                .take(),
        )
        .await?;
        // Expiry of uploads never attached: `status_id IS NULL AND created_at < ?`.
        m.create_index(
            Index::create()
                .name("media_attachments_unattached_idx")
                .table("media_attachments")
                .col("status_id")
                .col("created_at")
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("media_attachments_account_idx")
                .table("media_attachments")
                .col("account_id")
                .col("id")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("media_attachments").take())
            .await
    }
}
