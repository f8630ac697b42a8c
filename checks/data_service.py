"""Checks of clause 6.5, data services.

6.5.1 reviews and purchase records do not expose other customers, 6.5.2 what the privacy
policy tells customers, 6.5.3 what the account keeps (favourites, cart, history, addresses),
6.5.4 two calendar years of orders to look up, download and print, 6.5.5 the customer's own
identity details (view, recover, change).

Account-side items list `login` in their catalogue `requires`: a scan that did not get past the
login sees a login wall, so the registry makes them needs_review, never fail.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import lxml.html
from b2cect.crawler.bundle import Bundle, Page

from .facts import fact_evidence, fact_problem, usable_fact
from .interaction import (
    PRIVACY_POLICY,
    attribute_text,
    context_text,
    visible_elements,
)
from .reach import search_result
from .registry import check, login_wall
from .text import (
    SKIP_TAGS,
    Hit,
    element_text,
    evidence,
    find,
    is_hidden,
    normalise,
    page_text,
    searched,
    terms,
)
from .verdict import Evidence, Verdict, failed, passed, review

# --- 6.5.1 reviews and purchase records keep other customers private --------------------------

REVIEW_MARKUP = re.compile(
    r"review|comment|rating|evaluat|pingjia|feedback|testimonial|"
    r"(?:buyer|purchase|deal|sales|trade)-?(?:record|list|history)",
    re.I,
)
REVIEW_HEADINGS = terms(
    "商品评价",
    "用户评价",
    "买家评价",
    "累计评价",
    "评价",
    "评论",
    "晒单",
    "成交记录",
    "购买记录",
    "交易记录",
    "销售记录",
    "最近购买",
    "reviews",
    "customer reviews",
    "purchase history",
    "recent purchases",
    "recently bought",
)
NAME_MARKUP = re.compile(r"user|author|name|nick|reviewer|buyer|customer|member|who", re.I)
NAME_LABEL = re.compile(
    r"(?:买家|用户|顾客|会员|评价人|购买人|收货人|reviewer|posted by|buyer|customer)\s*[:：]\s*"
    r"([^\s,，|;；]{2,20}(?:\s[A-Z][a-z]+)?)",
    re.I,
)
# Mobile numbers (China) written in full, and the usual masked form 138****5678.
FULL_MOBILE = re.compile(r"(?<![\d*＊])1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?![\d*＊])")
MASK_CHARS = re.compile(r"[*＊×•]|匿名|anonymous", re.I)
# The hundred or so most common Chinese surnames; surnames that are also everyday words
# (明, 文, 安, 和 ...) are left out so nicknames are not taken for names.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵钱严覃武戴莫孔汤常温康施牛樊葛邢齐易伍庞颜倪庄聂章鲁岳翟殷詹耿焦俞左柳祝舒阮柯纪"
)
CN_FULL_NAME = re.compile(
    rf"(?:[{SURNAMES}]|欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|司徒|夏侯)[\u4e00-\u9fff]{{1,2}}"
)
EN_FULL_NAME = re.compile(r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")
# Purchase records often read "王芳（136…）": the word right before a phone number is the buyer.
NAME_BEFORE_PHONE = re.compile(
    r"([\u4e00-\u9fff*＊]{2,4}|[A-Z][a-z]+(?:\s[A-Z][a-z]+)+)\s*[（(]?\s*"
    r"1[3-9]\d(?:[-\s]?\d{4}[-\s]?\d{4}|[*＊]{4}\d{4})"
)
MASKED_MOBILE = re.compile(r"1[3-9]\d[*＊]{4}\d{4}")
# An e-mail address written in full exposes its owner; j***@example.com (a masked local part)
# does not. The look-behind keeps a masked address from matching from its tail.
FULL_EMAIL = re.compile(
    r"(?<![\w.%+\-*＊])[A-Za-z0-9][\w.%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
MASKED_EMAIL = re.compile(r"[\w.%+\-]*[*＊]+[\w.%+\-*＊]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# English bylines: "Reviewed by Rig Customer on ...", "Posted by: Jane Doe", or a line that
# starts "by John Smith" ("Made by Acme Tools" in a review's text is no byline). Case matters:
# a name is two or three capitalised words.
BYLINE = re.compile(
    r"(?:(?:[Rr]eviewed|[Pp]osted|[Ww]ritten|[Ss]ubmitted|[Ss]hared|[Rr]eview)\s+by"
    r"|^(?:[-–—]\s*)?[Bb]y)\s*[:：]?\s+([A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){1,2})\b"
)
# Capitalised words in a byline that are not a person's name: "Verified Buyer", "Amazon
# Customer", "Store Team", "Customer Service". A word here, first or anywhere, means no name.
NOT_A_PERSON_FIRST = frozenset(
    "verified anonymous happy valued satisfied loyal amazon guest our the a an store shop "
    "official customer site admin team staff support".split()
)
NOT_A_PERSON_ANY = frozenset(
    "buyer buyers purchaser purchase team staff support service services store shop admin "
    "official user member reviewer owner seller merchant moderator editor".split()
)


def leading_name(text: str) -> str:
    """The name at the start of a reviewer line ("王芳 136… ★★★★★ 2026-01-12")."""
    head = re.split(r"[（(,，|·•–:：]|\s{2,}", normalise(text))[0].strip()
    if head and re.match(r"[\u4e00-\u9fff*＊]", head):
        head = head.split()[0]
    return head


def is_full_name(text: str) -> bool:
    text = normalise(text)
    if not text or MASK_CHARS.search(text):
        return False
    if CN_FULL_NAME.fullmatch(text):
        return len(set(text)) == len(text)  # 丽丽 / 王王 style doubled nicknames are not names
    if not EN_FULL_NAME.fullmatch(text):
        return False
    words = [w.lower() for w in text.split()]
    return words[0] not in NOT_A_PERSON_FIRST and not set(words) & NOT_A_PERSON_ANY


def mask_personal(text: str) -> str:
    """Masks phone numbers and e-mails in an excerpt: the report must not re-expose them."""
    text = FULL_MOBILE.sub(
        lambda m: re.sub(r"\D", "", m.group(0))[:3] + "****" + re.sub(r"\D", "", m.group(0))[-4:],
        text,
    )
    return FULL_EMAIL.sub(lambda m: m.group(0)[:1] + "***@" + m.group(0).split("@", 1)[1], text)


def mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1)


def masked_excerpt(text: str, full_names: list[str]) -> str:
    """The text with phone numbers, e-mails and the given full names masked."""
    text = mask_personal(text)
    for name in sorted(set(full_names), key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


def review_blocks(page: Page) -> list[lxml.html.HtmlElement]:
    """Outermost visible elements holding reviews or purchase records on a page."""
    found: list[lxml.html.HtmlElement] = []
    for el in visible_elements(page, "section", "div", "ul", "ol", "table", "article", "aside"):
        if REVIEW_MARKUP.search(attribute_text(el)):
            found.append(el)
    for heading in visible_elements(page, "h2", "h3", "h4", "h5", "strong", "caption", "legend"):
        text = element_text(heading)
        if REVIEW_HEADINGS.search(text) and len(text) <= 30 and heading.getparent() is not None:
            found.append(heading.getparent())
    outermost = [el for el in found if not any(a in found for a in el.iterancestors())]
    return [el for el in dict.fromkeys(outermost) if len(element_text(el)) > 10]


@dataclass
class Exposure:
    page: Page
    element: lxml.html.HtmlElement
    what: str  # "phone number" / "e-mail address" / "full name"
    shown: str  # masked for the report
    value: str = ""  # what was exposed (never reported): one finding per value

    def evidence(self) -> Evidence:
        return evidence(
            self.page, self.element, f"{self.what} shown in full (masked here)", text=self.shown
        )


# A byline is read from an element's whole text only while it is this short: the name often
# sits in a child (<small>Reviewed by <strong>Rig Customer</strong> on ...</small>).
MAX_BYLINE_CHARS = 160


def exposures_in(page: Page, block: lxml.html.HtmlElement) -> tuple[list[Exposure], list[str]]:
    """(personal data shown in full, masked identifiers seen) inside one review block."""
    exposed: dict[tuple[str, str], Exposure] = {}
    masked: list[str] = []
    for el in block.iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS or is_hidden(el):
            continue
        own = normalise(" ".join([el.text or ""] + [c.tail or "" for c in el]))
        whole = normalise(element_text(el))
        candidates = [m.group(1) for m in NAME_LABEL.finditer(own)]
        candidates += [m.group(1) for m in NAME_BEFORE_PHONE.finditer(own)]
        if len(whole) <= MAX_BYLINE_CHARS:
            candidates += [m.group(1) for m in BYLINE.finditer(whole)]
        if NAME_MARKUP.search(attribute_text(el)):
            candidates.append(leading_name(el.text or whole))
        full_names = [n for n in candidates if is_full_name(n)]
        # The excerpt an auditor reads is labelled masked: every name and number in it is.
        shown = masked_excerpt(whole, full_names)
        found = [("phone number", m.group(0)) for m in FULL_MOBILE.finditer(own)]
        found += [("e-mail address", m.group(0).lower()) for m in FULL_EMAIL.finditer(own)]
        found += [("full name", n) for n in full_names]
        for what, value in found:
            exposed.setdefault((what, value), Exposure(page, el, what, shown, value))
        masked += MASKED_MOBILE.findall(own) + MASKED_EMAIL.findall(own)
        masked += [n for n in candidates if n not in full_names and MASK_CHARS.search(n)]
    return list(exposed.values()), masked


def says_no_reviews_yet(block: lxml.html.HtmlElement) -> bool:
    """The block (or, for a bare heading block, its small enclosing section) has no reviews."""
    if NO_REVIEWS_YET.search(element_text(block)):
        return True
    parent = block.getparent()
    if parent is None:
        return False
    around = element_text(parent)
    return len(around) <= 400 and bool(NO_REVIEWS_YET.search(around))


@check("6.5.1")
def reviews_keep_customers_private(bundle: Bundle) -> Verdict:
    """Reviews and purchase records shown to everyone mask names and phone numbers.

    When no review or purchase record is shown at all there is nothing to judge from the
    bundle: needs_review (the crawler may have missed a lazily loaded tab), never pass.
    """
    products = bundle.pages("product")
    blocks = [(p, b) for p in products for b in review_blocks(p)]
    # A section that only says "no reviews yet" shows no customer to protect.
    blocks = [(p, b) for p, b in blocks if not says_no_reviews_yet(b)]
    if not blocks:
        return review(
            "No review or purchase record was seen on the product pages, so there "
            "was nothing to check for exposed names or phone numbers.",
            searched(products, "review / purchase-record sections"),
        )
    exposed: list[Exposure] = []
    masked: list[str] = []
    for page, block in blocks:
        found, hidden = exposures_in(page, block)
        exposed += found
        masked += hidden
    if exposed:
        kinds = sorted({e.what for e in exposed})
        return failed(
            f"Reviews or purchase records show other customers' {' and '.join(kinds)} in full.",
            [e.evidence() for e in exposed[:4]],
        )
    page, block = blocks[0]
    how = (
        f"reviewers shown masked (e.g. {masked[0]})"
        if masked
        else "no reviewer names or phone numbers shown"
    )
    return passed(
        f"Reviews / purchase records do not expose customers: {how}.",
        evidence(page, block, "review section", text=mask_personal(element_text(block))),
    )


NO_REVIEWS_YET = terms(
    "暂无评价",
    "暂无评论",
    "还没有任何评论",
    "还没有任何评价",
    "还没有评论",
    "还没有评价",
    "no reviews",
    "not have any reviews",
    "no customer reviews",
    "be the first to review",
    "be the first to write",
)


# --- 6.5.2 what the privacy policy tells customers ---------------------------------------------

COLLECTION = terms(
    "收集",
    "采集",
    "获取您的",
    "需要您提供",
    "需要",
    "所需",
    "必需",
    "collect",
    "we collect",
    "you provide",
    "we need",
    "needs",
    "required",
    "requires",
)
ORDER_DATA = terms(
    "姓名",
    "地址",
    "手机",
    "电话",
    "联系方式",
    "收货",
    "name",
    "mobile",
    "address",
    "phone",
    "telephone",
    "contact details",
)
RETENTION = terms(
    "保存",
    "存储",
    "储存",
    "保留",
    "保存期限",
    "retain",
    "retention",
    "store",
    "stored",
    "storage",
    "kept",
    "keep",
)
DATA_WORDS = terms("信息", "数据", "资料", "information", "data")
USE = terms("使用", "用于", "用途", "use", "used", "purposes", "process")
ORDER_PURPOSE = terms(
    "订单",
    "交易",
    "配送",
    "发货",
    "order",
    "orders",
    "delivery",
    "transaction",
    "fulfil",
    "fulfill",
    "fulfilment",
    "fulfillment",
)

FURTHER_USES = terms(
    "营销",
    "推广",
    "推送",
    "广告",
    "个性化推荐",
    "个性化",
    "用户画像",
    "市场调研",
    "统计分析",
    "marketing",
    "advertising",
    "promotional",
    "personalised",
    "personalized",
    "newsletter",
    "newsletters",
    "analytics",
    "market research",
    "recommendations",
)
PER_USE_CHOICE = terms(
    "退订",
    "关闭",
    "撤回",
    "拒绝",
    "选择是否",
    "可选择",
    "自主选择",
    "取消订阅",
    "逐项",
    "单独同意",
    "默认关闭",
    "隐私设置",
    "opt out",
    "separate consent",
    "off by default",
    "privacy choices",
    "privacy settings",
    "can be changed",
    "opt-out",
    "unsubscribe",
    "withdraw",
    "choose whether",
    "you can choose",
    "manage your preferences",
    "preferences",
    "turn off",
    "decline",
)
NO_FURTHER_USE = terms(
    "不会用于其他",
    "不用于其他",
    "不会将您的个人信息用于其他",
    "仅用于处理",
    "仅用于完成",
    "only be used to process",
    "only used to process",
    "not be used for any other",
    "will not use your personal",
)

THIRD_PARTIES = terms(
    "第三方",
    "合作伙伴",
    "关联公司",
    "关联方",
    "共享",
    "委托处理",
    "对外提供",
    "third party",
    "third parties",
    "partners",
    "share",
    "shared",
    "affiliates",
    "service providers",
)
THIRD_PARTY_KINDS = terms(
    "物流",
    "快递",
    "配送",
    "支付",
    "银行",
    "承运",
    "广告",
    "云服务",
    "courier",
    "couriers",
    "logistics",
    "delivery",
    "carrier",
    "carriers",
    "payment",
    "bank",
    "advertis",
    "hosting",
)
PERMISSION = terms(
    "征得您的同意",
    "征得您",
    "经您同意",
    "经过您",
    "取得您的",
    "您的授权",
    "单独同意",
    "明示同意",
    "事先同意",
    "您的同意",
    "您的明确同意",
    "您同意",
    "许可",
    "permission",
    "opt-in",
    "opt in",
    "授权同意",
    "your consent",
    "your permission",
    "ask for your",
    "seek your",
    "prior consent",
    "explicit consent",
    "consent",
)
NO_SHARING = terms(
    "不会与任何第三方共享",
    "不会向任何第三方",
    "不会向第三方提供",
    "不与第三方共享",
    "will not share",
    "never share",
    "do not share",
    "never sell",
    "will not sell",
)


def policy_pages(bundle: Bundle) -> list[Page]:
    """The privacy policy, plus terms pages that often carry part of it."""
    return bundle.pages("privacy") + bundle.pages("terms")


def without_policy(bundle: Bundle, consequence: str) -> Verdict | None:
    """The verdict when no privacy page was reached; None when one was (judge its text).

    Fail when the crawler searched the home page's links and found no privacy link, and no
    saved page mentions a privacy policy: the store has none, so `consequence` follows.
    needs_review when the privacy step failed, timed out or was skipped, or some page
    mentions a policy the crawler could not open.
    """
    if bundle.reached("privacy"):
        return None
    mentions = find(bundle.pages(), PRIVACY_POLICY, limit=3)
    search = search_result(bundle, "privacy", ("home",), clues=mentions)
    what = "privacy policy link or text (隐私政策 / privacy policy)"
    if search.absent:
        return failed(
            f"The store has no privacy policy ({search.reason}; no page mentions one), "
            f"so {consequence}.",
            search.evidence(what, also=bundle.pages()),
        )
    return review(f"Not judged: no privacy page was read ({search.reason}).", search.evidence(what))


def hit_with(pages: list[Page], pattern: re.Pattern[str], also: re.Pattern[str]) -> Hit | None:
    """A hit of `pattern` whose own block also matches `also`; else one whose near context does
    (a heading and the paragraph after it, a short label row)."""
    hits = find(pages, pattern, limit=0)
    same_block = next((h for h in hits if also.search(h.text)), None)
    return same_block or next((h for h in hits if also.search(context_text(h, levels=1))), None)


@check("6.5.2.a")
def policy_states_order_data_use(bundle: Bundle) -> Verdict:
    """The policy says which data an order needs and how it is kept and used."""
    no_policy = without_policy(
        bundle, "nothing says which data an order needs or how it is kept and used"
    )
    if no_policy is not None:
        return no_policy
    pages = policy_pages(bundle)
    parts = {
        "which data is collected": hit_with(pages, COLLECTION, ORDER_DATA),
        "how it is kept": hit_with(pages, RETENTION, DATA_WORDS),
        "what it is used for (the order)": hit_with(pages, USE, ORDER_PURPOSE),
    }
    missing = [what for what, hit in parts.items() if hit is None]
    if missing:
        return failed(
            "The privacy policy does not say " + "; ".join(missing) + ".",
            [h.evidence(w) for w, h in parts.items() if h] + searched(pages, "; ".join(missing)),
        )
    return passed(
        "The privacy policy says which data is collected, how it is kept and that it "
        "serves the order.",
        [h.evidence(w) for w, h in parts.items() if h],
    )


MARKETING_CONTROL = terms(
    "营销",
    "推广",
    "推送",
    "短信",
    "邮件订阅",
    "个性化",
    "广告",
    "合作伙伴",
    "marketing",
    "offers",
    "SMS",
    "partner",
    "partners",
    "newsletter",
    "promotional",
    "personalised",
    "personalized",
)


def preference_controls(bundle: Bundle) -> list[Evidence]:
    """Per-use switches in the account (a checkbox or switch per marketing use)."""
    found = []
    for page in bundle.pages("account", "profile", "register"):
        for box in visible_elements(page, "input"):
            if (box.get("type") or "").lower() not in ("checkbox", "radio"):
                continue
            parent = box.getparent()
            label = element_text(parent) if parent is not None else ""
            if MARKETING_CONTROL.search(label):
                found.append(evidence(page, box, "per-use choice", text=label))
    return found


@check("6.5.2.b")
def policy_states_further_uses(bundle: Bundle) -> Verdict:
    """Further uses of personal data are stated and the customer can choose each one."""
    no_policy = without_policy(
        bundle, "no further uses of personal data are stated or offered for choice"
    )
    if no_policy is not None:
        return no_policy
    pages = policy_pages(bundle)
    uses = find(pages, FURTHER_USES, limit=1)
    only_order = find(pages, NO_FURTHER_USE, limit=1)
    if not uses:
        if only_order:
            return passed(
                "The policy states personal data serves only the order; there are no "
                "further uses to choose from.",
                only_order[0].evidence("no other use"),
            )
        return failed(
            "The privacy policy states no further uses of personal data (nor that there are none).",
            searched(pages, "further uses (营销 / marketing ...)"),
        )
    choice_text = find(pages, PER_USE_CHOICE, limit=1)
    controls = preference_controls(bundle)
    shown = [uses[0].evidence("further use stated")]
    if controls:
        return passed(
            "Further uses are stated and the account offers a choice per use.", shown + controls[:3]
        )
    if choice_text:
        return passed(
            "Further uses are stated and the policy says how to refuse or withdraw each.",
            shown + [choice_text[0].evidence("choice per use")],
        )
    return failed(
        "The policy states further uses of personal data but offers no way to choose "
        "or refuse them.",
        shown + searched(pages, "opt-out / 退订 / 撤回"),
    )


@check("6.5.2.c")
def policy_states_third_parties(bundle: Bundle) -> Verdict:
    """The third parties that may access the data are named, and permission is asked."""
    no_policy = without_policy(
        bundle, "no third parties that may see the data are named and no permission is asked"
    )
    if no_policy is not None:
        return no_policy
    pages = policy_pages(bundle)
    no_sharing = find(pages, NO_SHARING, limit=1)
    with_permission = hit_with(pages, THIRD_PARTIES, PERMISSION)
    named = hit_with(pages, THIRD_PARTIES, THIRD_PARTY_KINDS)
    if with_permission and named:
        return passed(
            "The policy names the third parties that may see the data and asks for permission.",
            [named.evidence("third parties named"), with_permission.evidence("permission sought")],
        )
    if no_sharing and not named:
        return passed(
            "The policy states the data is not shared with third parties.",
            no_sharing[0].evidence("no sharing"),
        )
    if with_permission:
        return review(
            "The policy asks permission before sharing but does not say which kinds "
            "of third party may see the data.",
            with_permission.evidence("permission"),
        )
    mention = named or (find(pages, THIRD_PARTIES, limit=1) or [None])[0]
    if mention:
        return failed(
            "Third parties are mentioned but the customer's permission is not sought.",
            mention.evidence("third parties, no permission"),
        )
    return failed(
        "The privacy policy does not say which third parties may access the data.",
        searched(pages, "第三方 / third parties"),
    )


# --- 6.5.3 what the account keeps -----------------------------------------------------------

FAVOURITES = terms(
    "收藏夹",
    "我的收藏",
    "收藏的商品",
    "商品收藏",
    "关注的商品",
    "心愿单",
    "愿望清单",
    "wishlist",
    "wish list",
    "favourites",
    "favorites",
    "saved items",
)
REMOVE = terms("删除", "移除", "取消收藏", "取消关注", "清空", "remove", "delete", "clear")
ORDERS_LINK = terms(
    "我的订单",
    "订单记录",
    "购买记录",
    "历史订单",
    "my orders",
    "order history",
    "orders",
    "purchase history",
)


@dataclass
class Parts:
    """Outcome of a check made of several parts: found, missing, or not observed."""

    found: list[Evidence] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def verdict(self, what: str, searched_pages: list[Page]) -> Verdict:
        if self.missing:
            return failed(
                f"{what}: missing " + "; ".join(self.missing) + ".",
                self.found + searched(searched_pages, "; ".join(self.missing)),
            )
        if self.unknown:
            return review(f"{what}: not observed " + "; ".join(self.unknown) + ".", self.found)
        return passed(f"{what}: all found.", self.found)


@check("6.5.3.a")
def shopping_data_kept(bundle: Bundle) -> Verdict:
    """Favourites, cart and purchase history are kept, and the customer can remove them."""
    parts = Parts()
    account = bundle.pages("account")
    favourites = bundle.pages("favourites")
    if favourites:
        parts.found.append(evidence(favourites[0], note="favourites list"))
    elif find(bundle.pages(), FAVOURITES, limit=1):
        parts.unknown.append("favourites (linked, page not reached)")
    else:
        parts.missing.append("a favourites list (收藏夹 / wishlist)")

    persist = usable_fact(bundle, "cart_persist")
    if persist and persist.get("preserved"):
        parts.found.append(
            fact_evidence(
                bundle,
                {"step": persist.get("back_step")},
                "cart kept after leaving it",
                "; ".join(map(str, persist.get("items_after") or [])),
            )
        )
    elif persist:
        parts.missing.append("a cart that keeps its items")
    else:
        parts.unknown.append(f"cart kept ({fact_problem(bundle, 'cart_persist')})")

    if bundle.pages("orders"):
        parts.found.append(evidence(bundle.pages("orders")[0], note="purchase history"))
    elif find(account, ORDERS_LINK, limit=1):
        parts.unknown.append("purchase history (linked, " + bundle.why_not_reached("orders") + ")")
    else:
        parts.missing.append("a purchase history")

    edit = usable_fact(bundle, "cart_edit")
    removal = find(favourites + bundle.pages("cart"), REMOVE, limit=1)
    if removal:
        parts.found.append(removal[0].evidence("customer can remove kept items"))
    elif edit and edit.get("remove_control"):
        parts.found.append(fact_evidence(bundle, edit, "cart remove control (probe)"))
    elif favourites or bundle.pages("cart"):
        parts.missing.append("a way to remove kept items (删除 / remove)")
    else:
        parts.unknown.append("a way to remove kept items")
    return parts.verdict("Favourites, cart and purchase history", account + favourites)


ADD_ADDRESS = terms(
    "新增地址",
    "添加地址",
    "新增收货地址",
    "添加新地址",
    "添加收货地址",
    "新建地址",
    "使用新地址",
    r"re:(?:新增|添加|新建)(?:收货|新的?|一个)?地址",
    r"re:add\s+(?:an?\s+)?(?:new\s+)?(?:delivery\s+|shipping\s+)?address",
    "new address",
)
DELETE = terms("删除", "delete", "remove")


@check("6.5.3.b")
def delivery_details_kept(bundle: Bundle) -> Verdict:
    """The address book keeps delivery details, which the customer adds and deletes at will."""
    pages = bundle.pages("addresses")
    fact = usable_fact(bundle, "addresses") or {}
    parts = Parts([evidence(pages[0], note="address book")])
    add = find(pages, ADD_ADDRESS, limit=1)
    if add:
        parts.found.append(add[0].evidence("add an address"))
    elif fact.get("add_control"):
        parts.found.append(fact_evidence(bundle, fact, "add control (probe)"))
    else:
        parts.missing.append("a control to add an address")
    delete = find(pages, DELETE, limit=1)
    if delete:
        parts.found.append(delete[0].evidence("delete an address"))
    elif fact.get("delete_control"):
        parts.found.append(fact_evidence(bundle, fact, "delete control (probe)"))
    elif fact.get("count") == 0:
        parts.unknown.append("a delete control (the book is empty, so none can show)")
    else:
        parts.missing.append("a control to delete an address")
    return parts.verdict("Address book", pages)


# --- 6.5.4 two calendar years of orders: look up, download, print ----------------------------

DATE_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
OLDER_PERIOD = terms(
    "更早", "以前", "之前的订单", "历史订单", "earlier", "older", "all time", "全部时间"
)
HISTORY_LIMIT = terms(
    "仅显示近",
    "只显示近",
    "仅可查询近",
    "仅保留近",
    "只能查询近",
    "仅支持查询近",
    "only orders from the last",
    "only the last",
    "only shows orders from the last",
    "orders older than",
)
SHORT_PERIOD = terms(
    "近三个月",
    "近3个月",
    "近半年",
    "近6个月",
    "近一年",
    "近1年",
    "三个月内",
    "一年内",
    "今年",
    "last 3 months",
    "last three months",
    "last 6 months",
    "last six months",
    "last 12 months",
    "past 3 months",
    "past year",
    "last year",
    "this year",
)
NO_ORDERS = terms("暂无订单", "没有订单", "还没有订单", "no orders", "you have not placed")
# Office documents a customer opens with common office software.
SPREADSHEETS = ("xlsx", "xlsm", "xls", "csv", "ods")
OFFICE_FORMATS = (*SPREADSHEETS, "docx", "doc", "odt")
MAX_EXPORT_BYTES = 20 * 1024 * 1024
MAX_EXPORT_ROWS = 200_000


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = DATE_IN_TEXT.search(str(value or ""))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


@dataclass
class Span:
    """The dates a source shows: earliest and latest order, and where they were seen."""

    earliest: date | None
    latest: date | None
    count: int
    evidence: Evidence

    @property
    def years(self) -> str:
        if not self.earliest or not self.latest:
            return "no dates"
        return f"{self.earliest.isoformat()} to {self.latest.isoformat()}"

    def reaches_two_years(self) -> bool:
        """True when orders go back to the calendar year two years before the latest order's."""
        return bool(self.earliest and self.latest and self.earliest.year <= self.latest.year - 2)


def span_of(dates: list[date], count: int, ev: Evidence) -> Span:
    return Span(min(dates) if dates else None, max(dates) if dates else None, count, ev)


def history_span(bundle: Bundle) -> Span | None:
    """Order dates from the order-history probe, else read off the saved order-history pages."""
    history = usable_fact(bundle, "order_history")
    if history:
        dates = [d for d in (parse_date(o.get("date")) for o in history.get("orders") or []) if d]
        dates += [d for d in (parse_date(history.get(k)) for k in ("earliest", "latest")) if d]
        count = int(history.get("count") or len(history.get("orders") or []))
        return span_of(dates, count, fact_evidence(bundle, history, "order history (probe)"))
    pages = bundle.pages("orders")
    if not pages:
        return None
    dates = [
        d
        for p in pages
        for d in (parse_date(m.group(0)) for m in DATE_IN_TEXT.finditer(page_text(p)))
        if d
    ]
    return span_of(dates, len(dates), evidence(pages[0], note="order history page"))


def read_export_rows(path: Path, fmt: str) -> list[list[Any]] | None:
    """Rows of a downloaded spreadsheet, or None when this format is not read here (xls/ods)."""
    if path.stat().st_size > MAX_EXPORT_BYTES:
        return None
    if fmt == "csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return None
        dialect = csv.excel_tab if text.count("\t") > text.count(",") else csv.excel
        return list(csv.reader(io.StringIO(text), dialect))[:MAX_EXPORT_ROWS]
    if fmt in ("xlsx", "xlsm"):
        import openpyxl  # only needed when a workbook was downloaded

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows: list[list[Any]] = []
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    rows.append(list(row))
                    if len(rows) >= MAX_EXPORT_ROWS:
                        return rows
            return rows
        finally:
            book.close()
    return None


def sniff_format(path: Path, declared: str) -> str:
    """The file's real format from its first bytes; the declared one when they say nothing."""
    head = path.read_bytes()[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return declared if declared in ("xls", "doc") else "xls"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names:
                    kind = archive.read("mimetype").decode("ascii", "replace")
                    return "ods" if "spreadsheet" in kind else "odt" if "text" in kind else "zip"
        except zipfile.BadZipFile:
            return "zip"
        return "zip"
    if head.lstrip().startswith((b"<html", b"<!DOC", b"<!doc")):
        return "html"
    return declared or path.suffix.lstrip(".").lower()


def first_date(row: list[Any]) -> date | None:
    """The first cell of a row that holds a date (the order date in usual exports)."""
    for cell in row:
        found = parse_date(cell)
        if found:
            return found
    return None


@dataclass
class ExportFile:
    name: str
    format: str
    span: Span | None  # None when the content could not be read
    error: str = ""
    read_from_file: bool = False

    @property
    def office(self) -> bool:
        return self.format in OFFICE_FORMATS


def export_file(bundle: Bundle, export: dict[str, Any], row: dict[str, Any]) -> ExportFile:
    """One downloaded file, judged from its own bytes when the bundle holds it."""
    rel = str(row.get("path") or "")
    declared = str(row.get("format") or Path(rel).suffix.lstrip(".")).lower()
    ev = fact_evidence(
        bundle, export, f"downloaded file {rel or '(not saved)'}", export.get("control_text") or ""
    )
    if row.get("error"):
        return ExportFile(rel, declared, None, str(row["error"]))
    path = bundle.path(rel) if rel else None
    if path is not None and path.is_file():
        fmt = sniff_format(path, declared)
        try:
            rows = read_export_rows(path, fmt)
        except Exception as exc:  # a broken workbook is the store's file, not our crash
            return ExportFile(rel, fmt, None, f"file could not be read: {exc}")
        if rows is not None:
            filled = [r for r in rows if any(str(c or "").strip() for c in r)]
            dates = [d for d in (first_date(r) for r in filled) if d]
            data_rows = (
                max(len(filled) - 1, 0) if filled and not first_date(filled[0]) else len(filled)
            )  # a header row holds no date
            return ExportFile(rel, fmt, span_of(dates, data_rows, ev), read_from_file=True)
        declared = fmt
    # Not in the bundle, or a format read only by the probe: use the probe's reading of it.
    dates = [d for d in (parse_date(row.get(k)) for k in ("earliest", "latest")) if d]
    span = span_of(dates, int(row.get("rows") or 0), ev) if dates or "rows" in row else None
    return ExportFile(rel, declared, span)


@check("6.5.4.a")
def two_years_of_orders_viewable(bundle: Bundle) -> Verdict:
    """The order history reaches back two calendar years before the latest order.

    What the check can see is the account's own orders. It passes when the history shows orders
    from the calendar year two years before the latest order's year, or offers a period filter
    that far back; fails when the account demonstrably has older orders (the export shows them)
    or the page states a shorter limit; otherwise (a young account) needs_review.
    """
    span = history_span(bundle)
    pages = bundle.pages("orders")
    if span is None or span.latest is None:
        empty = find(pages, NO_ORDERS, limit=1)
        why = (
            "the account has no orders"
            if empty or (span and span.count == 0)
            else "no order dates could be read"
        )
        return review(
            f"Not judged: {why}, so the two-year history cannot be observed.",
            [empty[0].evidence("no orders")] if empty else searched(pages, "order dates"),
        )
    if span.reaches_two_years():
        return passed(
            f"The order history shows orders from {span.years}, reaching back two "
            "calendar years before the latest order.",
            span.evidence,
        )
    limit = find(pages, HISTORY_LIMIT, limit=1)
    if limit:
        return failed(
            "The order history states it only covers a shorter period.",
            [limit[0].evidence("history limit"), span.evidence],
        )
    target = span.latest.year - 2
    older = older_orders_elsewhere(bundle, span)
    if older:
        return failed(
            f"The account has orders from {older.earliest} (per the export) but the "
            f"history shows only {span.years}.",
            [span.evidence, older.evidence],
        )
    history = usable_fact(bundle, "order_history") or {}
    filters = [str(f) for f in history.get("filters") or []]
    reach_back = [
        f
        for f in filters
        if OLDER_PERIOD.search(f) or any(int(y) <= target for y in YEAR_IN_TEXT.findall(f))
    ]
    if reach_back:
        return passed(
            f"The history offers periods back to {target} or earlier "
            f"({', '.join(reach_back[:3])}); the account's own orders span {span.years}.",
            [
                span.evidence,
                fact_evidence(bundle, history, "history period filter", "; ".join(filters)),
            ],
        )
    hint = f"; period filters offered: {', '.join(filters)}" if filters else ""
    return review(
        f"The account's orders span only {span.years}; whether orders from {target} "
        f"would be shown cannot be observed with this account{hint}.",
        span.evidence,
    )


def older_orders_elsewhere(bundle: Bundle, history: Span) -> Span | None:
    """The export's span when it holds orders older than the history shows."""
    export = usable_fact(bundle, "order_export")
    for row in (export or {}).get("files") or []:
        span = export_file(bundle, export, row).span
        if span and span.earliest and history.earliest and span.earliest < history.earliest:
            return span
    return None


EXPORT_CONTROL = terms("导出", "下载", "export", "download")


# Words of an order-list download on account pages other than the history itself, where a bare
# "下载" is more often an app download than the order list.
ORDER_LIST_DOWNLOAD = terms(
    "导出",
    "下载订单",
    "订单下载",
    "下载清单",
    "下载明细",
    "下载交易记录",
    "export",
    "download orders",
    "download order history",
    "download your orders",
)


def export_absent(bundle: Bundle) -> Verdict | None:
    """Fail when the logged-in crawler searched the order history for an export control and
    none exists there (nor a mention of one on the account pages); None otherwise."""
    export = bundle.fact("order_export") or {}
    if export.get("status") != "blocked" or export.get("control_text"):
        return None  # the probe ran, found a control, or could not run: judged below
    clues = find(bundle.pages("orders"), EXPORT_CONTROL, limit=3) or find(
        bundle.pages("account", "profile", "order_detail"), ORDER_LIST_DOWNLOAD, limit=3
    )
    search = search_result(bundle, "order_export", ("orders",), account_side=True, clues=clues)
    if not search.absent:
        return None
    return failed(
        f"The order history offers no download of the order list ({search.reason}).",
        search.evidence("导出 / 下载 / export / download", also=bundle.pages("account")),
    )


@check("6.5.4.b")
def two_years_of_orders_downloadable(bundle: Bundle) -> Verdict:
    """The order list downloads as an office file covering two calendar years before the latest.

    The downloaded file itself is read (csv, xlsx) when the bundle holds it; other office
    formats are taken from the probe's reading. Coverage is judged as in 6.5.4.a.
    """
    missing = export_absent(bundle)
    if missing is not None:
        return missing
    gap = login_wall(bundle) or fact_problem(bundle, "order_export")
    if gap:
        control = find(bundle.pages("orders"), EXPORT_CONTROL, limit=1)
        return review(
            f"Not judged: {gap}.", [control[0].evidence("export control")] if control else None
        )
    export = bundle.fact("order_export") or {}
    rows = export.get("files") or []
    pages = bundle.pages("orders")
    if not rows:
        if not export.get("control_text"):
            return failed(
                "The order history offers no export or download of the order list.",
                searched(pages, "导出 / 下载 / export / download"),
            )
        return review(
            f"An export control ('{export['control_text']}') was found but no file was downloaded.",
            fact_evidence(bundle, export, "export control"),
        )
    files = [export_file(bundle, export, row) for row in rows]
    evidences = [
        f.span.evidence if f.span else fact_evidence(bundle, export, f"file {f.name}")
        for f in files
    ]
    office = [f for f in files if f.office and f.span is not None]
    if not office:
        # A download in a known non-office format (PDF, HTML...) fails even when the probe
        # also noted an error about it; an office file we could not read is for a human.
        if not any(f.office for f in files) and all(f.format for f in files):
            formats = ", ".join(sorted({f.format or "unknown" for f in files}))
            return failed(
                f"The order list downloads as {formats}, not as an office document "
                "(spreadsheet such as xlsx/xls/csv/ods).",
                evidences,
            )
        problems = [f"{f.name or 'file'}: {f.error or 'content not observed'}" for f in files]
        return review(
            "The export's content could not be read: " + "; ".join(problems) + ".", evidences
        )
    best = min(office, key=lambda f: f.span.earliest or date.max)
    span = best.span
    source = "read from the file" if best.read_from_file else "as read by the export probe"
    history = history_span(bundle)
    if span.count and span.earliest is None:
        return review(
            f"The {best.format} export has {span.count} rows but no order dates could "
            "be read from it.",
            span.evidence,
        )
    known = [d for d in (span.latest, history.latest if history else None) if d]
    latest = max(known) if known else None
    limit = find(pages, SHORT_PERIOD, limit=0)
    control_limit = SHORT_PERIOD.search(str(export.get("control_text") or ""))
    if span.earliest and latest and span.earliest.year <= latest.year - 2:
        return passed(
            f"The {best.format} export holds orders from {span.years} ({source}), "
            "two calendar years before the latest order.",
            span.evidence,
        )
    if span.count == 0 and history and history.count:
        return failed(
            f"The {best.format} export holds no orders although the history lists {history.count}.",
            [span.evidence, history.evidence],
        )
    if history and history.earliest and span.earliest and history.earliest < span.earliest:
        return failed(
            f"The export ({span.years}, {source}) leaves out older orders the history "
            f"shows ({history.years}).",
            [span.evidence, history.evidence],
        )
    if control_limit:
        return failed(
            f"The export is limited to a short period ('{export['control_text']}').",
            [span.evidence, fact_evidence(bundle, export, "export control")],
        )
    hint = f" Period options seen: {limit[0].text}." if limit else ""
    return review(
        f"The {best.format} export holds every order the account has ({span.years}, "
        f"{source}); the account has none two calendar years back, so the two-year "
        f"coverage cannot be observed.{hint}",
        span.evidence,
    )


PRINT_WORDS = terms("打印", "打印订单", "打印清单", "print", "printable", "print orders")


@check("6.5.4.c")
def orders_printable(bundle: Bundle) -> Verdict:
    """The order history (records and lists) has a print option."""
    pages = bundle.pages("orders")
    view = (usable_fact(bundle, "print_view") or {}).get("history") or {}
    if view.get("found"):
        return passed(
            f"The order history can be printed (via {view.get('via') or 'print view'}).",
            fact_evidence(bundle, view, "history print view (probe)"),
        )
    if bundle.pages("orders_print"):
        return passed(
            "A printable order-history page is offered.",
            evidence(bundle.pages("orders_print")[0], note="printable history"),
        )
    for page in pages:
        for el in visible_elements(page, "a", "button", "input"):
            label = element_text(el) or el.get("value") or el.get("title") or ""
            if PRINT_WORDS.search(label) or "print(" in (el.get("onclick") or ""):
                return passed(
                    "The order history page has a print control.",
                    evidence(page, el, "print control", text=label),
                )
    if not view:
        why = fact_problem(bundle, "print_view") or "no history print view observed"
        return review(
            f"No print control is visible on the order history and the print probe "
            f"gave nothing ({why}).",
            searched(pages, "打印 / print"),
        )
    return failed("The order history offers no print option.", searched(pages, "打印 / print"))


# --- 6.5.5 the customer's identity details ----------------------------------------------------

IDENTITY_FIELDS = terms(
    "姓名",
    "真实姓名",
    "昵称",
    "用户名",
    "性别",
    "生日",
    "出生日期",
    "手机",
    "手机号",
    "邮箱",
    "电子邮件",
    "name",
    "nickname",
    "username",
    "user name",
    "gender",
    "birthday",
    "date of birth",
    "mobile",
    "phone",
    "e-mail",
    "email",
)
FIELD_LABEL_TAGS = ("label", "th", "dt", "td", "span", "div", "p", "li")


def identity_labels(page: Page) -> list[Evidence]:
    """Short visible labels naming identity fields (姓名, 手机, email ...) on a page."""
    found = []
    for el in visible_elements(page, *FIELD_LABEL_TAGS):
        own = normalise(el.text or "")
        if own and len(own) <= 20 and IDENTITY_FIELDS.search(own):
            found.append(evidence(page, el, "identity field"))
    return found


@check("6.5.5.a")
def identity_details_viewable(bundle: Bundle) -> Verdict:
    """The account shows the customer's identity details."""
    pages = bundle.pages("profile")
    profile = usable_fact(bundle, "profile")
    fields = [str(f) for f in (profile or {}).get("fields") or [] if IDENTITY_FIELDS.search(str(f))]
    if fields:
        return passed(
            "The profile shows identity details: " + ", ".join(fields[:6]) + ".",
            [
                evidence(pages[0], note="profile page"),
                fact_evidence(bundle, profile, "profile fields (probe)", ", ".join(fields)),
            ],
        )
    labels = [e for p in pages for e in identity_labels(p)]
    if labels:
        return passed("The profile page shows identity details.", labels[:4])
    return failed(
        "The profile page shows no identity details (name, phone, e-mail ...).",
        searched(pages, "姓名 / 手机 / 邮箱 / name / phone / e-mail"),
    )


RECOVERY = terms(
    "忘记密码",
    "找回密码",
    "重置密码",
    "密码找回",
    "找回账号",
    "忘记用户名",
    "forgot password",
    "forgot your password",
    "reset password",
    "reset your password",
    "forgot username",
    "re:forgot\\s*password",
)
RESET_FIELDS = terms(
    "手机",
    "邮箱",
    "账号",
    "用户名",
    "验证码",
    "phone",
    "email",
    "e-mail",
    "username",
    "account",
    "verification code",
)


RESET_ANSWERS = ("success", "error")


@check("6.5.5.b")
def password_recoverable(bundle: Bundle) -> Verdict:
    """A way to recover the login password, judged by using it: the crawler submits the reset
    form for the scan's own account and records the store's answer (`password_reset.attempt`).
    A success answer passes, an error answer fails; a form not tried (no credentials) or an
    unclear answer needs review: a form that exists may still not work."""
    reset = usable_fact(bundle, "password_reset")
    form = reset_form_evidence(bundle)
    if form is None and reset and reset.get("found"):
        channels = ", ".join(map(str, reset.get("channels") or reset.get("fields") or []))
        form = [fact_evidence(bundle, reset, "password recovery (probe)", channels)]
    if form is not None:
        attempt = (reset or {}).get("attempt") or {}
        status = str(attempt.get("status") or "not_tried")
        message = str(attempt.get("message") or "")
        if status in RESET_ANSWERS:
            answer = fact_evidence(
                bundle,
                attempt,
                f"store's answer to a reset request for the scan's own account ({status})",
                excerpt=message,
            )
            if status == "success":
                return passed(
                    f"Password recovery works: a request for the scan's own account was "
                    f"answered '{message[:80]}'.",
                    form + [answer],
                )
            return failed(
                f"Password recovery does not work: a request for the scan's own account was "
                f"answered '{message[:80]}'.",
                form + [answer],
            )
        why = str(attempt.get("reason") or "")
        if status == "unknown":
            why = why or "the page gave no clear success or error message"
        return review(
            "A password recovery form is offered, but whether it works was not verified: "
            + (why or "it was not tried")
            + ".",
            form,
        )
    entry = find(bundle.pages("login", "register"), RECOVERY, limit=1)
    if entry:
        return review(
            "A password recovery link exists but its page was not reached or showed no form.",
            entry[0].evidence("recovery link"),
        )
    if bundle.pages("login") or (reset and reset.get("found") is False):
        return failed(
            "No password recovery is offered at login.",
            searched(bundle.pages("login", "password_reset"), "忘记密码 / forgot password"),
        )
    return review(f"Not judged: {bundle.why_not_reached('login')}.")


def reset_form_evidence(bundle: Bundle) -> list[Evidence] | None:
    """A saved recovery page with a field to name the account, outside the site chrome."""
    for page in bundle.pages("password_reset"):
        inputs = [
            i
            for i in visible_elements(page, "input")
            if (i.get("type") or "text").lower() in ("text", "email", "tel", "number")
            and not in_site_chrome(i)
        ]
        if inputs:
            field_hit = find(page, RESET_FIELDS, limit=1)
            return [evidence(page, inputs[0], "recovery form")] + [
                h.evidence("recovery by") for h in field_hit
            ]
    return None


EDIT_RULES = terms(
    r"re:\d+\s*[-~～至到]\s*\d+\s*(?:位|个字符|字符|个汉字|characters?)",
    r"re:(?:每|一)个?(?:月|年|天|周)\s*(?:只能|仅可|仅能|可)?\s*修改",
    r"re:(?:up\s+to|at\s+most|max(?:imum)?)\s+\d+\s+characters?",
    "修改规则",
    "需验证",
    "需要验证",
    "需通过",
    "不可修改",
    "无法修改",
    "仅可修改",
    "只能修改",
    "can only be changed",
    "cannot be changed",
    "once every",
    "must be verified",
    "verification",
)
PRIVACY_CORRECTION = terms(
    "更正",
    "修改您的个人信息",
    "更新您的个人信息",
    "访问、更正",
    "访问和更正",
    "correct your",
    "update your personal",
    "rectify",
    "access and correct",
    "correct",
    "rectification",
)
SAVE_WORDS = terms("保存", "提交", "修改", "确认修改", "更新", "save", "update", "submit")
EDITABLE_TYPES = ("text", "email", "tel", "date", "number", "")


# Site-wide chrome: a field here belongs to the shop's header, menu or footer (the search
# box, a newsletter sign-up, the language or currency switch), never to the customer's profile
# form.
CHROME_TAGS = ("header", "nav", "footer")
CHROME_ROLES = ("search", "banner", "navigation", "contentinfo")
SITE_FORM = re.compile(
    r"search|newsletter|subscri|setlang|set_language|language|locale|currency|搜索|订阅|查询|语言",
    re.I,
)
SEARCH_FIELD = re.compile(r"^(?:q|query|search|keywords?|kw|wd|s|id_q|search[-_]?\w*)$", re.I)


def in_site_chrome(el: lxml.html.HtmlElement) -> bool:
    """The field sits in the header, navigation or footer, a search landmark, or a search or
    newsletter form, or is itself a search box."""
    if (el.get("type") or "").lower() == "search":
        return True
    if any(SEARCH_FIELD.match(el.get(a) or "") for a in ("name", "id")):
        return True
    for node in el.iterancestors():
        if not isinstance(node.tag, str):
            continue
        if node.tag in CHROME_TAGS or (node.get("role") or "").lower() in CHROME_ROLES:
            return True
        if node.tag == "form":
            owned = " ".join(
                node.get(a) or "" for a in ("action", "id", "class", "name", "aria-label")
            )
            return bool(SITE_FORM.search(owned)) or any(
                (i.get("type") or "").lower() == "search" for i in node.iter("input")
            )
    return False


def editable_fields(page: Page) -> list[lxml.html.HtmlElement]:
    """Fields a customer can type into on a profile page, outside the site chrome."""
    fields = []
    for el in visible_elements(page, "input", "select", "textarea"):
        if el.get("disabled") is not None or el.get("readonly") is not None:
            continue
        if el.tag == "input" and (el.get("type") or "").lower() not in EDITABLE_TYPES:
            continue
        if in_site_chrome(el):
            continue
        fields.append(el)
    return fields


def save_control(
    page: Page, form: lxml.html.HtmlElement | None = None
) -> lxml.html.HtmlElement | None:
    """A save button: in the given form (the one holding the profile fields) when there is one;
    never one of the site chrome (a search form's submit)."""
    scope = visible_elements(page, "button", "input")
    for el in scope:  # links lead elsewhere; buttons save
        if form is not None and form not in el.iterancestors():
            continue
        label = element_text(el) or el.get("value") or ""
        if el.tag == "input" and (el.get("type") or "").lower() not in ("submit", "button"):
            continue
        if in_site_chrome(el):
            continue
        if SAVE_WORDS.search(label):
            return el
    return None


def owning_form(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return next((a for a in el.iterancestors() if a.tag == "form"), None)


@check("6.5.5.c")
def identity_details_changeable(bundle: Bundle) -> Verdict:
    """Identity details can be changed, under rules the store states."""
    pages = bundle.pages("profile")
    profile = usable_fact(bundle, "profile") or {}
    parts = Parts()
    # Form evidence comes from the form that holds the profile fields (on the profile page or
    # the edit page its "编辑 / Edit" link opens), never from site-wide chrome.
    fields = [(p, f) for p in pages for f in editable_fields(p)]
    if fields:
        page, field = fields[0]
        parts.found.append(evidence(page, field, "editable field"))
    elif profile.get("editable"):
        parts.found.append(fact_evidence(bundle, profile, "profile editable (probe)"))
    else:
        parts.missing.append("editable identity fields")
    saves = [(p, save_control(p, owning_form(f))) for p, f in fields] or [
        (p, save_control(p)) for p in pages
    ]
    save = next(((p, s) for p, s in saves if s is not None), None)
    if save is not None:
        parts.found.append(evidence(save[0], save[1], "save control"))
    elif profile.get("save_control"):
        parts.found.append(fact_evidence(bundle, profile, "save control (probe)"))
    else:
        parts.missing.append("a save control")
    rules = find(pages, EDIT_RULES, limit=1) or find(
        policy_pages(bundle), PRIVACY_CORRECTION, limit=1
    )
    if rules:
        parts.found.append(rules[0].evidence("rules for changing details"))
    else:
        parts.missing.append("stated rules for changes (on the profile page or in the policy)")
    return parts.verdict("Changing identity details", pages)
