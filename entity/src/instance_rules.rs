use sea_orm::entity::prelude::*;

/// One of the server's rules, shown on the landing page and to apps.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instance_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// Rules are shown in ascending order of this.
    pub position: i32,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    /// A longer explanation; may be empty.
    #[sea_orm(column_type = "Text")]
    pub hint: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
