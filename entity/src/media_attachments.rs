use sea_orm::entity::prelude::*;

/// A picture attached (or about to be attached) to a status: a local upload with
/// our own copies in storage, or a remote attachment known by its URL.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "media_attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub account_id: i64,
    pub status_id: Option<i64>,
    pub position: i32,
    /// `image`, `gifv` or `unknown` (Mastodon's `type`).
    pub kind: String,
    /// `processing`, `ready` or `failed`.
    pub state: String,
    pub content_type: Option<String>,
    pub file_key: Option<String>,
    pub preview_key: Option<String>,
    pub file_size: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub remote_url: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub blurhash: Option<String>,
    pub meta: Json,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The scheduled status that will carry it (it does not expire meanwhile).
    pub scheduled_status_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn is_ready(&self) -> bool {
        self.state == "ready"
    }
}
