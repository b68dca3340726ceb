//! Scheduled statuses: kept with their uploads (which do not expire while they
//! wait), listed, moved, cancelled, and posted once due.
use entity::scheduled_statuses;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::json;

use crate::client::{Client, token};
use crate::common::{TestEnv, env};
use crate::schema::assert_conforms;

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([x as u8 * 30, y as u8 * 30, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// Makes a scheduled status due now.
async fn make_due(env: &TestEnv, id: &str) {
    let row = scheduled_statuses::Entity::find_by_id(id.parse::<i64>().unwrap())
        .one(&env.state.db.read)
        .await
        .unwrap()
        .unwrap();
    let mut m = row.into_active_model();
    m.scheduled_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    m.update(&env.state.db.write).await.unwrap();
}

#[tokio::test]
async fn statuses_are_scheduled_moved_cancelled_and_posted_when_due() {
    let env = env().await;
    let alice = env.user("alice").await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);
    let upload = kith::service::media::upload(
        &env.state,
        &alice,
        kith::service::media::NewMedia {
            file: kith::service::media::Upload {
                bytes: png().into(),
                content_type: Some("image/png".into()),
                file_name: Some("dot.png".into()),
            },
            description: Some("a dot".into()),
            focus: None,
        },
        kith::service::media::Wait::UntilDone,
    )
    .await
    .unwrap();

    let in_an_hour = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let (s, sch) = a
        .post(
            "/api/v1/statuses",
            json!({
                "status": "Good morning, later",
                "visibility": "unlisted",
                "media_ids": [upload.id.to_string()],
                "scheduled_at": in_an_hour,
            }),
        )
        .await;
    assert_eq!(s, 200, "{sch}");
    assert_conforms("ScheduledStatus", &sch);
    assert_eq!(sch["params"]["text"], "Good morning, later");
    assert_eq!(sch["params"]["visibility"], "unlisted");
    assert_eq!(sch["media_attachments"][0]["description"], "a dot");
    let id = sch["id"].as_str().unwrap().to_string();
    // Nothing is posted yet.
    assert_eq!(
        a.ok(&format!("/api/v1/accounts/{}/statuses", alice.id))
            .await,
        json!([])
    );
    assert_eq!(
        a.ok("/api/v1/scheduled_statuses").await[0]["id"],
        id.as_str()
    );

    // Too soon, unreadable times and over-long texts are refused.
    let soon = (chrono::Utc::now() + chrono::Duration::minutes(2)).to_rfc3339();
    for body in [
        json!({"status": "x", "scheduled_at": soon}),
        json!({"status": "x", "scheduled_at": "tomorrow"}),
        json!({"status": "x".repeat(600), "scheduled_at": in_an_hour}),
        json!({"status": "again", "media_ids": [upload.id.to_string()], "scheduled_at": in_an_hour}),
    ] {
        let (s, e) = a.post("/api/v1/statuses", body.clone()).await;
        assert_eq!(s, 422, "{body}: {e}");
    }
    assert_eq!(
        a.ok("/api/v1/scheduled_statuses")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The upload waits with it instead of expiring.
    let row = entity::media_attachments::Entity::find_by_id(upload.id)
        .one(&env.state.db.read)
        .await
        .unwrap()
        .unwrap();
    let mut m = row.into_active_model();
    m.created_at = Set(chrono::Utc::now() - chrono::Duration::days(3));
    m.update(&env.state.db.write).await.unwrap();
    assert_eq!(
        kith::service::media::expire_unattached(&env.state)
            .await
            .unwrap(),
        0
    );

    // Moved to tomorrow.
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    let (s, moved) = a
        .put(
            &format!("/api/v1/scheduled_statuses/{id}"),
            json!({"scheduled_at": tomorrow.to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 200, "{moved}");
    let at = chrono::DateTime::parse_from_rfc3339(moved["scheduled_at"].as_str().unwrap()).unwrap();
    assert!((at.timestamp() - tomorrow.timestamp()).abs() <= 1);

    // Due: posted with its picture, and gone from the list. (The server's own
    // loop may post it first; either way it is posted once.)
    make_due(&env, &id).await;
    kith::service::scheduled::publish_due(&env.state)
        .await
        .unwrap();
    assert_eq!(a.ok("/api/v1/scheduled_statuses").await, json!([]));
    let posted = a
        .ok(&format!("/api/v1/accounts/{}/statuses", alice.id))
        .await;
    assert_eq!(posted.as_array().unwrap().len(), 1);
    assert!(
        posted[0]["content"]
            .as_str()
            .unwrap()
            .contains("Good morning, later")
    );
    assert_eq!(posted[0]["visibility"], "unlisted");
    assert_eq!(
        posted[0]["media_attachments"][0]["id"],
        upload.id.to_string()
    );
    assert_eq!(
        kith::service::scheduled::publish_due(&env.state)
            .await
            .unwrap(),
        0,
        "once only"
    );

    // Cancelled ones are never posted; others' are not found.
    let (_, sch) = a
        .post(
            "/api/v1/statuses",
            json!({"status": "never mind", "scheduled_at": in_an_hour}),
        )
        .await;
    let id = sch["id"].as_str().unwrap().to_string();
    env.user("bob").await;
    let b = Client::new(&srv, token(&env, "bob", "read write").await);
    assert_eq!(
        b.get(&format!("/api/v1/scheduled_statuses/{id}")).await.0,
        404
    );
    assert_eq!(
        b.delete(&format!("/api/v1/scheduled_statuses/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        a.delete(&format!("/api/v1/scheduled_statuses/{id}"))
            .await
            .0,
        200
    );
    assert_eq!(
        a.get(&format!("/api/v1/scheduled_statuses/{id}")).await.0,
        404
    );
    assert_eq!(
        kith::service::scheduled::publish_due(&env.state)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        a.ok(&format!("/api/v1/accounts/{}/statuses", alice.id))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
