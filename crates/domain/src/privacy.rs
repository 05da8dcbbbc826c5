//! The privacy notice a person reads and agrees to before joining (PIPL Art. 14, 17): what
//! is collected, why, who sees it, how long it is kept, and the person's rights.
//!
//! The version is recorded with the consent; a changed notice gets a new version.

use crate::lang::Lang;

pub const NOTICE_VERSION: &str = "2026-11-28";

/// Sections of the notice: (heading, text).
pub fn notice(lang: Lang) -> [(&'static str, &'static str); 6] {
    match lang {
        Lang::Zh => [
            ("谁在处理您的信息", "一碗汤由汤汪乡和您所在的社区居委会使用，社区居委会负责管理您的信息。有问题可以找社区工作人员。"),
            ("收集什么", "您的称呼、手机号、密码（只保存加密后的形式）、所在住户（楼栋、单元、门牌号），以及您在一碗汤里提的问题、打的分和预约。"),
            ("为什么收集", "手机号用来登录和联系您；住户信息用来确认您是本社区居民；您提的问题用于双月对话和社区台账。不做其他用途，不用于广告。"),
            ("谁能看到", "社区里的其他居民只能看到您的问题和打码后的称呼（例如 张*兰），看不到手机号和门牌号。社区工作人员和物业公司只能看到办事需要的信息。"),
            ("保存多久", "账号在您使用期间保存。您注销账号后，手机号、称呼和住户信息立即删除；您提过的问题作为社区台账保留，但不再显示您的名字。"),
            ("您的权利", "您随时可以在「我的」里下载自己的全部数据，或注销账号。您也可以请社区工作人员帮您查询、更正或删除信息。"),
        ],
        Lang::En => [
            ("Who handles your information", "Yiwantang is run by Tangwang township and your community's residents' committee, which is responsible for your information. Community staff can answer your questions."),
            ("What is collected", "Your name, phone number, password (stored only in hashed form), your household (building, unit, room), and the issues, scores and bookings you make in Yiwantang."),
            ("Why", "Your phone number is for signing in and contacting you; your household confirms you live in the community; your issues go to the bimonthly dialogue and the community ledger. Nothing else, never for advertising."),
            ("Who sees it", "Other residents see your issues and a masked name (like Z*n), never your phone or room. Community staff and the property company see only what their work needs."),
            ("How long it is kept", "Your account is kept while you use it. When you delete it, your phone, name and household are removed at once; your issues stay in the community ledger without your name."),
            ("Your rights", "Under 我的 (Me) you can download all your data or delete your account at any time. Community staff can also help you see, correct or delete your information."),
        ],
    }
}
