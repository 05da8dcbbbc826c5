//! Configuration by flags and environment variables, with defaults that run on a laptop.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::Parser;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "yiwantang-server",
    version,
    about = "一碗汤: API, sync and the built app"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "YWT_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Database URL. SQLite (`sqlite://path/to/file.db`) today; the storage layer keeps its
    /// SQL portable so PostgreSQL can follow.
    #[arg(
        long,
        env = "YWT_DATABASE_URL",
        default_value = "sqlite://data/yiwantang.db"
    )]
    pub database_url: String,

    /// The built app (Trunk's `dist/`), served from the same origin as the API.
    #[arg(long, env = "YWT_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Load the demo township (idempotent: nothing is added twice).
    #[arg(long, env = "YWT_DEMO", value_parser = BoolishValueParser::new(),
          default_value = "false", num_args = 0..=1, default_missing_value = "true")]
    pub demo: bool,

    /// Mark the session cookie `Secure` (set it when served over HTTPS).
    #[arg(long, env = "YWT_SECURE_COOKIES", value_parser = BoolishValueParser::new(),
          default_value = "false", num_args = 0..=1, default_missing_value = "true")]
    pub secure_cookies: bool,

    /// How many passwords may be hashed or verified at once (argon2 is slow and takes memory
    /// on purpose); requests beyond wait their turn. Defaults to the number of CPUs.
    #[arg(long, env = "YWT_HASHING_PERMITS", default_value_t = default_hashing_permits(),
          value_parser = clap::value_parser!(usize))]
    pub hashing_permits: usize,

    /// The absolute lifetime of a session, in days: however often it is used, the person signs
    /// in again after this long.
    #[arg(long, env = "YWT_SESSION_MAX_DAYS", default_value_t = 180)]
    pub session_max_days: i64,

    /// Reverse proxies in front of the server (IP addresses, comma-separated). Only when the
    /// connection comes from one of them is `X-Forwarded-For` read, and then the right-most
    /// address in it that is not a trusted proxy is taken as the client's (for throttling).
    #[arg(long, env = "YWT_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<std::net::IpAddr>,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// The most issues one person may raise per day (China time); more are refused with a
    /// reason. 4294967295 (the largest) means no quota, and nothing is counted: benches and
    /// the chaos run set it.
    #[arg(long, env = "YWT_ISSUES_PER_DAY", default_value_t = 20)]
    pub issues_per_day: u32,

    /// How long, in microseconds, the writer spins for each of the database's answers before
    /// its thread sleeps (`writer_thread`); 0 never spins. Spinning is skipped anyway where
    /// the server may use only one core.
    #[arg(long, env = "YWT_WRITER_SPIN_US", default_value_t = WRITER_SPIN_US)]
    pub writer_spin_us: u64,

    /// The most photos one person may attach per day (China time); 4294967295 means no quota.
    #[arg(long, env = "YWT_PHOTOS_PER_DAY", default_value_t = 30)]
    pub photos_per_day: u32,
}

/// The writer's spin by default, in microseconds: longer than most statements take on sqlx's
/// worker (30 µs already gave the whole gain), short enough to cost nothing when idle.
pub const WRITER_SPIN_US: u64 = 50;

/// The number of CPUs (at least one).
pub fn default_hashing_permits() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// What the server binary does; serving is the default.
#[derive(clap::Subcommand, Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Serve the app and the API (the default).
    Serve,
    /// Copy the database into FILE, consistently, while the server keeps serving.
    Backup { file: PathBuf },
    /// Replace the database with the backup FILE (stop the server first). The database it
    /// replaces is moved aside, never deleted; phones start their next pull afresh.
    Restore { file: PathBuf },
    /// Create a real township and print a one-time setup code for its first township staff
    /// account (run again, before anyone used it, to replace a lost code).
    NewTownship {
        /// A short id: lowercase letters, digits and '-' (e.g. tangwang).
        #[arg(long)]
        id: String,
        /// Its name as people see it (e.g. 汤汪乡).
        #[arg(long)]
        name: String,
    },
    /// Make a new key for signing market passes (the old ones keep verifying the passes they
    /// signed, unless --retire-old: then those passes stop verifying at once, as after a leak).
    RotatePassKey {
        #[arg(long)]
        retire_old: bool,
    },
}

impl Config {
    /// How long a session may live at most, however often it is used.
    pub fn session_max_age(&self) -> chrono::Duration {
        chrono::Duration::days(self.session_max_days.max(1))
    }

    /// A configuration for tests: a database file of their own, no static files and no
    /// daily quotas.
    pub fn for_tests(database_url: String) -> Config {
        Config {
            addr: "127.0.0.1:0".parse().expect("loopback address"),
            database_url,
            static_dir: PathBuf::from("/nonexistent"),
            demo: true,
            secure_cookies: false,
            hashing_permits: default_hashing_permits(),
            session_max_days: 180,
            trusted_proxy: Vec::new(),
            command: None,
            // Tests raise many issues as one person; the quota test sets its own.
            issues_per_day: u32::MAX,
            photos_per_day: u32::MAX,
            writer_spin_us: WRITER_SPIN_US,
        }
    }
}
