//! Queries on `tags` and `statuses_tags`.
use entity::{statuses_tags, tags};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

/// Ids of the named tags (lower-case names), creating the missing ones with the
/// ids `new_id` hands out.
pub async fn find_or_create(
    conn: &impl ConnectionTrait,
    names: &[String],
    mut new_id: impl FnMut() -> i64,
) -> Result<Vec<i64>, DbErr> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let now = super::now();
    let rows = names.iter().map(|n| tags::ActiveModel {
        id: Set(new_id()),
        name: Set(n.clone()),
        created_at: Set(now),
    });
    tags::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([tags::Column::Name])
        .exec_without_returning(conn)
        .await?;
    let found = tags::Entity::find()
        .filter(tags::Column::Name.is_in(names.iter().cloned()))
        .all(conn)
        .await?;
    Ok(found.into_iter().map(|t| t.id).collect())
}

pub async fn link(
    conn: &impl ConnectionTrait,
    status_id: i64,
    tag_ids: &[i64],
) -> Result<(), DbErr> {
    if tag_ids.is_empty() {
        return Ok(());
    }
    let rows = tag_ids.iter().map(|t| statuses_tags::ActiveModel {
        tag_id: Set(*t),
        status_id: Set(status_id),
    });
    statuses_tags::Entity::insert_many(rows)
        .on_conflict_do_nothing()
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn unlink_all(conn: &impl ConnectionTrait, status_id: i64) -> Result<(), DbErr> {
    statuses_tags::Entity::delete_many()
        .filter(statuses_tags::Column::StatusId.eq(status_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn names_for_status(
    conn: &impl ConnectionTrait,
    status_id: i64,
) -> Result<Vec<String>, DbErr> {
    use sea_orm::sea_query::Query;
    use sea_orm::sea_query::{Expr, ExprTrait};
    tags::Entity::find()
        .filter(
            tags::Column::Id.in_subquery(
                Query::select()
                    .column(statuses_tags::Column::TagId)
                    .from(statuses_tags::Entity)
                    .and_where(Expr::col(statuses_tags::Column::StatusId).eq(status_id))
                    .take(),
            ),
        )
        .all(conn)
        .await
        .map(|ts| ts.into_iter().map(|t| t.name).collect())
}

/// Hashtags whose name starts with `prefix`.
pub async fn search(
    conn: &impl ConnectionTrait,
    prefix: &str,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let pattern = format!("{}%", prefix.to_lowercase().replace(['%', '\\'], ""));
    tags::Entity::find()
        .select_only()
        .column(tags::Column::Name)
        .filter(tags::Column::Name.like(pattern))
        .order_by_asc(tags::Column::Name)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}
