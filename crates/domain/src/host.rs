//! Where the page is open, read from the browser's user agent: the in-app browsers that
//! community news travels through (WeChat groups first, then QQ, Alipay, Douyin…), and
//! whether the phone is an iPhone or iPad (every browser there is WebKit; inside an app it
//! is a WKWebView with no service worker, so nothing can open offline or be installed).
//!
//! The apps use it to show, once, how to open the page in the phone's own browser and add it
//! to the home screen, and to say honestly under 我的 what the host may clear. Nothing is
//! ever refused because of it: everything but opening offline works inside these apps.

use crate::Lang;

/// An app whose built-in browser opened the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InApp {
    WeChat,
    WeCom,
    Qq,
    Alipay,
    Douyin,
    DingTalk,
    Weibo,
    Xiaohongshu,
    Baidu,
}

impl InApp {
    /// The app's name as people call it.
    pub fn name(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            InApp::WeChat => ("微信", "WeChat"),
            InApp::WeCom => ("企业微信", "WeCom"),
            InApp::Qq => ("QQ", "QQ"),
            InApp::Alipay => ("支付宝", "Alipay"),
            InApp::Douyin => ("抖音", "Douyin"),
            InApp::DingTalk => ("钉钉", "DingTalk"),
            InApp::Weibo => ("微博", "Weibo"),
            InApp::Xiaohongshu => ("小红书", "Xiaohongshu"),
            InApp::Baidu => ("百度", "Baidu"),
        };
        lang.pick(zh, en)
    }
}

/// What the user agent tells about where the page runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Host {
    /// The app whose built-in browser this is, if any.
    pub in_app: Option<InApp>,
    /// An iPhone or iPad: WebKit, whatever the browser's name.
    pub ios: bool,
    /// The WebKit engine: every iPhone browser, Safari, WebKitGTK (not Chromium's fork).
    pub webkit: bool,
}

/// Markers in the user agent, most specific first (WeCom's agent also says MicroMessenger;
/// QQ's in-app browser says ` QQ/` where the QQ Browser app says `MQQBrowser`).
const MARKERS: [(&str, InApp); 10] = [
    ("wxwork", InApp::WeCom),
    ("micromessenger", InApp::WeChat),
    (" qq/", InApp::Qq),
    ("alipayclient", InApp::Alipay),
    ("aweme", InApp::Douyin),
    ("bytedancewebview", InApp::Douyin),
    ("dingtalk", InApp::DingTalk),
    ("weibo", InApp::Weibo),
    ("xhsdiscover", InApp::Xiaohongshu),
    // Also Baidu's mini programs (`swan-baiduboxapp`).
    ("baiduboxapp", InApp::Baidu),
];

/// Reads a user agent.
pub fn read(user_agent: &str) -> Host {
    let agent = user_agent.to_ascii_lowercase();
    let in_app = MARKERS
        .iter()
        .find(|(marker, _)| agent.contains(marker))
        .map(|(_, app)| *app);
    // iPadOS asks for desktop pages as a Mac; those are told apart by touch, not here.
    let ios = ["iphone", "ipad", "ipod"].iter().any(|d| agent.contains(d));
    let blink = ["chrome/", "chromium/", "android"]
        .iter()
        .any(|b| agent.contains(b));
    let webkit = ios || (agent.contains("applewebkit") && !blink);
    Host {
        in_app,
        ios,
        webkit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_agents_of_the_apps_news_travels_through() {
        let cases: [(&str, Option<InApp>, bool); 12] = [
            // WeChat on iPhone (WKWebView) and on Android (XWEB, Chromium-based).
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x1800312b) NetType/WIFI Language/zh_CN", Some(InApp::WeChat), true),
            ("Mozilla/5.0 (Linux; Android 13; V2154A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2568 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64", Some(InApp::WeChat), false),
            // WeCom says MicroMessenger too.
            ("Mozilla/5.0 (Linux; Android 12; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/98.0 Mobile Safari/537.36 wxwork/4.1.10 MicroMessenger/7.0.1 NetType/WIFI Language/zh", Some(InApp::WeCom), false),
            // QQ's in-app browser, and the QQ Browser app (a full browser).
            ("Mozilla/5.0 (Linux; Android 12; PEHM00) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0 MQQBrowser/6.2 TBS/046011 Mobile Safari/537.36 V1_AND_SQ_8.9.0_3300_YYB_D QQ/8.9.0.9945 NetType/WIFI", Some(InApp::Qq), false),
            ("Mozilla/5.0 (Linux; U; Android 12; zh-cn; PEHM00) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0 MQQBrowser/13.4 Mobile Safari/537.36", None, false),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 ChannelId(3) Nebula PSDType(1) AlipayDefined(nt:WIFI,ws:390|844|3.0) AliApp(AP/10.5.36.6000) AlipayClient/10.5.36.6000 Language/zh-Hans", Some(InApp::Alipay), true),
            ("Mozilla/5.0 (Linux; Android 13; 22081212C) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/110.0 Mobile Safari/537.36 aweme_270400 JsSdk/1.0 NetType/WIFI Channel/xiaomi_1128_64 app_version/27.4.0 ByteLocale/zh-CN Region/CN AppTheme/light BytedanceWebview/d8a21c6", Some(InApp::Douyin), false),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/7.0.30) com.laiwang.DingTalk/28419395 Channel/201200 language/zh-Hans-CN", Some(InApp::DingTalk), true),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Weibo (iPhone14,5__weibo__13.9.1__iphone__os17.0)", Some(InApp::Weibo), true),
            // Safari and Chrome themselves, and a desktop browser.
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", None, true),
            ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", None, false),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36", None, false),
        ];
        for (agent, in_app, ios) in cases {
            let host = read(agent);
            assert_eq!((host.in_app, host.ios), (in_app, ios), "{agent}");
            // On an iPhone every browser is WebKit; elsewhere these are all Chromium's.
            assert_eq!(host.webkit, ios, "{agent}");
        }
        let gtk = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15";
        assert!(read(gtk).webkit);
        let chrome_on_iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1";
        assert!(read(chrome_on_iphone).webkit);
        assert_eq!(read(""), Host::default());
    }

    #[test]
    fn names_the_app_in_the_persons_language() {
        assert_eq!(InApp::WeChat.name(Lang::Zh), "微信");
        assert_eq!(InApp::Alipay.name(Lang::En), "Alipay");
    }
}
