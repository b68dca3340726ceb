use sea_orm::entity::prelude::*;

/// A browser signed in to the web site; the cookie holds the secret, this row its hash.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "web_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// SHA-256 (hex) of the cookie's secret.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub account_id: i64,
    pub user_agent: String,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
