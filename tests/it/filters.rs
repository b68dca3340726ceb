//! Filters (v2) over the client API: CRUD with keywords and statuses, `warn`
//! results on statuses, `hide` really removing statuses from timelines,
//! notifications and streams, and the `filters_changed` event.
use entity::Visibility;
use kith::service::relationships::{FollowOptions, follow};
use serde_json::{Value, json};

use crate::client::{Client, next_event, socket, token};
use crate::common::env;
use crate::schema::assert_conforms;

#[tokio::test]
async fn filters_warn_hide_and_stream() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    follow(&env.state, &alice, bob.id, FollowOptions::default())
        .await
        .unwrap();
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);
    let mut ws = socket(&srv, &a.token, json!({"stream": "user"})).await;

    // Create with Rails-style form brackets.
    let (s, warn) = a
        .post_form(
            "/api/v2/filters",
            "title=Spoilers&context[]=home&context[]=public&filter_action=warn\
             &keywords_attributes[][keyword]=Finale&keywords_attributes[][whole_word]=true\
             &keywords_attributes[][keyword]=dragon&keywords_attributes[][whole_word]=false",
        )
        .await;
    assert_eq!(s, 200, "{warn}");
    assert_conforms("Filter", &warn);
    assert_eq!(warn["context"], json!(["home", "public"]));
    assert_eq!(warn["keywords"].as_array().unwrap().len(), 2);
    assert_eq!(warn["expires_at"], Value::Null);
    let changed = next_event(&mut ws, "filters_changed").await;
    assert_eq!(changed["stream"], json!(["user"]));
    assert!(changed.get("payload").is_none());
    let warn_id = warn["id"].as_str().unwrap().to_string();

    // And with JSON, expiring.
    let (s, hide) = a
        .post(
            "/api/v2/filters",
            json!({
                "title": "No crypto",
                "context": ["home", "notifications"],
                "filter_action": "hide",
                "expires_in": 3600,
                "keywords_attributes": [{"keyword": "crypto", "whole_word": true}],
            }),
        )
        .await;
    assert_eq!(s, 200, "{hide}");
    assert!(hide["expires_at"].is_string());
    let hide_id = hide["id"].as_str().unwrap().to_string();

    // Bad input is a 422, someone else's filter a 404.
    for bad in [
        json!({"title": "x", "context": ["everywhere"]}),
        json!({"title": "x", "context": []}),
        json!({"title": "", "context": ["home"]}),
        json!({"title": "x", "context": ["home"], "filter_action": "explode"}),
        json!({"title": "x", "context": ["home"], "expires_in": "soon"}),
    ] {
        let (s, body) = a.post("/api/v2/filters", bad.clone()).await;
        assert_eq!(s, 422, "{bad} -> {body}");
    }
    let b = Client::new(&srv, token(&env, "bob", "read write").await);
    let (s, _) = b.get(&format!("/api/v2/filters/{warn_id}")).await;
    assert_eq!(s, 404);

    // Statuses: a warn match carries `filtered`; a hide match leaves the home timeline.
    let finale = env
        .post(
            &bob,
            "Tonight: the FINALE, with a dragonfly",
            Visibility::Public,
        )
        .await;
    let finales = env
        .post(&bob, "the finales of all seasons", Visibility::Public)
        .await;
    let crypto = env.post(&bob, "buy crypto now", Visibility::Public).await;
    let plain = env.post(&bob, "nothing to see", Visibility::Public).await;

    let home = a.ok("/api/v1/timelines/home").await;
    let by_id = |id: i64| -> Option<Value> {
        home.as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == json!(id.to_string()))
            .cloned()
    };
    let f = by_id(finale.id).unwrap();
    assert_conforms("Status", &f);
    assert_eq!(f["filtered"][0]["filter"]["id"], warn_id.as_str());
    assert_eq!(f["filtered"][0]["filter"]["filter_action"], "warn");
    let mut matched: Vec<String> = f["filtered"][0]["keyword_matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    matched.sort();
    assert_eq!(matched, vec!["Finale", "dragon"]);
    // "finales" is not the whole word "finale".
    assert_eq!(by_id(finales.id).unwrap()["filtered"], json!([]));
    assert_eq!(by_id(plain.id).unwrap()["filtered"], json!([]));
    assert!(by_id(crypto.id).is_none(), "hidden in home");

    // The hide filter names home and notifications, not public: there it is a result.
    let public = a.ok("/api/v1/timelines/public").await;
    let c = public
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(crypto.id.to_string()))
        .expect("not hidden in public");
    assert_eq!(c["filtered"][0]["filter"]["filter_action"], "hide");
    assert_conforms("Status", c);

    // Streams: a hidden status never reaches the user stream (events arrive
    // in order, so everything streamed before the last post is seen).
    let more = env.post(&bob, "more crypto", Visibility::Public).await;
    let shown = env.post(&bob, "a fine day", Visibility::Public).await;
    let mut streamed = Vec::new();
    loop {
        let update = next_event(&mut ws, "update").await;
        let payload: Value = serde_json::from_str(update["payload"].as_str().unwrap()).unwrap();
        streamed.push(payload["id"].as_str().unwrap().to_string());
        if payload["id"] == json!(shown.id.to_string()) {
            break;
        }
    }
    assert_eq!(
        streamed,
        [finale.id, finales.id, plain.id, shown.id]
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
    );
    assert!(!streamed.contains(&more.id.to_string()));

    // Notifications: a mention matching a hide filter is not listed.
    env.post(&bob, "@alice crypto tips", Visibility::Public)
        .await;
    let mention = env.post(&bob, "@alice hello", Visibility::Public).await;
    let notes = a.ok("/api/v1/notifications").await;
    let notes = notes.as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["status"]["id"], mention.id.to_string());

    // A status filter.
    let (s, fs_entry) = a
        .post(
            &format!("/api/v2/filters/{warn_id}/statuses"),
            json!({"status_id": plain.id.to_string()}),
        )
        .await;
    assert_eq!(s, 200, "{fs_entry}");
    assert_conforms("FilterStatus", &fs_entry);
    let status = a.ok(&format!("/api/v1/statuses/{}", plain.id)).await;
    assert_eq!(
        status["filtered"][0]["status_matches"],
        json!([plain.id.to_string()])
    );
    let (s, _) = a
        .post(
            &format!("/api/v2/filters/{warn_id}/statuses"),
            json!({"status_id": plain.id.to_string()}),
        )
        .await;
    assert_eq!(s, 422, "twice");
    let entry_id = fs_entry["id"].as_str().unwrap();
    assert_eq!(
        a.ok(&format!("/api/v2/filters/statuses/{entry_id}")).await,
        fs_entry
    );
    let listed = a.ok(&format!("/api/v2/filters/{warn_id}/statuses")).await;
    assert_eq!(listed, json!([fs_entry]));
    let (s, _) = a
        .delete(&format!("/api/v2/filters/statuses/{entry_id}"))
        .await;
    assert_eq!(s, 200);
    let status = a.ok(&format!("/api/v1/statuses/{}", plain.id)).await;
    assert_eq!(status["filtered"], json!([]));

    // Keywords as a sub-resource.
    let (s, kw) = a
        .post(
            &format!("/api/v2/filters/{warn_id}/keywords"),
            json!({"keyword": "nothing", "whole_word": false}),
        )
        .await;
    assert_eq!(s, 200);
    assert_conforms("FilterKeyword", &kw);
    let kw_id = kw["id"].as_str().unwrap();
    let (s, kw2) = a
        .put(
            &format!("/api/v2/filters/keywords/{kw_id}"),
            json!({"keyword": "nothing to"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(kw2["keyword"], "nothing to");
    assert_eq!(kw2["whole_word"], false);
    let status = a.ok(&format!("/api/v1/statuses/{}", plain.id)).await;
    assert_eq!(
        status["filtered"][0]["keyword_matches"],
        json!(["nothing to"])
    );
    let kws = a.ok(&format!("/api/v2/filters/{warn_id}/keywords")).await;
    assert_eq!(kws.as_array().unwrap().len(), 3);
    let (s, _) = a.delete(&format!("/api/v2/filters/keywords/{kw_id}")).await;
    assert_eq!(s, 200);
    let (s, _) = b.get(&format!("/api/v2/filters/keywords/{kw_id}")).await;
    assert_eq!(s, 404);

    // Update: title, context, remove a keyword with `_destroy`.
    let dragon_id = warn["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["keyword"] == "dragon")
        .unwrap()["id"]
        .clone();
    let (s, updated) = a
        .put(
            &format!("/api/v2/filters/{warn_id}"),
            json!({
                "title": "Spoiler alert",
                "context": ["thread"],
                "keywords_attributes": [{"id": dragon_id, "_destroy": true}],
            }),
        )
        .await;
    assert_eq!(s, 200, "{updated}");
    assert_eq!(updated["title"], "Spoiler alert");
    assert_eq!(updated["context"], json!(["thread"]));
    assert_eq!(updated["keywords"].as_array().unwrap().len(), 1);
    let all = a.ok("/api/v2/filters").await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    for f in all.as_array().unwrap() {
        assert_conforms("Filter", f);
    }

    // v1, read-only: one filter per keyword.
    let v1 = a.ok("/api/v1/filters").await;
    assert_eq!(v1.as_array().unwrap().len(), 2);
    for f in v1.as_array().unwrap() {
        assert_conforms("V1Filter", f);
    }
    let crypto_v1 = v1
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["phrase"] == "crypto")
        .unwrap();
    assert_eq!(crypto_v1["irreversible"], true);
    let one = a
        .ok(&format!(
            "/api/v1/filters/{}",
            crypto_v1["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(&one, crypto_v1);

    // Deleting the hide filter brings the status back.
    let (s, _) = a.delete(&format!("/api/v2/filters/{hide_id}")).await;
    assert_eq!(s, 200);
    assert!(
        a.ids("/api/v1/timelines/home")
            .await
            .contains(&crypto.id.to_string())
    );
    let (s, _) = a.get(&format!("/api/v2/filters/{hide_id}")).await;
    assert_eq!(s, 404);
}
