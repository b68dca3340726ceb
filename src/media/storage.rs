//! Where picture files live: one interface ([`object_store::ObjectStore`]) with
//! two backends picked by configuration, the local filesystem under the data
//! directory (the default) and S3-compatible object storage.
use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path as StorePath;
use object_store::{
    Attribute, AttributeValue, Attributes, ObjectStore, ObjectStoreExt, PutOptions, PutPayload,
};

use crate::config::{Config, MediaStorage};
use crate::error::{AppError, AppResult};

pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// Prefix of every file's public URL: `https://host/system` or the bucket's public URL.
    public_base: String,
    /// Whether Kith serves the files itself under `/system/`.
    pub served_here: bool,
    /// Whether the backend keeps a content type with each object.
    keeps_content_type: bool,
}

/// A stored file as read back for serving.
pub struct StoredFile {
    pub bytes: Bytes,
    pub etag: Option<String>,
}

impl Storage {
    pub fn from_config(config: &Config) -> Result<Storage, crate::Error> {
        let local_base = format!("{}/system", config.base_url());
        match &config.media_storage {
            MediaStorage::Filesystem => {
                let dir = config.data_dir.join("media");
                std::fs::create_dir_all(&dir).map_err(|e| {
                    crate::Error::Io(format!(
                        "cannot create media directory {}: {e}",
                        dir.display()
                    ))
                })?;
                let store =
                    object_store::local::LocalFileSystem::new_with_prefix(&dir).map_err(|e| {
                        crate::Error::Io(format!(
                            "cannot use media directory {}: {e}",
                            dir.display()
                        ))
                    })?;
                Ok(Storage {
                    store: Arc::new(store),
                    public_base: local_base,
                    served_here: true,
                    keeps_content_type: false,
                })
            }
            MediaStorage::S3(s3) => {
                let store = object_store::aws::AmazonS3Builder::new()
                    .with_endpoint(&s3.endpoint)
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(&s3.secret_access_key)
                    .with_allow_http(s3.endpoint.starts_with("http://"))
                    .with_virtual_hosted_style_request(false)
                    .build()
                    .map_err(|e| {
                        crate::Error::Io(format!("invalid S3 media storage settings: {e}"))
                    })?;
                let (public_base, served_here) = match &s3.public_url {
                    Some(u) => (u.trim_end_matches('/').to_string(), false),
                    None => (local_base, true),
                };
                Ok(Storage {
                    store: Arc::new(store),
                    public_base,
                    served_here,
                    keeps_content_type: true,
                })
            }
        }
    }

    /// The public URL of a stored file.
    pub fn url(&self, key: &str) -> String {
        format!("{}/{key}", self.public_base)
    }

    /// The key of one of our files, given its public URL.
    pub fn key_of_url<'a>(&self, url: &'a str) -> Option<&'a str> {
        url.strip_prefix(self.public_base.as_str())?
            .strip_prefix('/')
            .filter(|k| valid_key(k))
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> AppResult<()> {
        let mut opts = PutOptions::default();
        if self.keeps_content_type {
            opts.attributes = Attributes::from_iter([(
                Attribute::ContentType,
                AttributeValue::from(content_type.to_string()),
            )]);
        }
        self.store
            .put_opts(&StorePath::from(key), PutPayload::from(bytes), opts)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    /// `None` when there is no such file.
    pub async fn get(&self, key: &str) -> AppResult<Option<StoredFile>> {
        match self.store.get(&StorePath::from(key)).await {
            Ok(r) => {
                let etag = r.meta.e_tag.clone();
                let bytes = r.bytes().await.map_err(storage_error)?;
                Ok(Some(StoredFile { bytes, etag }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(storage_error(e)),
        }
    }

    /// Removes a file; a missing file is not an error.
    pub async fn delete(&self, key: &str) -> AppResult<()> {
        match self.store.delete(&StorePath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(storage_error(e)),
        }
    }

    /// Best-effort removal of several files (clean-up paths): failures are logged.
    pub async fn delete_all(&self, keys: Vec<String>) {
        for k in keys {
            if let Err(e) = self.delete(&k).await {
                tracing::warn!(key = %k, error = %e, "could not delete a media file");
            }
        }
    }
}

fn storage_error(e: object_store::Error) -> AppError {
    AppError::internal(format!("media storage: {e}"))
}

/// Keys are ours: lower-case letters, digits, `-`, `_`, `.` and `/`, no `..`.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && !key.contains("..")
        && !key.starts_with('/')
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_./".contains(&b))
}

/// The content type of one of our files, from its extension.
pub fn content_type_of(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, e)| e) {
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    }
}
