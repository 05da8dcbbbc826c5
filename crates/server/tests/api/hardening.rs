//! Hardening against a phone gone wrong or a person flooding the board: photos must be the
//! image they claim to be, a session lists a bounded number of attendees, and each person
//! has a daily quota of issues and photos (refused with a reason, not an error).

use base64::Engine;
use chrono::NaiveDate;
use domain::dialogue::{AttachPhotoArgs, PhotoStage, ScheduleDialogueArgs};
use domain::wire::{MutationResult, ResultStatus};
use domain::RaiseIssueArgs;
use uuid::Uuid;

use crate::helpers::*;

const STAFF: &str = "13900000301";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0 a tiny test image \xFF\xD9";

fn issue(title: &str) -> RaiseIssueArgs {
    RaiseIssueArgs {
        id: Uuid::new_v4(),
        title: title.into(),
        description: String::new(),
        category: "repairs".into(),
        place: None,
        on_behalf_of: None,
    }
}

fn photo(issue_id: Uuid, content_type: &str, bytes: &[u8]) -> AttachPhotoArgs {
    AttachPhotoArgs {
        id: Uuid::new_v4(),
        issue_id,
        stage: PhotoStage::Issue,
        content_type: content_type.into(),
        data: base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

fn refused_on_field(result: &MutationResult, field: &str) {
    assert_eq!(result.status, ResultStatus::Rejected, "{result:?}");
    assert_eq!(result.code.as_deref(), Some("invalid"), "{result:?}");
    assert!(
        result.fields.iter().any(|f| f.field == field),
        "a field error on {field}: {result:?}"
    );
}

#[tokio::test]
async fn a_photo_whose_bytes_are_not_its_stated_type_is_refused_and_not_stored() {
    let app = spawn().await;
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let raised = issue("墙皮脱落");
    let issue_id = raised.id;
    assert_eq!(resident.act(&raised).await.status, ResultStatus::Applied);
    let html = b"<html><script>alert(document.cookie)</script></html>";
    for (content_type, bytes) in [
        ("image/jpeg", &html[..]),
        ("image/png", JPEG),
        ("image/webp", JPEG),
        ("image/jpeg", b"RIFF\x10\0\0\0WEBPVP8 "),
    ] {
        refused_on_field(
            &resident.act(&photo(issue_id, content_type, bytes)).await,
            "photo",
        );
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM photos WHERE issue_id = ?",
            &issue_id.to_string()
        )
        .await,
        0
    );
    // The real thing of each type is taken.
    for (content_type, bytes) in [
        ("image/jpeg", JPEG),
        ("image/png", &b"\x89PNG\x0D\x0A\x1A\x0A rest of a png"[..]),
        ("image/webp", &b"RIFF\x10\0\0\0WEBPVP8 rest"[..]),
    ] {
        let result = resident.act(&photo(issue_id, content_type, bytes)).await;
        assert_eq!(
            result.status,
            ResultStatus::Applied,
            "{content_type}: {result:?}"
        );
    }
}

fn session(attendees: String) -> ScheduleDialogueArgs {
    ScheduleDialogueArgs {
        id: Uuid::new_v4(),
        community_id: "shanwan".into(),
        held_on: NaiveDate::from_ymd_opt(2026, 12, 19).unwrap(),
        place: "社区议事厅".into(),
        attendees,
    }
}

#[tokio::test]
async fn a_session_lists_at_most_fifty_attendees_of_thirty_characters_each() {
    let app = spawn().await;
    let staff = app.signed_in(STAFF).await;
    let too_many = (1..=51)
        .map(|n| format!("居民代表{n}"))
        .collect::<Vec<_>>()
        .join("、");
    let result = staff.act(&session(too_many)).await;
    refused_on_field(&result, "attendees");
    assert_eq!(result.fields[0].code, "too_many");
    assert_eq!(
        result.message.as_deref(),
        Some("参加人员最多50项，现在有51项")
    );
    let long_name = format!("康乐物业、{}", "长".repeat(31));
    let result = staff.act(&session(long_name)).await;
    refused_on_field(&result, "attendees");
    assert_eq!(result.fields[0].code, "too_long");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM dialogues WHERE place = ?",
            "社区议事厅"
        )
        .await,
        0
    );
    let fifty = (1..=50)
        .map(|n| format!("居民代表{n}"))
        .collect::<Vec<_>>()
        .join("，");
    let result = staff.act(&session(fifty)).await;
    assert_eq!(result.status, ResultStatus::Applied, "{result:?}");
}

#[tokio::test]
async fn a_person_raises_at_most_the_daily_quota_of_issues_and_photos() {
    let app = spawn_with(|config| {
        config.issues_per_day = 3;
        config.photos_per_day = 2;
    })
    .await;
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let raised = issue(&format!("第{n}个问题"));
        ids.push(raised.id);
        assert_eq!(resident.act(&raised).await.status, ResultStatus::Applied);
    }
    let over = resident.act(&issue("第四个问题")).await;
    assert_eq!(over.status, ResultStatus::Rejected, "{over:?}");
    assert_eq!(over.code.as_deref(), Some("forbidden"));
    assert_eq!(
        over.message.as_deref(),
        Some("您今天已经提交了3个问题，达到每天的上限，请明天再提交")
    );
    assert_eq!(app.count_issues_titled("第四个问题").await, 0);
    // Another person's quota is their own.
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    assert_eq!(
        neighbour.act(&issue("邻居的问题")).await.status,
        ResultStatus::Applied
    );
    // Photos: two a day, across issues.
    for id in &ids[..2] {
        let result = resident.act(&photo(*id, "image/jpeg", JPEG)).await;
        assert_eq!(result.status, ResultStatus::Applied, "{result:?}");
    }
    let over = resident.act(&photo(ids[2], "image/jpeg", JPEG)).await;
    assert_eq!(over.code.as_deref(), Some("forbidden"), "{over:?}");
    assert_eq!(
        over.message.as_deref(),
        Some("您今天已经提交了2张照片，达到每天的上限，请明天再提交")
    );
}
