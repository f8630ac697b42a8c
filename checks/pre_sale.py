"""Section 6.1 (before the sale): what a customer sees while browsing, judged from saved pages.

One function per catalogue item (6.1.1.a - 6.1.5). Product-information items (6.1.3.a-g) judge
every saved product page and name the products that lack an element, because a store that
labels one product well and the next one badly does not meet the clause.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from b2cect.crawler.bundle import Bundle, Page
from b2cect.crawler.discovery import load_vocabulary

from .facts import fact_evidence, fact_problem, products_seen
from .registry import check
from .text import (
    broken_targets,
    element_text,
    evidence,
    excerpt,
    find,
    in_user_content,
    is_hidden,
    links,
    normalise,
    points_to_broken,
    seller_text_only,
    terms,
)
from .verdict import Evidence, Verdict, failed, not_applicable, passed, review

# fmt: off
# Word lists stay packed (one word a line would bury the vocabulary); ruff format skips them.
# --- vocabulary -----------------------------------------------------------------------------

# 6.1.1.a: help and instructions for a first-time customer.
HELP = terms(
    "帮助中心", "帮助", "新手指南", "新手上路", "购物指南", "购物流程", "常见问题", "使用说明",
    "help", "help center", "help centre", "FAQ", "FAQs", "shopping guide", "how to buy",
    "how to order", "getting started",
)
BREADCRUMB_CLASS = re.compile(r"breadcrumb|crumb", re.IGNORECASE)
NAV_CLASS = re.compile(r"(?<![a-z])(nav|navbar|menu|category|categories)(?![a-z])", re.IGNORECASE)
CATEGORY_MENU = terms(
    "全部分类", "全部商品分类", "商品分类", "所有分类", "all categories", "shop by category",
    "categories",
)
MIN_NAV_LINKS = 3  # a "menu" of fewer links does not let a customer find their way around

# 6.1.1.b: a way in to the customer's account.
LOGIN = terms("登录", "登陆", "请登录", "会员登录", "sign in", "log in", "login", "signin")
ACCOUNT_ENTRY = terms("我的账户", "我的帐户", "会员中心", "个人中心", "my account", "account")
LOGIN_HREF = re.compile(r"log-?in|sign-?in|passport|member/?$|account", re.IGNORECASE)
SLOW_MEDIAN_LOAD_MS = 3000  # a customer notices waits beyond about three seconds

# 6.1.1.c: a choice of language. Labels are matched on whole link/option texts, so "中文图书"
# in a category menu is not taken for a language switcher.
LANGUAGE_LABEL = re.compile(
    r"(english|en|eng|中文|简体|简体中文|繁體|繁體中文|繁体中文|zh|zh-cn|中文版|english version|"
    r"日本語|한국어|français|deutsch|español|русский)",
    re.IGNORECASE,
)
LANGUAGE_WORD = terms("语言", "切换语言", "language", "languages", "选择语言")

# 6.1.1.d: readable text. Below this many CSS pixels body text is hard to read.
MIN_BODY_FONT_PX = 12.0
MIN_CONTRAST = 3.0  # WCAG large-text minimum; body colours below it are unreadable for many

# 6.1.2.a: the seller's permission to operate, with a number a customer can look up.
LICENCE = terms(
    "营业执照", "经营许可证", "增值电信业务经营许可证", "ICP备", "ICP证", "统一社会信用代码",
    "工商注册号", "注册号", "网络文化经营许可证", "食品经营许可证", "business licence",
    "business license", "ICP licence", "ICP license", "ICP", "registration number",
    "registration no", "company registration", "licence no", "license no",
    "unified social credit code",
)
# Six digits in a row (ICP filings, permit numbers) or an 18-character credit code; a
# copyright year range such as "2006-2026" is not a number.
LICENCE_NUMBER = re.compile(r"\d{6,}|(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")

# 6.1.2.b: channels a customer can use to reach the seller.
CONTACT_WORD = terms(
    "客服", "热线", "电话", "联系我们", "联系方式", "咨询", "服务时间", "邮箱", "电子邮件",
    "customer service", "hotline", "phone", "tel", "telephone", "call us", "contact", "email",
    "e-mail",
)
PHONE_NUMBER = re.compile(
    r"(?<!\d)(?:[48]00[-\s]?\d{3}[-\s]?\d{4}|0\d{2,3}[-\s]?\d{7,8}|1[3-9]\d{9}|"
    r"\+?\d{1,3}[-\s]?\(?\d{2,4}\)?[-\s]?\d{3,4}[-\s]?\d{3,4})(?!\d)"
)
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
LIVE_CHAT = terms(
    "在线客服", "联系客服", "人工客服", "在线咨询", "在线留言", "留言板", "意见反馈", "live chat",
    "chat with us", "online service", "leave a message", "message us", "feedback",
)

# 6.1.2.c: the B2CECT commitment itself, and weaker wordings an auditor must weigh.
# "B2CECT" alone may be a shop's name or tagline: it must come with a pledge or the standard.
B2CECT_COMMITMENT = terms(
    "re:LB/T\\s*10001",
    "B2C电子商务交易服务承诺",
    "re:B2CECT.{0,30}(?:承诺|服务规范|服务要求|commit|pledge|promise|requirements|standard)",
    "re:(?:承诺|遵守|遵循|依照|commit|pledge|promise|follow|comply).{0,30}B2CECT",
)
GENERIC_COMMITMENT = terms(
    "服务承诺", "诚信承诺", "消费者保障", "our commitment", "service pledge", "our promise",
    "customer promise",
)

# 6.1.2.d: the four kinds of information the clause lists.
PAYMENT_INFO = terms(
    "支付方式", "付款方式", "支付宝", "微信支付", "银联", "货到付款", "网银", "在线支付",
    "payment methods", "payment method", "payment options", "ways to pay", "alipay", "wechat pay",
    "unionpay", "credit card", "debit card", "cash on delivery", "paypal",
)
INVOICE_INFO = terms(
    "发票", "开票", "收据", "支付凭证", "invoice", "invoices", "receipt", "fapiao", "VAT"
)
RETURNS_INFO = terms(
    "退换货", "退货", "换货", "无理由退", "退款", "return policy", "returns", "return", "exchange",
    "exchanges", "refund", "refunds",
)
AFTER_SALES_INFO = terms(
    "售后服务", "售后", "保修", "维修", "三包", "after-sales", "after sales", "warranty", "repair",
    "repairs", "customer service",
)

# 6.1.3.a: the basic facts of a product, each a label that must carry a value.
PRICE_MARK = terms("re:[¥￥$€£]", "元", "价格", "售价", "单价", "促销价", "price", "RMB", "CNY")
PRICE_VALUE = re.compile(
    r"[¥￥$€£]\s*\d|\d[\d,]*(?:\.\d+)?\s*元|(?:RMB|CNY|USD)\s*\d|\d\s*(?:RMB|CNY|yuan)",
    re.IGNORECASE,
)
SPECIFICATION = terms(
    "规格", "型号", "尺寸", "尺码", "容量", "重量", "净含量", "颜色", "功率", "specification",
    "specifications", "model", "size", "weight", "capacity", "dimensions", "net content", "power",
    "colour", "color",
)
MAKER = terms(
    "生产厂商", "制造商", "生产企业", "生产商", "厂家", "厂商", "manufacturer", "made by", "maker",
    "producer", "manufactured by",
)
ORIGIN = terms(
    "产地", "原产地", "生产地", "产区", "made in", "place of origin", "country of origin", "origin"
)

# 6.1.3.b: quality information. Grade, standard and material are each needed; of the proof
# that the goods were certified, inspected or licensed, one kind is enough ("和(或)").
QUALITY_GRADE = terms("质量等级", "产品等级", "等级", "品级", "quality grade", "grade")
STANDARD = terms("执行标准", "产品标准号", "产品标准", "标准号", "standard", "standards")
STANDARD_CODE = re.compile(r"\b(?:GB|GB/T|QB|QB/T|Q/\w+|ISO|EN|IEC|JB|SB)\s?[\d./-]{3,}")
MATERIAL = terms(
    "材质", "材料", "成分", "成份", "面料", "配料", "主要原料", "material", "materials",
    "composition", "ingredients", "fabric",
)
CERTIFICATION = terms(
    "认证", "获证", "证书", "CCC", "3C", "certification", "certificate", "certified", "CE"
)
INSPECTION = terms(
    "检验", "质检", "检测报告", "合格证", "inspection", "inspected", "test report",
    "quality inspection",
)
PRODUCTION_LICENCE = terms(
    "生产许可证", "许可证编号", "许可证号", "re:\\bSC\\d{10,}", "production licence",
    "production license", "licence no", "license no",
)

# 6.1.3.c: marks that identify the goods: brand, trademark, logo, energy or safety labels.
BRAND = terms("品牌", "商标", "brand", "trademark")
MARK_IMAGE = re.compile(r"logo|标识|标志|商标|品牌|brand|label|能效|ccc|3c", re.IGNORECASE)
MARK_TEXT = terms(
    "能效标识", "能效等级", "3C标志", "CCC标志", "认证标志", "环保标志", "energy label",
    "energy class", "CE mark",
)
MIN_PICTURE_PX = 48  # smaller images are icons, not pictures of the goods

# 6.1.3.d: stock wording, read as a value (phrases) or a label with a number.
IN_STOCK = terms(
    "有货", "现货", "库存充足", "仅剩", "库存紧张", "re:剩余\\s*\\d+\\s*件",
    "re:库存\\s*[:：]?\\s*\\d+", "in stock", "re:only\\s+\\d+\\s+left", "re:\\d+\\s+in\\s+stock",
    "available now", "low stock", "few left",
)
OUT_OF_STOCK = terms(
    "无货", "缺货", "售罄", "已售完", "已售罄", "暂时缺货", "库存不足", "到货通知", "补货中",
    "out of stock",
    "sold out", "currently unavailable", "temporarily unavailable", "notify me when available",
    "back in stock",
)
STOCK_LABEL = terms("库存", "stock", "availability")

# 6.1.3.e: news about the product: changed price, promotions, packaging, restocking.
PROMOTION = terms(
    "促销", "优惠", "满减", "直降", "折扣", "限时", "特价", "活动价", "赠品", "以旧换新",
    "re:满\\s*\\d+\\s*减", "re:\\d+(?:\\.\\d)?\\s*折", "promotion", "on sale", "sale price",
    "discount", "re:\\d+%\\s*off", "re:[¥￥$]\\s*\\d+\\s*off", "coupon", "limited time",
    "price drop", "special offer", "free gift", "trade-in",
)
# A list price ("原价 ¥3299" struck through) is a reference price, not news that the price
# changed; only words that report a change count.
PRICE_CHANGE = terms(
    "调价", "价格更新", "价格调整", "价格变更", "re:价格.{0,4}变动", "price updated",
    "price change", "price changed", "new price",
)
PACKAGING_CHANGE = terms(
    "新包装", "包装更新", "包装升级", "更换包装", "更换为", "新老包装", "包装随机",
    "包装以实物为准", "new packaging", "packaging may vary", "packaging has changed",
    "packaging change", "new look",
)
STOCK_UPDATE = terms(
    "到货通知", "预计到货", "到货时间", "补货", "上新", "更新于", "更新时间", "上架时间",
    "restock", "restocked", "back in stock", "expected back", "updated on", "last updated",
)

# 6.1.3.f: goods that need fitting (crawler/vocabulary.yaml product_conditions), and the
# arrangements a seller states for it.
NEEDS_INSTALLATION = terms(*load_vocabulary().words("product_conditions", "needs_installation"))
INSTALLATION_ARRANGEMENT = terms(
    "安装", "调试", "送装", "上门", "组装", "installation", "install", "installer", "set-up",
    "setup", "assembly", "fitting",
)

# 6.1.3.g: goods with a safety risk, read from the product's own name (not the category: a
# "家用电器" breadcrumb does not make a rice cooker a hazard), and the warnings a seller gives.
# The goods are data (crawler/vocabulary.yaml product_conditions): the crawler uses the same
# list to open such a product when a listing card shows one.
SAFETY_RISK = terms(*load_vocabulary().words("product_conditions", "safety_risk"))
SAFETY_WARNING = terms(
    "安全注意事项", "注意事项", "安全提示", "安全须知", "警告", "警示", "危险", "小心", "当心",
    "请勿", "禁止", "切勿", "严禁", "远离", "safety", "warning", "warnings", "caution", "danger",
    "do not", "never", "keep away", "keep out of reach", "hazard",
)

# 6.1.4: controls that put relevant goods first.
SORT_CONTROL = terms(
    "排序", "综合", "销量", "价格从低到高", "价格从高到低", "价格升序", "价格降序", "新品", "最新",
    "人气", "好评", "sort", "sort by", "price: low to high", "price: high to low",
    "price low to high", "price high to low", "newest", "best selling", "bestselling",
    "most popular", "relevance", "top rated",
)
FILTER_CONTROL = terms(
    "筛选", "品牌", "价格区间", "分类", "仅显示有货", "有货", "filter", "filters", "refine",
    "brand", "price range", "category", "in stock only",
)
CONTROL_TAGS = {"a", "button", "select", "option", "label", "input"}

# 6.1.5: questions about the product and earlier answers.
PRODUCT_QA = terms(
    "商品问答", "问答", "大家都在问", "问大家", "商品咨询", "购买咨询", "我要提问", "我要咨询",
    "提问", "Q&A", "questions & answers", "questions and answers", "customer questions",
    "ask a question", "ask about this product",
)
GENERAL_CHAT = terms(
    "联系客服", "在线客服", "咨询客服", "客服", "live chat", "chat with us", "contact us",
    "customer service",
)

# Values that are no value: an empty placeholder after a label is not information.
PLACEHOLDER = re.compile(
    r"(?:暂无|无|未知|待定|不详|见包装|详见包装|n/?a|none|unknown|tbd|tba|null|-+|—+|/|\.+)",
    re.IGNORECASE,
)
PUNCTUATION = " :：;；,，.。-—|/()（）[]【】\t"
NEXT_LABEL = re.compile(r"^[^\s:：]{1,10}\s*[:：]")  # "规格：" right after "产地：" means empty
MAX_VALUE_CHARS = 60
MAX_LISTED = 5  # products or URLs named in a reason
# fmt: on


# --- small helpers ---------------------------------------------------------------------------


def _searched(page: Page, what: str) -> Evidence:
    """Evidence of where a check looked without finding something."""
    return evidence(page, None, f"searched: {what}")


def _in_chrome(el: lxml.html.HtmlElement) -> bool:
    """True inside the site header, footer or navigation, which are the same on every page."""
    node = el
    while node is not None and isinstance(node.tag, str):
        if node.tag in ("header", "footer", "nav"):
            return True
        node = node.getparent()
    return False


# Blocks on a product page that show *other* goods (recommendation shelves, product cards):
# their promotions and stock tags say nothing about the product the page is about.
OTHER_GOODS_CLASS = re.compile(
    r"related|recommend|shelf|similar|also-?like|guess|猜你喜欢",
    re.IGNORECASE,
)


def _in_other_goods(el: lxml.html.HtmlElement) -> bool:
    node = el
    while node is not None and isinstance(node.tag, str):
        if OTHER_GOODS_CLASS.search(f"{node.get('class', '')} {node.get('id', '')}"):
            return True
        node = node.getparent()
    return False


def _is_control(el: lxml.html.HtmlElement) -> bool:
    return el.tag in ("a", "button") or el.get("role") in ("tab", "button", "link")


def product_name(page: Page) -> str:
    """What a reason calls a product: its visible heading, else the step title."""
    for h1 in page.tree.iter("h1"):
        if not is_hidden(h1):
            name = element_text(h1)
            if name:
                return excerpt(name, width=40)
    return page.step.title or page.step.id


def _name_text(page: Page, with_breadcrumb: bool = True) -> str:
    """Text that says what a product is: heading, title and breadcrumb (not the site menu)."""
    parts = [page.step.title]
    for h1 in page.tree.iter("h1"):
        parts.append(element_text(h1))
    for el in page.tree.iter() if with_breadcrumb else ():
        if isinstance(el.tag, str) and (
            BREADCRUMB_CLASS.search(el.get("class", "") + " " + el.get("id", ""))
            or (el.get("aria-label") or "").lower() == "breadcrumb"
        ):
            parts.append(element_text(el))
    return normalise(" ".join(parts))


def _meaningful(value: str) -> bool:
    value = value.strip(PUNCTUATION)
    if not value or NEXT_LABEL.match(value):
        return False
    first = re.split(r"[\s,，;；]", value, maxsplit=1)[0].strip(PUNCTUATION)
    if PLACEHOLDER.fullmatch(first or value):
        return False
    return bool(re.search(r"[0-9A-Za-z\u4e00-\u9fff]", value))


def _after(text: str, pattern: re.Pattern[str]) -> str:
    """The first meaningful text right after a label occurrence in `text`, or ""."""
    for m in pattern.finditer(text):
        value = text[m.end() :].lstrip(PUNCTUATION)[:MAX_VALUE_CHARS]
        if _meaningful(value):
            return value.strip()
    return ""


def _value_near(
    el: lxml.html.HtmlElement, text: str, label: re.Pattern[str], depth: int = 0
) -> str:
    """The value a label element shows: in its own text, its tail, or its next sibling.

    Covers "产地：中国", <th>产地</th><td>中国</td>, <dt>/<dd>, <span>产地</span> 中国. When a
    next sibling exists it decides (an empty <dd> means no value, whatever follows it). A label
    wrapped alone in its parent (<td><span>产地</span></td><td>中国</td>) is looked at from the
    parent, one level up.
    """
    own = _after(text, label)
    if own:
        return own
    if el.tail and _meaningful(el.tail):
        return normalise(el.tail)[:MAX_VALUE_CHARS]
    sibling = el.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()
    if sibling is not None:
        if is_hidden(sibling):
            return ""
        value = element_text(sibling)[:MAX_VALUE_CHARS]
        return value if _meaningful(value) else ""
    parent = el.getparent()
    if depth < 2 and parent is not None and element_text(parent) == element_text(el):
        return _value_near(parent, "", label, depth + 1)
    return ""


def labelled_value(
    pages: Page | Iterable[Page], label: re.Pattern[str], value_shape: re.Pattern[str] | None = None
) -> tuple[Evidence, str] | None:
    """The first visible label with a real value, as (evidence, value); None when none has one.

    Tabs, buttons and links that merely carry a label word ("规格参数" tab) are not labels, nor
    is the product's own name ("无品牌水杯" holds 品牌). `value_shape`, when given, must match
    the value (e.g. a standard code).
    """
    for hit in find(pages, label, limit=0):
        if _is_control(hit.element) or hit.element.tag == "h1":
            continue
        value = _value_near(hit.element, hit.text, label)
        if value and (value_shape is None or value_shape.search(value)):
            return hit.evidence(f"{hit.match}: {value}"), value
    return None


def _first_hit(
    pages: Page | Iterable[Page],
    pattern: re.Pattern[str],
    accept: Callable[[Any], bool] = lambda hit: True,
) -> Any:
    return next((hit for hit in find(pages, pattern, limit=0) if accept(hit)), None)


def _not_title(page: Page) -> Callable[[Any], bool]:
    """Accept hits about this product: outside its heading (a name saying "空调" is not an
    arrangement), the site chrome and shelves of other goods."""
    headings = {id(h) for h in page.tree.iter("h1")}
    return lambda hit: (
        id(hit.element) not in headings
        and not _in_chrome(hit.element)
        and not _in_other_goods(hit.element)
    )


def _names(pages: Iterable[Page]) -> str:
    names = [product_name(p) for p in pages]
    shown = "; ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def _per_product(
    bundle: Bundle,
    elements: dict[str, Callable[[Page], Evidence | None]],
    subject: str,
) -> Verdict:
    """Judge every product page for every element; fail names products and what they lack."""
    pages = bundle.pages("product")
    found: list[Evidence] = []
    lacking: list[str] = []
    where_looked: list[Evidence] = []
    for page in pages:
        missing = []
        for element, finder in elements.items():
            ev = finder(page)
            if ev is None:
                missing.append(element)
            else:
                found.append(ev)
        if missing:
            lacking.append(f"{product_name(page)} (no {', '.join(missing)})")
            where_looked.append(_searched(page, ", ".join(missing)))
    if lacking:
        shown = "; ".join(lacking[:MAX_LISTED])
        more = f"; and {len(lacking) - MAX_LISTED} more" if len(lacking) > MAX_LISTED else ""
        return failed(
            f"{len(lacking)} of {len(pages)} product page(s) lack {subject}: {shown}{more}.",
            where_looked + found,
        )
    return passed(f"All {len(pages)} product page(s) show {subject}.", found)


# --- 6.1.1 page perception ---------------------------------------------------------------


def _navigation(page: Page) -> Evidence | None:
    """A menu of several visible links (nav element, menu/category block) or a breadcrumb."""
    for el in page.tree.iter():
        if not isinstance(el.tag, str) or is_hidden(el):
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')} {el.get('role', '')}"
        if BREADCRUMB_CLASS.search(marks) or (el.get("aria-label") or "").lower() == "breadcrumb":
            if element_text(el):
                return evidence(page, el, "breadcrumb")
        if el.tag == "nav" or el.get("role") == "navigation" or NAV_CLASS.search(marks):
            visible = [a for a in el.iter("a") if not is_hidden(a) and element_text(a)]
            if len(visible) >= MIN_NAV_LINKS:
                return evidence(page, el, f"navigation menu with {len(visible)} links")
    hit = _first_hit(page, CATEGORY_MENU)
    return hit.evidence("category menu") if hit else None


@check("6.1.1.a")
def navigation_and_help(bundle: Bundle) -> Verdict:
    """Site navigation (menu, categories or breadcrumb) and help for new customers."""
    browse_pages = bundle.pages("home", "listing", "product")
    nav = next((ev for ev in map(_navigation, browse_pages) if ev is not None), None)
    help_ev = None
    help_page = bundle.page("help")
    if help_page is not None:
        help_ev = evidence(help_page, None, "help page reached")
    else:
        hit = _first_hit(bundle.pages(), HELP)
        help_ev = hit.evidence("help entry") if hit else None
    home = bundle.pages("home")[0]
    if nav is None or help_ev is None:
        missing = [n for n, ev in (("navigation menu", nav), ("help", help_ev)) if ev is None]
        return failed(
            f"No {' and no '.join(missing)} found for a customer to find their way.",
            [_searched(home, " and ".join(missing))] + [e for e in (nav, help_ev) if e],
        )
    return passed(
        "Navigation and help are present; the auditor rates how easy they are to use.",
        [nav, help_ev],
    )


def _login_entry(page: Page) -> Evidence | None:
    """A visible link or button on the page leading to sign-in (or to the account, which asks)."""
    fallback = None
    for label, href, el in links(page):
        if LOGIN.search(label) or (not label and LOGIN_HREF.search(href)):
            return evidence(page, el, f"login link to {href}")
        if fallback is None and (ACCOUNT_ENTRY.search(label) or LOGIN_HREF.search(href)):
            fallback = evidence(page, el, f"account link to {href} (sign-in on the way)")
    for el in page.tree.iter("button"):
        if not is_hidden(el) and LOGIN.search(element_text(el) or el.get("aria-label") or ""):
            return evidence(page, el, "login button")
    return fallback


def _load_times(bundle: Bundle) -> tuple[list[float], str] | None:
    """Page load times in ms, from the timings probe or else from the steps' own timings."""
    fact = bundle.fact("timings")
    if fact is not None and fact_problem(bundle, "timings") is None:
        loads = [float(p["load"]) for p in fact.get("pages", []) if p.get("load")]
        if not loads and fact.get("median_load_ms"):
            loads = [float(fact["median_load_ms"])]
        if loads:
            return loads, "timings probe"
    loads = [float(s.timings["load"]) for s in bundle.steps if s.timings.get("load")]
    return (loads, "step navigation timings") if loads else None


@check("6.1.1.b")
def login_and_speed(bundle: Bundle) -> Verdict:
    """Login reachable from the home page, and pages that load quickly (median < 3 s)."""
    home = bundle.pages("home")[0]
    login = _login_entry(home)
    if login is None:
        return failed(
            "The home page offers no visible way to sign in.",
            _searched(home, "links and buttons for 登录 / sign in / my account"),
        )
    measured = _load_times(bundle)
    if measured is None:
        problem = fact_problem(bundle, "timings") or "no load times recorded"
        return review(f"Login link found, but page speed was not measured: {problem}.", login)
    loads, source = measured
    median, worst = statistics.median(loads), max(loads)
    figures = (
        f"median load {median / 1000:.2f} s, slowest {worst / 1000:.2f} s over "
        f"{len(loads)} page(s) ({source})"
    )
    speed = Evidence(step="", note=figures)
    if median >= SLOW_MEDIAN_LOAD_MS:
        return failed(f"Pages load slowly: {figures}.", [speed, login])
    return passed(
        f"Login reachable from home; {figures}. The auditor rates the experience.", [login, speed]
    )


def _language_controls(page: Page) -> list[Evidence]:
    found = []
    for el in page.tree.iter("link"):
        if (el.get("rel") or "").lower() == "alternate" and el.get("hreflang"):
            found.append(
                evidence(
                    page,
                    el,
                    f"alternate version hreflang={el.get('hreflang')}",
                    text=el.get("href", ""),
                )
            )
    for label, href, el in links(page):
        short = label.strip()
        if el.get("hreflang") or (
            len(short) <= 20 and (LANGUAGE_LABEL.fullmatch(short) or LANGUAGE_WORD.search(short))
        ):
            found.append(evidence(page, el, f"language link to {href}"))
    for select in page.tree.iter("select"):
        options = [element_text(o) for o in select.iter("option")]
        if not is_hidden(select) and sum(bool(LANGUAGE_LABEL.fullmatch(o)) for o in options) >= 2:
            found.append(evidence(page, select, "language selector"))
    for el in page.tree.iter("button"):
        text = element_text(el)
        if (
            not is_hidden(el)
            and text
            and len(text) <= 20
            and (LANGUAGE_LABEL.fullmatch(text) or LANGUAGE_WORD.search(text))
        ):
            found.append(evidence(page, el, "language button"))
    return found


@check("6.1.1.c")
def language_choice(bundle: Bundle) -> Verdict:
    """A language switcher or alternate-language versions of the site."""
    fact = bundle.fact("language")
    problem = fact_problem(bundle, "language")
    if problem is None and (fact.get("switcher_found") or fact.get("alternates")):
        alternates = ", ".join(a.get("hreflang", "?") for a in fact.get("alternates", []))
        note = "language switcher" + (f"; alternates: {alternates}" if alternates else "")
        if fact.get("switched_language"):
            note += f"; switched to {fact['switched_language']}"
        return passed("The site offers a choice of language.", fact_evidence(bundle, fact, note))
    home = bundle.pages("home")[0]
    found = _language_controls(home)
    if found:
        return passed("The home page offers a choice of language.", found[:3])
    if fact is not None and problem is not None:
        return review(
            f"No language control visible on the home page; {problem}.",
            _searched(home, "language links, hreflang alternates"),
        )
    return failed(
        "No language switcher or alternate-language version found.",
        _searched(home, "language links (English / 中文 / EN), hreflang alternates"),
    )


def _media(page: Page) -> list[lxml.html.HtmlElement]:
    """Visible pictures, audio and video of the page content (not site chrome, not icons)."""
    found = []
    for el in page.tree.iter("img", "svg", "video", "audio", "iframe", "picture"):
        if is_hidden(el) or _in_chrome(el):
            continue
        if el.tag == "iframe" and not re.search(
            r"video|youtube|youku|bilibili|vimeo|player", el.get("src", ""), re.IGNORECASE
        ):
            continue
        if el.tag in ("img", "svg") and _too_small(el):
            continue
        if el.tag == "svg" and not (
            el.get("role") == "img"
            or el.get("aria-label")
            or el.find("title") is not None
            or _has_size(el)
        ):
            continue
        found.append(el)
    return found


def _px(value: str | None) -> float | None:
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*$", value or "")
    return float(m.group(1)) if m else None


def _has_size(el: lxml.html.HtmlElement) -> bool:
    return _px(el.get("width")) is not None or _px(el.get("height")) is not None


def _too_small(el: lxml.html.HtmlElement) -> bool:
    sizes = [s for s in (_px(el.get("width")), _px(el.get("height"))) if s is not None]
    return bool(sizes) and min(sizes) < MIN_PICTURE_PX


FONT_SIZE = re.compile(r"font-size\s*:\s*(\d+(?:\.\d+)?)px", re.IGNORECASE)
BODY_RULE = re.compile(r"(?:^|\})\s*(?:html|body|p|main)\s*(?:,[^{]*)?\{([^}]*)\}", re.IGNORECASE)
COLOUR = re.compile(r"(?<![-\w])color\s*:\s*([^;}\s]+)", re.IGNORECASE)
BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*([^;}\s]+)", re.IGNORECASE)


def _rgb(value: str) -> tuple[float, float, float] | None:
    value = value.strip().lower()
    named = {"white": "#ffffff", "black": "#000000"}
    value = named.get(value, value)
    if m := re.fullmatch(r"#([0-9a-f]{3})", value):
        value = "#" + "".join(c * 2 for c in m.group(1))
    if m := re.fullmatch(r"#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})", value):
        return tuple(int(g, 16) / 255 for g in m.groups())  # type: ignore[return-value]
    if m := re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*[\d.]+)?\)", value):
        return tuple(int(g) / 255 for g in m.groups())  # type: ignore[return-value]
    return None


def _contrast(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    def luminance(rgb: tuple[float, ...]) -> float:
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _readability_problem(page: Page) -> str | None:
    """A body font or colour declared in the page's own CSS that is too small or too faint.

    Only what the saved HTML declares for html/body/p/main is read; external style sheets are
    the auditor's to judge from the screenshot.
    """
    rules = [
        m.group(1)
        for style in page.tree.iter("style")
        for m in BODY_RULE.finditer(style.text or "")
    ]
    body = page.tree.find("body")
    if body is not None and body.get("style"):
        rules.append(body.get("style"))
    for rule in rules:
        if (m := FONT_SIZE.search(rule)) and float(m.group(1)) < MIN_BODY_FONT_PX:
            return f"body text set to {m.group(1)}px"
        fg = (m := COLOUR.search(rule)) and _rgb(m.group(1))
        bg = (m := BACKGROUND.search(rule)) and _rgb(m.group(1))
        if fg and bg and _contrast(fg, bg) < MIN_CONTRAST:
            return f"text colour contrast {_contrast(fg, bg):.1f}:1 against its background"
    return None


@check("6.1.1.d")
def readable_text_and_media(bundle: Bundle) -> Verdict:
    """Product pages show pictures (or audio/video) and do not set unreadable body text."""
    pages = bundle.pages("product")
    found, without, unreadable = [], [], []
    for page in pages:
        media = _media(page)
        if media:
            kinds = sorted({m.tag for m in media})
            found.append(
                evidence(
                    page,
                    media[0],
                    f"{len(media)} media element(s): {', '.join(kinds)}",
                    text=media[0].get("alt") or "",
                )
            )
        else:
            without.append(page)
        if problem := _readability_problem(page):
            unreadable.append((page, problem))
    if unreadable:
        page, problem = unreadable[0]
        return failed(
            f"Text is hard to read on {product_name(page)}: {problem}.",
            [evidence(page, None, problem)],
        )
    if without:
        return failed(
            f"No picture, audio or video on product page(s): {_names(without)}.",
            [_searched(p, "img, picture, svg, video, audio") for p in without] + found,
        )
    return passed(
        "Product pages carry pictures or video; no unreadable body text declared. "
        "The auditor rates font size and colours from the screenshots.",
        found,
    )


def _search_part(bundle: Bundle) -> tuple[str, str, Evidence | None]:
    """('ok'|'bad'|'unknown', words, evidence) for the search probe."""
    fact = bundle.fact("search")
    if (problem := fact_problem(bundle, "search")) is not None:
        return "unknown", problem, None
    count = fact.get("result_count") or 0
    query = str(fact.get("query", ""))
    if count <= 0:
        return (
            "bad",
            f"searching for '{query}' found nothing",
            fact_evidence(bundle, fact, f"search '{query}': 0 results"),
        )
    firsts = [str(t) for t in fact.get("first_results", [])]
    note = f"search '{query}': {count} result(s)" + (
        f"; first: {' | '.join(firsts[:3])}" if firsts else ""
    )
    if firsts and not any(_relevant(query, t) for t in firsts):
        return (
            "unknown",
            f"{note}, but none of the first results mentions the query",
            fact_evidence(bundle, fact, note),
        )
    return "ok", note, fact_evidence(bundle, fact, note)


def _relevant(query: str, result: str) -> bool:
    """A result mentions the query: a word of it, or (Chinese) any two-character piece."""
    query, result = query.lower(), result.lower()
    words = [w for w in re.split(r"\s+", query) if w]
    pieces = (
        [query[i : i + 2] for i in range(len(query) - 1)]
        if re.search(r"[\u4e00-\u9fff]", query)
        else []
    )
    return any(w in result for w in words + pieces)


def _links_part(bundle: Bundle) -> tuple[str, str, Evidence | None]:
    fact = bundle.fact("links")
    if (problem := fact_problem(bundle, "links")) is not None:
        return "unknown", problem, None
    checked = fact.get("checked") or 0
    broken = fact.get("broken") or []
    if broken:
        shown = ", ".join(f"{b.get('url')} ({b.get('status')})" for b in broken[:MAX_LISTED])
        return (
            "bad",
            f"{len(broken)} of {checked} links broken: {shown}",
            Evidence(
                step=broken[0].get("from_step", ""),
                url=str(broken[0].get("url", "")),
                note=f"broken link, status {broken[0].get('status')}",
            ),
        )
    if checked <= 0:
        return "unknown", "the link probe checked no links", None
    return (
        "ok",
        f"{checked} links checked, none broken",
        Evidence(step="", note=f"{checked} same-origin links checked, none broken"),
    )


@check("6.1.1.e")
def search_and_links(bundle: Bundle) -> Verdict:
    """Search returns relevant goods and the store's own links work (search and links probes)."""
    parts = [_search_part(bundle), _links_part(bundle)]
    words = "; ".join(w for _, w, _ in parts)
    found = [ev for _, _, ev in parts if ev is not None]
    if any(state == "bad" for state, _, _ in parts):
        return failed(f"{words[0].upper()}{words[1:]}.", found)
    if any(state == "unknown" for state, _, _ in parts):
        return review(f"Not fully observed: {words}.", found)
    return passed(f"{words[0].upper()}{words[1:]}. The auditor rates speed and clarity.", found)


# --- 6.1.2 basic information about the seller ---------------------------------------------


def _licence_shown(page: Page) -> Evidence | None:
    """On the licence page: the licence named in its text, or a picture of the licence."""
    hit = _first_hit(page, LICENCE)
    if hit is not None:
        return hit.evidence("licence page")
    picture = next(
        (el for el in page.tree.iter("img") if not is_hidden(el) and not _in_chrome(el)), None
    )
    if picture is not None:
        return evidence(
            page,
            picture,
            "licence image on the licence page",
            text=picture.get("alt") or picture.get("src") or "",
        )
    return None


@check("6.1.2.a")
def licence_to_operate(bundle: Bundle) -> Verdict:
    """A business licence, ICP filing or permit with its number, or the licence page itself."""
    pages = bundle.pages()
    numbered = _first_hit(pages, LICENCE, lambda h: LICENCE_NUMBER.search(h.text))
    if numbered is not None:
        return passed(
            "The seller shows its licence with a number.", numbered.evidence("licence with number")
        )
    licence_page = bundle.page("licence")
    if licence_page is not None:
        ev = _licence_shown(licence_page)
        if ev is not None:
            return passed("The seller has a licence page showing its licence.", ev)
    mention = _first_hit(pages, LICENCE)
    if mention is not None:
        return review(
            "A licence is mentioned but no number was found and no licence page was "
            "saved; the auditor checks the linked page or image.",
            mention.evidence("licence mention without number"),
        )
    return failed(
        "No business licence, ICP filing or permit is shown on any saved page.",
        [_searched(p, "营业执照 / ICP备 / licence with a number") for p in pages[:3]],
    )


def _contact_channels(pages: list[Page]) -> list[Evidence]:
    """Phone, e-mail and chat/message channels, each with something a customer can use."""
    found: dict[str, Evidence] = {}
    for page in pages:
        for label, href, el in links(page):
            if href.startswith("tel:"):
                found.setdefault("phone", evidence(page, el, f"phone link {href}"))
            elif href.startswith("mailto:"):
                found.setdefault("e-mail", evidence(page, el, f"e-mail link {href}"))
            elif LIVE_CHAT.search(label):
                found.setdefault("chat/message", evidence(page, el, "chat or message channel"))
        for el in page.tree.iter("button"):
            if not is_hidden(el) and LIVE_CHAT.search(element_text(el)):
                found.setdefault("chat/message", evidence(page, el, "chat or message channel"))
    for hit in find(pages, CONTACT_WORD, limit=0):
        if "phone" not in found and PHONE_NUMBER.search(hit.text):
            found["phone"] = hit.evidence("phone number")
        if "e-mail" not in found and EMAIL_ADDRESS.search(hit.text):
            found["e-mail"] = hit.evidence("e-mail address")
        if len(found) >= 3:
            break
    return list(found.values())


@check("6.1.2.b")
def contact_channels(bundle: Bundle) -> Verdict:
    """A phone number, e-mail address, or chat/message channel a customer can use."""
    pages = bundle.pages()
    channels = _contact_channels(pages)
    if channels:
        names = ", ".join(ev.note for ev in channels)
        return passed(f"The seller can be reached: {names}.", channels)
    return failed(
        "No phone number, e-mail address or chat/message channel is shown.",
        [_searched(p, "客服电话 / e-mail / 在线客服") for p in pages[:3]],
    )


@check("6.1.2.c")
def b2cect_commitment(bundle: Bundle) -> Verdict:
    """The B2CECT (LB/T 10001) commitment is published; a generic pledge goes to the auditor."""
    pages = bundle.pages()
    hit = _first_hit(pages, B2CECT_COMMITMENT)
    if hit is not None:
        return passed(
            "The seller publishes its B2CECT commitment.", hit.evidence("B2CECT commitment")
        )
    generic = _first_hit(pages, GENERIC_COMMITMENT)
    if generic is not None:
        return review(
            "A service commitment is shown, but it does not name B2CECT or "
            "LB/T 10001; the auditor decides whether it is the B2CECT commitment.",
            generic.evidence("generic commitment"),
        )
    return failed(
        "No B2CECT commitment is published on any saved page.",
        [_searched(p, "B2CECT / LB/T 10001 / 服务承诺") for p in pages[:3]],
    )


# Store-wide information lives on help pages, footers and the checkout, not in a product's
# Q&A: an answer to one customer ("可开具发票") is not the store's invoicing policy.
GOODS_PAGE_KINDS = ("product", "listing", "search")


def _saved_paths(bundle: Bundle) -> set[str]:
    return {urlsplit(p.url).path.rstrip("/") for p in bundle.pages()}


def _link_target_saved(hit: Any, saved: set[str]) -> bool:
    href = hit.element.get("href") or ""
    return urlsplit(urljoin(hit.page.url, href)).path.rstrip("/") in saved


def _chrome_label(hit: Any) -> bool:
    """A heading in the header, footer or menu ("支付与发票" over a column of links) only names
    the links below it; the explanation is on the pages they lead to."""
    return hit.element.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "dt") and _in_chrome(hit.element)


@check("6.1.2.d")
def payment_invoice_returns_info(bundle: Bundle) -> Verdict:
    """Payment forms, invoices, returns/exchanges and after-sales channels are explained.

    Text counts; a bare footer link, or a footer column heading, does not (it only promises a
    page). A link whose page was saved without the topic, or that answers 404, counts as nothing;
    one whose page was not saved goes to the auditor. Reviews and Q&A are customers' words.
    """
    pages = [p for p in bundle.pages() if p.kind not in GOODS_PAGE_KINDS]
    saved = _saved_paths(bundle)
    topics = {
        "payment forms": PAYMENT_INFO,
        "invoices/receipts": INVOICE_INFO,
        "returns/exchanges": RETURNS_INFO,
        "after-sales service": AFTER_SALES_INFO,
    }
    broken = broken_targets(bundle)
    explained, linked_only, absent = [], [], []
    for topic, pattern in topics.items():
        # Customers' reviews and questions are not the store's information, and a link to a
        # page that answers 404 explains nothing.
        hits = [
            h
            for h in seller_text_only(find(pages, pattern, limit=0))
            if not points_to_broken(h, broken)
        ]
        texts = [h for h in hits if not _is_control(h.element) and not _chrome_label(h)]
        # A sentence about the topic beats a bare heading; a heading on a saved page still counts.
        text_hit = next((h for h in texts if len(h.text) > len(h.match) + 6), None) or next(
            iter(texts), None
        )
        unsaved_links = [
            h for h in hits if h.element.tag == "a" and not _link_target_saved(h, saved)
        ]
        if text_hit is not None:
            explained.append(text_hit.evidence(topic))
        elif unsaved_links:
            linked_only.append((topic, unsaved_links[0].evidence(f"{topic}: link only")))
        else:
            absent.append(topic)
    if absent:
        return failed(
            f"Not explained on any saved help, footer or checkout page: {', '.join(absent)}.",
            [_searched(p, ", ".join(absent)) for p in pages[:3]] + explained,
        )
    if linked_only:
        names = ", ".join(t for t, _ in linked_only)
        return review(
            f"Only linked, page not saved: {names}; the auditor follows the links.",
            explained + [ev for _, ev in linked_only],
        )
    return passed("Payment, invoicing, returns and after-sales are explained.", explained)


# --- 6.1.3 product information --------------------------------------------------------------


def _heading(page: Page) -> Evidence | None:
    for h1 in page.tree.iter("h1"):
        if not is_hidden(h1) and element_text(h1):
            return evidence(page, h1, "product name")
    for el in page.tree.iter():
        if (
            isinstance(el.tag, str)
            and el.get("itemprop") == "name"
            and not is_hidden(el)
            and element_text(el)
        ):
            return evidence(page, el, "product name")
    return None


def _price(page: Page) -> Evidence | None:
    """A visible amount of money (¥199, 199元, RMB 199), also when sign and number are split."""
    for hit in find(page, PRICE_MARK, limit=0):
        parent = hit.element.getparent()
        for text in (hit.text, element_text(parent) if parent is not None else ""):
            if m := PRICE_VALUE.search(text):
                return hit.evidence(f"price {excerpt(text[m.start() :], width=20)}")
    return None


def _labelled(
    label: re.Pattern[str], name: str, shape: re.Pattern[str] | None = None
) -> Callable[[Page], Evidence | None]:
    def finder(page: Page) -> Evidence | None:
        found = labelled_value(page, label, shape)
        return None if found is None else found[0]

    finder.__name__ = f"find_{name}"
    return finder


@check("6.1.3.a")
def product_basics(bundle: Bundle) -> Verdict:
    """Name, price, specification, maker and origin on every product page, each with a value."""
    return _per_product(
        bundle,
        {
            "name": _heading,
            "price": _price,
            "specification": _labelled(SPECIFICATION, "specification"),
            "maker": _labelled(MAKER, "maker"),
            "origin": _labelled(ORIGIN, "origin"),
        },
        "name, price, specification, maker and origin",
    )


def _standard(page: Page) -> Evidence | None:
    found = labelled_value(page, STANDARD)
    if found is not None:
        return found[0]
    hit = _first_hit(page, terms("re:" + STANDARD_CODE.pattern))
    return hit.evidence("standard code") if hit else None


def _proof(page: Page) -> Evidence | None:
    """Certification, inspection or licence information: one kind is enough."""
    for pattern in (CERTIFICATION, INSPECTION, PRODUCTION_LICENCE):
        found = labelled_value(page, pattern)
        if found is not None:
            return found[0]
    return None


@check("6.1.3.b")
def quality_information(bundle: Bundle) -> Verdict:
    """Grade, standard, material, and certification/inspection/licence on every product page."""
    return _per_product(
        bundle,
        {
            "quality grade": _labelled(QUALITY_GRADE, "grade"),
            "standard": _standard,
            "material": _labelled(MATERIAL, "material"),
            "certification/inspection/licence": _proof,
        },
        "quality grade, standard, material and certification or inspection",
    )


def _picture(page: Page) -> Evidence | None:
    pictures = [el for el in _media(page) if el.tag in ("img", "svg", "picture")]
    if not pictures:
        for el in page.tree.iter():
            if (
                isinstance(el.tag, str)
                and "background-image" in (el.get("style") or "")
                and not is_hidden(el)
                and not _in_chrome(el)
            ):
                return evidence(page, el, "picture as background image")
        return None
    el = pictures[0]
    return evidence(
        page,
        el,
        f"product picture <{el.tag}>",
        text=el.get("alt") or el.get("aria-label") or el.get("src") or "",
    )


def _marks(page: Page) -> Evidence | None:
    """Brand or trademark with a value, a logo/label image, or a named label (能效标识, 3C)."""
    found = labelled_value(page, BRAND)
    if found is not None:
        return found[0]
    for el in page.tree.iter("img", "svg"):
        described = " ".join(el.get(a) or "" for a in ("alt", "title", "aria-label", "class"))
        if not is_hidden(el) and not _in_chrome(el) and MARK_IMAGE.search(described):
            return evidence(page, el, "mark image", text=described.strip())
    hit = _first_hit(page, MARK_TEXT, _not_title(page))
    return hit.evidence("product mark") if hit else None


@check("6.1.3.c")
def pictures_and_marks(bundle: Bundle) -> Verdict:
    """Every product page shows a picture of the goods and its marks (brand, logo, labels)."""
    return _per_product(
        bundle, {"picture": _picture, "marks (brand/logo/label)": _marks}, "pictures and marks"
    )


def _is_out_of_stock(page: Page) -> bool:
    if "out_of_stock" in page.step.tags:
        return True
    if {"in_stock", "low_stock"} & set(page.step.tags):
        return False
    return _first_hit(page, OUT_OF_STOCK, _not_title(page)) is not None


def _stock(page: Page) -> Evidence | None:
    """Stock wording a customer can read; an out-of-stock page must say it is out of stock."""
    if _is_out_of_stock(page):
        hit = _first_hit(page, OUT_OF_STOCK, _not_title(page))
        return hit.evidence("out-of-stock notice") if hit else None
    hit = _first_hit(page, IN_STOCK, _not_title(page))
    if hit is not None:
        return hit.evidence("stock information")
    found = labelled_value(page, STOCK_LABEL)
    return found[0] if found else None


@check("6.1.3.d")
def stock_information(bundle: Bundle) -> Verdict:
    """Stock level on in-stock pages and an out-of-stock notice on sold-out pages."""
    verdict = _per_product(bundle, {"stock information": _stock}, "stock information")
    pages = bundle.pages("product")
    if verdict.outcome.value == "pass" and not any(_is_out_of_stock(p) for p in pages):
        verdict.hints.append(
            "No out-of-stock product was saved; how the store shows a sold-out "
            "product was not observed."
        )
    return verdict


def _updates(page: Page) -> Evidence | None:
    """News about this product: price or stock updated, promotion, packaging change, restock."""
    about_product = _not_title(page)

    def accept(hit: Any) -> bool:
        return about_product(hit) and not _is_control(hit.element)

    for pattern, note in (
        (PRICE_CHANGE, "price change"),
        (PROMOTION, "promotion"),
        (PACKAGING_CHANGE, "packaging change"),
        (STOCK_UPDATE, "stock update"),
    ):
        hit = _first_hit(page, pattern, accept)
        if hit is not None:
            return hit.evidence(note)
    return None


@check("6.1.3.e")
def product_updates(bundle: Bundle) -> Verdict:
    """Every product page tells of changes: price, stock, packaging or promotions."""
    return _per_product(
        bundle,
        {"update information (price, stock, packaging, promotion)": _updates},
        "update information",
    )


def _sellers_words_about(page: Page) -> Callable[[Any], bool]:
    """Accept hits about this product in the seller's own words: what customers write in
    reviews and Q&A ("the installer came on time", "careful, it gets hot") is not what the
    seller arranges or warns about."""
    about_product = _not_title(page)
    return lambda hit: about_product(hit) and not in_user_content(hit.element)


def _conditional(
    bundle: Bundle,
    applies: re.Pattern[str],
    needed: re.Pattern[str],
    goods: str,
    info: str,
    with_breadcrumb: bool,
) -> Verdict:
    """Judge the products the condition applies to, among ALL products seen: every saved product
    page or dialog, and the names on listing, search and home cards (`products_seen`).

    not_applicable only when no product seen anywhere meets the condition; products that meet
    it but were seen only on a card make a verdict that cannot rest on their pages: a pass
    names them, and with no such page opened at all the item needs review."""
    pages = bundle.pages("product")
    read = "name, title and breadcrumb" if with_breadcrumb else "name and title"
    concerned = [p for p in pages if applies.search(_name_text(p, with_breadcrumb))]
    opened = {u for p in pages for u in (p.step.url, p.step.final_url) if u}
    on_cards = [
        card
        for card in products_seen(bundle)
        if applies.search(card["name"]) and card.get("url", "") not in opened
    ]
    if not concerned and not on_cards:
        seen = len(pages) + sum(1 for c in products_seen(bundle) if c["url"] not in opened)
        return not_applicable(
            f"None of the {seen} product(s) seen (pages, dialogs and listing cards) is {goods} "
            f"(read from {read}): {_names(pages)}.",
            [evidence(p, None, "product name read") for p in pages[:MAX_LISTED]]
            + [_card_evidence(bundle, c) for c in products_seen(bundle)[:MAX_LISTED]],
        )
    card_names = "; ".join(c["name"] for c in on_cards[:MAX_LISTED])
    if not concerned:
        return review(
            f"Listing cards show {goods} ({card_names}), but none of their pages was opened, "
            f"so their {info} could not be checked.",
            [_card_evidence(bundle, c, f"{goods} seen on a card") for c in on_cards[:MAX_LISTED]],
        )
    found, lacking = [], []
    for page in concerned:
        hit = _first_hit(page, needed, _sellers_words_about(page))
        if hit is None:
            lacking.append(page)
        else:
            found.append(hit.evidence(info))
    if lacking:
        return failed(
            f"No {info} for {goods}: {_names(lacking)}.",
            [_searched(p, info) for p in lacking] + found,
        )
    also = (
        f" Also seen only on listing cards, pages not opened (not verified): {card_names}."
        if on_cards
        else ""
    )
    return passed(f"All {len(concerned)} product page(s) of {goods} show {info}.{also}", found)


def _card_evidence(
    bundle: Bundle, card: dict[str, Any], note: str = "product card read"
) -> Evidence:
    return fact_evidence(bundle, {"step": card.get("step")}, note, excerpt=card["name"])


@check("6.1.3.f")
def installation_arrangements(bundle: Bundle) -> Verdict:
    """Goods needing installation say how it is arranged (who, when, what it costs)."""
    return _conditional(
        bundle,
        NEEDS_INSTALLATION,
        INSTALLATION_ARRANGEMENT,
        "goods needing installation",
        "installation arrangements",
        with_breadcrumb=True,
    )


@check("6.1.3.g")
def safety_warnings(bundle: Bundle) -> Verdict:
    """Goods with a safety risk carry safety notes and risk warnings."""
    return _conditional(
        bundle,
        SAFETY_RISK,
        SAFETY_WARNING,
        "goods with a safety risk",
        "safety notes or warnings",
        with_breadcrumb=False,
    )


# --- 6.1.4 filters, 6.1.5 questions ------------------------------------------------------


def _page_controls(pages: list[Page], pattern: re.Pattern[str]) -> Evidence | None:
    """A control (link, button, select option, label, checkbox) whose text matches."""
    for page in pages:
        for el, label in _controls(page):
            if pattern.search(label):
                return evidence(page, el, "control", text=label)
    return None


def _controls(page: Page) -> Iterable[tuple[lxml.html.HtmlElement, str]]:
    for el in page.tree.iter(*CONTROL_TAGS):
        if is_hidden(el) or _in_chrome(el):
            continue
        label = element_text(el) or el.get("aria-label") or el.get("value") or ""
        if el.tag == "select":
            label = " ".join(filter(None, (el.get("name"), el.get("aria-label"), label)))
        if label:
            yield el, label


@check("6.1.4")
def filters_and_sorting(bundle: Bundle) -> Verdict:
    """Listings or search results offer sorting or filters (and sorting changes the order)."""
    pages = bundle.pages("listing", "search")
    fact = bundle.fact("listing_controls")
    if fact_problem(bundle, "listing_controls") is None:
        sorts, filters = fact.get("sort_options") or [], fact.get("filters") or []
        if sorts or filters:
            note = (
                f"sort: {', '.join(map(str, sorts[:6])) or 'none'}; "
                f"filters: {', '.join(map(str, filters[:6])) or 'none'}"
            )
            ev = fact_evidence(bundle, fact, note)
            if fact.get("sort_applied") and not fact.get("order_changed"):
                return review(
                    f"Controls found ({note}), but applying a sort did not change "
                    "the order of the goods; the auditor checks the sort works.",
                    ev,
                )
            return passed(f"Listings offer {note}. The auditor rates their usefulness.", ev)
    if not pages:
        why = bundle.why_not_reached("listing")
        return review(f"Not judged: {why}, and no search results page was saved.")
    sort_ev = _page_controls(pages, SORT_CONTROL)
    filter_ev = _page_controls(pages, FILTER_CONTROL)
    found = [ev for ev in (sort_ev, filter_ev) if ev is not None]
    if found:
        what = " and ".join(n for n, ev in (("sorting", sort_ev), ("filters", filter_ev)) if ev)
        return passed(
            f"Listing/search pages offer {what}. The auditor rates their usefulness.", found
        )
    return failed(
        "No sort or filter control on the listing or search pages.",
        [_searched(p, "sort / filter controls (排序, 筛选, sort by, filter)") for p in pages[:3]],
    )


@check("6.1.5")
def product_questions(bundle: Bundle) -> Verdict:
    """Each product page has a questions section (ask, or read earlier answers)."""
    pages = bundle.pages("product")
    found, chat_only, lacking = [], [], []
    for page in pages:
        hit = _first_hit(page, PRODUCT_QA, _not_title(page))
        if hit is not None:
            found.append(hit.evidence("questions about the product"))
            continue
        chat = _first_hit(page, GENERAL_CHAT)
        (chat_only if chat is not None else lacking).append(page)
        if chat is not None:
            found.append(chat.evidence("general customer-service contact only"))
    if lacking:
        return failed(
            f"No way to ask about the product on: {_names(lacking)}.",
            [_searched(p, "商品问答 / 商品咨询 / Q&A") for p in lacking] + found,
        )
    if chat_only:
        return review(
            f"Only a general customer-service contact on: {_names(chat_only)}; the "
            "auditor decides whether it serves product questions.",
            found,
        )
    return passed(f"All {len(pages)} product page(s) have a questions section.", found)
