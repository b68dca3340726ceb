//! Pictures over the real API: uploads decoded safely, turned upright, stripped
//! of metadata, resized, stored (filesystem and S3), served with caching
//! headers, attached to statuses, used as avatars and headers, and expired.
use std::io::Cursor;
use std::time::{Duration, Instant};

use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::Value;

use crate::common::{Running, TestEnv, client, env, env_with, token};
use crate::schema::assert_conforms;

// ---- images made by the test ----

fn encode(img: &DynamicImage, f: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), f).unwrap();
    out
}

/// Left half red, right half blue: which way is up is visible after rotation.
fn halves(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    }))
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A JPEG whose EXIF says "rotate 90° clockwise to view" and carries a camera
/// make and a GPS position.
fn rotated_jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let jpeg = encode(&halves(w, h), ImageFormat::Jpeg);
    let mut tiff: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = Vec::new();
        e.extend_from_slice(&tag.to_le_bytes());
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&value.to_le_bytes());
        e
    };
    // IFD0 at 8: Make, Orientation, GPS pointer (2 + 3*12 + 4 = 42 bytes) -> data at 50.
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend(entry(0x010F, 2, 15, 50));
    tiff.extend(entry(0x0112, 3, 1, 6));
    tiff.extend(entry(0x8825, 4, 1, 66));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(b"KITHTESTCAMERA\0\0");
    // GPS IFD at 66: LatitudeRef, Latitude (2 + 2*12 + 4 = 30) -> data at 96.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    tiff.extend(entry(0x0002, 5, 3, 96));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for (n, d) in [(48u32, 1u32), (51, 1), (2412, 100)] {
        tiff.extend_from_slice(&n.to_le_bytes());
        tiff.extend_from_slice(&d.to_le_bytes());
    }
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend(app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn transparent_png() -> Vec<u8> {
    let img = RgbaImage::from_fn(120, 80, |x, _| {
        if x < 60 {
            Rgba([0, 200, 0, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    encode(&DynamicImage::ImageRgba8(img), ImageFormat::Png)
}

fn animated_gif(frames: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut out);
        enc.set_repeat(image::codecs::gif::Repeat::Infinite)
            .unwrap();
        for i in 0..frames {
            let shade = u8::try_from(i * 60 % 256).unwrap();
            let buf = RgbaImage::from_pixel(64, 48, Rgba([shade, 100, 200, 255]));
            enc.encode_frame(image::Frame::from_parts(
                buf,
                0,
                0,
                image::Delay::from_numer_denom_ms(100, 1),
            ))
            .unwrap();
        }
    }
    out
}

/// A PNG header claiming 20000×20000 pixels (a decompression bomb's shape).
fn bomb_png() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&20000u32.to_be_bytes());
    ihdr.extend_from_slice(&20000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A real PNG with its pixel data damaged (the IDAT checksum no longer matches).
fn damaged_png() -> Vec<u8> {
    let mut p = encode(&halves(64, 64), ImageFormat::Png);
    let at = p.windows(4).position(|w| w == b"IDAT").unwrap() + 8;
    for b in &mut p[at..at + 16] {
        *b ^= 0x5A;
    }
    p
}

// ---- the API ----

struct Client<'a> {
    srv: &'a Running,
    token: String,
    http: reqwest::Client,
}

impl Client<'_> {
    async fn upload(
        &self,
        path: &str,
        bytes: Vec<u8>,
        name: &str,
        mime: &str,
        description: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut form = Form::new().part(
            "file",
            Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str(mime)
                .unwrap(),
        );
        if let Some(d) = description {
            form = form.text("description", d.to_string());
        }
        let r = self
            .http
            .post(self.srv.url(path))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(self.srv.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// `POST /api/v1/statuses` with a JSON body.
    async fn post_status(&self, body: Value) -> StatusCode {
        self.http
            .post(self.srv.url("/api/v1/statuses"))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// Polls `GET /api/v1/media/:id` until processing is over.
    async fn ready(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (s, v) = self.get(&format!("/api/v1/media/{id}")).await;
            if s == StatusCode::OK {
                return v;
            }
            assert_eq!(s, StatusCode::PARTIAL_CONTENT, "{v}");
            assert!(Instant::now() < deadline, "media {id} still processing");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The bytes behind one of our public URLs (`http://kith.test/system/...`).
    async fn file(&self, url: &str) -> reqwest::Response {
        let path = url.strip_prefix("http://kith.test").unwrap_or(url);
        self.http.get(self.srv.url(path)).send().await.unwrap()
    }
}

async fn setup(env: &TestEnv, srv: &Running) -> (entity::accounts::Model, String) {
    let _ = srv;
    let alice = env.user("alice").await;
    (alice, token(env, "alice").await)
}

/// Backdates an upload by `hours`, as if it had been made that long ago.
async fn make_old(env: &TestEnv, id: i64, hours: i64) {
    let row = entity::media_attachments::Entity::find_by_id(id)
        .one(&env.state.db.read)
        .await
        .unwrap()
        .unwrap();
    let mut m = row.into_active_model();
    m.created_at = Set(chrono::Utc::now() - chrono::Duration::hours(hours));
    m.update(&env.state.db.write).await.unwrap();
}

fn media_files(env: &TestEnv) -> usize {
    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p)
            .map(|d| {
                d.flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&env.state.config.data_dir.join("media"))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn photos_are_turned_upright_stripped_resized_and_served() {
    let env = env().await;
    let srv = env.serve().await;
    let (_alice, tok) = setup(&env, &srv).await;
    let c = Client {
        srv: &srv,
        token: tok,
        http: client(),
    };

    // A 1600×1000 photo taken with the camera on its side, with GPS in its EXIF.
    let jpeg = rotated_jpeg_with_gps(1600, 1000);
    assert!(contains(&jpeg, b"KITHTESTCAMERA"));
    let (s, v) = c
        .upload(
            "/api/v2/media",
            jpeg,
            "holiday.jpg",
            "image/jpeg",
            Some("A red and blue flag"),
        )
        .await;
    assert!(s == StatusCode::OK || s == StatusCode::ACCEPTED, "{s} {v}");
    let v = c.ready(v["id"].as_str().unwrap()).await;
    assert_conforms("MediaAttachment", &v);
    assert_eq!(v["type"], "image");
    assert_eq!(v["description"], "A red and blue flag");
    assert_eq!(v["meta"]["original"]["width"], 1000, "{v}");
    assert_eq!(v["meta"]["original"]["height"], 1600);
    assert_eq!(v["meta"]["small"]["width"], 400);
    assert_eq!(v["meta"]["small"]["height"], 640);
    let hash = v["blurhash"].as_str().unwrap();
    assert_eq!(hash.len(), 28, "4x3 components: {hash}");

    let r = c.file(v["url"].as_str().unwrap()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let original = r.bytes().await.unwrap();
    assert!(!contains(&original, b"Exif"), "EXIF kept");
    assert!(!contains(&original, b"KITHTESTCAMERA"), "camera make kept");
    let img = image::load_from_memory(&original).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (1000, 1600));
    // Rotated 90° clockwise: the left (red) half is now on top.
    let top = img.get_pixel(500, 100);
    let bottom = img.get_pixel(500, 1500);
    assert!(top[0] > 150 && top[2] < 100, "top is {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom is {bottom:?}");

    let preview = c
        .file(v["preview_url"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(image::load_from_memory(&preview).unwrap().width(), 400);

    // Cached copies are revalidated with the ETag.
    let r = c
        .http
        .get(
            srv.url(
                v["url"]
                    .as_str()
                    .unwrap()
                    .strip_prefix("http://kith.test")
                    .unwrap(),
            ),
        )
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        c.http
            .get(srv.url("/system/../kith.db"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.http
            .get(srv.url("/system/media/1/none.jpg"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // Transparency is kept (PNG), an animation stays animated.
    let (s, v) = c
        .upload(
            "/api/v1/media",
            transparent_png(),
            "logo.png",
            "image/png",
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let png = c
        .file(v["url"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    let img = image::load_from_memory_with_format(&png, ImageFormat::Png)
        .unwrap()
        .to_rgba8();
    assert_eq!(img.get_pixel(100, 10)[3], 0, "transparency lost");
    assert_eq!(img.get_pixel(10, 10)[3], 255);

    let (s, v) = c
        .upload(
            "/api/v1/media",
            animated_gif(3),
            "wave.gif",
            "image/gif",
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let gif = c
        .file(v["url"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    let frames = image::AnimationDecoder::into_frames(
        image::codecs::gif::GifDecoder::new(Cursor::new(gif)).unwrap(),
    )
    .collect_frames()
    .unwrap();
    assert_eq!(frames.len(), 3);

    // Alt text can be changed while the upload is unattached.
    let r = c
        .http
        .put(srv.url(&format!("/api/v1/media/{}", v["id"].as_str().unwrap())))
        .bearer_auth(&c.token)
        .json(&serde_json::json!({"description": "A wave", "focus": "0.5,-0.25"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["description"], "A wave");
    assert_eq!(v["meta"]["focus"]["x"], 0.5);
}

#[tokio::test]
async fn bad_files_are_refused_and_leave_nothing_behind() {
    let env = env().await;
    let srv = env.serve().await;
    let (_alice, tok) = setup(&env, &srv).await;
    let c = Client {
        srv: &srv,
        token: tok,
        http: client(),
    };
    let before = env.count(entity::media_attachments::Entity).await;

    let text = b"just some words, not a picture".to_vec();
    let cases: Vec<(Vec<u8>, &str, &str, &str)> = vec![
        (bomb_png(), "bomb.png", "image/png", "too large"),
        (text, "notes.jpg", "image/jpeg", "not a supported image"),
        (transparent_png(), "photo.jpg", "image/jpeg", "PNG"),
        (damaged_png(), "broken.png", "image/png", "damaged"),
        (Vec::new(), "empty.png", "image/png", "empty"),
    ];
    for path in ["/api/v1/media", "/api/v2/media"] {
        for (bytes, name, mime, why) in &cases {
            let (s, v) = c.upload(path, bytes.clone(), name, mime, None).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path} {name}: {v}");
            let msg = v["error"].as_str().unwrap();
            assert!(msg.contains(why), "{name}: {msg}");
        }
    }
    assert_eq!(env.count(entity::media_attachments::Entity).await, before);
    assert_eq!(media_files(&env), 0);

    // No file at all, and the scope is enforced.
    let r = c
        .http
        .post(srv.url("/api/v2/media"))
        .bearer_auth(&c.token)
        .multipart(Form::new().text("description", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let read_only = {
        let app = kith::service::oauth::create_app(
            &env.state,
            "ro",
            "urn:ietf:wg:oauth:2.0:oob",
            "read",
            None,
        )
        .await
        .unwrap();
        kith::service::oauth::password_grant(
            &env.state,
            &app.app,
            "alice@example.org",
            "password-of-alice",
            None,
        )
        .await
        .unwrap()
        .access_token
    };
    let ro = Client {
        srv: &srv,
        token: read_only,
        http: client(),
    };
    let (s, _) = ro
        .upload(
            "/api/v2/media",
            transparent_png(),
            "a.png",
            "image/png",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn photos_attach_to_statuses_and_unused_uploads_expire() {
    let env = env().await;
    let srv = env.serve().await;
    let (alice, tok) = setup(&env, &srv).await;
    let c = Client {
        srv: &srv,
        token: tok,
        http: client(),
    };
    env.user("bob").await;
    let bob = Client {
        srv: &srv,
        token: token(&env, "bob").await,
        http: client(),
    };

    let (_, a) = c
        .upload(
            "/api/v1/media",
            encode(&halves(300, 200), ImageFormat::Png),
            "a.png",
            "image/png",
            Some("first"),
        )
        .await;
    let (_, b) = c
        .upload(
            "/api/v1/media",
            transparent_png(),
            "b.png",
            "image/png",
            Some("second"),
        )
        .await;
    let ids = [a["id"].as_str().unwrap(), b["id"].as_str().unwrap()];

    // Someone else's upload cannot be attached.
    assert_eq!(
        bob.post_status(serde_json::json!({"status": "mine now", "media_ids": [ids[0]]}))
            .await,
        422
    );

    // A form body, as many apps send it, with no text: photos alone are a post.
    let r = c
        .http
        .post(srv.url("/api/v1/statuses"))
        .bearer_auth(&c.token)
        .form(&[
            ("media_ids[]", ids[1]),
            ("media_ids[]", ids[0]),
            ("status", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let status: Value = r.json().await.unwrap();
    assert_conforms("Status", &status);
    let media = status["media_attachments"].as_array().unwrap();
    assert_eq!(media.len(), 2);
    assert_eq!(media[0]["description"], "second");
    assert_eq!(media[1]["description"], "first");

    // Attached files cannot be attached again, or edited through the media API.
    assert_eq!(
        c.post_status(serde_json::json!({"status": "again", "media_ids": [ids[0]]}))
            .await,
        422
    );
    let r = c
        .http
        .put(srv.url(&format!("/api/v1/media/{}", ids[0])))
        .bearer_auth(&c.token)
        .json(&serde_json::json!({"description": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // At most four.
    assert_eq!(
        c.post_status(
            serde_json::json!({"status": "many", "media_ids": ["1", "2", "3", "4", "5"]})
        )
        .await,
        422
    );

    // An unattached upload can be deleted; an attached one cannot.
    let (_, spare) = c
        .upload(
            "/api/v1/media",
            transparent_png(),
            "spare.png",
            "image/png",
            None,
        )
        .await;
    let del = |id: String| {
        c.http
            .delete(srv.url(&format!("/api/v1/media/{id}")))
            .bearer_auth(&c.token)
            .send()
    };
    assert_eq!(del(ids[0].to_string()).await.unwrap().status(), 422);
    assert_eq!(
        del(spare["id"].as_str().unwrap().to_string())
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(c.file(spare["url"].as_str().unwrap()).await.status(), 404);

    // The status shows them to others, in timelines too.
    let (s, v) = bob
        .get(&format!(
            "/api/v1/statuses/{}",
            status["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["media_attachments"].as_array().unwrap().len(), 2);
    let (_, tl) = bob
        .get(&format!("/api/v1/accounts/{}/statuses", alice.id))
        .await;
    assert_eq!(tl[0]["media_attachments"].as_array().unwrap().len(), 2);

    // An upload never attached expires after the configured time, files and all.
    let (_, stray) = c
        .upload(
            "/api/v1/media",
            transparent_png(),
            "stray.png",
            "image/png",
            None,
        )
        .await;
    let files_before = media_files(&env);
    let stray_id: i64 = stray["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        kith::service::media::expire_unattached(&env.state)
            .await
            .unwrap(),
        0
    );
    make_old(&env, stray_id, 25).await;
    assert_eq!(
        kith::service::media::expire_unattached(&env.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(media_files(&env), files_before - 2);
    assert_eq!(c.file(stray["url"].as_str().unwrap()).await.status(), 404);
    let (s, _) = c.get(&format!("/api/v1/media/{stray_id}")).await;
    assert_eq!(s, 404);
    // Attached ones stay.
    assert_eq!(
        c.file(media[0]["url"].as_str().unwrap()).await.status(),
        200
    );
}

#[tokio::test]
async fn avatars_and_headers_are_cropped_and_replaced() {
    let env = env().await;
    let srv = env.serve().await;
    let (_alice, tok) = setup(&env, &srv).await;
    let c = Client {
        srv: &srv,
        token: tok,
        http: client(),
    };

    let patch = |form: Form| {
        c.http
            .patch(srv.url("/api/v1/accounts/update_credentials"))
            .bearer_auth(&c.token)
            .multipart(form)
            .send()
    };
    let form = Form::new()
        .text("display_name", "Alice A.")
        .text("fields_attributes[0][name]", "Site")
        .text("fields_attributes[0][value]", "example.org")
        .part(
            "avatar",
            Part::bytes(rotated_jpeg_with_gps(900, 600))
                .file_name("me.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        )
        .part(
            "header",
            Part::bytes(encode(&halves(3000, 1500), ImageFormat::Png))
                .file_name("h.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let r = patch(form).await.unwrap();
    assert_eq!(r.status(), 200);
    let me: Value = r.json().await.unwrap();
    assert_conforms("CredentialAccount", &me);
    assert_eq!(me["display_name"], "Alice A.");
    assert_eq!(me["fields"][0]["name"], "Site");
    let avatar_url = me["avatar"].as_str().unwrap().to_string();
    assert!(
        avatar_url.starts_with("http://kith.test/system/accounts/"),
        "{avatar_url}"
    );
    let avatar = c.file(&avatar_url).await.bytes().await.unwrap();
    assert!(!contains(&avatar, b"KITHTESTCAMERA"));
    assert_eq!(
        image::load_from_memory(&avatar).unwrap().dimensions_pair(),
        (400, 400)
    );
    let header = c
        .file(me["header"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        image::load_from_memory(&header).unwrap().dimensions_pair(),
        (1500, 500)
    );

    // The person's actor carries them for other servers.
    let actor: Value = c
        .http
        .get(srv.url("/users/alice"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["icon"]["url"], avatar_url.as_str());

    // A new avatar replaces the old file; a bad one changes nothing.
    let form = Form::new().part(
        "avatar",
        Part::bytes(transparent_png())
            .file_name("new.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let me2: Value = patch(form).await.unwrap().json().await.unwrap();
    assert_ne!(me2["avatar"], avatar_url.as_str());
    assert_eq!(c.file(&avatar_url).await.status(), 404);
    let form = Form::new().text("display_name", "Changed?").part(
        "avatar",
        Part::bytes(bomb_png())
            .file_name("bomb.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let r = patch(form).await.unwrap();
    assert_eq!(r.status(), 422);
    let (_, me3) = c.get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(me3["display_name"], "Alice A.");
    assert_eq!(me3["avatar"], me2["avatar"]);
}

trait Dims {
    fn dimensions_pair(&self) -> (u32, u32);
}

impl Dims for DynamicImage {
    fn dimensions_pair(&self) -> (u32, u32) {
        (self.width(), self.height())
    }
}

/// An S3-compatible server (s3s-fs) in the test process, on 127.0.0.1.
async fn s3_server(root: &std::path::Path) -> std::net::SocketAddr {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    std::fs::create_dir_all(root.join("kith-media")).unwrap();
    let fs = s3s_fs::FileSystem::new(root).unwrap();
    let mut b = s3s::service::S3ServiceBuilder::new(fs);
    b.set_auth(s3s::auth::SimpleAuth::from_single(
        "test-key",
        "test-secret",
    ));
    let service = b.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let conn = http
                .serve_connection(TokioIo::new(socket), service.clone())
                .into_owned();
            tokio::spawn(async move {
                let _ = conn.await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn the_s3_backend_stores_and_serves_the_same_files() {
    let s3_root = tempfile::tempdir().unwrap();
    let addr = s3_server(s3_root.path()).await;
    let endpoint = format!("http://{addr}");
    let s3: [(&str, &str); 5] = [
        ("media_storage", "s3"),
        ("s3_endpoint", &endpoint),
        ("s3_bucket", "kith-media"),
        ("s3_access_key_id", "test-key"),
        ("s3_secret_access_key", "test-secret"),
    ];
    let env = env_with(&s3).await;
    let srv = env.serve().await;
    let (_alice, tok) = setup(&env, &srv).await;
    let c = Client {
        srv: &srv,
        token: tok,
        http: client(),
    };

    let (s, v) = c
        .upload(
            "/api/v1/media",
            rotated_jpeg_with_gps(800, 600),
            "p.jpg",
            "image/jpeg",
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let url = v["url"].as_str().unwrap();
    let key = url.strip_prefix("http://kith.test/system/").unwrap();
    // The object is in the bucket, not on the local disk.
    let in_bucket = std::fs::read(s3_root.path().join("kith-media").join(key)).unwrap();
    assert_eq!(media_files(&env), 0);
    let served = c.file(url).await;
    assert_eq!(served.status(), 200);
    let served = served.bytes().await.unwrap();
    assert_eq!(served.as_ref(), in_bucket.as_slice());
    assert_eq!(
        image::load_from_memory(&served).unwrap().dimensions_pair(),
        (600, 800)
    );

    // Expiry removes the object from the bucket too.
    let id: i64 = v["id"].as_str().unwrap().parse().unwrap();
    make_old(&env, id, 48).await;
    assert_eq!(
        kith::service::media::expire_unattached(&env.state)
            .await
            .unwrap(),
        1
    );
    assert!(!s3_root.path().join("kith-media").join(key).exists());

    // With a public URL configured, links point at the bucket instead.
    let mut with_public_url = s3.to_vec();
    with_public_url.push(("s3_public_url", "https://cdn.example/kith-media"));
    let env2 = env_with(&with_public_url).await;
    assert_eq!(
        env2.state.media.url("media/1/original.jpg"),
        "https://cdn.example/kith-media/media/1/original.jpg"
    );
}
