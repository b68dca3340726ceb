//! HTTP signatures (draft-cavage, as Mastodon and every fediverse server speak
//! them): signing outgoing requests and verifying incoming ones. The signing
//! string comes from `http-signature-normalization`; the RSA work is ring's.
//! Parsed keys are cached: a private key per signing actor, a public key per
//! remote key id, so the hot path never re-parses PEM.
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use http_signature_normalization::Config as SigConfig;
use ring::signature::{self, RsaKeyPair, UnparsedPublicKey};
use sha2::{Digest, Sha256};

/// How old a signed request may be, and how far in the future its Date may lie.
pub const MAX_AGE: Duration = Duration::from_secs(12 * 60 * 60);
pub const MAX_SKEW: Duration = Duration::from_secs(60 * 60);
/// Entries a key cache keeps before it starts over.
const CACHE_CAP: usize = 20_000;

/// Why an incoming signature was refused. `DigestMismatch` is a 400, the rest 401.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("missing Signature header")]
    Missing,
    #[error("malformed Signature header: {0}")]
    Malformed(String),
    #[error("the Date header is missing or outside the allowed window")]
    BadDate,
    #[error("a signed POST must sign its Digest header")]
    DigestNotSigned,
    #[error("the Digest header does not match the body")]
    DigestMismatch,
    #[error("unsupported signature algorithm {0}")]
    Algorithm(String),
    #[error("the public key of {0} cannot be used")]
    BadKey(String),
    #[error("signature does not verify")]
    Invalid,
}

/// The PEM a public key was parsed from, and the parsed (PKCS#1) key.
type ParsedPublicKey = (Arc<str>, Arc<Vec<u8>>);

/// Parsed keys, shared by every request of a process.
#[derive(Default)]
pub struct KeyCache {
    private: Mutex<HashMap<String, Arc<RsaKeyPair>>>,
    /// key id -> (the PEM it was parsed from, the parsed key): a changed PEM is parsed again.
    public: Mutex<HashMap<String, ParsedPublicKey>>,
}

fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    B64.decode(body).ok()
}

fn cached<T: Clone>(
    map: &Mutex<HashMap<String, T>>,
    key: &str,
    make: impl FnOnce() -> Option<T>,
) -> Option<T> {
    if let Ok(m) = map.lock()
        && let Some(v) = m.get(key)
    {
        return Some(v.clone());
    }
    let v = make()?;
    if let Ok(mut m) = map.lock() {
        if m.len() >= CACHE_CAP {
            m.clear();
        }
        m.insert(key.to_string(), v.clone());
    }
    Some(v)
}

impl KeyCache {
    /// The signing key for `key_id`, parsed once from its PKCS#8 PEM.
    pub fn private_key(&self, key_id: &str, pem: &str) -> Option<Arc<RsaKeyPair>> {
        cached(&self.private, key_id, || {
            RsaKeyPair::from_pkcs8(&pem_to_der(pem)?).ok().map(Arc::new)
        })
    }

    /// The PKCS#1 public key ring verifies with, parsed once from the SPKI PEM.
    pub fn public_key(&self, key_id: &str, pem: &str) -> Option<Arc<Vec<u8>>> {
        use rsa::pkcs1::EncodeRsaPublicKey;
        use rsa::pkcs8::DecodePublicKey;
        if let Ok(m) = self.public.lock()
            && let Some((cached_pem, key)) = m.get(key_id)
            && **cached_pem == *pem
        {
            return Some(key.clone());
        }
        let parsed: Option<Arc<Vec<u8>>> = (|| {
            let key = rsa::RsaPublicKey::from_public_key_pem(pem.trim())
                .or_else(|_| {
                    use rsa::pkcs1::DecodeRsaPublicKey;
                    rsa::RsaPublicKey::from_pkcs1_pem(pem.trim())
                })
                .ok()?;
            key.to_pkcs1_der()
                .ok()
                .map(|d| Arc::new(d.as_bytes().to_vec()))
        })();
        let parsed = parsed?;
        if let Ok(mut m) = self.public.lock() {
            if m.len() >= CACHE_CAP {
                m.clear();
            }
            m.insert(key_id.to_string(), (Arc::from(pem), parsed.clone()));
        }
        Some(parsed)
    }

    /// Forgets a remote key (after the actor was refetched with a new one).
    pub fn forget_public(&self, key_id: &str) {
        if let Ok(mut m) = self.public.lock() {
            m.remove(key_id);
        }
    }
}

/// An HTTP `Date` header value.
pub fn http_date(at: SystemTime) -> String {
    httpdate::fmt_http_date(at)
}

/// `SHA-256=<base64>` of a body.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", B64.encode(Sha256::digest(body)))
}

/// The headers to add to an outgoing request: Date, Digest (with a body) and Signature.
pub fn sign(
    keys: &KeyCache,
    method: &str,
    url: &url::Url,
    body: Option<&[u8]>,
    content_type: Option<&str>,
    key_id: &str,
    private_pem: &str,
) -> Result<Vec<(&'static str, String)>, String> {
    sign_dated(
        keys,
        method,
        url,
        body,
        content_type,
        key_id,
        private_pem,
        SystemTime::now(),
    )
}

/// [`sign`] with a chosen Date (tests use it to make stale and replayed requests).
#[allow(clippy::too_many_arguments)]
pub fn sign_dated(
    keys: &KeyCache,
    method: &str,
    url: &url::Url,
    body: Option<&[u8]>,
    content_type: Option<&str>,
    key_id: &str,
    private_pem: &str,
    at: SystemTime,
) -> Result<Vec<(&'static str, String)>, String> {
    let key = keys
        .private_key(key_id, private_pem)
        .ok_or("the signing key cannot be parsed")?;
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let date = httpdate::fmt_http_date(at);
    let mut to_sign = BTreeMap::new();
    to_sign.insert("host".to_string(), host);
    to_sign.insert("date".to_string(), date.clone());
    let mut out = vec![("date", date)];
    if let Some(b) = body {
        let digest = digest_header(b);
        to_sign.insert("digest".to_string(), digest.clone());
        out.push(("digest", digest));
        if let Some(ct) = content_type {
            to_sign.insert("content-type".to_string(), ct.to_string());
        }
    }
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let unsigned = SigConfig::new()
        .mastodon_compat()
        .begin_sign(method, &path, to_sign)
        .map_err(|e| e.to_string())?;
    let signed = unsigned.sign(key_id.to_string(), |signing_string| {
        let mut sig = vec![0u8; key.public().modulus_len()];
        key.sign(
            &signature::RSA_PKCS1_SHA256,
            &ring::rand::SystemRandom::new(),
            signing_string.as_bytes(),
            &mut sig,
        )
        .map_err(|_| "signing failed".to_string())?;
        Ok::<String, String>(B64.encode(sig))
    })?;
    // Mastodon reads `algorithm="rsa-sha256"`; the library writes hs2019, which means the same for RSA keys.
    out.push((
        "signature",
        signed
            .signature_header()
            .replace("algorithm=\"hs2019\"", "algorithm=\"rsa-sha256\""),
    ));
    Ok(out)
}

/// An incoming request whose signature parsed and whose Date and Digest are
/// fine; [`Pending::verify`] checks it against the sender's key.
#[derive(Debug)]
pub struct Pending {
    pub key_id: String,
    signing_string: String,
    signature: String,
}

/// First half of verification: everything that needs no key.
pub fn prepare(
    method: &str,
    path_and_query: &str,
    headers: &BTreeMap<String, String>,
    body: Option<&[u8]>,
) -> Result<Pending, VerifyError> {
    let lower: BTreeMap<String, String> = headers
        .iter()
        .map(|(k, v)| (k.to_lowercase(), v.clone()))
        .collect();
    if !lower.contains_key("signature") {
        return Err(VerifyError::Missing);
    }
    if let Some(b) = body {
        let Some(digest) = lower.get("digest") else {
            return Err(VerifyError::DigestNotSigned);
        };
        let ok = digest.split(',').any(|d| {
            let (alg, value) = d.trim().split_once('=').unwrap_or(("", ""));
            alg.eq_ignore_ascii_case("sha-256")
                && value.trim() == digest_header(b).trim_start_matches("SHA-256=")
        });
        if !ok {
            return Err(VerifyError::DigestMismatch);
        }
    }
    // The Date must be present and recent (signed, below, when the sender signed it).
    let date = lower
        .get("date")
        .and_then(|d| httpdate::parse_http_date(d).ok())
        .ok_or(VerifyError::BadDate)?;
    let now = SystemTime::now();
    if date + MAX_AGE < now || date > now + MAX_SKEW {
        return Err(VerifyError::BadDate);
    }
    let mut config = SigConfig::new()
        .dont_use_created_field()
        .set_expiration(MAX_AGE)
        .require_header("host");
    if body.is_some() {
        config = config.require_digest();
    }
    let unverified = config
        .begin_verify(method, path_and_query, lower)
        .map_err(|e| match e {
            http_signature_normalization::PrepareVerifyError::Required(r)
                if r.headers().contains("digest") =>
            {
                VerifyError::DigestNotSigned
            }
            http_signature_normalization::PrepareVerifyError::Validate(_) => VerifyError::BadDate,
            other => VerifyError::Malformed(other.to_string()),
        })?;
    if let Some(alg) = unverified.algorithm() {
        use http_signature_normalization::verify::{Algorithm, DeprecatedAlgorithm};
        match alg {
            Algorithm::Hs2019 | Algorithm::Deprecated(DeprecatedAlgorithm::RsaSha256) => {}
            other => return Err(VerifyError::Algorithm(format!("{other:?}"))),
        }
    }
    Ok(Pending {
        key_id: unverified.key_id().to_string(),
        signing_string: unverified.signing_string().to_string(),
        signature: unverified.signature().to_string(),
    })
}

impl Pending {
    /// Second half: the RSA check against the sender's public key.
    pub fn verify(&self, keys: &KeyCache, public_pem: &str) -> Result<(), VerifyError> {
        let key = keys
            .public_key(&self.key_id, public_pem)
            .ok_or_else(|| VerifyError::BadKey(self.key_id.clone()))?;
        let sig = B64
            .decode(self.signature.trim())
            .map_err(|_| VerifyError::Invalid)?;
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, key.as_slice())
            .verify(self.signing_string.as_bytes(), &sig)
            .map_err(|_| VerifyError::Invalid)
    }
}

/// The actor a key id belongs to, by convention (`https://host/users/a#main-key`).
pub fn actor_of_key_id(key_id: &str) -> &str {
    key_id.split('#').next().unwrap_or(key_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[(&'static str, String)], extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut m: BTreeMap<String, String> =
            h.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        for (k, v) in extra {
            m.insert(k.to_string(), v.to_string());
        }
        m
    }

    #[test]
    fn a_signed_post_verifies_and_tampering_does_not() {
        let pair = crate::apub::keys::generate().unwrap();
        let keys = KeyCache::default();
        let url = url::Url::parse("http://beta.test:8080/users/bob/inbox").unwrap();
        let body = br#"{"type":"Follow"}"#;
        let key_id = "http://alpha.test/users/alice#main-key";
        let h = sign(
            &keys,
            "POST",
            &url,
            Some(body),
            Some("application/activity+json"),
            key_id,
            &pair.private_pem,
        )
        .unwrap();
        assert!(
            h.iter().any(|(k, v)| *k == "signature"
                && v.contains("algorithm=\"rsa-sha256\"")
                && v.contains("headers=\"(request-target) content-type date digest host\"")),
            "{h:?}"
        );
        let hm = headers(
            &h,
            &[
                ("host", "beta.test:8080"),
                ("content-type", "application/activity+json"),
            ],
        );

        let pending = prepare("POST", "/users/bob/inbox", &hm, Some(body)).unwrap();
        assert_eq!(pending.key_id, key_id);
        assert_eq!(
            actor_of_key_id(&pending.key_id),
            "http://alpha.test/users/alice"
        );
        pending.verify(&keys, &pair.public_pem).unwrap();

        // Another key, another path, another body, another host: refused.
        let other = crate::apub::keys::generate().unwrap();
        assert_eq!(
            prepare("POST", "/users/bob/inbox", &hm, Some(body))
                .unwrap()
                .verify(&KeyCache::default(), &other.public_pem),
            Err(VerifyError::Invalid)
        );
        assert_eq!(
            prepare("POST", "/users/carol/inbox", &hm, Some(body))
                .unwrap()
                .verify(&keys, &pair.public_pem),
            Err(VerifyError::Invalid)
        );
        assert_eq!(
            prepare("POST", "/users/bob/inbox", &hm, Some(b"{}")).unwrap_err(),
            VerifyError::DigestMismatch
        );
        let moved = headers(
            &h,
            &[
                ("host", "gamma.test"),
                ("content-type", "application/activity+json"),
            ],
        );
        assert_eq!(
            prepare("POST", "/users/bob/inbox", &moved, Some(body))
                .unwrap()
                .verify(&keys, &pair.public_pem),
            Err(VerifyError::Invalid)
        );
        // No signature, a stale date.
        let mut unsigned = hm.clone();
        unsigned.remove("signature");
        assert_eq!(
            prepare("POST", "/users/bob/inbox", &unsigned, Some(body)).unwrap_err(),
            VerifyError::Missing
        );
        let mut stale = hm.clone();
        stale.insert(
            "date".into(),
            httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(13 * 3600)),
        );
        assert_eq!(
            prepare("POST", "/users/bob/inbox", &stale, Some(body)).unwrap_err(),
            VerifyError::BadDate
        );
        let mut future = hm.clone();
        future.insert(
            "date".into(),
            httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2 * 3600)),
        );
        assert_eq!(
            prepare("POST", "/users/bob/inbox", &future, Some(body)).unwrap_err(),
            VerifyError::BadDate
        );
    }

    #[test]
    fn a_signed_get_verifies() {
        let pair = crate::apub::keys::generate().unwrap();
        let keys = KeyCache::default();
        let url = url::Url::parse("https://beta.test/users/bob?page=true").unwrap();
        let h = sign(
            &keys,
            "GET",
            &url,
            None,
            None,
            "https://alpha.test/actor#main-key",
            &pair.private_pem,
        )
        .unwrap();
        let hm = headers(&h, &[("host", "beta.test")]);
        prepare("GET", "/users/bob?page=true", &hm, None)
            .unwrap()
            .verify(&keys, &pair.public_pem)
            .unwrap();
    }

    #[test]
    fn a_mastodon_style_hs2019_header_is_understood() {
        let pair = crate::apub::keys::generate().unwrap();
        let keys = KeyCache::default();
        let url = url::Url::parse("https://beta.test/inbox").unwrap();
        let body = b"{}";
        let h = sign(
            &keys,
            "POST",
            &url,
            Some(body),
            None,
            "https://a.test/u#k",
            &pair.private_pem,
        )
        .unwrap();
        let hm: BTreeMap<String, String> = headers(&h, &[("Host", "beta.test")])
            .into_iter()
            .map(|(k, v)| (k, v.replace("rsa-sha256", "hs2019")))
            .collect();
        prepare("POST", "/inbox", &hm, Some(body))
            .unwrap()
            .verify(&keys, &pair.public_pem)
            .unwrap();
    }
}
