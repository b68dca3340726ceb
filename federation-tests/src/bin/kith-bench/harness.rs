//! What every scenario shares: the `kith serve` process under test, the database
//! it starts from, the load driver, latency statistics, the machine's floors and
//! the simulated remote servers.
use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kith::apub::signatures::{self, KeyCache};
use kith::{AppState, Config};
use serde_json::{Value, json};

pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub fn err(msg: impl Into<String>) -> Box<dyn std::error::Error + Send + Sync> {
    msg.into().into()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// Command-line options every scenario reads.
#[derive(Clone, Debug)]
pub struct Opts {
    pub smoke: bool,
    pub db: DbKind,
    pub kith_bin: PathBuf,
    /// An existing PostgreSQL database used to create and drop a fresh one per run.
    pub database_url: String,
    pub connections: usize,
}

impl Opts {
    /// `real` at full size, `smoke` with `--smoke`.
    pub fn size(&self, real: usize, smoke: usize) -> usize {
        if self.smoke { smoke } else { real }
    }

    pub fn secs(&self, real: f64, smoke: f64) -> Duration {
        Duration::from_secs_f64(if self.smoke { smoke } else { real })
    }
}

// ---------------------------------------------------------------- the server

/// A data directory, a database and a port: everything `kith serve` starts
/// from. The database can be filled through the `kith` library before start.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub port: u16,
    /// `localhost:PORT`
    pub domain: String,
    pub database_url: String,
    /// `(admin url, database name)` of a PostgreSQL database to drop at the end.
    pg: Option<(String, String)>,
}

impl Site {
    pub async fn new(opts: &Opts) -> Res<Site> {
        let dir = tempfile::Builder::new().prefix("kith-bench-").tempdir()?;
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            l.local_addr()?.port()
        };
        let (database_url, pg) = match opts.db {
            DbKind::Sqlite => (format!("sqlite://{}/kith.db", dir.path().display()), None),
            DbKind::Postgres => {
                use sea_orm::ConnectionTrait;
                let name = format!("kith_bench_{}_{port}", std::process::id());
                let admin = sea_orm::Database::connect(&opts.database_url).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                    .await?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await?;
                let _ = admin.close().await;
                let mut url = url::Url::parse(&opts.database_url)?;
                url.set_path(&format!("/{name}"));
                (url.to_string(), Some((opts.database_url.clone(), name)))
            }
        };
        Ok(Site {
            domain: format!("localhost:{port}"),
            port,
            database_url,
            dir,
            pg,
        })
    }

    fn config(&self) -> Res<Config> {
        let data_dir = self.dir.path().display().to_string();
        Ok(Config::from_pairs(&[
            ("domain", &self.domain),
            ("scheme", "http"),
            ("data_dir", &data_dir),
            ("database_url", &self.database_url),
            ("allow_private_addresses", "true"),
        ])?)
    }

    /// The library's state on this site's database (migrated), for filling it
    /// before the server starts. Close it (`state.db.close()`) before starting.
    pub async fn state(&self) -> Res<AppState> {
        Ok(AppState::new(self.config()?).await?)
    }

    /// Starts `kith serve` and waits until `/health` answers 200.
    pub async fn start(&self, opts: &Opts) -> Res<Kith> {
        let started = Instant::now();
        let child = tokio::process::Command::new(&opts.kith_bin)
            .arg("serve")
            .current_dir(self.dir.path())
            .env("KITH_DOMAIN", &self.domain)
            .env("KITH_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("KITH_SCHEME", "http")
            .env("KITH_DATA_DIR", self.dir.path())
            .env("KITH_DATABASE_URL", &self.database_url)
            .env("KITH_ALLOW_PRIVATE_ADDRESSES", "true")
            .env("KITH_RATE_LIMIT", "1000000000")
            .env("KITH_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| err(format!("cannot start {}: {e}", opts.kith_bin.display())))?;
        let pid = child.id().ok_or_else(|| err("kith exited at once"))?;
        let probe = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let health = format!("http://127.0.0.1:{}/health", self.port);
        let deadline = started + Duration::from_secs(120);
        loop {
            if let Ok(r) = probe.get(&health).send().await
                && r.status().is_success()
            {
                break;
            }
            if Instant::now() > deadline {
                return Err(err("kith did not serve /health within 120 s"));
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(Kith {
            child,
            pid,
            port: self.port,
            start_to_serving: started.elapsed(),
        })
    }

    /// Drops the PostgreSQL database, if any (the directory goes with `self`).
    pub async fn cleanup(self) {
        if let Some((admin, name)) = &self.pg
            && let Ok(conn) = sea_orm::Database::connect(admin).await
        {
            use sea_orm::ConnectionTrait;
            let _ = conn
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            let _ = conn.close().await;
        }
    }
}

/// A running `kith serve`.
pub struct Kith {
    child: tokio::process::Child,
    pub pid: u32,
    pub port: u16,
    pub start_to_serving: Duration,
}

/// Resident memory of a process, in MiB: `(now, peak)`.
pub fn memory_mib(pid: u32) -> Res<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> Res<f64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .ok_or_else(|| err(format!("no {name} in /proc/{pid}/status")))?;
        let kib: f64 = line
            .split_whitespace()
            .nth(1)
            .ok_or_else(|| err("bad /proc status line"))?
            .parse()?;
        Ok(kib / 1024.0)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

impl Kith {
    /// The API and federation base URL as clients use it.
    pub fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    pub fn memory(&self) -> Res<(f64, f64)> {
        memory_mib(self.pid)
    }

    /// SIGTERM, then wait (SIGKILL after 60 s).
    pub async fn stop(mut self) -> Res<()> {
        let _ = tokio::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status()
            .await;
        match tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await {
            Ok(r) => {
                r?;
            }
            Err(_) => {
                self.child.kill().await?;
            }
        }
        Ok(())
    }
}

/// A keep-alive client for `connections` concurrent connections that sends
/// `localhost` to 127.0.0.1 (Kith listens on IPv4 loopback only).
pub fn client(connections: usize, kith_port: Option<u16>) -> Res<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60));
    if let Some(p) = kith_port {
        b = b.resolve("localhost", SocketAddr::from(([127, 0, 0, 1], p)));
    }
    Ok(b.build()?)
}

// ---------------------------------------------------------------- load and statistics

/// Latencies and counts of one load phase.
#[derive(Debug, Default, Clone)]
pub struct Run {
    pub ok: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    pub latencies_us: Vec<u64>,
}

impl Run {
    pub fn per_sec(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`-th percentile latency in milliseconds (nearest rank).
    pub fn pct_ms(&self, p: f64) -> f64 {
        percentile_ms(&self.latencies_us, p)
    }
}

pub fn percentile_ms(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted_us.len() as f64).ceil() as usize;
    let i = rank.clamp(1, sorted_us.len()) - 1;
    sorted_us.get(i).copied().unwrap_or_default() as f64 / 1000.0
}

/// Runs `job(i)` for i in 0..count (or until `duration` is over, when given)
/// on `connections` concurrent tasks, timing each call.
pub async fn drive<F, Fut>(
    connections: usize,
    count: Option<usize>,
    duration: Option<Duration>,
    job: F,
) -> Run
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Res<()>> + Send,
{
    let job = Arc::new(job);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections.max(1) {
        let job = job.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut r = Run::default();
            loop {
                if duration.is_some_and(|d| started.elapsed() >= d) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if count.is_some_and(|c| i >= c) {
                    break;
                }
                let t = Instant::now();
                match job(i).await {
                    Ok(()) => {
                        r.ok += 1;
                        r.latencies_us.push(t.elapsed().as_micros() as u64);
                    }
                    Err(e) => {
                        r.errors += 1;
                        if r.first_error.is_none() {
                            r.first_error = Some(e.to_string());
                        }
                    }
                }
            }
            r
        }));
    }
    let mut all = Run::default();
    for t in tasks {
        if let Ok(r) = t.await {
            all.ok += r.ok;
            all.errors += r.errors;
            if all.first_error.is_none() {
                all.first_error = r.first_error;
            }
            all.latencies_us.extend(r.latencies_us);
        }
    }
    all.elapsed = started.elapsed();
    all.latencies_us.sort_unstable();
    all
}

/// Polls `check` every 20 ms until it is true or `limit` has passed; true when it became true.
pub async fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------------------------------------------------------------- floors

/// The machine's limits for the work a scenario does, measured in the same run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Floors {
    pub threads: usize,
    pub rsa_sign_per_sec: f64,
    pub rsa_verify_per_sec: f64,
    pub http_get_per_sec: f64,
    pub http_post_2k_per_sec: f64,
    pub http_get_p50_ms: f64,
}

impl Floors {
    pub fn json(&self) -> Value {
        json!({
            "threads": self.threads,
            "rsa2048_sign_per_sec": round1(self.rsa_sign_per_sec),
            "rsa2048_verify_per_sec": round1(self.rsa_verify_per_sec),
            "http_get_per_sec": round1(self.http_get_per_sec),
            "http_post_2k_per_sec": round1(self.http_post_2k_per_sec),
            "http_get_p50_ms": round3(self.http_get_p50_ms),
        })
    }

    pub fn print(&self) {
        println!(
            "  floor: RSA-2048 (ring) {:.0} signs/s, {:.0} verifies/s on {} threads; \
             trivial axum handler {:.0} GET/s (p50 {:.2} ms), {:.0} POST-2KiB/s",
            self.rsa_sign_per_sec,
            self.rsa_verify_per_sec,
            self.threads,
            self.http_get_per_sec,
            self.http_get_p50_ms,
            self.http_post_2k_per_sec
        );
    }
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// RSA-2048 PKCS#1 v1.5 SHA-256 signs and verifies per second with ring (the
/// calls `kith::apub::signatures` makes), on every core at once.
pub fn rsa_floor(pem: &str, secs: Duration) -> Res<(usize, f64, f64)> {
    use ring::signature::{self as sig, KeyPair};
    let keys = KeyCache::default();
    let pair = keys
        .private_key("floor", pem)
        .ok_or_else(|| err("cannot parse the floor key"))?;
    let public = pair.public_key().as_ref().to_vec();
    let message = "(request-target): post /inbox\nhost: example.test\ndate: Sun, 29 Nov 2026 10:00:00 GMT\n\
                   digest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ncontent-type: application/activity+json";
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut signature = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &sig::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        message.as_bytes(),
        &mut signature,
    )
    .map_err(|_| err("ring cannot sign"))?;
    let count = |verify: bool| -> f64 {
        let started = Instant::now();
        let total: u64 = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let pair = pair.clone();
                    let public = &public;
                    let signature = &signature;
                    s.spawn(move || {
                        let rng = ring::rand::SystemRandom::new();
                        let mut out = vec![0u8; pair.public().modulus_len()];
                        let mut n = 0u64;
                        while started.elapsed() < secs {
                            let ok = if verify {
                                sig::UnparsedPublicKey::new(
                                    &sig::RSA_PKCS1_2048_8192_SHA256,
                                    public.as_slice(),
                                )
                                .verify(message.as_bytes(), signature)
                                .is_ok()
                            } else {
                                pair.sign(
                                    &sig::RSA_PKCS1_SHA256,
                                    &rng,
                                    message.as_bytes(),
                                    &mut out,
                                )
                                .is_ok()
                            };
                            n += u64::from(ok);
                        }
                        n
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        });
        total as f64 / started.elapsed().as_secs_f64()
    };
    let signs = count(false);
    let verifies = count(true);
    Ok((threads, signs, verifies))
}

/// Requests per second a trivial axum handler on loopback answers, with the
/// same client and concurrency the scenarios use.
pub async fn http_floor(connections: usize, secs: Duration) -> Res<(f64, f64, f64)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = Router::new().route(
        "/",
        get(|| async { "ok" })
            .post(|body: Bytes| async move { (StatusCode::ACCEPTED, body.len().to_string()) }),
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let c = client(connections, None)?;
    let url = format!("http://{addr}/");
    let get_run = {
        let (c, url) = (c.clone(), url.clone());
        drive(connections, None, Some(secs), move |_| {
            let (c, url) = (c.clone(), url.clone());
            async move {
                let r = c.get(&url).send().await?;
                r.error_for_status()?.bytes().await?;
                Ok(())
            }
        })
        .await
    };
    let body = Bytes::from(vec![b'x'; 2048]);
    let post_run = drive(connections, None, Some(secs), move |_| {
        let (c, url, body) = (c.clone(), url.clone(), body.clone());
        async move {
            let r = c.post(&url).body(body).send().await?;
            r.error_for_status()?.bytes().await?;
            Ok(())
        }
    })
    .await;
    server.abort();
    Ok((get_run.per_sec(), get_run.pct_ms(50.0), post_run.per_sec()))
}

pub async fn floors(opts: &Opts, floor_key_pem: &str) -> Res<Floors> {
    let secs = opts.secs(2.0, 0.2);
    let pem = floor_key_pem.to_string();
    let (threads, signs, verifies) =
        tokio::task::spawn_blocking(move || rsa_floor(&pem, secs)).await??;
    let (get_ps, get_p50, post_ps) = http_floor(opts.connections, secs).await?;
    Ok(Floors {
        threads,
        rsa_sign_per_sec: signs,
        rsa_verify_per_sec: verifies,
        http_get_per_sec: get_ps,
        http_post_2k_per_sec: post_ps,
        http_get_p50_ms: get_p50,
    })
}

/// `n` RSA-2048 key pairs made on every core (the `kith` library's generator).
pub async fn key_pairs(n: usize) -> Res<Vec<kith::apub::keys::KeyPair>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut tasks = Vec::new();
    for t in 0..threads {
        let mine = (t..n).step_by(threads).count();
        tasks.push(tokio::task::spawn_blocking(move || {
            (0..mine)
                .map(|_| kith::apub::keys::generate())
                .collect::<Result<Vec<_>, String>>()
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.extend(t.await?.map_err(err)?);
    }
    Ok(out)
}

// ---------------------------------------------------------------- simulated remote servers

/// One activity as a simulated server received it (after its signature verified).
#[derive(Debug, Clone)]
pub struct Arrival {
    pub peer: usize,
    pub at: Instant,
    pub kind: String,
    pub object: String,
    /// `object.updated` (Update activities), to check that edits arrive in order.
    pub updated: Option<String>,
}

/// What every simulated server saw.
#[derive(Default)]
pub struct Recorder {
    pub received: AtomicU64,
    pub bad_signatures: AtomicU64,
    pub actor_fetches: AtomicU64,
    pub arrivals: Mutex<Vec<Arrival>>,
}

impl Recorder {
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    pub fn arrivals(&self) -> Vec<Arrival> {
        self.arrivals.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

/// What the simulated servers share: the recorder, a key cache, the public keys
/// they know (key id -> PEM, as if fetched before) and the actors they host.
pub struct PeerWorld {
    pub recorder: Arc<Recorder>,
    keys: KeyCache,
    known_keys: Mutex<HashMap<String, String>>,
    /// PEMs of the actors the peers host: actor `uN` uses `actor_pems[N % len]`.
    actor_pems: Vec<String>,
    latency: Duration,
    client: reqwest::Client,
}

impl PeerWorld {
    pub fn new(
        actor_pems: Vec<String>,
        latency: Duration,
        kith_port: Option<u16>,
    ) -> Res<Arc<PeerWorld>> {
        Ok(Arc::new(PeerWorld {
            recorder: Arc::new(Recorder::default()),
            keys: KeyCache::default(),
            known_keys: Mutex::new(HashMap::new()),
            actor_pems,
            latency,
            client: client(8, kith_port)?,
        }))
    }

    /// A public key the peers know already (a local actor of Kith they have seen).
    pub fn know_key(&self, key_id: &str, pem: &str) {
        if let Ok(mut m) = self.known_keys.lock() {
            m.insert(key_id.to_string(), pem.to_string());
        }
    }

    /// The public key for `key_id`: known, or fetched from the actor document as a real server would.
    async fn key_pem(&self, key_id: &str) -> Option<String> {
        if let Some(p) = self.known_keys.lock().ok()?.get(key_id) {
            return Some(p.clone());
        }
        let actor = signatures::actor_of_key_id(key_id);
        let doc: Value = self
            .client
            .get(actor)
            .header(header::ACCEPT, "application/activity+json")
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let pem = doc
            .get("publicKey")?
            .get("publicKeyPem")?
            .as_str()?
            .to_string();
        self.know_key(key_id, &pem);
        Some(pem)
    }
}

/// One simulated server, listening on its own loopback address.
pub struct Peer {
    pub addr: SocketAddr,
    pub index: usize,
}

impl Peer {
    /// `http://127.x.y.z:port`
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn actor_uri(&self, name: &str) -> String {
        format!("{}/users/{name}", self.base())
    }
}

/// The loopback address of the `i`-th simulated server: 127.1.0.1, 127.1.0.2, ...
pub fn peer_ip(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(
        127,
        1 + (i / 62_500) as u8,
        ((i / 250) % 250) as u8,
        (i % 250 + 1) as u8,
    )
}

#[derive(Clone)]
struct PeerState {
    world: Arc<PeerWorld>,
    index: usize,
    authority: String,
}

/// Starts `n` simulated servers; those in `dead` get an address where nothing
/// listens (connections are refused).
pub async fn start_peers(
    world: &Arc<PeerWorld>,
    n: usize,
    dead: impl Fn(usize) -> bool,
) -> Res<Vec<Peer>> {
    let mut peers = Vec::with_capacity(n);
    for i in 0..n {
        let listener = tokio::net::TcpListener::bind((peer_ip(i), 0)).await?;
        let addr = listener.local_addr()?;
        if dead(i) {
            drop(listener);
            peers.push(Peer { addr, index: i });
            continue;
        }
        let state = PeerState {
            world: world.clone(),
            index: i,
            authority: addr.to_string(),
        };
        let app = Router::new()
            .route("/users/{name}", get(peer_actor))
            .route("/inbox", post(peer_inbox))
            .route("/users/{name}/inbox", post(peer_inbox))
            .with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        peers.push(Peer { addr, index: i });
    }
    Ok(peers)
}

/// The ActivityPub actor document of `name` on a simulated server.
pub fn actor_document(base: &str, name: &str, pem: &str) -> Value {
    let id = format!("{base}/users/{name}");
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "name": format!("Bench {name}"),
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "following": format!("{id}/following"),
        "endpoints": { "sharedInbox": format!("{base}/inbox") },
        "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem },
    })
}

/// Actor `uN` uses key `N % len`.
pub fn actor_key_index(name: &str, len: usize) -> usize {
    name.trim_start_matches(|c: char| !c.is_ascii_digit())
        .parse::<usize>()
        .unwrap_or(0)
        % len.max(1)
}

async fn peer_actor(State(p): State<PeerState>, UrlPath(name): UrlPath<String>) -> Response {
    p.world
        .recorder
        .actor_fetches
        .fetch_add(1, Ordering::Relaxed);
    let i = actor_key_index(&name, p.world.actor_pems.len());
    let Some(pem) = p.world.actor_pems.get(i) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let doc = actor_document(&format!("http://{}", p.authority), &name, pem);
    (
        [(header::CONTENT_TYPE, "application/activity+json")],
        doc.to_string(),
    )
        .into_response()
}

/// A simulated server's inbox: waits its round trip, verifies the HTTP
/// signature as a real server would (401 when it fails) and records the activity.
async fn peer_inbox(
    State(p): State<PeerState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if !p.world.latency.is_zero() {
        tokio::time::sleep(p.world.latency).await;
    }
    let mut map = BTreeMap::new();
    for (k, v) in &headers {
        if let Ok(v) = v.to_str() {
            map.insert(k.as_str().to_string(), v.to_string());
        }
    }
    let path = uri.path_and_query().map_or("/", |x| x.as_str());
    let rec = &p.world.recorder;
    let verified = match signatures::prepare("POST", path, &map, Some(&body)) {
        Ok(pending) => match p.world.key_pem(&pending.key_id).await {
            Some(pem) => pending.verify(&p.world.keys, &pem).is_ok(),
            None => false,
        },
        Err(_) => false,
    };
    if !verified {
        rec.bad_signatures.fetch_add(1, Ordering::Relaxed);
        return StatusCode::UNAUTHORIZED;
    }
    let activity: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let kind = activity
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let obj = activity.get("object");
    let object = match obj {
        Some(Value::String(s)) => s.clone(),
        Some(o) => o
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        None => String::new(),
    };
    let updated = obj
        .and_then(|o| o.get("updated"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Ok(mut a) = rec.arrivals.lock() {
        a.push(Arrival {
            peer: p.index,
            at: Instant::now(),
            kind,
            object,
            updated,
        });
    }
    rec.received.fetch_add(1, Ordering::Relaxed);
    StatusCode::ACCEPTED
}

/// The floor key: any RSA-2048 key will do.
pub fn first_pem(pairs: &[kith::apub::keys::KeyPair]) -> Res<String> {
    pairs
        .first()
        .map(|k| k.private_pem.clone())
        .ok_or_else(|| err("no key pair"))
}

/// Size of a file in MiB.
pub fn file_mib(p: &Path) -> Res<f64> {
    Ok(std::fs::metadata(p)?.len() as f64 / (1024.0 * 1024.0))
}
