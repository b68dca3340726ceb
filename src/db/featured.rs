//! Featured hashtags of profiles, and private account notes.
use chrono::{DateTime, Utc};
use entity::{account_notes, featured_tags, statuses, statuses_tags, tags};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// An account's featured tags with their tags, oldest first.
pub async fn featured_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<(featured_tags::Model, tags::Model)>, DbErr> {
    let rows = featured_tags::Entity::find()
        .filter(featured_tags::Column::AccountId.eq(account_id))
        .order_by_asc(featured_tags::Column::Id)
        .all(conn)
        .await?;
    let tag_ids: Vec<i64> = rows.iter().map(|r| r.tag_id).collect();
    let found = super::tags::find_many(conn, &tag_ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let t = found.iter().find(|t| t.id == r.tag_id)?.clone();
            Some((r, t))
        })
        .collect())
}

/// Features a tag; an already featured tag is left as it is. The row either way.
pub async fn feature(
    conn: &impl ConnectionTrait,
    id: i64,
    account_id: i64,
    tag_id: i64,
) -> Result<Option<featured_tags::Model>, DbErr> {
    featured_tags::Entity::insert(featured_tags::ActiveModel {
        id: Set(id),
        account_id: Set(account_id),
        tag_id: Set(tag_id),
        created_at: Set(super::now()),
    })
    .on_conflict(
        OnConflict::columns([
            featured_tags::Column::AccountId,
            featured_tags::Column::TagId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    featured_tags::Entity::find()
        .filter(featured_tags::Column::AccountId.eq(account_id))
        .filter(featured_tags::Column::TagId.eq(tag_id))
        .one(conn)
        .await
}

/// The number of rows removed (0 or 1).
pub async fn unfeature_by_id(
    conn: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<u64, DbErr> {
    Ok(featured_tags::Entity::delete_many()
        .filter(featured_tags::Column::AccountId.eq(account_id))
        .filter(featured_tags::Column::Id.eq(id))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn unfeature_tag(
    conn: &impl ConnectionTrait,
    account_id: i64,
    tag_id: i64,
) -> Result<u64, DbErr> {
    Ok(featured_tags::Entity::delete_many()
        .filter(featured_tags::Column::AccountId.eq(account_id))
        .filter(featured_tags::Column::TagId.eq(tag_id))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn count_featured(conn: &impl ConnectionTrait, account_id: i64) -> Result<u64, DbErr> {
    featured_tags::Entity::find()
        .filter(featured_tags::Column::AccountId.eq(account_id))
        .count(conn)
        .await
}

/// Which of `tag_ids` the account features.
pub async fn featured_among(
    conn: &impl ConnectionTrait,
    account_id: i64,
    tag_ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    if tag_ids.is_empty() {
        return Ok(Vec::new());
    }
    featured_tags::Entity::find()
        .select_only()
        .column(featured_tags::Column::TagId)
        .filter(featured_tags::Column::AccountId.eq(account_id))
        .filter(featured_tags::Column::TagId.is_in(tag_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await
}

/// How many of the account's public or unlisted statuses carry the tag, and
/// when the latest was posted.
pub async fn tag_use_by(
    conn: &impl ConnectionTrait,
    account_id: i64,
    tag_id: i64,
) -> Result<(i64, Option<DateTime<Utc>>), DbErr> {
    let row: Option<(i64, Option<DateTime<Utc>>)> = statuses_tags::Entity::find()
        .select_only()
        .column_as(
            Expr::col((statuses::Entity, statuses::Column::Id)).count(),
            "n",
        )
        .column_as(
            Expr::col((statuses::Entity, statuses::Column::CreatedAt)).max(),
            "last",
        )
        .join(JoinType::InnerJoin, statuses_tags_status())
        .filter(statuses_tags::Column::TagId.eq(tag_id))
        .filter(statuses::Column::AccountId.eq(account_id))
        .filter(statuses::Column::DeletedAt.is_null())
        .filter(
            statuses::Column::Visibility
                .is_in([entity::Visibility::Public, entity::Visibility::Unlisted]),
        )
        .into_tuple()
        .one(conn)
        .await?;
    Ok(row.unwrap_or((0, None)))
}

fn statuses_tags_status() -> sea_orm::RelationDef {
    statuses_tags::Entity::belongs_to(statuses::Entity)
        .from(statuses_tags::Column::StatusId)
        .to(statuses::Column::Id)
        .into()
}

/// The tags an account used most in its recent statuses, most used first.
pub async fn most_used_tags(
    conn: &impl ConnectionTrait,
    account_id: i64,
    limit: u64,
) -> Result<Vec<i64>, DbErr> {
    statuses_tags::Entity::find()
        .select_only()
        .column(statuses_tags::Column::TagId)
        .join(JoinType::InnerJoin, statuses_tags_status())
        .filter(statuses::Column::AccountId.eq(account_id))
        .filter(statuses::Column::DeletedAt.is_null())
        .group_by(statuses_tags::Column::TagId)
        .order_by_desc(Expr::col(statuses_tags::Column::StatusId).count())
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}

pub async fn note(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
) -> Result<Option<String>, DbErr> {
    Ok(account_notes::Entity::find_by_id((account_id, target_id))
        .one(conn)
        .await?
        .map(|n| n.comment))
}

/// Sets the note; an empty one is removed.
pub async fn set_note(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
    comment: &str,
) -> Result<(), DbErr> {
    if comment.is_empty() {
        account_notes::Entity::delete_by_id((account_id, target_id))
            .exec(conn)
            .await?;
        return Ok(());
    }
    account_notes::Entity::insert(account_notes::ActiveModel {
        account_id: Set(account_id),
        target_account_id: Set(target_id),
        comment: Set(comment.to_string()),
        updated_at: Set(super::now()),
    })
    .on_conflict(
        OnConflict::columns([
            account_notes::Column::AccountId,
            account_notes::Column::TargetAccountId,
        ])
        .update_columns([
            account_notes::Column::Comment,
            account_notes::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
