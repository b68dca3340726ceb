//! Models read by column position, for the statements run on every request
//! (the token with its owner) or every page (the home feed and its authors).
//! sea-orm's derived decoding finds each column by its name: a hash lookup per
//! value, after a `format!` of the name when the columns are prefixed, as they
//! are where several tables are read in one row (BENCHMARKS.md, "SQLite's
//! mutexes, and rows read by position").
//!
//! The columns must be selected in the entity's order, which is the order of
//! its fields and of `Entity::find()`; a field added to a model without its
//! column here does not compile, and `tests/it/timelines.rs` and
//! `tests/it/api.rs` check every field against sea-orm's own decoding.
use entity::{accounts, oauth_applications, oauth_tokens, statuses, users};
use sea_orm::{DbErr, EntityTrait, Iterable, QueryResult, TryGetable};

/// Every column of `E` in its entity's order, each as `alias."name"`, comma
/// separated: the select list of hand-written SQL read back by [`Columns`].
pub fn column_list<E: EntityTrait>(alias: &str) -> String {
    use sea_orm::IdenStatic;
    let mut out = String::new();
    for c in E::Column::iter() {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&format!("{alias}.\"{}\"", c.as_str()));
    }
    out
}

/// A row read left to right.
pub struct Columns<'r> {
    row: &'r QueryResult,
    at: usize,
}

impl<'r> Columns<'r> {
    pub fn new(row: &'r QueryResult) -> Columns<'r> {
        Columns { row, at: 0 }
    }

    /// The next column.
    pub fn value<T: TryGetable>(&mut self) -> Result<T, DbErr> {
        let v = self.row.try_get_by_index(self.at);
        self.at += 1;
        v
    }

    /// The next columns as an `E`, read by `read`, or `None` (and the columns
    /// skipped) where an outer join found no row: the first column, the
    /// id, is NULL.
    pub fn optional<E: EntityTrait, T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, DbErr>,
    ) -> Result<Option<T>, DbErr> {
        if self.row.try_get_by_index::<Option<i64>>(self.at)?.is_none() {
            self.at += E::Column::iter().count();
            return Ok(None);
        }
        read(self).map(Some)
    }

    /// The next columns as a status (a struct's fields are evaluated in the order written).
    pub fn status(&mut self) -> Result<statuses::Model, DbErr> {
        Ok(statuses::Model {
            id: self.value()?,
            uri: self.value()?,
            url: self.value()?,
            local: self.value()?,
            account_id: self.value()?,
            in_reply_to_id: self.value()?,
            in_reply_to_account_id: self.value()?,
            thread_root_id: self.value()?,
            conversation_id: self.value()?,
            reblog_of_id: self.value()?,
            content: self.value()?,
            text: self.value()?,
            visibility: self.value()?,
            sensitive: self.value()?,
            spoiler_text: self.value()?,
            language: self.value()?,
            replies_count: self.value()?,
            reblogs_count: self.value()?,
            favourites_count: self.value()?,
            created_at: self.value()?,
            updated_at: self.value()?,
            edited_at: self.value()?,
            deleted_at: self.value()?,
        })
    }

    /// The next columns as an account.
    pub fn account(&mut self) -> Result<accounts::Model, DbErr> {
        Ok(accounts::Model {
            id: self.value()?,
            username: self.value()?,
            domain: self.value()?,
            display_name: self.value()?,
            note: self.value()?,
            note_source: self.value()?,
            avatar_url: self.value()?,
            header_url: self.value()?,
            locked: self.value()?,
            bot: self.value()?,
            discoverable: self.value()?,
            fields: self.value()?,
            uri: self.value()?,
            url: self.value()?,
            inbox_url: self.value()?,
            shared_inbox_url: self.value()?,
            outbox_url: self.value()?,
            followers_url: self.value()?,
            following_url: self.value()?,
            public_key_pem: self.value()?,
            private_key_pem: self.value()?,
            followers_count: self.value()?,
            following_count: self.value()?,
            statuses_count: self.value()?,
            last_status_at: self.value()?,
            created_at: self.value()?,
            updated_at: self.value()?,
            last_fetched_at: self.value()?,
            suspended_at: self.value()?,
        })
    }

    pub fn token(&mut self) -> Result<oauth_tokens::Model, DbErr> {
        Ok(oauth_tokens::Model {
            id: self.value()?,
            token_hash: self.value()?,
            application_id: self.value()?,
            account_id: self.value()?,
            scopes: self.value()?,
            created_at: self.value()?,
            last_used_at: self.value()?,
            revoked_at: self.value()?,
        })
    }

    pub fn app(&mut self) -> Result<oauth_applications::Model, DbErr> {
        Ok(oauth_applications::Model {
            id: self.value()?,
            name: self.value()?,
            website: self.value()?,
            redirect_uris: self.value()?,
            scopes: self.value()?,
            client_id: self.value()?,
            client_secret_hash: self.value()?,
            created_at: self.value()?,
        })
    }

    pub fn user(&mut self) -> Result<users::Model, DbErr> {
        Ok(users::Model {
            id: self.value()?,
            account_id: self.value()?,
            email: self.value()?,
            password_hash: self.value()?,
            role: self.value()?,
            approved: self.value()?,
            confirmed_at: self.value()?,
            locale: self.value()?,
            created_at: self.value()?,
            updated_at: self.value()?,
            last_sign_in_at: self.value()?,
        })
    }
}
