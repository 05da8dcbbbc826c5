//! People: roles, phone numbers and the masking of names in shared views.

use serde::{Deserialize, Serialize};

use crate::field::{FieldError, FieldErrorKind};
use crate::lang::Lang;

/// What a person does in a community. One person may hold several roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Resident,
    Volunteer,
    Property,
    CommunityStaff,
    Guard,
    TownshipStaff,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Resident,
        Role::Volunteer,
        Role::Property,
        Role::CommunityStaff,
        Role::Guard,
        Role::TownshipStaff,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Volunteer => "volunteer",
            Role::Property => "property",
            Role::CommunityStaff => "community_staff",
            Role::Guard => "guard",
            Role::TownshipStaff => "township_staff",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether the role works in the 工作端 (everyone but residents). Only people who hold
    /// such a role ever download the work app.
    pub fn works(self) -> bool {
        !matches!(self, Role::Resident)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::Resident => lang.pick("居民", "Resident"),
            Role::Volunteer => lang.pick("志愿者", "Volunteer"),
            Role::Property => lang.pick("物业公司", "Property company"),
            Role::CommunityStaff => lang.pick("社区工作人员", "Community staff"),
            Role::Guard => lang.pick("保安", "Guard"),
            Role::TownshipStaff => lang.pick("乡政府工作人员", "Township staff"),
        }
    }
}

/// A mainland mobile number: 11 digits starting with 1. Spaces and dashes are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(text: &str) -> Result<Phone, FieldError> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() {
            return Err(FieldError::new("phone", FieldErrorKind::Required));
        }
        let well_formed = digits.len() == 11
            && digits.starts_with('1')
            && digits.chars().all(|c| c.is_ascii_digit());
        if well_formed {
            Ok(Phone(digits))
        } else {
            Err(FieldError::new("phone", FieldErrorKind::Invalid))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Masks a name for views shared with the community: 张秀兰 → 张*兰, 李明 → 李*.
///
/// The first and (for three characters or more) the last character stay; everything between
/// becomes one `*` per character, so the length is kept but the name is not.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", chars[0]),
        n => {
            let middle = "*".repeat(n - 2);
            format!("{}{}{}", chars[0], middle, chars[n - 1])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_keeping_only_the_ends() {
        assert_eq!(mask_name("张秀兰"), "张*兰");
        assert_eq!(mask_name("李明"), "李*");
        assert_eq!(mask_name("欧阳春华"), "欧**华");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(" "), "");
    }

    #[test]
    fn phones_are_eleven_digits_starting_with_one() {
        assert_eq!(
            Phone::parse("139 0000 0001").unwrap().as_str(),
            "13900000001"
        );
        assert_eq!(
            Phone::parse("139-0000-0001").unwrap().as_str(),
            "13900000001"
        );
        assert_eq!(Phone::parse("").unwrap_err().kind, FieldErrorKind::Required);
        for bad in ["1390000000", "23900000001", "1390000000a", "139000000012"] {
            assert_eq!(
                Phone::parse(bad).unwrap_err().kind,
                FieldErrorKind::Invalid,
                "{bad}"
            );
        }
    }

    #[test]
    fn every_role_code_reads_back() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
    }
}
