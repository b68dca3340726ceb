//! The durable outbound queue and the inbound idempotency record.
use std::collections::HashMap;
use std::sync::Arc;

use entity::{accounts, deliveries, delivery_bodies, follows, received_activities};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement, Value,
};

/// Queues `body` for each inbox; an (activity, inbox) pair is queued once.
/// The body is kept once for the activity (the first one queued stays).
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    mut new_id: impl FnMut() -> i64,
    activity_id: &str,
    body: &str,
    signer_account_id: i64,
    inboxes: &[String],
) -> Result<(), DbErr> {
    let now = super::now();
    let rows: Vec<deliveries::ActiveModel> = inboxes
        .iter()
        .filter_map(|inbox| {
            let host = url::Url::parse(inbox)
                .ok()
                .map(|u| crate::apub::fetch::authority(&u))?;
            Some(deliveries::ActiveModel {
                id: Set(new_id()),
                activity_id: Set(activity_id.to_string()),
                inbox_url: Set(inbox.clone()),
                host: Set(host),
                signer_account_id: Set(signer_account_id),
                attempts: Set(0),
                next_attempt_at: Set(now),
                locked_until: Set(None),
                last_error: Set(None),
                failed_at: Set(None),
                created_at: Set(now),
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    delivery_bodies::Entity::insert(delivery_bodies::ActiveModel {
        activity_id: Set(activity_id.to_string()),
        body: Set(body.to_string()),
    })
    .on_conflict_do_nothing_on([delivery_bodies::Column::ActivityId])
    .exec_without_returning(conn)
    .await?;
    for chunk in rows.chunks(200) {
        deliveries::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([
                deliveries::Column::ActivityId,
                deliveries::Column::InboxUrl,
            ])
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Deliveries claimed, in id order, with the bodies of their activities.
#[derive(Default)]
pub struct Claimed {
    pub deliveries: Vec<deliveries::Model>,
    /// Activity id -> body.
    pub bodies: HashMap<String, Arc<str>>,
}

/// Takes up to `limit` due deliveries and locks them for `lock` so no other
/// worker (in this or another process) sends them meanwhile.
pub async fn claim_due(
    conn: &impl ConnectionTrait,
    limit: u64,
    lock: chrono::Duration,
) -> Result<Claimed, DbErr> {
    let deliveries = claim_rows(conn, limit, lock).await?;
    let mut activity_ids: Vec<&str> = deliveries.iter().map(|d| d.activity_id.as_str()).collect();
    activity_ids.sort_unstable();
    activity_ids.dedup();
    let mut bodies = HashMap::with_capacity(activity_ids.len());
    for chunk in activity_ids.chunks(500) {
        let found: Vec<(String, String)> = delivery_bodies::Entity::find()
            .select_only()
            .column(delivery_bodies::Column::ActivityId)
            .column(delivery_bodies::Column::Body)
            .filter(delivery_bodies::Column::ActivityId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        bodies.extend(found.into_iter().map(|(id, body)| (id, Arc::from(body))));
    }
    Ok(Claimed { deliveries, bodies })
}

async fn claim_rows(
    conn: &impl ConnectionTrait,
    limit: u64,
    lock: chrono::Duration,
) -> Result<Vec<deliveries::Model>, DbErr> {
    let now = super::now();
    let free = Condition::any()
        .add(deliveries::Column::LockedUntil.is_null())
        .add(deliveries::Column::LockedUntil.lt(now));
    let ids: Vec<i64> = deliveries::Entity::find()
        .select_only()
        .column(deliveries::Column::Id)
        .filter(deliveries::Column::FailedAt.is_null())
        .filter(deliveries::Column::NextAttemptAt.lte(now))
        .filter(free.clone())
        .order_by_asc(deliveries::Column::NextAttemptAt)
        .order_by_asc(deliveries::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // A lock time no other claim uses, so we can tell our rows from a rival's.
    let token = now + lock + chrono::Duration::microseconds(i64::from(rand::random::<u16>()));
    deliveries::Entity::update_many()
        .col_expr(deliveries::Column::LockedUntil, Expr::val(token))
        .filter(deliveries::Column::Id.is_in(ids.iter().copied()))
        .filter(free)
        .exec(conn)
        .await?;
    deliveries::Entity::find()
        .filter(deliveries::Column::Id.is_in(ids))
        .filter(deliveries::Column::LockedUntil.eq(token))
        .order_by_asc(deliveries::Column::Id)
        .all(conn)
        .await
}

/// Deletes many deliveries (made) in as few statements as the variable limit
/// allows, and then the bodies of their activities that no delivery needs.
pub async fn delete_many(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    for chunk in ids.chunks(500) {
        let sql = super::placeholders(
            backend,
            &format!(
                "DELETE FROM deliveries WHERE id IN ({}) RETURNING activity_id",
                vec!["?"; chunk.len()].join(", ")
            ),
        );
        let rows = conn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                chunk.iter().map(|id| Value::from(*id)),
            ))
            .await?;
        let mut activity_ids = rows
            .iter()
            .map(|r| r.try_get_by_index::<String>(0))
            .collect::<Result<Vec<_>, _>>()?;
        activity_ids.sort_unstable();
        activity_ids.dedup();
        if activity_ids.is_empty() {
            continue;
        }
        let sql = super::placeholders(
            backend,
            &format!(
                "DELETE FROM delivery_bodies WHERE activity_id IN ({}) {UNUSED}",
                vec!["?"; activity_ids.len()].join(", ")
            ),
        );
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            activity_ids.into_iter().map(Value::from),
        ))
        .await?;
    }
    Ok(())
}

/// A body no delivery needs (given-up deliveries keep theirs).
const UNUSED: &str = "AND NOT EXISTS (SELECT 1 FROM deliveries d \
                      WHERE d.activity_id = delivery_bodies.activity_id)";

/// Deletes every body no delivery needs: those whose deliveries went
/// otherwise than by [`delete_many`] (their signer's account deleted).
pub async fn delete_unused_bodies(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let backend = conn.get_database_backend();
    let r = conn
        .execute_raw(Statement::from_string(
            backend,
            format!("DELETE FROM delivery_bodies WHERE TRUE {UNUSED}"),
        ))
        .await?;
    Ok(r.rows_affected())
}

/// Records a failed attempt and when to try again.
pub async fn retry_later(
    conn: &impl ConnectionTrait,
    id: i64,
    attempts: i32,
    next_attempt_at: chrono::DateTime<chrono::Utc>,
    error: &str,
) -> Result<(), DbErr> {
    deliveries::Entity::update_many()
        .col_expr(deliveries::Column::Attempts, Expr::val(attempts))
        .col_expr(
            deliveries::Column::NextAttemptAt,
            Expr::val(next_attempt_at),
        )
        .col_expr(
            deliveries::Column::LockedUntil,
            Expr::val(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .col_expr(deliveries::Column::LastError, Expr::val(error))
        .filter(deliveries::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Puts off a delivery without counting an attempt (its host is known to be down).
pub async fn postpone(
    conn: &impl ConnectionTrait,
    id: i64,
    until: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    deliveries::Entity::update_many()
        .col_expr(deliveries::Column::NextAttemptAt, Expr::val(until))
        .col_expr(
            deliveries::Column::LockedUntil,
            Expr::val(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(deliveries::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Puts off every waiting, unclaimed delivery to `host` until `until` (the host
/// did not answer), in one statement on the `(host, id)` index.
pub async fn postpone_host(
    conn: &impl ConnectionTrait,
    host: &str,
    until: chrono::DateTime<chrono::Utc>,
) -> Result<u64, DbErr> {
    let now = super::now();
    let free = Condition::any()
        .add(deliveries::Column::LockedUntil.is_null())
        .add(deliveries::Column::LockedUntil.lt(now));
    let r = deliveries::Entity::update_many()
        .col_expr(deliveries::Column::NextAttemptAt, Expr::val(until))
        .filter(deliveries::Column::Host.eq(host))
        .filter(deliveries::Column::FailedAt.is_null())
        .filter(deliveries::Column::NextAttemptAt.lt(until))
        .filter(free)
        .exec(conn)
        .await?;
    Ok(r.rows_affected)
}

/// Gives up on a delivery, keeping the row and the reason.
pub async fn give_up(
    conn: &impl ConnectionTrait,
    id: i64,
    attempts: i32,
    error: &str,
) -> Result<(), DbErr> {
    deliveries::Entity::update_many()
        .col_expr(deliveries::Column::Attempts, Expr::val(attempts))
        .col_expr(deliveries::Column::FailedAt, Expr::val(super::now()))
        .col_expr(deliveries::Column::LastError, Expr::val(error))
        .col_expr(
            deliveries::Column::LockedUntil,
            Expr::val(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(deliveries::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deliveries still to make (not given up).
pub async fn count_pending(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    deliveries::Entity::find()
        .filter(deliveries::Column::FailedAt.is_null())
        .count(conn)
        .await
}

/// The inboxes of an account's remote followers, shared inboxes preferred, each once.
pub async fn remote_follower_inboxes(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<String>, DbErr> {
    let rows: Vec<(String, Option<String>)> = accounts::Entity::find()
        .select_only()
        .column(accounts::Column::InboxUrl)
        .column(accounts::Column::SharedInboxUrl)
        .filter(accounts::Column::Domain.is_not_null())
        .filter(
            accounts::Column::Id.in_subquery(
                Query::select()
                    .column(follows::Column::AccountId)
                    .from(follows::Entity)
                    .and_where(Expr::col(follows::Column::TargetAccountId).eq(account_id))
                    .take(),
            ),
        )
        .into_tuple()
        .all(conn)
        .await?;
    let mut out: Vec<String> = rows
        .into_iter()
        .map(|(inbox, shared)| shared.unwrap_or(inbox))
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Records an inbound activity id; `false` when it was already there.
pub async fn record_received(conn: &impl ConnectionTrait, uri: &str) -> Result<bool, DbErr> {
    let r = received_activities::Entity::insert(received_activities::ActiveModel {
        uri: Set(uri.to_string()),
        received_at: Set(super::now()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(conn)
    .await?;
    Ok(matches!(r, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

/// Records several received activities at once; returns the ids recorded
/// here (not recorded before, by this or another process). A second delivery
/// of an activity waits for the first to commit and then records nothing.
pub async fn record_received_many(
    conn: &impl ConnectionTrait,
    uris: &[&str],
) -> Result<Vec<String>, DbErr> {
    let now = super::now();
    let rows = uris.iter().map(|uri| received_activities::ActiveModel {
        uri: Set((*uri).to_string()),
        received_at: Set(now),
    });
    match received_activities::Entity::insert_many(rows)
        .on_conflict_do_nothing()
        .exec_with_returning_keys(conn)
        .await?
    {
        sea_orm::TryInsertResult::Inserted(uris) => Ok(uris),
        sea_orm::TryInsertResult::Conflicted | sea_orm::TryInsertResult::Empty => Ok(Vec::new()),
    }
}

pub async fn was_received(conn: &impl ConnectionTrait, uri: &str) -> Result<bool, DbErr> {
    // `all`: the id is the key, and a bound LIMIT is prepared again on every run.
    Ok(!received_activities::Entity::find_by_id(uri.to_string())
        .all(conn)
        .await?
        .is_empty())
}

/// Whether the activity `activity_id` was received, and whether a status
/// `status_uri` is stored: both checks of an inbox `Create` in one read.
pub async fn received_or_stored(
    conn: &impl ConnectionTrait,
    activity_id: &str,
    status_uri: &str,
) -> Result<(bool, bool), DbErr> {
    let backend = conn.get_database_backend();
    let sql = super::placeholders(
        backend,
        "SELECT EXISTS (SELECT 1 FROM received_activities WHERE uri = ?), \
         EXISTS (SELECT 1 FROM statuses WHERE uri = ?)",
    );
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(activity_id), Value::from(status_uri)],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("EXISTS gave no row".into()))?;
    Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?))
}

/// The account `actor_uri` (`None` if unknown) with both checks of
/// [`received_or_stored`]: what an inbox `Create` with its Note inline reads
/// before it is written, in one statement (the signer's account was a
/// statement of its own, one more round trip for every delivery).
pub async fn signer_and_create_checks(
    conn: &impl ConnectionTrait,
    actor_uri: &str,
    activity_id: &str,
    status_uri: &str,
) -> Result<(Option<accounts::Model>, bool, bool), DbErr> {
    let backend = conn.get_database_backend();
    let sql = super::placeholders(
        backend,
        &format!(
            "SELECT EXISTS (SELECT 1 FROM received_activities WHERE uri = ?), \
             EXISTS (SELECT 1 FROM statuses WHERE uri = ?), {} \
             FROM (SELECT 1 AS one) AS x LEFT JOIN accounts AS a ON a.uri = ?",
            super::rows::column_list::<accounts::Entity>("a")
        ),
    );
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                Value::from(activity_id),
                Value::from(status_uri),
                Value::from(actor_uri),
            ],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the checks gave no row".into()))?;
    let mut cols = super::rows::Columns::new(&row);
    let received = cols.value()?;
    let stored = cols.value()?;
    let signer = cols.optional::<accounts::Entity, _>(|c| c.account())?;
    Ok((signer, received, stored))
}

/// Frees every claimed row (single-process start-up after a crash).
pub async fn release_all_locks(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    deliveries::Entity::update_many()
        .col_expr(
            deliveries::Column::LockedUntil,
            Expr::val(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(deliveries::Column::LockedUntil.is_not_null())
        .exec(conn)
        .await?;
    Ok(())
}
