//! The rest of the Mastodon client API: lists, filters, pinned statuses, edit
//! history, followed hashtags, push subscriptions, dismissed suggestions,
//! notification groups and full-text search of statuses (FTS5 on SQLite, a
//! `tsvector` with a GIN index on PostgreSQL).
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000006_api"
    }
}

fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

fn index(name: &'static str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    i.take()
}

fn unique(name: &'static str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = index(name, table, cols);
    i.unique();
    i
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("lists")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(string("title"))
                .col(string("replies_policy").default("list"))
                .col(boolean("exclusive").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("lists", "account_id", "accounts"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("list_accounts")
                .col(big_integer("list_id"))
                .col(big_integer("account_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("list_id").col("account_id"))
                .foreign_key(&mut fk("list_accounts", "list_id", "lists"))
                .foreign_key(&mut fk("list_accounts", "account_id", "accounts"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("filters")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(string("title"))
                // Comma-separated contexts: home,notifications,public,thread,account.
                .col(string("context"))
                .col(string("action").default("warn"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("filters", "account_id", "accounts"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("filter_keywords")
                .col(big_integer("id").primary_key())
                .col(big_integer("filter_id"))
                .col(string("keyword"))
                .col(boolean("whole_word").default(true))
                .foreign_key(&mut fk("filter_keywords", "filter_id", "filters"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("filter_statuses")
                .col(big_integer("id").primary_key())
                .col(big_integer("filter_id"))
                .col(big_integer("status_id"))
                .foreign_key(&mut fk("filter_statuses", "filter_id", "filters"))
                .foreign_key(&mut fk("filter_statuses", "status_id", "statuses"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("status_pins")
                .col(big_integer("account_id"))
                .col(big_integer("status_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("account_id").col("status_id"))
                .foreign_key(&mut fk("status_pins", "account_id", "accounts"))
                .foreign_key(&mut fk("status_pins", "status_id", "statuses"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("status_edits")
                .col(big_integer("id").primary_key())
                .col(big_integer("status_id"))
                .col(big_integer("account_id"))
                .col(text("content"))
                .col(text("spoiler_text"))
                .col(boolean("sensitive"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("status_edits", "status_id", "statuses"))
                .foreign_key(&mut fk("status_edits", "account_id", "accounts"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("tag_follows")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(big_integer("tag_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("tag_follows", "account_id", "accounts"))
                .foreign_key(&mut fk("tag_follows", "tag_id", "tags"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("push_subscriptions")
                .col(big_integer("id").primary_key())
                .col(big_integer("token_id"))
                .col(big_integer("account_id"))
                .col(text("endpoint"))
                .col(string("key_p256dh"))
                .col(string("key_auth"))
                .col(json("alerts"))
                .col(string("policy").default("all"))
                .col(boolean("standard").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("push_subscriptions", "token_id", "oauth_tokens"))
                .foreign_key(&mut fk("push_subscriptions", "account_id", "accounts"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("suggestion_dismissals")
                .col(big_integer("account_id"))
                .col(big_integer("target_account_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("account_id").col("target_account_id"))
                .foreign_key(&mut fk("suggestion_dismissals", "account_id", "accounts"))
                .foreign_key(&mut fk(
                    "suggestion_dismissals",
                    "target_account_id",
                    "accounts",
                ))
                .take(),
        )
        .await?;

        // Notifications of one kind about one thing close in time share a group
        // (favourites of a post, new followers), as Mastodon 4.3 groups them.
        m.alter_table(
            Table::alter()
                .table("notifications")
                .add_column(string_null("group_key"))
                .take(),
        )
        .await?;

        for idx in [
            index("lists_account_idx", "lists", &["account_id", "id"]),
            index(
                "list_accounts_member_idx",
                "list_accounts",
                &["account_id", "list_id"],
            ),
            index("filters_account_idx", "filters", &["account_id"]),
            index(
                "filter_keywords_filter_idx",
                "filter_keywords",
                &["filter_id"],
            ),
            unique(
                "filter_statuses_pair_key",
                "filter_statuses",
                &["filter_id", "status_id"],
            ),
            index(
                "filter_statuses_status_idx",
                "filter_statuses",
                &["status_id"],
            ),
            index("status_pins_status_idx", "status_pins", &["status_id"]),
            index(
                "status_edits_status_idx",
                "status_edits",
                &["status_id", "id"],
            ),
            unique(
                "tag_follows_pair_key",
                "tag_follows",
                &["account_id", "tag_id"],
            ),
            index(
                "tag_follows_tag_idx",
                "tag_follows",
                &["tag_id", "account_id"],
            ),
            unique(
                "push_subscriptions_token_key",
                "push_subscriptions",
                &["token_id"],
            ),
            index(
                "suggestion_dismissals_target_idx",
                "suggestion_dismissals",
                &["target_account_id"],
            ),
            index(
                "notifications_group_idx",
                "notifications",
                &["account_id", "group_key", "id"],
            ),
        ] {
            m.create_index(idx).await?;
        }

        // Full-text search over what statuses say (text without markup, and the
        // content warning), kept by db::search in the transaction that writes the status.
        let db = m.get_connection();
        match m.get_database_backend() {
            DatabaseBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE status_search USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')",
                )
                .await?;
                db.execute_unprepared(
                    "INSERT INTO status_search(rowid, body) SELECT id, content || ' ' || spoiler_text FROM statuses WHERE deleted_at IS NULL AND reblog_of_id IS NULL",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE TABLE status_search (status_id BIGINT PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE, document TSVECTOR NOT NULL)",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX status_search_document_idx ON status_search USING GIN (document)",
                )
                .await?;
                db.execute_unprepared(
                    "INSERT INTO status_search (status_id, document) SELECT id, to_tsvector('simple', regexp_replace(content, '<[^>]*>', ' ', 'g') || ' ' || spoiler_text) FROM statuses WHERE deleted_at IS NULL AND reblog_of_id IS NULL",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS status_search")
            .await?;
        m.drop_index(
            Index::drop()
                .name("notifications_group_idx")
                .table("notifications")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("notifications")
                .drop_column("group_key")
                .take(),
        )
        .await?;
        for t in [
            "suggestion_dismissals",
            "push_subscriptions",
            "tag_follows",
            "status_edits",
            "status_pins",
            "filter_statuses",
            "filter_keywords",
            "filters",
            "list_accounts",
            "lists",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
