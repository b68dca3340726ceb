//! Queries on `accounts`.
use entity::accounts::{self, Column, Entity};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

pub async fn find(conn: &impl ConnectionTrait, id: i64) -> Result<Option<accounts::Model>, DbErr> {
    // `all`, not `one`, on unique keys here: no bound LIMIT, which SQLite would
    // prepare again on every run (see `db::all_with_literal_limit`).
    Ok(Entity::find_by_id(id).all(conn).await?.into_iter().next())
}

pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<accounts::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

/// Case-insensitive lookup by `username` and `domain` (`None` for local), served by
/// the `accounts_username_domain_key` expression index.
pub async fn find_by_username(
    conn: &impl ConnectionTrait,
    username: &str,
    domain: Option<&str>,
) -> Result<Option<accounts::Model>, DbErr> {
    let domain_expr = Func::coalesce([
        Expr::expr(Func::lower(Expr::col(Column::Domain))),
        Expr::val(""),
    ]);
    Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(Column::Username))).eq(username.to_lowercase()))
        .filter(Expr::expr(domain_expr).eq(domain.unwrap_or("").to_lowercase()))
        .one(conn)
        .await
}

pub async fn find_by_uri(
    conn: &impl ConnectionTrait,
    uri: &str,
) -> Result<Option<accounts::Model>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Uri.eq(uri))
        .all(conn)
        .await?
        .into_iter()
        .next())
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    model: accounts::ActiveModel,
) -> Result<accounts::Model, DbErr> {
    model.insert(conn).await
}

pub async fn list_local(conn: &impl ConnectionTrait) -> Result<Vec<accounts::Model>, DbErr> {
    Entity::find()
        .filter(Column::Domain.is_null())
        .order_by_asc(Column::Id)
        .all(conn)
        .await
}

/// Which counter of an account to move.
#[derive(Clone, Copy, Debug)]
pub enum Counter {
    Followers,
    Following,
    Statuses,
}

/// Adds `delta` to a counter, never going below zero.
pub async fn bump(
    conn: &impl ConnectionTrait,
    id: i64,
    counter: Counter,
    delta: i64,
) -> Result<(), DbErr> {
    if delta == 0 {
        return Ok(());
    }
    let col = match counter {
        Counter::Followers => Column::FollowersCount,
        Counter::Following => Column::FollowingCount,
        Counter::Statuses => Column::StatusesCount,
    };
    // GREATEST on PostgreSQL, two-argument MAX on SQLite.
    let next = Func::greatest([Expr::col(col).add(delta), Expr::val(0i64)]);
    Entity::update_many()
        .col_expr(col, next.into())
        .filter(Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A new status by account `id`: one more status, and `at` its last (one statement).
pub async fn count_new_status(
    conn: &impl ConnectionTrait,
    id: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    let next = Func::greatest([Expr::col(Column::StatusesCount).add(1i64), Expr::val(0i64)]);
    Entity::update_many()
        .col_expr(Column::StatusesCount, next.into())
        .col_expr(Column::LastStatusAt, Expr::val(at))
        .filter(Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// [`count_new_status`] for several accounts in one statement: each
/// `(id, new statuses, last at)` adds its count and sets its date.
pub async fn count_new_statuses(
    conn: &impl ConnectionTrait,
    counts: &[(i64, i64, chrono::DateTime<chrono::Utc>)],
) -> Result<(), DbErr> {
    if counts.is_empty() {
        return Ok(());
    }
    let mut added = CaseStatement::new();
    let mut last = CaseStatement::new();
    for (id, n, at) in counts {
        added = added.case(Column::Id.eq(*id), Expr::val(*n));
        last = last.case(Column::Id.eq(*id), Expr::val(*at));
    }
    let added = added.finally(Expr::val(0i64));
    let last = last.finally(Expr::col(Column::LastStatusAt));
    let next = Func::greatest([
        Expr::col(Column::StatusesCount).add(Into::<Expr>::into(added)),
        Expr::val(0i64),
    ]);
    Entity::update_many()
        .col_expr(Column::StatusesCount, next.into())
        .col_expr(Column::LastStatusAt, last.into())
        .filter(Column::Id.is_in(counts.iter().map(|c| c.0)))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn touch_last_status(
    conn: &impl ConnectionTrait,
    id: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LastStatusAt, Expr::val(at))
        .filter(Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn set_suspended(
    conn: &impl ConnectionTrait,
    id: i64,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::SuspendedAt, Expr::val(at))
        .filter(Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// How many local accounts exist (for NodeInfo and the instance API).
pub async fn count_local(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Entity::find()
        .filter(Column::Domain.is_null())
        .filter(Column::SuspendedAt.is_null())
        .filter(
            Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(entity::users::Column::AccountId)
                    .from(entity::users::Entity)
                    .take(),
            ),
        )
        .count(conn)
        .await
}

pub async fn update(
    conn: &impl ConnectionTrait,
    model: accounts::ActiveModel,
) -> Result<accounts::Model, DbErr> {
    model.update(conn).await
}

/// Local accounts that posted since `since`.
pub async fn count_local_active_since(
    conn: &impl ConnectionTrait,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Entity::find()
        .filter(Column::Domain.is_null())
        .filter(Column::SuspendedAt.is_null())
        .filter(Column::LastStatusAt.gte(since))
        .filter(
            Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(entity::users::Column::AccountId)
                    .from(entity::users::Entity)
                    .take(),
            ),
        )
        .count(conn)
        .await
}

/// The domains of every remote account this server knows.
pub async fn known_domains(conn: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    use sea_orm::QuerySelect;
    let rows: Vec<Option<String>> = Entity::find()
        .select_only()
        .column(Column::Domain)
        .filter(Column::Domain.is_not_null())
        .distinct()
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// Accounts whose username or display name starts with `prefix` (case-insensitive),
/// local ones first.
pub async fn search(
    conn: &impl ConnectionTrait,
    prefix: &str,
    limit: u64,
) -> Result<Vec<accounts::Model>, DbErr> {
    use sea_orm::{Condition, QuerySelect};
    let pattern = format!("{}%", prefix.to_lowercase().replace(['%', '\\'], ""));
    Entity::find()
        .filter(Column::SuspendedAt.is_null())
        .filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(Column::Username))).like(pattern.clone()))
                .add(Expr::expr(Func::lower(Expr::col(Column::DisplayName))).like(pattern)),
        )
        .order_by_asc(Column::Domain)
        .order_by_desc(Column::FollowersCount)
        .limit(limit)
        .all(conn)
        .await
}
