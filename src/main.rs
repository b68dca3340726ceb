//! The `kith` command: parse, load config, init tracing, hand over to the library.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use entity::Role;
use kith::service::accounts::{self, NewUser};
use kith::{AppState, Config, Error};

/// mimalloc rather than glibc's malloc: requests allocate and free many small
/// strings from several threads (BENCHMARKS.md). With the crate's `override`
/// feature it also serves the C code's `malloc` (SQLite's row values).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "kith",
    version,
    about = "A self-hosted, federated social network server"
)]
struct Cli {
    /// A TOML file whose values override config/default.toml (environment variables override both).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations and serve until SIGINT or SIGTERM.
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Manage local users.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user, approved and confirmed.
    Create {
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// Make the user an administrator.
        #[arg(long)]
        admin: bool,
        /// Make the user a moderator.
        #[arg(long, conflicts_with = "admin")]
        moderator: bool,
    },
    /// List local users.
    List,
    /// Set a new password; without --password, a random one is made and printed.
    ResetPassword {
        name: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// Suspend a user: they cannot log in and their posts are hidden.
    Suspend { name: String },
    /// Lift a suspension.
    Unsuspend { name: String },
    /// Delete a user for good, telling the servers that know them.
    Delete {
        name: String,
        /// Required: there is no undo.
        #[arg(long)]
        yes: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
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
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("KITH_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> Result<(), Error> {
    let default_file = PathBuf::from("config/default.toml");
    let config = Config::load(Some(&default_file), cli.config.as_deref(), std::env::vars())?;
    match cli.command {
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .map_err(|e| Error::Io(format!("cannot listen on {}: {e}", config.listen)))?;
            kith::run(config, listener, shutdown_signal()).await
        }
        Command::Migrate => {
            let db = kith::db::Db::connect(&config).await?;
            db.migrate().await?;
            db.close().await;
            println!("database is up to date");
            Ok(())
        }
        Command::User(cmd) => user_command(AppState::new(config).await?, cmd).await,
    }
}

async fn user_command(state: AppState, cmd: UserCommand) -> Result<(), Error> {
    match cmd {
        UserCommand::Create {
            name,
            email,
            password,
            admin,
            moderator,
        } => {
            let mut new = NewUser::new(&name, &email, &password);
            new.role = if admin {
                Role::Admin
            } else if moderator {
                Role::Moderator
            } else {
                Role::User
            };
            new.allow_reserved = true;
            let (account, user) = accounts::register(&state, new).await?;
            println!(
                "created {} ({}) as {}, id {}",
                account.username,
                user.email,
                user.role.as_str(),
                account.id
            );
        }
        UserCommand::List => {
            println!(
                "{:<20} {:<32} {:<10} {:<9} STATE",
                "USERNAME", "EMAIL", "ROLE", "APPROVED"
            );
            for (a, u) in accounts::list_users(&state).await? {
                let st = if a.suspended_at.is_some() {
                    "suspended"
                } else {
                    "active"
                };
                println!(
                    "{:<20} {:<32} {:<10} {:<9} {}",
                    a.username,
                    u.email,
                    u.role.as_str(),
                    u.approved,
                    st
                );
            }
        }
        UserCommand::ResetPassword { name, password } => {
            let (password, show) = match password {
                Some(p) => (p, false),
                None => (random_password(), true),
            };
            accounts::reset_password(&state, &name, &password).await?;
            if show {
                println!("new password for {name}: {password}");
            } else {
                println!("password for {name} changed");
            }
        }
        UserCommand::Suspend { name } => {
            accounts::set_suspended(&state, &name, true).await?;
            println!("{name} is suspended");
        }
        UserCommand::Delete { name, yes } => {
            if !yes {
                return Err(Error::Io(format!(
                    "deleting {name} cannot be undone; run again with --yes"
                )));
            }
            accounts::delete_local(&state, &name).await?;
            println!("{name} is deleted; servers that knew them are told when `kith serve` runs");
        }
        UserCommand::Unsuspend { name } => {
            accounts::set_suspended(&state, &name, false).await?;
            println!("{name} is no longer suspended");
        }
    }
    state.db.close().await;
    Ok(())
}

fn random_password() -> String {
    use rand::Rng;
    use rand::distributions::Alphanumeric;
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
