//! Domains people block.
use entity::{
    account_domain_blocks as blocks, accounts, follow_requests, follows, home_feed, notifications,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::Page;

/// Blocks a domain (blocking it twice is one block).
pub async fn insert(
    conn: &impl ConnectionTrait,
    id: i64,
    account_id: i64,
    domain: &str,
) -> Result<(), DbErr> {
    blocks::Entity::insert(blocks::ActiveModel {
        id: Set(id),
        account_id: Set(account_id),
        domain: Set(domain.to_string()),
        created_at: Set(super::now()),
    })
    .on_conflict_do_nothing_on([blocks::Column::AccountId, blocks::Column::Domain])
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn delete(
    conn: &impl ConnectionTrait,
    account_id: i64,
    domain: &str,
) -> Result<u64, DbErr> {
    Ok(blocks::Entity::delete_many()
        .filter(blocks::Column::AccountId.eq(account_id))
        .filter(blocks::Column::Domain.eq(domain))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn is_blocked(
    conn: &impl ConnectionTrait,
    account_id: i64,
    domain: &str,
) -> Result<bool, DbErr> {
    Ok(blocks::Entity::find()
        .filter(blocks::Column::AccountId.eq(account_id))
        .filter(blocks::Column::Domain.eq(domain))
        .one(conn)
        .await?
        .is_some())
}

/// A page of a person's blocked domains, newest first.
pub async fn page(
    conn: &impl ConnectionTrait,
    account_id: i64,
    page: &Page,
) -> Result<Vec<blocks::Model>, DbErr> {
    let q = blocks::Entity::find().filter(blocks::Column::AccountId.eq(account_id));
    let rows = page.all(conn, q, blocks::Column::Id).await?;
    Ok(page.finish(rows))
}

/// `SELECT id FROM accounts WHERE domain IN (the domains account_id blocks)`.
pub fn blocked_accounts_query(account_id: i64) -> SelectStatement {
    Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(
            Expr::col(accounts::Column::Domain).in_subquery(
                Query::select()
                    .column(blocks::Column::Domain)
                    .from(blocks::Entity)
                    .and_where(Expr::col(blocks::Column::AccountId).eq(account_id))
                    .take(),
            ),
        )
        .take()
}

/// Of `candidates`, those who block the domain of `target_id`.
pub async fn who_blocks_domain_of(
    conn: &impl ConnectionTrait,
    candidates: &[i64],
    target_id: i64,
) -> Result<Vec<i64>, DbErr> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    blocks::Entity::find()
        .select_only()
        .column(blocks::Column::AccountId)
        .filter(blocks::Column::AccountId.is_in(candidates.iter().copied()))
        .filter(
            blocks::Column::Domain.in_subquery(
                Query::select()
                    .column(accounts::Column::Domain)
                    .from(accounts::Entity)
                    .and_where(Expr::col(accounts::Column::Id).eq(target_id))
                    .and_where(Expr::col(accounts::Column::Domain).is_not_null())
                    .take(),
            ),
        )
        .into_tuple()
        .all(conn)
        .await
}

fn accounts_of(domain: &str) -> SelectStatement {
    Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(Expr::col(accounts::Column::Domain).eq(domain))
        .take()
}

/// The follows of `account_id` by accounts of `domain`.
pub async fn followers_from(
    conn: &impl ConnectionTrait,
    account_id: i64,
    domain: &str,
) -> Result<Vec<follows::Model>, DbErr> {
    follows::Entity::find()
        .filter(follows::Column::TargetAccountId.eq(account_id))
        .filter(follows::Column::AccountId.in_subquery(accounts_of(domain)))
        .all(conn)
        .await
}

/// Removes what accounts of `domain` left with `account_id`: pending follow
/// requests, home-feed rows and notifications.
pub async fn clear_traces(
    conn: &impl ConnectionTrait,
    account_id: i64,
    domain: &str,
) -> Result<(), DbErr> {
    follow_requests::Entity::delete_many()
        .filter(follow_requests::Column::TargetAccountId.eq(account_id))
        .filter(follow_requests::Column::AccountId.in_subquery(accounts_of(domain)))
        .exec(conn)
        .await?;
    home_feed::Entity::delete_many()
        .filter(home_feed::Column::AccountId.eq(account_id))
        .filter(home_feed::Column::AuthorAccountId.in_subquery(accounts_of(domain)))
        .exec(conn)
        .await?;
    notifications::Entity::delete_many()
        .filter(notifications::Column::AccountId.eq(account_id))
        .filter(notifications::Column::FromAccountId.in_subquery(accounts_of(domain)))
        .exec(conn)
        .await?;
    Ok(())
}
