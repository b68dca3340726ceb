//! The inbox and fetches of a single instance, against hand-made requests.
use crate::common::{client, env, env_with};

#[tokio::test]
async fn rfc9421_signatures_get_a_401_so_senders_fall_back() {
    let env = env().await;
    env.user("bob").await;
    let srv = env.serve().await;
    let body = r#"{"id":"http://peer.test/a/1","type":"Follow","actor":"http://peer.test/u","object":"http://kith.test/users/bob"}"#;
    let r = client()
        .post(srv.url("/users/bob/inbox"))
        .header("content-type", "application/activity+json")
        .header("date", kith::apub::signatures::http_date(std::time::SystemTime::now()))
        .header("content-digest", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")
        .header("signature-input", r#"sig1=("@method" "@target-uri" "content-digest");created=1700000000;keyid="http://peer.test/u#k""#)
        .header("signature", "sig1=:AAAA:")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let e: serde_json::Value = r.json().await.unwrap();
    assert!(e["error"].is_string());
}

#[tokio::test]
async fn fetches_refuse_private_addresses_unless_allowed() {
    let strict = env_with(&[("allow_private_addresses", "false")]).await;
    let target = env().await;
    target.user("bob").await;
    let srv = target.serve().await;
    let host = format!("localhost:{}", srv.addr.port());
    let e = kith::apub::actors::resolve_acct(&strict.state, "bob", &host)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("private address") || e.to_string().contains("could not be fetched"),
        "{e}"
    );
    let url = url::Url::parse(&format!("http://127.0.0.1:{}/users/bob", srv.addr.port())).unwrap();
    let e = kith::apub::fetch::fetch_object(&strict.state, &url)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("private address"), "{e}");

    // The same lookups work where private addresses are allowed (as in tests).
    let lax = env().await;
    let bob = kith::apub::actors::resolve_acct(&lax.state, "bob", &host).await;
    // The target's actor ids say kith.test, not localhost: the id check refuses it.
    assert!(bob.is_err());
    let e = kith::apub::fetch::fetch_object(&lax.state, &url)
        .await
        .unwrap_err();
    assert!(
        matches!(e, kith::apub::fetch::FetchError::WrongHost),
        "{e:?}"
    );
}
