use sea_orm::entity::prelude::*;

/// What a person does with notifications from some kinds of senders: each
/// field is `accept`, `filter` or `drop`. No row: every field `accept`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    /// Senders the person does not follow.
    pub for_not_following: String,
    /// Senders who do not follow the person.
    pub for_not_followers: String,
    /// Senders whose accounts are less than 30 days old.
    pub for_new_accounts: String,
    /// Unsolicited private mentions.
    pub for_private_mentions: String,
    /// Senders limited by moderators.
    pub for_limited_accounts: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
