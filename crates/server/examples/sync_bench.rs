//! Sync benchmark on loopback, against the real server and a fresh SQLite file
//! (WAL, `synchronous = FULL`), tried as phones do over HTTP:
//! 1. one phone's 1,000 queued mutations pushed (batches of 100) and acknowledged by a pull;
//! 2. a crowd of phones that have never pushed before, all pushing at once (a market day
//!    opening, every phone reconnecting after an outage): every push answered, none 5xx;
//! 3. throughput: 200 phones pushing batches of 100 back to back;
//! 4. latency at half that load: 200 phones each pushing a batch every second, open loop;
//! 5. 1,000 phones pushing at the same instant: every one answered (applied, or `retry`
//!    with `Retry-After`, after which it tries again as the app does);
//! 6. pulls as the data grows (10k and 100k issues over 200 communities; 1M with
//!    `YWT_BENCH_RECORDS=1000000`): p50/p95 for deltas of 0, 10 and 1,000 changes and a
//!    community's whole first pull.
//!
//! `YWT_BENCH_ONLY=pull` runs only the pulls, `YWT_BENCH_RECORDS=0` only the pushes. Run with
//! `cargo xtask bench` (or `cargo run --release -p server --example sync_bench`).
//!
//! The machine is often shared: the load average is printed first, and the push scenarios
//! print the process's CPU time per mutation (server and bench client together), a figure
//! other work on the machine does not move as much as the wall clock.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::mutation::Definition;
use domain::wire::{MutationEnvelope, PullResponse, PushResponse, ResultStatus, PUSH_BATCH_MAX};
use domain::RaiseIssueArgs;
use tokio::sync::Mutex;
use uuid::Uuid;

fn raise(seq: u64) -> MutationEnvelope {
    RaiseIssueArgs {
        id: Uuid::new_v4(),
        title: format!("基准测试问题 {seq}"),
        description: "楼道灯坏了，晚上看不见台阶。".into(),
        category: "repairs".into(),
        place: Some("3栋2单元".into()),
        on_behalf_of: None,
    }
    .envelope(seq, Uuid::new_v4(), Utc::now())
}

async fn signed_in(base: &str, phone: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(1_000)
        .build()
        .unwrap();
    let response = client
        .post(format!("{base}/api/session"))
        .json(&serde_json::json!({"phone": phone, "password": server::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    client
}

/// What the pushes of a scenario met.
#[derive(Default)]
struct Tally {
    applied: usize,
    pushes: usize,
    /// Pushes answered `retry` as a whole, with `Retry-After` (load shed on purpose).
    shed: usize,
    /// Answers 5xx, or no answer at all.
    failed: usize,
    latencies: Vec<Duration>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.applied += other.applied;
        self.pushes += other.pushes;
        self.shed += other.shed;
        self.failed += other.failed;
        self.latencies.extend(other.latencies);
    }

    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let at = ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[at - 1].as_secs_f64() * 1000.0
    }

    fn summary(&mut self) -> String {
        self.latencies.sort();
        format!(
            "{} pushes: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} shed with Retry-After, {} failed (5xx or no answer)",
            self.pushes,
            self.percentile(0.50),
            self.percentile(0.99),
            self.percentile(1.0),
            self.shed,
            self.failed
        )
    }
}

/// Pushes `queue` as the app does: a batch at a time from the first not yet acknowledged,
/// waiting as told when the server sheds load, until every mutation is applied.
async fn push_queue(
    http: &reqwest::Client,
    base: &str,
    client_id: Uuid,
    queue: &[MutationEnvelope],
    batch: usize,
) -> Tally {
    let mut tally = Tally::default();
    let mut next = 0;
    let mut attempts = 0;
    while next < queue.len() {
        attempts += 1;
        assert!(attempts < 10_000, "a phone never got through");
        let end = (next + batch).min(queue.len());
        let started = Instant::now();
        let sent = http
            .post(format!("{base}/api/sync/push"))
            .json(&serde_json::json!({"client_id": client_id, "mutations": &queue[next..end]}))
            .send()
            .await;
        tally.pushes += 1;
        let response = match sent {
            Ok(response) if response.status().is_success() => response,
            _ => {
                tally.failed += 1;
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let body: PushResponse = match response.json().await {
            Ok(body) => body,
            Err(_) => {
                tally.failed += 1;
                continue;
            }
        };
        tally.latencies.push(started.elapsed());
        let applied = body
            .results
            .iter()
            .take_while(|r| r.status == ResultStatus::Applied)
            .count();
        tally.applied += applied;
        next += applied;
        if let Some(seconds) = retry_after {
            tally.shed += 1;
            // The app waits what it is told, spread a little so phones do not come back together.
            let jitter = Duration::from_millis(fastrand_ms(seconds * 500));
            tokio::time::sleep(Duration::from_secs(seconds) + jitter).await;
        } else if applied < end - next + applied {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    tally
}

/// This process's CPU time so far (user and system), from /proc (Linux); zero elsewhere.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th, in clock ticks (100 a second on Linux).
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn fastrand_ms(max: u64) -> u64 {
    (Uuid::new_v4().as_u128() % u128::from(max.max(1))) as u64
}

/// Runs `phones` phones at once, each pushing `per_phone` mutations in batches of `batch`.
async fn crowd(
    http: &reqwest::Client,
    base: &str,
    phones: usize,
    per_phone: u64,
    batch: usize,
) -> (Tally, f64) {
    let queues: Vec<Vec<MutationEnvelope>> = (0..phones)
        .map(|_| (1..=per_phone).map(raise).collect())
        .collect();
    let started = Instant::now();
    let tasks: Vec<_> = queues
        .into_iter()
        .map(|queue| {
            let (http, base) = (http.clone(), base.to_string());
            tokio::spawn(
                async move { push_queue(&http, &base, Uuid::new_v4(), &queue, batch).await },
            )
        })
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        tally.add(task.await.unwrap());
    }
    (tally, started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = server::Config::for_tests(format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ));
    // The bench raises thousands of issues as a few people: no daily quota.
    config.issues_per_day = u32::MAX;
    config.photos_per_day = u32::MAX;
    let state = server::AppState::new(config).await.unwrap();
    let db = state.db.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, server::app(state)).await.unwrap() });
    let http = signed_in(&base, "13900000001").await;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average (1, 5, 15 min) before the bench: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );

    if std::env::var("YWT_BENCH_ONLY").as_deref() != Ok("pull") {
        push_figures(&http, &base).await;
    }

    // 6. Pulls as the data grows: 200 more communities filled to 10k, 100k (and, with
    //    YWT_BENCH_RECORDS=1000000, 1M) issues; a resident of 杉湾花园 pulls.
    let largest: usize = std::env::var("YWT_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let reader = signed_in(&base, "13900000002").await;
    let reader_client = Uuid::new_v4();
    let mut filled = 0;
    for size in [10_000, 100_000, 1_000_000] {
        if size > largest {
            break;
        }
        fill(&db, size - filled).await;
        filled = size;
        pull_figures(&http, &reader, reader_client, &base, size).await;
    }
}

/// Adds `issues` synthetic issues over 200 communities and 杉湾花园.
async fn fill(db: &server::store::Db, issues: usize) {
    let started = Instant::now();
    let mut tx = db.begin_write().await.unwrap();
    let raiser = server::store::people::user_by_phone(&mut tx, "13900000001")
        .await
        .unwrap()
        .unwrap()
        .id;
    let joiner = server::store::people::user_by_phone(&mut tx, "13900000002")
        .await
        .unwrap()
        .unwrap()
        .id;
    server::store::generate::fill(&mut tx, "tangwang", 200, issues, "shanwan", raiser, joiner)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    println!(
        "  (filled {issues} issues in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

async fn pull_once(
    http: &reqwest::Client,
    base: &str,
    client_id: Uuid,
    cursor: Option<u64>,
) -> PullResponse {
    http.post(format!("{base}/api/sync/pull"))
        .json(&serde_json::json!({"client_id": client_id, "cursor": cursor}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Every page from `cursor` on; answers the last cursor and the changes received.
async fn pull_all(
    http: &reqwest::Client,
    base: &str,
    client_id: Uuid,
    mut cursor: Option<u64>,
) -> (u64, usize) {
    let mut changes = 0;
    loop {
        let page = pull_once(http, base, client_id, cursor).await;
        changes += page.changes.len();
        cursor = Some(page.cursor);
        if !page.has_more {
            return (page.cursor, changes);
        }
    }
}

fn p50_p95(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: f64| {
        let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len());
        times[i - 1].as_secs_f64() * 1000.0
    };
    format!("p50 {:.1} ms, p95 {:.1} ms", at(0.5), at(0.95))
}

/// Pull latencies for deltas of 0, 10 and 1,000 changes, and a community's first pull.
async fn pull_figures(
    writer: &reqwest::Client,
    reader: &reqwest::Client,
    client_id: Uuid,
    base: &str,
    size: usize,
) {
    let (mut cursor, _) = pull_all(reader, base, client_id, None).await;
    let mut line = format!("pull at {size} records:");
    for delta in [0usize, 10, 1_000] {
        let rounds = if delta == 1_000 { 5 } else { 30 };
        let mut times = Vec::new();
        for _ in 0..rounds {
            if delta > 0 {
                let queue: Vec<_> = (1..=delta as u64).map(raise).collect();
                push_queue(writer, base, Uuid::new_v4(), &queue, PUSH_BATCH_MAX).await;
            }
            let started = Instant::now();
            let (next, changes) = pull_all(reader, base, client_id, Some(cursor)).await;
            times.push(started.elapsed());
            assert!(changes >= delta, "a delta of {delta} brought {changes}");
            cursor = next;
        }
        line += &format!(" delta {delta}: {};", p50_p95(times));
    }
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..5 {
        let started = Instant::now();
        rows = pull_all(reader, base, Uuid::new_v4(), None).await.1;
        times.push(started.elapsed());
    }
    line += &format!(
        " first pull of 杉湾花园 ({rows} rows, pages of 1000): {}",
        p50_p95(times)
    );
    println!("{line} (goal: delta 10 p95 ≤ 20 ms at 1M)");
}

/// Scenarios 1–5: pushes.
async fn push_figures(http: &reqwest::Client, base: &str) {
    let (http, base) = (http.clone(), base.to_string());
    // 1. One phone, 1,000 queued mutations: push them all, then the pull that acknowledges them.
    let queue: Vec<_> = (1..=1_000).map(raise).collect();
    let client_id = Uuid::new_v4();
    let started = Instant::now();
    let tally = push_queue(&http, &base, client_id, &queue, PUSH_BATCH_MAX).await;
    let pull: PullResponse = http
        .post(format!("{base}/api/sync/pull"))
        .json(&serde_json::json!({"client_id": client_id, "cursor": null}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(tally.applied, queue.len());
    assert_eq!(pull.last_seq, queue.len() as u64);
    println!(
        "one phone: 1000 queued mutations pushed and acknowledged in {:.0} ms ({:.2} ms per mutation, {} rows pulled)",
        elapsed.as_secs_f64() * 1000.0,
        elapsed.as_secs_f64() * 1000.0 / queue.len() as f64,
        pull.changes.len()
    );

    // 2. 200 phones that never pushed before, 50 mutations each, all at once.
    let (mut tally, seconds) = crowd(&http, &base, 200, 50, 50).await;
    let summary = tally.summary();
    println!(
        "200 new phones × 50 at once: {} applied in {seconds:.2} s = {:.0} mutations/s; {summary}",
        tally.applied,
        tally.applied as f64 / seconds,
    );

    // 3. Throughput: 200 phones, 500 mutations each, in batches of 100, back to back.
    let cpu = cpu_seconds();
    let (mut tally, seconds) = crowd(&http, &base, 200, 500, PUSH_BATCH_MAX).await;
    let cpu = cpu_seconds() - cpu;
    let rate = tally.applied as f64 / seconds;
    let summary = tally.summary();
    println!(
        "200 phones × 500 in batches of {PUSH_BATCH_MAX}: {} applied in {seconds:.2} s = {rate:.0} mutations/s (goal ≥ 10000); {summary}; process CPU {cpu:.1} s = {:.0} µs per mutation",
        tally.applied,
        cpu * 1e6 / tally.applied.max(1) as f64,
    );

    // 4. Half that load, open loop: 200 phones, each pushing a batch every second.
    let per_second = (rate / 2.0).max(200.0);
    let batch = ((per_second / 200.0).round() as usize).clamp(1, PUSH_BATCH_MAX);
    let all = Arc::new(Mutex::new(Tally::default()));
    let tasks: Vec<_> = (0..200)
        .map(|phone| {
            let (http, base, all) = (http.clone(), base.clone(), all.clone());
            tokio::spawn(async move {
                let client_id = Uuid::new_v4();
                // Spread the phones over the second, as real ones are.
                tokio::time::sleep(Duration::from_millis(phone * 5)).await;
                let mut seq = 0;
                for _ in 0..10 {
                    let tick = Instant::now();
                    let queue: Vec<_> = (seq + 1..=seq + batch as u64).map(raise).collect();
                    seq += batch as u64;
                    let tally = push_queue(&http, &base, client_id, &queue, batch).await;
                    all.lock().await.add(tally);
                    tokio::time::sleep(Duration::from_secs(1).saturating_sub(tick.elapsed())).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut tally = std::mem::take(&mut *all.lock().await);
    println!(
        "half load, 200 phones × a batch of {batch} every second ({:.0} mutations/s offered) for 10 s: {} (goal p99 ≤ 50 ms)",
        batch as f64 * 200.0,
        tally.summary()
    );

    // 5. 1,000 phones at the same instant, 10 mutations each.
    let (mut tally, seconds) = crowd(&http, &base, 1_000, 10, 10).await;
    let summary = tally.summary();
    println!(
        "1000 phones at once × 10: {} applied in {seconds:.2} s; {summary}",
        tally.applied,
    );
}
