use sea_orm::entity::prelude::*;

/// A local account's view of a direct-message conversation (the messaging inbox).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub account_id: i64,
    pub conversation_id: i64,
    /// The other participants' account ids, sorted: `[1, 5, 9]`.
    pub participant_account_ids: Json,
    pub last_status_id: Option<i64>,
    pub unread: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
