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
) -> Result<Vec<tags::Model>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let pattern = format!("{}%", prefix.to_lowercase().replace(['%', '\\'], ""));
    tags::Entity::find()
        .filter(tags::Column::Name.like(pattern))
        .order_by_asc(tags::Column::Name)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn find_by_name(
    conn: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<tags::Model>, DbErr> {
    tags::Entity::find()
        .filter(tags::Column::Name.eq(name.to_lowercase()))
        .one(conn)
        .await
}

pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<tags::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tags::Entity::find()
        .filter(tags::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

pub async fn follow(
    conn: &impl ConnectionTrait,
    id: i64,
    account_id: i64,
    tag_id: i64,
) -> Result<(), DbErr> {
    use entity::tag_follows;
    tag_follows::Entity::insert(tag_follows::ActiveModel {
        id: Set(id),
        account_id: Set(account_id),
        tag_id: Set(tag_id),
        created_at: Set(super::now()),
    })
    .on_conflict_do_nothing_on([tag_follows::Column::AccountId, tag_follows::Column::TagId])
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn unfollow(
    conn: &impl ConnectionTrait,
    account_id: i64,
    tag_id: i64,
) -> Result<u64, DbErr> {
    use entity::tag_follows;
    Ok(tag_follows::Entity::delete_many()
        .filter(tag_follows::Column::AccountId.eq(account_id))
        .filter(tag_follows::Column::TagId.eq(tag_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Which of `tag_ids` the account follows.
pub async fn followed_among(
    conn: &impl ConnectionTrait,
    account_id: i64,
    tag_ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    use entity::tag_follows;
    use sea_orm::QuerySelect;
    if tag_ids.is_empty() {
        return Ok(Vec::new());
    }
    tag_follows::Entity::find()
        .select_only()
        .column(tag_follows::Column::TagId)
        .filter(tag_follows::Column::AccountId.eq(account_id))
        .filter(tag_follows::Column::TagId.is_in(tag_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await
}

/// One page of the tags an account follows: `(follow id, tag)`, newest first.
pub async fn followed_page(
    conn: &impl ConnectionTrait,
    account_id: i64,
    page: &super::Page,
) -> Result<Vec<(i64, tags::Model)>, DbErr> {
    use entity::tag_follows;
    let q = tag_follows::Entity::find().filter(tag_follows::Column::AccountId.eq(account_id));
    let follows = page.finish(page.all(conn, q, tag_follows::Column::Id).await?);
    let ids: Vec<i64> = follows.iter().map(|f| f.tag_id).collect();
    let found = find_many(conn, &ids).await?;
    Ok(follows
        .into_iter()
        .filter_map(|f| {
            found
                .iter()
                .find(|t| t.id == f.tag_id)
                .map(|t| (f.id, t.clone()))
        })
        .collect())
}

/// The accounts following any of `tag_ids` (all local: only local accounts follow tags).
pub async fn followers_of(conn: &impl ConnectionTrait, tag_ids: &[i64]) -> Result<Vec<i64>, DbErr> {
    use entity::tag_follows;
    use sea_orm::QuerySelect;
    if tag_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = tag_follows::Entity::find()
        .select_only()
        .column(tag_follows::Column::AccountId)
        .filter(tag_follows::Column::TagId.is_in(tag_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
