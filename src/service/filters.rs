//! Filters (v2): keywords and statuses that, in the contexts a person chose,
//! either hide a status (it leaves timelines, notifications and streams) or put a
//! warning on it (the Status entity's `filtered`). Matching follows Mastodon: a
//! case-insensitive keyword, on word boundaries when `whole_word`, over the
//! content warning and the text without markup.
use std::collections::HashMap;

use entity::{accounts, filter_keywords, filter_statuses, filters, statuses};
use regex::Regex;
use sea_orm::{IntoActiveModel, Set, TransactionTrait};

use crate::db;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::state::AppState;

pub const CONTEXTS: [&str; 5] = ["home", "notifications", "public", "thread", "account"];

/// A filter with its keywords and statuses.
#[derive(Clone, Debug)]
pub struct FilterView {
    pub filter: filters::Model,
    pub keywords: Vec<filter_keywords::Model>,
    pub statuses: Vec<filter_statuses::Model>,
}

impl FilterView {
    pub fn contexts(&self) -> Vec<&str> {
        self.filter
            .context
            .split(',')
            .filter(|c| !c.is_empty())
            .collect()
    }

    pub fn hides(&self) -> bool {
        self.filter.action == "hide"
    }
}

/// A keyword to add with a filter, or a change to one (`id` set) on update.
#[derive(Clone, Debug, Default)]
pub struct KeywordInput {
    pub id: Option<i64>,
    pub keyword: Option<String>,
    pub whole_word: Option<bool>,
    pub destroy: bool,
}

#[derive(Clone, Debug, Default)]
pub struct FilterInput {
    pub title: Option<String>,
    pub context: Option<Vec<String>>,
    pub action: Option<String>,
    /// Seconds from now; `Some(None)` clears the expiry.
    pub expires_in: Option<Option<i64>>,
    pub keywords: Vec<KeywordInput>,
}

fn check(input: &FilterInput) -> AppResult<()> {
    if let Some(t) = &input.title
        && (t.trim().is_empty() || t.chars().count() > 256)
    {
        return Err(AppError::validation(
            "Validation failed: Title can't be blank",
        ));
    }
    if let Some(cs) = &input.context {
        if cs.is_empty() {
            return Err(AppError::validation(
                "Validation failed: Context can't be blank",
            ));
        }
        if let Some(bad) = cs.iter().find(|c| !CONTEXTS.contains(&c.as_str())) {
            return Err(AppError::validation(format!(
                "Validation failed: Context {bad} is not one of {}",
                CONTEXTS.join(", ")
            )));
        }
    }
    if let Some(a) = &input.action
        && !matches!(a.as_str(), "warn" | "hide" | "blur")
    {
        return Err(AppError::validation(
            "Validation failed: Filter action is not included in the list",
        ));
    }
    if let Some(Some(secs)) = input.expires_in
        && !(1..=10 * 365 * 86_400).contains(&secs)
    {
        return Err(AppError::validation(
            "Validation failed: expires_in is out of range",
        ));
    }
    for k in &input.keywords {
        if let Some(w) = &k.keyword
            && (w.trim().is_empty() || w.chars().count() > 512)
        {
            return Err(AppError::validation(
                "Validation failed: Keyword can't be blank",
            ));
        }
    }
    Ok(())
}

fn expiry(secs: Option<i64>) -> Option<chrono::DateTime<chrono::Utc>> {
    secs.map(|s| db::now() + chrono::TimeDelta::seconds(s))
}

fn changed(state: &AppState, owner: &accounts::Model) {
    state.events.publish(Event::FiltersChanged {
        account_id: owner.id,
    });
}

async fn views(state: &AppState, rows: Vec<filters::Model>) -> AppResult<Vec<FilterView>> {
    let ids: Vec<i64> = rows.iter().map(|f| f.id).collect();
    let mut kws: HashMap<i64, Vec<filter_keywords::Model>> = HashMap::new();
    for k in db::filters::keywords_of(&state.db.read, &ids).await? {
        kws.entry(k.filter_id).or_default().push(k);
    }
    let mut sts: HashMap<i64, Vec<filter_statuses::Model>> = HashMap::new();
    for s in db::filters::statuses_of(&state.db.read, &ids).await? {
        sts.entry(s.filter_id).or_default().push(s);
    }
    Ok(rows
        .into_iter()
        .map(|f| FilterView {
            keywords: kws.remove(&f.id).unwrap_or_default(),
            statuses: sts.remove(&f.id).unwrap_or_default(),
            filter: f,
        })
        .collect())
}

pub async fn all(state: &AppState, owner: &accounts::Model) -> AppResult<Vec<FilterView>> {
    let rows = db::filters::all_for(&state.db.read, owner.id).await?;
    views(state, rows).await
}

pub async fn get(state: &AppState, owner: &accounts::Model, id: i64) -> AppResult<FilterView> {
    let f = db::filters::find(&state.db.read, owner.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    views(state, vec![f])
        .await?
        .pop()
        .ok_or_else(AppError::not_found)
}

pub async fn create(
    state: &AppState,
    owner: &accounts::Model,
    input: FilterInput,
) -> AppResult<FilterView> {
    check(&input)?;
    let title = input
        .title
        .clone()
        .ok_or_else(|| AppError::validation("Validation failed: Title can't be blank"))?;
    let context = input
        .context
        .clone()
        .ok_or_else(|| AppError::validation("Validation failed: Context can't be blank"))?;
    let txn = state.db.write.begin().await?;
    let f = db::filters::insert(
        &txn,
        filters::ActiveModel {
            id: Set(state.ids.next()),
            account_id: Set(owner.id),
            title: Set(title.trim().to_string()),
            context: Set(context.join(",")),
            action: Set(input.action.clone().unwrap_or_else(|| "warn".into())),
            expires_at: Set(expiry(input.expires_in.flatten())),
            created_at: Set(db::now()),
        },
    )
    .await?;
    for k in input.keywords.iter().filter(|k| !k.destroy) {
        let Some(word) = &k.keyword else { continue };
        db::filters::insert_keyword(
            &txn,
            filter_keywords::ActiveModel {
                id: Set(state.ids.next()),
                filter_id: Set(f.id),
                keyword: Set(word.trim().to_string()),
                whole_word: Set(k.whole_word.unwrap_or(true)),
            },
        )
        .await?;
    }
    txn.commit().await?;
    changed(state, owner);
    get(state, owner, f.id).await
}

pub async fn update(
    state: &AppState,
    owner: &accounts::Model,
    id: i64,
    input: FilterInput,
) -> AppResult<FilterView> {
    check(&input)?;
    let txn = state.db.write.begin().await?;
    let f = db::filters::find(&txn, owner.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut m = f.into_active_model();
    if let Some(t) = &input.title {
        m.title = Set(t.trim().to_string());
    }
    if let Some(c) = &input.context {
        m.context = Set(c.join(","));
    }
    if let Some(a) = &input.action {
        m.action = Set(a.clone());
    }
    if let Some(e) = input.expires_in {
        m.expires_at = Set(expiry(e));
    }
    let f = db::filters::update(&txn, m).await?;
    for k in &input.keywords {
        match k.id {
            Some(kid) => {
                let existing = db::filters::find_keyword(&txn, kid)
                    .await?
                    .filter(|x| x.filter_id == f.id)
                    .ok_or_else(AppError::not_found)?;
                if k.destroy {
                    db::filters::delete_keyword(&txn, kid).await?;
                    continue;
                }
                let mut km = existing.into_active_model();
                if let Some(w) = &k.keyword {
                    km.keyword = Set(w.trim().to_string());
                }
                if let Some(ww) = k.whole_word {
                    km.whole_word = Set(ww);
                }
                db::filters::update_keyword(&txn, km).await?;
            }
            None if !k.destroy => {
                let Some(word) = &k.keyword else { continue };
                db::filters::insert_keyword(
                    &txn,
                    filter_keywords::ActiveModel {
                        id: Set(state.ids.next()),
                        filter_id: Set(f.id),
                        keyword: Set(word.trim().to_string()),
                        whole_word: Set(k.whole_word.unwrap_or(true)),
                    },
                )
                .await?;
            }
            None => {}
        }
    }
    txn.commit().await?;
    changed(state, owner);
    get(state, owner, f.id).await
}

pub async fn delete(state: &AppState, owner: &accounts::Model, id: i64) -> AppResult<()> {
    if db::filters::delete(&state.db.write, owner.id, id).await? == 0 {
        return Err(AppError::not_found());
    }
    changed(state, owner);
    Ok(())
}

/// A keyword of one of the owner's filters, or 404.
pub async fn keyword(
    state: &AppState,
    owner: &accounts::Model,
    id: i64,
) -> AppResult<filter_keywords::Model> {
    let k = db::filters::find_keyword(&state.db.read, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    db::filters::find(&state.db.read, owner.id, k.filter_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(k)
}

pub async fn add_keyword(
    state: &AppState,
    owner: &accounts::Model,
    filter_id: i64,
    keyword: &str,
    whole_word: bool,
) -> AppResult<filter_keywords::Model> {
    let f = get(state, owner, filter_id).await?;
    check(&FilterInput {
        keywords: vec![KeywordInput {
            keyword: Some(keyword.to_string()),
            ..Default::default()
        }],
        ..Default::default()
    })?;
    let k = db::filters::insert_keyword(
        &state.db.write,
        filter_keywords::ActiveModel {
            id: Set(state.ids.next()),
            filter_id: Set(f.filter.id),
            keyword: Set(keyword.trim().to_string()),
            whole_word: Set(whole_word),
        },
    )
    .await?;
    changed(state, owner);
    Ok(k)
}

pub async fn update_keyword(
    state: &AppState,
    owner: &accounts::Model,
    id: i64,
    keyword: Option<String>,
    whole_word: Option<bool>,
) -> AppResult<filter_keywords::Model> {
    let k = self::keyword(state, owner, id).await?;
    if let Some(w) = &keyword
        && w.trim().is_empty()
    {
        return Err(AppError::validation(
            "Validation failed: Keyword can't be blank",
        ));
    }
    let mut m = k.into_active_model();
    if let Some(w) = keyword {
        m.keyword = Set(w.trim().to_string());
    }
    if let Some(ww) = whole_word {
        m.whole_word = Set(ww);
    }
    let k = db::filters::update_keyword(&state.db.write, m).await?;
    changed(state, owner);
    Ok(k)
}

pub async fn remove_keyword(state: &AppState, owner: &accounts::Model, id: i64) -> AppResult<()> {
    let k = keyword(state, owner, id).await?;
    db::filters::delete_keyword(&state.db.write, k.id).await?;
    changed(state, owner);
    Ok(())
}

/// Removes a keyword (a v1 filter), and its filter when that leaves it with
/// neither keywords nor statuses, in one transaction.
pub async fn remove_keyword_and_empty_filter(
    state: &AppState,
    owner: &accounts::Model,
    id: i64,
) -> AppResult<()> {
    let k = keyword(state, owner, id).await?;
    let txn = state.db.write.begin().await?;
    db::filters::delete_keyword(&txn, k.id).await?;
    if db::filters::keywords_of(&txn, &[k.filter_id])
        .await?
        .is_empty()
        && db::filters::statuses_of(&txn, &[k.filter_id])
            .await?
            .is_empty()
    {
        db::filters::delete(&txn, owner.id, k.filter_id).await?;
    }
    txn.commit().await?;
    changed(state, owner);
    Ok(())
}

/// A status entry of one of the owner's filters, or 404.
pub async fn filter_status(
    state: &AppState,
    owner: &accounts::Model,
    id: i64,
) -> AppResult<filter_statuses::Model> {
    let s = db::filters::find_status(&state.db.read, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    db::filters::find(&state.db.read, owner.id, s.filter_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(s)
}

pub async fn add_status(
    state: &AppState,
    owner: &accounts::Model,
    filter_id: i64,
    status_id: i64,
) -> AppResult<filter_statuses::Model> {
    let f = get(state, owner, filter_id).await?;
    // Only a status the owner may see can be named.
    super::statuses::get(state, Some(owner), status_id).await?;
    if f.statuses.iter().any(|s| s.status_id == status_id) {
        return Err(AppError::validation(
            "Validation failed: Status has already been taken",
        ));
    }
    let s = db::filters::insert_status(
        &state.db.write,
        filter_statuses::ActiveModel {
            id: Set(state.ids.next()),
            filter_id: Set(f.filter.id),
            status_id: Set(status_id),
        },
    )
    .await?;
    changed(state, owner);
    Ok(s)
}

pub async fn remove_status(state: &AppState, owner: &accounts::Model, id: i64) -> AppResult<()> {
    let s = filter_status(state, owner, id).await?;
    db::filters::delete_status(&state.db.write, s.id).await?;
    changed(state, owner);
    Ok(())
}

/// One filter that matched a status.
#[derive(Clone, Debug)]
pub struct FilterMatch {
    pub filter: FilterView,
    pub keyword_matches: Vec<String>,
    pub status_matches: Vec<String>,
}

/// A viewer's active filters, ready to match statuses.
#[derive(Debug, Default)]
pub struct FilterSet {
    filters: Vec<(FilterView, Vec<(String, Regex)>)>,
}

fn keyword_regex(k: &filter_keywords::Model) -> Option<Regex> {
    let word = regex::escape(k.keyword.trim());
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let trimmed = k.keyword.trim();
    let pattern = if k.whole_word {
        format!(
            "(?i){}{word}{}",
            if is_word(trimmed.chars().next()) {
                r"\b"
            } else {
                ""
            },
            if is_word(trimmed.chars().last()) {
                r"\b"
            } else {
                ""
            },
        )
    } else {
        format!("(?i){word}")
    };
    Regex::new(&pattern).ok()
}

impl FilterSet {
    /// The viewer's unexpired filters (three queries).
    pub async fn load(state: &AppState, viewer: &accounts::Model) -> AppResult<FilterSet> {
        let rows = db::filters::active_for(&state.db.read, viewer.id, db::now()).await?;
        if rows.is_empty() {
            return Ok(FilterSet::default());
        }
        Ok(FilterSet::of(views(state, rows).await?))
    }

    /// Ready to match with `filters`.
    pub fn of(filters: Vec<FilterView>) -> FilterSet {
        let filters = filters
            .into_iter()
            .map(|f| {
                let res = f
                    .keywords
                    .iter()
                    .filter_map(|k| keyword_regex(k).map(|r| (k.keyword.clone(), r)))
                    .collect();
                (f, res)
            })
            .collect();
        FilterSet { filters }
    }

    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// Every filter matching `status` (the shown status: the original of a reblog).
    pub fn matches(&self, status: &statuses::Model) -> Vec<FilterMatch> {
        if self.filters.is_empty() {
            return Vec::new();
        }
        let text = format!(
            "{}\n{}",
            status.spoiler_text,
            super::text::strip_html(
                &status
                    .content
                    .replace("<br", "\n<br")
                    .replace("</p>", "</p>\n")
            )
        );
        let mut out = Vec::new();
        for (f, res) in &self.filters {
            let keyword_matches: Vec<String> = res
                .iter()
                .filter(|(_, r)| r.is_match(&text))
                .map(|(k, _)| k.clone())
                .collect();
            let status_matches: Vec<String> = f
                .statuses
                .iter()
                .filter(|s| s.status_id == status.id)
                .map(|s| s.status_id.to_string())
                .collect();
            if !keyword_matches.is_empty() || !status_matches.is_empty() {
                out.push(FilterMatch {
                    filter: f.clone(),
                    keyword_matches,
                    status_matches,
                });
            }
        }
        out
    }
}

/// True when one of `matches` hides its status in `context`.
pub fn hidden_in(matches: &[FilterMatch], context: &str) -> bool {
    matches
        .iter()
        .any(|m| m.filter.hides() && m.filter.contexts().contains(&context))
}
