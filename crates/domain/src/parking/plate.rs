//! The licence plate of a visiting car: read as people type it, checked, shown back and masked.
//!
//! An ordinary plate is a province (苏), the issuing authority's letter (K) and a serial of 5
//! letters and digits; a new-energy plate has a serial of 6: small ones begin with an energy
//! letter (D, F, or the wider GA 36-2018 set `DABCEFGHJK`) and end in four digits, large ones
//! are five digits and an energy letter. Serials never use I or O (read as 1 and 0). Full-width
//! characters are read as half-width and separators (`·`, spaces, dashes) are dropped.
//!
//! Plates this cannot place (挂 trailers, 警 police, 使/领 embassies, 港/澳, military) are not
//! refused: they are `Unusual`, and the guard checks them at the gate
//! (../shared/research/civic-anchors.md §3.2: the standard could not be read in full).

use crate::field::{FieldError, FieldErrorKind};

/// The 31 province abbreviations that begin a civil plate.
pub const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// Letters that mark a new-energy serial (GA 36-2018; D and F are the common ones).
const ENERGY: &str = "DABCEFGHJK";

/// Characters that end or begin a special plate, which the guard checks by eye.
const SPECIAL: &str = "挂学警港澳领使试超应急";

/// The most characters a plate may have once read (a special plate included).
pub const MAX_CHARS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlateKind {
    /// 7 characters: 苏K12345.
    Ordinary,
    /// 8 characters, an energy letter first in the serial: 苏KD12345.
    NewEnergySmall,
    /// 8 characters, an energy letter last: 苏K12345D.
    NewEnergyLarge,
    /// A plate of another kind (挂, 警, 使…): accepted, for the guard to check.
    Unusual,
}

/// A plate as read: upper case, half-width, no separators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plate {
    text: String,
    kind: PlateKind,
}

impl Plate {
    /// Reads what someone typed: `苏k·12345`, `苏Ｋ１２３４５` and `苏K 12345` are one plate.
    pub fn parse(input: &str) -> Result<Plate, FieldError> {
        let text = normalise(input);
        let invalid = || FieldError::new("plate", FieldErrorKind::Invalid);
        if text.is_empty() {
            return Err(FieldError::new("plate", FieldErrorKind::Required));
        }
        let count = text.chars().count();
        if count > MAX_CHARS {
            return Err(FieldError::new(
                "plate",
                FieldErrorKind::TooLong {
                    max: MAX_CHARS,
                    actual: count,
                },
            ));
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric() || is_cjk(c)) {
            return Err(invalid());
        }
        let chars: Vec<char> = text.chars().collect();
        let kind = if let Some(kind) = civil_kind(&chars) {
            kind
        } else if chars.iter().any(|c| SPECIAL.contains(*c))
            || (count >= 6 && chars[..2].iter().all(char::is_ascii_uppercase))
        {
            // A special plate (or a military one: two letters first), for the guard's eye.
            if count < 6 {
                return Err(invalid());
            }
            PlateKind::Unusual
        } else {
            return Err(invalid());
        };
        Ok(Plate { text, kind })
    }

    pub fn kind(&self) -> PlateKind {
        self.kind
    }

    /// The plate as stored and compared: `苏K12345`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The plate as shown: `苏K·12345`.
    pub fn display(&self) -> String {
        display(&self.text)
    }

    /// The plate as others see it: `苏K·***45`.
    pub fn masked(&self) -> String {
        mask(&self.text)
    }
}

/// Full-width to half-width, upper case, separators and spaces dropped.
pub fn normalise(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && !"·•・.-—_－．".contains(*c))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// An ordinary or new-energy plate's kind, or `None` if it is neither.
fn civil_kind(chars: &[char]) -> Option<PlateKind> {
    let (province, authority, serial) = (chars.first()?, chars.get(1)?, chars.get(2..)?);
    if !PROVINCES.contains(*province) || !authority.is_ascii_uppercase() {
        return None;
    }
    if !serial
        .iter()
        .all(|c| c.is_ascii_alphanumeric() && !matches!(c, 'I' | 'O'))
    {
        return None;
    }
    let digits = |part: &[char]| part.iter().all(char::is_ascii_digit);
    match serial.len() {
        5 => Some(PlateKind::Ordinary),
        6 if ENERGY.contains(serial[0]) && digits(&serial[2..]) => Some(PlateKind::NewEnergySmall),
        6 if digits(&serial[..5]) && ENERGY.contains(serial[5]) => Some(PlateKind::NewEnergyLarge),
        _ => None,
    }
}

/// `苏K12345` → `苏K·12345` (a stored plate, as shown).
pub fn display(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(2).collect();
    let rest: String = chars.collect();
    if rest.is_empty() {
        head
    } else {
        format!("{head}·{rest}")
    }
}

/// `苏K12345` → `苏K·***45`: the province, the authority and the last two characters.
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}·{}{tail}", "*".repeat(chars.len() - 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a typed plate reads as: its stored text and kind, or the error's code.
    type Expected = Result<(&'static str, PlateKind), &'static str>;

    #[test]
    fn valid_and_invalid_plates_read_as_the_table_says() {
        use PlateKind::*;
        let table: &[(&str, Expected)] = &[
            ("苏K12345", Ok(("苏K12345", Ordinary))),
            ("苏KA2B45", Ok(("苏KA2B45", Ordinary))),
            ("苏k·12345", Ok(("苏K12345", Ordinary))),
            ("苏Ｋ１２３４５", Ok(("苏K12345", Ordinary))),
            (" 苏 K 123-45 ", Ok(("苏K12345", Ordinary))),
            ("京AD12345", Ok(("京AD12345", NewEnergySmall))),
            ("沪AF1234 5", Ok(("沪AF12345", NewEnergySmall))),
            ("苏KJ12345", Ok(("苏KJ12345", NewEnergySmall))),
            ("苏KDA1234", Ok(("苏KDA1234", NewEnergySmall))),
            ("粤B12345D", Ok(("粤B12345D", NewEnergyLarge))),
            ("粤B12345F", Ok(("粤B12345F", NewEnergyLarge))),
            ("苏A1234挂", Ok(("苏A1234挂", Unusual))),
            ("苏A1234警", Ok(("苏A1234警", Unusual))),
            ("粤Z1234港", Ok(("粤Z1234港", Unusual))),
            ("使123456", Ok(("使123456", Unusual))),
            ("WJ苏12345", Ok(("WJ苏12345", Unusual))),
            ("", Err("required")),
            (" · ", Err("required")),
            ("苏K1234", Err("invalid")),
            ("苏K123456", Err("invalid")),
            ("苏KI2345", Err("invalid")),
            ("苏K1234O", Err("invalid")),
            ("苏KD1234O", Err("invalid")),
            ("苏KDI1234", Err("invalid")),
            ("苏KZ12345", Err("invalid")),
            ("苏K12345Z", Err("invalid")),
            ("美K12345", Err("invalid")),
            ("苏112345", Err("invalid")),
            ("苏K12!45", Err("invalid")),
            ("K12345", Err("invalid")),
            ("苏A12挂", Err("invalid")),
            ("苏K12345678901", Err("too_long")),
        ];
        for (input, expected) in table {
            let got = Plate::parse(input);
            match (expected, got) {
                (Ok((text, kind)), Ok(plate)) => {
                    assert_eq!((plate.as_str(), plate.kind()), (*text, *kind), "{input}")
                }
                (Err(code), Err(error)) => assert_eq!(error.code(), *code, "{input}"),
                (expected, got) => panic!("{input}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn a_plate_is_shown_with_a_dot_and_masked_to_its_province_authority_and_last_two() {
        let plate = Plate::parse("苏K12345").unwrap();
        assert_eq!(plate.display(), "苏K·12345");
        assert_eq!(plate.masked(), "苏K·***45");
        assert_eq!(Plate::parse("京AD12345").unwrap().masked(), "京A·****45");
        assert_eq!(mask("苏K"), "**");
    }

    #[test]
    fn every_province_begins_a_plate() {
        assert_eq!(PROVINCES.chars().count(), 31);
        for province in PROVINCES.chars() {
            assert!(
                Plate::parse(&format!("{province}A12345")).is_ok(),
                "{province}"
            );
        }
    }
}
