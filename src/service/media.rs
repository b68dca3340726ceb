//! Pictures as people use them: uploading attachments (processed off the
//! request path), describing them, attaching them to a status, avatars and
//! headers, remote attachments, and removing uploads never used.
use std::time::Duration;

use entity::media_attachments as media;
use sea_orm::{ConnectionTrait, IntoActiveModel, Set};
use serde_json::json;

use crate::db;
use crate::error::{AppError, AppResult};
use crate::media::process::{self, Bounds, Encoded, Inspected, Rejected};
use crate::state::AppState;

/// Mastodon's limit on alt text.
pub const MAX_DESCRIPTION_CHARS: usize = 1500;
/// Most attachments on one status.
pub const MAX_ATTACHMENTS: usize = 4;
/// The preview's longest side.
pub const PREVIEW_SIDE: u32 = 640;
pub const AVATAR_SIDE: u32 = 400;
pub const HEADER_SIZE: (u32, u32) = (1500, 500);

/// A file as it arrived.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    pub bytes: bytes::Bytes,
    /// The type the sender declared (`Content-Type` of the form part).
    pub content_type: Option<String>,
    pub file_name: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct NewMedia {
    pub file: Upload,
    pub description: Option<String>,
    /// `"x,y"`, each from -1.0 to 1.0.
    pub focus: Option<String>,
}

/// How long an upload request waits for processing before answering "still processing".
#[derive(Clone, Copy, Debug)]
pub enum Wait {
    UntilDone,
    UpTo(Duration),
}

fn bounds(state: &AppState) -> Bounds {
    Bounds {
        max_pixels: state.config.media_max_pixels,
        original_max_pixels: state.config.media_original_max_pixels,
    }
}

fn rejected(r: Rejected) -> AppError {
    AppError::Validation(format!("Validation failed: {}", r.0))
}

/// Size and sniffing checks that need no decoding: a refused file leaves nothing behind.
async fn check_upload(state: &AppState, file: &Upload) -> AppResult<Inspected> {
    let max = state.config.media_max_bytes;
    if file.bytes.len() > max {
        return Err(AppError::validation(format!(
            "Validation failed: File is too large (the limit is {} MB)",
            max / (1024 * 1024)
        )));
    }
    let b = bounds(state);
    let f = file.clone();
    super::blocking(move || {
        process::inspect(
            &f.bytes,
            f.content_type.as_deref(),
            f.file_name.as_deref(),
            b,
        )
    })
    .await?
    .map_err(rejected)
}

fn check_description(d: &Option<String>) -> AppResult<()> {
    if let Some(d) = d
        && d.chars().count() > MAX_DESCRIPTION_CHARS
    {
        return Err(AppError::validation(format!(
            "Validation failed: Description is too long (maximum is {MAX_DESCRIPTION_CHARS} characters)"
        )));
    }
    Ok(())
}

/// `"x,y"` with both in [-1, 1].
pub fn parse_focus(s: &str) -> AppResult<(f64, f64)> {
    let bad = || {
        AppError::validation(
            "Validation failed: Focus must be two numbers from -1.0 to 1.0, like 0.5,-0.2",
        )
    };
    let (x, y) = s.split_once(',').ok_or_else(bad)?;
    let x: f64 = x.trim().parse().map_err(|_| bad())?;
    let y: f64 = y.trim().parse().map_err(|_| bad())?;
    if !(-1.0..=1.0).contains(&x) || !(-1.0..=1.0).contains(&y) {
        return Err(bad());
    }
    Ok((x, y))
}

/// Stores a new upload. Files that are not supported images, lie about their
/// type or are too big are refused at once (422, nothing stored). Decoding and
/// resizing run on a blocking thread; the caller waits as `wait` says and gets
/// the row as it is then (`state` `processing` or `ready`). A file found
/// damaged while processing is refused with a 422 and removed when the caller
/// is still waiting; otherwise it is marked `failed`.
pub async fn upload(
    state: &AppState,
    account: &entity::accounts::Model,
    input: NewMedia,
    wait: Wait,
) -> AppResult<media::Model> {
    check_description(&input.description)?;
    let focus = input.focus.as_deref().map(parse_focus).transpose()?;
    let inspected = check_upload(state, &input.file).await?;
    let now = db::now();
    let id = state.ids.next();
    let mut meta = json!({});
    if let (Some((x, y)), Some(obj)) = (focus, meta.as_object_mut()) {
        obj.insert("focus".into(), json!({ "x": x, "y": y }));
    }
    let row = db::media::insert(
        &state.db.write,
        media::ActiveModel {
            id: Set(id),
            account_id: Set(account.id),
            status_id: Set(None),
            position: Set(0),
            kind: Set("image".into()),
            state: Set("processing".into()),
            content_type: Set(Some(inspected.format.mime().into())),
            file_key: Set(None),
            preview_key: Set(None),
            file_size: Set(None),
            remote_url: Set(None),
            description: Set(input.description.filter(|d| !d.trim().is_empty())),
            blurhash: Set(None),
            meta: Set(meta),
            error: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            scheduled_status_id: Set(None),
        },
    )
    .await?;
    let task = tokio::spawn(process_upload(
        state.clone(),
        row.clone(),
        input.file.bytes,
        inspected,
    ));
    let finished = match wait {
        Wait::UntilDone => Some(task.await),
        Wait::UpTo(d) => tokio::time::timeout(d, task).await.ok(),
    };
    match finished {
        None => Ok(row),
        Some(Ok(Ok(done))) => Ok(done),
        Some(Ok(Err(e))) => {
            // The caller hears of the failure now: leave nothing behind.
            db::media::delete(&state.db.write, id).await?;
            Err(e)
        }
        Some(Err(join)) => {
            db::media::delete(&state.db.write, id).await?;
            Err(AppError::internal(join))
        }
    }
}

/// Decodes, re-encodes and stores an upload, then marks its row ready (or failed).
async fn process_upload(
    state: AppState,
    row: media::Model,
    bytes: bytes::Bytes,
    inspected: Inspected,
) -> AppResult<media::Model> {
    let b = bounds(&state);
    let processed =
        super::blocking(move || process::process_attachment(&bytes, inspected, b, PREVIEW_SIDE))
            .await?;
    let processed = match processed {
        Ok(p) => p,
        Err(r) => {
            mark_failed(&state, &row, &r.0).await;
            return Err(rejected(r));
        }
    };
    let original_key = format!("media/{}/original.{}", row.id, processed.original.extension);
    let preview_key = format!("media/{}/small.{}", row.id, processed.preview.extension);
    let size = i64::try_from(processed.original.bytes.len()).unwrap_or(i64::MAX);
    let meta = meta_json(
        &processed.original,
        &processed.preview,
        row.meta.get("focus"),
    );
    let stored = async {
        state
            .media
            .put(
                &original_key,
                processed.original.bytes,
                processed.original.mime,
            )
            .await?;
        state
            .media
            .put(
                &preview_key,
                processed.preview.bytes,
                processed.preview.mime,
            )
            .await
    }
    .await;
    if let Err(e) = stored {
        state
            .media
            .delete_all(vec![original_key, preview_key])
            .await;
        mark_failed(&state, &row, "The file could not be stored").await;
        return Err(e);
    }
    let mut m = row.clone().into_active_model();
    m.state = Set("ready".into());
    // An animated GIF stays a GIF: apps show `image` URLs with their image
    // viewers, which animate it (`gifv` would make them expect a video).
    m.kind = Set("image".into());
    m.content_type = Set(Some(processed.original.mime.into()));
    m.file_key = Set(Some(original_key.clone()));
    m.preview_key = Set(Some(preview_key.clone()));
    m.file_size = Set(Some(size));
    m.blurhash = Set(Some(processed.blurhash));
    m.meta = Set(meta);
    m.updated_at = Set(db::now());
    match db::media::update(&state.db.write, m).await {
        Ok(saved) => Ok(saved),
        Err(e) => {
            // The row is gone (expired, or its account deleted): so are the files.
            state
                .media
                .delete_all(vec![original_key, preview_key])
                .await;
            Err(e.into())
        }
    }
}

async fn mark_failed(state: &AppState, row: &media::Model, why: &str) {
    let mut m = row.clone().into_active_model();
    m.state = Set("failed".into());
    m.error = Set(Some(why.to_string()));
    m.updated_at = Set(db::now());
    if let Err(e) = db::media::update(&state.db.write, m).await {
        tracing::debug!(error = %e, "could not mark an upload failed");
    }
}

fn dims(e: &Encoded) -> serde_json::Value {
    let (w, h) = (e.width, e.height);
    json!({
        "width": w,
        "height": h,
        "size": format!("{w}x{h}"),
        "aspect": if h == 0 { 0.0 } else { f64::from(w) / f64::from(h) },
    })
}

fn meta_json(
    original: &Encoded,
    preview: &Encoded,
    focus: Option<&serde_json::Value>,
) -> serde_json::Value {
    let mut meta = json!({ "original": dims(original), "small": dims(preview) });
    if let (Some(obj), Some(f)) = (meta.as_object_mut(), focus) {
        obj.insert("focus".into(), f.clone());
    }
    meta
}

/// One of the account's uploads (attached or not), or 404.
pub async fn get(
    state: &AppState,
    account: &entity::accounts::Model,
    id: i64,
) -> AppResult<media::Model> {
    db::media::find(&state.db.read, id)
        .await?
        .filter(|m| m.account_id == account.id)
        .ok_or_else(AppError::not_found)
}

/// Changes the alt text or focus point of an upload not yet attached.
pub async fn update(
    state: &AppState,
    account: &entity::accounts::Model,
    id: i64,
    description: Option<String>,
    focus: Option<String>,
) -> AppResult<media::Model> {
    check_description(&description)?;
    let focus = focus.as_deref().map(parse_focus).transpose()?;
    let row = get(state, account, id).await?;
    if row.status_id.is_some() {
        return Err(AppError::not_found());
    }
    let mut meta = row.meta.clone();
    let mut m = row.into_active_model();
    if let Some(d) = description {
        m.description = Set(Some(d).filter(|d| !d.trim().is_empty()));
    }
    if let (Some((x, y)), Some(obj)) = (focus, meta.as_object_mut()) {
        obj.insert("focus".into(), json!({ "x": x, "y": y }));
        m.meta = Set(meta);
    }
    m.updated_at = Set(db::now());
    Ok(db::media::update(&state.db.write, m).await?)
}

/// Deletes an upload not attached to a status, with its files.
pub async fn delete(state: &AppState, account: &entity::accounts::Model, id: i64) -> AppResult<()> {
    let row = get(state, account, id).await?;
    if row.status_id.is_some() {
        return Err(AppError::validation(
            "Media attachment is currently used by a status",
        ));
    }
    db::media::delete(&state.db.write, row.id).await?;
    state
        .media
        .delete_all(row.file_key.into_iter().chain(row.preview_key).collect())
        .await;
    Ok(())
}

/// Checks the uploads named in a new status: the author's, not yet attached,
/// processed, at most four, no repeats. Returns them in the order given.
pub async fn attachable(
    state: &AppState,
    account: &entity::accounts::Model,
    ids: &[i64],
) -> AppResult<Vec<media::Model>> {
    if ids.len() > MAX_ATTACHMENTS {
        return Err(AppError::validation(format!(
            "Validation failed: Cannot attach more than {MAX_ATTACHMENTS} files"
        )));
    }
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != ids.len() {
        return Err(AppError::validation(
            "Validation failed: The same file is attached twice",
        ));
    }
    let rows = db::media::find_owned(&state.db.read, account.id, ids).await?;
    let mut ordered = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(m) = rows.iter().find(|m| m.id == *id) else {
            return Err(AppError::validation(format!(
                "Validation failed: Media {id} does not exist or is not yours"
            )));
        };
        if m.status_id.is_some() {
            return Err(AppError::validation(format!(
                "Validation failed: Media {id} is already attached to a post"
            )));
        }
        if !m.is_ready() {
            return Err(AppError::validation(
                "Validation failed: Cannot attach files that have not finished processing. Try again in a moment!",
            ));
        }
        ordered.push(m.clone());
    }
    Ok(ordered)
}

/// Attaches checked uploads to a new status, inside its transaction.
pub(crate) async fn attach(
    conn: &impl ConnectionTrait,
    status_id: i64,
    media: &[media::Model],
) -> AppResult<()> {
    let ids: Vec<i64> = media.iter().map(|m| m.id).collect();
    let n = db::media::attach(conn, status_id, &ids).await?;
    if n != ids.len() as u64 {
        return Err(AppError::validation(
            "Validation failed: a file was attached to another post at the same time",
        ));
    }
    Ok(())
}

/// An attachment of a status from another server, as its Note describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteAttachment {
    pub url: String,
    pub media_type: Option<String>,
    pub description: Option<String>,
    pub blurhash: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub focus: Option<(f64, f64)>,
}

/// Records remote attachments of a status (by URL; files stay on their server).
pub(crate) async fn insert_remote(
    conn: &impl ConnectionTrait,
    state: &AppState,
    account_id: i64,
    status_id: i64,
    list: &[RemoteAttachment],
) -> AppResult<()> {
    let now = db::now();
    let rows = list
        .iter()
        .take(MAX_ATTACHMENTS * 4)
        .enumerate()
        .map(|(i, a)| {
            let kind = match a.media_type.as_deref() {
                Some(t) if t.starts_with("image/") => "image",
                Some(t) if t.starts_with("video/") => "video",
                Some(t) if t.starts_with("audio/") => "audio",
                None => "image",
                _ => "unknown",
            };
            let mut meta = json!({});
            if let (Some(w), Some(h), Some(obj)) = (a.width, a.height, meta.as_object_mut()) {
                let e = json!({ "width": w, "height": h, "size": format!("{w}x{h}"), "aspect": if h == 0 { 0.0 } else { f64::from(w) / f64::from(h) } });
                obj.insert("original".into(), e.clone());
                obj.insert("small".into(), e);
            }
            if let (Some((x, y)), Some(obj)) = (a.focus, meta.as_object_mut()) {
                obj.insert("focus".into(), json!({ "x": x, "y": y }));
            }
            media::ActiveModel {
                id: Set(state.ids.next()),
                account_id: Set(account_id),
                status_id: Set(Some(status_id)),
                position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
                kind: Set(kind.into()),
                state: Set("ready".into()),
                content_type: Set(a.media_type.clone()),
                file_key: Set(None),
                preview_key: Set(None),
                file_size: Set(None),
                remote_url: Set(Some(a.url.clone())),
                description: Set(a.description.clone()),
                blurhash: Set(a.blurhash.clone()),
                meta: Set(meta),
                error: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                scheduled_status_id: Set(None),
            }
        })
        .collect();
    db::media::insert_many(conn, rows).await?;
    Ok(())
}

/// The public URLs of an attachment: the file and its preview.
pub fn urls(state: &AppState, m: &media::Model) -> (Option<String>, Option<String>) {
    match (&m.file_key, &m.remote_url) {
        (Some(k), _) => {
            let url = state.media.url(k);
            let preview = m.preview_key.as_deref().map(|p| state.media.url(p));
            (Some(url.clone()), Some(preview.unwrap_or(url)))
        }
        (None, Some(r)) => (Some(r.clone()), Some(r.clone())),
        (None, None) => (None, None),
    }
}

/// The ActivityPub Documents for a status's attachments.
pub fn documents(
    state: &AppState,
    list: &[media::Model],
) -> Vec<crate::apub::objects::note::Attachment> {
    list.iter()
        .filter_map(|m| {
            let (url, _) = urls(state, m);
            Some(crate::apub::objects::note::Attachment::from_media(m, url?))
        })
        .collect()
}

/// Which profile picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileImage {
    Avatar,
    Header,
}

/// Processes and stores a new avatar or header; returns its public URL. The
/// caller saves the URL on the account and then calls [`forget_profile_image`]
/// with the old one.
pub async fn store_profile_image(
    state: &AppState,
    account: &entity::accounts::Model,
    which: ProfileImage,
    file: &Upload,
) -> AppResult<String> {
    let inspected = check_upload(state, file).await?;
    let b = bounds(state);
    let (w, h) = match which {
        ProfileImage::Avatar => (AVATAR_SIDE, AVATAR_SIDE),
        ProfileImage::Header => HEADER_SIZE,
    };
    let bytes = file.bytes.clone();
    let encoded =
        super::blocking(move || process::process_profile_image(&bytes, inspected, b, w, h))
            .await?
            .map_err(rejected)?;
    let name = match which {
        ProfileImage::Avatar => "avatar",
        ProfileImage::Header => "header",
    };
    let key = format!(
        "accounts/{}/{name}-{}.{}",
        account.id,
        state.ids.next(),
        encoded.extension
    );
    state.media.put(&key, encoded.bytes, encoded.mime).await?;
    Ok(state.media.url(&key))
}

/// Removes the file behind a replaced avatar or header, when it is ours.
pub async fn forget_profile_image(state: &AppState, old_url: Option<&str>) {
    if let Some(key) = old_url.and_then(|u| state.media.key_of_url(u))
        && key.starts_with("accounts/")
    {
        state.media.delete_all(vec![key.to_string()]).await;
    }
}

/// Removes uploads never attached that are older than the configured time,
/// files first. Returns how many were removed.
pub async fn expire_unattached(state: &AppState) -> AppResult<usize> {
    let hours = i64::from(state.config.media_unattached_hours);
    let before = db::now() - chrono::Duration::hours(hours);
    let mut removed = 0;
    loop {
        let batch = db::media::unattached_before(&state.db.read, before, 200).await?;
        if batch.is_empty() {
            return Ok(removed);
        }
        for m in batch {
            let keys: Vec<String> = m.file_key.into_iter().chain(m.preview_key).collect();
            state.media.delete_all(keys).await;
            db::media::delete(&state.db.write, m.id).await?;
            removed += 1;
        }
    }
}

/// The background loop that expires uploads, every 15 minutes until `stop`.
pub async fn run_expiry(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match expire_unattached(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "removed uploads never attached"),
            Err(e) => tracing::warn!(error = %e, "could not expire uploads"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(15 * 60)) => {}
            _ = stop.changed() => return,
        }
    }
}
