//! A small JSON Schema checker for the upstream Mastodon OpenAPI document
//! (tests/fixtures/mastodon-openapi-schema.json, v4.7.0): types, required
//! properties, enums, $ref, oneOf/anyOf/allOf, items, nullability. Enough to hold
//! every entity Kith returns to what Mastodon clients are written against.
use serde_json::Value;
use std::sync::OnceLock;

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/mastodon-openapi-schema.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

fn resolve(r: &str) -> &'static Value {
    let name = r.trim_start_matches("#/components/schemas/");
    &spec()["components"]["schemas"][name]
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "null" => v.is_null(),
        _ => true,
    }
}

fn check(schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>, depth: usize) {
    if depth > 12 {
        return;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        // A $ref beside a "type" (as the spec sometimes writes enums) is checked too.
        check(resolve(r), v, path, errors, depth + 1);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let ok = options.iter().any(|o| {
                let mut e = Vec::new();
                check(o, v, path, &mut e, depth + 1);
                e.is_empty()
            });
            if !ok {
                errors.push(format!("{path}: matches none of {key}"));
            }
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            check(s, v, path, errors, depth + 1);
        }
    }
    match schema.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => {
            errors.push(format!("{path}: expected {t}, got {v}"));
            return;
        }
        Some(Value::Array(ts)) if !ts.iter().filter_map(Value::as_str).any(|t| type_ok(t, v)) => {
            errors.push(format!("{path}: expected one of {ts:?}, got {v}"));
            return;
        }
        _ => {}
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !v.is_null()
        && !allowed.contains(v)
    {
        errors.push(format!("{path}: {v} is not one of {allowed:?}"));
    }
    if let Some(obj) = v.as_object() {
        if let Some(req) = schema.get("required").and_then(Value::as_array) {
            for r in req.iter().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    errors.push(format!("{path}: missing required {r}"));
                }
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, s) in props {
                if let Some(x) = obj.get(k) {
                    check(s, x, &format!("{path}.{k}"), errors, depth + 1);
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            check(items, x, &format!("{path}[{i}]"), errors, depth + 1);
        }
    }
}

/// Fails the test if `v` does not conform to the named component schema.
pub fn assert_conforms(component: &str, v: &Value) {
    let schema = resolve(component);
    assert!(!schema.is_null(), "no component {component} in the spec");
    let mut errors = Vec::new();
    check(schema, v, component, &mut errors, 0);
    assert!(
        errors.is_empty(),
        "{component} does not conform:\n{}\n{v:#}",
        errors.join("\n")
    );
}

#[test]
fn the_checker_catches_deviations() {
    let mut errors = Vec::new();
    check(
        resolve("Relationship"),
        &serde_json::json!({"id": 1, "following": "yes"}),
        "R",
        &mut errors,
        0,
    );
    assert!(
        errors.iter().any(|e| e.contains("R.id: expected string")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("missing required blocking")),
        "{errors:?}"
    );
}
