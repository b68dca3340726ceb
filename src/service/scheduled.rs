//! Statuses scheduled for later (`scheduled_at` on a new status): kept with
//! their uploads until due, then posted by a background loop through
//! [`super::statuses::create`], as if the author had posted them then.
use chrono::{DateTime, Duration as Days, Utc};
use entity::{Visibility, accounts, media_attachments, scheduled_statuses};
use sea_orm::{Set, TransactionTrait};
use serde::{Deserialize, Serialize};

use super::statuses::NewStatus;
use crate::db::{self, Page};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// How soon a status may be scheduled, as on Mastodon.
pub const MIN_LEAD: Days = Days::minutes(5);
/// Most scheduled statuses one account keeps waiting, and per day.
const MAX_WAITING: u64 = 300;
const MAX_PER_DAY: u64 = 25;

/// What a scheduled status will post, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    pub text: String,
    pub visibility: String,
    pub in_reply_to_id: Option<i64>,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub language: Option<String>,
    pub media_ids: Vec<i64>,
}

impl Params {
    fn from_new(n: &NewStatus) -> Params {
        Params {
            text: n.text.clone(),
            visibility: n.visibility.as_str().to_string(),
            in_reply_to_id: n.in_reply_to_id,
            sensitive: n.sensitive,
            spoiler_text: n.spoiler_text.clone(),
            language: n.language.clone(),
            media_ids: n.media_ids.clone(),
        }
    }

    fn to_new(&self) -> NewStatus {
        NewStatus {
            text: self.text.clone(),
            visibility: Visibility::parse(&self.visibility).unwrap_or(Visibility::Public),
            in_reply_to_id: self.in_reply_to_id,
            sensitive: self.sensitive,
            spoiler_text: self.spoiler_text.clone(),
            language: self.language.clone(),
            media_ids: self.media_ids.clone(),
        }
    }
}

/// A scheduled status with what it will post and its uploads.
#[derive(Clone, Debug)]
pub struct Scheduled {
    pub row: scheduled_statuses::Model,
    pub params: Params,
    pub media: Vec<media_attachments::Model>,
}

async fn load(state: &AppState, row: scheduled_statuses::Model) -> AppResult<Scheduled> {
    let params: Params = serde_json::from_str(&row.params)
        .map_err(|e| AppError::internal(format!("scheduled status {}: {e}", row.id)))?;
    let mut media = db::media::find_many(&state.db.read, &params.media_ids).await?;
    media.sort_by_key(|m| params.media_ids.iter().position(|id| *id == m.id));
    Ok(Scheduled { row, params, media })
}

fn check_time(at: DateTime<Utc>) -> AppResult<()> {
    if at < db::now() + MIN_LEAD {
        return Err(AppError::validation(
            "Validation failed: Scheduled at The scheduled date must be in the future (at least 5 minutes)",
        ));
    }
    Ok(())
}

async fn check_limits(
    state: &AppState,
    account: &accounts::Model,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let day = at.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    let (all, on_day) =
        db::scheduled::counts(&state.db.read, account.id, day, day + Days::days(1)).await?;
    if all >= MAX_WAITING {
        return Err(AppError::validation(format!(
            "Validation failed: You cannot schedule more than {MAX_WAITING} statuses"
        )));
    }
    if on_day >= MAX_PER_DAY {
        return Err(AppError::validation(format!(
            "Validation failed: You cannot schedule more than {MAX_PER_DAY} statuses on one day"
        )));
    }
    Ok(())
}

/// Schedules `input` for `at` (at least five minutes ahead), after the checks
/// posting it now would pass; its uploads are kept until then.
pub async fn schedule(
    state: &AppState,
    account: &accounts::Model,
    input: NewStatus,
    at: DateTime<Utc>,
) -> AppResult<Scheduled> {
    check_time(at)?;
    super::statuses::check_new(state, account, &input).await?;
    let media = super::media::attachable(state, account, &input.media_ids).await?;
    if media.iter().any(|m| m.scheduled_status_id.is_some()) {
        return Err(AppError::validation(
            "Validation failed: A file is already in another scheduled status",
        ));
    }
    check_limits(state, account, at).await?;
    let params = Params::from_new(&input);
    let body = serde_json::to_string(&params).map_err(AppError::internal)?;
    let txn = state.db.write.begin().await?;
    let row = db::scheduled::insert(
        &txn,
        scheduled_statuses::ActiveModel {
            id: Set(state.ids.next()),
            account_id: Set(account.id),
            scheduled_at: Set(at),
            params: Set(body),
            created_at: Set(db::now()),
        },
    )
    .await?;
    db::media::set_scheduled(&txn, &params.media_ids, Some(row.id)).await?;
    txn.commit().await?;
    load(state, row).await
}

pub async fn list(
    state: &AppState,
    account: &accounts::Model,
    page: &Page,
) -> AppResult<Vec<Scheduled>> {
    let rows = db::scheduled::page(&state.db.read, account.id, page).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        // At most a page (40), one media query each.
        out.push(load(state, r).await?);
    }
    Ok(out)
}

pub async fn get(state: &AppState, account: &accounts::Model, id: i64) -> AppResult<Scheduled> {
    let row = db::scheduled::find(&state.db.read, account.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    load(state, row).await
}

pub async fn reschedule(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
    at: DateTime<Utc>,
) -> AppResult<Scheduled> {
    check_time(at)?;
    let s = get(state, account, id).await?;
    if s.row.scheduled_at.date_naive() != at.date_naive() {
        check_limits(state, account, at).await?;
    }
    db::scheduled::reschedule(&state.db.write, id, at).await?;
    get(state, account, id).await
}

/// Cancels a scheduled status; its uploads are released (and expire as
/// unattached uploads do).
pub async fn cancel(state: &AppState, account: &accounts::Model, id: i64) -> AppResult<()> {
    let s = get(state, account, id).await?;
    let txn = state.db.write.begin().await?;
    if !db::scheduled::take(&txn, s.row.id).await? {
        return Err(AppError::not_found());
    }
    db::media::set_scheduled(&txn, &s.params.media_ids, None).await?;
    txn.commit().await?;
    Ok(())
}

/// Posts every scheduled status that is due; the number posted. A status that
/// can no longer be posted (its author suspended, the post it replies to
/// deleted) is dropped with a warning, as Mastodon drops it.
pub async fn publish_due(state: &AppState) -> AppResult<usize> {
    let mut posted = 0;
    loop {
        let due = db::scheduled::due(&state.db.read, db::now(), 50).await?;
        if due.is_empty() {
            return Ok(posted);
        }
        for row in due {
            if !db::scheduled::take(&state.db.write, row.id).await? {
                continue; // another process took it
            }
            let Some(author) = db::accounts::find(&state.db.read, row.account_id).await? else {
                continue;
            };
            let params: Params = match serde_json::from_str(&row.params) {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(id = row.id, error = %e, "unreadable scheduled status dropped");
                    continue;
                }
            };
            db::media::set_scheduled(&state.db.write, &params.media_ids, None).await?;
            match super::statuses::create(state, &author, params.to_new()).await {
                Ok(_) => posted += 1,
                Err(e) => {
                    tracing::warn!(id = row.id, error = %e, "a scheduled status could not be posted")
                }
            }
        }
    }
}

/// The background loop: posts due statuses every few seconds until `stop`.
pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = publish_due(&state).await {
            tracing::warn!(error = %e, "could not post scheduled statuses");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = stop.changed() => return,
        }
    }
}
