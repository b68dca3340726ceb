//! Lists: a local account's named sets of accounts it follows, each with its own
//! timeline (a slice of the home feed) and stream.
use entity::{accounts, lists};
use sea_orm::{IntoActiveModel, Set, TransactionTrait};

use super::timelines::{StatusView, hydrate};
use crate::db::{self, Page};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Mastodon's limit of lists per account.
pub const MAX_LISTS: u64 = 50;

/// What a create or an update sets (absent fields keep their value on update).
#[derive(Clone, Debug, Default)]
pub struct ListInput {
    pub title: Option<String>,
    pub replies_policy: Option<String>,
    pub exclusive: Option<bool>,
}

fn check(input: &ListInput) -> AppResult<()> {
    if let Some(t) = &input.title
        && (t.trim().is_empty() || t.chars().count() > 256)
    {
        return Err(AppError::validation(
            "Validation failed: Title can't be blank or longer than 256 characters",
        ));
    }
    if let Some(p) = &input.replies_policy
        && !matches!(p.as_str(), "followed" | "list" | "none")
    {
        return Err(AppError::validation(
            "Validation failed: Replies policy is not included in the list",
        ));
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    owner: &accounts::Model,
    input: ListInput,
) -> AppResult<lists::Model> {
    if input.title.is_none() {
        return Err(AppError::validation(
            "Validation failed: Title can't be blank",
        ));
    }
    check(&input)?;
    let txn = state.db.write.begin().await?;
    if db::lists::count_for(&txn, owner.id).await? >= MAX_LISTS {
        return Err(AppError::validation(format!(
            "Validation failed: You cannot have more than {MAX_LISTS} lists"
        )));
    }
    let list = db::lists::insert(
        &txn,
        lists::ActiveModel {
            id: Set(state.ids.next()),
            account_id: Set(owner.id),
            title: Set(input.title.unwrap_or_default().trim().to_string()),
            replies_policy: Set(input.replies_policy.unwrap_or_else(|| "list".into())),
            exclusive: Set(input.exclusive.unwrap_or(false)),
            created_at: Set(db::now()),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(list)
}

pub async fn all(state: &AppState, owner: &accounts::Model) -> AppResult<Vec<lists::Model>> {
    Ok(db::lists::all_for(&state.db.read, owner.id).await?)
}

/// One of the owner's lists, or 404 (someone else's list is not there).
pub async fn get(state: &AppState, owner: &accounts::Model, id: i64) -> AppResult<lists::Model> {
    db::lists::find(&state.db.read, owner.id, id)
        .await?
        .ok_or_else(AppError::not_found)
}

pub async fn update(
    state: &AppState,
    owner: &accounts::Model,
    id: i64,
    input: ListInput,
) -> AppResult<lists::Model> {
    check(&input)?;
    let list = get(state, owner, id).await?;
    let mut m = list.into_active_model();
    if let Some(t) = input.title {
        m.title = Set(t.trim().to_string());
    }
    if let Some(p) = input.replies_policy {
        m.replies_policy = Set(p);
    }
    if let Some(e) = input.exclusive {
        m.exclusive = Set(e);
    }
    Ok(db::lists::update(&state.db.write, m).await?)
}

pub async fn delete(state: &AppState, owner: &accounts::Model, id: i64) -> AppResult<()> {
    if db::lists::delete(&state.db.write, owner.id, id).await? == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// A page of a list's members.
pub async fn members(
    state: &AppState,
    owner: &accounts::Model,
    id: i64,
    page: &Page,
) -> AppResult<Vec<accounts::Model>> {
    let list = get(state, owner, id).await?;
    let ids = db::lists::member_page(&state.db.read, list.id, page).await?;
    let mut found = db::accounts::find_many(&state.db.read, &ids).await?;
    found.sort_by_key(|a| ids.iter().position(|i| *i == a.id));
    Ok(found)
}

/// Adds accounts to a list; each must be followed (or requested) by the owner.
pub async fn add_members(
    state: &AppState,
    owner: &accounts::Model,
    id: i64,
    account_ids: &[i64],
) -> AppResult<()> {
    let txn = state.db.write.begin().await?;
    let list = db::lists::find(&txn, owner.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    for a in account_ids {
        db::accounts::find(&txn, *a)
            .await?
            .ok_or_else(AppError::not_found)?;
        let follows = db::relationships::find_follow(&txn, owner.id, *a)
            .await?
            .is_some()
            || db::relationships::find_follow_request(&txn, owner.id, *a)
                .await?
                .is_some();
        if !follows {
            return Err(AppError::validation(
                "Validation failed: You must follow an account to add it to a list",
            ));
        }
    }
    db::lists::add_members(&txn, list.id, account_ids).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn remove_members(
    state: &AppState,
    owner: &accounts::Model,
    id: i64,
    account_ids: &[i64],
) -> AppResult<()> {
    let list = get(state, owner, id).await?;
    db::lists::remove_members(&state.db.write, list.id, account_ids).await?;
    Ok(())
}

/// The owner's lists that contain `account_id`.
pub async fn containing(
    state: &AppState,
    owner: &accounts::Model,
    account_id: i64,
) -> AppResult<Vec<lists::Model>> {
    Ok(db::lists::containing(&state.db.read, owner.id, account_id).await?)
}

/// A page of a list's timeline.
pub async fn timeline(
    state: &AppState,
    owner: &accounts::Model,
    id: i64,
    page: &Page,
) -> AppResult<Vec<StatusView>> {
    let list = get(state, owner, id).await?;
    let rows = db::lists::timeline(&state.db.read, &list, page).await?;
    hydrate(state, rows).await
}

/// Where a status that entered the viewer's home feed goes among their streams.
#[derive(Clone, Debug, Default)]
pub struct HomeStreams {
    /// The lists whose streams show it.
    pub lists: Vec<i64>,
    /// An exclusive list holds the author: the user stream does not show it.
    pub exclusive: bool,
}

/// The viewer's lists showing `status` (by a member, with replies as each list's
/// policy allows), for the `list` stream.
pub async fn streams_for(
    state: &AppState,
    viewer: &accounts::Model,
    status: &entity::statuses::Model,
) -> AppResult<HomeStreams> {
    let c = &state.db.read;
    let mut out = HomeStreams::default();
    let candidates = db::lists::lists_showing(c, viewer.id, status.account_id).await?;
    let reply_to = status
        .in_reply_to_account_id
        .filter(|a| *a != status.account_id);
    for (id, policy, exclusive) in candidates {
        out.exclusive |= exclusive;
        let shown = match (reply_to, policy.as_str()) {
            (None, _) | (Some(_), "followed") => true,
            (Some(_), "none") => false,
            (Some(to), _) => to == viewer.id || db::lists::is_member(c, id, to).await?,
        };
        if shown {
            out.lists.push(id);
        }
    }
    Ok(out)
}
