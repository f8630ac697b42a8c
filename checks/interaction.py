"""Checks of clause 6.4, customer interaction.

6.4.1 safeguards when customers enter data (policies, consent, password help, prompts),
6.4.2 order information kept in a printable form, 6.4.3 contact channels (toll-free hotline,
e-mail, online chat, social media), 6.4.4 notices of changes and recalls, 6.4.5 public reviews.

The small helpers at the top (`attribute_text`, `context_text`, ...) are shared with
checks/data_service.py, which judges the account-side items of 6.5.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

import lxml.html
from b2cect.crawler.bundle import Bundle, Page

from .facts import fact_evidence, fact_problem, usable_fact
from .registry import check
from .text import Hit, element_text, evidence, find, is_hidden, links, normalise, searched, terms
from .verdict import Evidence, Verdict, failed, passed, review

# --- shared helpers ------------------------------------------------------------------------


def is_label_only(hit: Hit, slack: int = 8) -> bool:
    """True when the matched block is little more than the keyword (a link or heading label)."""
    return len(hit.text) <= len(hit.match) + slack


def attribute_text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.get(a) or "" for a in ("id", "class", "name", "title", "aria-label"))


def visible_elements(page: Page, *tags: str) -> Iterable[lxml.html.HtmlElement]:
    for tag in tags:
        for el in page.tree.iter(tag):
            if not is_hidden(el):
                yield el


# --- 6.4.1.a privacy and security policies ---------------------------------------------------

PRIVACY_POLICY = terms(
    "隐私政策",
    "隐私声明",
    "隐私权政策",
    "隐私保护",
    "隐私条款",
    "个人信息保护",
    "privacy policy",
    "privacy notice",
    "privacy statement",
    "privacy",
)
SECURITY_POLICY = terms(
    "安全政策",
    "安全声明",
    "安全保障",
    "安全措施",
    "信息安全",
    "数据安全",
    "安全技术",
    "加密",
    "SSL",
    "TLS",
    "HTTPS",
    "security policy",
    "security measures",
    "security statement",
    "data security",
    "information security",
    r"re:encrypt\w*",
    r"re:secure\s+(?:socket|technolog)",
)
# Pages where a store states its policies, and the data-entry pages it may state them on.
POLICY_KINDS = (
    "privacy",
    "terms",
    "help",
    "info",
    "about",
    "payment_help",
    "register",
    "login",
    "checkout",
)
MIN_POLICY_CHARS = 200  # fewer visible characters than this is a stub, not a policy


@check("6.4.1.a")
def privacy_and_security_policies(bundle: Bundle) -> Verdict:
    """A privacy policy and a security policy that govern the data customers enter."""
    policy_pages = [
        p for p in bundle.pages("privacy") if len(element_text(p.tree)) >= MIN_POLICY_CHARS
    ]
    if not policy_pages:
        link = find(bundle.pages(), PRIVACY_POLICY, limit=1)
        if link:
            return review(
                "A privacy policy is linked but its page was not reached or is a stub.",
                link[0].evidence("privacy policy link"),
            )
        return failed(
            "No privacy policy was found on any page.",
            searched(bundle.pages(), "privacy policy (隐私政策 / privacy policy)"),
        )
    policy_ev = evidence(policy_pages[0], note="privacy policy page")
    security = [
        h
        for h in find(bundle.pages(*POLICY_KINDS), SECURITY_POLICY, limit=0)
        if not is_label_only(h)
    ]
    if not security:
        labels = find(bundle.pages(), SECURITY_POLICY, limit=1)
        if labels:
            return review(
                "A privacy policy is present; a security policy is only linked, its "
                "text was not reached.",
                [policy_ev, labels[0].evidence("security link")],
            )
        return failed(
            "A privacy policy is present but no security policy or security measures "
            "(encryption, protection of entered data) are stated.",
            [policy_ev, *searched(bundle.pages(*POLICY_KINDS), "security policy")],
        )
    return passed(
        "A privacy policy and a statement of security measures are published; whether "
        "the language is plain is for the auditor to confirm.",
        [policy_ev, security[0].evidence("security statement")],
    )


# --- 6.4.1.b informed consent to the use of personal data ------------------------------------

# Optional uses beyond the order itself: sharing and marketing. A box for these must start empty.
SHARING_OR_MARKETING = terms(
    "第三方",
    "共享",
    "合作伙伴",
    "关联公司",
    "营销",
    "推广",
    "推送",
    "广告",
    "促销",
    "订阅",
    "优惠信息",
    "个性化推荐",
    "third party",
    "third parties",
    "share",
    "sharing",
    "partners",
    "marketing",
    "newsletter",
    "newsletters",
    "promotional",
    "promotions",
    "offers",
    "advertising",
    "personalised",
    "personalized",
    "subscribe",
)
PERSONAL_DATA_USE = terms(
    "个人信息",
    "个人资料",
    "隐私",
    "数据",
    "授权",
    "privacy",
    "personal data",
    "personal information",
    "data",
)
CONSENT_BY_NOTICE = terms(
    "注册即表示",
    "注册即同意",
    "注册即视为",
    "提交即表示",
    "即表示您同意",
    "即视为同意",
    "by registering",
    "by creating an account",
    "by signing up",
    "by continuing you agree",
    "by placing",
    "you agree to",
)


@dataclass(frozen=True)
class ConsentBox:
    label: str
    default_checked: bool
    required: bool
    evidence: Evidence

    @property
    def optional_use(self) -> bool:
        return bool(SHARING_OR_MARKETING.search(self.label)) and not self.required

    @property
    def about_personal_data(self) -> bool:
        return bool(SHARING_OR_MARKETING.search(self.label) or PERSONAL_DATA_USE.search(self.label))


def checkbox_label(page: Page, box: lxml.html.HtmlElement) -> str:
    """What a customer reads next to a checkbox: its <label>, the words after it, or its row."""
    for ancestor in box.iterancestors("label"):
        return element_text(ancestor)
    ident = box.get("id")
    if ident:
        for label in page.tree.iter("label"):
            if label.get("for") == ident:
                return element_text(label)
    if box.tail and box.tail.strip():
        return normalise(box.tail)
    parent = box.getparent()
    text = element_text(parent) if parent is not None else ""
    return text or box.get("aria-label") or box.get("title") or box.get("name") or ""


def consent_boxes(bundle: Bundle) -> list[ConsentBox]:
    """Checkboxes about personal data on registration and checkout pages, from probe and DOM."""
    boxes: list[ConsentBox] = []
    registration = usable_fact(bundle, "registration")
    for row in (registration or {}).get("consent_boxes") or []:
        label = str(row.get("label") or "")
        boxes.append(
            ConsentBox(
                label,
                bool(row.get("default_checked")),
                bool(row.get("required")),
                fact_evidence(bundle, registration, "consent box (probe)", label),
            )
        )
    seen = {normalise(b.label) for b in boxes}
    for page in bundle.pages("register", "checkout", "checkout_review"):
        for box in visible_elements(page, "input"):
            if (box.get("type") or "").lower() != "checkbox":
                continue
            label = checkbox_label(page, box)
            if normalise(label) in seen:
                continue
            seen.add(normalise(label))
            boxes.append(
                ConsentBox(
                    label,
                    default_checked=box.get("data-b2cect-default-checked") == "1",
                    required=box.get("required") is not None or box.get("aria-required") == "true",
                    evidence=evidence(page, box, "consent box", text=label),
                )
            )
    return [b for b in boxes if b.about_personal_data]


@check("6.4.1.b")
def informed_consent(bundle: Bundle) -> Verdict:
    """The customer, informed of the use, decides whether personal data may be used or shared."""
    entry_pages = bundle.pages("register", "checkout", "checkout_review")
    if not entry_pages and usable_fact(bundle, "registration") is None:
        return review(
            "Not judged: neither a registration nor a checkout page was reached "
            f"({bundle.why_not_reached('register')})."
        )
    boxes = consent_boxes(bundle)
    pre_ticked_optional = [b for b in boxes if b.default_checked and b.optional_use]
    if pre_ticked_optional:
        return failed(
            "A box agreeing to optional sharing or marketing use of personal data is "
            "ticked before the customer chooses.",
            [b.evidence for b in pre_ticked_optional],
        )
    pre_ticked = [b for b in boxes if b.default_checked]
    if pre_ticked:
        return review(
            "A consent box about personal data comes pre-ticked; the auditor decides "
            "whether the customer still makes an informed choice.",
            [b.evidence for b in pre_ticked],
        )
    if boxes:
        return passed(
            "Consent to the stated use of personal data is asked with boxes the "
            "customer ticks; none comes pre-ticked.",
            [b.evidence for b in boxes[:4]],
        )
    notice = [
        h
        for h in find(entry_pages, CONSENT_BY_NOTICE, limit=0)
        if PRIVACY_POLICY.search(h.text) or PERSONAL_DATA_USE.search(h.text)
    ]
    if notice:
        return review(
            "Consent is taken by a notice (continuing means agreeing), not by a control "
            "the customer sets; the auditor decides whether this is an informed choice.",
            notice[0].evidence("consent by notice"),
        )
    return failed(
        "No consent control or notice about the use of personal data was found on the "
        "registration or checkout pages.",
        searched(entry_pages, "consent box about personal data / privacy"),
    )


# --- 6.4.1.c user name and password rules, recovery, strength aid ----------------------------

PASSWORD_RULES = terms(
    r"re:\d+\s*[-~～至到]\s*\d+\s*(?:位|个字符|字符|characters?|chars)",
    r"re:(?:至少|不少于|最少|不低于|最短)\s*\d+\s*(?:位|个字符|字符)",
    r"re:(?:at\s+least|minimum(?:\s+of)?|min\.?)\s+\d+\s+(?:characters?|chars)",
    r"re:(?:字母|英文).{0,8}(?:数字)|数字.{0,8}(?:字母|英文)",
    r"re:(?:letters?).{0,30}(?:numbers?|digits?)|(?:numbers?|digits?).{0,30}letters?",
)
PASSWORD_RECOVERY = terms(
    "忘记密码",
    "找回密码",
    "重置密码",
    "忘记登录密码",
    "密码找回",
    "forgot password",
    "forgot your password",
    "forgotten password",
    "reset password",
    "reset your password",
    "re:forgot\\s*password",
)
STRENGTH_AID = terms("密码强度", "强度：", "强度:", "password strength", "strength")
STRENGTH_MARKUP = re.compile(r"strength|pwd-?level|password-?meter|pass-?meter|密码强度", re.I)


def strength_aid(bundle: Bundle, register_pages: list[Page]) -> tuple[bool | None, list[Evidence]]:
    """(present?, evidence). None when neither the probe nor the saved page could tell."""
    registration = usable_fact(bundle, "registration")
    if registration and (
        registration.get("strength_meter") or registration.get("strength_feedback")
    ):
        shown = "; ".join(map(str, registration.get("strength_feedback") or []))
        return True, [fact_evidence(bundle, registration, "password strength aid (probe)", shown)]
    for page in register_pages:
        for el in visible_elements(page, "meter", "progress", "div", "span", "p", "ul"):
            if el.tag in ("meter", "progress") or STRENGTH_MARKUP.search(attribute_text(el)):
                return True, [evidence(page, el, "password strength aid")]
    hits = find(register_pages, STRENGTH_AID, limit=1)
    if hits:
        return True, [hits[0].evidence("password strength aid")]
    return (False if registration else None), []


@check("6.4.1.c")
def password_rules_recovery_strength(bundle: Bundle) -> Verdict:
    """Stated user name/password rules, a recovery channel and help judging password strength."""
    register_pages = bundle.pages("register")
    registration = usable_fact(bundle, "registration")
    found: list[Evidence] = []
    missing: list[str] = []
    unknown: list[str] = []

    rules_text = str((registration or {}).get("password_rules_text") or "")
    rule_hits = find(register_pages, PASSWORD_RULES, limit=1)
    if rules_text and PASSWORD_RULES.search(rules_text):
        found.append(fact_evidence(bundle, registration, "password rules (probe)", rules_text))
    elif rule_hits:
        found.append(rule_hits[0].evidence("password rules"))
    else:
        missing.append("password rules (length, characters)")

    recovery = find(bundle.pages("login", "register"), PASSWORD_RECOVERY, limit=1)
    reset_fact = usable_fact(bundle, "password_reset")
    if recovery:
        found.append(recovery[0].evidence("password recovery"))
    elif bundle.pages("password_reset"):
        found.append(evidence(bundle.pages("password_reset")[0], note="password recovery page"))
    elif reset_fact and reset_fact.get("found"):
        found.append(fact_evidence(bundle, reset_fact, "password recovery (probe)"))
    else:
        missing.append("password recovery (忘记密码 / forgot password)")

    present, strength_ev = strength_aid(bundle, register_pages)
    found += strength_ev
    if present is False:
        missing.append("password strength aid")
    elif present is None:
        unknown.append(
            f"password strength aid ({fact_problem(bundle, 'registration')}; a meter "
            "usually shows only while typing)"
        )

    if missing:
        return failed(
            "Missing at registration/login: " + "; ".join(missing) + ".",
            found + searched(register_pages, "; ".join(missing)),
        )
    if unknown:
        return review("Found rules and recovery; not observed: " + "; ".join(unknown) + ".", found)
    return passed("Password rules, a recovery channel and a strength aid are offered.", found)


# --- 6.4.1.d prompt when entries differ from usual details (manual) ---------------------------

ENTRY_PROMPT = terms(
    "常用地址",
    "常用信息",
    "与常用",
    "请确认",
    "是否使用",
    "您是不是要找",
    "建议",
    "usual address",
    "saved address",
    "did you mean",
    "please confirm",
    "suggested",
)


@check("6.4.1.d")
def prompt_on_unusual_entry(bundle: Bundle) -> Verdict:
    """Manual: whether the store prompts when an entry differs from the customer's usual data."""
    shown: list[Evidence] = []
    hints = find(bundle.pages("checkout", "checkout_review", "addresses"), ENTRY_PROMPT, limit=3)
    shown += [h.evidence("possible entry prompt") for h in hints]
    validation = usable_fact(bundle, "checkout_validation")
    if validation and validation.get("messages"):
        shown.append(
            fact_evidence(
                bundle,
                validation,
                "checkout validation messages",
                "; ".join(map(str, validation["messages"])),
            )
        )
    seen = "possible prompts shown on the checkout pages" if shown else "no such prompt was seen"
    return review(
        f"Manual item: an auditor enters details that differ from the account's usual "
        f"ones at checkout and watches for a prompt; {seen}.",
        shown,
    )


# --- 6.4.2 order information kept, saveable and printable ------------------------------------

PRINT_CONTROL = terms("打印", "打印订单", "打印本页", "print", "print order", "printable")
SAVE_CONTROL = terms(
    "下载", "导出", "下载订单", "保存为PDF", "PDF", "download", "export", "save as PDF"
)


def print_or_save_controls(pages: list[Page]) -> list[Evidence]:
    """Visible print/download controls, including buttons that call window.print()."""
    found: list[Evidence] = []
    for page in pages:
        for el in visible_elements(page, "a", "button", "input"):
            label = (
                element_text(el) or el.get("value") or el.get("title") or el.get("aria-label") or ""
            )
            script = (el.get("onclick") or "") + (el.get("href") or "")
            if PRINT_CONTROL.search(label) or SAVE_CONTROL.search(label) or "print(" in script:
                found.append(evidence(page, el, "print / save control", text=label or script))
    return found


@check("6.4.2")
def order_information_printable(bundle: Bundle) -> Verdict:
    """The placed order's details stay available in a form easy to save and print."""
    detail_pages = bundle.pages("order_detail")
    shown = [evidence(detail_pages[0], note="order detail kept in the account")]
    view = (usable_fact(bundle, "print_view") or {}).get("order") or {}
    if view.get("found"):
        return passed(
            f"The order detail can be printed (via {view.get('via') or 'print view'}).",
            shown + [fact_evidence(bundle, view, "order print view (probe)")],
        )
    if bundle.pages("order_print"):
        return passed(
            "A printable order page is offered.",
            shown + [evidence(bundle.pages("order_print")[0], note="printable order")],
        )
    controls = print_or_save_controls(detail_pages)
    if controls:
        return passed(
            "The order detail page offers a print or download control.", shown + controls[:2]
        )
    if not view:
        why = fact_problem(bundle, "print_view") or "no order print view observed"
        return review(
            "No print or download control is visible on the order detail page and the "
            f"print probe gave nothing ({why}); the page may still print well.",
            shown,
        )
    return failed(
        "The order detail offers no print view, printable page or download.",
        searched(detail_pages, "打印 / 下载 / print / download"),
    )


# --- 6.4.3 contact channels -------------------------------------------------------------------

# Chinese 400/800 service numbers (10 digits) and North American toll-free prefixes.
TOLL_FREE_NUMBER = re.compile(
    r"(?<![\d-])(?:[48]00[-\s]?\d{3,4}[-\s]?\d{3,4}"
    r"|(?:\+?1[-\s.]?)?\(?8(?:00|33|44|55|66|77|88)\)?[-\s.]?\d{3}[-\s.]?\d{4})(?!\d)"
)
TOLL_FREE_WORDS = terms(
    "免费热线",
    "免费电话",
    "免费服务热线",
    "免费咨询",
    "全国免费",
    "免长途费",
    "toll-free",
    "toll free",
    "tollfree",
    "freephone",
    "free phone",
    "free call",
)
PHONE_NUMBER = re.compile(
    r"(?<!\d)(?:1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}|\(?0\d{2,3}\)?[-\s]?\d{7,8}"
    r"|\+?\d{1,3}[-\s]\d{3,4}[-\s]\d{3,4}(?:[-\s]\d{3,4})?|\d{3}[-\s]\d{3,4}[-\s]\d{4})(?!\d)"
)
PHONE_CONTEXT = terms(
    "电话",
    "热线",
    "客服",
    "服务",
    "咨询",
    "联系",
    "tel",
    "phone",
    "hotline",
    "call",
    "contact",
    "customer service",
)
PHONE_PATTERN = terms("re:" + TOLL_FREE_NUMBER.pattern, "re:" + PHONE_NUMBER.pattern)


NEAR_CHARS = 80  # an ancestor longer than this is a page region, not the label beside a value


def context_text(hit: Hit, levels: int = 2) -> str:
    """The hit's text widened to its nearest short ancestors and its next sibling.

    A label and its value often sit in neighbouring elements ("<dt>热线</dt><dd>400…</dd>",
    a heading followed by its paragraph), but a whole footer or page body is no context.
    """
    text = hit.text
    node = hit.element
    for _ in range(levels):
        parent = node.getparent()
        if parent is None or len(element_text(parent)) > NEAR_CHARS:
            break
        node = parent
        text = element_text(node)
    following = node.getnext()
    if following is not None and isinstance(following.tag, str):
        text += " " + element_text(following)
    return text


def is_toll_free(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    if digits[:3] in ("400", "800") and len(digits) == 10:
        return True
    return len(digits) in (10, 11) and digits[-10:-7] in (
        "800",
        "833",
        "844",
        "855",
        "866",
        "877",
        "888",
    )


@check("6.4.3.a")
def toll_free_hotline(bundle: Bundle) -> Verdict:
    """A toll-free hotline (400/800 or a number labelled toll-free)."""
    pages = bundle.pages()
    for page in pages:
        for text, href, el in links(page):
            if href.lower().startswith("tel:") and is_toll_free(href[4:]):
                return passed(
                    "A toll-free hotline is linked.",
                    evidence(page, el, "tel: link", text=text or href),
                )
    plain: list[Hit] = []
    for hit in find(pages, PHONE_PATTERN, limit=0):
        around = context_text(hit)
        numbers = [m.group(0) for m in TOLL_FREE_NUMBER.finditer(hit.text)]
        if any(is_toll_free(n) for n in numbers) and PHONE_CONTEXT.search(around):
            return passed("A toll-free service number is shown.", hit.evidence("toll-free number"))
        if TOLL_FREE_WORDS.search(around):
            return passed(
                "A phone number labelled toll-free is shown.",
                hit.evidence("number labelled toll-free"),
            )
        plain.append(hit)
    if plain:
        return failed(
            "Only ordinary phone numbers are shown; none is a toll-free (400/800) line.",
            [h.evidence("ordinary number, not toll-free") for h in plain[:3]],
        )
    words = find(pages, TOLL_FREE_WORDS, limit=1)
    if words:
        return review(
            "A toll-free line is mentioned but no number was found.",
            words[0].evidence("toll-free mentioned"),
        )
    return failed(
        "No toll-free hotline was found on any page.",
        searched(pages, "400/800 number or 免费热线 / toll-free"),
    )


EMAIL_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.([A-Za-z]{2,})")
NOT_EMAIL_ENDINGS = {"png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js"}  # logo@2x.png
EMAIL_PATTERN = terms("re:" + EMAIL_ADDRESS.pattern)


@check("6.4.3.b")
def email_contact(bundle: Bundle) -> Verdict:
    """An e-mail address customers can write to."""
    pages = bundle.pages()
    for page in pages:
        for text, href, el in links(page):
            address = href[7:].split("?")[0] if href.lower().startswith("mailto:") else ""
            if EMAIL_ADDRESS.fullmatch(address):
                return passed(
                    "An e-mail contact link is offered.",
                    evidence(page, el, "mailto link", text=f"{text} <{address}>"),
                )
    for hit in find(pages, EMAIL_PATTERN, limit=0):
        m = EMAIL_ADDRESS.search(hit.match)
        if m and m.group(1).lower() not in NOT_EMAIL_ENDINGS:
            return passed("An e-mail address is shown.", hit.evidence("e-mail address"))
    return failed(
        "No e-mail address or mailto link was found on any page.",
        searched(pages, "e-mail address / mailto link"),
    )


CHAT_WORDS = terms(
    "在线客服",
    "在线咨询",
    "客服咨询",
    "咨询客服",
    "在线聊天",
    "在线沟通",
    "即时通讯",
    "智能客服",
    "微信客服",
    "QQ客服",
    "客服QQ",
    "QQ咨询",
    "阿里旺旺",
    "旺旺咨询",
    "live chat",
    "chat",
    "chat now",
    "chat with us",
    "online chat",
    "message us",
    "online support",
    r"re:QQ\s*[:：]\s*\d{5,12}",
)
CHAT_MARKUP = re.compile(
    r"live-?chat|chat-?(?:widget|button|box|entry|launcher|bubble)|\bchat\b|"
    r"meiqia|udesk|qiyu|sobot|53kf|tawk|intercom|zendesk|crisp|livechat",
    re.I,
)
CONTROL_TEXT_MAX = 40  # a chat entry is a short label, not a sentence in a product description


@check("6.4.3.c")
def online_chat(bundle: Bundle) -> Verdict:
    """An online instant-messaging channel (chat widget or link)."""
    pages = bundle.pages()
    for hit in find(pages, CHAT_WORDS, limit=0):
        if len(hit.text) <= CONTROL_TEXT_MAX or hit.element.tag in ("a", "button"):
            return passed("An online chat entry is offered.", hit.evidence("chat entry"))
    for page in pages:
        for el in visible_elements(page, "iframe", "a", "button", "div"):
            if CHAT_MARKUP.search(attribute_text(el) + " " + (el.get("src") or "")):
                return passed(
                    "A chat widget is on the page.",
                    evidence(page, el, "chat widget", text=attribute_text(el)),
                )
    for page in pages:
        for script in page.tree.iter("script"):
            if CHAT_MARKUP.search(script.get("src") or ""):
                return review(
                    "A chat vendor's script is loaded but no visible chat entry was "
                    "saved; the auditor checks that the chat opens.",
                    evidence(page, script, "chat script", text=script.get("src")),
                )
    return failed(
        "No online chat entry or widget was found on any page.",
        searched(pages, "在线客服 / live chat / chat widget"),
    )


SOCIAL_SITES = re.compile(
    r"(?:^|\.)(?:weibo\.com|weibo\.cn|mp\.weixin\.qq\.com|douyin\.com|xiaohongshu\.com|"
    r"xhslink\.com|bilibili\.com|kuaishou\.com|toutiao\.com|twitter\.com|x\.com|facebook\.com|"
    r"instagram\.com|youtube\.com|linkedin\.com|tiktok\.com|pinterest\.com)$",
    re.I,
)
SOCIAL_NAMES = terms(
    "微博",
    "微信公众号",
    "公众号",
    "官方微信",
    "微信号",
    "关注微信",
    "微信关注",
    "微信二维码",
    "扫码关注",
    "抖音",
    "小红书",
    "快手",
    "哔哩哔哩",
    "B站",
    "今日头条",
    "Weibo",
    r"re:WeChat(?!\s*Pay)",
    "Douyin",
    "TikTok",
    "Xiaohongshu",
    "RedNote",
    "Bilibili",
    "Twitter",
    "Facebook",
    "Instagram",
    "YouTube",
    "LinkedIn",
    "Pinterest",
)
SHARE_BUTTON = re.compile(r"share|sharer|分享|intent/tweet", re.I)
# What turns a social network's name into a channel: an account handle, an ID, a QR image.
ACCOUNT_DETAIL = re.compile(r"@\w|[:：]\s*\S|关注|follow", re.I)


@check("6.4.3.d")
def social_media(bundle: Bundle) -> Verdict:
    """A social-media channel: a link to an account, or an account name / QR code."""
    pages = bundle.pages()
    for page in pages:
        for text, href, el in links(page):
            host = urlparse(href).hostname or ""
            if SHARE_BUTTON.search(href + " " + text):
                continue  # "share to Weibo" publishes the customer's post; it is no store account
            if SOCIAL_SITES.search(host) or SOCIAL_NAMES.search(text):
                return passed(
                    "A social-media account is linked.",
                    evidence(page, el, "social media link", text=text or href),
                )
        for img in visible_elements(page, "img"):
            if SOCIAL_NAMES.search((img.get("alt") or "") + " " + (img.get("title") or "")):
                return passed(
                    "A social-media QR code / badge is shown.",
                    evidence(page, img, "social media image", text=img.get("alt")),
                )
    bare: list[Hit] = []
    for hit in find(pages, SOCIAL_NAMES, limit=0):
        if SHARE_BUTTON.search(hit.text):
            continue
        around = context_text(hit, levels=1)
        if ACCOUNT_DETAIL.search(around) or hit.element.find(".//img") is not None:
            return passed("A social-media account is named.", hit.evidence("social media account"))
        bare.append(hit)
    if bare:
        return review(
            "A social network is mentioned but no account, link or QR code was found.",
            bare[0].evidence("social network mentioned"),
        )
    return failed(
        "No social-media channel (微博, 微信公众号, Weibo, Facebook ...) was found.",
        searched(pages, "social media links / accounts"),
    )


# --- 6.4.4 notices of changes and recalls -----------------------------------------------------

NOTICES = terms(
    "公告",
    "召回",
    "变更通知",
    "调整通知",
    "更新通知",
    "召回通知",
    "规则变更",
    "政策变更",
    "政策调整",
    "政策更新",
    "notices",
    "announcement",
    "announcements",
    "recall",
    "recalls",
    "policy update",
    "policy updates",
    "policy changes",
    "safety notice",
    "product notice",
)
NOTICE_ENTRY = terms(
    r"re:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}",
    "变更",
    "调整",
    "更新",
    "召回",
    "修订",
    "上线",
    "change",
    "changes",
    "changed",
    "update",
    "updated",
    "recall",
    "revised",
)
NO_NOTICES = terms("暂无公告", "暂无通知", "没有公告", "no notices", "no announcements")


@check("6.4.4")
def change_and_recall_notices(bundle: Bundle) -> Verdict:
    """Customers are told of changes to products, packaging, returns/recalls, safety or policies."""
    notice_pages = bundle.pages("notices")
    entries = [h for h in find(notice_pages, NOTICE_ENTRY, limit=0) if not is_label_only(h, 4)]
    if entries:
        return passed(
            "A notices page lists announcements of changes.",
            [h.evidence("notice") for h in entries[:2]],
        )
    other_pages = [p for p in bundle.pages() if p.kind != "notices"]
    content = [h for h in find(other_pages, NOTICES, limit=0) if not is_label_only(h, 12)]
    if content:
        return passed("A change or recall notice is published.", content[0].evidence("notice"))
    if notice_pages:
        empty = find(notice_pages, NO_NOTICES, limit=1)
        return failed(
            "The notices page holds no notice of any change or recall.",
            [empty[0].evidence("empty notices")]
            if empty
            else searched(notice_pages, "dated notices of changes"),
        )
    labels = find(bundle.pages(), NOTICES, limit=1)
    if labels:
        return review(
            "A notices link exists but its page was not reached.",
            labels[0].evidence("notices link"),
        )
    return failed(
        "No notices of product, policy or recall changes were found.",
        searched(bundle.pages(), "公告 / 召回 / notices / recall"),
    )


# --- 6.4.5 reviews shown publicly, with a way to submit ---------------------------------------

REVIEWS = terms(
    "商品评价",
    "用户评价",
    "买家评价",
    "累计评价",
    "评价",
    "评论",
    "口碑",
    "晒单",
    "好评",
    "reviews",
    "review",
    "customer reviews",
    "ratings",
    "rating",
    "testimonials",
)
NO_REVIEWS_YET = terms(
    "暂无评价", "暂无评论", "还没有评价", "no reviews yet", "no reviews", "be the first to review"
)
WRITE_REVIEW = terms(
    "写评价",
    "发表评价",
    "我要评价",
    "发表评论",
    "写评论",
    "评价晒单",
    "去评价",
    "追加评价",
    "提交评价",
    "发表意见",
    "write a review",
    "write review",
    "add a review",
    "submit a review",
    "leave a review",
    "post a review",
    "review this product",
    "rate this product",
)
REVIEW_MARKUP = re.compile(r"review|comment|rating|evaluat|pingjia", re.I)


def review_form(pages: list[Page]) -> Evidence | None:
    """A form with a text box inside a review section (the submit route on the product page)."""
    for page in pages:
        for form in visible_elements(page, "form"):
            has_box = form.find(".//textarea") is not None
            if has_box and (
                REVIEW_MARKUP.search(attribute_text(form)) or REVIEWS.search(element_text(form))
            ):
                return evidence(page, form, "review form")
    return None


@check("6.4.5")
def public_reviews(bundle: Bundle) -> Verdict:
    """Reviews are shown on product pages and customers have a way to submit theirs."""
    products = bundle.pages("product")
    section = find(products, REVIEWS, limit=1)
    if not section:
        return failed(
            "No reviews or customer opinions are shown on the product pages.",
            searched(products, "评价 / 评论 / reviews"),
        )
    shown = [section[0].evidence("reviews section")]
    submit = find(products, WRITE_REVIEW, limit=1)
    if submit:
        return passed(
            "Reviews are shown on product pages with a control to write one; the "
            "auditor rates truthfulness and timeliness.",
            shown + [submit[0].evidence("write a review")],
        )
    form = review_form(products)
    if form:
        return passed(
            "Reviews are shown on product pages with a form to submit one.", shown + [form]
        )
    account = bundle.pages("orders", "order_detail")
    after_purchase = find(account, terms("评价", "review", "rate"), limit=1)
    if after_purchase:
        return passed(
            "Reviews are shown on product pages; buyers review from their orders.",
            shown + [after_purchase[0].evidence("review from order")],
        )
    if not account:
        return review(
            "Reviews are shown but no way to submit one is on the product pages; the "
            "order history (where stores often put it) was not reached.",
            shown,
        )
    return failed(
        "Reviews are shown but customers have no visible way to submit one.",
        shown + searched(products + account, "写评价 / write a review"),
    )
