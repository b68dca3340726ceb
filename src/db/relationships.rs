//! Queries on `follows`, `follow_requests`, `blocks` and `mutes`.
use entity::{accounts, blocks, follow_requests, follows, mutes};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QuerySelect,
};

pub async fn find_follow(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
) -> Result<Option<follows::Model>, DbErr> {
    follows::Entity::find()
        .filter(follows::Column::AccountId.eq(account_id))
        .filter(follows::Column::TargetAccountId.eq(target_id))
        .one(conn)
        .await
}

pub async fn insert_follow(
    conn: &impl ConnectionTrait,
    m: follows::ActiveModel,
) -> Result<follows::Model, DbErr> {
    m.insert(conn).await
}

pub async fn delete_follow(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
) -> Result<u64, DbErr> {
    Ok(follows::Entity::delete_many()
        .filter(follows::Column::AccountId.eq(account_id))
        .filter(follows::Column::TargetAccountId.eq(target_id))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn update_follow_options(
    conn: &impl ConnectionTrait,
    id: i64,
    show_reblogs: bool,
    notify: bool,
) -> Result<(), DbErr> {
    follows::Entity::update_many()
        .col_expr(follows::Column::ShowReblogs, Expr::val(show_reblogs))
        .col_expr(follows::Column::Notify, Expr::val(notify))
        .filter(follows::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn find_follow_request(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
) -> Result<Option<follow_requests::Model>, DbErr> {
    follow_requests::Entity::find()
        .filter(follow_requests::Column::AccountId.eq(account_id))
        .filter(follow_requests::Column::TargetAccountId.eq(target_id))
        .one(conn)
        .await
}

pub async fn find_follow_request_by_uri(
    conn: &impl ConnectionTrait,
    uri: &str,
) -> Result<Option<follow_requests::Model>, DbErr> {
    follow_requests::Entity::find()
        .filter(follow_requests::Column::Uri.eq(uri))
        .one(conn)
        .await
}

pub async fn insert_follow_request(
    conn: &impl ConnectionTrait,
    m: follow_requests::ActiveModel,
) -> Result<follow_requests::Model, DbErr> {
    m.insert(conn).await
}

pub async fn delete_follow_request(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
) -> Result<u64, DbErr> {
    Ok(follow_requests::Entity::delete_many()
        .filter(follow_requests::Column::AccountId.eq(account_id))
        .filter(follow_requests::Column::TargetAccountId.eq(target_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Pending requests to follow `target_id`, oldest first.
pub async fn follow_requests_for(
    conn: &impl ConnectionTrait,
    target_id: i64,
) -> Result<Vec<follow_requests::Model>, DbErr> {
    use sea_orm::QueryOrder;
    follow_requests::Entity::find()
        .filter(follow_requests::Column::TargetAccountId.eq(target_id))
        .order_by_asc(follow_requests::Column::Id)
        .all(conn)
        .await
}

/// Local followers of `target_id` (the home feeds a post is written to), with
/// their "show reblogs" choice.
pub async fn local_followers(
    conn: &impl ConnectionTrait,
    target_id: i64,
) -> Result<Vec<(i64, bool)>, DbErr> {
    follows::Entity::find()
        .select_only()
        .column(follows::Column::AccountId)
        .column(follows::Column::ShowReblogs)
        .filter(follows::Column::TargetAccountId.eq(target_id))
        .filter(follows::Column::AccountId.in_subquery(local_accounts_query()))
        .into_tuple()
        .all(conn)
        .await
}

/// [`local_followers`] of several accounts in one query: `(target, follower)`.
pub async fn local_followers_of_many(
    conn: &impl ConnectionTrait,
    target_ids: &[i64],
) -> Result<Vec<(i64, i64)>, DbErr> {
    if target_ids.is_empty() {
        return Ok(Vec::new());
    }
    follows::Entity::find()
        .select_only()
        .column(follows::Column::TargetAccountId)
        .column(follows::Column::AccountId)
        .filter(follows::Column::TargetAccountId.is_in(target_ids.iter().copied()))
        .filter(follows::Column::AccountId.in_subquery(local_accounts_query()))
        .into_tuple()
        .all(conn)
        .await
}

/// Of `candidates`, those who follow `target_id`.
pub async fn who_follows(
    conn: &impl ConnectionTrait,
    candidates: &[i64],
    target_id: i64,
) -> Result<Vec<i64>, DbErr> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    follows::Entity::find()
        .select_only()
        .column(follows::Column::AccountId)
        .filter(follows::Column::TargetAccountId.eq(target_id))
        .filter(follows::Column::AccountId.is_in(candidates.iter().copied()))
        .into_tuple()
        .all(conn)
        .await
}

pub async fn find_block(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
) -> Result<Option<blocks::Model>, DbErr> {
    blocks::Entity::find()
        .filter(blocks::Column::AccountId.eq(account_id))
        .filter(blocks::Column::TargetAccountId.eq(target_id))
        .one(conn)
        .await
}

/// True when either account blocks the other.
pub async fn blocked_either_way(
    conn: &impl ConnectionTrait,
    a: i64,
    b: i64,
) -> Result<bool, DbErr> {
    Ok(blocks::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(blocks::Column::AccountId.eq(a))
                        .add(blocks::Column::TargetAccountId.eq(b)),
                )
                .add(
                    Condition::all()
                        .add(blocks::Column::AccountId.eq(b))
                        .add(blocks::Column::TargetAccountId.eq(a)),
                ),
        )
        .one(conn)
        .await?
        .is_some())
}

pub async fn insert_block(
    conn: &impl ConnectionTrait,
    m: blocks::ActiveModel,
) -> Result<(), DbErr> {
    blocks::Entity::insert(m)
        .on_conflict_do_nothing_on([blocks::Column::AccountId, blocks::Column::TargetAccountId])
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn delete_block(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
) -> Result<u64, DbErr> {
    Ok(blocks::Entity::delete_many()
        .filter(blocks::Column::AccountId.eq(account_id))
        .filter(blocks::Column::TargetAccountId.eq(target_id))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn find_mute(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
) -> Result<Option<mutes::Model>, DbErr> {
    mutes::Entity::find()
        .filter(mutes::Column::AccountId.eq(account_id))
        .filter(mutes::Column::TargetAccountId.eq(target_id))
        .filter(
            Condition::any()
                .add(mutes::Column::ExpiresAt.is_null())
                .add(mutes::Column::ExpiresAt.gt(super::now())),
        )
        .one(conn)
        .await
}

pub async fn upsert_mute(conn: &impl ConnectionTrait, m: mutes::ActiveModel) -> Result<(), DbErr> {
    use sea_orm::sea_query::OnConflict;
    mutes::Entity::insert(m)
        .on_conflict(
            OnConflict::columns([mutes::Column::AccountId, mutes::Column::TargetAccountId])
                .update_columns([mutes::Column::HideNotifications, mutes::Column::ExpiresAt])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn delete_mute(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
) -> Result<u64, DbErr> {
    Ok(mutes::Entity::delete_many()
        .filter(mutes::Column::AccountId.eq(account_id))
        .filter(mutes::Column::TargetAccountId.eq(target_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Of `candidates`, those who mute `target_id` (with `notifications_only`: those
/// whose mute also hides notifications), block it, or block its domain.
pub async fn who_mutes_or_blocks(
    conn: &impl ConnectionTrait,
    candidates: &[i64],
    target_id: i64,
    notifications_only: bool,
) -> Result<Vec<i64>, DbErr> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let mut mute_q = mutes::Entity::find()
        .select_only()
        .column(mutes::Column::AccountId)
        .filter(mutes::Column::TargetAccountId.eq(target_id))
        .filter(mutes::Column::AccountId.is_in(candidates.iter().copied()))
        .filter(
            Condition::any()
                .add(mutes::Column::ExpiresAt.is_null())
                .add(mutes::Column::ExpiresAt.gt(super::now())),
        );
    if notifications_only {
        mute_q = mute_q.filter(mutes::Column::HideNotifications.eq(true));
    }
    let mut out: Vec<i64> = mute_q.into_tuple().all(conn).await?;
    let blockers: Vec<i64> = blocks::Entity::find()
        .select_only()
        .column(blocks::Column::AccountId)
        .filter(blocks::Column::TargetAccountId.eq(target_id))
        .filter(blocks::Column::AccountId.is_in(candidates.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    out.extend(blockers);
    out.extend(super::domain_blocks::who_blocks_domain_of(conn, candidates, target_id).await?);
    Ok(out)
}

/// `SELECT id FROM accounts WHERE domain IS NULL`
pub fn local_accounts_query() -> SelectStatement {
    Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(Expr::col(accounts::Column::Domain).is_null())
        .take()
}

/// `SELECT id FROM accounts WHERE suspended_at IS NOT NULL`
pub fn suspended_accounts_query() -> SelectStatement {
    Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(Expr::col(accounts::Column::SuspendedAt).is_not_null())
        .take()
}

/// Sub-queries of account ids whose statuses `viewer` must not see in public
/// timelines: accounts the viewer blocks or mutes, accounts that block the
/// viewer, and accounts of domains the viewer blocks.
pub fn hidden_accounts_queries(viewer: i64) -> Vec<SelectStatement> {
    vec![
        Query::select()
            .column(blocks::Column::TargetAccountId)
            .from(blocks::Entity)
            .and_where(Expr::col(blocks::Column::AccountId).eq(viewer))
            .take(),
        Query::select()
            .column(blocks::Column::AccountId)
            .from(blocks::Entity)
            .and_where(Expr::col(blocks::Column::TargetAccountId).eq(viewer))
            .take(),
        Query::select()
            .column(mutes::Column::TargetAccountId)
            .from(mutes::Entity)
            .and_where(Expr::col(mutes::Column::AccountId).eq(viewer))
            .take(),
        super::domain_blocks::blocked_accounts_query(viewer),
    ]
}

/// Follower / following ids of an account, newest first.
pub async fn follower_ids(
    conn: &impl ConnectionTrait,
    target_id: i64,
    limit: u64,
) -> Result<Vec<i64>, DbErr> {
    use sea_orm::QueryOrder;
    follows::Entity::find()
        .select_only()
        .column(follows::Column::AccountId)
        .filter(follows::Column::TargetAccountId.eq(target_id))
        .order_by_desc(follows::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}

pub async fn following_ids(
    conn: &impl ConnectionTrait,
    account_id: i64,
    limit: u64,
) -> Result<Vec<i64>, DbErr> {
    use sea_orm::QueryOrder;
    follows::Entity::find()
        .select_only()
        .column(follows::Column::TargetAccountId)
        .filter(follows::Column::AccountId.eq(account_id))
        .order_by_desc(follows::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}

/// Which side of a follow to list.
#[derive(Clone, Copy, Debug)]
pub enum FollowSide {
    /// Who follows the account.
    Followers,
    /// Whom the account follows.
    Following,
}

/// `(follow id, other account id)` pairs, newest follow first.
pub async fn follows_page(
    conn: &impl ConnectionTrait,
    account_id: i64,
    side: FollowSide,
    page: &super::Page,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let (mine, other) = match side {
        FollowSide::Followers => (follows::Column::TargetAccountId, follows::Column::AccountId),
        FollowSide::Following => (follows::Column::AccountId, follows::Column::TargetAccountId),
    };
    let q = follows::Entity::find().filter(mine.eq(account_id));
    let rows = page
        .all_tuples(
            conn,
            q.select_only().column(follows::Column::Id).column(other),
            follows::Column::Id,
        )
        .await?;
    Ok(page.finish(rows))
}

/// `(row id, target account id)` of an account's blocks or mutes, newest first.
pub async fn blocks_page(
    conn: &impl ConnectionTrait,
    account_id: i64,
    page: &super::Page,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let q = blocks::Entity::find().filter(blocks::Column::AccountId.eq(account_id));
    let rows = page
        .all_tuples(
            conn,
            q.select_only()
                .column(blocks::Column::Id)
                .column(blocks::Column::TargetAccountId),
            blocks::Column::Id,
        )
        .await?;
    Ok(page.finish(rows))
}

pub async fn mutes_page(
    conn: &impl ConnectionTrait,
    account_id: i64,
    page: &super::Page,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let q = mutes::Entity::find().filter(mutes::Column::AccountId.eq(account_id));
    let rows = page
        .all_tuples(
            conn,
            q.select_only()
                .column(mutes::Column::Id)
                .column(mutes::Column::TargetAccountId),
            mutes::Column::Id,
        )
        .await?;
    Ok(page.finish(rows))
}

/// Of `candidates`, those `blocker_id` blocks.
pub async fn blocked_by(
    conn: &impl ConnectionTrait,
    blocker_id: i64,
    candidates: &[i64],
) -> Result<Vec<i64>, DbErr> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    blocks::Entity::find()
        .select_only()
        .column(blocks::Column::TargetAccountId)
        .filter(blocks::Column::AccountId.eq(blocker_id))
        .filter(blocks::Column::TargetAccountId.is_in(candidates.iter().copied()))
        .into_tuple()
        .all(conn)
        .await
}
