use sea_orm::entity::prelude::*;

/// Local and remote actors in one table. `domain` is `None` for local accounts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub username: String,
    pub domain: Option<String>,
    pub display_name: String,
    /// Rendered, sanitised HTML.
    #[sea_orm(column_type = "Text")]
    pub note: String,
    /// What a local user typed, for editing.
    #[sea_orm(column_type = "Text", nullable)]
    pub note_source: Option<String>,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    /// `[{"name": .., "value": .., "verified_at": ..}]`
    pub fields: Json,
    #[sea_orm(unique)]
    pub uri: String,
    pub url: Option<String>,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub public_key_pem: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub private_key_pem: Option<String>,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    pub last_status_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_fetched_at: Option<DateTimeUtc>,
    pub suspended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_one = "super::users::Entity")]
    User,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn is_local(&self) -> bool {
        self.domain.is_none()
    }

    /// `name` for a local account, `name@host` for a remote one (Mastodon's `acct`).
    pub fn acct(&self) -> String {
        match &self.domain {
            None => self.username.clone(),
            Some(d) => format!("{}@{}", self.username, d),
        }
    }
}
