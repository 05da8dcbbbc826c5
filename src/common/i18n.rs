//! The one i18n layer: every text on screen comes from here (or, for what the domain
//! names — categories, statuses, field errors — from the domain in the same language).
//!
//! Texts are keys of one enum, so a missing translation is a compile error, not a blank.

use domain::Lang;
use leptos::prelude::*;

/// The person's language, provided at the root of the app.
#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// The text of `key` in the current language (reactive when read inside a closure).
    pub fn t(&self, key: K) -> &'static str {
        text(self.lang.get(), key)
    }

    pub fn lang(&self) -> Lang {
        self.lang.get()
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Shorthand for code: the text of `key` now (reactive inside a closure).
pub fn t(key: K) -> &'static str {
    use_i18n().t(key)
}

/// Shorthand for views: `{tr(K::Submit)}` follows the language. Every call returns the same
/// closure type, so the hundreds of texts on screen share one piece of compiled code
/// instead of one each (this alone keeps tens of KB out of the Wasm).
pub fn tr(key: K) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(key)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum K {
    AppName,
    TabHome,
    TabDialogue,
    TabMarket,
    TabParking,
    TabMe,
    ComingSoon,
    MarketIntro,
    MarketNone,
    MarketNextDay,
    MarketVenue,
    SharedHouseVenue,
    AtYourHome,
    SeatsLeft,
    SlotFull,
    SlotClosed,
    MarketHowTo,
    MyBookings,
    ConfirmBooking,
    HomeNote,
    HomeNoteHint,
    ShowPass,
    CancelBooking,
    CancelBookingConfirm,
    BookInstead,
    YouBookedThis,
    YouAskedThis,
    JoinWaitlist,
    OnWaitlist,
    SeatOffered,
    TakeSeat,
    OfferLapsed,
    PassTitle,
    PassCode,
    PassOffline,
    PassNotOnPhone,
    PassForVolunteer,
    NextBooking,
    TodayService,
    TodayNone,
    EnterPassCode,
    CheckCode,
    CodeNotFound,
    ConfirmServed,
    CheckedOffline,
    MarkNoShow,
    MarkNoShowConfirm,
    ScanPass,
    MarketSetup,
    MarketSetupHint,
    NoComingDays,
    CallOffDay,
    CallOffReason,
    CallOffBooked,
    CallOffConfirm,
    SeatsTaken,
    Seats,
    FewerSeats,
    MoreSeats,
    CloseSlot,
    ReopenSlot,
    DayCalledOff,
    OnBehalf,
    MarketLedger,
    Service,
    Month,
    Served,
    NoShowCount,
    CancelledCount,
    OnBehalfHousehold,
    OnBehalfConfirm,
    PassRetiredKey,
    NewService,
    ServiceWhere,
    ServiceName,
    ServiceHow,
    ModeAtPlace,
    ModeAtHome,
    ServicePlace,
    WalkInOnly,
    Opens,
    Closes,
    SlotMinutes,
    PerVolunteer,
    MonthlyDay,
    ServiceVolunteers,
    NoVolunteersYet,
    SaveService,
    AddDay,
    AddDayConfirm,
    OpenHours,
    NoBookingNeeded,
    SetupWaiting,
    ScanAim,
    CloseCamera,
    CameraDenied,
    CameraMissing,
    CameraFailed,
    PassMalformed,
    PassUnknownKey,
    PassForged,
    PassExpired,
    PassRevoked,
    PassOtherService,
    PassOtherDay,
    PassUsed,
    CheckInWorkApp,
    ConfirmedUnlisted,
    ComingSoonParking,
    Online,
    Offline,
    Syncing,
    AllSynced,
    SyncNow,
    SyncStatus,
    LastSync,
    NeverSynced,
    PendingActions,
    NoPending,
    FailedActions,
    NoFailed,
    NeedsSignIn,
    SignInAgain,
    SignIn,
    SignInTitle,
    SignInIntro,
    Phone,
    PhonePlaceholder,
    Password,
    SigningIn,
    SignInNeedsNetwork,
    SignOut,
    SignOutConfirm,
    Cancel,
    Hello,
    RaiseIssue,
    RaiseIssueIntro,
    MyIssues,
    CommunityIssues,
    NoIssues,
    NoMyIssues,
    ElderMode,
    ElderModeHint,
    On,
    Off,
    Language,
    Title,
    TitleHint,
    Description,
    DescriptionHint,
    Category,
    Place,
    PlaceHint,
    Optional,
    Required,
    Submit,
    SavedOnPhone,
    SavedOnPhoneHint,
    StatePending,
    StateSubmitted,
    StateFailed,
    StatePendingHint,
    StateSubmittedHint,
    RaisedBy,
    RaisedAt,
    Back,
    NotFound,
    FixAndResubmit,
    Discard,
    DiscardConfirm,
    WhatToDo,
    UpdateAvailable,
    UpdateNow,
    MyCommunity,
    Role,
    DataSafety,
    DataSafetyOn,
    DataSafetyOff,
    Loading,
    ErrorStorage,
    Community,
    Households,
    People,
    Invitations,
    AddHousehold,
    Point,
    Building,
    Unit,
    Room,
    Save,
    NoHouseholds,
    NoPeople,
    NoInvitations,
    InviteSomeone,
    InviteAs,
    ChooseHousehold,
    CreateInvitation,
    InvitationCode,
    ScanToJoin,
    ScanToReset,
    CodePendingHint,
    CodeUsed,
    CodeExpired,
    CodeValidUntil,
    Print,
    ResetPassword,
    Deactivate,
    DeactivateConfirm,
    DeactivateHint,
    Deactivated,
    RaiseForHousehold,
    HaveCode,
    EnterCode,
    Next,
    JoinTitle,
    JoinInvited,
    JoinAs,
    PrivacyNotice,
    PrivacyAgree,
    DisplayName,
    DisplayNameHint,
    NewPassword,
    PasswordHint,
    JoinButton,
    JoinWithMyAccount,
    TownshipAdmin,
    Communities,
    AddCommunity,
    CommunityName,
    InviteCommunityStaff,
    NoCommunities,
    SetupTitle,
    SetupIntro,
    SetupCode,
    SetupButton,
    SetupAgree,
    ResetTitle,
    ResetButton,
    CodeNeedsNetwork,
    ServerTrouble,
    Devices,
    ThisDevice,
    EndSession,
    LastUsed,
    DevicesNeedNetwork,
    MyData,
    DownloadData,
    DeleteAccount,
    DeleteAccountHint,
    DeleteAccountConfirm,
    AccountDeleted,
    QueuedHere,
    PageNotFound,
    Timeline,
    StepRaised,
    StepAccepted,
    StepAnswered,
    StepRectified,
    StepEscalated,
    StepDeclined,
    StepMerged,
    Reply,
    Plan,
    PromisedBy,
    Round,
    AverageScore,
    ScoresCount,
    ScoringOpenUntil,
    OutcomeClosed,
    OutcomeReopened,
    TownshipAnswer,
    Deadline,
    AwaitingTownship,
    Overdue,
    Accept,
    AcceptFor,
    NoDialogueYet,
    Merge,
    MergeInto,
    Decline,
    DeclineReason,
    Escalate,
    EscalateNote,
    AnswerIssue,
    StartRectifying,
    ReportRectified,
    ReportText,
    AnswerEscalation,
    JoinIssue,
    Joined,
    JoinedCount,
    ScoreIt,
    ScoreHint,
    PassMarkHint,
    ScoringRules,
    OtherMinutes,
    PassAverage,
    WindowDays,
    RulesHint,
    SaveRules,
    ProjectsToAdd,
    NoProjectsToAdd,
    AddToAgenda,
    RemoveFromAgenda,
    YourScore,
    ChangeScore,
    Comment,
    SubmitScore,
    NeedsYourScore,
    Similar,
    Ledger,
    LedgerIntro,
    Dialogues,
    FigDialogues,
    FigRaised,
    FigProjects,
    FigResolved,
    FigAverage,
    FigEscalated,
    FigOverdue,
    RateResponse,
    RateClosure,
    RateResolution,
    RateSatisfaction,
    From,
    To,
    AllTime,
    ArticlePeriod,
    ThisYear,
    ChartTitle,
    ExportXlsx,
    ExportCsv,
    WholeTownship,
    Behind,
    ScheduleDialogue,
    HeldOn,
    PlaceOfDialogue,
    Attendees,
    Agenda,
    Minutes,
    RecordMinutes,
    NextDialogueDue,
    NoDialogues,
    Upcoming,
    Held,
    Send,
    ViewLedger,
    AddPhoto,
    Photos,
    PhotoTooBig,
    ProcessingPhoto,
    Tabs,
    WorkAppName,
    TabWorkHome,
    TabWorkIssues,
    TabResidentApp,
    HandleInWorkApp,
    OpenWorkApp,
    OpenWorkAppHint,
    WorkAppOffline,
    ToHandle,
    NothingToHandle,
    AllIssues,
    LedgerScope,
    NextDialogue,
    NextDialogueNotScheduled,
    Dismiss,
}

pub fn text(lang: Lang, key: K) -> &'static str {
    use K::*;
    let (zh, en) = match key {
        AppName => ("一碗汤", "Yiwantang"),
        Tabs => ("主要栏目", "Main sections"),
        WorkAppName => ("一碗汤·工作端", "Yiwantang · Work"),
        TabWorkHome => ("工作台", "Work"),
        TabWorkIssues => ("事项", "Issues"),
        TabResidentApp => ("居民端", "Resident app"),
        HandleInWorkApp => ("到工作端处理", "Handle it in the work app"),
        OpenWorkApp => ("打开工作端", "Open the work app"),
        OpenWorkAppHint => (
            "社区管理、双月对话、问题处理和台账",
            "Community admin, dialogue sessions, handling issues and the ledger",
        ),
        WorkAppOffline => (
            "工作端还没有下载到这台手机。请连上网络后再打开一次，之后没有网络也能用。",
            "The work app is not on this phone yet. Open it once with a network; after that it works offline too.",
        ),
        ToHandle => ("等我处理", "Waiting for me"),
        NothingToHandle => ("现在没有要处理的问题。", "Nothing waits for you now."),
        AllIssues => ("全部问题", "All issues"),
        LedgerScope => ("查看范围", "Scope"),
        NextDialogue => ("下一次双月对话", "The next dialogue session"),
        Dismiss => ("知道了", "OK"),
        NextDialogueNotScheduled => (
            "还没有安排，社区会提前通知。",
            "Not scheduled yet; the community will announce it.",
        ),
        TabHome => ("首页", "Home"),
        TabDialogue => ("议事", "Dialogue"),
        TabMarket => ("集市", "Market"),
        TabParking => ("车位", "Parking"),
        TabMe => ("我的", "Me"),
        ComingSoon => ("即将开放", "Coming soon"),
        MarketIntro => (
            "志愿者免费为居民服务。下面是下一次的服务和每个时段还剩的名额。",
            "Volunteers serve residents for free. Here are the next services and the seats left in each time slot.",
        ),
        MarketNone => (
            "您的社区还没有安排公益集市或共享小屋的服务。",
            "Your community has no market or shared-house services scheduled yet.",
        ),
        MarketNextDay => ("下一次", "Next"),
        MarketVenue => ("公益集市", "Public-welfare market"),
        SharedHouseVenue => ("共享小屋", "Shared house"),
        AtYourHome => ("上门服务", "At your home"),
        SeatsLeft => ("余{}位", "{} left"),
        SlotFull => ("已满", "Full"),
        SlotClosed => ("暂停", "Closed"),
        MarketHowTo => (
            "点一个有空位的时段就能预约；服务器确认后会给您一张二维码凭证，到场时出示。不方便用手机的，可以打电话请社区代为预约。",
            "Tap a slot with seats left to book it; once the server confirms, you get a QR pass to show when you arrive. If a phone is hard to use, call the community to book for you.",
        ),
        MyBookings => ("我的预约", "My bookings"),
        ConfirmBooking => ("确认预约", "Confirm booking"),
        HomeNote => ("上门说明（可不填）", "Note for the volunteer (optional)"),
        HomeNoteHint => ("如：上午10点后在家", "e.g. home after 10 a.m."),
        ShowPass => ("出示凭证", "Show pass"),
        CancelBooking => ("取消预约", "Cancel booking"),
        CancelBookingConfirm => ("确定取消这个预约", "Yes, cancel this booking"),
        BookInstead => ("这些时段还有空位，点一下改约：", "These slots have seats; tap one to book it instead:"),
        YouBookedThis => ("已约", "Booked"),
        YouAskedThis => ("已申请", "Requested"),
        JoinWaitlist => ("加入候补", "Join the waiting list"),
        OnWaitlist => (
            "候补中：有人取消时，按排队先后通知您",
            "On the waiting list: when someone cancels, you are told in the order of joining",
        ),
        SeatOffered => ("有空位了！请在{}前确认，过时让给下一位", "A seat is free for you! Take it by {}, or it goes to the next household"),
        TakeSeat => ("确认这个名额", "Take the seat"),
        OfferLapsed => ("确认时间已过，名额已让给下一位", "The time to take the seat passed; it went to the next household"),
        PassTitle => ("服务凭证", "Service pass"),
        PassCode => ("凭证码", "Pass code"),
        PassOffline => (
            "没有网络也能出示。到场后请志愿者扫这个二维码；扫不了时，把凭证码念给志愿者。",
            "Works without a network. Let the volunteer scan this QR code; if it will not scan, read the pass code aloud.",
        ),
        PassNotOnPhone => ("这台手机上没有这张凭证", "This pass is not on this phone"),
        PassForVolunteer => (
            "这是一碗汤的服务凭证，请志愿者用工作端扫码核验。",
            "This is a 一碗汤 service pass: a volunteer checks it with the work app's scanner.",
        ),
        NextBooking => ("下一个预约", "Next booking"),
        TodayService => ("今日服务", "Today's services"),
        TodayNone => ("今天没有要服务的预约", "No bookings to serve today"),
        EnterPassCode => ("凭证码（如 2XVN-DHKM）", "Pass code (e.g. 2XVN-DHKM)"),
        CheckCode => ("核对凭证", "Check the pass"),
        CodeNotFound => (
            "找不到这个凭证码。请再核对一遍；也可能不是您今天的服务，或预约已取消。",
            "No booking of yours today has this code. Check it again; the booking may also be for another day or cancelled.",
        ),
        ConfirmServed => ("确认已服务", "Confirm served"),
        MarkNoShow => ("记为未到", "Mark as not come"),
        MarkNoShowConfirm => ("确定：没有来", "Yes, they did not come"),
        ScanPass => ("扫码确认", "Scan a pass"),
        MarketSetup => ("集市管理", "Market set-up"),
        MarketSetupHint => (
            "每个时段的名额可以加减（不能少于已约人数），也可以暂停预约；整天取消会通知已预约的居民。",
            "Add or remove seats of a slot (never fewer than are taken) or close it; calling a day off tells everyone booked.",
        ),
        NoComingDays => ("近期没有服务日", "No coming days"),
        CallOffDay => ("取消这天的服务", "Call this day off"),
        CallOffReason => ("取消原因（居民会看到）", "Why (residents will read it)"),
        CallOffBooked => ("将通知已预约的居民，人数：", "Households booked, who will be told:"),
        CallOffConfirm => ("确定取消并通知居民", "Call it off and tell them"),
        SeatsTaken => ("已约", "Taken"),
        Seats => ("名额", "Seats"),
        FewerSeats => ("减少一个名额", "One seat fewer"),
        MoreSeats => ("增加一个名额", "One seat more"),
        CloseSlot => ("暂停", "Close"),
        ReopenSlot => ("恢复", "Reopen"),
        DayCalledOff => ("社区已取消这天的服务", "The community called this day off"),
        OnBehalf => ("代预约", "Book for a household"),
        MarketLedger => ("集市服务（按月）", "Market services by month"),
        Service => ("服务", "Service"),
        Month => ("月份", "Month"),
        Served => ("已服务", "Served"),
        NoShowCount => ("未到", "Not come"),
        CancelledCount => ("已取消", "Cancelled"),
        OnBehalfHousehold => ("为哪一户预约", "For which household"),
        OnBehalfConfirm => ("为这户预约", "Book for this household"),
        NewService => ("新增服务", "Add a service"),
        ServiceWhere => ("在哪里提供", "Where it is given"),
        ServiceName => ("服务名称（如 理发）", "Name (e.g. haircut)"),
        ServiceHow => ("服务方式", "How it is given"),
        ModeAtPlace => ("定点服务", "At a place"),
        ModeAtHome => ("上门服务（上午、下午两个时段）", "At home (morning and afternoon windows)"),
        ServicePlace => ("地点", "Place"),
        WalkInOnly => ("只开放，不用预约（如 共享阅览）", "Open hours only, no booking (e.g. reading room)"),
        Opens => ("开始时间", "Opens"),
        Closes => ("结束时间", "Closes"),
        SlotMinutes => ("每段时长（分钟）", "Minutes per slot"),
        PerVolunteer => ("每位志愿者每段服务几人", "People per volunteer per slot"),
        MonthlyDay => ("每月几号（空着：不固定，按单日开放）", "Day of every month (blank: single days only)"),
        ServiceVolunteers => ("提供服务的志愿者（由他们扫码核验）", "Volunteers who give it (they scan the passes)"),
        NoVolunteersYet => ("本社区还没有志愿者，可以先保存，以后再加", "No volunteers in this community yet; save now, add them later"),
        SaveService => ("保存服务", "Save the service"),
        AddDay => ("加一天", "Add a day"),
        AddDayConfirm => ("开放这一天", "Open this day"),
        OpenHours => ("开放时间", "Open hours"),
        NoBookingNeeded => ("无需预约，开放时间内直接来", "No booking needed: just come during open hours"),
        SetupWaiting => ("等待同步的设置", "Set-up waiting to sync"),
        ScanAim => (
            "把居民手机上的二维码放进框里，离手机一拃远",
            "Hold the resident's QR code inside the frame, a hand's width away",
        ),
        CloseCamera => ("关闭相机", "Turn the camera off"),
        CameraDenied => (
            "没有相机权限。请在浏览器设置里允许本网站使用相机；也可以在下面输入凭证码。",
            "The camera is not allowed. Allow this site to use the camera in the browser's settings, or type the pass code below.",
        ),
        CameraMissing => (
            "这台手机上找不到相机。请在下面输入凭证码。",
            "No camera was found on this phone. Type the pass code below.",
        ),
        CameraFailed => (
            "相机打不开（可能正被别的应用使用）。请关掉别的应用再试，或在下面输入凭证码。",
            "The camera did not open (another app may be using it). Close other apps and try again, or type the pass code below.",
        ),
        PassMalformed => (
            "这不是一碗汤的服务凭证，或没有扫全。请再扫一次，或输入凭证码。",
            "This is not a 一碗汤 pass, or it was not read whole. Scan again, or type the pass code.",
        ),
        PassRetiredKey => (
            "这张凭证的签名钥匙已停用，不能再用。请居民联网打开一碗汤，凭证会自动更新；也可以念凭证码给您输入核对。",
            "The key that signed this pass was retired; it can no longer be used. The resident opens 一碗汤 online to get a renewed pass, or reads out the short code for you to type.",
        ),
        PassUnknownKey => (
            "这台手机还没有这张凭证的签名钥匙。请联网同步后再扫。",
            "This phone does not have the key this pass was signed with. Sync while online, then scan again.",
        ),
        PassForged => (
            "凭证签名不对：这张凭证被改过，或是伪造的。请不要服务，并告诉社区。",
            "The signature does not match: this pass was altered or forged. Do not serve it; tell the community office.",
        ),
        PassExpired => (
            "这张凭证已过期：凭证只在预约当天有效。",
            "This pass has expired: a pass is valid only on the day of its booking.",
        ),
        PassRevoked => (
            "这个预约已经取消，凭证作废。",
            "This booking was cancelled; its pass is void.",
        ),
        PassOtherService => (
            "这张凭证不是您负责的服务项目。",
            "This pass is for a service you do not give.",
        ),
        PassOtherDay => ("不是今天的预约，预约日期：", "Not today's booking. It is for "),
        PassUsed => ("这张凭证已经用过", "This pass has been used"),
        CheckInWorkApp => ("用工作端核对这张凭证", "Check this pass in the work app"),
        ConfirmedUnlisted => (
            "已记下已服务，待同步：联网后服务器会再核对一次。",
            "Marked as served, waiting to sync: the server checks it again once online.",
        ),
        CheckedOffline => (
            "离线核对：按这台手机上次同步的预约，联网后由服务器再核对一次",
            "Checked offline, against the bookings this phone last synced; the server checks again once online",
        ),
        ComingSoonParking => (
            "孝心车位预约即将开放：为来看望您的亲人预约免费停车。",
            "Filial-piety parking is coming soon: book free parking for relatives who visit you.",
        ),
        Online => ("在线", "Online"),
        Offline => ("离线", "Offline"),
        Syncing => ("正在同步…", "Syncing…"),
        AllSynced => ("都已同步", "All synced"),
        SyncNow => ("立即同步", "Sync now"),
        SyncStatus => ("同步状态", "Sync status"),
        LastSync => ("上次同步", "Last synced"),
        NeverSynced => ("还没有同步过", "Not synced yet"),
        PendingActions => ("待同步的操作", "Actions waiting to sync"),
        NoPending => ("没有待同步的操作", "Nothing waiting to sync"),
        FailedActions => ("未成功的操作", "Actions that did not go through"),
        NoFailed => ("没有未成功的操作", "No failed actions"),
        NeedsSignIn => (
            "登录已过期，请重新登录。您的操作都保存在手机上，登录后会自动发送。",
            "Your sign-in has expired. Please sign in again: your actions are kept on this phone and will be sent after you sign in.",
        ),
        SignInAgain => ("重新登录", "Sign in again"),
        SignIn => ("登录", "Sign in"),
        SignInTitle => ("登录一碗汤", "Sign in to Yiwantang"),
        SignInIntro => (
            "用社区登记的手机号登录。",
            "Sign in with the phone number your community registered.",
        ),
        Phone => ("手机号", "Phone number"),
        PhonePlaceholder => ("11位手机号", "11-digit mobile number"),
        Password => ("密码", "Password"),
        SigningIn => ("正在登录…", "Signing in…"),
        SignInNeedsNetwork => (
            "现在没有网络。登录需要联网，请连上网络后再试。",
            "There is no network now. Signing in needs a connection; please try again when online.",
        ),
        SignOut => ("退出登录", "Sign out"),
        SignOutConfirm => ("确定退出", "Sign out"),
        Cancel => ("取消", "Cancel"),
        Hello => ("您好，", "Hello, "),
        RaiseIssue => ("提问题", "Raise an issue"),
        RaiseIssueIntro => (
            "小区里有什么问题？写下来，社区会在双月对话时和物业一起答复、整改。",
            "Something wrong in the compound? Write it down: the community takes it to the bimonthly dialogue with the property company.",
        ),
        MyIssues => ("我的问题", "My issues"),
        CommunityIssues => ("社区问题", "Community issues"),
        NoIssues => ("社区还没有人提问题。", "Nobody in the community has raised an issue yet."),
        NoMyIssues => ("您还没有提过问题。", "You have not raised an issue yet."),
        ElderMode => ("长辈版", "Elder mode"),
        ElderModeHint => ("字更大，按钮更大", "Larger text and buttons"),
        On => ("已开启", "On"),
        Off => ("已关闭", "Off"),
        Language => ("语言", "Language"),
        Title => ("标题", "Title"),
        TitleHint => ("一句话说清楚，例如：5栋楼道灯坏了", "One line, e.g. The stair light in building 5 is broken"),
        Description => ("详细说明", "Description"),
        DescriptionHint => ("什么时候、什么情况、影响了谁", "When, what happened, who is affected"),
        Category => ("类别", "Category"),
        Place => ("地点", "Place"),
        PlaceHint => ("楼栋或单元，例如：5栋2单元", "Building or unit, e.g. Building 5, unit 2"),
        Optional => ("选填", "optional"),
        Required => ("必填", "required"),
        Submit => ("提交", "Submit"),
        SavedOnPhone => ("已保存在手机上", "Saved on this phone"),
        SavedOnPhoneHint => (
            "联网后会自动提交，不用再操作。",
            "It will be submitted automatically when you are online.",
        ),
        StatePending => ("待同步", "Waiting to sync"),
        StateSubmitted => ("已提交", "Submitted"),
        StateFailed => ("未成功", "Not accepted"),
        StatePendingHint => (
            "保存在手机上，还没有发送到社区。联网后自动发送。",
            "Saved on this phone, not yet sent. It is sent automatically when online.",
        ),
        StateSubmittedHint => ("社区已经收到。", "The community has received it."),
        RaisedBy => ("提出人", "Raised by"),
        RaisedAt => ("提出时间", "Raised on"),
        Back => ("返回", "Back"),
        NotFound => ("没有找到这个问题。", "This issue was not found."),
        FixAndResubmit => ("修改后重新提交", "Fix and submit again"),
        Discard => ("不要了，删除", "Discard it"),
        DiscardConfirm => ("确定删除", "Delete"),
        WhatToDo => ("怎么办", "What to do"),
        UpdateAvailable => ("一碗汤有新版本。", "A new version of Yiwantang is ready."),
        UpdateNow => ("现在更新", "Update now"),
        MyCommunity => ("我的社区", "My community"),
        Role => ("身份", "Role"),
        DataSafety => ("数据保护", "Data protection"),
        DataSafetyOn => (
            "已开启：浏览器不会自动清除手机上保存的操作。",
            "On: the browser will not clear the actions saved on this phone.",
        ),
        DataSafetyOff => (
            "未开启：手机空间不足时，浏览器可能清除保存的数据。建议添加到主屏幕。",
            "Off: the browser may clear saved data when space runs low. Adding the app to the home screen helps.",
        ),
        Loading => ("正在加载…", "Loading…"),
        ErrorStorage => (
            "手机存储出了问题，操作没有保存。请重试；如果一直不行，请联系社区。",
            "The phone's storage failed and the action was not saved. Please try again, or contact the community.",
        ),
        Community => ("社区管理", "Community admin"),
        Households => ("住户", "Households"),
        People => ("人员", "People"),
        Invitations => ("邀请", "Invitations"),
        AddHousehold => ("添加住户", "Add a household"),
        Point => ("居民点", "Residential point"),
        Building => ("楼栋", "Building"),
        Unit => ("单元", "Unit"),
        Room => ("门牌号", "Room"),
        Save => ("保存", "Save"),
        NoHouseholds => ("还没有住户。", "No households yet."),
        NoPeople => ("还没有人员。", "Nobody yet."),
        NoInvitations => ("还没有邀请。", "No invitations yet."),
        InviteSomeone => ("邀请新成员", "Invite someone"),
        InviteAs => ("邀请的身份", "Invite as"),
        ChooseHousehold => ("选择住户", "Choose a household"),
        CreateInvitation => ("生成邀请码", "Create an invitation"),
        InvitationCode => ("邀请码", "Invitation code"),
        ScanToJoin => ("请对方用手机扫这个二维码，或者打开一碗汤，点「有邀请码」，输入上面的邀请码。7天内有效，只能用一次。", "Ask them to scan this QR code, or open Yiwantang, tap \"I have a code\" and type the code above. Valid for 7 days, once."),
        ScanToReset => ("请对方用手机扫这个二维码，设置新密码。7天内有效，只能用一次。", "Ask them to scan this QR code to set a new password. Valid for 7 days, once."),
        CodePendingHint => ("这个邀请码还没发送到服务器，联网后才能使用。", "This code has not reached the server yet; it works once you are online."),
        CodeUsed => ("已使用", "Used"),
        CodeExpired => ("已过期", "Expired"),
        CodeValidUntil => ("有效至", "Valid until"),
        Print => ("打印", "Print"),
        ResetPassword => ("重置密码", "Reset password"),
        Deactivate => ("停用", "Deactivate"),
        DeactivateConfirm => ("确定停用", "Confirm"),
        DeactivateHint => ("停用后，这个人的所有登录立即结束。", "Their sign-ins end at once."),
        Deactivated => ("已停用", "Deactivated"),
        RaiseForHousehold => ("代居民提问题", "Raise an issue for a household"),
        HaveCode => ("有邀请码？", "Have an invitation code?"),
        EnterCode => ("输入邀请码", "Enter the code"),
        Next => ("下一步", "Next"),
        JoinTitle => ("加入一碗汤", "Join Yiwantang"),
        JoinInvited => ("您被邀请加入", "You are invited to join"),
        JoinAs => ("身份", "as"),
        PrivacyNotice => ("隐私说明", "Privacy notice"),
        PrivacyAgree => ("我已阅读并同意以上隐私说明", "I have read and agree to the privacy notice above"),
        DisplayName => ("称呼", "Your name"),
        DisplayNameHint => ("例如：王阿姨、李建国", "e.g. Auntie Wang"),
        NewPassword => ("设置密码", "Choose a password"),
        PasswordHint => ("至少8个字符，请记住它", "At least 8 characters; remember it"),
        JoinButton => ("同意并加入", "Agree and join"),
        JoinWithMyAccount => ("用您现在登录的账号加入：", "You join with the account you are signed in to: "),
        TownshipAdmin => ("乡镇管理", "Township admin"),
        Communities => ("各社区", "Communities"),
        AddCommunity => ("新建社区", "Open a community"),
        CommunityName => ("社区名称", "Community name"),
        InviteCommunityStaff => ("邀请社区工作人员", "Invite the community's staff"),
        NoCommunities => ("还没有社区。先新建一个。", "No communities yet. Open the first one."),
        SetupTitle => ("开通乡镇", "Set up your township"),
        SetupIntro => (
            "输入服务器管理员交给您的开通码，为本乡镇建立第一个工作人员账号。开通码只能用一次。",
            "Enter the setup code from whoever runs the server to create your township's first staff account. The code works once.",
        ),
        SetupCode => ("开通码", "Setup code"),
        SetupButton => ("同意并开通", "Agree and set up"),
        SetupAgree => ("我已阅读并同意《隐私说明》", "I have read and agree to the privacy notice"),
        ResetTitle => ("设置新密码", "Set a new password"),
        ResetButton => ("保存新密码", "Save the new password"),
        ServerTrouble => ("服务器出了点问题，请稍后再试。", "The server ran into a problem; please try again later."),
        CodeNeedsNetwork => ("打开邀请需要联网，请连上网络后再试。", "Opening an invitation needs the network; please try again when online."),
        Devices => ("登录设备", "Signed-in devices"),
        ThisDevice => ("这台设备", "This device"),
        EndSession => ("结束登录", "Sign it out"),
        LastUsed => ("最近使用", "Last used"),
        DevicesNeedNetwork => ("查看登录设备需要联网。", "Seeing your devices needs the network."),
        MyData => ("我的数据", "My data"),
        DownloadData => ("下载我的数据", "Download my data"),
        DeleteAccount => ("注销账号", "Delete my account"),
        DeleteAccountHint => ("注销后，您的手机号、称呼和住户信息立即删除；您提过的问题留在社区台账里，不再显示您的名字。请输入密码确认。", "Your phone, name and household are removed at once; your issues stay in the community ledger without your name. Enter your password to confirm."),
        DeleteAccountConfirm => ("确认注销", "Delete for good"),
        AccountDeleted => ("您的账号已注销。", "Your account has been deleted."),
        QueuedHere => ("这部手机上还有未发送的操作，它们会保存在这里。", "Unsent actions stay saved on this phone."),
        PageNotFound => ("没有这个页面。", "This page does not exist."),
        Timeline => ("办理经过", "What happened"),
        StepRaised => ("提出问题", "Raised"),
        StepAccepted => ("立项", "Accepted"),
        StepAnswered => ("物业答复", "Property company's answer"),
        StepRectified => ("整改情况", "Rectification"),
        StepEscalated => ("上报乡里", "Escalated to the township"),
        StepDeclined => ("不予立项", "Declined"),
        StepMerged => ("已合并到另一个问题", "Merged into another issue"),
        Reply => ("答复", "Answer"),
        Plan => ("整改方案", "Plan"),
        PromisedBy => ("承诺完成日期", "Promised by"),
        Round => ("第{}轮", "Round {}"),
        AverageScore => ("平均分", "Average score"),
        ScoresCount => ("评分人数", "People who scored"),
        ScoringOpenUntil => ("评分截止", "Scoring closes"),
        OutcomeClosed => ("评分通过，已办结", "Passed: closed"),
        OutcomeReopened => ("评分未通过，退回重办", "Not passed: sent back for redoing"),
        TownshipAnswer => ("乡里答复", "Township's answer"),
        Deadline => ("期限", "Deadline"),
        AwaitingTownship => ("等待乡里答复", "Waiting for the township"),
        Overdue => ("已逾期", "Overdue"),
        Accept => ("立项", "Accept as a project"),
        AcceptFor => ("放入哪次双月对话", "For which dialogue"),
        NoDialogueYet => ("暂不指定", "Not yet"),
        Merge => ("合并到已有问题", "Merge into an existing issue"),
        MergeInto => ("合并到", "Merge into"),
        Decline => ("不予立项", "Decline"),
        DeclineReason => ("不予立项的理由（居民能看到）", "Reason (the resident reads it)"),
        Escalate => ("上报乡里", "Escalate to the township"),
        EscalateNote => ("上报说明", "What the township should know"),
        AnswerIssue => ("答复", "Answer"),
        StartRectifying => ("开始整改", "Start the work"),
        ReportRectified => ("整改完成，请居民评分", "Work done: ask residents to score"),
        ReportText => ("整改情况", "What was done"),
        AnswerEscalation => ("答复上报", "Answer the escalation"),
        JoinIssue => ("我也遇到", "Me too"),
        Joined => ("您已加入，整改后可以评分", "You joined; you can score the rectification"),
        JoinedCount => ("{}人也遇到", "{} others too"),
        ScoreIt => ("给整改打分", "Score the rectification"),
        ScoreHint => ("1分很不满意，5分很满意。", "1 is very unhappy, 5 very happy."),
        PassMarkHint => ("大家的平均分达到{}分就算办好；低于{}分会退回重办。", "An average of {} or more closes it; below {} sends it back for redoing."),
        ScoringRules => ("评分规则", "Scoring rules"),
        OtherMinutes => ("已移出议程的问题的记录", "Minutes of issues since taken off this agenda"),
        PassAverage => ("办结所需平均分", "Average score needed to close"),
        WindowDays => ("评分天数", "Days to score"),
        RulesHint => ("评分天数对以后开始的评分有效；平均分要求对以后结束的评分有效。", "The days apply to scoring that starts after a change; the average to scoring that ends after it."),
        SaveRules => ("保存规则", "Save the rules"),
        ProjectsToAdd => ("可以列入议程的问题", "Projects to put on the agenda"),
        NoProjectsToAdd => ("已立项的问题都在议程上了", "Every open project is on the agenda"),
        AddToAgenda => ("列入议程", "Put on the agenda"),
        RemoveFromAgenda => ("移出议程", "Take off the agenda"),
        YourScore => ("您的评分", "Your score"),
        ChangeScore => ("评分截止前可以修改", "You can change it until scoring closes"),
        Comment => ("意见（选填）", "Comment (optional)"),
        SubmitScore => ("提交评分", "Submit score"),
        NeedsYourScore => ("等您评分", "Waiting for your score"),
        Similar => ("类似的问题（可以点「我也遇到」，不用重复提）", "Similar issues (tap \"Me too\" instead of raising it again)"),
        Ledger => ("台账", "Ledger"),
        LedgerIntro => ("双月对话的全部记录，不显示姓名、电话和门牌号。", "Every record of the dialogues, without names, phones or rooms."),
        Dialogues => ("双月对话", "Dialogues"),
        FigDialogues => ("双月对话", "Dialogues held"),
        FigRaised => ("提出问题", "Issues raised"),
        FigProjects => ("形成项目", "Projects"),
        FigResolved => ("办结问题", "Resolved"),
        FigAverage => ("平均评分", "Average score"),
        FigEscalated => ("上报乡里", "Escalated"),
        FigOverdue => ("逾期", "Overdue"),
        RateResponse => ("响应率", "Response rate"),
        RateClosure => ("办结率", "Closure rate"),
        RateResolution => ("解决率", "Resolution rate"),
        RateSatisfaction => ("满意率", "Satisfaction rate"),
        From => ("从", "From"),
        To => ("到", "To"),
        AllTime => ("全部", "All time"),
        ArticlePeriod => ("2018年10月至2020年3月", "Oct 2018 – Mar 2020"),
        ThisYear => ("今年", "This year"),
        ChartTitle => ("每次对话：提出与办结", "Per dialogue: raised and resolved"),
        ExportXlsx => ("导出 Excel", "Export Excel"),
        ExportCsv => ("导出 CSV", "Export CSV"),
        WholeTownship => ("全乡", "Whole township"),
        Behind => ("这些问题", "These issues"),
        ScheduleDialogue => ("安排双月对话", "Schedule a dialogue"),
        HeldOn => ("日期", "Date"),
        PlaceOfDialogue => ("地点", "Place"),
        Attendees => ("参加人员", "Who attends"),
        Agenda => ("议程", "Agenda"),
        Minutes => ("会议记录", "Minutes"),
        RecordMinutes => ("保存记录", "Save the minutes"),
        NextDialogueDue => ("该安排下一次双月对话了（每两个月一次）。", "The next dialogue is due (every two months)."),
        NoDialogues => ("还没有双月对话。", "No dialogues yet."),
        Upcoming => ("即将召开", "Upcoming"),
        Held => ("已召开", "Held"),
        Send => ("提交", "Submit"),
        AddPhoto => ("加照片（最多3张）", "Add a photo (up to 3)"),
        Photos => ("照片", "Photos"),
        PhotoTooBig => ("照片处理失败，请换一张再试", "The photo could not be used; please try another"),
        ProcessingPhoto => ("正在处理照片…", "Preparing the photo…"),
        ViewLedger => ("查看台账", "See the ledger"),
    };
    lang.pick(zh, en)
}

/// Month names in English dates.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "14天" / "14 days".
pub fn days_count(lang: Lang, count: i64) -> String {
    match lang {
        Lang::Zh => format!("{count}天"),
        Lang::En if count == 1 => "1 day".to_string(),
        Lang::En => format!("{count} days"),
    }
}

/// "标签：值" / "Label: value".
pub fn labelled(lang: Lang, label: K, value: &str) -> String {
    match lang {
        Lang::Zh => format!("{}：{value}", text(lang, label)),
        Lang::En => format!("{}: {value}", text(lang, label)),
    }
}

/// "3条待同步" / "3 waiting to sync".
/// An action the phone could not save, and what to do.
pub fn not_saved(lang: Lang, label: &str) -> String {
    match lang {
        Lang::Zh => format!("「{label}」没有保存到手机上：手机存储出了问题。您填写的内容还在，请再试一次。"),
        Lang::En => format!("\u{201c}{label}\u{201d} was not saved on this phone: its storage failed. What you wrote is still here; please try again."),
    }
}

pub fn pending_count(lang: Lang, count: usize) -> String {
    match lang {
        Lang::Zh => format!("{count}条待同步"),
        Lang::En if count == 1 => "1 waiting to sync".to_string(),
        Lang::En => format!("{count} waiting to sync"),
    }
}

/// The warning before signing out with actions still waiting.
pub fn sign_out_warning(lang: Lang, count: usize) -> String {
    match lang {
        Lang::Zh => format!("还有{count}条操作没有发送。退出后它们仍保存在这部手机上，下次登录后会自动发送。"),
        Lang::En => format!("{count} actions have not been sent yet. They stay on this phone and are sent when you sign in again."),
    }
}

/// "3条有新进展" / "3 updates".
pub fn updates_count(lang: Lang, count: usize) -> String {
    match lang {
        Lang::Zh => format!("{count}条有新进展"),
        Lang::En if count == 1 => "1 update".to_string(),
        Lang::En => format!("{count} updates"),
    }
}

/// "2条未成功" / "2 not accepted".
pub fn failed_count(lang: Lang, count: usize) -> String {
    match lang {
        Lang::Zh => format!("{count}条未成功"),
        Lang::En => format!("{count} not accepted"),
    }
}

/// "还能写12个字" / "12 characters left"; negative when over.
pub fn chars_left(lang: Lang, left: i64) -> String {
    match (lang, left >= 0) {
        (Lang::Zh, true) => format!("还能写{left}个字"),
        (Lang::Zh, false) => format!("超出{}个字", -left),
        (Lang::En, true) => format!("{left} characters left"),
        (Lang::En, false) => format!("{} characters too many", -left),
    }
}

/// A calendar day: 12月5日 (this year), 2027年1月3日, 5 Dec 2026.
pub fn date(
    lang: Lang,
    time: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    use chrono::{Datelike, FixedOffset};
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let local = time.with_timezone(&china);
    match lang {
        Lang::Zh if local.year() == now.with_timezone(&china).year() => {
            format!("{}月{}日", local.month(), local.day())
        }
        Lang::Zh => format!("{}年{}月{}日", local.year(), local.month(), local.day()),
        Lang::En => {
            format!(
                "{} {} {}",
                local.day(),
                MONTHS[local.month0() as usize],
                local.year()
            )
        }
    }
}

/// A time shown the way people say it: 刚刚, 5分钟前, 今天 14:05, 11月3日.
pub fn when(
    lang: Lang,
    time: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    use chrono::{Datelike, FixedOffset, Timelike};
    // People read times in Beijing time.
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let local = time.with_timezone(&china);
    let today = now.with_timezone(&china);
    let minutes = (now - time).num_minutes();
    match lang {
        Lang::Zh if minutes < 1 => "刚刚".into(),
        Lang::En if minutes < 1 => "just now".into(),
        Lang::Zh if minutes < 60 => format!("{minutes}分钟前"),
        Lang::En if minutes < 60 => format!("{minutes} min ago"),
        Lang::Zh if local.date_naive() == today.date_naive() => {
            format!("今天 {:02}:{:02}", local.hour(), local.minute())
        }
        Lang::En if local.date_naive() == today.date_naive() => {
            format!("today {:02}:{:02}", local.hour(), local.minute())
        }
        Lang::Zh if local.year() == today.year() => format!("{}月{}日", local.month(), local.day()),
        Lang::Zh => format!("{}年{}月{}日", local.year(), local.month(), local.day()),
        Lang::En => {
            // Written out by hand: chrono's formatter costs 10 KB of Wasm.
            format!(
                "{} {} {}",
                local.day(),
                MONTHS[local.month0() as usize],
                local.year()
            )
        }
    }
}

/// A text with one number in it: `K::Round` with 2 → 第2轮 / Round 2.
pub fn with_number(lang: Lang, key: K, number: impl std::fmt::Display) -> String {
    text(lang, key).replace("{}", &number.to_string())
}

/// A rate as a percentage: 92%.
/// "2026年12月" / "Dec 2026".
pub fn month(lang: Lang, first_day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    match lang {
        Lang::Zh => format!("{}年{}月", first_day.year(), first_day.month()),
        Lang::En => first_day.format("%b %Y").to_string(),
    }
}

pub fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{}%", (r * 100.0).round() as i64))
        .unwrap_or_else(|| "—".to_string())
}

/// A number with one decimal (an average score: 3.9), by integer arithmetic: the Wasm then
/// carries no float formatting.
pub fn one_decimal(value: f64) -> String {
    let tenths = (value * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths.abs() / 10, tenths.abs() % 10)
}

/// A pass mark, kept in halves: 3 or 3.5.
pub fn halves(value: f64) -> String {
    let halves = (value * 2.0).round() as i64;
    if halves % 2 == 0 {
        (halves / 2).to_string()
    } else {
        format!("{}.5", halves / 2)
    }
}

/// An average or "—".
pub fn average(value: Option<f64>) -> String {
    value.map(one_decimal).unwrap_or_else(|| "—".to_string())
}
