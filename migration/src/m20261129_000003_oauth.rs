//! OAuth 2 for client apps: registered applications, authorization codes and
//! access tokens. Secrets, codes and tokens are stored as SHA-256 hashes.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000003_oauth"
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("oauth_applications")
                .col(big_integer("id").primary_key())
                .col(string("name"))
                .col(string_null("website"))
                .col(text("redirect_uris"))
                .col(string("scopes"))
                .col(string_uniq("client_id"))
                .col(string("client_secret_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("oauth_tokens")
                .col(big_integer("id").primary_key())
                .col(string_uniq("token_hash"))
                .col(big_integer("application_id"))
                .col(big_integer_null("account_id"))
                .col(string("scopes"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(
                    "oauth_tokens",
                    "application_id",
                    "oauth_applications",
                ))
                .foreign_key(&mut fk("oauth_tokens", "account_id", "accounts"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("oauth_tokens_account_idx")
                .table("oauth_tokens")
                .col("account_id")
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("oauth_codes")
                .col(big_integer("id").primary_key())
                .col(string_uniq("code_hash"))
                .col(big_integer("application_id"))
                .col(big_integer("account_id"))
                .col(string("scopes"))
                .col(text("redirect_uri"))
                .col(string_null("code_challenge"))
                .col(string_null("code_challenge_method"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(&mut fk(
                    "oauth_codes",
                    "application_id",
                    "oauth_applications",
                ))
                .foreign_key(&mut fk("oauth_codes", "account_id", "accounts"))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["oauth_codes", "oauth_tokens", "oauth_applications"] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
