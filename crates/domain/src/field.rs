//! Field errors: what is wrong with one input, said in the person's language.
//!
//! The same values produce the same messages on the phone and on the server, because both
//! run the validation in this crate.

use crate::lang::Lang;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldErrorKind {
    Required,
    TooLong {
        max: usize,
        actual: usize,
    },
    TooShort {
        min: usize,
    },
    /// A value outside a fixed list (an unknown category code, say).
    Unknown,
    /// A value of the wrong shape (a phone number that is not 11 digits, say).
    Invalid,
    /// A password anyone could guess: a common one, or the demo's (public in the source).
    Guessable,
    /// A list with more entries than allowed (names of attendees, say).
    TooMany {
        max: usize,
        actual: usize,
    },
    /// A number outside its allowed range (both ends allowed).
    OutOfRange {
        min: String,
        max: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name on the wire (`title`, `description`, …).
    pub field: &'static str,
    pub kind: FieldErrorKind,
}

impl FieldError {
    pub fn new(field: &'static str, kind: FieldErrorKind) -> Self {
        FieldError { field, kind }
    }

    /// A short machine-readable code: `required`, `too_long`, `unknown`, `invalid`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            FieldErrorKind::Required => "required",
            FieldErrorKind::TooLong { .. } => "too_long",
            FieldErrorKind::TooShort { .. } => "too_short",
            FieldErrorKind::Unknown => "unknown",
            FieldErrorKind::Invalid => "invalid",
            FieldErrorKind::Guessable => "guessable",
            FieldErrorKind::TooMany { .. } => "too_many",
            FieldErrorKind::OutOfRange { .. } => "out_of_range",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let label = field_label(self.field, lang);
        let is_choice = matches!(self.field, "category" | "role" | "household_id" | "score");
        if self.field == "consent" {
            return lang
                .pick(
                    "请先阅读并同意隐私说明",
                    "Please read and agree to the privacy notice",
                )
                .to_string();
        }
        match (&self.kind, lang) {
            (FieldErrorKind::Required, Lang::Zh) if is_choice => format!("请选择{label}"),
            (FieldErrorKind::Required, Lang::En) if is_choice => format!("Please choose a {label}"),
            (FieldErrorKind::Required, Lang::Zh) => format!("请填写{label}"),
            (FieldErrorKind::Required, Lang::En) => format!("Please fill in the {label}"),
            (FieldErrorKind::TooLong { max, actual }, Lang::Zh) => {
                format!("{label}最多{max}个字，现在有{actual}个字")
            }
            (FieldErrorKind::TooLong { max, actual }, Lang::En) => {
                format!("The {label} can have at most {max} characters; it has {actual}")
            }
            (FieldErrorKind::TooShort { min }, Lang::Zh) => format!("{label}至少要{min}个字符"),
            (FieldErrorKind::TooShort { min }, Lang::En) => {
                format!("The {label} needs at least {min} characters")
            }
            (FieldErrorKind::Unknown, Lang::Zh) => format!("请从列表中选择{label}"),
            (FieldErrorKind::Unknown, Lang::En) => {
                format!("Please choose the {label} from the list")
            }
            (FieldErrorKind::Invalid, Lang::Zh) => format!("{label}的格式不对"),
            (FieldErrorKind::Invalid, Lang::En) => {
                format!("The {label} is not in the right format")
            }
            (FieldErrorKind::Guessable, Lang::Zh) => {
                format!("这个{label}别人很容易猜到，请换一个")
            }
            (FieldErrorKind::Guessable, Lang::En) => {
                format!("That {label} is easy for others to guess; choose another")
            }
            (FieldErrorKind::TooMany { max, actual }, Lang::Zh) => {
                format!("{label}最多{max}项，现在有{actual}项")
            }
            (FieldErrorKind::TooMany { max, actual }, Lang::En) => {
                format!("The {label} can list at most {max}; it lists {actual}")
            }
            (FieldErrorKind::OutOfRange { min, max }, Lang::Zh) => {
                format!("{label}应在{min}到{max}之间")
            }
            (FieldErrorKind::OutOfRange { min, max }, Lang::En) => {
                format!("The {label} must be between {min} and {max}")
            }
        }
    }
}

/// The name of a field as a person reads it.
pub fn field_label(field: &str, lang: Lang) -> &'static str {
    match (field, lang) {
        ("title", Lang::Zh) => "标题",
        ("title", Lang::En) => "title",
        ("description", Lang::Zh) => "详细说明",
        ("description", Lang::En) => "description",
        ("category", Lang::Zh) => "类别",
        ("category", Lang::En) => "category",
        ("place", Lang::Zh) => "地点",
        ("place", Lang::En) => "place",
        ("phone", Lang::Zh) => "手机号",
        ("phone", Lang::En) => "phone number",
        ("password", Lang::Zh) => "密码",
        ("password", Lang::En) => "password",
        ("display_name", Lang::Zh) => "称呼",
        ("display_name", Lang::En) => "name",
        ("point", Lang::Zh) => "居民点",
        ("point", Lang::En) => "residential point",
        ("building", Lang::Zh) => "楼栋",
        ("building", Lang::En) => "building",
        ("unit", Lang::Zh) => "单元",
        ("unit", Lang::En) => "unit",
        ("room", Lang::Zh) => "门牌号",
        ("room", Lang::En) => "room",
        ("role", Lang::Zh) => "身份",
        ("role", Lang::En) => "role",
        ("household_id", Lang::Zh) => "住户",
        ("household_id", Lang::En) => "household",
        ("code", Lang::Zh) => "邀请码",
        ("code", Lang::En) => "code",
        ("community_id", Lang::Zh) => "社区",
        ("community_id", Lang::En) => "community",
        ("reason", Lang::Zh) => "理由",
        ("reason", Lang::En) => "reason",
        ("reply", Lang::Zh) => "答复",
        ("reply", Lang::En) => "reply",
        ("plan", Lang::Zh) => "整改方案",
        ("plan", Lang::En) => "plan",
        ("report", Lang::Zh) => "整改情况",
        ("report", Lang::En) => "report",
        ("score", Lang::Zh) => "评分",
        ("score", Lang::En) => "score",
        ("comment", Lang::Zh) => "意见",
        ("comment", Lang::En) => "comment",
        ("photo", Lang::Zh) => "照片（KB）",
        ("photo", Lang::En) => "photo (KB)",
        ("pass_average", Lang::Zh) => "办结所需平均分",
        ("pass_average", Lang::En) => "average score needed to close",
        ("window_days", Lang::Zh) => "评分天数",
        ("window_days", Lang::En) => "days to score",
        ("notes", Lang::Zh) => "记录",
        ("notes", Lang::En) => "notes",
        ("note", Lang::Zh) => "说明",
        ("note", Lang::En) => "note",
        ("capacity", Lang::Zh) => "名额",
        ("capacity", Lang::En) => "seats",
        ("name", Lang::Zh) => "名称",
        ("name", Lang::En) => "name",
        ("opens", Lang::Zh) => "开始时间",
        ("opens", Lang::En) => "opening time",
        ("closes", Lang::Zh) => "结束时间",
        ("closes", Lang::En) => "closing time",
        ("slot_minutes", Lang::Zh) => "每段时长（分钟）",
        ("slot_minutes", Lang::En) => "slot length (minutes)",
        ("per_volunteer", Lang::Zh) => "每位志愿者每段服务人数",
        ("per_volunteer", Lang::En) => "people per volunteer per slot",
        ("monthly_day", Lang::Zh) => "每月几号",
        ("monthly_day", Lang::En) => "day of the month",
        ("volunteers", Lang::Zh) => "志愿者",
        ("volunteers", Lang::En) => "volunteers",
        ("walk_in", Lang::Zh) => "无需预约",
        ("walk_in", Lang::En) => "walk-in",
        ("plate", Lang::Zh) => "车牌号",
        ("plate", Lang::En) => "plate number",
        ("hours", Lang::Zh) => "停放小时数",
        ("hours", Lang::En) => "hours of stay",
        ("relation", Lang::Zh) => "来访人关系",
        ("relation", Lang::En) => "relation",
        ("spots", Lang::Zh) => "车位数",
        ("spots", Lang::En) => "spots",
        ("max_hours", Lang::Zh) => "最长免费停放（小时）",
        ("max_hours", Lang::En) => "longest free stay (hours)",
        ("days_ahead", Lang::Zh) => "可提前登记天数",
        ("days_ahead", Lang::En) => "days ahead",
        ("per_week", Lang::Zh) => "每户每周次数",
        ("per_week", Lang::En) => "visits per household a week",
        ("at_once", Lang::Zh) => "每户同时车辆数",
        ("at_once", Lang::En) => "cars per household at once",
        ("keep_days", Lang::Zh) => "车牌保留天数",
        ("keep_days", Lang::En) => "days plates are kept",
        ("day", Lang::Zh) => "日期",
        ("day", Lang::En) => "date",
        ("answer", Lang::Zh) => "答复",
        ("answer", Lang::En) => "answer",
        ("place_of_dialogue", Lang::Zh) => "地点",
        ("place_of_dialogue", Lang::En) => "place",
        ("attendees", Lang::Zh) => "参加人员",
        ("attendees", Lang::En) => "attendees",
        ("id", Lang::Zh) => "编号",
        ("id", Lang::En) => "identifier",
        (_, Lang::Zh) => "内容",
        (_, Lang::En) => "value",
    }
}

/// Counts characters the way a person does: one per Chinese character or letter.
pub fn char_count(text: &str) -> usize {
    text.chars().count()
}

/// Trims the text and removes control characters; keeps line breaks only when asked.
pub fn clean_text(text: &str, keep_newlines: bool) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '\t' => ' ',
            '\n' if !keep_newlines => ' ',
            other => other,
        })
        .filter(|c| !c.is_control() || (keep_newlines && *c == '\n'))
        .collect();
    cleaned.trim().to_string()
}
