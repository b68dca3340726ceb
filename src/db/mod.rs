//! Every query lives under this module. Functions take `&impl ConnectionTrait`, so
//! the same query runs on the pool or inside a service's transaction.
//!
//! SQLite gets two pools on one file: a single-connection writer (SQLite allows one
//! writer at a time; queueing in the pool is cheaper than busy-waiting on the lock,
//! and a deferred transaction can never fail to upgrade) and a read-only pool for
//! everything else, which WAL lets run beside the writer. PostgreSQL gets one pool
//! used for both.
use std::str::FromStr;
use std::time::Duration;

use migration::MigratorTrait;
use sea_orm::{
    DatabaseBackend, DatabaseConnection, DbErr, SqlxPostgresConnector, SqlxSqliteConnector,
};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::config::Config;

pub mod accounts;
pub mod conversation_mutes;
pub mod conversations;
pub mod deliveries;
pub mod discovery;
pub mod domain_blocks;
pub mod featured;
pub mod feeds;
pub mod filters;
pub mod instance;
pub mod interactions;
pub mod lists;
pub mod markers;
pub mod media;
pub mod notification_requests;
pub mod notifications;
pub mod oauth;
pub mod pins;
pub mod push;
pub mod relationships;
pub mod reports;
pub mod rows;
pub mod scheduled;
pub mod search;
pub mod statuses;
pub mod tags;
pub mod users;
pub mod web;

#[derive(Clone, Debug)]
pub struct Db {
    /// Writes and transactions.
    pub write: DatabaseConnection,
    /// Reads outside a transaction.
    pub read: DatabaseConnection,
}

impl Db {
    pub async fn connect(config: &Config) -> Result<Db, crate::Error> {
        let url = config.database_url.as_str();
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url).await
        } else {
            Self::connect_postgres(url, config.database_max_connections).await
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Db, crate::Error> {
        let bad = |e: sqlx::Error| {
            crate::Error::Database(format!("cannot open SQLite database {url}: {e}"))
        };
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Err(crate::Error::Database(
                "an in-memory SQLite database cannot be shared by the reader and writer pools; use a file".into(),
            ));
        }
        let base = SqliteConnectOptions::from_str(url).map_err(bad)?;
        if let Some(dir) = base.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                crate::Error::Database(format!("cannot create directory {}: {e}", dir.display()))
            })?;
        }
        let base = base
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-16000");
        // No ping before each use: a connection to a local file cannot hang up, and
        // the ping is a round trip to the connection's worker thread per statement.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.clone().create_if_missing(true))
            .await
            .map_err(bad)?;
        let readers = std::thread::available_parallelism()
            .map(|n| n.get() as u32)
            .unwrap_or(2)
            .clamp(2, 8)
            * 2;
        let reader = SqlitePoolOptions::new()
            .max_connections(readers)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.read_only(true))
            .await
            .map_err(bad)?;
        Ok(Db {
            write: SqlxSqliteConnector::from_sqlx_sqlite_pool(writer),
            read: SqlxSqliteConnector::from_sqlx_sqlite_pool(reader),
        })
    }

    async fn connect_postgres(url: &str, max: u32) -> Result<Db, crate::Error> {
        // A ping before every statement doubles its round trips; ping only a
        // connection that sat idle long enough for the server to have dropped it.
        let pool = PgPoolOptions::new()
            .max_connections(max)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > Duration::from_secs(30) {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await
            .map_err(|e| crate::Error::Database(format!("cannot connect to PostgreSQL: {e}")))?;
        let conn = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
        Ok(Db {
            write: conn.clone(),
            read: conn,
        })
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.write.get_database_backend()
    }

    pub async fn migrate(&self) -> Result<(), crate::Error> {
        migration::Migrator::up(&self.write, None)
            .await
            .map_err(|e| crate::Error::Database(format!("migration failed: {e}")))
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.read.ping().await
    }

    pub async fn close(self) {
        let _ = self.read.close().await;
        let _ = self.write.close().await;
    }
}

/// True for an error that the same statements may not meet again: PostgreSQL's
/// deadlock (40P01) and serialization failure (40001), which happen when
/// several processes write the same rows in different orders.
pub fn is_retryable(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|c| c == "40P01" || c == "40001"),
        _ => false,
    }
}

/// `now()` for rows, truncated to microseconds so values round-trip identically
/// through SQLite text and PostgreSQL `timestamptz`.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    let n = chrono::Utc::now();
    n.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(n)
}

/// Mastodon-style pagination over time-ordered ids. Results are always newest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// Older than this id.
    pub max_id: Option<i64>,
    /// Newer than this id, newest first (may leave a gap).
    pub since_id: Option<i64>,
    /// Immediately newer than this id (no gap): scanned oldest first, then reversed.
    pub min_id: Option<i64>,
    pub limit: u64,
}

impl Page {
    pub const DEFAULT_LIMIT: u64 = 20;
    pub const MAX_LIMIT: u64 = 40;

    pub fn new(limit: u64) -> Page {
        Page {
            limit: limit.clamp(1, Self::MAX_LIMIT),
            ..Page::default()
        }
    }

    pub fn limit(&self) -> u64 {
        if self.limit == 0 {
            Self::DEFAULT_LIMIT
        } else {
            self.limit.min(Self::MAX_LIMIT)
        }
    }

    /// The rows of this page of `select`, whose page key is `col`, in the order
    /// of the scan ([`Page::finish`] puts them newest first). The limit is
    /// written into the SQL: see [`all_with_literal_limit`].
    pub async fn all<E, C>(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        select: sea_orm::Select<E>,
        col: C,
    ) -> Result<Vec<E::Model>, DbErr>
    where
        E: sea_orm::EntityTrait,
        C: sea_orm::ColumnTrait,
    {
        all_with_literal_limit(conn, self.bounds_and_order(select, col), self.limit()).await
    }

    /// [`Page::all`] for a `select_only` query of the columns of the tuple `T`.
    pub async fn all_tuples<E, C, T>(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        select: sea_orm::Select<E>,
        col: C,
    ) -> Result<Vec<T>, DbErr>
    where
        E: sea_orm::EntityTrait,
        C: sea_orm::ColumnTrait,
        T: sea_orm::TryGetableMany,
    {
        let stmt = with_literal_limit(conn, self.bounds_and_order(select, col), self.limit());
        conn.query_all_raw(stmt)
            .await?
            .iter()
            .map(|row| row.try_get_many_by_index::<T>())
            .collect()
    }

    /// The id bounds and the order of this page, without its limit.
    pub fn bounds_and_order<E, C>(&self, select: sea_orm::Select<E>, col: C) -> sea_orm::Select<E>
    where
        E: sea_orm::EntityTrait,
        C: sea_orm::ColumnTrait,
    {
        use sea_orm::{QueryFilter, QueryOrder};
        let mut s = select;
        if let Some(id) = self.max_id {
            s = s.filter(col.lt(id));
        }
        if let Some(id) = self.since_id {
            s = s.filter(col.gt(id));
        }
        if let Some(id) = self.min_id {
            s = s.filter(col.gt(id)).order_by_asc(col);
        } else {
            s = s.order_by_desc(col);
        }
        s
    }

    /// Puts rows fetched by [`Page::all`] newest first.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> Vec<T> {
        if self.min_id.is_some() {
            rows.reverse();
        }
        rows
    }
}

/// Runs `select` with `LIMIT limit` written into the SQL rather than bound.
/// SQLite (3.51) reads a bound LIMIT while planning, which marks the statement
/// to be prepared again each time it is bound, so the statement cache never
/// helps; with a literal, the cached statement is reused. (`limit` is a number,
/// never text from a request.)
pub(crate) async fn all_with_literal_limit<E>(
    conn: &impl sea_orm::ConnectionTrait,
    select: sea_orm::Select<E>,
    limit: u64,
) -> Result<Vec<E::Model>, DbErr>
where
    E: sea_orm::EntityTrait,
{
    let stmt = with_literal_limit(conn, select, limit);
    E::find().from_raw_sql(stmt).all(conn).await
}

fn with_literal_limit<E: sea_orm::EntityTrait>(
    conn: &impl sea_orm::ConnectionTrait,
    select: sea_orm::Select<E>,
    limit: u64,
) -> sea_orm::Statement {
    use sea_orm::QueryTrait;
    let mut stmt = select.build(conn.get_database_backend());
    stmt.sql.push_str(&format!(" LIMIT {limit}"));
    stmt
}

/// Rewrites the `?` placeholders of hand-written SQL as `$1, $2, ...` for
/// PostgreSQL (the SQL itself never contains a literal `?`).
pub(crate) fn placeholders(backend: DatabaseBackend, sql: &str) -> String {
    if backend != DatabaseBackend::Postgres {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}
