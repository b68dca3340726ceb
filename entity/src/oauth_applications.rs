use sea_orm::entity::prelude::*;

/// A client app registered through `POST /api/v1/apps`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    /// One redirect URI per line.
    #[sea_orm(column_type = "Text")]
    pub redirect_uris: String,
    /// Space-separated.
    pub scopes: String,
    #[sea_orm(unique)]
    pub client_id: String,
    /// SHA-256 (hex) of the client secret.
    pub client_secret_hash: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
