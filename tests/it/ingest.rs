//! Many inbox `Create`s at once: the remote-status writer writes those waiting
//! in one transaction, each in a savepoint (issue 7, benchmark scenario 1).
use std::collections::HashMap;
use std::sync::Arc;

use entity::{accounts, notifications, statuses};
use kith::apub::actors::parse_actor;
use kith::apub::signatures::{KeyCache, sign};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::common::{client, env};

const ACTORS: usize = 4;

fn actor_uri(a: usize) -> String {
    format!("http://remote.test/users/a{a}")
}

async fn remote_actors(state: &kith::AppState, public_pem: &str) -> Vec<accounts::Model> {
    let mut out = Vec::new();
    for a in 0..ACTORS {
        let uri = actor_uri(a);
        let doc = json!({
            "id": uri,
            "type": "Person",
            "preferredUsername": format!("a{a}"),
            "inbox": format!("{uri}/inbox"),
            "followers": format!("{uri}/followers"),
            "publicKey": {"id": format!("{uri}#main-key"), "owner": uri, "publicKeyPem": public_pem},
        });
        let profile = parse_actor(&doc).unwrap();
        out.push(
            kith::service::accounts::upsert_remote(state, profile)
                .await
                .unwrap(),
        );
    }
    out
}

fn create(actor: &str, n: usize, attributed_to: &str, mention: Option<&str>) -> serde_json::Value {
    let note = format!("{actor}/statuses/{n}");
    let mut tags = Vec::new();
    let mut cc = vec![json!(format!("{actor}/followers"))];
    if let Some(m) = mention {
        tags.push(json!({"type": "Mention", "href": m, "name": "@bob"}));
        cc.push(json!(m));
    }
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note}/activity"),
        "type": "Create",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": cc,
        "object": {
            "id": note,
            "type": "Note",
            "attributedTo": attributed_to,
            // Whole seconds, as Mastodon publishes: many posts share the instant.
            "published": "2026-11-29T12:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": cc,
            "content": format!("<p>post {n}</p>"),
            "tag": tags,
        }
    })
}

/// 200 signed Creates over 32 tasks: every tenth repeats the one before (the
/// same activity delivered twice, at once), a few are attributed to someone
/// else (a 401, in the middle of others' batches), some mention a local user.
/// Every good one is stored exactly once; repeats get a 202 and store nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_inbox_creates_are_each_stored_once_and_bad_ones_fail_alone() {
    let env = env().await;
    let bob = env.user("bob").await;
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    let srv = env.serve().await;
    let inbox = url::Url::parse(&srv.url("/inbox")).unwrap();
    let keys = KeyCache::default();

    const TOTAL: usize = 200;
    // (body, headers, expected status, the note's URI when it is a good one)
    let mut requests = Vec::new();
    for i in 0..TOTAL {
        let a = i % ACTORS;
        let actor = actor_uri(a);
        let (n, expect) = if i % 10 == 3 {
            (i - 1, 202) // the activity of i - 1 again
        } else if i % 50 == 7 {
            (i, 401)
        } else {
            (i, 202)
        };
        let actor = if i % 10 == 3 {
            actor_uri((i - 1) % ACTORS)
        } else {
            actor
        };
        let attributed = if expect == 401 {
            actor_uri(a + 1)
        } else {
            actor.clone()
        };
        let mention = n.is_multiple_of(5).then_some(bob.uri.as_str());
        let body = create(&actor, n, &attributed, mention).to_string();
        let headers = sign(
            &keys,
            "POST",
            &inbox,
            Some(body.as_bytes()),
            Some("application/activity+json"),
            &format!("{actor}#main-key"),
            &key.private_pem,
        )
        .unwrap();
        requests.push((body, headers, expect, format!("{actor}/statuses/{n}")));
    }
    let requests = Arc::new(requests);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (requests, next, url) = (requests.clone(), next.clone(), inbox.to_string());
        tasks.push(tokio::spawn(async move {
            let c = client();
            let mut answers = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((body, headers, _, _)) = requests.get(i) else {
                    return answers;
                };
                let mut req = c
                    .post(&url)
                    .header("content-type", "application/activity+json")
                    .body(body.clone());
                for (k, v) in headers {
                    req = req.header(*k, v);
                }
                let r = req.send().await.unwrap();
                answers.push((i, r.status().as_u16(), r.text().await.unwrap()));
            }
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.extend(t.await.unwrap());
    }
    assert_eq!(answers.len(), TOTAL);
    for (i, status, text) in &answers {
        assert_eq!(*status, requests[*i].2, "request {i}: {text}");
    }

    let good: HashMap<&str, usize> = requests
        .iter()
        .filter(|r| r.2 == 202)
        .map(|r| (r.3.as_str(), 0))
        .collect();
    let stored: Vec<statuses::Model> = statuses::Entity::find()
        .filter(statuses::Column::AccountId.is_in(actors.iter().map(|a| a.id)))
        .all(&env.state.db.read)
        .await
        .unwrap();
    let mut seen = good.clone();
    for s in &stored {
        *seen
            .get_mut(s.uri.as_str())
            .expect("only good notes are stored") += 1;
    }
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    assert_eq!(stored.len(), good.len());
    // Distinct ids although every post has the same `published`.
    let mut ids: Vec<i64> = stored.iter().map(|s| s.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), stored.len());
    // Each stored post's activity is recorded; the refused ones' are not.
    for (body, _, expect, _) in requests.iter() {
        let id = serde_json::from_str::<serde_json::Value>(body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let received = kith::db::deliveries::was_received(&env.state.db.read, &id)
            .await
            .unwrap();
        assert_eq!(received, *expect == 202, "{id}");
    }
    // One mention notification per stored post that mentions bob.
    let mentions_bob = good
        .keys()
        .filter(|uri| {
            let n: usize = uri.rsplit('/').next().unwrap().parse().unwrap();
            n.is_multiple_of(5)
        })
        .count() as u64;
    let notified = notifications::Entity::find()
        .filter(notifications::Column::AccountId.eq(bob.id))
        .count(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(notified, mentions_bob);
    // The actors' counters add up.
    let mut total = 0;
    for a in &actors {
        total += env.reload(a).await.statuses_count;
    }
    assert_eq!(total as usize, good.len());
}

/// A status that fails inside the writer (its author is gone: a foreign-key
/// violation) rolls back alone: written next to others in the same batch, it
/// gets its own 422, leaves no trace (its activity is not recorded), and the
/// others are stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_status_failing_in_a_batch_fails_alone() {
    let env = env().await;
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    let mut gone = actors[0].clone();
    gone.id = i64::MAX - 1;
    let mut tasks = Vec::new();
    for i in 0..64usize {
        let state = env.state.clone();
        let author = if i % 8 == 5 {
            gone.clone()
        } else {
            actors[i % ACTORS].clone()
        };
        tasks.push(tokio::spawn(async move {
            let activity = create(&author.uri, i, &author.uri, None);
            let status = kith::apub::inbox::read_note(&activity["object"], &author).unwrap();
            let activity_id = activity["id"].as_str().unwrap().to_string();
            let r = kith::service::statuses::receive_remote_create(
                &state,
                &author,
                status,
                &activity_id,
            )
            .await;
            (i, activity_id, r)
        }));
    }
    let mut stored = 0;
    for t in tasks {
        let (i, activity_id, r) = t.await.unwrap();
        let received = kith::db::deliveries::was_received(&env.state.db.read, &activity_id)
            .await
            .unwrap();
        if i % 8 == 5 {
            let e = r.unwrap_err();
            assert_eq!(e.status(), 422, "{e}");
            assert!(!received, "{activity_id}");
        } else {
            assert!(r.unwrap(), "{activity_id}");
            assert!(received, "{activity_id}");
            stored += 1;
        }
    }
    let rows = statuses::Entity::find()
        .count(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(rows, stored);
}

/// A Create by `author` of note `n`, published `minute` minutes past noon,
/// read as the inbox reads it: (author, status, activity id).
fn create_at_hand(
    author: &accounts::Model,
    n: usize,
    minute: u32,
    mention: Option<&str>,
) -> (
    accounts::Model,
    kith::service::statuses::RemoteStatus,
    String,
) {
    let mut activity = create(&author.uri, n, &author.uri, mention);
    activity["object"]["published"] = json!(format!("2026-11-29T12:{minute:02}:00Z"));
    let status = kith::apub::inbox::read_note(&activity["object"], author).unwrap();
    let activity_id = activity["id"].as_str().unwrap().to_string();
    (author.clone(), status, activity_id)
}

/// Creates that reach the writer together share one batch, written with one
/// statement per table: each status is stored once with its conversation and
/// search entry, every author's count and last-status date add up (several
/// statuses per author in the batch), local followers get them in their home
/// feeds (except one who mutes the author), a mention notifies, and the same
/// activity twice in the batch stores once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_written_together_are_stored_once_with_counts_feeds_and_mentions() {
    use kith::service::relationships::{FollowOptions, follow, mute, receive_accept};
    let env = env().await;
    let bob = env.user("bob").await;
    let carol = env.user("carol").await;
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    for (reader, author) in [(&bob, &actors[0]), (&bob, &actors[1]), (&carol, &actors[1])] {
        follow(&env.state, reader, author.id, FollowOptions::default())
            .await
            .unwrap();
        receive_accept(&env.state, author, reader).await.unwrap();
    }
    mute(&env.state, &carol, actors[1].id, false, None)
        .await
        .unwrap();

    // Twelve posts by three actors, four each, the last of each at minute 9+.
    let mut creates: Vec<_> = (0..12usize)
        .map(|n| {
            let mention = (n == 4).then_some(bob.uri.as_str());
            create_at_hand(&actors[n % 3], n, n as u32, mention)
        })
        .collect();
    creates.push(creates[0].clone());
    let (together_before, one_by_one_before) = env.state.remote_writer.counts();
    let answers = kith::service::statuses::receive_remote_creates(&env.state, creates).await;
    assert_eq!(answers.len(), 13);
    assert!(answers.iter().all(|a| matches!(a, Ok(true))), "{answers:?}");
    let (together, one_by_one) = env.state.remote_writer.counts();
    assert_eq!(together - together_before, 13);
    assert_eq!(one_by_one, one_by_one_before);

    let stored: Vec<statuses::Model> = statuses::Entity::find()
        .filter(statuses::Column::AccountId.is_in(actors.iter().map(|a| a.id)))
        .all(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(stored.len(), 12);
    let mut uris: Vec<&str> = stored.iter().map(|s| s.uri.as_str()).collect();
    uris.sort_unstable();
    uris.dedup();
    assert_eq!(uris.len(), 12);
    let mut conversations: Vec<i64> = stored.iter().filter_map(|s| s.conversation_id).collect();
    conversations.sort_unstable();
    conversations.dedup();
    assert_eq!(conversations.len(), 12);
    let known = entity::conversations::Entity::find()
        .filter(entity::conversations::Column::Id.is_in(conversations.clone()))
        .count(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(known, 12);
    for (i, a) in actors.iter().take(3).enumerate() {
        let a = env.reload(a).await;
        assert_eq!(a.statuses_count, 4, "{}", a.uri);
        let last = format!("2026-11-29T12:{:02}:00Z", 9 + i);
        assert_eq!(
            a.last_status_at,
            Some(
                chrono::DateTime::parse_from_rfc3339(&last)
                    .unwrap()
                    .to_utc()
            ),
            "{}",
            a.uri
        );
    }
    assert_eq!(env.reload(&actors[3]).await.statuses_count, 0);
    // bob follows a0 and a1 (eight posts); carol mutes a1, her only followee.
    assert_eq!(env.home_ids(&bob).await.len(), 8);
    assert!(env.home_ids(&carol).await.is_empty());
    let notified = notifications::Entity::find()
        .filter(notifications::Column::AccountId.eq(bob.id))
        .count(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(notified, 1);
    assert_eq!(env.found_by_search(&bob, "post").await.len(), 12);
}

/// A remote post whose words would not fit in a PostgreSQL `tsvector`
/// (1 MiB of distinct words) is stored with the others of its batch, and is
/// found by the words that fit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_post_with_more_words_than_search_holds_is_stored_and_found() {
    let env = env().await;
    let bob = env.user("bob").await;
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    let mut creates: Vec<_> = (0..3usize)
        .map(|n| create_at_hand(&actors[0], n, n as u32, None))
        .collect();
    let huge: String = (0..150_000).map(|n| format!("w{n:07} ")).collect();
    creates[1].1.content_html = format!("<p>{huge}</p>");
    let answers = kith::service::statuses::receive_remote_creates(&env.state, creates).await;
    assert!(answers.iter().all(|a| matches!(a, Ok(true))), "{answers:?}");
    assert_eq!(env.found_by_search(&bob, "post").await.len(), 2);
    assert_eq!(env.found_by_search(&bob, "w0000007").await.len(), 1);
}

/// A status that fails in a batch written together (its author is gone)
/// sends the batch back to be written one status at a time: it alone fails,
/// the others are stored once, and the next batch is written together again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_status_in_a_batch_written_together_fails_alone() {
    let env = env().await;
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    let mut gone = actors[0].clone();
    gone.id = i64::MAX - 1;
    let creates: Vec<_> = (0..10usize)
        .map(|n| {
            let author = if n == 6 { &gone } else { &actors[n % ACTORS] };
            create_at_hand(author, n, 0, None)
        })
        .collect();
    let activity_ids: Vec<String> = creates.iter().map(|c| c.2.clone()).collect();
    let (_, one_by_one_before) = env.state.remote_writer.counts();
    let answers = kith::service::statuses::receive_remote_creates(&env.state, creates).await;
    assert_eq!(env.state.remote_writer.counts().1, one_by_one_before + 1);
    for (n, (answer, activity_id)) in answers.iter().zip(&activity_ids).enumerate() {
        let received = kith::db::deliveries::was_received(&env.state.db.read, activity_id)
            .await
            .unwrap();
        if n == 6 {
            assert!(matches!(answer, Err(e) if e.status() == 422), "{answer:?}");
            assert!(!received, "{activity_id}");
        } else {
            assert!(matches!(answer, Ok(true)), "{n}: {answer:?}");
            assert!(received, "{activity_id}");
        }
    }
    let rows = statuses::Entity::find()
        .count(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(rows, 9);

    let (together_before, _) = env.state.remote_writer.counts();
    let more: Vec<_> = (10..14usize)
        .map(|n| create_at_hand(&actors[n % ACTORS], n, 0, None))
        .collect();
    let answers = kith::service::statuses::receive_remote_creates(&env.state, more).await;
    assert!(answers.iter().all(|a| matches!(a, Ok(true))), "{answers:?}");
    assert_eq!(env.state.remote_writer.counts().0, together_before + 4);
    let mut total = 0;
    for a in &actors {
        total += env.reload(a).await.statuses_count;
    }
    assert_eq!(total, 13);
}

/// One post in two different activities of one batch (a relay and its
/// author, say): stored once, both activities recorded, both answered as
/// stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_post_in_two_activities_of_a_batch_is_stored_once() {
    let env = env().await;
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    let first = create_at_hand(&actors[0], 1, 0, None);
    let mut again = first.clone();
    again.2 = format!("{}/again", first.2);
    let other = create_at_hand(&actors[1], 2, 0, None);
    let ids = [first.2.clone(), again.2.clone(), other.2.clone()];
    let answers =
        kith::service::statuses::receive_remote_creates(&env.state, vec![first, again, other])
            .await;
    assert!(answers.iter().all(|a| matches!(a, Ok(true))), "{answers:?}");
    for id in &ids {
        assert!(
            kith::db::deliveries::was_received(&env.state.db.read, id)
                .await
                .unwrap(),
            "{id}"
        );
    }
    let rows = statuses::Entity::find()
        .count(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(rows, 2);
    assert_eq!(env.reload(&actors[0]).await.statuses_count, 1);
}

/// A status id that is taken already (by another process sharing the
/// database, or long ago by this one: ids from a publication time repeat
/// after a while) is tried again with a fresh one, for a status written alone
/// and for one in a batch written together. It used to answer 404: sea-orm
/// reported the conflict as "not found".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_status_id_is_tried_again_with_a_fresh_one() {
    use sea_orm::{IntoActiveModel, Set};
    let env = env().await;
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    let alice = env.user("alice").await;
    let in_the_way = env
        .post(&alice, "in the way", entity::Visibility::Public)
        .await;
    let published = chrono::DateTime::parse_from_rfc3339("2026-11-29T12:30:00Z")
        .unwrap()
        .to_utc();
    // The generator's next ids for that instant: next + 1 for the one written
    // alone, next + 2 to next + 4 for the batch of three.
    let next = env.state.ids.at(published);
    for taken in [next + 1, next + 3] {
        let mut m = in_the_way.clone().into_active_model();
        m.id = Set(taken);
        m.uri = Set(format!("{}/{taken}", in_the_way.uri));
        statuses::Entity::insert(m)
            .exec(&env.state.db.write)
            .await
            .unwrap();
    }

    let (author, status, activity_id) = create_at_hand(&actors[0], 1, 30, None);
    let alone =
        kith::service::statuses::receive_remote_create(&env.state, &author, status, &activity_id)
            .await;
    assert!(matches!(alone, Ok(true)), "{alone:?}");

    let (_, one_by_one_before) = env.state.remote_writer.counts();
    let batch: Vec<_> = (2..5usize)
        .map(|n| create_at_hand(&actors[n % ACTORS], n, 30, None))
        .collect();
    let answers = kith::service::statuses::receive_remote_creates(&env.state, batch).await;
    assert!(answers.iter().all(|a| matches!(a, Ok(true))), "{answers:?}");
    assert_eq!(env.state.remote_writer.counts().1, one_by_one_before + 1);
    let stored = statuses::Entity::find()
        .filter(statuses::Column::AccountId.is_in(actors.iter().map(|a| a.id)))
        .all(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(stored.len(), 4);
    assert!(stored.iter().all(|s| s.id != next + 1 && s.id != next + 3));
}

/// Two processes sharing one database (two `AppState`s, each with its own
/// writer and id generator) get the same 24 Creates at once, in opposite
/// orders, each as one batch written together: every post is stored once,
/// every activity recorded, and the counts add up.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_writing_the_same_batch_store_each_post_once() {
    let env = env().await;
    let other = kith::AppState::new((*env.state.config).clone())
        .await
        .unwrap();
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    let creates: Vec<_> = (0..24usize)
        .map(|n| create_at_hand(&actors[n % ACTORS], n, 0, None))
        .collect();
    let mut reversed = creates.clone();
    reversed.reverse();
    let (a, b) = tokio::join!(
        kith::service::statuses::receive_remote_creates(&env.state, creates.clone()),
        kith::service::statuses::receive_remote_creates(&other, reversed),
    );
    for answer in a.iter().chain(&b) {
        assert!(matches!(answer, Ok(true)), "{answer:?}");
    }
    let stored = statuses::Entity::find()
        .all(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(stored.len(), 24);
    let mut uris: Vec<&str> = stored.iter().map(|s| s.uri.as_str()).collect();
    uris.sort_unstable();
    uris.dedup();
    assert_eq!(uris.len(), 24);
    for (_, _, activity_id) in &creates {
        assert!(
            kith::db::deliveries::was_received(&env.state.db.read, activity_id)
                .await
                .unwrap()
        );
    }
    let mut total = 0;
    for a in &actors {
        total += env.reload(a).await.statuses_count;
    }
    assert_eq!(total, 24);
}

/// What the inbox reads for a `Create` with its Note inline, in one
/// statement: the signer's account (as sea-orm reads it by name, or `None`
/// when unknown), whether the activity was received and whether the Note is
/// stored; each flag turns on only for its own id.
#[tokio::test]
async fn a_create_reads_its_signer_and_its_checks_in_one_statement() {
    use kith::db::deliveries::signer_and_create_checks;
    let env = env().await;
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    let db = &env.state.db.read;
    let (author, status, activity_id) = create_at_hand(&actors[1], 1, 30, None);
    let note = status.uri.clone();

    let (signer, received, stored) = signer_and_create_checks(db, &author.uri, &activity_id, &note)
        .await
        .unwrap();
    let by_name = kith::db::accounts::find_by_uri(db, &author.uri)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signer.as_ref(), Some(&by_name));
    assert_eq!((received, stored), (false, false));
    let (unknown, ..) =
        signer_and_create_checks(db, "http://remote.test/users/nobody", &activity_id, &note)
            .await
            .unwrap();
    assert_eq!(unknown, None);

    // The activity stored with its Note: both flags, for these ids only.
    let answer =
        kith::service::statuses::receive_remote_create(&env.state, &author, status, &activity_id)
            .await;
    assert!(matches!(answer, Ok(true)), "{answer:?}");
    let (signer, received, stored) = signer_and_create_checks(db, &author.uri, &activity_id, &note)
        .await
        .unwrap();
    assert_eq!(signer.map(|s| s.id), Some(author.id));
    assert_eq!((received, stored), (true, true));
    let (_, received, stored) =
        signer_and_create_checks(db, &author.uri, &format!("{activity_id}/2"), &note)
            .await
            .unwrap();
    assert_eq!((received, stored), (false, true));
    let (_, received, stored) =
        signer_and_create_checks(db, &author.uri, &activity_id, &format!("{note}/2"))
            .await
            .unwrap();
    assert_eq!((received, stored), (true, false));
}
