//! Facts about this instance: what NodeInfo and the instance API report, and
//! the settings and rules admins change at run time.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entity::instance_rules;
use sea_orm::ActiveValue::Set;
use sea_orm::TransactionTrait;
use serde::Serialize;

use crate::config::RegistrationMode;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub users: u64,
    /// Local accounts that posted in the last 30 days.
    pub active_month: u64,
    /// ... in the last 180 days.
    pub active_halfyear: u64,
    pub local_posts: u64,
}

pub async fn usage(state: &AppState) -> AppResult<Usage> {
    let c = &state.db.read;
    let now = db::now();
    Ok(Usage {
        users: db::accounts::count_local(c).await?,
        active_month: db::accounts::count_local_active_since(c, now - chrono::Duration::days(30))
            .await?,
        active_halfyear: db::accounts::count_local_active_since(
            c,
            now - chrono::Duration::days(180),
        )
        .await?,
        local_posts: db::statuses::count_local(c).await?,
    })
}

/// The longest instance description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
const MAX_NAME_CHARS: usize = 100;
const MAX_RULE_CHARS: usize = 1000;
const MAX_RULES: usize = 100;
/// How long one process trusts its copy of the settings. Another process's
/// change shows here within this time; this process's own changes at once.
const SETTINGS_TTL: Duration = Duration::from_secs(5);

/// One of the server's rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: i64,
    pub text: String,
    pub hint: String,
}

/// What the instance is called and how it runs: the configuration, overridden
/// by whatever an admin saved on the admin page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceSettings {
    pub name: String,
    /// Plain text; may be empty.
    pub description: String,
    /// May be empty.
    pub contact_email: String,
    pub registrations: RegistrationMode,
    pub max_status_chars: usize,
    pub rules: Vec<Rule>,
    /// When an admin last saved the settings (`None`: never).
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl InstanceSettings {
    /// The description, or a sentence naming the instance when none was written.
    pub fn description_or_default(&self) -> String {
        if self.description.trim().is_empty() {
            format!("{} is a Kith social network.", self.name)
        } else {
            self.description.clone()
        }
    }

    /// Anyone may sign up (perhaps waiting for approval), without an invite.
    pub fn registrations_open(&self) -> bool {
        matches!(
            self.registrations,
            RegistrationMode::Open | RegistrationMode::Approval
        )
    }
}

/// The settings one process read last, and when.
#[derive(Default)]
pub struct SettingsCache(Mutex<Option<(Instant, Arc<InstanceSettings>)>>);

impl SettingsCache {
    fn fresh(&self) -> Option<Arc<InstanceSettings>> {
        let guard = self.0.lock().ok()?;
        guard
            .as_ref()
            .filter(|(at, _)| at.elapsed() < SETTINGS_TTL)
            .map(|(_, s)| s.clone())
    }

    fn put(&self, s: Arc<InstanceSettings>) {
        if let Ok(mut guard) = self.0.lock() {
            *guard = Some((Instant::now(), s));
        }
    }

    fn clear(&self) {
        if let Ok(mut guard) = self.0.lock() {
            *guard = None;
        }
    }
}

/// The instance's settings as they are now.
pub async fn settings(state: &AppState) -> AppResult<Arc<InstanceSettings>> {
    if let Some(s) = state.instance_settings.fresh() {
        return Ok(s);
    }
    let c = &state.db.read;
    let saved = db::instance::settings(c).await?;
    let rules = db::instance::rules(c).await?;
    let cfg = &state.config;
    let mut s = InstanceSettings {
        name: cfg.instance_name.clone(),
        description: cfg.instance_description.clone(),
        contact_email: cfg.contact_email.clone(),
        registrations: cfg.registrations,
        max_status_chars: cfg.max_status_chars,
        rules: rules
            .into_iter()
            .map(|r| Rule {
                id: r.id,
                text: r.text,
                hint: r.hint,
            })
            .collect(),
        updated_at: saved.iter().map(|r| r.updated_at).max(),
    };
    // A saved value that no longer reads (written by a newer version, say) is
    // passed over: the configured value stands.
    for row in saved {
        match row.name.as_str() {
            "name" => s.name = row.value,
            "description" => s.description = row.value,
            "contact_email" => s.contact_email = row.value,
            "registrations" => {
                if let Some(m) = RegistrationMode::parse(&row.value) {
                    s.registrations = m;
                }
            }
            "max_status_chars" => {
                if let Ok(n) = row.value.parse() {
                    s.max_status_chars = n;
                }
            }
            _ => {}
        }
    }
    let s = Arc::new(s);
    state.instance_settings.put(s.clone());
    Ok(s)
}

/// What an admin submits on the settings form.
#[derive(Clone, Debug, Default)]
pub struct SettingsUpdate {
    pub name: String,
    pub description: String,
    pub contact_email: String,
    pub registrations: String,
    pub max_status_chars: String,
}

/// Checks and saves every setting at once (all or nothing).
pub async fn update_settings(state: &AppState, u: SettingsUpdate) -> AppResult<()> {
    let name = u.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::validation(format!(
            "The name must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    let description = u.description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(AppError::validation(format!(
            "The description must be at most {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    let email = u.contact_email.trim();
    if !email.is_empty() && !super::accounts::looks_like_email(email) {
        return Err(AppError::validation(format!(
            "{email} is not an email address"
        )));
    }
    let mode = RegistrationMode::parse(u.registrations.trim()).ok_or_else(|| {
        AppError::validation("Registrations must be open, approval, invite or closed")
    })?;
    let chars: usize = u
        .max_status_chars
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or_else(|| {
            AppError::validation("The character limit must be a whole number from 1 to 100000")
        })?;
    let txn = state.db.write.begin().await?;
    db::instance::put_setting(&txn, "name", name).await?;
    db::instance::put_setting(&txn, "description", description).await?;
    db::instance::put_setting(&txn, "contact_email", email).await?;
    db::instance::put_setting(&txn, "registrations", mode.as_str()).await?;
    db::instance::put_setting(&txn, "max_status_chars", &chars.to_string()).await?;
    txn.commit().await?;
    state.instance_settings.clear();
    Ok(())
}

fn checked_rule(text: &str, hint: &str) -> AppResult<(String, String)> {
    let text = text.trim();
    let hint = hint.trim();
    if text.is_empty() || text.chars().count() > MAX_RULE_CHARS {
        return Err(AppError::validation(format!(
            "A rule must be 1 to {MAX_RULE_CHARS} characters"
        )));
    }
    if hint.chars().count() > MAX_RULE_CHARS {
        return Err(AppError::validation(format!(
            "A rule's explanation must be at most {MAX_RULE_CHARS} characters"
        )));
    }
    Ok((text.to_string(), hint.to_string()))
}

/// Adds a rule after the others.
pub async fn add_rule(state: &AppState, text: &str, hint: &str) -> AppResult<Rule> {
    let (text, hint) = checked_rule(text, hint)?;
    let txn = state.db.write.begin().await?;
    if db::instance::rules(&txn).await?.len() >= MAX_RULES {
        return Err(AppError::validation(format!(
            "A server has at most {MAX_RULES} rules"
        )));
    }
    let position = db::instance::next_rule_position(&txn).await?;
    let row = db::instance::insert_rule(
        &txn,
        instance_rules::ActiveModel {
            id: Set(state.ids.next()),
            position: Set(position),
            text: Set(text),
            hint: Set(hint),
            created_at: Set(db::now()),
        },
    )
    .await?;
    txn.commit().await?;
    state.instance_settings.clear();
    Ok(Rule {
        id: row.id,
        text: row.text,
        hint: row.hint,
    })
}

pub async fn update_rule(state: &AppState, id: i64, text: &str, hint: &str) -> AppResult<()> {
    let (text, hint) = checked_rule(text, hint)?;
    if db::instance::update_rule(&state.db.write, id, &text, &hint).await? == 0 {
        return Err(AppError::not_found());
    }
    state.instance_settings.clear();
    Ok(())
}

pub async fn delete_rule(state: &AppState, id: i64) -> AppResult<()> {
    if db::instance::delete_rule(&state.db.write, id).await? == 0 {
        return Err(AppError::not_found());
    }
    state.instance_settings.clear();
    Ok(())
}

/// One week of `/api/v1/instance/activity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeekActivity {
    /// Midnight (UTC) of the Monday that starts the week.
    pub week: chrono::DateTime<chrono::Utc>,
    pub statuses: u64,
    pub logins: u64,
    pub registrations: u64,
}

/// The last 12 weeks, this one first: local posts, log-ins and sign-ups.
pub async fn weekly_activity(state: &AppState) -> AppResult<Vec<WeekActivity>> {
    use chrono::{Datelike, Duration as Days};
    let c = &state.db.read;
    let now = db::now();
    let today = now.date_naive();
    let monday = today - Days::days(i64::from(today.weekday().num_days_from_monday()));
    let mut start = monday.and_time(chrono::NaiveTime::MIN).and_utc();
    let mut end = now;
    let mut out = Vec::with_capacity(12);
    for _ in 0..12 {
        out.push(WeekActivity {
            week: start,
            statuses: db::instance::count_local_statuses_between(c, start, end).await?,
            logins: db::instance::count_logins_between(c, start, end).await?,
            registrations: db::instance::count_users_created_between(c, start, end).await?,
        });
        end = start;
        start -= Days::days(7);
    }
    Ok(out)
}

/// The profile directory (`/api/v1/directory`).
pub async fn directory(
    state: &AppState,
    order: db::instance::DirectoryOrder,
    local_only: bool,
    offset: u64,
    limit: u64,
) -> AppResult<Vec<entity::accounts::Model>> {
    Ok(db::instance::directory(
        &state.db.read,
        super::accounts::INSTANCE_ACTOR,
        order,
        local_only,
        offset,
        limit.clamp(1, 80),
    )
    .await?)
}
