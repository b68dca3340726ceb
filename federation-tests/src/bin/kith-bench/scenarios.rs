//! The six scenarios of issue 7. Each one builds its own data, starts a real
//! `kith serve`, drives it over HTTP and returns a [`Report`].
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use entity::{Visibility, deliveries, statuses};
use kith::apub::objects::person::key_id;
use kith::apub::signatures;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Map, Value, json};

/// One pre-signed inbox POST: its index, its headers and its body.
type SignedPost = (usize, Vec<(&'static str, String)>, String);

use crate::harness::{
    Floors, Kith, Opts, Peer, PeerWorld, Res, Site, client, drive, err, file_mib, key_pairs,
    percentile_ms, round3, start_peers, wait_until,
};
use crate::prep::{self, Lcg, Remote};

/// One line of a scenario's table.
pub struct Row {
    pub metric: String,
    pub value: String,
    pub target: String,
    /// `Some(true)` met, `Some(false)` missed, `None` no target.
    pub met: Option<bool>,
}

/// What a scenario measured: a table and one JSON object.
pub struct Report {
    pub name: &'static str,
    pub rows: Vec<Row>,
    pub json: Map<String, Value>,
}

impl Report {
    pub fn new(name: &'static str, opts: &Opts) -> Report {
        let mut json = Map::new();
        json.insert("scenario".into(), json!(name));
        json.insert("db".into(), json!(format!("{:?}", opts.db).to_lowercase()));
        json.insert("smoke".into(), json!(opts.smoke));
        Report {
            name,
            rows: Vec::new(),
            json,
        }
    }

    /// A figure without a target.
    pub fn info(&mut self, key: &str, metric: &str, value: f64, unit: &str) {
        self.json.insert(key.into(), json!(round3(value)));
        self.rows.push(Row {
            metric: metric.into(),
            value: format!("{} {unit}", pretty(value)),
            target: String::new(),
            met: None,
        });
    }

    /// A figure with a target, checked.
    pub fn check(
        &mut self,
        key: &str,
        metric: &str,
        value: f64,
        unit: &str,
        target: &str,
        met: bool,
    ) {
        self.json.insert(key.into(), json!(round3(value)));
        self.json.insert(format!("{key}_met"), json!(met));
        self.rows.push(Row {
            metric: metric.into(),
            value: format!("{} {unit}", pretty(value)),
            target: target.into(),
            met: Some(met),
        });
    }

    pub fn print(&self, floors: &Floors) {
        println!("  {:<46} {:>16}  {:<16} ", self.name, "value", "target");
        for r in &self.rows {
            let verdict = match r.met {
                Some(true) => "ok",
                Some(false) => "MISS",
                None => "",
            };
            println!(
                "  {:<46} {:>16}  {:<16} {verdict}",
                r.metric, r.value, r.target
            );
        }
        floors.print();
    }
}

fn pretty(v: f64) -> String {
    if v.is_nan() {
        "n/a".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn since_ms(a: Instant, b: Instant) -> f64 {
    b.saturating_duration_since(a).as_secs_f64() * 1000.0
}

/// Statuses of remote authors stored in the site's database.
async fn remote_statuses(site: &Site) -> Res<u64> {
    let conn = sea_orm::Database::connect(&site.database_url).await?;
    let n = statuses::Entity::find()
        .filter(statuses::Column::Local.eq(false))
        .count(&conn)
        .await?;
    let _ = conn.close().await;
    Ok(n)
}

async fn queued_deliveries(state: &kith::AppState) -> Res<u64> {
    Ok(deliveries::Entity::find().count(&state.db.read).await?)
}

fn lorem(len: usize, seed: usize) -> String {
    const WORDS: &[&str] = &[
        "federated",
        "timeline",
        "server",
        "post",
        "reply",
        "boost",
        "garden",
        "river",
        "morning",
        "coffee",
        "library",
        "network",
        "quiet",
        "bright",
        "window",
        "letter",
    ];
    let mut s = String::with_capacity(len + 16);
    let mut i = seed;
    while s.len() < len {
        s.push_str(WORDS.get(i % WORDS.len()).copied().unwrap_or("word"));
        s.push(' ');
        i = i.wrapping_mul(31).wrapping_add(7);
    }
    s
}

// ---------------------------------------------------------------- 1. inbox ingest

/// Signed `Create(Note)` activities of about 2 KiB from many remote actors,
/// posted to the shared inbox over `connections` keep-alive connections.
pub async fn ingest(opts: &Opts) -> Res<(Report, f64)> {
    let total = opts.size(50_000, 300);
    let actors = opts.size(500, 20);
    let hosts = opts.size(50, 4);
    let mut r = Report::new("ingest", opts);
    let pairs = key_pairs(opts.size(16, 2)).await?;
    let pems: Vec<String> = pairs.iter().map(|k| k.public_pem.clone()).collect();
    let world = PeerWorld::new(pems, Duration::ZERO, None)?;
    let peers = start_peers(&world, hosts, |_| false).await?;
    let site = Site::new(opts).await?;
    site.state().await?.db.close().await;
    let kith = site.start(opts).await?;
    let inbox = url::Url::parse(&kith.url("/inbox"))?;

    // Sign everything first, on every core, so the timed phase is Kith's work only.
    println!("  signing {total} activities from {actors} actors on {hosts} hosts ...");
    let signed_at = Instant::now();
    let pairs = Arc::new(pairs);
    let peer_bases: Arc<Vec<String>> = Arc::new(peers.iter().map(Peer::base).collect());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut tasks = Vec::new();
    for t in 0..threads {
        let (pairs, bases, inbox) = (pairs.clone(), peer_bases.clone(), inbox.clone());
        tasks.push(tokio::task::spawn_blocking(
            move || -> Res<Vec<SignedPost>> {
                let keys = signatures::KeyCache::default();
                let mut out = Vec::new();
                for j in (t..total).step_by(threads) {
                    let a = j % actors;
                    let base = bases.get(a % bases.len()).ok_or_else(|| err("no host"))?;
                    let pair = pairs.get(a % pairs.len()).ok_or_else(|| err("no key"))?;
                    let actor = format!("{base}/users/u{a}");
                    let note = format!("{actor}/statuses/{j}");
                    let body = json!({
                        "@context": "https://www.w3.org/ns/activitystreams",
                        "id": format!("{note}/activity"),
                        "type": "Create",
                        "actor": actor,
                        "published": Utc::now().to_rfc3339(),
                        "to": ["https://www.w3.org/ns/activitystreams#Public"],
                        "cc": [format!("{actor}/followers")],
                        "object": {
                            "id": note,
                            "type": "Note",
                            "attributedTo": actor,
                            "published": Utc::now().to_rfc3339(),
                            "url": note,
                            "to": ["https://www.w3.org/ns/activitystreams#Public"],
                            "cc": [format!("{actor}/followers")],
                            "content": format!("<p>{}</p>", lorem(1500, j)),
                            "sensitive": false,
                            "tag": [],
                        }
                    })
                    .to_string();
                    let headers = signatures::sign(
                        &keys,
                        "POST",
                        &inbox,
                        Some(body.as_bytes()),
                        Some("application/activity+json"),
                        &format!("{actor}#main-key"),
                        &pair.private_pem,
                    )
                    .map_err(err)?;
                    out.push((j, headers, body));
                }
                Ok(out)
            },
        ));
    }
    let mut signed: Vec<SignedPost> = Vec::with_capacity(total);
    for t in tasks {
        signed.extend(t.await??);
    }
    signed.sort_by_key(|s| s.0);
    let body_bytes: usize = signed.iter().map(|s| s.2.len()).sum();
    let signed = Arc::new(signed);
    println!(
        "  signed in {:.1} s; sending over {} connections ...",
        signed_at.elapsed().as_secs_f64(),
        opts.connections
    );

    let c = client(opts.connections, Some(kith.port))?;
    let url = inbox.to_string();
    let run = {
        let signed = signed.clone();
        drive(opts.connections, Some(total), None, move |i| {
            let (c, url, signed) = (c.clone(), url.clone(), signed.clone());
            async move {
                let (_, headers, body) = signed.get(i).ok_or_else(|| err("no activity"))?;
                let mut req = c
                    .post(&url)
                    .header(CONTENT_TYPE, "application/activity+json")
                    .body(body.clone());
                for (k, v) in headers {
                    req = req.header(*k, v);
                }
                let resp = req.send().await?;
                let status = resp.status();
                if status.as_u16() != 202 {
                    let text = resp.text().await.unwrap_or_default();
                    return Err(err(format!("HTTP {status}: {text}")));
                }
                Ok(())
            }
        })
        .await
    };
    let (_, peak) = kith.memory()?;
    kith.stop().await?;
    let stored = remote_statuses(&site).await?;
    site.cleanup().await;

    if let Some(e) = &run.first_error {
        println!("  first error: {e}");
    }
    r.info("activities", "activities sent", total as f64, "");
    r.info("remote_actors", "remote actors", actors as f64, "");
    r.info(
        "mean_body_bytes",
        "mean body size",
        body_bytes as f64 / total.max(1) as f64,
        "B",
    );
    r.check(
        "stored",
        "statuses stored (counted in the database)",
        stored as f64,
        "",
        &format!("= {total}"),
        stored == total as u64,
    );
    r.check(
        "errors",
        "non-202 answers",
        run.errors as f64,
        "",
        "0",
        run.errors == 0,
    );
    r.check(
        "per_sec",
        "activities stored per second",
        run.per_sec(),
        "/s",
        ">= 3000",
        run.per_sec() >= 3000.0,
    );
    r.info("p50_ms", "latency p50", run.pct_ms(50.0), "ms");
    r.check(
        "p99_ms",
        "latency p99",
        run.pct_ms(99.0),
        "ms",
        "< 50 ms",
        run.pct_ms(99.0) < 50.0,
    );
    r.info(
        "actor_fetches",
        "actor documents fetched by Kith",
        world
            .recorder
            .actor_fetches
            .load(std::sync::atomic::Ordering::Relaxed) as f64,
        "",
    );
    r.check(
        "peak_rss_mib",
        "peak resident memory",
        peak,
        "MiB",
        "< 150 MiB",
        peak < 150.0,
    );
    Ok((r, peak))
}

// ---------------------------------------------------------------- 2. fan-out

/// One post by an account with many followers spread over many servers with
/// shared inboxes and a round trip each.
pub async fn fanout(opts: &Opts) -> Res<(Report, f64)> {
    let followers = opts.size(10_000, 60);
    let servers = opts.size(1_500, 6);
    let rtt = Duration::from_millis(50);
    let mut r = Report::new("fanout", opts);
    let site = Site::new(opts).await?;
    let world = PeerWorld::new(Vec::new(), rtt, Some(site.port))?;
    let peers = start_peers(&world, servers, |_| false).await?;
    let state = site.state().await?;
    let author = prep::local_user(&state, "poster").await?;
    let pem = author.account.public_key_pem.clone();
    let remotes: Vec<Remote> = (0..followers)
        .filter_map(|k| {
            let p = peers.get(k % servers)?;
            Some(Remote {
                username: format!("f{k}"),
                domain: p.addr.to_string(),
                uri: p.actor_uri(&format!("f{k}")),
                shared_inbox: Some(format!("{}/inbox", p.base())),
            })
        })
        .collect();
    let ids = prep::remote_accounts(&state, &remotes, &pem).await?;
    let pairs: Vec<(i64, i64)> = ids.iter().map(|f| (*f, author.account.id)).collect();
    prep::follow_pairs(&state, &pairs).await?;
    state.db.close().await;
    // The servers have seen this account before: they know its key.
    world.know_key(&key_id(&author.account.uri), &pem);

    let kith = site.start(opts).await?;
    let c = client(4, Some(kith.port))?;
    let posted = Instant::now();
    let resp = c
        .post(kith.url("/api/v1/statuses"))
        .header(AUTHORIZATION, format!("Bearer {}", author.token))
        .json(&json!({ "status": "One post for ten thousand followers", "visibility": "public" }))
        .send()
        .await?;
    let api_ms = posted.elapsed().as_secs_f64() * 1000.0;
    if !resp.status().is_success() {
        return Err(err(format!("posting failed: HTTP {}", resp.status())));
    }
    let rec = world.recorder.clone();
    let all_in = wait_until(Duration::from_secs(60), || rec.received() >= servers as u64).await;
    // Let stragglers (duplicates, if any) land before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, peak) = kith.memory()?;
    kith.stop().await?;
    site.cleanup().await;

    let arrivals = world.recorder.arrivals();
    let mut first: HashMap<usize, Instant> = HashMap::new();
    for a in &arrivals {
        first.entry(a.peer).or_insert(a.at);
    }
    let mut ms: Vec<u64> = first
        .values()
        .map(|t| (since_ms(posted, *t) * 1000.0) as u64)
        .collect();
    ms.sort_unstable();
    let last = ms.last().map_or(f64::NAN, |x| *x as f64 / 1000.0);
    r.info("followers", "followers", followers as f64, "");
    r.info("servers", "servers (shared inboxes)", servers as f64, "");
    r.info(
        "rtt_ms",
        "simulated round trip",
        rtt.as_secs_f64() * 1000.0,
        "ms",
    );
    r.info("api_ms", "POST /api/v1/statuses answered in", api_ms, "ms");
    r.check(
        "servers_reached",
        "servers that got the post",
        first.len() as f64,
        "",
        &format!("= {servers}"),
        all_in && first.len() == servers,
    );
    r.check(
        "deliveries",
        "deliveries received (one per server)",
        arrivals.len() as f64,
        "",
        &format!("= {servers}"),
        arrivals.len() == servers,
    );
    r.check(
        "bad_signatures",
        "deliveries whose signature failed",
        world
            .recorder
            .bad_signatures
            .load(std::sync::atomic::Ordering::Relaxed) as f64,
        "",
        "0",
        world
            .recorder
            .bad_signatures
            .load(std::sync::atomic::Ordering::Relaxed)
            == 0,
    );
    r.info(
        "p50_ms",
        "half the servers had it after",
        percentile_ms(&ms, 50.0),
        "ms",
    );
    r.check(
        "all_ms",
        "every server had it after",
        last,
        "ms",
        "< 2000 ms",
        last < 2000.0,
    );
    r.info(
        "floor_ms",
        "lower bound: servers / 128 in flight x round trip",
        (servers as f64 / 128.0).ceil() * rtt.as_secs_f64() * 1000.0,
        "ms",
    );
    r.check(
        "peak_rss_mib",
        "peak resident memory",
        peak,
        "MiB",
        "< 150 MiB",
        peak < 150.0,
    );
    Ok((r, peak))
}

// ---------------------------------------------------------------- 3. one slow peer

/// Posts, edits and deletes queued for one follower's server with a 250 ms
/// round trip; the backlog is drained by a freshly started `kith serve`.
pub async fn slow_peer(opts: &Opts) -> Res<Report> {
    let activities = opts.size(10_000, 40);
    let objects = activities / 4;
    let rtt = Duration::from_millis(250);
    let mut r = Report::new("slow-peer", opts);
    let site = Site::new(opts).await?;
    let world = PeerWorld::new(Vec::new(), rtt, Some(site.port))?;
    let peers = start_peers(&world, 1, |_| false).await?;
    let peer = peers.first().ok_or_else(|| err("no peer"))?;
    let state = site.state().await?;
    let author = prep::local_user(&state, "writer").await?;
    let pem = author.account.public_key_pem.clone();
    let ids = prep::remote_accounts(
        &state,
        &[Remote {
            username: "slow".into(),
            domain: peer.addr.to_string(),
            uri: peer.actor_uri("slow"),
            shared_inbox: Some(format!("{}/inbox", peer.base())),
        }],
        &pem,
    )
    .await?;
    let follower = ids.first().copied().ok_or_else(|| err("no follower"))?;
    prep::follow_pairs(&state, &[(follower, author.account.id)]).await?;
    // Each object: Create, Update, Update, Delete, queued through the service layer.
    println!("  queueing {activities} activities on {objects} posts ...");
    let queued_at = Instant::now();
    for o in 0..objects {
        use kith::service::statuses::{NewStatus, StatusEdit, create, delete, edit};
        let s = create(
            &state,
            &author.account,
            NewStatus::new(&format!("post {o}: {}", lorem(200, o)), Visibility::Public),
        )
        .await
        .map_err(|e| err(e.to_string()))?;
        for v in 1..=2 {
            edit(
                &state,
                &author.account,
                s.id,
                StatusEdit {
                    text: format!("post {o}, version {v}: {}", lorem(200, o + v)),
                    spoiler_text: String::new(),
                    sensitive: false,
                    language: None,
                },
            )
            .await
            .map_err(|e| err(e.to_string()))?;
        }
        delete(&state, &author.account, s.id)
            .await
            .map_err(|e| err(e.to_string()))?;
    }
    let queued = queued_deliveries(&state).await?;
    println!(
        "  queued {queued} deliveries in {:.1} s",
        queued_at.elapsed().as_secs_f64()
    );
    state.db.close().await;
    world.know_key(&key_id(&author.account.uri), &pem);

    let kith = site.start(opts).await?;
    let serving = Instant::now();
    let rec = world.recorder.clone();
    let limit = Duration::from_secs((queued / 20).max(60));
    let done = wait_until(limit, || rec.received() >= queued).await;
    let (_, peak) = kith.memory()?;
    kith.stop().await?;
    site.cleanup().await;

    let arrivals = world.recorder.arrivals();
    let last = arrivals.iter().map(|a| a.at).max().unwrap_or(serving);
    let secs = last.saturating_duration_since(serving).as_secs_f64();
    let rate = arrivals.len() as f64 / secs.max(1e-9);
    // Order per object: Create, then Updates by `updated`, then Delete.
    let rank = |k: &str| match k {
        "Create" => 0,
        "Update" => 1,
        "Delete" => 2,
        _ => 3,
    };
    let mut by_object: HashMap<&str, Vec<(i32, Option<&str>)>> = HashMap::new();
    for a in &arrivals {
        by_object
            .entry(a.object.as_str())
            .or_default()
            .push((rank(&a.kind), a.updated.as_deref()));
    }
    let reordered = by_object
        .values()
        .filter(|seq| {
            seq.windows(2).any(|w| match w {
                [a, b] => a.0 > b.0 || (a.0 == 1 && b.0 == 1 && a.1 > b.1),
                _ => false,
            })
        })
        .count();
    r.info(
        "queued",
        "activities queued for the slow server",
        queued as f64,
        "",
    );
    r.info(
        "rtt_ms",
        "simulated round trip",
        rtt.as_secs_f64() * 1000.0,
        "ms",
    );
    r.check(
        "delivered",
        "delivered (signature verified)",
        arrivals.len() as f64,
        "",
        &format!("= {queued}"),
        done && arrivals.len() as u64 == queued,
    );
    r.check(
        "per_sec",
        "deliveries per second",
        rate,
        "/s",
        ">= 200",
        rate >= 200.0,
    );
    r.check(
        "reordered_objects",
        "objects whose activities arrived out of order",
        reordered as f64,
        "",
        "0",
        reordered == 0,
    );
    r.info("objects", "objects", by_object.len() as f64, "");
    r.info("drain_s", "backlog drained in", secs, "s");
    r.info("peak_rss_mib", "peak resident memory", peak, "MiB");
    Ok(r)
}

// ---------------------------------------------------------------- 4. dead peers

struct Drain {
    live_expected: u64,
    live_secs: f64,
    done: bool,
    dead_attempts: i64,
    dead_left: u64,
    peak: f64,
    bad_signatures: u64,
}

/// Queues `posts` posts to one follower on each of `hosts` servers, of which
/// those with `i % 5 == 4` refuse connections when `with_dead`, then times how
/// long a fresh `kith serve` takes to deliver to every live one.
async fn drain(opts: &Opts, hosts: usize, posts: usize, with_dead: bool) -> Res<Drain> {
    let is_dead = move |i: usize| with_dead && i % 5 == 4;
    let site = Site::new(opts).await?;
    let world = PeerWorld::new(Vec::new(), Duration::ZERO, Some(site.port))?;
    let peers = start_peers(&world, hosts, is_dead).await?;
    let state = site.state().await?;
    let author = prep::local_user(&state, "announcer").await?;
    let pem = author.account.public_key_pem.clone();
    let remotes: Vec<Remote> = peers
        .iter()
        .map(|p| Remote {
            username: format!("h{}", p.index),
            domain: p.addr.to_string(),
            uri: p.actor_uri(&format!("h{}", p.index)),
            shared_inbox: Some(format!("{}/inbox", p.base())),
        })
        .collect();
    let ids = prep::remote_accounts(&state, &remotes, &pem).await?;
    let pairs: Vec<(i64, i64)> = ids.iter().map(|f| (*f, author.account.id)).collect();
    prep::follow_pairs(&state, &pairs).await?;
    for p in 0..posts {
        kith::service::statuses::create(
            &state,
            &author.account,
            kith::service::statuses::NewStatus::new(
                &format!("announcement {p}: {}", lorem(200, p)),
                Visibility::Public,
            ),
        )
        .await
        .map_err(|e| err(e.to_string()))?;
    }
    let queued = queued_deliveries(&state).await?;
    // Statistics on the queue, as autovacuum's ANALYZE would have them on a
    // server that queued this many rows (PostgreSQL only).
    prep::statistics(&state).await?;
    state.db.close().await;
    world.know_key(&key_id(&author.account.uri), &pem);
    let live_hosts = (0..hosts).filter(|i| !is_dead(*i)).count() as u64;
    let live_expected = live_hosts * posts as u64;
    println!(
        "  queued {queued} deliveries to {hosts} hosts ({} refusing connections)",
        hosts as u64 - live_hosts
    );

    let kith = site.start(opts).await?;
    let serving = Instant::now();
    let rec = world.recorder.clone();
    let done = wait_until(opts.secs(180.0, 60.0), || rec.received() >= live_expected).await;
    let last = rec.arrivals().iter().map(|a| a.at).max().unwrap_or(serving);
    let (_, peak) = kith.memory()?;
    // What the worker did with the dead hosts' rows meanwhile.
    let conn = sea_orm::Database::connect(&site.database_url).await?;
    let left = deliveries::Entity::find().all(&conn).await?;
    let _ = conn.close().await;
    kith.stop().await?;
    site.cleanup().await;
    Ok(Drain {
        live_expected,
        live_secs: last.saturating_duration_since(serving).as_secs_f64(),
        done,
        dead_attempts: left.iter().map(|d| i64::from(d.attempts)).sum(),
        dead_left: left.len() as u64,
        peak,
        bad_signatures: rec
            .bad_signatures
            .load(std::sync::atomic::Ordering::Relaxed),
    })
}

pub async fn dead_peers(opts: &Opts) -> Res<Report> {
    let hosts = opts.size(100, 10);
    let backlog = opts.size(100_000, 200);
    let posts = backlog / hosts;
    let mut r = Report::new("dead-peers", opts);
    println!("  baseline: the live hosts' share of the backlog, no dead hosts");
    let live_hosts = (0..hosts).filter(|i| i % 5 != 4).count();
    let base = drain(opts, live_hosts, posts, false).await?;
    println!("  the backlog with 20% of hosts refusing connections");
    let d = drain(opts, hosts, posts, true).await?;
    let base_rate = base.live_expected as f64 / base.live_secs.max(1e-9);
    let rate = d.live_expected as f64 / d.live_secs.max(1e-9);
    let dead_share = (1.0 - rate / base_rate).max(0.0) * 100.0;
    r.info("backlog", "deliveries queued", (posts * hosts) as f64, "");
    r.info("hosts", "hosts", hosts as f64, "");
    r.info(
        "dead_hosts",
        "hosts refusing connections",
        (hosts - live_hosts) as f64,
        "",
    );
    r.check(
        "live_delivered_all",
        "live deliveries made",
        if d.done {
            d.live_expected as f64
        } else {
            f64::NAN
        },
        "",
        &format!("= {}", d.live_expected),
        d.done && d.bad_signatures == 0,
    );
    r.check(
        "live_per_sec",
        "live hosts drained at",
        rate,
        "/s",
        ">= 1500",
        rate >= 1500.0,
    );
    r.check(
        "live_gone_s",
        "live backlog gone after",
        d.live_secs,
        "s",
        "< 120 s",
        d.done && d.live_secs < 120.0,
    );
    r.info(
        "baseline_per_sec",
        "same live backlog, no dead hosts",
        base_rate,
        "/s",
    );
    r.check(
        "dead_share_pct",
        "worker time lost to dead hosts (1 - rate/baseline)",
        dead_share,
        "%",
        "< 5 %",
        dead_share < 5.0,
    );
    r.info(
        "dead_attempts",
        "connection attempts to dead hosts",
        d.dead_attempts as f64,
        "",
    );
    r.info(
        "dead_left",
        "deliveries left for dead hosts",
        d.dead_left as f64,
        "",
    );
    r.info(
        "peak_rss_mib",
        "peak resident memory",
        d.peak.max(base.peak),
        "MiB",
    );
    Ok(r)
}

// ---------------------------------------------------------------- 5. home timeline

pub struct HomeTimeline {
    pub report: Report,
    /// Start to serving of a restart on the large database.
    pub restart_ms: f64,
}

pub async fn home_timeline(opts: &Opts) -> Res<HomeTimeline> {
    let total = opts.size(1_000_000, 3_000);
    let followees = opts.size(1_000, 20);
    let others = opts.size(4_000, 20);
    let mut r = Report::new("home-timeline", opts);
    let site = Site::new(opts).await?;
    let state = site.state().await?;
    let reader = prep::local_user(&state, "reader").await?;
    println!(
        "  writing {total} statuses by {} authors ({followees} followed) ...",
        followees + others
    );
    let made = Instant::now();
    let pem = reader.account.public_key_pem.clone();
    let remotes: Vec<Remote> = (0..followees + others)
        .map(|k| {
            let host = format!("h{}.bench.example", k % 100);
            Remote {
                username: format!("a{k}"),
                uri: format!("https://{host}/users/a{k}"),
                shared_inbox: Some(format!("https://{host}/inbox")),
                domain: host,
            }
        })
        .collect();
    let authors = prep::remote_accounts(&state, &remotes, &pem).await?;
    let followed_ids: Vec<i64> = authors.iter().take(followees).copied().collect();
    let pairs: Vec<(i64, i64)> = followed_ids
        .iter()
        .map(|a| (reader.account.id, *a))
        .collect();
    prep::follow_pairs(&state, &pairs).await?;
    let followed: HashSet<i64> = followed_ids.iter().copied().collect();
    // One followee in ten posts rarely: two statuses in the whole set.
    let rare: Vec<usize> = (0..followees).filter(|k| k % 10 == 0).collect();
    let frequent: Vec<usize> = (0..followees + others)
        .filter(|k| !(*k < followees && k % 10 == 0))
        .collect();
    let mut rare_at: HashMap<usize, usize> = HashMap::new();
    let mut rng = Lcg(7);
    for k in &rare {
        for _ in 0..2 {
            rare_at.insert(rng.below(total), *k);
        }
    }
    let start = Utc::now() - chrono::Duration::days(365);
    let step = chrono::Duration::milliseconds((365 * 24 * 3600 * 1000 / total.max(1)) as i64);
    let mut feed_rows = 0usize;
    let mut batch = Vec::with_capacity(20_000);
    for s in 0..total {
        let k = match rare_at.get(&s) {
            Some(k) => *k,
            None => frequent
                .get(rng.below(frequent.len()))
                .copied()
                .unwrap_or(0),
        };
        let (Some(id), Some(rm)) = (authors.get(k), remotes.get(k)) else {
            continue;
        };
        let at = start + step * (s as i32);
        batch.push(prep::remote_status(&state, *id, &rm.uri, s, at));
        if batch.len() >= 20_000 || s + 1 == total {
            feed_rows += prep::statuses_and_feed(
                &state,
                std::mem::take(&mut batch),
                reader.account.id,
                &followed,
            )
            .await?;
        }
        if s > 0 && s % 200_000 == 0 {
            println!("    {s} statuses ...");
        }
    }
    println!(
        "  wrote {total} statuses and {feed_rows} home-feed rows in {:.1} s",
        made.elapsed().as_secs_f64()
    );
    prep::statistics(&state).await?;
    state.db.close().await;

    let kith = site.start(opts).await?;
    let c = client(opts.connections, Some(kith.port))?;
    let auth = format!("Bearer {}", reader.token);
    let first: Vec<Value> = c
        .get(kith.url("/api/v1/timelines/home?limit=40"))
        .header(AUTHORIZATION, &auth)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let max_id = first
        .last()
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| err("the first page is empty"))?
        .to_string();
    let page = |url: String| {
        let (c, auth) = (c.clone(), auth.clone());
        move |_| {
            let (c, auth, url) = (c.clone(), auth.clone(), url.clone());
            async move {
                let resp = c.get(&url).header(AUTHORIZATION, &auth).send().await?;
                let status = resp.status();
                let body = resp.bytes().await?;
                if !status.is_success() || body.len() < 100 {
                    return Err(err(format!("HTTP {status}, {} bytes", body.len())));
                }
                Ok(())
            }
        }
    };
    let secs = opts.secs(10.0, 1.0);
    let p1 = drive(
        opts.connections,
        None,
        Some(secs),
        page(kith.url("/api/v1/timelines/home?limit=40")),
    )
    .await;
    let p2 = drive(
        opts.connections,
        None,
        Some(secs),
        page(kith.url(&format!("/api/v1/timelines/home?limit=40&max_id={max_id}"))),
    )
    .await;
    // One client alone: the latency without queueing.
    let single = drive(
        1,
        Some(opts.size(500, 20)),
        None,
        page(kith.url("/api/v1/timelines/home?limit=40")),
    )
    .await;
    let (_, peak) = kith.memory()?;
    kith.stop().await?;
    let again = site.start(opts).await?;
    let restart_ms = again.start_to_serving.as_secs_f64() * 1000.0;
    again.stop().await?;
    site.cleanup().await;

    for e in [&p1.first_error, &p2.first_error].into_iter().flatten() {
        println!("  first error: {e}");
    }
    r.info("statuses", "statuses in the database", total as f64, "");
    r.info("followees", "accounts followed", followees as f64, "");
    r.info(
        "home_feed_rows",
        "home-feed rows of the reader",
        feed_rows as f64,
        "",
    );
    r.check(
        "page_len",
        "statuses on page 1",
        first.len() as f64,
        "",
        "= 40",
        first.len() == 40,
    );
    for (key, name, run) in [("page1", "page 1", &p1), ("page2", "page 2 (max_id)", &p2)] {
        r.check(
            &format!("{key}_errors"),
            &format!("{name}: failed requests"),
            run.errors as f64,
            "",
            "0",
            run.errors == 0,
        );
        r.check(
            &format!("{key}_p50_ms"),
            &format!("{name}: p50, {} clients", opts.connections),
            run.pct_ms(50.0),
            "ms",
            "< 3 ms",
            run.pct_ms(50.0) < 3.0,
        );
        r.check(
            &format!("{key}_p99_ms"),
            &format!("{name}: p99, {} clients", opts.connections),
            run.pct_ms(99.0),
            "ms",
            "< 10 ms",
            run.pct_ms(99.0) < 10.0,
        );
        r.check(
            &format!("{key}_per_sec"),
            &format!("{name}: requests per second"),
            run.per_sec(),
            "/s",
            ">= 2000",
            run.per_sec() >= 2000.0,
        );
    }
    r.info(
        "single_p50_ms",
        "page 1, one client: p50",
        single.pct_ms(50.0),
        "ms",
    );
    r.info(
        "single_p99_ms",
        "page 1, one client: p99",
        single.pct_ms(99.0),
        "ms",
    );
    r.info("peak_rss_mib", "peak resident memory", peak, "MiB");
    r.info(
        "restart_ms",
        "start to serving on this database",
        restart_ms,
        "ms",
    );
    Ok(HomeTimeline {
        report: r,
        restart_ms,
    })
}

// ---------------------------------------------------------------- 6. footprint

/// Peaks and start times the other scenarios measured, when they ran in the same run.
#[derive(Default)]
pub struct Measured {
    pub ingest_peak: Option<f64>,
    pub fanout_peak: Option<f64>,
    pub large_restart_ms: Option<f64>,
}

pub async fn footprint(opts: &Opts, measured: &Measured) -> Res<Report> {
    let mut r = Report::new("footprint", opts);
    let site = Site::new(opts).await?;
    {
        let state = site.state().await?;
        prep::local_user(&state, "someone").await?;
        state.db.close().await;
    }
    let kith: Kith = site.start(opts).await?;
    // Idle: a few seconds after start, nothing asked of it.
    tokio::time::sleep(opts.secs(3.0, 0.5)).await;
    let (idle, _) = kith.memory()?;
    kith.stop().await?;
    let mut starts = Vec::new();
    for _ in 0..opts.size(5, 2) {
        let k = site.start(opts).await?;
        starts.push((k.start_to_serving.as_secs_f64() * 1_000_000.0) as u64);
        k.stop().await?;
    }
    starts.sort_unstable();
    site.cleanup().await;
    let start_ms = percentile_ms(&starts, 50.0);
    let size = file_mib(&opts.kith_bin)?;
    r.check(
        "idle_rss_mib",
        "resident memory, idle after start",
        idle,
        "MiB",
        "< 40 MiB",
        idle < 40.0,
    );
    r.check(
        "start_ms",
        "start to serving, existing database (median)",
        start_ms,
        "ms",
        "< 200 ms",
        start_ms < 200.0,
    );
    if let Some(ms) = measured.large_restart_ms {
        r.check(
            "start_large_ms",
            "start to serving, the home-timeline database",
            ms,
            "ms",
            "< 200 ms",
            ms < 200.0,
        );
    }
    for (key, name, v) in [
        (
            "ingest_peak_mib",
            "peak resident memory, ingest",
            measured.ingest_peak,
        ),
        (
            "fanout_peak_mib",
            "peak resident memory, fan-out",
            measured.fanout_peak,
        ),
    ] {
        if let Some(v) = v {
            r.check(key, name, v, "MiB", "< 150 MiB", v < 150.0);
        }
    }
    r.info("binary_mib", "size of the kith binary", size, "MiB");
    r.json.insert(
        "kith_bin".into(),
        json!(opts.kith_bin.display().to_string()),
    );
    Ok(r)
}
