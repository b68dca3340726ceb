//! Queries on `statuses`, `mentions` and `statuses_tags`.
use entity::statuses::{self, Column, Entity};
use entity::{Visibility, mentions};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::Page;

/// A live (not deleted) status.
pub async fn find(conn: &impl ConnectionTrait, id: i64) -> Result<Option<statuses::Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(Column::DeletedAt.is_null())
        .one(conn)
        .await
}

/// A status by id, deleted or not.
pub async fn find_any(
    conn: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<statuses::Model>, DbErr> {
    Entity::find_by_id(id).one(conn).await
}

/// Live statuses by id, in no particular order.
pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<statuses::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(Column::DeletedAt.is_null())
        .all(conn)
        .await
}

pub async fn find_by_uri(
    conn: &impl ConnectionTrait,
    uri: &str,
) -> Result<Option<statuses::Model>, DbErr> {
    // `all`: the URI is unique, and a bound LIMIT is prepared again on every run.
    Ok(Entity::find()
        .filter(Column::Uri.eq(uri))
        .all(conn)
        .await?
        .into_iter()
        .next())
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    model: statuses::ActiveModel,
) -> Result<statuses::Model, DbErr> {
    model.insert(conn).await
}

/// Inserts a status unless its id is taken already (`None`): an id made from a
/// remote post's publication time may meet one another process made (or one
/// this process made long ago). Any other conflict (the URI) is an error.
pub async fn insert_unless_id_taken(
    conn: &impl ConnectionTrait,
    model: statuses::ActiveModel,
) -> Result<Option<statuses::Model>, DbErr> {
    // Not `Insert::exec_with_returning`: sea-orm 2 reports its conflict as
    // `RecordNotFound` ("Failed to find inserted item"), which became a 404
    // for the sender instead of a retry with a fresh id.
    Ok(insert_many_unless_id_taken(conn, vec![model])
        .await?
        .into_iter()
        .next())
}

/// [`insert_unless_id_taken`] for several statuses in one statement: the
/// rows inserted (in no particular order). A row whose id is taken is left
/// out; any other conflict (a URI) fails the whole statement.
pub async fn insert_many_unless_id_taken(
    conn: &impl ConnectionTrait,
    models: Vec<statuses::ActiveModel>,
) -> Result<Vec<statuses::Model>, DbErr> {
    match Entity::insert_many(models)
        .on_conflict_do_nothing()
        .exec_with_returning_many(conn)
        .await?
    {
        sea_orm::TryInsertResult::Inserted(m) => Ok(m),
        sea_orm::TryInsertResult::Conflicted | sea_orm::TryInsertResult::Empty => Ok(Vec::new()),
    }
}

/// The reblog of `status_id` by `account_id`, if there is one.
pub async fn find_reblog(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_id: i64,
) -> Result<Option<statuses::Model>, DbErr> {
    Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::ReblogOfId.eq(status_id))
        .one(conn)
        .await
}

/// Ids of every reblog of a status (to take them out of feeds when it goes).
pub async fn reblog_ids(
    conn: &impl ConnectionTrait,
    status_id: i64,
) -> Result<Vec<(i64, i64)>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::AccountId)
        .filter(Column::ReblogOfId.eq(status_id))
        .into_tuple()
        .all(conn)
        .await
}

/// Removes a reblog row (reblogs have no content worth a tombstone). Feed rows,
/// notifications and the like go with it through foreign keys.
pub async fn delete_hard(conn: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Ok(Entity::delete_by_id(id).exec(conn).await?.rows_affected)
}

/// Marks a status deleted and blanks its content; the row stays as a tombstone so
/// that a late activity about it is recognised.
pub async fn soft_delete(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    let now = super::now();
    Entity::update_many()
        .col_expr(Column::DeletedAt, Expr::val(now))
        .col_expr(Column::Content, Expr::val(""))
        .col_expr(Column::Text, Expr::val(""))
        .col_expr(Column::SpoilerText, Expr::val(""))
        .filter(Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Copy, Debug)]
pub enum Counter {
    Replies,
    Reblogs,
    Favourites,
}

/// Adds `delta` to a counter, never below zero.
pub async fn bump(
    conn: &impl ConnectionTrait,
    id: i64,
    counter: Counter,
    delta: i64,
) -> Result<(), DbErr> {
    let col = match counter {
        Counter::Replies => Column::RepliesCount,
        Counter::Reblogs => Column::ReblogsCount,
        Counter::Favourites => Column::FavouritesCount,
    };
    let next = Func::greatest([Expr::col(col).add(delta), Expr::val(0i64)]);
    Entity::update_many()
        .col_expr(col, next.into())
        .filter(Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn insert_mentions(
    conn: &impl ConnectionTrait,
    rows: Vec<mentions::ActiveModel>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    mentions::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([mentions::Column::StatusId, mentions::Column::AccountId])
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn mentioned_account_ids(
    conn: &impl ConnectionTrait,
    status_id: i64,
) -> Result<Vec<i64>, DbErr> {
    mentions::Entity::find()
        .select_only()
        .column(mentions::Column::AccountId)
        .filter(mentions::Column::StatusId.eq(status_id))
        .into_tuple()
        .all(conn)
        .await
}

pub async fn is_mentioned(
    conn: &impl ConnectionTrait,
    status_id: i64,
    account_id: i64,
) -> Result<bool, DbErr> {
    Ok(mentions::Entity::find()
        .filter(mentions::Column::StatusId.eq(status_id))
        .filter(mentions::Column::AccountId.eq(account_id))
        .one(conn)
        .await?
        .is_some())
}

/// Who the viewer may see of one author's statuses, as SQL.
#[derive(Clone, Copy, Debug)]
pub enum AuthorScope {
    /// Logged out, or a stranger: public and unlisted.
    Public,
    /// A follower: also followers-only.
    Follower,
    /// The author: everything.
    Author,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct AccountTimelineFilter {
    pub exclude_replies: bool,
    pub exclude_reblogs: bool,
    /// Only statuses with attachments.
    pub only_media: bool,
}

/// `statuses.id IN (ids of statuses with attachments)`.
fn with_media() -> Condition {
    Condition::all().add(
        Column::Id.in_subquery(
            Query::select()
                .column(entity::media_attachments::Column::StatusId)
                .from(entity::media_attachments::Entity)
                .and_where(Expr::col(entity::media_attachments::Column::StatusId).is_not_null())
                .take(),
        ),
    )
}

/// One account's statuses as the viewer may see them. Direct and followers-only
/// statuses that mention the viewer are included, as Mastodon does.
pub async fn account_timeline(
    conn: &impl ConnectionTrait,
    author_id: i64,
    viewer_id: Option<i64>,
    scope: AuthorScope,
    filter: AccountTimelineFilter,
    page: &Page,
) -> Result<Vec<statuses::Model>, DbErr> {
    let mut select = Entity::find()
        .filter(Column::AccountId.eq(author_id))
        .filter(Column::DeletedAt.is_null());
    let visible = match scope {
        AuthorScope::Author => Condition::all(),
        AuthorScope::Follower | AuthorScope::Public => {
            let mut allowed = vec![Visibility::Public, Visibility::Unlisted];
            if matches!(scope, AuthorScope::Follower) {
                allowed.push(Visibility::Private);
            }
            let mut c = Condition::any().add(Column::Visibility.is_in(allowed));
            if let Some(viewer) = viewer_id {
                c = c.add(
                    Column::Id.in_subquery(
                        Query::select()
                            .column(mentions::Column::StatusId)
                            .from(mentions::Entity)
                            .and_where(Expr::col(mentions::Column::AccountId).eq(viewer))
                            .take(),
                    ),
                );
            }
            c
        }
    };
    select = select.filter(visible);
    if filter.exclude_replies {
        // Self-replies (threads) stay, as on Mastodon.
        select = select.filter(
            Condition::any()
                .add(Column::InReplyToId.is_null())
                .add(Column::InReplyToAccountId.eq(author_id)),
        );
    }
    if filter.exclude_reblogs {
        select = select.filter(Column::ReblogOfId.is_null());
    }
    if filter.only_media {
        select = select.filter(with_media());
    }
    let rows = page.all(conn, select, Column::Id).await?;
    Ok(page.finish(rows))
}

/// Public statuses, newest first, served by the `statuses_public*` partial indexes.
/// Replies to other people, reblogs, suspended authors and (for a viewer) accounts
/// the viewer blocks, mutes or is blocked by are left out.
pub async fn public_timeline(
    conn: &impl ConnectionTrait,
    viewer_id: Option<i64>,
    local: Option<bool>,
    only_media: bool,
    page: &Page,
) -> Result<Vec<statuses::Model>, DbErr> {
    let mut select = Entity::find()
        .filter(Column::Visibility.eq(Visibility::Public))
        .filter(Column::ReblogOfId.is_null())
        .filter(Column::DeletedAt.is_null())
        .filter(
            Condition::any()
                .add(Column::InReplyToId.is_null())
                .add(Expr::col(Column::InReplyToAccountId).eq(Expr::col(Column::AccountId))),
        )
        .filter(
            Column::AccountId.not_in_subquery(super::relationships::suspended_accounts_query()),
        );
    if let Some(l) = local {
        select = select.filter(Column::Local.eq(l));
    }
    if only_media {
        select = select.filter(with_media());
    }
    if let Some(viewer) = viewer_id {
        for q in super::relationships::hidden_accounts_queries(viewer) {
            select = select.filter(Column::AccountId.not_in_subquery(q));
        }
    }
    let rows = page.all(conn, select, Column::Id).await?;
    Ok(page.finish(rows))
}

/// Every live status of a thread, oldest first.
pub async fn thread(
    conn: &impl ConnectionTrait,
    root_id: i64,
) -> Result<Vec<statuses::Model>, DbErr> {
    Entity::find()
        .filter(
            Condition::any()
                .add(Column::ThreadRootId.eq(root_id))
                .add(Column::Id.eq(root_id)),
        )
        .filter(Column::DeletedAt.is_null())
        .filter(Column::ReblogOfId.is_null())
        .order_by_asc(Column::Id)
        .limit(4096)
        .all(conn)
        .await
}

/// URIs of the public and unlisted live replies to a status, oldest first.
pub async fn public_reply_uris(
    conn: &impl ConnectionTrait,
    id: i64,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::Uri)
        .filter(Column::InReplyToId.eq(id))
        .filter(Column::DeletedAt.is_null())
        .filter(Column::Visibility.is_in([Visibility::Public, Visibility::Unlisted]))
        .order_by_asc(Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}

/// Public statuses carrying a hashtag, newest first.
pub async fn tag_timeline(
    conn: &impl ConnectionTrait,
    tag: &str,
    local: Option<bool>,
    page: &Page,
) -> Result<Vec<statuses::Model>, DbErr> {
    use entity::{statuses_tags, tags};
    let mut q = Entity::find()
        .filter(Column::Visibility.eq(Visibility::Public))
        .filter(Column::ReblogOfId.is_null())
        .filter(Column::DeletedAt.is_null())
        .filter(Column::AccountId.not_in_subquery(super::relationships::suspended_accounts_query()))
        .filter(
            Column::Id.in_subquery(
                Query::select()
                    .column(statuses_tags::Column::StatusId)
                    .from(statuses_tags::Entity)
                    .and_where(
                        Expr::col(statuses_tags::Column::TagId).in_subquery(
                            Query::select()
                                .column(tags::Column::Id)
                                .from(tags::Entity)
                                .and_where(Expr::col(tags::Column::Name).eq(tag.to_lowercase()))
                                .take(),
                        ),
                    )
                    .take(),
            ),
        );
    if let Some(l) = local {
        q = q.filter(Column::Local.eq(l));
    }
    let rows = page.all(conn, q, Column::Id).await?;
    Ok(page.finish(rows))
}

/// Which of `status_ids` the account has reblogged.
pub async fn reblogged_among(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Option<i64>> = Entity::find()
        .select_only()
        .column(Column::ReblogOfId)
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::ReblogOfId.is_in(status_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.into_iter().flatten().collect())
}

/// Local statuses, for counts.
pub async fn count_local(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Entity::find()
        .filter(Column::Local.eq(true))
        .filter(Column::DeletedAt.is_null())
        .filter(Column::ReblogOfId.is_null())
        .count(conn)
        .await
}
