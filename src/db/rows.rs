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

/// A row read left to right.
pub struct Columns<'r> {
    row: &'r QueryResult,
    at: usize,
}

impl<'r> Columns<'r> {
    pub fn new(row: &'r QueryResult) -> Columns<'r> {
        Columns { row, at: 0 }
    }

    fn next<T: TryGetable>(&mut self) -> Result<T, DbErr> {
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
            id: self.next()?,
            uri: self.next()?,
            url: self.next()?,
            local: self.next()?,
            account_id: self.next()?,
            in_reply_to_id: self.next()?,
            in_reply_to_account_id: self.next()?,
            thread_root_id: self.next()?,
            conversation_id: self.next()?,
            reblog_of_id: self.next()?,
            content: self.next()?,
            text: self.next()?,
            visibility: self.next()?,
            sensitive: self.next()?,
            spoiler_text: self.next()?,
            language: self.next()?,
            replies_count: self.next()?,
            reblogs_count: self.next()?,
            favourites_count: self.next()?,
            created_at: self.next()?,
            updated_at: self.next()?,
            edited_at: self.next()?,
            deleted_at: self.next()?,
        })
    }

    /// The next columns as an account.
    pub fn account(&mut self) -> Result<accounts::Model, DbErr> {
        Ok(accounts::Model {
            id: self.next()?,
            username: self.next()?,
            domain: self.next()?,
            display_name: self.next()?,
            note: self.next()?,
            note_source: self.next()?,
            avatar_url: self.next()?,
            header_url: self.next()?,
            locked: self.next()?,
            bot: self.next()?,
            discoverable: self.next()?,
            fields: self.next()?,
            uri: self.next()?,
            url: self.next()?,
            inbox_url: self.next()?,
            shared_inbox_url: self.next()?,
            outbox_url: self.next()?,
            followers_url: self.next()?,
            following_url: self.next()?,
            public_key_pem: self.next()?,
            private_key_pem: self.next()?,
            followers_count: self.next()?,
            following_count: self.next()?,
            statuses_count: self.next()?,
            last_status_at: self.next()?,
            created_at: self.next()?,
            updated_at: self.next()?,
            last_fetched_at: self.next()?,
            suspended_at: self.next()?,
        })
    }

    pub fn token(&mut self) -> Result<oauth_tokens::Model, DbErr> {
        Ok(oauth_tokens::Model {
            id: self.next()?,
            token_hash: self.next()?,
            application_id: self.next()?,
            account_id: self.next()?,
            scopes: self.next()?,
            created_at: self.next()?,
            last_used_at: self.next()?,
            revoked_at: self.next()?,
        })
    }

    pub fn app(&mut self) -> Result<oauth_applications::Model, DbErr> {
        Ok(oauth_applications::Model {
            id: self.next()?,
            name: self.next()?,
            website: self.next()?,
            redirect_uris: self.next()?,
            scopes: self.next()?,
            client_id: self.next()?,
            client_secret_hash: self.next()?,
            created_at: self.next()?,
        })
    }

    pub fn user(&mut self) -> Result<users::Model, DbErr> {
        Ok(users::Model {
            id: self.next()?,
            account_id: self.next()?,
            email: self.next()?,
            password_hash: self.next()?,
            role: self.next()?,
            approved: self.next()?,
            confirmed_at: self.next()?,
            locale: self.next()?,
            created_at: self.next()?,
            updated_at: self.next()?,
            last_sign_in_at: self.next()?,
        })
    }
}
