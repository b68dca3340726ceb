//! `kith-bench`: the benchmarks of BENCHMARKS.md, one subcommand per scenario.
//!
//! Each scenario makes its own data and keys, starts a real `kith serve` (a
//! fresh data directory and database), drives it over HTTP with a keep-alive
//! client, simulates remote servers in-process (axum on 127.1.x.y, verifying
//! HTTP signatures like a real peer, with latency or refused connections), and
//! prints a table and one JSON line. The machine's floors (RSA-2048 signs and
//! verifies per second with ring, plain HTTP requests per second on loopback)
//! are measured in the same run and printed with every scenario.
//!
//! `--smoke` runs everything at a tiny size in seconds (CI does, so the program
//! keeps working); the closing line `bench: N passed, M failed` counts the
//! scenarios that ran and produced their figures (targets met or not).
mod harness;
mod prep;
mod scenarios;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use harness::{DbKind, Floors, Opts, Res};
use scenarios::{Measured, Report};

#[derive(Parser)]
#[command(
    name = "kith-bench",
    about = "Benchmarks of a real `kith serve` (see BENCHMARKS.md)"
)]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
    /// Tiny sizes: every scenario in seconds (for CI).
    #[arg(long, global = true)]
    smoke: bool,
    /// The database `kith serve` runs on.
    #[arg(long, global = true, value_enum, default_value = "sqlite")]
    db: DbKind,
    /// The `kith` binary to start (build it with `cargo build --release`).
    #[arg(long, global = true, default_value = "target/release/kith")]
    kith_bin: PathBuf,
    /// A PostgreSQL database the bench may use to create and drop its own (with --db postgres).
    #[arg(
        long,
        global = true,
        env = "KITH_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    database_url: String,
    /// Concurrent client connections.
    #[arg(long, global = true, default_value_t = 64)]
    connections: usize,
}

#[derive(Subcommand, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// 1. Signed Create(Note) activities into the shared inbox.
    Ingest,
    /// 2. One post to followers on many servers with a 50 ms round trip.
    Fanout,
    /// 3. A backlog to one server with a 250 ms round trip; order per object.
    SlowPeer,
    /// 4. A backlog where 20% of hosts refuse connections.
    DeadPeers,
    /// 5. GET /api/v1/timelines/home on a million statuses.
    HomeTimeline,
    /// 6. Memory idle and at peak, start time, binary size.
    Footprint,
    /// Every scenario, in the order above.
    All,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let opts = Opts {
        smoke: cli.smoke,
        db: cli.db,
        // Absolute: the server runs in its own data directory.
        kith_bin: std::fs::canonicalize(&cli.kith_bin).unwrap_or_else(|_| cli.kith_bin.clone()),
        database_url: cli.database_url.clone(),
        connections: cli.connections,
    };
    let (passed, failed) = runtime.block_on(run(cli.scenario, &opts));
    println!("bench: {passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn emit(report: &mut Report, floors: &Floors) {
    report.json.insert("floor".into(), floors.json());
    report.print(floors);
    println!("{}", serde_json::Value::Object(report.json.clone()));
}

async fn run(which: Scenario, opts: &Opts) -> (u32, u32) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    if !opts.kith_bin.exists() {
        eprintln!(
            "error: {} does not exist (build it, or pass --kith-bin)",
            opts.kith_bin.display()
        );
        return (0, 1);
    }
    println!(
        "kith-bench: {} on {:?}{}, {} connections, {}",
        opts.kith_bin.display(),
        opts.db,
        if opts.smoke { " (smoke sizes)" } else { "" },
        opts.connections,
        chrono::Utc::now().to_rfc3339()
    );
    let floors = match floors(opts).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: measuring the floors: {e}");
            return (0, 1);
        }
    };
    floors.print();
    let wanted = |s: Scenario| which == s || which == Scenario::All;
    let (mut passed, mut failed) = (0, 0);
    let mut measured = Measured::default();
    let mut tally = |name: &str, r: Res<Report>| match r {
        Ok(mut report) => {
            emit(&mut report, &floors);
            passed += 1;
        }
        Err(e) => {
            println!("  {name}: FAILED: {e}");
            failed += 1;
        }
    };
    if wanted(Scenario::Ingest) {
        println!("== ingest");
        let r = scenarios::ingest(opts).await.map(|(r, peak)| {
            measured.ingest_peak = Some(peak);
            r
        });
        tally("ingest", r);
    }
    if wanted(Scenario::Fanout) {
        println!("== fanout");
        let r = scenarios::fanout(opts).await.map(|(r, peak)| {
            measured.fanout_peak = Some(peak);
            r
        });
        tally("fanout", r);
    }
    if wanted(Scenario::SlowPeer) {
        println!("== slow-peer");
        tally("slow-peer", scenarios::slow_peer(opts).await);
    }
    if wanted(Scenario::DeadPeers) {
        println!("== dead-peers");
        tally("dead-peers", scenarios::dead_peers(opts).await);
    }
    if wanted(Scenario::HomeTimeline) {
        println!("== home-timeline");
        let r = scenarios::home_timeline(opts).await.map(|h| {
            measured.large_restart_ms = Some(h.restart_ms);
            h.report
        });
        tally("home-timeline", r);
    }
    if wanted(Scenario::Footprint) {
        println!("== footprint");
        tally("footprint", scenarios::footprint(opts, &measured).await);
    }
    (passed, failed)
}

async fn floors(opts: &Opts) -> Res<Floors> {
    let pair = harness::key_pairs(1).await?;
    harness::floors(opts, &harness::first_pem(&pair)?).await
}
