use sea_orm::entity::prelude::*;

/// A status to be posted at `scheduled_at`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduled_statuses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub account_id: i64,
    pub scheduled_at: DateTimeUtc,
    /// What to post, as JSON (text, visibility, reply, media ids, ...).
    #[sea_orm(column_type = "Text")]
    pub params: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
