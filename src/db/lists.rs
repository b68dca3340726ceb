//! Queries on `lists` and `list_accounts`, and the list timeline (a slice of the
//! owner's home feed: the members' rows, by the `(account_id, author_account_id)`
//! feed index).
use entity::{home_feed, list_accounts, lists, statuses};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set,
};

use super::Page;

pub async fn insert(
    conn: &impl ConnectionTrait,
    m: lists::ActiveModel,
) -> Result<lists::Model, DbErr> {
    m.insert(conn).await
}

pub async fn update(
    conn: &impl ConnectionTrait,
    m: lists::ActiveModel,
) -> Result<lists::Model, DbErr> {
    m.update(conn).await
}

/// One of `owner_id`'s lists.
pub async fn find(
    conn: &impl ConnectionTrait,
    owner_id: i64,
    id: i64,
) -> Result<Option<lists::Model>, DbErr> {
    lists::Entity::find_by_id(id)
        .filter(lists::Column::AccountId.eq(owner_id))
        .one(conn)
        .await
}

/// Every list of `owner_id`, oldest first.
pub async fn all_for(
    conn: &impl ConnectionTrait,
    owner_id: i64,
) -> Result<Vec<lists::Model>, DbErr> {
    lists::Entity::find()
        .filter(lists::Column::AccountId.eq(owner_id))
        .order_by_asc(lists::Column::Id)
        .all(conn)
        .await
}

pub async fn count_for(conn: &impl ConnectionTrait, owner_id: i64) -> Result<u64, DbErr> {
    lists::Entity::find()
        .filter(lists::Column::AccountId.eq(owner_id))
        .count(conn)
        .await
}

pub async fn delete(conn: &impl ConnectionTrait, owner_id: i64, id: i64) -> Result<u64, DbErr> {
    Ok(lists::Entity::delete_many()
        .filter(lists::Column::Id.eq(id))
        .filter(lists::Column::AccountId.eq(owner_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// `owner_id`'s lists that `member_id` is on.
pub async fn containing(
    conn: &impl ConnectionTrait,
    owner_id: i64,
    member_id: i64,
) -> Result<Vec<lists::Model>, DbErr> {
    lists::Entity::find()
        .filter(lists::Column::AccountId.eq(owner_id))
        .filter(
            lists::Column::Id.in_subquery(
                Query::select()
                    .column(list_accounts::Column::ListId)
                    .from(list_accounts::Entity)
                    .and_where(Expr::col(list_accounts::Column::AccountId).eq(member_id))
                    .take(),
            ),
        )
        .order_by_asc(lists::Column::Id)
        .all(conn)
        .await
}

pub async fn add_members(
    conn: &impl ConnectionTrait,
    list_id: i64,
    member_ids: &[i64],
) -> Result<(), DbErr> {
    if member_ids.is_empty() {
        return Ok(());
    }
    let now = super::now();
    let rows = member_ids.iter().map(|a| list_accounts::ActiveModel {
        list_id: Set(list_id),
        account_id: Set(*a),
        created_at: Set(now),
    });
    list_accounts::Entity::insert_many(rows)
        .on_conflict_do_nothing()
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn remove_members(
    conn: &impl ConnectionTrait,
    list_id: i64,
    member_ids: &[i64],
) -> Result<u64, DbErr> {
    Ok(list_accounts::Entity::delete_many()
        .filter(list_accounts::Column::ListId.eq(list_id))
        .filter(list_accounts::Column::AccountId.is_in(member_ids.iter().copied()))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Takes `member_id` off every list of `owner_id` (on an unfollow or a block).
pub async fn remove_from_owner_lists(
    conn: &impl ConnectionTrait,
    owner_id: i64,
    member_id: i64,
) -> Result<u64, DbErr> {
    Ok(list_accounts::Entity::delete_many()
        .filter(list_accounts::Column::AccountId.eq(member_id))
        .filter(
            list_accounts::Column::ListId.in_subquery(
                Query::select()
                    .column(lists::Column::Id)
                    .from(lists::Entity)
                    .and_where(Expr::col(lists::Column::AccountId).eq(owner_id))
                    .take(),
            ),
        )
        .exec(conn)
        .await?
        .rows_affected)
}

/// One page of a list's member ids, by account id.
pub async fn member_page(
    conn: &impl ConnectionTrait,
    list_id: i64,
    page: &Page,
) -> Result<Vec<i64>, DbErr> {
    let q = list_accounts::Entity::find().filter(list_accounts::Column::ListId.eq(list_id));
    let rows = page.all(conn, q, list_accounts::Column::AccountId).await?;
    Ok(page
        .finish(rows)
        .into_iter()
        .map(|r| r.account_id)
        .collect())
}

/// `(id, replies policy, exclusive)` of `owner_id`'s lists that have
/// `author_id` as a member (for the `list` stream).
pub async fn lists_showing(
    conn: &impl ConnectionTrait,
    owner_id: i64,
    author_id: i64,
) -> Result<Vec<(i64, String, bool)>, DbErr> {
    lists::Entity::find()
        .select_only()
        .column(lists::Column::Id)
        .column(lists::Column::RepliesPolicy)
        .column(lists::Column::Exclusive)
        .filter(lists::Column::AccountId.eq(owner_id))
        .filter(
            lists::Column::Id.in_subquery(
                Query::select()
                    .column(list_accounts::Column::ListId)
                    .from(list_accounts::Entity)
                    .and_where(Expr::col(list_accounts::Column::AccountId).eq(author_id))
                    .take(),
            ),
        )
        .into_tuple()
        .all(conn)
        .await
}

/// Whether `account_id` is a member of `list_id`.
pub async fn is_member(
    conn: &impl ConnectionTrait,
    list_id: i64,
    account_id: i64,
) -> Result<bool, DbErr> {
    Ok(list_accounts::Entity::find_by_id((list_id, account_id))
        .one(conn)
        .await?
        .is_some())
}

/// The members of `owner_id`'s exclusive lists: their posts stay out of the home feed.
pub fn exclusive_members_query(owner_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(list_accounts::Column::AccountId)
        .from(list_accounts::Entity)
        .and_where(
            Expr::col(list_accounts::Column::ListId).in_subquery(
                Query::select()
                    .column(lists::Column::Id)
                    .from(lists::Entity)
                    .and_where(Expr::col(lists::Column::AccountId).eq(owner_id))
                    .and_where(Expr::col(lists::Column::Exclusive).eq(true))
                    .take(),
            ),
        )
        .take()
}

/// One page of a list's timeline: the owner's home-feed rows by the list's
/// members, with replies as the list's policy says (`followed`: as in the home
/// feed; `list`: only replies to members, to the owner or to oneself; `none`: no replies to others).
pub async fn timeline(
    conn: &impl ConnectionTrait,
    list: &lists::Model,
    page: &Page,
) -> Result<Vec<statuses::Model>, DbErr> {
    let members = || {
        Query::select()
            .column(list_accounts::Column::AccountId)
            .from(list_accounts::Entity)
            .and_where(Expr::col(list_accounts::Column::ListId).eq(list.id))
            .take()
    };
    let mut q = statuses::Entity::find()
        .join(JoinType::InnerJoin, statuses::Relation::HomeFeed.def())
        .filter(home_feed::Column::AccountId.eq(list.account_id))
        .filter(home_feed::Column::AuthorAccountId.in_subquery(members()))
        .filter(statuses::Column::DeletedAt.is_null());
    let self_or_none = Condition::any()
        .add(statuses::Column::InReplyToAccountId.is_null())
        .add(
            Expr::col((statuses::Entity, statuses::Column::InReplyToAccountId))
                .eq(Expr::col((statuses::Entity, statuses::Column::AccountId))),
        );
    match list.replies_policy.as_str() {
        "none" => q = q.filter(self_or_none),
        "list" => {
            q = q.filter(
                self_or_none
                    .add(statuses::Column::InReplyToAccountId.eq(list.account_id))
                    .add(statuses::Column::InReplyToAccountId.in_subquery(members())),
            )
        }
        _ => {}
    }
    let rows = page.all(conn, q, home_feed::Column::StatusId).await?;
    Ok(page.finish(rows))
}
