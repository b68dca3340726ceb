//! The one error type. Every handler returns it; its `IntoResponse` writes the
//! Mastodon-style body `{"error": "..."}`. 5xx bodies stay generic, details go to the log.
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    /// Input that parsed but breaks a rule: 422, as Mastodon answers.
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("database error: {0}")]
    Database(DbErr),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn not_found() -> Self {
        AppError::NotFound("Record not found".into())
    }

    pub fn validation(msg: impl Into<String>) -> Self {
        AppError::Validation(msg.into())
    }

    pub fn internal(msg: impl std::fmt::Display) -> Self {
        AppError::Internal(msg.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<DbErr> for AppError {
    fn from(e: DbErr) -> Self {
        if matches!(e, DbErr::RecordNotFound(_)) {
            return AppError::not_found();
        }
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Validation("Validation failed: already exists".into())
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => AppError::Validation(
                "Validation failed: refers to a record that does not exist".into(),
            ),
            _ => AppError::Database(e),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            "Internal server error".to_string()
        } else {
            self.to_string()
        };
        // A 422 carries `details` (per-field errors), as Mastodon's ValidationError does.
        let body = if status == StatusCode::UNPROCESSABLE_ENTITY {
            serde_json::json!({ "error": message, "details": {} })
        } else {
            serde_json::json!({ "error": message })
        };
        (status, Json(body)).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_not_found_is_404_and_internal_errors_say_little() {
        assert_eq!(
            AppError::from(DbErr::RecordNotFound("x".into())).status(),
            StatusCode::NOT_FOUND
        );
        let e = AppError::from(DbErr::Custom("secret detail".into()));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let resp = e.into_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
