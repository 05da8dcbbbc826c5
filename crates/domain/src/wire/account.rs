//! The account API's shapes: signing in, the session, memberships, communities, joining with
//! an invitation, devices, deleting an account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `GET /api/invitations/{code}`: what an invitation offers, before joining. No personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationInfo {
    /// `join` or `reset`.
    pub kind: String,
    pub community_name: String,
    pub role: Option<crate::person::Role>,
    /// Building and unit only, never the room.
    pub household_label: Option<String>,
    #[serde(with = "crate::time::instant")]
    pub expires_at: DateTime<Utc>,
    /// The privacy notice version to agree to.
    pub notice_version: String,
}

/// One signed-in device under 我的 → 登录设备.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionInfo {
    /// An opaque id to end it with.
    pub id: String,
    #[serde(with = "crate::time::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::time::instant")]
    pub last_seen_at: DateTime<Utc>,
    /// The browser, as it named itself.
    pub device: String,
    /// This device.
    pub current: bool,
}

/// `DELETE /api/me`: deleting the account needs the password again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeleteAccountRequest {
    pub password: String,
}

/// `POST /api/session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignInRequest {
    pub phone: String,
    pub password: String,
}

/// A community a person belongs to, and in which role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MembershipView {
    pub community_id: String,
    pub community_name: String,
    pub role: crate::person::Role,
}

/// The signed-in person, as `GET /api/session` and `POST /api/session` return them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionView {
    pub user_id: Uuid,
    pub display_name: String,
    /// The person's own phone number (only ever sent to them).
    pub phone: String,
    pub memberships: Vec<MembershipView>,
}

impl SessionView {
    /// The community the app works in: the first membership's.
    pub fn home_community(&self) -> Option<&MembershipView> {
        self.memberships.first()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CommunityView {
    pub id: String,
    pub name: String,
    pub township_id: String,
}
