use sea_orm::entity::prelude::*;

/// One entry of a local account's home timeline, written at post time (fan-out on
/// write) so that reading a page is a range scan over `(account_id, status_id)`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "home_feed")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub status_id: i64,
    /// The status's author, so an unfollow or block removes entries by index.
    pub author_account_id: i64,
    /// For a reblog, the reblogged status, so a boost of a post already shown is skipped.
    pub reblog_of_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::statuses::Entity",
        from = "Column::StatusId",
        to = "super::statuses::Column::Id",
        on_delete = "Cascade"
    )]
    Status,
}

impl Related<super::statuses::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Status.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
