//! Notification policies, requests (filtered notifications by sender) and the
//! senders a person accepted.
use entity::{
    notification_permissions, notification_policies, notification_requests, notifications,
};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::Page;

pub async fn policy(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Option<notification_policies::Model>, DbErr> {
    notification_policies::Entity::find_by_id(account_id)
        .one(conn)
        .await
}

pub async fn put_policy(
    conn: &impl ConnectionTrait,
    m: notification_policies::Model,
) -> Result<(), DbErr> {
    use notification_policies::Column as C;
    notification_policies::Entity::insert(notification_policies::ActiveModel::from(m))
        .on_conflict(
            OnConflict::column(C::AccountId)
                .update_columns([
                    C::ForNotFollowing,
                    C::ForNotFollowers,
                    C::ForNewAccounts,
                    C::ForPrivateMentions,
                    C::ForLimitedAccounts,
                    C::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn is_permitted(
    conn: &impl ConnectionTrait,
    account_id: i64,
    from_account_id: i64,
) -> Result<bool, DbErr> {
    Ok(
        notification_permissions::Entity::find_by_id((account_id, from_account_id))
            .one(conn)
            .await?
            .is_some(),
    )
}

pub async fn permit(
    conn: &impl ConnectionTrait,
    account_id: i64,
    from_account_id: i64,
) -> Result<(), DbErr> {
    notification_permissions::Entity::insert(notification_permissions::ActiveModel {
        account_id: Set(account_id),
        from_account_id: Set(from_account_id),
        created_at: Set(super::now()),
    })
    .on_conflict_do_nothing_on([
        notification_permissions::Column::AccountId,
        notification_permissions::Column::FromAccountId,
    ])
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Counts one more filtered notification in the sender's request, making the
/// request when it is the first.
pub async fn record(
    conn: &impl ConnectionTrait,
    new_id: i64,
    account_id: i64,
    from_account_id: i64,
    status_id: Option<i64>,
) -> Result<(), DbErr> {
    use notification_requests::Column as C;
    let now = super::now();
    let mut on_conflict = OnConflict::columns([C::AccountId, C::FromAccountId]);
    on_conflict
        .value(
            C::NotificationsCount,
            Expr::col((notification_requests::Entity, C::NotificationsCount)).add(1),
        )
        .value(C::UpdatedAt, Expr::val(now));
    if let Some(s) = status_id {
        on_conflict.value(C::LastStatusId, Expr::val(s));
    }
    notification_requests::Entity::insert(notification_requests::ActiveModel {
        id: Set(new_id),
        account_id: Set(account_id),
        from_account_id: Set(from_account_id),
        last_status_id: Set(status_id),
        notifications_count: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(on_conflict.to_owned())
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// A page of a person's requests, newest first.
pub async fn page(
    conn: &impl ConnectionTrait,
    account_id: i64,
    page: &Page,
) -> Result<Vec<notification_requests::Model>, DbErr> {
    let q = notification_requests::Entity::find()
        .filter(notification_requests::Column::AccountId.eq(account_id));
    let rows = page.all(conn, q, notification_requests::Column::Id).await?;
    Ok(page.finish(rows))
}

pub async fn find(
    conn: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<Option<notification_requests::Model>, DbErr> {
    notification_requests::Entity::find_by_id(id)
        .filter(notification_requests::Column::AccountId.eq(account_id))
        .one(conn)
        .await
}

pub async fn find_many(
    conn: &impl ConnectionTrait,
    account_id: i64,
    ids: &[i64],
) -> Result<Vec<notification_requests::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    notification_requests::Entity::find()
        .filter(notification_requests::Column::AccountId.eq(account_id))
        .filter(notification_requests::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

pub async fn delete(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    notification_requests::Entity::delete_by_id(id)
        .exec(conn)
        .await?;
    Ok(())
}

/// `(requests, filtered notifications in them)`. (Summed here: PostgreSQL's
/// SUM of a bigint is a numeric.)
pub async fn summary(conn: &impl ConnectionTrait, account_id: i64) -> Result<(i64, i64), DbErr> {
    let counts: Vec<i64> = notification_requests::Entity::find()
        .select_only()
        .column(notification_requests::Column::NotificationsCount)
        .filter(notification_requests::Column::AccountId.eq(account_id))
        .into_tuple()
        .all(conn)
        .await?;
    Ok((counts.len() as i64, counts.iter().sum()))
}

/// Lets a sender's filtered notifications into the person's list.
pub async fn unfilter_from(
    conn: &impl ConnectionTrait,
    account_id: i64,
    from_account_id: i64,
) -> Result<(), DbErr> {
    notifications::Entity::update_many()
        .col_expr(notifications::Column::Filtered, Expr::val(false))
        .filter(notifications::Column::AccountId.eq(account_id))
        .filter(notifications::Column::FromAccountId.eq(from_account_id))
        .filter(notifications::Column::Filtered.eq(true))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes a sender's filtered notifications to the person.
pub async fn delete_filtered_from(
    conn: &impl ConnectionTrait,
    account_id: i64,
    from_account_id: i64,
) -> Result<(), DbErr> {
    notifications::Entity::delete_many()
        .filter(notifications::Column::AccountId.eq(account_id))
        .filter(notifications::Column::FromAccountId.eq(from_account_id))
        .filter(notifications::Column::Filtered.eq(true))
        .exec(conn)
        .await?;
    Ok(())
}
