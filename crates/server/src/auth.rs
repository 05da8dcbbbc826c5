//! Passwords (argon2), session tokens and the `Principal` extractor: who is asking.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use chrono::{Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::AppError;
use crate::store::people::Membership;
use crate::store::{self};
use crate::AppState;

pub const SESSION_COOKIE: &str = "ywt_session";
/// Sessions last 30 days from their last use, and never longer than `--session-max-days`
/// from their start.
pub const SESSION_DAYS: i64 = 30;
/// A session's expiry is slid forward at most once an hour, not on every request.
const TOUCH_EVERY_MINUTES: i64 = 60;

pub fn session_lifetime() -> Duration {
    Duration::days(SESSION_DAYS)
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password nobody has, verified when the phone is unknown so that a wrong
/// phone and a wrong password take the same time.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-password").expect("argon2 hashes"))
}

/// A new random session token (256 bits, hex) and the hash stored for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let max_age = SESSION_DAYS * 24 * 3600;
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .expect("cookie is ASCII")
}

pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    ))
    .expect("cookie is ASCII")
}

/// The session token from the request's cookies, if any.
pub fn token_from_parts(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty())
}

/// The signed-in person making the request. Extracting it refuses the request with 401
/// when there is no live session, or the person was deactivated.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: Uuid,
    pub display_name: String,
    pub phone: String,
    pub memberships: Vec<Membership>,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = token_from_parts(parts).ok_or(AppError::Unauthenticated)?;
        let hash = token_hash(&token);
        let now = Utc::now();
        let mut conn = state.db.pool().acquire().await?;
        let session =
            store::sessions::find_live(&mut conn, &hash, now, state.config.session_max_age())
                .await?
                .ok_or(AppError::Unauthenticated)?;
        if let Some(reason) = session.ended_reason {
            return Err(AppError::SessionEnded(reason));
        }
        let user = store::people::user_by_id(&mut conn, session.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if user.deactivated_at.is_some() {
            return Err(AppError::SessionEnded("deactivated".into()));
        }
        if now - session.last_seen_at > Duration::minutes(TOUCH_EVERY_MINUTES) {
            store::sessions::touch(&mut conn, &hash, now, session_lifetime()).await?;
        }
        let memberships = store::people::memberships(&mut conn, user.id).await?;
        Ok(Principal {
            user_id: user.id,
            display_name: user.display_name,
            phone: user.phone,
            memberships,
            token_hash: hash,
        })
    }
}

/// `Option<Principal>`: `None` when nobody is signed in; database failures still fail.
impl axum::extract::OptionalFromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        match <Principal as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(principal) => Ok(Some(principal)),
            Err(AppError::Unauthenticated | AppError::SessionEnded(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// The address the request came from (for throttling), or `unknown` when the server was
/// not started with connection info. Behind a trusted proxy (`--trusted-proxy`) it is the
/// right-most `X-Forwarded-For` hop that is not itself a trusted proxy; from anyone else the
/// header is ignored, so it cannot be forged to dodge the limits.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        let Some(peer) = peer else {
            return Ok(ClientAddr("unknown".to_string()));
        };
        Ok(ClientAddr(
            client_ip(peer, &parts.headers, &state.config.trusted_proxy).to_string(),
        ))
    }
}

/// The client's address given the TCP peer, the request's headers and the trusted proxies.
pub fn client_ip(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            // Garbage where our proxy should have written an address: the last good hop.
            Err(_) => return client,
        }
    }
    client
}

/// A throttled key and how many failures it allows within the window.
pub type Limit = (String, i64);

/// Reserves an attempt against every key (atomically each, committed at once), refusing with
/// the minutes to wait if any is locked; the reservations stand as failures unless `refund`ed.
pub async fn reserve_attempt(conn: &mut store::Conn, limits: &[Limit]) -> Result<(), AppError> {
    let now = Utc::now();
    for (n, (key, max)) in limits.iter().enumerate() {
        if let Some(until) = store::limits::reserve(conn, key, *max, now).await? {
            refund(conn, &limits[..n]).await?;
            let minutes = ((until - now).num_seconds() + 59) / 60;
            return Err(AppError::RateLimited {
                minutes: minutes.max(1),
            });
        }
    }
    Ok(())
}

/// Gives back reserved attempts that succeeded.
pub async fn refund(conn: &mut store::Conn, limits: &[Limit]) -> Result<(), AppError> {
    for (key, max) in limits {
        store::limits::refund(conn, key, *max).await?;
    }
    Ok(())
}

/// Opens a session for the person and returns the cookie that carries it.
pub async fn open_session(
    conn: &mut store::Conn,
    user_id: Uuid,
    user_agent: Option<&str>,
    secure: bool,
) -> Result<(HeaderValue, String), AppError> {
    let (token, token_hash) = new_token();
    store::sessions::insert(
        conn,
        &token_hash,
        user_id,
        Utc::now(),
        session_lifetime(),
        user_agent,
    )
    .await?;
    Ok((session_cookie(&token, secure), token_hash))
}

/// Loads the person as the request extractor would, for handlers that just signed them in.
pub async fn principal_for(
    conn: &mut store::Conn,
    user_id: Uuid,
    token_hash: String,
) -> Result<Principal, AppError> {
    let user = store::people::user_by_id(conn, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let memberships = store::people::memberships(conn, user_id).await?;
    Ok(Principal {
        user_id,
        display_name: user.display_name,
        phone: user.phone,
        memberships,
        token_hash,
    })
}

/// A permit to run argon2, held by the blocking task until the hash is done (even if the
/// request is abandoned meanwhile), so at most `hashing_permits` hashes run at once.
async fn hashing_permit(state: &AppState) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
    state
        .hashing
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

/// Runs argon2 off the async workers, one of the bounded number at a time. Callers hold no
/// pooled database connection meanwhile.
pub async fn verify_password_blocking(
    state: &AppState,
    password: String,
    hash: String,
) -> Result<bool, AppError> {
    let permit = hashing_permit(state).await?;
    tokio::task::spawn_blocking(move || {
        let verified = verify_password(&password, &hash);
        drop(permit);
        verified
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

pub async fn hash_password_blocking(
    state: &AppState,
    password: String,
) -> Result<String, AppError> {
    let permit = hashing_permit(state).await?;
    tokio::task::spawn_blocking(move || {
        let hash = hash_password(&password);
        drop(permit);
        hash
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("yiwantang-demo").unwrap();
        assert!(verify_password("yiwantang-demo", &hash));
        assert!(!verify_password("yiwantang-dem0", &hash));
        assert!(!verify_password("yiwantang-demo", "not a hash"));
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop_and_only_behind_a_trusted_proxy() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 203.0.113.9, 10.0.0.1"),
        );
        assert_eq!(
            client_ip(proxy, &headers, &[proxy]).to_string(),
            "203.0.113.9"
        );
        let stranger: std::net::IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(client_ip(stranger, &headers, &[proxy]), stranger);
        assert_eq!(client_ip(proxy, &headers, &[]), proxy);
        assert_eq!(
            client_ip(proxy, &axum::http::HeaderMap::new(), &[proxy]),
            proxy
        );
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), hash_a);
        assert_ne!(a, hash_a);
    }
}
