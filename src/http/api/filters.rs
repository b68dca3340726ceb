//! Filters: `/api/v2/filters` (with keyword and status sub-resources) and the
//! v1 view (`/api/v1/filters`), where a filter is one keyword of a v2 filter.
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::params::{Params, flag};
use super::{Auth, entities, json, parse_id};
use crate::error::{AppError, AppResult};
use crate::service::filters::{self as svc, FilterInput, KeywordInput};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/filters", get(index).post(create))
        .route("/api/v2/filters/{id}", get(show).put(update).delete(delete))
        .route(
            "/api/v2/filters/{id}/keywords",
            get(keywords).post(add_keyword),
        )
        .route(
            "/api/v2/filters/keywords/{id}",
            get(show_keyword).put(update_keyword).delete(delete_keyword),
        )
        .route(
            "/api/v2/filters/{id}/statuses",
            get(statuses).post(add_status),
        )
        .route(
            "/api/v2/filters/statuses/{id}",
            get(show_status).delete(delete_status),
        )
        .route("/api/v1/filters", get(index_v1).post(create_v1))
        .route(
            "/api/v1/filters/{id}",
            get(show_v1).put(update_v1).delete(delete_v1),
        )
}

fn opt_id(v: &Value) -> AppResult<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => s.parse().map(Some).map_err(|_| AppError::not_found()),
        Value::Number(n) => n.as_i64().map(Some).ok_or_else(AppError::not_found),
        _ => Err(AppError::validation("id must be an id")),
    }
}

fn input(p: &Params) -> AppResult<FilterInput> {
    let context = p.get("context").map(|_| p.strings("context"));
    let expires_in = match p.get("expires_in") {
        None => None,
        Some(Value::String(s)) if s.is_empty() => Some(None),
        Some(Value::Number(n)) => {
            Some(Some(n.as_i64().ok_or_else(|| {
                AppError::validation("expires_in must be a number")
            })?))
        }
        Some(Value::String(s)) => {
            Some(Some(s.parse::<i64>().map_err(|_| {
                AppError::validation("expires_in must be a number")
            })?))
        }
        Some(_) => return Err(AppError::validation("expires_in must be a number")),
    };
    let mut keywords = Vec::new();
    for k in p.list("keywords_attributes") {
        let get = |key: &str| k.get(key).filter(|v| !v.is_null());
        keywords.push(KeywordInput {
            id: get("id").map(opt_id).transpose()?.flatten(),
            keyword: get("keyword").and_then(|v| v.as_str().map(str::to_string)),
            whole_word: get("whole_word")
                .map(|v| flag(v, "whole_word"))
                .transpose()?,
            destroy: get("_destroy")
                .map(|v| flag(v, "_destroy"))
                .transpose()?
                .unwrap_or(false),
        });
    }
    Ok(FilterInput {
        title: p.str("title"),
        context,
        action: p.str("filter_action"),
        expires_in,
        keywords,
    })
}

async fn index(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let me = auth.user("read:filters")?;
    let fs = svc::all(&state, me).await?;
    Ok(json(
        fs.iter()
            .map(|f| entities::filter(f, true))
            .collect::<Vec<_>>(),
    ))
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:filters")?;
    let f = svc::get(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::filter(&f, true)))
}

async fn create(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    let f = svc::create(&state, me, input(&p)?).await?;
    Ok(json(entities::filter(&f, true)))
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    let f = svc::update(&state, me, parse_id(&id)?, input(&p)?).await?;
    Ok(json(entities::filter(&f, true)))
}

async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    svc::delete(&state, me, parse_id(&id)?).await?;
    Ok(json(json!({})))
}

async fn keywords(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:filters")?;
    let f = svc::get(&state, me, parse_id(&id)?).await?;
    Ok(json(
        f.keywords
            .iter()
            .map(entities::filter_keyword)
            .collect::<Vec<_>>(),
    ))
}

async fn add_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    let keyword = p
        .str("keyword")
        .ok_or_else(|| AppError::validation("Validation failed: Keyword can't be blank"))?;
    let whole_word = p.bool("whole_word")?.unwrap_or(true);
    let k = svc::add_keyword(&state, me, parse_id(&id)?, &keyword, whole_word).await?;
    Ok(json(entities::filter_keyword(&k)))
}

async fn show_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:filters")?;
    let k = svc::keyword(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::filter_keyword(&k)))
}

async fn update_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    let k = svc::update_keyword(
        &state,
        me,
        parse_id(&id)?,
        p.str("keyword"),
        p.bool("whole_word")?,
    )
    .await?;
    Ok(json(entities::filter_keyword(&k)))
}

async fn delete_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    svc::remove_keyword(&state, me, parse_id(&id)?).await?;
    Ok(json(json!({})))
}

async fn statuses(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:filters")?;
    let f = svc::get(&state, me, parse_id(&id)?).await?;
    Ok(json(
        f.statuses
            .iter()
            .map(entities::filter_status)
            .collect::<Vec<_>>(),
    ))
}

async fn add_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    let status_id = opt_id(p.get("status_id").unwrap_or(&Value::Null))?
        .ok_or_else(|| AppError::validation("Validation failed: Status can't be blank"))?;
    let s = svc::add_status(&state, me, parse_id(&id)?, status_id).await?;
    Ok(json(entities::filter_status(&s)))
}

async fn show_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:filters")?;
    let s = svc::filter_status(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::filter_status(&s)))
}

async fn delete_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    svc::remove_status(&state, me, parse_id(&id)?).await?;
    Ok(json(json!({})))
}

async fn index_v1(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let me = auth.user("read:filters")?;
    let fs = svc::all(&state, me).await?;
    Ok(json(
        fs.iter().flat_map(entities::filters_v1).collect::<Vec<_>>(),
    ))
}

/// A v1 filter is one keyword of a v2 filter, by the keyword's id.
async fn show_v1(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:filters")?;
    let k = svc::keyword(&state, me, parse_id(&id)?).await?;
    let f = svc::get(&state, me, k.filter_id).await?;
    entities::filters_v1(&f)
        .into_iter()
        .find(|v| v["id"] == json!(k.id.to_string()))
        .map(json)
        .ok_or_else(AppError::not_found)
}

fn v1_json(f: &svc::FilterView, keyword_id: i64) -> AppResult<Response> {
    entities::filters_v1(f)
        .into_iter()
        .find(|v| v["id"] == json!(keyword_id.to_string()))
        .map(json)
        .ok_or_else(AppError::not_found)
}

/// A v1 filter's fields as a v2 filter: `irreversible` means `hide`.
fn input_v1(p: &Params, keyword_id: Option<i64>) -> AppResult<FilterInput> {
    let mut input = input(p)?;
    let phrase = p.str("phrase");
    if keyword_id.is_none() && phrase.as_deref().is_none_or(|s| s.trim().is_empty()) {
        return Err(AppError::validation(
            "Validation failed: Phrase can't be blank",
        ));
    }
    if keyword_id.is_none() && input.context.is_none() {
        return Err(AppError::validation(
            "Validation failed: Context can't be blank",
        ));
    }
    input.action = match p.get("irreversible") {
        Some(v) if flag(v, "irreversible")? => Some("hide".into()),
        Some(_) => Some("warn".into()),
        None if keyword_id.is_none() => Some("warn".into()),
        None => None,
    };
    if keyword_id.is_none() {
        input.title = phrase.clone();
    }
    input.keywords = vec![KeywordInput {
        id: keyword_id,
        keyword: phrase,
        whole_word: p
            .get("whole_word")
            .map(|v| flag(v, "whole_word"))
            .transpose()?,
        destroy: false,
    }];
    Ok(input)
}

/// `POST /api/v1/filters`: a v2 filter titled by the phrase, with that one keyword.
async fn create_v1(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    let f = svc::create(&state, me, input_v1(&p, None)?).await?;
    let keyword = f.keywords.first().ok_or_else(AppError::not_found)?.id;
    v1_json(&f, keyword)
}

/// `PUT /api/v1/filters/:id`: changes the keyword, and the context, action and
/// expiry of the v2 filter it belongs to.
async fn update_v1(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    let k = svc::keyword(&state, me, parse_id(&id)?).await?;
    let f = svc::update(&state, me, k.filter_id, input_v1(&p, Some(k.id))?).await?;
    v1_json(&f, k.id)
}

/// `DELETE /api/v1/filters/:id`: removes the keyword, and the v2 filter with it
/// when nothing else is left in it.
async fn delete_v1(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:filters")?;
    svc::remove_keyword_and_empty_filter(&state, me, parse_id(&id)?).await?;
    Ok(json(json!({})))
}
