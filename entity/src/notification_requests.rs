use sea_orm::entity::prelude::*;

/// Filtered notifications from one sender, waiting for the recipient to accept
/// or dismiss them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The recipient.
    pub account_id: i64,
    pub from_account_id: i64,
    /// The sender's latest status among the filtered notifications.
    pub last_status_id: Option<i64>,
    pub notifications_count: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
