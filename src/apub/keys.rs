//! RSA key pairs for HTTP signatures.
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};

pub struct KeyPair {
    pub public_pem: String,
    pub private_pem: String,
}

/// A fresh RSA-2048 key pair, PEM-encoded (SPKI public, PKCS#8 private), as
/// Mastodon and every other server expect. CPU-heavy: call from a blocking task.
pub fn generate() -> Result<KeyPair, String> {
    let mut rng = rand::thread_rng();
    let private = RsaPrivateKey::new(&mut rng, 2048)
        .map_err(|e| format!("RSA key generation failed: {e}"))?;
    let public = RsaPublicKey::from(&private);
    let private_pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("PEM encoding failed: {e}"))?;
    let public_pem = public
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| format!("PEM encoding failed: {e}"))?;
    Ok(KeyPair {
        public_pem,
        private_pem: private_pem.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};

    use super::*;

    #[test]
    fn generated_keys_round_trip_through_pem() {
        let k = generate().unwrap();
        assert!(k.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        let private = RsaPrivateKey::from_pkcs8_pem(&k.private_pem).unwrap();
        let public = RsaPublicKey::from_public_key_pem(&k.public_pem).unwrap();
        assert_eq!(RsaPublicKey::from(&private), public);
    }
}
