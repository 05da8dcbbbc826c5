//! Photos of an issue: where they belong, how many, how large, and `attach_photo`'s arguments.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field::{FieldError, FieldErrorKind};

/// The most photos per issue and stage (the issue, the answer, the rectification).
pub const PHOTOS_PER_STAGE: usize = 3;
/// The largest photo the phone sends, after resizing and compressing it.
pub const PHOTO_MAX_BYTES: usize = 300 * 1024;

/// Where a photo belongs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PhotoStage {
    /// Taken by the resident who raised the issue.
    Issue,
    /// Taken by the property company with its answer.
    Answer,
    /// Evidence of the rectification.
    Rectification,
}

impl PhotoStage {
    pub fn code(self) -> &'static str {
        match self {
            PhotoStage::Issue => "issue",
            PhotoStage::Answer => "answer",
            PhotoStage::Rectification => "rectification",
        }
    }

    pub fn from_code(code: &str) -> Option<PhotoStage> {
        [
            PhotoStage::Issue,
            PhotoStage::Answer,
            PhotoStage::Rectification,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// `attach_photo` (version 1): a photo travels through the queue like any action, as base64
/// JPEG, already resized and compressed on the phone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachPhotoArgs {
    pub id: Uuid,
    pub issue_id: Uuid,
    pub stage: PhotoStage,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// The image, base64 (standard alphabet).
    pub data: String,
}

impl AttachPhotoArgs {
    /// Checks the type and the size (the decoded size is ¾ of the base64 length).
    pub fn validate(&self) -> Result<(), FieldError> {
        if !matches!(
            self.content_type.as_str(),
            "image/jpeg" | "image/png" | "image/webp"
        ) {
            return Err(FieldError::new("photo", FieldErrorKind::Invalid));
        }
        let bytes = self.data.len() / 4 * 3;
        if self.data.is_empty() {
            Err(FieldError::new("photo", FieldErrorKind::Required))
        } else if bytes > PHOTO_MAX_BYTES {
            Err(FieldError::new(
                "photo",
                FieldErrorKind::TooLong {
                    max: PHOTO_MAX_BYTES / 1024,
                    actual: bytes / 1024,
                },
            ))
        } else {
            Ok(())
        }
    }
}

/// Whether the bytes are what their stated type says: JPEG (`FF D8 FF`), PNG (its 8-byte
/// signature) or WebP (`RIFF`, four bytes of size, `WEBP`). The server checks before it
/// stores a photo, so nothing else is ever served as an image of ours.
pub fn bytes_match_type(content_type: &str, bytes: &[u8]) -> bool {
    match content_type {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        "image/webp" => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_must_be_of_the_stated_type() {
        assert!(bytes_match_type("image/jpeg", b"\xFF\xD8\xFF\xE0rest"));
        assert!(bytes_match_type(
            "image/png",
            b"\x89PNG\x0D\x0A\x1A\x0Arest"
        ));
        assert!(bytes_match_type("image/webp", b"RIFF\x10\0\0\0WEBPVP8 "));
        assert!(!bytes_match_type("image/png", b"\xFF\xD8\xFF\xE0rest"));
        assert!(!bytes_match_type("image/jpeg", b"<svg onload=alert(1)>"));
        assert!(!bytes_match_type("image/webp", b"RIFF\x10\0\0\0WAVE"));
        assert!(!bytes_match_type("image/gif", b"GIF89a"));
    }
}
