use sea_orm::entity::prelude::*;

/// A Web Push subscription, one per access token.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub token_id: i64,
    pub account_id: i64,
    #[sea_orm(column_type = "Text")]
    pub endpoint: String,
    pub key_p256dh: String,
    pub key_auth: String,
    /// `{"mention": true, ...}`
    pub alerts: Json,
    /// `all`, `followed`, `follower` or `none`.
    pub policy: String,
    pub standard: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
