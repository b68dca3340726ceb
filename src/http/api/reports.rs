//! `POST /api/v1/reports`.
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use super::params::{Params, flag};
use super::{Auth, entities, json};
use crate::error::{AppError, AppResult};
use crate::service::reports::{self as svc, NewReport, ReportView};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports", post(create))
}

/// The Report entity.
pub fn report_json(state: &AppState, r: &ReportView) -> Value {
    let strings = |ids: &[i64]| -> Value {
        if ids.is_empty() {
            Value::Null
        } else {
            json!(ids.iter().map(|i| i.to_string()).collect::<Vec<_>>())
        }
    };
    json!({
        "id": r.report.id.to_string(),
        "action_taken": r.report.action_taken_at.is_some(),
        "action_taken_at": r.report.action_taken_at.map(entities::time),
        "category": r.report.category,
        "comment": r.report.comment,
        "forwarded": r.report.forwarded,
        "created_at": entities::time(r.report.created_at),
        "status_ids": strings(&r.status_ids),
        "rule_ids": strings(&r.rule_ids),
        "collection_ids": null,
        "target_account": entities::account(state, &r.target),
    })
}

fn id_list(p: &Params, key: &str) -> AppResult<Vec<i64>> {
    p.strings(key)
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| AppError::validation(format!("{key}: {s} is not an id")))
        })
        .collect()
}

async fn create(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    let me = auth.user("write:reports")?;
    let target_id = p
        .str("account_id")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| AppError::validation("account_id is required"))?;
    let r = NewReport {
        target_id,
        status_ids: id_list(&p, "status_ids")?,
        comment: p.str("comment").unwrap_or_default(),
        category: p.str("category"),
        rule_ids: id_list(&p, "rule_ids")?,
        forward: match p.get("forward") {
            Some(v) => flag(v, "forward")?,
            None => false,
        },
    };
    let view = svc::create(&state, me, r).await?;
    Ok(json(report_json(&state, &view)))
}
