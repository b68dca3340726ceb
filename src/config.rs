//! One typed configuration, read from (lowest to highest precedence) built-in
//! defaults, `config/default.toml`, a file named with `--config`, and `KITH_*`
//! environment variables. Every value from every layer goes through the same
//! parser, so a bad value is reported the same way wherever it came from: one
//! line naming the key and the form expected.
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// `http` only makes sense for local trials and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// How people may sign up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationMode {
    Open,
    Approval,
    Invite,
    Closed,
}

impl RegistrationMode {
    pub const ALL: [RegistrationMode; 4] = [
        RegistrationMode::Open,
        RegistrationMode::Approval,
        RegistrationMode::Invite,
        RegistrationMode::Closed,
    ];

    /// `open`, `approval`, `invite` or `closed`.
    pub fn parse(s: &str) -> Option<RegistrationMode> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Open => "open",
            RegistrationMode::Approval => "approval",
            RegistrationMode::Invite => "invite",
            RegistrationMode::Closed => "closed",
        }
    }
}

/// Where picture files are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaStorage {
    /// `<data_dir>/media`, served by Kith under `/system/`.
    Filesystem,
    /// An S3-compatible bucket.
    S3(S3Settings),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Settings {
    /// `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`, ...
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Where browsers fetch the files (the bucket's public URL or a CDN);
    /// without it Kith serves them itself under `/system/`.
    pub public_url: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Public host, with a port when it is not the scheme's default: `social.example.org`.
    pub domain: String,
    pub listen: SocketAddr,
    pub scheme: Scheme,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Most connections one process opens to PostgreSQL (SQLite uses one writer and a few readers).
    pub database_max_connections: u32,
    /// Let outgoing fetches and deliveries reach loopback and private addresses (tests, LANs).
    pub allow_private_addresses: bool,
    /// Serve ActivityPub documents only to signed requests (Mastodon's "secure mode").
    pub authorized_fetch: bool,
    pub instance_name: String,
    /// What the landing page and apps say about the instance (plain text).
    pub instance_description: String,
    /// Where people can reach the admins; shown to apps.
    pub contact_email: String,
    /// Where the source code of the Kith this instance runs is (AGPL section 13);
    /// shown to apps as the instance's `source_url`.
    pub source_url: String,
    pub registrations: RegistrationMode,
    pub max_status_chars: usize,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// API requests allowed per access token (or address) in five minutes.
    pub rate_limit: u32,
    pub media_storage: MediaStorage,
    /// Largest picture upload, in bytes.
    pub media_max_bytes: usize,
    /// Largest width × height accepted for a picture (larger ones are refused unread).
    pub media_max_pixels: u64,
    /// Originals with more pixels than this are downscaled.
    pub media_original_max_pixels: u64,
    /// Uploads never attached to a status are removed after this many hours.
    pub media_unattached_hours: u32,
    /// Host names resolved to fixed addresses by the outgoing HTTP client, like
    /// curl's `--resolve`. Set by tests that give loopback servers host names;
    /// not read from files or the environment.
    pub resolve: Vec<(String, std::net::IpAddr)>,
}

impl Default for Config {
    fn default() -> Self {
        let data_dir = PathBuf::from("./data");
        Config {
            domain: "localhost:8080".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            scheme: Scheme::Http,
            database_url: default_database_url(&data_dir),
            data_dir,
            database_max_connections: 10,
            allow_private_addresses: false,
            authorized_fetch: false,
            instance_name: "Kith".into(),
            instance_description: String::new(),
            contact_email: String::new(),
            source_url: String::new(),
            registrations: RegistrationMode::Open,
            max_status_chars: 500,
            max_body_bytes: 16 * 1024 * 1024 + 64 * 1024,
            rate_limit: 300,
            media_storage: MediaStorage::Filesystem,
            media_max_bytes: 16 * 1024 * 1024,
            media_max_pixels: 33_177_600,
            media_original_max_pixels: 8_294_400,
            media_unattached_hours: 24,
            resolve: Vec::new(),
        }
    }
}

fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}/kith.db", data_dir.display())
}

/// One line, naming the key and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The keys a file may set; the environment variable is `KITH_` + the upper-cased key.
pub const KEYS: &[&str] = &[
    "domain",
    "listen",
    "scheme",
    "data_dir",
    "database_url",
    "database_max_connections",
    "allow_private_addresses",
    "authorized_fetch",
    "instance_name",
    "instance_description",
    "contact_email",
    "source_url",
    "registrations",
    "max_status_chars",
    "max_body_bytes",
    "rate_limit",
    "media_storage",
    "media_max_bytes",
    "media_max_pixels",
    "media_original_max_pixels",
    "media_unattached_hours",
    "s3_endpoint",
    "s3_bucket",
    "s3_region",
    "s3_access_key_id",
    "s3_secret_access_key",
    "s3_public_url",
];

/// Where a raw value came from, for error messages.
#[derive(Clone, Debug)]
struct Raw {
    value: String,
    source: String,
}

impl Config {
    /// Loads every layer. `default_file` is `config/default.toml` (skipped when missing);
    /// `explicit_file` is `--config` (an error when missing).
    pub fn load(
        default_file: Option<&Path>,
        explicit_file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut raw: BTreeMap<&'static str, Raw> = BTreeMap::new();
        if let Some(path) = default_file
            && path.exists()
        {
            read_file_layer(path, &mut raw)?;
        }
        if let Some(path) = explicit_file {
            if !path.exists() {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            read_file_layer(path, &mut raw)?;
        }
        for (k, v) in env {
            let Some(key) = k.strip_prefix("KITH_") else {
                continue;
            };
            let key = key.to_ascii_lowercase();
            if let Some(known) = KEYS.iter().find(|x| **x == key) {
                raw.insert(
                    known,
                    Raw {
                        value: v,
                        source: k.clone(),
                    },
                );
            }
        }
        Self::from_raw(&raw)
    }

    /// Built-in defaults with the given `key = value` overrides; for tests.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut raw = BTreeMap::new();
        for (k, v) in pairs {
            let Some(known) = KEYS.iter().find(|x| *x == k) else {
                return Err(ConfigError(format!("unknown configuration key `{k}`")));
            };
            raw.insert(
                *known,
                Raw {
                    value: (*v).to_string(),
                    source: (*k).to_string(),
                },
            );
        }
        Self::from_raw(&raw)
    }

    fn from_raw(raw: &BTreeMap<&'static str, Raw>) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        let mut database_url_set = false;
        let mut scheme_set = false;
        let mut storage_kind = "filesystem";
        let mut s3 = S3Settings {
            endpoint: String::new(),
            bucket: String::new(),
            region: "us-east-1".into(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            public_url: None,
        };
        for (key, r) in raw {
            let bad = |expected: &str| {
                ConfigError(format!(
                    "invalid {} (from {}): expected {expected}, got {:?}",
                    key, r.source, r.value
                ))
            };
            let v = r.value.trim();
            match *key {
                "domain" => c.domain = parse_domain(v).ok_or_else(|| bad("a host name with an optional port, like social.example.org or localhost:8080"))?,
                "listen" => c.listen = v.parse().map_err(|_| bad("a socket address like 127.0.0.1:8080 or [::]:8080"))?,
                "scheme" => {
                    scheme_set = true;
                    c.scheme = match v {
                        "https" => Scheme::Https,
                        "http" => Scheme::Http,
                        _ => return Err(bad("`https` or `http`")),
                    }
                }
                "data_dir" => {
                    if v.is_empty() {
                        return Err(bad("a directory path"));
                    }
                    c.data_dir = PathBuf::from(v);
                }
                "database_url" => {
                    if !(v.starts_with("sqlite:") || v.starts_with("postgres://") || v.starts_with("postgresql://")) {
                        return Err(bad("a URL starting with sqlite:, postgres:// or postgresql://"));
                    }
                    c.database_url = v.to_string();
                    database_url_set = true;
                }
                "database_max_connections" => {
                    c.database_max_connections = v.parse().ok().filter(|n| *n >= 1 && *n <= 1000).ok_or_else(|| bad("a whole number from 1 to 1000"))?
                }
                "allow_private_addresses" => c.allow_private_addresses = parse_bool(v).ok_or_else(|| bad("`true` or `false`"))?,
                "authorized_fetch" => c.authorized_fetch = parse_bool(v).ok_or_else(|| bad("`true` or `false`"))?,
                "instance_name" => {
                    if v.is_empty() || v.chars().count() > 100 {
                        return Err(bad("a name of 1 to 100 characters"));
                    }
                    c.instance_name = v.to_string();
                }
                "instance_description" => {
                    if v.chars().count() > crate::service::instance::MAX_DESCRIPTION_CHARS {
                        return Err(bad("a description of at most 5000 characters"));
                    }
                    c.instance_description = v.to_string();
                }
                "contact_email" => {
                    if !(v.is_empty() || crate::service::accounts::looks_like_email(v)) {
                        return Err(bad("an email address, or empty"));
                    }
                    c.contact_email = v.to_string();
                }
                "source_url" => {
                    let ok = v.is_empty()
                        || url::Url::parse(v)
                            .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.has_host());
                    if !ok {
                        return Err(bad("an http(s) URL, or empty"));
                    }
                    c.source_url = v.to_string();
                }
                "registrations" => {
                    c.registrations = RegistrationMode::parse(v)
                        .ok_or_else(|| bad("one of `open`, `approval`, `invite`, `closed`"))?
                }
                "max_status_chars" => {
                    c.max_status_chars = v.parse().ok().filter(|n| *n >= 1 && *n <= 100_000).ok_or_else(|| bad("a whole number from 1 to 100000"))?
                }
                "rate_limit" => {
                    c.rate_limit = v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| bad("a whole number of requests per five minutes, at least 1"))?
                }
                "max_body_bytes" => {
                    c.max_body_bytes = v.parse().ok().filter(|n| *n >= 1024).ok_or_else(|| bad("a whole number of bytes, at least 1024"))?
                }
                "media_storage" => {
                    storage_kind = match v {
                        "filesystem" => "filesystem",
                        "s3" => "s3",
                        _ => return Err(bad("`filesystem` or `s3`")),
                    }
                }
                "media_max_bytes" => {
                    c.media_max_bytes = v.parse().ok().filter(|n| *n >= 1024).ok_or_else(|| bad("a whole number of bytes, at least 1024"))?
                }
                "media_max_pixels" => {
                    c.media_max_pixels = v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| bad("a whole number of pixels, at least 1"))?
                }
                "media_original_max_pixels" => {
                    c.media_original_max_pixels = v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| bad("a whole number of pixels, at least 1"))?
                }
                "media_unattached_hours" => {
                    c.media_unattached_hours = v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| bad("a whole number of hours, at least 1"))?
                }
                "s3_endpoint" => {
                    if !(v.starts_with("http://") || v.starts_with("https://")) {
                        return Err(bad("a URL starting with http:// or https://"));
                    }
                    s3.endpoint = v.trim_end_matches('/').to_string();
                }
                "s3_bucket" => s3.bucket = v.to_string(),
                "s3_region" => s3.region = v.to_string(),
                "s3_access_key_id" => s3.access_key_id = v.to_string(),
                "s3_secret_access_key" => s3.secret_access_key = v.to_string(),
                "s3_public_url" => {
                    if !(v.starts_with("http://") || v.starts_with("https://")) {
                        return Err(bad("a URL starting with http:// or https://"));
                    }
                    s3.public_url = Some(v.trim_end_matches('/').to_string());
                }
                _ => {}
            }
        }
        if storage_kind == "s3" {
            for (name, value) in [
                ("s3_endpoint", &s3.endpoint),
                ("s3_bucket", &s3.bucket),
                ("s3_access_key_id", &s3.access_key_id),
                ("s3_secret_access_key", &s3.secret_access_key),
            ] {
                if value.is_empty() {
                    return Err(ConfigError(format!(
                        "media_storage is s3 but {name} is not set"
                    )));
                }
            }
            c.media_storage = MediaStorage::S3(s3);
        }
        if !database_url_set {
            c.database_url = default_database_url(&c.data_dir);
        }
        if !scheme_set {
            c.scheme = default_scheme(&c.domain);
        }
        Ok(c)
    }

    /// `https://social.example.org`: no trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.domain)
    }
}

fn read_file_layer(path: &Path, raw: &mut BTreeMap<&'static str, Raw>) -> Result<(), ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", path.display())))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        ConfigError(format!(
            "config file {} is not valid TOML: {}",
            path.display(),
            e.message()
        ))
    })?;
    for (k, v) in table {
        let Some(known) = KEYS.iter().find(|x| **x == k) else {
            return Err(ConfigError(format!(
                "unknown key `{k}` in config file {} (known keys: {})",
                path.display(),
                KEYS.join(", ")
            )));
        };
        let value = match v {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(ConfigError(format!(
                    "invalid {k} in config file {}: expected a string, number or boolean, got {}",
                    path.display(),
                    other.type_str()
                )));
            }
        };
        raw.insert(
            known,
            Raw {
                value,
                source: path.display().to_string(),
            },
        );
    }
    Ok(())
}

/// Without an explicit scheme, a loopback domain (a local trial) gets `http`,
/// every real domain `https`.
fn default_scheme(domain: &str) -> Scheme {
    let host = match domain.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => domain,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Scheme::Http
    } else {
        Scheme::Https
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// `host[:port]`, lower-cased; no scheme, path, user or query.
fn parse_domain(v: &str) -> Option<String> {
    if v.is_empty() || v.contains(['/', '@', '?', '#', ' ']) {
        return None;
    }
    let url = url::Url::parse(&format!("http://{v}")).ok()?;
    let host = url.host_str()?;
    if host.is_empty() {
        return None;
    }
    Some(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None if v.ends_with(":80") => format!("{host}:80"),
        None => host.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_contract() {
        let c = Config::load(None, None, Vec::new()).unwrap();
        assert_eq!(c.domain, "localhost:8080");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            c.scheme,
            Scheme::Http,
            "a local trial on localhost needs no TLS"
        );
        assert_eq!(c.base_url(), "http://localhost:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url, "sqlite://./data/kith.db");
        assert!(!c.allow_private_addresses);
        assert_eq!(c.max_status_chars, 500);
    }

    #[test]
    fn environment_overrides_files_and_data_dir_moves_the_default_database() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kith.toml");
        std::fs::write(
            &file,
            "domain = \"file.example\"\nscheme = \"http\"\nmax_status_chars = 1000\n",
        )
        .unwrap();
        let env = vec![
            ("KITH_DOMAIN".to_string(), "Env.Example:8443".to_string()),
            ("KITH_DATA_DIR".to_string(), "/var/lib/kith".to_string()),
            ("UNRELATED".to_string(), "x".to_string()),
        ];
        let c = Config::load(None, Some(&file), env).unwrap();
        assert_eq!(c.domain, "env.example:8443");
        assert_eq!(c.scheme, Scheme::Http);
        assert_eq!(c.max_status_chars, 1000);
        assert_eq!(c.database_url, "sqlite:///var/lib/kith/kith.db");
        assert_eq!(c.base_url(), "http://env.example:8443");
    }

    #[test]
    fn the_shipped_config_files_load() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        let defaults = Config::load(Some(&dir.join("default.toml")), None, Vec::new()).unwrap();
        let builtin = Config::load(None, None, Vec::new()).unwrap();
        assert_eq!(
            format!("{defaults:?}"),
            format!("{builtin:?}"),
            "default.toml restates the built-in defaults"
        );
        let pg = Config::load(
            Some(&dir.join("default.toml")),
            Some(&dir.join("postgres.example.toml")),
            Vec::new(),
        )
        .unwrap();
        assert!(pg.database_url.starts_with("postgres://"));
        assert_eq!(pg.base_url(), "https://social.example.org");
    }

    #[test]
    fn real_domains_default_to_https() {
        assert_eq!(
            Config::from_pairs(&[("domain", "social.example.org")])
                .unwrap()
                .scheme,
            Scheme::Https
        );
        assert_eq!(
            Config::from_pairs(&[("domain", "127.0.0.1:9000")])
                .unwrap()
                .scheme,
            Scheme::Http
        );
        assert_eq!(
            Config::from_pairs(&[("domain", "kith.localhost")])
                .unwrap()
                .scheme,
            Scheme::Http
        );
        let explicit =
            Config::from_pairs(&[("domain", "localhost:8080"), ("scheme", "https")]).unwrap();
        assert_eq!(explicit.scheme, Scheme::Https);
    }

    #[test]
    fn bad_values_name_the_key_and_the_expected_form() {
        let env = vec![("KITH_LISTEN".to_string(), "nowhere".to_string())];
        let e = Config::load(None, None, env).unwrap_err().to_string();
        assert!(
            e.contains("listen") && e.contains("KITH_LISTEN") && e.contains("socket address"),
            "{e}"
        );
        assert!(!e.contains('\n'));

        let e = Config::from_pairs(&[("scheme", "gopher")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("scheme") && e.contains("`https` or `http`"),
            "{e}"
        );

        let e = Config::from_pairs(&[("allow_private_addresses", "maybe")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("allow_private_addresses"), "{e}");

        let e = Config::from_pairs(&[("domain", "https://x.example/path")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("domain"), "{e}");

        let e = Config::from_pairs(&[("database_url", "mysql://x")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("database_url"), "{e}");

        let e = Config::from_pairs(&[("contact_email", "nobody")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("contact_email"), "{e}");
        let e = Config::from_pairs(&[("source_url", "not a url")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("source_url"), "{e}");
        let c = Config::from_pairs(&[
            ("contact_email", "admin@club.example"),
            ("source_url", "https://code.club.example/kith"),
            ("instance_description", "A club."),
            ("registrations", "approval"),
        ])
        .unwrap();
        assert_eq!(c.contact_email, "admin@club.example");
        assert_eq!(c.source_url, "https://code.club.example/kith");
        assert_eq!(c.instance_description, "A club.");
        assert_eq!(c.registrations, RegistrationMode::Approval);
    }

    #[test]
    fn unknown_file_keys_and_broken_toml_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kith.toml");
        std::fs::write(&file, "domian = \"typo.example\"\n").unwrap();
        let e = Config::load(None, Some(&file), Vec::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("domian"), "{e}");

        std::fs::write(&file, "domain = \n").unwrap();
        let e = Config::load(None, Some(&file), Vec::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("not valid TOML"), "{e}");

        let missing = dir.path().join("missing.toml");
        assert!(Config::load(None, Some(&missing), Vec::new()).is_err());
        // The default file is optional.
        assert!(Config::load(Some(&missing), None, Vec::new()).is_ok());
    }
}
