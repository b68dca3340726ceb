//! Queries on `filters`, `filter_keywords` and `filter_statuses`.
use entity::{filter_keywords, filter_statuses, filters};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder,
};

pub async fn insert(
    conn: &impl ConnectionTrait,
    m: filters::ActiveModel,
) -> Result<filters::Model, DbErr> {
    m.insert(conn).await
}

pub async fn update(
    conn: &impl ConnectionTrait,
    m: filters::ActiveModel,
) -> Result<filters::Model, DbErr> {
    m.update(conn).await
}

/// Every filter of `owner_id`, oldest first.
pub async fn all_for(
    conn: &impl ConnectionTrait,
    owner_id: i64,
) -> Result<Vec<filters::Model>, DbErr> {
    filters::Entity::find()
        .filter(filters::Column::AccountId.eq(owner_id))
        .order_by_asc(filters::Column::Id)
        .all(conn)
        .await
}

/// The filters of `owner_id` that have not expired at `now`.
pub async fn active_for(
    conn: &impl ConnectionTrait,
    owner_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<filters::Model>, DbErr> {
    filters::Entity::find()
        .filter(filters::Column::AccountId.eq(owner_id))
        .filter(
            Condition::any()
                .add(filters::Column::ExpiresAt.is_null())
                .add(filters::Column::ExpiresAt.gt(now)),
        )
        .order_by_asc(filters::Column::Id)
        .all(conn)
        .await
}

pub async fn find(
    conn: &impl ConnectionTrait,
    owner_id: i64,
    id: i64,
) -> Result<Option<filters::Model>, DbErr> {
    filters::Entity::find_by_id(id)
        .filter(filters::Column::AccountId.eq(owner_id))
        .one(conn)
        .await
}

pub async fn delete(conn: &impl ConnectionTrait, owner_id: i64, id: i64) -> Result<u64, DbErr> {
    Ok(filters::Entity::delete_many()
        .filter(filters::Column::Id.eq(id))
        .filter(filters::Column::AccountId.eq(owner_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// The keywords of many filters.
pub async fn keywords_of(
    conn: &impl ConnectionTrait,
    filter_ids: &[i64],
) -> Result<Vec<filter_keywords::Model>, DbErr> {
    if filter_ids.is_empty() {
        return Ok(Vec::new());
    }
    filter_keywords::Entity::find()
        .filter(filter_keywords::Column::FilterId.is_in(filter_ids.iter().copied()))
        .order_by_asc(filter_keywords::Column::Id)
        .all(conn)
        .await
}

/// The statuses of many filters.
pub async fn statuses_of(
    conn: &impl ConnectionTrait,
    filter_ids: &[i64],
) -> Result<Vec<filter_statuses::Model>, DbErr> {
    if filter_ids.is_empty() {
        return Ok(Vec::new());
    }
    filter_statuses::Entity::find()
        .filter(filter_statuses::Column::FilterId.is_in(filter_ids.iter().copied()))
        .order_by_asc(filter_statuses::Column::Id)
        .all(conn)
        .await
}

pub async fn find_keyword(
    conn: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<filter_keywords::Model>, DbErr> {
    filter_keywords::Entity::find_by_id(id).one(conn).await
}

pub async fn insert_keyword(
    conn: &impl ConnectionTrait,
    m: filter_keywords::ActiveModel,
) -> Result<filter_keywords::Model, DbErr> {
    m.insert(conn).await
}

pub async fn update_keyword(
    conn: &impl ConnectionTrait,
    m: filter_keywords::ActiveModel,
) -> Result<filter_keywords::Model, DbErr> {
    m.update(conn).await
}

pub async fn delete_keyword(conn: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Ok(filter_keywords::Entity::delete_by_id(id)
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn find_status(
    conn: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<filter_statuses::Model>, DbErr> {
    filter_statuses::Entity::find_by_id(id).one(conn).await
}

pub async fn insert_status(
    conn: &impl ConnectionTrait,
    m: filter_statuses::ActiveModel,
) -> Result<filter_statuses::Model, DbErr> {
    m.insert(conn).await
}

pub async fn delete_status(conn: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Ok(filter_statuses::Entity::delete_by_id(id)
        .exec(conn)
        .await?
        .rows_affected)
}
