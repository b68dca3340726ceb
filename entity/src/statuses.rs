use sea_orm::entity::prelude::*;

use crate::types::Visibility;

/// Posts, replies and reblogs (a reblog is a row with `reblog_of_id` set and no content).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statuses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uri: String,
    pub url: Option<String>,
    pub local: bool,
    pub account_id: i64,
    pub in_reply_to_id: Option<i64>,
    pub in_reply_to_account_id: Option<i64>,
    /// The first post of the thread (itself for a thread's root).
    pub thread_root_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub reblog_of_id: Option<i64>,
    /// Rendered, sanitised HTML.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// What the author typed (local statuses), for editing and redrafting.
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub visibility: Visibility,
    pub sensitive: bool,
    #[sea_orm(column_type = "Text")]
    pub spoiler_text: String,
    pub language: Option<String>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::accounts::Entity",
        from = "Column::AccountId",
        to = "super::accounts::Column::Id",
        on_delete = "Cascade"
    )]
    Account,
    #[sea_orm(has_many = "super::home_feed::Entity")]
    HomeFeed,
}

impl Related<super::accounts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::home_feed::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::HomeFeed.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
