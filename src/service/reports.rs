//! Reports: people tell the moderators about an account and some of its posts;
//! a report about someone on another server can be forwarded there (a `Flag`
//! from the instance actor, so the reporter stays anonymous). Moderators and
//! admins see open reports on the admin page and resolve them.
use entity::{accounts, reports};
use sea_orm::{Set, TransactionTrait};

use super::outbox::{emit_to, kick};
use crate::apub::activities::flag::flag;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

const CATEGORIES: [&str; 4] = ["spam", "legal", "violation", "other"];
const MAX_COMMENT_CHARS: usize = 1000;
const MAX_STATUSES: usize = 100;

/// What someone reports.
#[derive(Clone, Debug, Default)]
pub struct NewReport {
    pub target_id: i64,
    pub status_ids: Vec<i64>,
    pub comment: String,
    /// `None`: `other`, or `violation` when rules are named.
    pub category: Option<String>,
    pub rule_ids: Vec<i64>,
    /// Send it on to the reported account's server too.
    pub forward: bool,
}

/// A report with what it reads from its ids.
#[derive(Clone, Debug)]
pub struct ReportView {
    pub report: reports::Model,
    pub status_ids: Vec<i64>,
    pub rule_ids: Vec<i64>,
    pub reporter: Option<accounts::Model>,
    pub target: accounts::Model,
}

fn ids(json: &str) -> Vec<i64> {
    serde_json::from_str(json).unwrap_or_default()
}

pub async fn create(
    state: &AppState,
    reporter: &accounts::Model,
    r: NewReport,
) -> AppResult<ReportView> {
    let target = db::accounts::find(&state.db.read, r.target_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if target.id == reporter.id {
        return Err(AppError::validation("You cannot report yourself"));
    }
    let comment = r.comment.trim().to_string();
    if comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(AppError::validation(format!(
            "Validation failed: Comment is too long (maximum is {MAX_COMMENT_CHARS} characters)"
        )));
    }
    let category = if r.rule_ids.is_empty() {
        match r
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            None => "other".to_string(),
            Some(c) if CATEGORIES.contains(&c) => c.to_string(),
            Some(c) => {
                return Err(AppError::validation(format!(
                    "Validation failed: Category {c} is not one of spam, legal, violation, other"
                )));
            }
        }
    } else {
        "violation".to_string()
    };
    let rules = super::instance::settings(state).await?;
    if let Some(bad) = r
        .rule_ids
        .iter()
        .find(|id| !rules.rules.iter().any(|rule| rule.id == **id))
    {
        return Err(AppError::validation(format!(
            "Validation failed: Rule {bad} is not one of this server's rules"
        )));
    }
    let mut status_ids = r.status_ids.clone();
    status_ids.sort_unstable();
    status_ids.dedup();
    if status_ids.len() > MAX_STATUSES {
        return Err(AppError::validation(format!(
            "Validation failed: At most {MAX_STATUSES} statuses can be reported at once"
        )));
    }
    let statuses = super::statuses::get_many(state, Some(reporter), &status_ids).await?;
    if statuses.len() != status_ids.len() || statuses.iter().any(|s| s.account_id != target.id) {
        return Err(AppError::validation(
            "Validation failed: Statuses must be the reported account's, and visible to you",
        ));
    }
    let forward = r.forward && !target.is_local();
    // Before the transaction: making the instance actor the first time writes.
    let instance_actor = if forward {
        Some(state.instance_actor().await?)
    } else {
        None
    };
    let id = state.ids.next();
    let txn = state.db.write.begin().await?;
    let row = db::reports::insert(
        &txn,
        reports::ActiveModel {
            id: Set(id),
            account_id: Set(reporter.id),
            target_account_id: Set(target.id),
            status_ids: Set(serde_json::to_string(&status_ids).map_err(AppError::internal)?),
            rule_ids: Set(serde_json::to_string(&r.rule_ids).map_err(AppError::internal)?),
            comment: Set(comment.clone()),
            category: Set(category),
            forwarded: Set(forward),
            created_at: Set(db::now()),
            action_taken_at: Set(None),
            action_taken_by_account_id: Set(None),
        },
    )
    .await?;
    if let Some(actor) = &instance_actor {
        let mut objects = vec![target.uri.clone()];
        objects.extend(statuses.iter().map(|s| s.uri.clone()));
        let activity = flag(&state.base_url(), id, &actor.uri, objects, &comment);
        emit_to(&txn, state, actor, activity, &target).await?;
    }
    txn.commit().await?;
    if forward {
        kick(state);
    }
    Ok(ReportView {
        status_ids,
        rule_ids: r.rule_ids,
        report: row,
        reporter: Some(reporter.clone()),
        target,
    })
}

/// Open reports, oldest first (at most 200), for moderators.
pub async fn open(state: &AppState) -> AppResult<Vec<ReportView>> {
    let rows = db::reports::open(&state.db.read, 200).await?;
    let mut account_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.account_id, r.target_account_id])
        .collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let accounts = db::accounts::find_many(&state.db.read, &account_ids).await?;
    let find = |id: i64| accounts.iter().find(|a| a.id == id).cloned();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(ReportView {
                status_ids: ids(&r.status_ids),
                rule_ids: ids(&r.rule_ids),
                reporter: find(r.account_id),
                target: find(r.target_account_id)?,
                report: r,
            })
        })
        .collect())
}

/// Marks a report resolved by `moderator`.
pub async fn resolve(state: &AppState, moderator: &accounts::Model, id: i64) -> AppResult<()> {
    if db::reports::resolve(&state.db.write, id, moderator.id).await? == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}
