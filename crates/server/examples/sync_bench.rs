//! Sync benchmark on loopback, against the real server and a fresh SQLite file:
//! 1. the time to push and acknowledge 1,000 queued mutations, as a phone does (batches of
//!    100, then a pull that acknowledges them);
//! 2. the server's mutations per second for batched pushes from several phones at once.
//!
//! Run with `cargo xtask bench` (or `cargo run --release -p server --example sync_bench`).

use std::time::Instant;

use chrono::Utc;
use domain::mutation::Definition;
use domain::wire::{MutationEnvelope, PullResponse, PushResponse, ResultStatus, PUSH_BATCH_MAX};
use domain::RaiseIssueArgs;
use uuid::Uuid;

const QUEUE: u64 = 1_000;
const PHONES: usize = 8;
const PER_PHONE: u64 = 500;

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

/// Pushes `count` mutations in batches and returns how many were applied.
async fn push_queue(http: &reqwest::Client, base: &str, client_id: Uuid, count: u64) -> usize {
    let queue: Vec<_> = (1..=count).map(raise).collect();
    let mut applied = 0;
    for batch in queue.chunks(PUSH_BATCH_MAX) {
        let response: PushResponse = http
            .post(format!("{base}/api/sync/push"))
            .json(&serde_json::json!({"client_id": client_id, "mutations": batch}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        applied += response
            .results
            .iter()
            .filter(|r| r.status == ResultStatus::Applied)
            .count();
    }
    applied
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let config = server::Config::for_tests(format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ));
    let state = server::AppState::new(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, server::app(state)).await.unwrap() });

    // 1. One phone, 1,000 queued mutations: push them all, then the pull that acknowledges them.
    let http = signed_in(&base, "13900000001").await;
    let client_id = Uuid::new_v4();
    let started = Instant::now();
    let applied = push_queue(&http, &base, client_id, QUEUE).await;
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
    assert_eq!(applied as u64, QUEUE);
    assert_eq!(pull.last_seq, QUEUE);
    println!(
        "push and acknowledge {QUEUE} queued mutations: {:.0} ms ({:.2} ms per mutation, {} rows pulled)",
        elapsed.as_secs_f64() * 1000.0,
        elapsed.as_secs_f64() * 1000.0 / QUEUE as f64,
        pull.changes.len()
    );

    // 2. Several phones at once, each pushing batches of 100.
    let phones = ["13900000001", "13900000002"];
    let mut clients = Vec::new();
    for i in 0..PHONES {
        clients.push(signed_in(&base, phones[i % phones.len()]).await);
    }
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|http| {
            let base = base.clone();
            tokio::spawn(async move { push_queue(&http, &base, Uuid::new_v4(), PER_PHONE).await })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(total as u64, PHONES as u64 * PER_PHONE);
    println!(
        "{PHONES} phones × {PER_PHONE} mutations in batches of {PUSH_BATCH_MAX}: {total} applied in {:.2} s = {:.0} mutations/s (SQLite WAL, synchronous=FULL, one transaction per mutation)",
        elapsed,
        total as f64 / elapsed
    );
}
