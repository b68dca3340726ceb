//! PostgreSQL's search entries are now made by Kith (`db::search::lexemes`):
//! a status's distinct words, cut as a query's words are (letters, digits and
//! `_`), lower-cased, without positions; queries are read as they are rather
//! than through `to_tsquery`. Entries made by `to_tsvector`'s parser cut
//! words otherwise (`example.com` one word, `guide_2` two), so they are made
//! again here the new way. This SQL follows `lexemes`, except that markup is
//! stripped without decoding character references. Nothing changes on SQLite.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000016_search_words"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared(
                "UPDATE status_search f SET document = COALESCE((\
                   SELECT string_agg(DISTINCT '''' || w || '''', ' ') \
                   FROM regexp_split_to_table(lower(s.spoiler_text || ' ' || \
                     regexp_replace(s.content, '<[^>]*>', ' ', 'g')), '[^[:alnum:]_]+') AS w \
                   WHERE w <> '' AND octet_length(w) <= 2047), '')::tsvector \
                 FROM statuses s WHERE s.id = f.status_id",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared(
                "UPDATE status_search f SET document = to_tsvector('simple', \
                   regexp_replace(s.content, '<[^>]*>', ' ', 'g') || ' ' || s.spoiler_text) \
                 FROM statuses s WHERE s.id = f.status_id",
            )
            .await?;
        Ok(())
    }
}
