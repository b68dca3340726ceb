//! Instance settings saved by an admin, and the server's rules.
use chrono::{DateTime, Utc};
use entity::{
    accounts, instance_rules, instance_settings, oauth_tokens, statuses, users, web_sessions,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub async fn settings(conn: &impl ConnectionTrait) -> Result<Vec<instance_settings::Model>, DbErr> {
    instance_settings::Entity::find().all(conn).await
}

/// Inserts or replaces one setting.
pub async fn put_setting(
    conn: &impl ConnectionTrait,
    name: &str,
    value: &str,
) -> Result<(), DbErr> {
    instance_settings::Entity::insert(instance_settings::ActiveModel {
        name: Set(name.to_string()),
        value: Set(value.to_string()),
        updated_at: Set(super::now()),
    })
    .on_conflict(
        OnConflict::column(instance_settings::Column::Name)
            .update_columns([
                instance_settings::Column::Value,
                instance_settings::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The rules in the order they are shown.
pub async fn rules(conn: &impl ConnectionTrait) -> Result<Vec<instance_rules::Model>, DbErr> {
    instance_rules::Entity::find()
        .order_by_asc(instance_rules::Column::Position)
        .order_by_asc(instance_rules::Column::Id)
        .all(conn)
        .await
}

/// The position after the last rule.
pub async fn next_rule_position(conn: &impl ConnectionTrait) -> Result<i32, DbErr> {
    let last: Option<Option<i32>> = instance_rules::Entity::find()
        .select_only()
        .column_as(instance_rules::Column::Position.max(), "max")
        .into_tuple()
        .one(conn)
        .await?;
    Ok(last.flatten().map_or(0, |p| p.saturating_add(1)))
}

pub async fn insert_rule(
    conn: &impl ConnectionTrait,
    m: instance_rules::ActiveModel,
) -> Result<instance_rules::Model, DbErr> {
    m.insert(conn).await
}

/// Changes a rule's text and hint; the number of rules changed (0 or 1).
pub async fn update_rule(
    conn: &impl ConnectionTrait,
    id: i64,
    text: &str,
    hint: &str,
) -> Result<u64, DbErr> {
    Ok(instance_rules::Entity::update_many()
        .col_expr(instance_rules::Column::Text, Expr::val(text))
        .col_expr(instance_rules::Column::Hint, Expr::val(hint))
        .filter(instance_rules::Column::Id.eq(id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// The number of rules deleted (0 or 1).
pub async fn delete_rule(conn: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Ok(instance_rules::Entity::delete_by_id(id)
        .exec(conn)
        .await?
        .rows_affected)
}

/// Local statuses (not boosts) made in `[from, to)`, counted over the id range
/// (ids carry their time).
pub async fn count_local_statuses_between(
    conn: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let lo = from.timestamp_millis().max(0) << 16;
    let hi = to.timestamp_millis().max(0) << 16;
    statuses::Entity::find()
        .filter(statuses::Column::Id.gte(lo))
        .filter(statuses::Column::Id.lt(hi))
        .filter(statuses::Column::Local.eq(true))
        .filter(statuses::Column::ReblogOfId.is_null())
        .filter(statuses::Column::DeletedAt.is_null())
        .count(conn)
        .await
}

/// People who signed up in `[from, to)`.
pub async fn count_users_created_between(
    conn: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<u64, DbErr> {
    users::Entity::find()
        .filter(users::Column::CreatedAt.gte(from))
        .filter(users::Column::CreatedAt.lt(to))
        .count(conn)
        .await
}

/// Log-ins in `[from, to)`: browser sessions and user access tokens made then.
pub async fn count_logins_between(
    conn: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let web = web_sessions::Entity::find()
        .filter(web_sessions::Column::CreatedAt.gte(from))
        .filter(web_sessions::Column::CreatedAt.lt(to))
        .count(conn)
        .await?;
    let apps = oauth_tokens::Entity::find()
        .filter(oauth_tokens::Column::AccountId.is_not_null())
        .filter(oauth_tokens::Column::CreatedAt.gte(from))
        .filter(oauth_tokens::Column::CreatedAt.lt(to))
        .count(conn)
        .await?;
    Ok(web + apps)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectoryOrder {
    /// Most recently posting first.
    Active,
    /// Newest accounts first.
    New,
}

/// The profile directory: discoverable, unsuspended accounts (only local ones
/// when `local_only`) other than those named `instance_actor` (this server's,
/// and other servers' of that name), skipping `offset`.
pub async fn directory(
    conn: &impl ConnectionTrait,
    instance_actor: &str,
    order: DirectoryOrder,
    local_only: bool,
    offset: u64,
    limit: u64,
) -> Result<Vec<accounts::Model>, DbErr> {
    let mut q = accounts::Entity::find()
        .filter(accounts::Column::Discoverable.eq(true))
        .filter(accounts::Column::SuspendedAt.is_null())
        .filter(accounts::Column::Username.ne(instance_actor));
    if local_only {
        q = q.filter(accounts::Column::Domain.is_null());
    }
    q = match order {
        DirectoryOrder::Active => q
            .filter(accounts::Column::LastStatusAt.is_not_null())
            .order_by_desc(accounts::Column::LastStatusAt),
        DirectoryOrder::New => q.order_by_desc(accounts::Column::CreatedAt),
    };
    q.order_by_desc(accounts::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}
