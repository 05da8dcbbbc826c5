//! Joining and accounts: display names, passwords, invitation and reset codes, households.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field::{char_count, clean_text, FieldError, FieldErrorKind};
use crate::person::{Phone, Role};

pub const DISPLAY_NAME_MAX: usize = 20;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;
pub const HOUSEHOLD_PART_MAX: usize = 20;
pub const COMMUNITY_NAME_MAX: usize = 20;
/// Invitations and reset codes are valid this long after the server records them.
pub const CODE_VALID_DAYS: i64 = 7;

/// Letters and digits that cannot be mistaken for one another when read out on the phone
/// or copied from a poster: no 0/O, 1/I/L.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 10;

/// A single-use code (invitation or password reset), shown as `ABCDE-FGHJK`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Code(String);

impl Code {
    /// A code from random bytes (the caller supplies the randomness: this crate does no IO).
    pub fn from_random(bytes: &[u8; CODE_LEN]) -> Code {
        let alphabet = CODE_ALPHABET.len();
        Code(
            bytes
                .iter()
                .map(|b| CODE_ALPHABET[*b as usize % alphabet] as char)
                .collect(),
        )
    }

    /// Reads a code as a person types it: any case, with spaces or dashes.
    pub fn parse(text: &str) -> Result<Code, FieldError> {
        let code: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.is_empty() {
            return Err(FieldError::new("code", FieldErrorKind::Required));
        }
        let well_formed =
            code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b));
        if well_formed {
            Ok(Code(code))
        } else {
            Err(FieldError::new("code", FieldErrorKind::Invalid))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `ABCDE-FGHJK`: two groups of five are easier to read out and to type.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }
}

pub fn parse_display_name(text: &str) -> Result<String, FieldError> {
    let name = clean_text(text, false);
    if name.is_empty() {
        Err(FieldError::new("display_name", FieldErrorKind::Required))
    } else if char_count(&name) > DISPLAY_NAME_MAX {
        Err(FieldError::new(
            "display_name",
            FieldErrorKind::TooLong {
                max: DISPLAY_NAME_MAX,
                actual: char_count(&name),
            },
        ))
    } else {
        Ok(name)
    }
}

/// Passwords refused whatever their length: the demo's (it is in the source and the README)
/// and the ones guessed first.
pub const GUESSABLE_PASSWORDS: &[&str] = &[
    "yiwantang-demo",
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "11111111",
    "88888888",
    "66666666",
    "00000000",
    "password",
    "password1",
    "qwertyui",
    "abcd1234",
    "a1234567",
    "iloveyou",
    "woaini1314",
];

pub fn check_password(password: &str) -> Result<(), FieldError> {
    let length = char_count(password);
    let lowered = password.trim().to_lowercase();
    if GUESSABLE_PASSWORDS.contains(&lowered.as_str()) {
        return Err(FieldError::new("password", FieldErrorKind::Guessable));
    }
    if length == 0 {
        Err(FieldError::new("password", FieldErrorKind::Required))
    } else if length < PASSWORD_MIN {
        Err(FieldError::new(
            "password",
            FieldErrorKind::TooShort { min: PASSWORD_MIN },
        ))
    } else if length > PASSWORD_MAX {
        Err(FieldError::new(
            "password",
            FieldErrorKind::TooLong {
                max: PASSWORD_MAX,
                actual: length,
            },
        ))
    } else {
        Ok(())
    }
}

/// `POST /api/invitations/lookup`: what a code offers. Codes travel in bodies, never in
/// addresses (which end up in logs and browser history).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeRequest {
    /// The code, as typed (ABCDE-FGHJK).
    pub code: String,
}

/// `POST /api/invitations/accept`: the person who opened an invitation joins. Signed in, only
/// `code` and `consent_version` are read (the role is added to their own account).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinRequest {
    /// The invitation code, as typed.
    #[serde(default)]
    pub code: String,
    pub display_name: String,
    pub phone: String,
    pub password: String,
    /// The version of the privacy notice the person read and agreed to.
    pub consent_version: String,
}

/// A validated join request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Join {
    pub display_name: String,
    pub phone: Phone,
    pub password: String,
}

impl JoinRequest {
    pub fn parse(&self) -> Result<Join, Vec<FieldError>> {
        let mut errors = Vec::new();
        let display_name = parse_display_name(&self.display_name)
            .map_err(|e| errors.push(e))
            .ok();
        let phone = Phone::parse(&self.phone).map_err(|e| errors.push(e)).ok();
        let password = check_password(&self.password)
            .map_err(|e| errors.push(e))
            .ok();
        if self.consent_version != crate::privacy::NOTICE_VERSION {
            errors.push(FieldError::new("consent", FieldErrorKind::Required));
        }
        match (display_name, phone, password) {
            (Some(display_name), Some(phone), Some(())) if errors.is_empty() => Ok(Join {
                display_name,
                phone,
                password: self.password.clone(),
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /api/setup`: the first township staff account of a new township, with the
/// one-time code `new-township` printed — the same fields as joining.
pub type SetupRequest = JoinRequest;

impl JoinRequest {
    /// The code and the account, validated (every field's errors at once).
    pub fn parse_with_code(&self) -> Result<(Code, Join), Vec<FieldError>> {
        match (Code::parse(&self.code), self.parse()) {
            (Ok(code), Ok(join)) => Ok((code, join)),
            (code, join) => {
                let mut errors: Vec<FieldError> = code.err().into_iter().collect();
                errors.extend(join.err().unwrap_or_default());
                Err(errors)
            }
        }
    }
}

/// `POST /api/password-resets/redeem`: a new password with the one-time code staff gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetRequest {
    /// The reset code, as typed.
    #[serde(default)]
    pub code: String,
    pub password: String,
}

/// The arguments of `add_household` (version 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddHouseholdArgs {
    pub id: Uuid,
    pub community_id: String,
    /// 居民点 or compound, where a community has several (东昇花园 has nine).
    #[serde(default)]
    pub point: Option<String>,
    pub building: String,
    #[serde(default)]
    pub unit: Option<String>,
    /// The room number: personal data, seen only by staff.
    #[serde(default)]
    pub room: Option<String>,
}

/// A validated household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewHousehold {
    pub id: Uuid,
    pub community_id: String,
    pub point: Option<String>,
    pub building: String,
    pub unit: Option<String>,
    pub room: Option<String>,
}

fn optional_part(
    field: &'static str,
    text: &Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let part = text
        .as_deref()
        .map(|t| clean_text(t, false))
        .filter(|t| !t.is_empty())?;
    if char_count(&part) > HOUSEHOLD_PART_MAX {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::TooLong {
                max: HOUSEHOLD_PART_MAX,
                actual: char_count(&part),
            },
        ));
    }
    Some(part)
}

impl AddHouseholdArgs {
    pub fn parse(&self) -> Result<NewHousehold, Vec<FieldError>> {
        let mut errors = Vec::new();
        let point = optional_part("point", &self.point, &mut errors);
        let building = optional_part("building", &Some(self.building.clone()), &mut errors);
        if building.is_none() {
            errors.push(FieldError::new("building", FieldErrorKind::Required));
        }
        let unit = optional_part("unit", &self.unit, &mut errors);
        let room = optional_part("room", &self.room, &mut errors);
        if self.community_id.trim().is_empty() {
            errors.push(FieldError::new("community_id", FieldErrorKind::Required));
        }
        errors.sort_by_key(|e| {
            ["point", "building", "unit", "room", "community_id"]
                .iter()
                .position(|f| *f == e.field)
        });
        match building {
            Some(building) if errors.is_empty() => Ok(NewHousehold {
                id: self.id,
                community_id: self.community_id.trim().to_string(),
                point,
                building,
                unit,
                room,
            }),
            _ => Err(errors),
        }
    }
}

/// How a household is named. Shared views use `public`; only staff see the room.
pub fn household_label(
    point: Option<&str>,
    building: &str,
    unit: Option<&str>,
    room: Option<&str>,
    with_room: bool,
) -> String {
    let mut label = String::new();
    if let Some(point) = point {
        label.push_str(point);
        label.push(' ');
    }
    label.push_str(building);
    if let Some(unit) = unit {
        label.push_str(unit);
    }
    if let (true, Some(room)) = (with_room, room) {
        label.push_str(room);
    }
    label
}

/// The arguments of `invite` (version 1): staff invite someone to join with a role. The
/// code is made on the staff member's phone, so an invitation can be written offline; it
/// works once the server has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteArgs {
    pub id: Uuid,
    pub community_id: String,
    pub role: Role,
    /// Required for residents: the household they join.
    #[serde(default)]
    pub household_id: Option<Uuid>,
    pub code: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInvitation {
    pub id: Uuid,
    pub community_id: String,
    pub role: Role,
    pub household_id: Option<Uuid>,
    pub code: Code,
}

impl InviteArgs {
    pub fn parse(&self) -> Result<NewInvitation, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = Code::parse(&self.code).map_err(|e| errors.push(e)).ok();
        if self.role == Role::Resident && self.household_id.is_none() {
            errors.push(FieldError::new("household_id", FieldErrorKind::Required));
        }
        if self.role == Role::TownshipStaff {
            errors.push(FieldError::new("role", FieldErrorKind::Unknown));
        }
        match code {
            Some(code) if errors.is_empty() => Ok(NewInvitation {
                id: self.id,
                community_id: self.community_id.clone(),
                role: self.role,
                household_id: self.household_id,
                code,
            }),
            _ => Err(errors),
        }
    }
}

/// The arguments of `reset_password` (version 1): staff give a person a one-time code to
/// set a new password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetPasswordArgs {
    pub id: Uuid,
    pub person_id: Uuid,
    pub code: String,
}

/// The arguments of `revoke_invitation` (version 1): an unused invitation or reset code of
/// the community stops working at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokeInvitationArgs {
    pub invitation_id: Uuid,
    pub community_id: String,
}

/// The arguments of `deactivate_person` (version 1): the person's sessions end at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeactivatePersonArgs {
    pub person_id: Uuid,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_password_and_common_ones_are_refused_with_a_reason() {
        for password in ["yiwantang-demo", "12345678", " Password ", "88888888"] {
            let refused = check_password(password).unwrap_err();
            assert_eq!(refused.kind, FieldErrorKind::Guessable, "{password}");
            assert_eq!(
                refused.message(crate::Lang::Zh),
                "这个密码别人很容易猜到，请换一个"
            );
        }
        assert!(check_password("warm-soup-88").is_ok());
    }

    #[test]
    fn codes_avoid_look_alike_characters_and_read_back_as_typed() {
        let code = Code::from_random(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 255]);
        assert_eq!(code.as_str().len(), CODE_LEN);
        assert!(!code.as_str().contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(Code::parse(&code.display().to_lowercase()).unwrap(), code);
        assert_eq!(
            Code::parse(" 23456 789ab ").unwrap().display(),
            "23456-789AB"
        );
        assert_eq!(
            Code::parse("0000000000").unwrap_err().kind,
            FieldErrorKind::Invalid
        );
        assert_eq!(Code::parse("").unwrap_err().kind, FieldErrorKind::Required);
    }

    #[test]
    fn a_join_needs_a_name_a_phone_a_password_of_eight_and_the_current_consent() {
        let good = JoinRequest {
            code: String::new(),
            display_name: " 周阿姨 ".into(),
            phone: "13900001234".into(),
            password: "soup-warm-8".into(),
            consent_version: crate::privacy::NOTICE_VERSION.into(),
        };
        assert_eq!(good.parse().unwrap().display_name, "周阿姨");
        let bad = JoinRequest {
            code: String::new(),
            display_name: "".into(),
            phone: "123".into(),
            password: "short".into(),
            consent_version: "old".into(),
        };
        let fields: Vec<_> = bad.parse().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["display_name", "phone", "password", "consent"]);
        assert_eq!(
            check_password("short")
                .unwrap_err()
                .message(crate::Lang::Zh),
            "密码至少要8个字符"
        );
    }

    #[test]
    fn a_household_needs_a_building_and_its_label_shows_the_room_only_to_staff() {
        let args = AddHouseholdArgs {
            id: Uuid::nil(),
            community_id: "shanwan".into(),
            point: None,
            building: " 5栋 ".into(),
            unit: Some("2单元".into()),
            room: Some("301".into()),
        };
        let household = args.parse().unwrap();
        assert_eq!(household.building, "5栋");
        let staff = household_label(
            None,
            &household.building,
            household.unit.as_deref(),
            household.room.as_deref(),
            true,
        );
        let shared = household_label(
            None,
            &household.building,
            household.unit.as_deref(),
            household.room.as_deref(),
            false,
        );
        assert_eq!(
            (staff.as_str(), shared.as_str()),
            ("5栋2单元301", "5栋2单元")
        );
        let missing = AddHouseholdArgs {
            building: "  ".into(),
            ..args
        };
        assert_eq!(missing.parse().unwrap_err()[0].field, "building");
    }

    #[test]
    fn a_resident_invitation_names_a_household_and_nobody_invites_township_staff() {
        let args = InviteArgs {
            id: Uuid::nil(),
            community_id: "shanwan".into(),
            role: Role::Resident,
            household_id: None,
            code: "23456-789AB".into(),
        };
        assert_eq!(args.parse().unwrap_err()[0].field, "household_id");
        let volunteer = InviteArgs {
            role: Role::Volunteer,
            ..args.clone()
        };
        assert_eq!(volunteer.parse().unwrap().code.as_str(), "23456789AB");
        let township = InviteArgs {
            role: Role::TownshipStaff,
            ..args
        };
        assert!(township.parse().is_err());
    }
}

/// The arguments of `add_community` (version 1): township staff open a community of their
/// township. Its id is made on the phone, so it can be invited into before it has synced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddCommunityArgs {
    pub id: Uuid,
    pub township_id: String,
    pub name: String,
}

/// A validated new community.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCommunity {
    pub id: String,
    pub township_id: String,
    pub name: String,
}

impl AddCommunityArgs {
    pub fn parse(&self) -> Result<NewCommunity, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = clean_text(&self.name, false);
        if name.is_empty() {
            errors.push(FieldError::new("name", FieldErrorKind::Required));
        } else if char_count(&name) > COMMUNITY_NAME_MAX {
            errors.push(FieldError::new(
                "name",
                FieldErrorKind::TooLong {
                    max: COMMUNITY_NAME_MAX,
                    actual: char_count(&name),
                },
            ));
        }
        if self.township_id.trim().is_empty() {
            errors.push(FieldError::new("township_id", FieldErrorKind::Required));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewCommunity {
            id: self.id.to_string(),
            township_id: self.township_id.trim().to_string(),
            name,
        })
    }
}
