//! The style sheet and the script, compiled into the binary.
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

const CSS: &str = include_str!("static/kith.css");
const JS: &str = include_str!("static/kith.js");

pub async fn file(Path(name): Path<String>) -> Result<Response, AppError> {
    let (body, ct) = match name.as_str() {
        "kith.css" => (CSS, "text/css; charset=utf-8"),
        "kith.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return Err(AppError::not_found()),
    };
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    // Short: a new version of Kith reaches browsers within minutes.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(resp)
}
