//! `/api/v1/domain_blocks`: domains a person blocks.
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use super::params::Params;
use super::{Auth, PageParams, json, with_link};
use crate::error::{AppError, AppResult};
use crate::service::relationships as svc;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/domain_blocks",
        get(list).post(block).delete(unblock),
    )
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    let me = auth.user("read:blocks")?;
    let page = q.page()?;
    let rows = svc::blocked_domains(&state, me, &page).await?;
    let (first, last) = (rows.first().map(|r| r.0), rows.last().map(|r| r.0));
    Ok(with_link(
        json(rows.into_iter().map(|(_, d)| d).collect::<Vec<_>>()),
        &state,
        "/api/v1/domain_blocks",
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

fn domain(p: &Params) -> AppResult<String> {
    p.str("domain")
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| AppError::validation("domain is required"))
}

async fn block(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    let me = auth.user("write:blocks")?;
    svc::block_domain(&state, me, &domain(&p)?).await?;
    Ok(json(json!({})))
}

async fn unblock(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    let me = auth.user("write:blocks")?;
    svc::unblock_domain(&state, me, &domain(&p)?).await?;
    Ok(json(json!({})))
}
