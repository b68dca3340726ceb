use sea_orm::entity::prelude::*;

use crate::types::NotificationKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The local account notified.
    pub account_id: i64,
    /// Who caused it.
    pub from_account_id: i64,
    pub kind: NotificationKind,
    pub status_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// Notifications sharing a key show as one group (`/api/v2/notifications`).
    pub group_key: Option<String>,
    /// Held back by the recipient's notification policy: shown only through
    /// the sender's notification request until accepted.
    pub filtered: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
