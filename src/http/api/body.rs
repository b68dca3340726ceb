//! Request bodies as apps send them: JSON, forms (with Rails-style `a[]` and
//! `a[b][c]` keys) and multipart forms with files.
use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderValue, header};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::AppError;
use crate::service::media::Upload;
use crate::state::AppState;

/// A request body as JSON, a form or a multipart form (files ignored), with
/// the rejection turned into our error body.
pub struct Body<T>(pub T);

/// A body that may carry files (multipart): the fields and the files by field name.
pub struct WithFiles<T>(pub T, pub HashMap<String, Upload>);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Body<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let WithFiles(v, _) = WithFiles::<T>::from_request(req, state).await?;
        Ok(Body(v))
    }
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for WithFiles<T> {
    type Rejection = AppError;

    async fn from_request(mut req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !req.headers().contains_key(header::CONTENT_TYPE) {
            // Apps often POST with no body and no content type (a favourite, a follow).
            req.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
        }
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ct.starts_with("application/json") {
            let axum::Json(v) = axum::Json::<T>::from_request(req, state)
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
            return Ok(WithFiles(v, HashMap::new()));
        }
        if ct.starts_with("multipart/form-data") {
            let mut mp = Multipart::from_request(req, state)
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
            let mut pairs = Vec::new();
            let mut files = HashMap::new();
            let bad = |e: axum::extract::multipart::MultipartError| {
                AppError::BadRequest(format!("malformed multipart body: {}", e.body_text()))
            };
            while let Some(field) = mp.next_field().await.map_err(bad)? {
                let name = field.name().unwrap_or("").to_string();
                if let Some(file_name) = field.file_name().map(str::to_string) {
                    let content_type = field.content_type().map(str::to_string);
                    let bytes = field.bytes().await.map_err(bad)?;
                    files.insert(
                        name,
                        Upload {
                            bytes,
                            content_type,
                            file_name: Some(file_name),
                        },
                    );
                } else {
                    pairs.push((name, field.text().await.map_err(bad)?));
                }
            }
            return Ok(WithFiles(from_pairs(pairs)?, files));
        }
        // Forms (and bodies without a content type, read as forms).
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let pairs = url::form_urlencoded::parse(&bytes).into_owned().collect();
        Ok(WithFiles(from_pairs(pairs)?, HashMap::new()))
    }
}

/// Flat keys go through the form deserializer as before; Rails-style keys
/// (`media_ids[]`, `fields_attributes[0][name]`) are nested into JSON first.
fn from_pairs<T: DeserializeOwned>(pairs: Vec<(String, String)>) -> Result<T, AppError> {
    if !pairs.iter().any(|(k, _)| k.contains('[')) {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter())
            .finish();
        return serde_urlencoded::from_str(&encoded)
            .map_err(|e| AppError::Validation(format!("Failed to deserialize form body: {e}")));
    }
    let mut root = Map::new();
    for (k, v) in pairs {
        insert_nested(&mut root, &k, v);
    }
    serde_json::from_value(Value::Object(root))
        .map_err(|e| AppError::Validation(format!("Failed to deserialize form body: {e}")))
}

/// `a[b][]` = v  →  {"a": {"b": [v]}}
fn insert_nested(root: &mut Map<String, Value>, key: &str, value: String) {
    let (head, rest) = match key.find('[') {
        Some(i) => key.split_at(i),
        None => (key, ""),
    };
    let mut path: Vec<&str> = vec![head];
    let mut r = rest;
    while let Some(stripped) = r.strip_prefix('[') {
        let Some(end) = stripped.find(']') else { break };
        let (seg, after) = stripped.split_at(end);
        path.push(seg);
        r = after.get(1..).unwrap_or("");
    }
    let mut cur = root;
    let last = path.len().saturating_sub(1);
    for (i, seg) in path.iter().enumerate() {
        let next_is_list = path.get(i + 1) == Some(&"");
        if i == last {
            cur.insert((*seg).to_string(), Value::String(value));
            return;
        }
        if next_is_list && i + 1 == last {
            let entry = cur
                .entry((*seg).to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            if !entry.is_array() {
                *entry = Value::Array(Vec::new());
            }
            if let Value::Array(a) = entry {
                a.push(Value::String(value));
            }
            return;
        }
        let entry = cur
            .entry((*seg).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(m) = entry else { return };
        cur = m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_rails_keys() {
        let v: Value = from_pairs(vec![
            ("status".into(), "hi".into()),
            ("media_ids[]".into(), "1".into()),
            ("media_ids[]".into(), "2".into()),
            ("fields_attributes[0][name]".into(), "a".into()),
            ("fields_attributes[0][value]".into(), "b".into()),
        ])
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"status": "hi", "media_ids": ["1", "2"], "fields_attributes": {"0": {"name": "a", "value": "b"}}})
        );
    }
}
