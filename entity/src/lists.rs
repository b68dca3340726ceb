use sea_orm::entity::prelude::*;

/// A local account's list of accounts, with its own timeline.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lists")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub account_id: i64,
    pub title: String,
    /// `followed`, `list` or `none`: which replies the list timeline shows.
    pub replies_policy: String,
    /// Members' posts leave the home timeline.
    pub exclusive: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
