use entity::{Role, accounts, users};
use kith::AppError;
use kith::service::accounts::{
    NewUser, authenticate, list_users, register, reset_password, set_suspended,
};

use crate::common::env;

#[tokio::test]
async fn register_creates_an_account_a_login_and_a_key_pair() {
    let env = env().await;
    let (a, u) = register(
        &env.state,
        NewUser::new("Alice", " Alice@Example.ORG ", "correct horse"),
    )
    .await
    .unwrap();
    assert_eq!(a.username, "Alice");
    assert!(a.is_local());
    assert_eq!(a.uri, "http://kith.test/users/Alice");
    assert_eq!(a.url.as_deref(), Some("http://kith.test/@Alice"));
    assert_eq!(a.inbox_url, "http://kith.test/users/Alice/inbox");
    assert_eq!(
        a.shared_inbox_url.as_deref(),
        Some("http://kith.test/inbox")
    );
    assert!(a.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert!(
        a.private_key_pem
            .as_deref()
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    assert_eq!(u.email, "alice@example.org");
    assert!(
        u.password_hash.starts_with("$argon2id$"),
        "{}",
        u.password_hash
    );
    assert!(!u.password_hash.contains("correct horse"));
    assert_eq!(u.role, Role::User);
}

#[tokio::test]
async fn taken_names_and_addresses_are_refused_and_nothing_is_half_written() {
    let env = env().await;
    env.user("bob").await;
    for (name, email, why) in [
        (
            "BOB",
            "other@example.org",
            "Username has already been taken",
        ),
        ("robert", "BOB@example.org", "Email has already been taken"),
        ("bad name", "x@example.org", "letters"),
        ("carol", "x@example.org", "too short"),
    ] {
        let pw = if why == "too short" {
            "short"
        } else {
            "long enough"
        };
        let e = register(&env.state, NewUser::new(name, email, pw))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Validation(_)), "{name}: {e:?}");
        assert!(e.to_string().contains(why), "{name}: {e}");
    }
    assert_eq!(env.count(accounts::Entity).await, 1);
    assert_eq!(env.count(users::Entity).await, 1);
}

#[tokio::test]
async fn authenticate_by_email_or_username_and_refuse_everything_else() {
    let env = env().await;
    let alice = env.user("alice").await;
    let (a, _) = authenticate(&env.state, "ALICE@example.org", "password-of-alice")
        .await
        .unwrap();
    assert_eq!(a.id, alice.id);
    let (a, u) = authenticate(&env.state, "alice", "password-of-alice")
        .await
        .unwrap();
    assert_eq!(a.id, alice.id);
    assert!(
        u.last_sign_in_at.is_some(),
        "the first sign-in was recorded"
    );

    for (login, pw) in [
        ("alice", "wrong password"),
        ("nobody", "password-of-alice"),
        ("nobody@example.org", "x"),
    ] {
        let e = authenticate(&env.state, login, pw).await.unwrap_err();
        assert!(matches!(e, AppError::Unauthorized(_)), "{login}: {e:?}");
        assert_eq!(e.to_string(), "Invalid email or password");
    }

    set_suspended(&env.state, "alice", true).await.unwrap();
    let e = authenticate(&env.state, "alice", "password-of-alice")
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    set_suspended(&env.state, "alice", false).await.unwrap();
    authenticate(&env.state, "alice", "password-of-alice")
        .await
        .unwrap();

    let mut pending = NewUser::new("dave", "dave@example.org", "password-of-dave");
    pending.approved = false;
    register(&env.state, pending).await.unwrap();
    let e = authenticate(&env.state, "dave", "password-of-dave")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("pending approval"), "{e}");
}

#[tokio::test]
async fn reset_password_replaces_the_old_one() {
    let env = env().await;
    env.user("alice").await;
    assert!(reset_password(&env.state, "alice", "short").await.is_err());
    reset_password(&env.state, "alice", "a brand new password")
        .await
        .unwrap();
    assert!(
        authenticate(&env.state, "alice", "password-of-alice")
            .await
            .is_err()
    );
    authenticate(&env.state, "alice", "a brand new password")
        .await
        .unwrap();
    let e = reset_password(&env.state, "nobody", "a brand new password")
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)));
}

#[tokio::test]
async fn list_users_pairs_accounts_with_logins() {
    let env = env().await;
    env.user("alice").await;
    env.user("bob").await;
    let users = list_users(&env.state).await.unwrap();
    let names: Vec<_> = users
        .iter()
        .map(|(a, u)| (a.username.as_str(), u.email.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![("alice", "alice@example.org"), ("bob", "bob@example.org")]
    );
}

/// A burst of activities from an actor seen for the first time makes several
/// requests store it at once; each of them gets the one row (issue 7's ingest
/// benchmark found the losers of that race refused with a 401).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn storing_the_same_remote_actor_concurrently_gives_everyone_one_row() {
    let env = env().await;
    let key = kith::apub::keys::generate().unwrap();
    let doc = serde_json::json!({
        "id": "https://remote.example/users/burst",
        "type": "Person",
        "preferredUsername": "burst",
        "inbox": "https://remote.example/users/burst/inbox",
        "publicKey": {
            "id": "https://remote.example/users/burst#main-key",
            "owner": "https://remote.example/users/burst",
            "publicKeyPem": key.public_pem,
        },
    });
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let state = env.state.clone();
        let profile = kith::apub::actors::parse_actor(&doc).unwrap();
        tasks.push(tokio::spawn(async move {
            kith::service::accounts::upsert_remote(&state, profile).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().unwrap().id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let rows = accounts::Entity::find()
        .filter(accounts::Column::Uri.eq("https://remote.example/users/burst"))
        .count(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}
