//! The outgoing HTTP client and the guard that keeps it off private networks.
//!
//! Every outgoing request (fetches, deliveries, WebFinger) goes through one
//! reqwest client whose DNS resolver refuses loopback, private, link-local and
//! other non-public addresses unless `allow_private_addresses` is set, so a
//! remote server cannot make Kith probe the network it runs in. Host overrides
//! (like curl's `--resolve`) let tests give loopback servers real host names.
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::config::Config;

/// True for every address that is not on the public internet.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10, carrier-grade NAT
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24
                || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15, benchmarking
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        }
    }
}

/// The resolver behind the client: overrides first, then the system's DNS; every
/// answer checked against the private-address rule.
pub struct GuardedResolver {
    overrides: Vec<(String, IpAddr)>,
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let overridden: Vec<SocketAddr> = self
            .overrides
            .iter()
            .filter(|(h, _)| *h == host)
            .map(|(_, ip)| SocketAddr::new(*ip, 0))
            .collect();
        let allow = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = if overridden.is_empty() {
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect()
            } else {
                overridden
            };
            if !allow && addrs.iter().any(|a| is_private(a.ip())) {
                let e = std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!("{host} resolves to a private address"),
                );
                return Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Refuses a URL whose host is a private IP literal (those never reach the resolver).
pub fn check_url(config: &Config, url: &url::Url) -> Result<(), String> {
    match url.scheme() {
        "https" => {}
        // Plain HTTP only where this instance itself runs on HTTP (local trials, tests).
        "http" if config.scheme == crate::config::Scheme::Http => {}
        s => return Err(format!("refusing a {s} URL")),
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(url::Host::Domain(_)) => None,
        None => return Err("the URL has no host".into()),
    };
    if let Some(ip) = ip
        && !config.allow_private_addresses
        && is_private(ip)
    {
        return Err(format!("refusing the private address {ip}"));
    }
    Ok(())
}

/// The outgoing HTTP client: rustls with ring, keep-alive, bounded timeouts,
/// the guarded resolver.
pub fn http_client(config: &Config) -> Result<reqwest::Client, crate::Error> {
    // The provider is process-wide in rustls; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let resolver = GuardedResolver {
        overrides: config.resolve.clone(),
        allow_private: config.allow_private_addresses,
    };
    reqwest::Client::builder()
        .user_agent(format!(
            "Kith/{} (+{}/)",
            env!("CARGO_PKG_VERSION"),
            config.base_url()
        ))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(16)
        // Redirects are not followed blindly: a fetch checks where it ended up.
        .redirect(reqwest::redirect::Policy::limited(3))
        .dns_resolver(Arc::new(resolver))
        .build()
        .map_err(|e| crate::Error::Io(format!("cannot build the HTTP client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["1.1.1.1", "93.184.216.34", "2606:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_before_any_request() {
        let prod = Config::from_pairs(&[("domain", "social.example")]).unwrap();
        assert!(
            check_url(
                &prod,
                &url::Url::parse("https://mastodon.example/users/a").unwrap()
            )
            .is_ok()
        );
        assert!(
            check_url(
                &prod,
                &url::Url::parse("http://mastodon.example/users/a").unwrap()
            )
            .is_err()
        );
        assert!(
            check_url(
                &prod,
                &url::Url::parse("https://127.0.0.1/users/a").unwrap()
            )
            .is_err()
        );
        assert!(check_url(&prod, &url::Url::parse("https://[::1]/users/a").unwrap()).is_err());
        assert!(check_url(&prod, &url::Url::parse("ftp://x.example/").unwrap()).is_err());
        let test = Config::from_pairs(&[
            ("domain", "localhost:8080"),
            ("allow_private_addresses", "true"),
        ])
        .unwrap();
        assert!(
            check_url(
                &test,
                &url::Url::parse("http://127.0.0.1:9000/users/a").unwrap()
            )
            .is_ok()
        );
    }

    #[tokio::test]
    async fn the_resolver_refuses_private_answers_unless_allowed() {
        let strict = GuardedResolver {
            overrides: vec![("alpha.test".into(), "127.0.0.1".parse().unwrap())],
            allow_private: false,
        };
        assert!(
            strict
                .resolve("alpha.test".parse::<Name>().unwrap())
                .await
                .is_err()
        );
        assert!(
            strict
                .resolve("localhost".parse::<Name>().unwrap())
                .await
                .is_err()
        );
        let lax = GuardedResolver {
            overrides: vec![("alpha.test".into(), "127.0.0.1".parse().unwrap())],
            allow_private: true,
        };
        let addrs: Vec<SocketAddr> = lax
            .resolve("alpha.test".parse::<Name>().unwrap())
            .await
            .unwrap()
            .collect();
        assert_eq!(addrs[0].ip().to_string(), "127.0.0.1");
    }
}
