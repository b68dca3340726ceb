use sea_orm::entity::prelude::*;

/// An invitation link (`/signup?invite=CODE`) for invite-only registration.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invites")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    /// Who made it.
    pub account_id: i64,
    /// `None`: no limit.
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
