//! The social core: accounts, users, statuses and everything hanging off them.
//!
//! Written with the schema builder so that one file serves SQLite and PostgreSQL;
//! the few expression and partial indexes both backends share are plain SQL.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000001_initial"
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

fn fk_set_null(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, "id")
        .on_delete(ForeignKeyAction::SetNull)
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

/// A table of `(account_id, target_account_id)` pairs: follows, requests, blocks.
fn account_pair_table(name: &'static str, with_follow_options: bool) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(name)
        .col(big_integer("id").primary_key())
        .col(big_integer("account_id"))
        .col(big_integer("target_account_id"))
        .col(string_null("uri"));
    if with_follow_options {
        t.col(boolean("show_reblogs").default(true))
            .col(boolean("notify").default(false));
    }
    t.col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(name, "account_id", "accounts"))
        .foreign_key(&mut fk(name, "target_account_id", "accounts"));
    t.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("accounts")
                .col(big_integer("id").primary_key())
                .col(string("username"))
                .col(string_null("domain"))
                .col(string("display_name").default(""))
                .col(text("note").default(""))
                .col(text_null("note_source"))
                .col(string_null("avatar_url"))
                .col(string_null("header_url"))
                .col(boolean("locked").default(false))
                .col(boolean("bot").default(false))
                .col(boolean("discoverable").default(true))
                .col(json("fields"))
                .col(string_uniq("uri"))
                .col(string_null("url"))
                .col(string("inbox_url").default(""))
                .col(string_null("shared_inbox_url"))
                .col(string_null("outbox_url"))
                .col(string_null("followers_url"))
                .col(string_null("following_url"))
                .col(text("public_key_pem").default(""))
                .col(text_null("private_key_pem"))
                .col(big_integer("followers_count").default(0))
                .col(big_integer("following_count").default(0))
                .col(big_integer("statuses_count").default(0))
                .col(timestamp_with_time_zone_null("last_status_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("last_fetched_at"))
                .col(timestamp_with_time_zone_null("suspended_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(big_integer("id").primary_key())
                .col(big_integer_uniq("account_id"))
                .col(string("email"))
                .col(string("password_hash"))
                .col(string("role").default("user"))
                .col(boolean("approved").default(true))
                .col(timestamp_with_time_zone_null("confirmed_at"))
                .col(string("locale").default("en"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("last_sign_in_at"))
                .foreign_key(&mut fk("users", "account_id", "accounts"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("conversations")
                .col(big_integer("id").primary_key())
                .col(string_null("uri"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("statuses")
                .col(big_integer("id").primary_key())
                .col(string_uniq("uri"))
                .col(string_null("url"))
                .col(boolean("local"))
                .col(big_integer("account_id"))
                .col(big_integer_null("in_reply_to_id"))
                .col(big_integer_null("in_reply_to_account_id"))
                .col(big_integer_null("thread_root_id"))
                .col(big_integer_null("conversation_id"))
                .col(big_integer_null("reblog_of_id"))
                .col(text("content").default(""))
                .col(text("text").default(""))
                .col(string("visibility"))
                .col(boolean("sensitive").default(false))
                .col(text("spoiler_text").default(""))
                .col(string_null("language"))
                .col(big_integer("replies_count").default(0))
                .col(big_integer("reblogs_count").default(0))
                .col(big_integer("favourites_count").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("edited_at"))
                .col(timestamp_with_time_zone_null("deleted_at"))
                .foreign_key(&mut fk("statuses", "account_id", "accounts"))
                .foreign_key(&mut fk("statuses", "reblog_of_id", "statuses"))
                .foreign_key(&mut fk_set_null("statuses", "in_reply_to_id", "statuses"))
                .foreign_key(&mut fk_set_null(
                    "statuses",
                    "in_reply_to_account_id",
                    "accounts",
                ))
                .foreign_key(&mut fk_set_null(
                    "statuses",
                    "conversation_id",
                    "conversations",
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("mentions")
                .col(big_integer("id").primary_key())
                .col(big_integer("status_id"))
                .col(big_integer("account_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("mentions", "status_id", "statuses"))
                .foreign_key(&mut fk("mentions", "account_id", "accounts"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("tags")
                .col(big_integer("id").primary_key())
                .col(string_uniq("name"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("statuses_tags")
                .col(big_integer("tag_id"))
                .col(big_integer("status_id"))
                .primary_key(Index::create().col("tag_id").col("status_id"))
                .foreign_key(&mut fk("statuses_tags", "tag_id", "tags"))
                .foreign_key(&mut fk("statuses_tags", "status_id", "statuses"))
                .take(),
        )
        .await?;

        m.create_table(account_pair_table("follows", true)).await?;
        m.create_table(account_pair_table("follow_requests", true))
            .await?;
        m.create_table(account_pair_table("blocks", false)).await?;

        m.create_table(
            Table::create()
                .table("mutes")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(big_integer("target_account_id"))
                .col(boolean("hide_notifications").default(true))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("mutes", "account_id", "accounts"))
                .foreign_key(&mut fk("mutes", "target_account_id", "accounts"))
                .take(),
        )
        .await?;

        for (name, with_uri) in [("favourites", true), ("bookmarks", false)] {
            let mut t = Table::create();
            t.table(name)
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(big_integer("status_id"));
            if with_uri {
                t.col(string_null("uri"));
            }
            t.col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(name, "account_id", "accounts"))
                .foreign_key(&mut fk(name, "status_id", "statuses"));
            m.create_table(t.take()).await?;
        }

        m.create_table(
            Table::create()
                .table("notifications")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(big_integer("from_account_id"))
                .col(string("kind"))
                .col(big_integer_null("status_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("notifications", "account_id", "accounts"))
                .foreign_key(&mut fk("notifications", "from_account_id", "accounts"))
                .foreign_key(&mut fk("notifications", "status_id", "statuses"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("account_conversations")
                .col(big_integer("id").primary_key())
                .col(big_integer("account_id"))
                .col(big_integer("conversation_id"))
                .col(json("participant_account_ids"))
                .col(big_integer_null("last_status_id"))
                .col(boolean("unread").default(false))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("account_conversations", "account_id", "accounts"))
                .foreign_key(&mut fk(
                    "account_conversations",
                    "conversation_id",
                    "conversations",
                ))
                .foreign_key(&mut fk_set_null(
                    "account_conversations",
                    "last_status_id",
                    "statuses",
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("home_feed")
                .col(big_integer("account_id"))
                .col(big_integer("status_id"))
                .col(big_integer("author_account_id"))
                .col(big_integer_null("reblog_of_id"))
                .primary_key(Index::create().col("account_id").col("status_id"))
                .foreign_key(&mut fk("home_feed", "account_id", "accounts"))
                .foreign_key(&mut fk("home_feed", "status_id", "statuses"))
                .foreign_key(&mut fk("home_feed", "author_account_id", "accounts"))
                .take(),
        )
        .await?;

        for idx in [
            unique("users_email_key", "users", &["email"]),
            index("statuses_account_id_idx", "statuses", &["account_id", "id"]),
            index(
                "statuses_in_reply_to_id_idx",
                "statuses",
                &["in_reply_to_id"],
            ),
            index(
                "statuses_thread_root_id_idx",
                "statuses",
                &["thread_root_id"],
            ),
            index("statuses_reblog_of_id_idx", "statuses", &["reblog_of_id"]),
            index(
                "statuses_conversation_id_idx",
                "statuses",
                &["conversation_id"],
            ),
            unique(
                "mentions_status_account_key",
                "mentions",
                &["status_id", "account_id"],
            ),
            index(
                "mentions_account_id_idx",
                "mentions",
                &["account_id", "status_id"],
            ),
            index(
                "statuses_tags_status_id_idx",
                "statuses_tags",
                &["status_id"],
            ),
            unique(
                "follows_pair_key",
                "follows",
                &["account_id", "target_account_id"],
            ),
            index(
                "follows_target_idx",
                "follows",
                &["target_account_id", "account_id"],
            ),
            unique(
                "follow_requests_pair_key",
                "follow_requests",
                &["account_id", "target_account_id"],
            ),
            index(
                "follow_requests_target_idx",
                "follow_requests",
                &["target_account_id", "id"],
            ),
            unique(
                "blocks_pair_key",
                "blocks",
                &["account_id", "target_account_id"],
            ),
            index("blocks_target_idx", "blocks", &["target_account_id"]),
            unique(
                "mutes_pair_key",
                "mutes",
                &["account_id", "target_account_id"],
            ),
            index("mutes_target_idx", "mutes", &["target_account_id"]),
            unique(
                "favourites_pair_key",
                "favourites",
                &["account_id", "status_id"],
            ),
            index("favourites_status_idx", "favourites", &["status_id"]),
            index(
                "favourites_account_idx",
                "favourites",
                &["account_id", "id"],
            ),
            unique(
                "bookmarks_pair_key",
                "bookmarks",
                &["account_id", "status_id"],
            ),
            index("bookmarks_account_idx", "bookmarks", &["account_id", "id"]),
            index(
                "notifications_account_idx",
                "notifications",
                &["account_id", "id"],
            ),
            index("notifications_status_idx", "notifications", &["status_id"]),
            index(
                "notifications_from_idx",
                "notifications",
                &["from_account_id"],
            ),
            unique(
                "account_conversations_pair_key",
                "account_conversations",
                &["account_id", "conversation_id"],
            ),
            index(
                "account_conversations_recent_idx",
                "account_conversations",
                &["account_id", "last_status_id"],
            ),
            index(
                "home_feed_author_idx",
                "home_feed",
                &["account_id", "author_account_id"],
            ),
            index(
                "home_feed_reblog_idx",
                "home_feed",
                &["reblog_of_id", "account_id"],
            ),
            index("home_feed_status_idx", "home_feed", &["status_id"]),
        ] {
            m.create_index(idx).await?;
        }

        // Expression and partial indexes: same SQL on SQLite and PostgreSQL.
        let db = m.get_connection();
        for sql in [
            // One account per (username, domain), case-insensitively; local accounts have a NULL domain.
            "CREATE UNIQUE INDEX accounts_username_domain_key ON accounts (lower(username), coalesce(lower(domain), ''))",
            // One reblog per account and status.
            "CREATE UNIQUE INDEX statuses_reblog_key ON statuses (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL",
            // The public timelines: original, live, public statuses, newest first.
            "CREATE INDEX statuses_public_idx ON statuses (id) WHERE visibility = 'public' AND reblog_of_id IS NULL AND deleted_at IS NULL",
            "CREATE INDEX statuses_public_local_idx ON statuses (local, id) WHERE visibility = 'public' AND reblog_of_id IS NULL AND deleted_at IS NULL",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "home_feed",
            "account_conversations",
            "notifications",
            "bookmarks",
            "favourites",
            "mutes",
            "blocks",
            "follow_requests",
            "follows",
            "statuses_tags",
            "tags",
            "mentions",
            "statuses",
            "conversations",
            "users",
            "accounts",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
