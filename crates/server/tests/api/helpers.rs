//! Spawns the real server on 127.0.0.1:0 with a fresh database and the demo township,
//! and speaks the sync protocol to it like a phone would.

use std::net::SocketAddr;

use chrono::Utc;
use domain::mutation::Definition;
use domain::wire::{MutationEnvelope, PullResponse, PushResponse};
use domain::RaiseIssueArgs;
use reqwest::StatusCode;
use server::store::Db;
use server::{AppState, Config};
use tempfile::TempDir;
use uuid::Uuid;

pub const PASSWORD: &str = server::DEMO_PASSWORD;
pub const RESIDENT_SHANWAN: &str = "13900000001";
pub const RESIDENT_SHANWAN_2: &str = "13900000002";
pub const RESIDENT_TANGWANG: &str = "13900000003";
pub const GUARD_SHANWAN: &str = "13900000401";
pub const TOWNSHIP_STAFF: &str = "13900000501";

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: Db,
    pub database_url: String,
    _dir: TempDir,
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let mut config = Config::for_tests(url.clone());
    adjust(&mut config);
    let state = AppState::new(config).await.expect("state");
    let db = state.db.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(
            listener,
            server::app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    TestApp {
        addr,
        db,
        database_url: url,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A phone with no session yet.
    pub fn phone(&self) -> Phone {
        Phone {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            base: self.url(""),
            client_id: Uuid::new_v4(),
            next_seq: std::sync::atomic::AtomicU64::new(1),
        }
    }

    pub async fn signed_in(&self, phone_number: &str) -> Phone {
        let phone = self.phone();
        let response = phone.sign_in(phone_number, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "sign in {phone_number}");
        phone
    }

    /// The id of the person with this phone.
    pub async fn person_id(&self, phone: &str) -> Uuid {
        let id: String = sqlx::query_scalar("SELECT id FROM users WHERE phone = ?")
            .bind(phone)
            .fetch_one(self.db.pool())
            .await
            .expect("person exists");
        Uuid::parse_str(&id).unwrap()
    }

    /// The id of a demo household by community and room.
    pub async fn household_id(&self, community: &str, room: &str) -> Uuid {
        let id: String =
            sqlx::query_scalar("SELECT id FROM households WHERE community_id = ? AND room = ?")
                .bind(community)
                .bind(room)
                .fetch_one(self.db.pool())
                .await
                .expect("household exists");
        Uuid::parse_str(&id).unwrap()
    }

    /// `n` new households of `community`, each with one resident signed in on a phone: written
    /// straight into the tables (no password hashing), for tests of many people at once.
    pub async fn residents(&self, community: &str, n: usize) -> Vec<Phone> {
        let mut conn = self.db.pool().acquire().await.unwrap();
        let township: String =
            sqlx::query_scalar("SELECT township_id FROM communities WHERE id = ?")
                .bind(community)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        let now = Utc::now();
        let mut phones = Vec::with_capacity(n);
        for k in 0..n {
            let household = domain::account::NewHousehold {
                id: Uuid::new_v4(),
                community_id: community.to_string(),
                point: None,
                building: format!("{}栋", 100 + k / 20),
                unit: None,
                room: Some(format!("{}", 101 + k % 20)),
            };
            let version = server::store::next_version(&mut conn).await.unwrap();
            server::store::households::insert(&mut conn, &household, now, version)
                .await
                .unwrap();
            let user = Uuid::new_v4();
            server::store::people::insert_user(
                &mut conn,
                user,
                &format!("188{:08}", user.as_u128() % 100_000_000),
                &format!("居民{k}"),
                "not-a-password-hash",
                now,
            )
            .await
            .unwrap();
            server::store::people::insert_membership(
                &mut conn,
                user,
                domain::person::Role::Resident,
                &township,
                Some(community),
                Some(household.id),
            )
            .await
            .unwrap();
            let token = Uuid::new_v4().simple().to_string();
            server::store::sessions::insert(
                &mut conn,
                &server::token_hash(&token),
                user,
                now,
                chrono::Duration::days(1),
                None,
            )
            .await
            .unwrap();
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(
                reqwest::header::COOKIE,
                format!("{}={token}", server::SESSION_COOKIE)
                    .parse()
                    .unwrap(),
            );
            phones.push(Phone {
                http: reqwest::Client::builder()
                    .default_headers(headers)
                    .build()
                    .expect("client"),
                base: self.url(""),
                client_id: Uuid::new_v4(),
                next_seq: std::sync::atomic::AtomicU64::new(1),
            });
        }
        phones
    }

    pub async fn count(&self, sql: &str, bind: &str) -> i64 {
        sqlx::query_scalar(sql)
            .bind(bind)
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }

    pub async fn count_issues_titled(&self, title: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM issues WHERE title = ?")
            .bind(title)
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }
}

/// One installation of the app: a cookie jar, a client id and the next seq.
pub struct Phone {
    pub http: reqwest::Client,
    pub base: String,
    pub client_id: Uuid,
    pub next_seq: std::sync::atomic::AtomicU64,
}

impl Phone {
    pub async fn sign_in(&self, phone: &str, password: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/api/session", self.base))
            .json(&serde_json::json!({"phone": phone, "password": password}))
            .send()
            .await
            .expect("sign in request")
    }

    pub async fn push_raw(&self, mutations: &[MutationEnvelope]) -> reqwest::Response {
        self.http
            .post(format!("{}/api/sync/push", self.base))
            .json(&serde_json::json!({"client_id": self.client_id, "mutations": mutations}))
            .send()
            .await
            .expect("push request")
    }

    pub async fn push(&self, mutations: &[MutationEnvelope]) -> PushResponse {
        let response = self.push_raw(mutations).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("push response")
    }

    /// Queues and pushes one mutation with the next seq; returns its result.
    pub async fn act<A: Definition>(&self, args: &A) -> domain::wire::MutationResult {
        let seq = self
            .next_seq
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let response = self
            .push(&[args.envelope(seq, Uuid::new_v4(), Utc::now())])
            .await;
        response.results.into_iter().next().expect("one result")
    }

    /// Pushes one ready envelope under this phone's next seq; returns its result.
    pub async fn act_envelope(
        &self,
        mut envelope: MutationEnvelope,
    ) -> domain::wire::MutationResult {
        envelope.seq = self
            .next_seq
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let response = self.push(&[envelope]).await;
        response.results.into_iter().next().expect("one result")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get")
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("post")
    }

    /// `POST /api/invitations/lookup` with the code in the body.
    pub async fn lookup(&self, code: &str) -> reqwest::Response {
        self.post_json(
            "/api/invitations/lookup",
            serde_json::json!({ "code": code }),
        )
        .await
    }

    /// `POST /api/invitations/accept`: the join form's fields and the code.
    pub async fn accept(&self, code: &str, mut body: serde_json::Value) -> reqwest::Response {
        body["code"] = serde_json::Value::from(code);
        self.post_json("/api/invitations/accept", body).await
    }

    /// `POST /api/password-resets/redeem` with the code and the new password.
    pub async fn redeem(&self, code: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/api/password-resets/redeem",
            serde_json::json!({ "code": code, "password": password }),
        )
        .await
    }

    pub async fn pull_raw(&self, cursor: Option<u64>) -> reqwest::Response {
        self.http
            .post(format!("{}/api/sync/pull", self.base))
            .json(&serde_json::json!({"client_id": self.client_id, "cursor": cursor}))
            .send()
            .await
            .expect("pull request")
    }

    pub async fn pull(&self, cursor: Option<u64>) -> PullResponse {
        let response = self.pull_raw(cursor).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("pull response")
    }
}

/// A `raise_issue` mutation with this seq and title.
pub fn raise(seq: u64, title: &str) -> MutationEnvelope {
    RaiseIssueArgs {
        id: Uuid::new_v4(),
        title: title.to_string(),
        description: "测试用的说明".to_string(),
        category: "repairs".to_string(),
        place: Some("3栋".to_string()),
        on_behalf_of: None,
    }
    .envelope(seq, Uuid::new_v4(), Utc::now())
}

/// Issue titles in a pull's changes.
pub fn titles(pull: &PullResponse) -> Vec<String> {
    pull.changes
        .iter()
        .filter_map(|c| c.data.as_ref())
        .filter_map(|d| d["title"].as_str().map(str::to_string))
        .collect()
}

/// Every page of a first pull.
pub async fn pull_all(phone: &Phone) -> Vec<domain::wire::Change> {
    let mut changes = Vec::new();
    let mut cursor = None;
    loop {
        let page = phone.pull(cursor).await;
        changes.extend(page.changes);
        if !page.has_more {
            return changes;
        }
        cursor = Some(page.cursor);
    }
}
