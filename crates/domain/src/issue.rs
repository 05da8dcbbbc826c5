//! Dialogue issues (双月对话的问题): categories, statuses and the validation of a new issue.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field::{char_count, clean_text, FieldError, FieldErrorKind};
use crate::lang::Lang;

pub const TITLE_MAX: usize = 40;
pub const DESCRIPTION_MAX: usize = 1000;
pub const PLACE_MAX: usize = 30;

/// What an issue is about. Travels as a code; shown in the person's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    PropertyService,
    Sanitation,
    Parking,
    Safety,
    Repairs,
    Greenery,
    Other,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::PropertyService,
        Category::Sanitation,
        Category::Parking,
        Category::Safety,
        Category::Repairs,
        Category::Greenery,
        Category::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::PropertyService => "property_service",
            Category::Sanitation => "sanitation",
            Category::Parking => "parking",
            Category::Safety => "safety",
            Category::Repairs => "repairs",
            Category::Greenery => "greenery",
            Category::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Category::PropertyService => lang.pick("物业服务", "Property service"),
            Category::Sanitation => lang.pick("环境卫生", "Sanitation"),
            Category::Parking => lang.pick("停车管理", "Parking"),
            Category::Safety => lang.pick("安全隐患", "Safety hazard"),
            Category::Repairs => lang.pick("设施维修", "Repairs"),
            Category::Greenery => lang.pick("绿化", "Greenery"),
            Category::Other => lang.pick("其他", "Other"),
        }
    }
}

/// Where an issue is in the dialogue loop. Issue 2 only creates `Raised`; the transitions
/// between the others are the dialogue loop's state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    /// 待受理: raised, waiting for staff.
    Raised,
    /// 已立项: accepted as a project for a dialogue session.
    Accepted,
    /// 已合并: merged into another issue.
    Merged,
    /// 不予立项: declined, with a reason the resident sees.
    Declined,
    /// 已答复: the property company answered.
    Answered,
    /// 整改中: being rectified.
    Rectifying,
    /// 待评分: rectification reported done, residents score it.
    AwaitingScore,
    /// 已办结: closed.
    Closed,
}

impl IssueStatus {
    pub const ALL: [IssueStatus; 8] = [
        IssueStatus::Raised,
        IssueStatus::Accepted,
        IssueStatus::Merged,
        IssueStatus::Declined,
        IssueStatus::Answered,
        IssueStatus::Rectifying,
        IssueStatus::AwaitingScore,
        IssueStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            IssueStatus::Raised => "raised",
            IssueStatus::Accepted => "accepted",
            IssueStatus::Merged => "merged",
            IssueStatus::Declined => "declined",
            IssueStatus::Answered => "answered",
            IssueStatus::Rectifying => "rectifying",
            IssueStatus::AwaitingScore => "awaiting_score",
            IssueStatus::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<IssueStatus> {
        IssueStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            IssueStatus::Raised => lang.pick("待受理", "Awaiting review"),
            IssueStatus::Accepted => lang.pick("已立项", "Accepted"),
            IssueStatus::Merged => lang.pick("已合并", "Merged"),
            IssueStatus::Declined => lang.pick("不予立项", "Declined"),
            IssueStatus::Answered => lang.pick("已答复", "Answered"),
            IssueStatus::Rectifying => lang.pick("整改中", "Being fixed"),
            IssueStatus::AwaitingScore => lang.pick("待评分", "To be scored"),
            IssueStatus::Closed => lang.pick("已办结", "Closed"),
        }
    }

    /// Whether the issue still needs work (shown as open in lists and suggestions).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            IssueStatus::Merged | IssueStatus::Declined | IssueStatus::Closed
        )
    }
}

/// The arguments of `raise_issue` as they travel (version 1). Unvalidated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaiseIssueArgs {
    pub id: Uuid,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category: String,
    #[serde(default)]
    pub place: Option<String>,
    /// Staff raising the issue for a household without a smartphone (recorded as such).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<Uuid>,
}

/// A validated new issue: what `raise_issue` creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewIssue {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub place: Option<String>,
    /// The household staff act for, if any.
    pub on_behalf_of: Option<Uuid>,
}

impl NewIssue {
    /// Validates every field and reports all problems at once, in field order.
    pub fn parse(args: &RaiseIssueArgs) -> Result<NewIssue, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = clean_text(&args.title, false);
        if title.is_empty() {
            errors.push(FieldError::new("title", FieldErrorKind::Required));
        } else if char_count(&title) > TITLE_MAX {
            errors.push(too_long("title", TITLE_MAX, &title));
        }
        let description = clean_text(&args.description, true);
        if char_count(&description) > DESCRIPTION_MAX {
            errors.push(too_long("description", DESCRIPTION_MAX, &description));
        }
        let category = Category::from_code(args.category.trim());
        if category.is_none() {
            let kind = if args.category.trim().is_empty() {
                FieldErrorKind::Required
            } else {
                FieldErrorKind::Unknown
            };
            errors.push(FieldError::new("category", kind));
        }
        let place = args
            .place
            .as_deref()
            .map(|p| clean_text(p, false))
            .filter(|p| !p.is_empty());
        if let Some(p) = &place {
            if char_count(p) > PLACE_MAX {
                errors.push(too_long("place", PLACE_MAX, p));
            }
        }
        match category {
            Some(category) if errors.is_empty() => Ok(NewIssue {
                id: args.id,
                title,
                description,
                category,
                place,
                on_behalf_of: args.on_behalf_of,
            }),
            _ => Err(errors),
        }
    }
}

fn too_long(field: &'static str, max: usize, text: &str) -> FieldError {
    FieldError::new(
        field,
        FieldErrorKind::TooLong {
            max,
            actual: char_count(text),
        },
    )
}

/// How alike two titles are, 0 to 1: the share of two-character pieces they have in common
/// (works for Chinese, where words are not separated by spaces).
pub fn similarity(a: &str, b: &str) -> f64 {
    fn pieces(text: &str) -> std::collections::HashSet<(char, char)> {
        let chars: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
            .collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let (a, b) = (pieces(a), pieces(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / a.union(&b).count() as f64
}

/// Open issues whose titles look like `title`, most alike first (for 我也遇到 while typing).
pub fn similar<'a>(
    title: &str,
    candidates: impl IntoIterator<Item = (&'a str, bool)>,
    limit: usize,
) -> Vec<(usize, f64)> {
    let mut scored: Vec<(usize, f64)> = candidates
        .into_iter()
        .enumerate()
        .filter(|(_, (_, open))| *open)
        .map(|(n, (other, _))| (n, similarity(title, other)))
        .filter(|(_, score)| *score >= 0.2)
        .collect();
    // Best first; similarity is in [0, 1], so a millionth is fine enough to order by.
    crate::order::sort_by_number(&mut scored, |(_, score)| -(score * 1e6) as i64);
    scored.truncate(limit);
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(title: &str, description: &str, category: &str, place: Option<&str>) -> RaiseIssueArgs {
        RaiseIssueArgs {
            id: Uuid::nil(),
            title: title.into(),
            description: description.into(),
            category: category.into(),
            place: place.map(Into::into),
            on_behalf_of: None,
        }
    }

    #[test]
    fn similar_titles_are_found_and_unrelated_or_closed_ones_are_not() {
        let candidates = [
            ("5栋楼道灯坏了", true),
            ("东门垃圾桶满了", true),
            ("5栋楼道灯不亮", false),
            ("楼道灯坏了一个月", true),
        ];
        let found = similar("楼道的灯坏了", candidates, 3);
        let titles: Vec<_> = found.iter().map(|(n, _)| candidates[*n].0).collect();
        assert_eq!(titles, ["5栋楼道灯坏了", "楼道灯坏了一个月"]);
        assert_eq!(similarity("", "灯"), 0.0);
        assert!(similarity("楼道灯坏了", "楼道灯坏了") > 0.99);
    }

    #[test]
    fn a_complete_issue_is_accepted_and_trimmed() {
        let issue = NewIssue::parse(&args(
            "  楼道灯坏了 ",
            "3栋2单元\n晚上很黑",
            "repairs",
            Some(" 3栋 "),
        ))
        .expect("valid");
        assert_eq!(issue.title, "楼道灯坏了");
        assert_eq!(issue.description, "3栋2单元\n晚上很黑");
        assert_eq!(issue.category, Category::Repairs);
        assert_eq!(issue.place.as_deref(), Some("3栋"));
    }

    #[test]
    fn a_title_of_exactly_forty_characters_is_allowed_and_forty_one_is_not() {
        let forty = "灯".repeat(40);
        assert!(NewIssue::parse(&args(&forty, "", "other", None)).is_ok());
        let errors = NewIssue::parse(&args(&"灯".repeat(41), "", "other", None)).unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new(
                "title",
                FieldErrorKind::TooLong {
                    max: 40,
                    actual: 41
                }
            )]
        );
        assert_eq!(errors[0].message(Lang::Zh), "标题最多40个字，现在有41个字");
    }

    #[test]
    fn a_blank_title_is_required_even_when_it_is_only_spaces_and_newlines() {
        let errors = NewIssue::parse(&args(" \n\t ", "", "other", None)).unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new("title", FieldErrorKind::Required)]
        );
        assert_eq!(errors[0].message(Lang::Zh), "请填写标题");
        assert_eq!(errors[0].message(Lang::En), "Please fill in the title");
    }

    #[test]
    fn a_title_keeps_no_line_breaks_or_control_characters() {
        let issue = NewIssue::parse(&args("路灯\n不亮\u{7}", "", "other", None)).unwrap();
        assert_eq!(issue.title, "路灯 不亮");
    }

    #[test]
    fn the_description_may_be_empty_but_not_longer_than_a_thousand_characters() {
        assert!(NewIssue::parse(&args("标题", "", "other", None)).is_ok());
        assert!(NewIssue::parse(&args("标题", &"字".repeat(1000), "other", None)).is_ok());
        let errors = NewIssue::parse(&args("标题", &"字".repeat(1001), "other", None)).unwrap_err();
        assert_eq!(errors[0].field, "description");
        assert_eq!(errors[0].code(), "too_long");
    }

    #[test]
    fn an_unknown_or_missing_category_is_refused_with_its_own_message() {
        let unknown = NewIssue::parse(&args("标题", "", "weather", None)).unwrap_err();
        assert_eq!(unknown[0].kind, FieldErrorKind::Unknown);
        assert_eq!(unknown[0].message(Lang::Zh), "请从列表中选择类别");
        let missing = NewIssue::parse(&args("标题", "", "", None)).unwrap_err();
        assert_eq!(missing[0].kind, FieldErrorKind::Required);
    }

    #[test]
    fn a_blank_place_counts_as_no_place_and_a_long_one_is_refused() {
        let issue = NewIssue::parse(&args("标题", "", "other", Some("   "))).unwrap();
        assert_eq!(issue.place, None);
        let errors =
            NewIssue::parse(&args("标题", "", "other", Some(&"栋".repeat(31)))).unwrap_err();
        assert_eq!(errors[0].field, "place");
    }

    #[test]
    fn every_problem_is_reported_at_once_in_field_order() {
        let errors = NewIssue::parse(&args(
            "",
            &"字".repeat(1001),
            "nope",
            Some(&"栋".repeat(31)),
        ))
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "description", "category", "place"]);
    }

    #[test]
    fn every_category_and_status_code_reads_back_and_has_both_labels() {
        for category in Category::ALL {
            assert_eq!(Category::from_code(category.code()), Some(category));
            assert_ne!(category.label(Lang::Zh), category.label(Lang::En));
        }
        for status in IssueStatus::ALL {
            assert_eq!(IssueStatus::from_code(status.code()), Some(status));
        }
        assert_eq!(Category::Sanitation.label(Lang::Zh), "环境卫生");
        assert_eq!(
            serde_json::to_string(&Category::PropertyService).unwrap(),
            "\"property_service\""
        );
    }
}
