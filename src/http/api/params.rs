//! Request parameters as apps send them to Mastodon: a JSON body, or a form or
//! query string with Rails' bracket syntax (`account_ids[]=1`,
//! `keywords_attributes[][keyword]=x`, `keywords_attributes[0][keyword]=x`),
//! read into one JSON object so handlers see the same shape either way.
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The query string and the body, merged (the body wins).
pub struct Params(pub Value);

impl FromRequest<AppState> for Params {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let mut out = Value::Object(Map::new());
        if let Some(q) = req.uri().query() {
            merge_form(&mut out, q.as_bytes());
        }
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params(out));
        }
        if ct.starts_with("application/json") {
            let v: Value = serde_json::from_slice(&body)
                .map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")))?;
            let Value::Object(fields) = v else {
                return Err(AppError::BadRequest(
                    "the JSON body must be an object".into(),
                ));
            };
            if let Value::Object(o) = &mut out {
                o.extend(fields);
            }
        } else if ct.starts_with("multipart/form-data") {
            return Err(AppError::Validation(
                "multipart bodies are not accepted here".into(),
            ));
        } else {
            merge_form(&mut out, &body);
        }
        Ok(Params(out))
    }
}

/// Splits `a[b][]` into `["a", "b", ""]`.
fn key_path(key: &str) -> Vec<&str> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (key.get(..i).unwrap_or(key), key.get(i..).unwrap_or("")),
        None => return vec![key],
    };
    let mut parts = vec![head];
    while let Some(stripped) = rest.strip_prefix('[') {
        let Some(end) = stripped.find(']') else { break };
        parts.push(stripped.get(..end).unwrap_or(""));
        rest = stripped.get(end + 1..).unwrap_or("");
    }
    parts
}

fn insert(target: &mut Value, path: &[&str], value: String) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if first.is_empty() {
        // An array step: `x[]=v` pushes; `x[][k]=v` adds to the last object
        // unless it already has `k` (then a new object starts), as Rails does.
        if !target.is_array() {
            *target = Value::Array(Vec::new());
        }
        let Value::Array(items) = target else { return };
        match rest.first() {
            None => items.push(Value::String(value)),
            Some(k) => {
                let needs_new = match items.last() {
                    Some(Value::Object(o)) => o.contains_key(*k),
                    _ => true,
                };
                if needs_new {
                    items.push(Value::Object(Map::new()));
                }
                if let Some(last) = items.last_mut() {
                    insert(last, rest, value);
                }
            }
        }
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(o) = target else { return };
    if rest.is_empty() {
        o.insert((*first).to_string(), Value::String(value));
    } else {
        let slot = o.entry((*first).to_string()).or_insert(Value::Null);
        insert(slot, rest, value);
    }
}

fn merge_form(out: &mut Value, bytes: &[u8]) {
    for (k, v) in url::form_urlencoded::parse(bytes) {
        let path = key_path(&k);
        insert(out, &path, v.into_owned());
    }
}

impl Params {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// A string parameter (numbers are accepted and written out).
    pub fn str(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A boolean as Rails reads one: `true`, `1`, `on` (and JSON booleans).
    pub fn bool(&self, key: &str) -> AppResult<Option<bool>> {
        self.get(key).map(|v| flag(v, key)).transpose()
    }

    /// A list parameter: `key[]`, `key` (one value, or a JSON array), or an
    /// object keyed by index (`key[0]`, `key[1]`).
    pub fn list(&self, key: &str) -> Vec<Value> {
        list_of(self.get(key))
    }

    /// A list of strings (ids, contexts).
    pub fn strings(&self, key: &str) -> Vec<String> {
        self.list(key)
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect()
    }
}

pub fn flag(v: &Value, key: &str) -> AppResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => Ok(n.as_i64() == Some(1)),
        Value::String(s) => match s.as_str() {
            "true" | "1" | "on" | "t" | "True" => Ok(true),
            "false" | "0" | "off" | "f" | "False" | "" => Ok(false),
            _ => Err(AppError::validation(format!("{key} must be a boolean"))),
        },
        _ => Err(AppError::validation(format!("{key} must be a boolean"))),
    }
}

pub fn list_of(v: Option<&Value>) -> Vec<Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Object(o)) => {
            let mut items: Vec<(i64, Value)> = o
                .iter()
                .map(|(k, v)| (k.parse::<i64>().unwrap_or(i64::MAX), v.clone()))
                .collect();
            items.sort_by_key(|(i, _)| *i);
            items.into_iter().map(|(_, v)| v).collect()
        }
        Some(other) => vec![other.clone()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Value {
        let mut v = Value::Object(Map::new());
        merge_form(&mut v, q.as_bytes());
        v
    }

    #[test]
    fn rails_brackets() {
        let v = parse(
            "title=x&context[]=home&context[]=public&keywords_attributes[][keyword]=a&keywords_attributes[][whole_word]=false&keywords_attributes[][keyword]=b",
        );
        assert_eq!(v["title"], "x");
        assert_eq!(v["context"], serde_json::json!(["home", "public"]));
        assert_eq!(
            v["keywords_attributes"],
            serde_json::json!([{"keyword": "a", "whole_word": "false"}, {"keyword": "b"}])
        );
        let v = parse("keywords_attributes[1][keyword]=b&keywords_attributes[0][keyword]=a");
        let items = list_of(v.get("keywords_attributes"));
        assert_eq!(items[0]["keyword"], "a");
        assert_eq!(items[1]["keyword"], "b");
        assert_eq!(key_path("a[b"), vec!["a"]);
    }
}
