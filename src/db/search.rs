//! Full-text search of statuses: an FTS5 table on SQLite, a `tsvector` column
//! with a GIN index on PostgreSQL (migration m20261129_000006_api). The index
//! holds what a status says (its content warning and its text without markup)
//! and is written in the transaction that writes the status. On PostgreSQL
//! Kith cuts the words itself, for documents and queries alike ([`lexemes`],
//! [`ts_query`]).
use entity::statuses;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

/// Indexes (or re-indexes) a status as `doc`; reblogs and deleted statuses are not indexed.
pub async fn index(
    conn: &impl ConnectionTrait,
    s: &statuses::Model,
    doc: String,
) -> Result<(), DbErr> {
    if s.reblog_of_id.is_some() || s.deleted_at.is_some() {
        return remove(conn, s.id).await;
    }
    let backend = conn.get_database_backend();
    match backend {
        DatabaseBackend::Sqlite => {
            remove(conn, s.id).await?;
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO status_search (rowid, body) VALUES (?, ?)",
                [Value::from(s.id), Value::from(doc)],
            ))
            .await?;
        }
        _ => {
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO status_search (status_id, document) VALUES ($1, $2::tsvector) \
                 ON CONFLICT (status_id) DO UPDATE SET document = EXCLUDED.document",
                [Value::from(s.id), Value::from(lexemes(&doc))],
            ))
            .await?;
        }
    }
    Ok(())
}

/// Indexes a status just inserted in this transaction (nothing to replace).
pub async fn index_new(
    conn: &impl ConnectionTrait,
    s: &statuses::Model,
    doc: String,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    if backend != DatabaseBackend::Sqlite || s.reblog_of_id.is_some() || s.deleted_at.is_some() {
        return index(conn, s, doc).await;
    }
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO status_search (rowid, body) VALUES (?, ?)",
        [Value::from(s.id), Value::from(doc)],
    ))
    .await?;
    Ok(())
}

/// [`index_new`] for several new statuses (originals, not deleted) in one
/// statement: `(status id, document)`.
pub async fn index_new_many(
    conn: &impl ConnectionTrait,
    docs: Vec<(i64, String)>,
) -> Result<(), DbErr> {
    if docs.is_empty() {
        return Ok(());
    }
    let backend = conn.get_database_backend();
    let (head, row, tail) = match backend {
        DatabaseBackend::Sqlite => (
            "INSERT INTO status_search (rowid, body) VALUES ",
            "(?, ?)",
            "",
        ),
        _ => (
            "INSERT INTO status_search (status_id, document) VALUES ",
            "(?, ?::tsvector)",
            " ON CONFLICT (status_id) DO UPDATE SET document = EXCLUDED.document",
        ),
    };
    let rows = vec![row; docs.len()].join(", ");
    let sql = super::placeholders(backend, &format!("{head}{rows}{tail}"));
    let postgres = backend == DatabaseBackend::Postgres;
    let values = docs.into_iter().flat_map(|(id, doc)| {
        let doc = if postgres { lexemes(&doc) } else { doc };
        [Value::from(id), Value::from(doc)]
    });
    conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

pub async fn remove(conn: &impl ConnectionTrait, status_id: i64) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Sqlite => "DELETE FROM status_search WHERE rowid = ?",
        _ => "DELETE FROM status_search WHERE status_id = $1",
    };
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [Value::from(status_id)],
    ))
    .await?;
    Ok(())
}

/// The words of a text: runs of letters, digits and `_`.
fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
}

/// The words of a query (nothing the user typed is read as query syntax),
/// lower-cased, at most 16.
fn words(q: &str) -> Vec<String> {
    split_words(q).take(16).map(|w| w.to_lowercase()).collect()
}

/// PostgreSQL's longest lexeme, in bytes (longer words are left out, as
/// `to_tsvector` leaves them out).
const MAX_LEXEME_BYTES: usize = 2047;
/// Less than the 1 MiB of lexemes a `tsvector` may hold: the words of a
/// longer document past this are left out rather than failing its status.
const MAX_DOCUMENT_LEXEME_BYTES: usize = 1_000_000;

/// A document's `tsvector`, as its text form: its distinct words, cut and
/// lower-cased as [`words`] cuts a query, without positions (search matches
/// words and word starts, never phrases). Made here rather than by
/// `to_tsvector('simple', ...)`, whose parser cost PostgreSQL about 85 µs per
/// 2 KiB post (this text form costs it about 14 µs), and which cut words
/// unlike SQLite's FTS5 (`example.com` stayed one word, `guide_2` was two).
/// Migration m20261205_000016_search_words made the older entries this way.
/// A word is letters, digits and `_`, so it needs no quoting inside `'...'`.
fn lexemes(doc: &str) -> String {
    let mut seen = std::collections::BTreeSet::new();
    let mut bytes = 0;
    for w in split_words(doc) {
        if w.len() > MAX_LEXEME_BYTES {
            continue;
        }
        let w = w.to_lowercase();
        if w.len() > MAX_LEXEME_BYTES || seen.contains(&w) {
            continue;
        }
        bytes += w.len();
        if bytes > MAX_DOCUMENT_LEXEME_BYTES {
            break;
        }
        seen.insert(w);
    }
    let mut out = String::with_capacity(bytes + 3 * seen.len());
    for w in seen {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        out.push_str(&w);
        out.push('\'');
    }
    out
}

/// An FTS5 expression: every word must appear, as a word or a word's start.
fn fts5_query(q: &str) -> Option<String> {
    let w = words(q);
    (!w.is_empty()).then(|| {
        w.iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// A PostgreSQL `tsquery` in its text form, `'w1':* & 'w2':*`, read as it is
/// (`::tsquery`) rather than through `to_tsquery`'s parser: the words were cut
/// by [`words`], as the documents' by [`lexemes`].
fn ts_query(q: &str) -> Option<String> {
    let w = words(q);
    (!w.is_empty()).then(|| {
        w.iter()
            .map(|w| format!("'{w}':*"))
            .collect::<Vec<_>>()
            .join(" & ")
    })
}

/// Ids of live original statuses matching `q` that `viewer_id` may see, newest
/// first: public and unlisted ones, the viewer's own, those in the viewer's home
/// feed (followers-only posts of people they follow) and those mentioning them;
/// never by a suspended author or an account blocking or blocked by the viewer.
pub async fn statuses(
    conn: &impl ConnectionTrait,
    viewer_id: i64,
    q: &str,
    limit: u64,
    offset: u64,
) -> Result<Vec<i64>, DbErr> {
    let backend = conn.get_database_backend();
    let (sql, query) = match backend {
        DatabaseBackend::Sqlite => {
            let Some(fq) = fts5_query(q) else {
                return Ok(Vec::new());
            };
            (
                "SELECT s.id FROM status_search f JOIN statuses s ON s.id = f.rowid \
                 WHERE status_search MATCH ?1 AND s.deleted_at IS NULL AND s.reblog_of_id IS NULL \
                 AND (s.visibility IN ('public', 'unlisted') OR s.account_id = ?2 \
                   OR s.id IN (SELECT status_id FROM home_feed WHERE account_id = ?2) \
                   OR s.id IN (SELECT status_id FROM mentions WHERE account_id = ?2)) \
                 AND s.account_id NOT IN (SELECT id FROM accounts WHERE suspended_at IS NOT NULL) \
                 AND s.account_id NOT IN (SELECT target_account_id FROM blocks WHERE account_id = ?2) \
                 AND s.account_id NOT IN (SELECT account_id FROM blocks WHERE target_account_id = ?2) \
                 ORDER BY s.id DESC LIMIT ?3 OFFSET ?4",
                fq,
            )
        }
        _ => {
            let Some(tq) = ts_query(q) else {
                return Ok(Vec::new());
            };
            (
                "SELECT s.id FROM status_search f JOIN statuses s ON s.id = f.status_id \
                 WHERE f.document @@ $1::tsquery AND s.deleted_at IS NULL AND s.reblog_of_id IS NULL \
                 AND (s.visibility IN ('public', 'unlisted') OR s.account_id = $2 \
                   OR s.id IN (SELECT status_id FROM home_feed WHERE account_id = $2) \
                   OR s.id IN (SELECT status_id FROM mentions WHERE account_id = $2)) \
                 AND s.account_id NOT IN (SELECT id FROM accounts WHERE suspended_at IS NOT NULL) \
                 AND s.account_id NOT IN (SELECT target_account_id FROM blocks WHERE account_id = $2) \
                 AND s.account_id NOT IN (SELECT account_id FROM blocks WHERE target_account_id = $2) \
                 ORDER BY s.id DESC LIMIT $3 OFFSET $4",
                tq,
            )
        }
    };
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                Value::from(query),
                Value::from(viewer_id),
                Value::from(limit as i64),
                Value::from(offset as i64),
            ],
        ))
        .await?;
    rows.iter().map(|r| r.try_get_by_index::<i64>(0)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn fts5_queries_are_quoted_words() {
        assert_eq!(
            super::fts5_query("Hello \"world\" OR x*"),
            Some("\"hello\"* \"world\"* \"or\"* \"x\"*".into())
        );
        assert_eq!(super::fts5_query(" ^*() "), None);
        assert_eq!(
            super::ts_query("it's rust!"),
            Some("'it':* & 's':* & 'rust':*".into())
        );
    }

    #[test]
    fn a_documents_lexemes_are_its_distinct_words_as_a_query_cuts_them() {
        assert_eq!(
            super::lexemes("Hello, hello WORLD! e-mail: Ünïcode at example.com/docs_2"),
            "'at' 'docs_2' 'e' 'example' 'com' 'hello' 'mail' 'world' 'ünïcode'"
                .split(' ')
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert_eq!(super::lexemes(" <> "), "");
        let long = "x".repeat(super::MAX_LEXEME_BYTES + 1);
        assert_eq!(super::lexemes(&format!("a {long} b")), "'a' 'b'");
        let huge: String = (0..200_000).map(|n| format!("w{n:07} ")).collect();
        let lexemes = super::lexemes(&huge);
        assert!(lexemes.starts_with("'w0000000' 'w0000001' "));
        let kept = lexemes.split(' ').count();
        assert!(
            kept < 200_000 && kept * 8 <= super::MAX_DOCUMENT_LEXEME_BYTES,
            "{kept}"
        );
    }
}
