use sea_orm::entity::prelude::*;

/// A report someone made about an account, for the moderators.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// Who reported.
    pub account_id: i64,
    pub target_account_id: i64,
    /// The reported statuses, a JSON array of ids.
    #[sea_orm(column_type = "Text")]
    pub status_ids: String,
    /// The broken rules, a JSON array of ids.
    #[sea_orm(column_type = "Text")]
    pub rule_ids: String,
    #[sea_orm(column_type = "Text")]
    pub comment: String,
    /// `spam`, `legal`, `violation` or `other`.
    pub category: String,
    /// Sent on to the reported account's server.
    pub forwarded: bool,
    pub created_at: DateTimeUtc,
    /// When a moderator resolved it (`None`: open).
    pub action_taken_at: Option<DateTimeUtc>,
    pub action_taken_by_account_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
