"""Section 6.3 (after the sale): order tracking, delivery, cancellation, after-sales service.

One function per catalogue item (6.3.1.a - 6.3.4.5). Most items read the customer's side of the
store (order list, order detail, returns) together with what the probes observed there
(facts `order_history`, `order_actions`, `cancel_attempt`, `return_request`); policy items read
help, after-sales and product pages, wherever a store may put the words.

An order that would show the behaviour (a shipped order for the courier, a failed delivery for
its reason, an unshipped order for the cancel control) may simply not exist in the account the
crawler used. Then the check answers needs_review ("nothing to observe"), never fail: only
what was seen missing fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import lxml.html
from b2cect.crawler.bundle import Bundle, Page

from .facts import fact_evidence, fact_problem, page_of_step, usable_fact
from .reach import search_result
from .registry import check, login_wall
from .text import (
    Hit,
    broken_targets,
    element_text,
    evidence,
    find,
    is_hidden,
    normalise,
    page_text,
    points_to_broken,
    searched,
    seller_text_only,
    terms,
)
from .verdict import Evidence, Verdict, failed, not_applicable, passed, review

# --- vocabulary -----------------------------------------------------------------------------

# Word lists stay packed, several to a line, so a reader can scan them.
# fmt: off

# 6.3.1.a: the stages of an order a customer should be able to follow.
STAGE_SUBMITTED = terms(
    "已提交", "提交订单", "订单提交", "已下单", "下单成功", "下单时间", "创建订单", "订单创建",
    "submitted", "order placed", "order created", "placed on",
)
STAGE_PAID = terms(
    "已付款", "已支付", "支付成功", "付款成功", "付款时间", "支付时间", "paid",
    "payment received", "payment confirmed", "payment successful",
)
STAGE_CONFIRMED = terms(
    "已确认", "确认订单", "订单确认", "商家已确认", "卖家已确认", "已接单", "confirmed",
    "order accepted", "accepted",
)
STAGE_SHIPPED = terms(
    "已发货", "已出库", "发货时间", "配送中", "派送中", "运输中", "已揽收", "shipped",
    "dispatched", "out for delivery", "in transit",
)
STAGE_DELIVERED = terms("已签收", "已送达", "已收货", "delivered", "signed for")
# 6.3.4.2: a finished order ("Complete", "已完成") has reached the customer too, but the word
# counts only as the order's own status (a status cell holding just the word, or the value
# after a status label), never in a control or sentence such as "Complete your order".
FINISHED_WORD = terms("已完成", "交易完成", "交易成功", "订单完成", "complete", "completed")
FINISHED_STATUS = re.compile(r"(?:已完成|交易完成|交易成功|订单完成|completed?)(?![A-Za-z])", re.I)
ORDER_STAGES = {
    "submitted": STAGE_SUBMITTED,
    "paid": STAGE_PAID,
    "confirmed": STAGE_CONFIRMED,
    "shipped": STAGE_SHIPPED,
    "delivered": STAGE_DELIVERED,
}
ORDER_CHANGE = terms("修改订单", "订单修改", "已修改", "变更", "modify order", "order changed",
                     "change order", "amended")
TIMESTAMP = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|(?<!\d)\d{1,2}:\d{2}(?!\d)"
)
# Statuses of an order that has not left the warehouse yet (cancellable, no courier yet).
NOT_YET_SHIPPED = terms(
    "待付款", "待支付", "等待付款", "未付款", "待发货", "未发货", "待出库", "备货中",
    "awaiting payment", "pending payment", "unpaid", "awaiting dispatch", "awaiting shipment",
    "not yet shipped", "not shipped", "正在处理", "处理中", "being processed", "processing",
)
LEFT_WAREHOUSE = re.compile(
    "|".join(p.pattern for p in (STAGE_SHIPPED, STAGE_DELIVERED)), re.IGNORECASE
)

# 6.3.1.b: delivery status and the person bringing the parcel.
DELIVERY_STATUS = terms(
    "物流", "物流信息", "物流状态", "配送状态", "配送信息", "运单号", "快递单号", "承运",
    "配送中", "派送中", "运输中", "已发货", "已出库", "已签收", "tracking", "tracking number",
    "shipment", "delivery status", "carrier", "in transit", "out for delivery", "shipped",
    "dispatched", "delivered",
)
COURIER = terms(
    "配送员", "快递员", "派送员", "送货员", "配送人员", "快递小哥", "骑手", "配送师傅",
    "courier", "delivery person", "delivery man", "deliveryman", "delivery driver", "driver",
    "rider", "deliverer",
)
# A phone number as stores show a courier's: whole, masked (139****8765) or redacted.
PHONE = re.compile(
    r"(?<!\d)1[3-9]\d[\d*＊xX]{4}\d{4}(?!\d)|(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?!\d)|"
    r"(?<!\d)[48]00[-\s]?\d{3}[-\s]?\d{4}(?!\d)|\+\d{1,3}[-\s]?\d{2,4}[-\s]?\d{3,4}[-\s]?\d{3,4}"
    r"|\[redacted\]"
)

# 6.3.1.c: a failed delivery, why it failed, and what happens next.
FAILED_DELIVERY = terms(
    "配送失败", "派送失败", "投递失败", "交付失败", "送货失败", "无法送达", "未能送达", "未妥投",
    "delivery failed", "failed delivery", "delivery attempt failed", "undeliverable",
    "could not be delivered", "unable to deliver", "missed delivery", "delivery unsuccessful",
)
FAILURE_REASON = terms(
    "无人签收", "无人接听", "无人在家", "无人收货", "联系不上", "无法联系", "电话无人", "地址错误",
    "地址不详", "地址有误", "地址不全", "拒收", "超出配送范围", "不在家", "nobody", "no one",
    "no-one", "no answer", "not at home", "not home", "wrong address", "incomplete address",
    "refused", "recipient unavailable", "unreachable", "out of area",
    r"re:原因[:：]\s*[^\s:：]{2,}", r"re:reason:\s*[A-Za-z]{3,}",
)
# A passage about failed deliveries in general (help pages), not only an order's status.
FAILED_DELIVERY_TOPIC = terms(
    "re:" + FAILED_DELIVERY.pattern, "无人签收", "未能签收", "未签收", "nobody is home",
    "not delivered", "no one is home", r"re:deliver(?:y|ies)\s+(?:fails?|failed)",
    r"re:fail(?:s|ed)?\s+to\s+deliver",
)
REMEDY = terms(
    "重新配送", "重新派送", "再次派送", "再次配送", "二次派送", "改约", "预约配送", "修改收货时间",
    "修改收货地址", "修改地址", "更改地址", "改派", "自提", "退款", "redeliver", "re-deliver",
    "redelivery", "re-delivery", "reschedule", "rearrange", "deliver again", "delivered again",
    "collect it", "pick it up", "pick up", "refund", "refunded", "change the delivery",
)

# 6.3.2.x (manual): what the bundle can show the auditor.
DELIVERY_METHOD = terms("配送方式", "送货方式", "快递", "物流", "自提", "delivery method",
                        "shipping method", "express", "pick-up", "standard delivery")
ELECTRONIC_INVOICE = terms("电子发票", "下载发票", "查看发票", "开具发票", "发票", "e-invoice",
                           "electronic invoice", "download invoice", "invoice", "receipt")
REDELIVERY = terms("重新配送", "重新发货", "重新派送", "再次派送", "再次配送", "免费重发", "补发",
                   "re-send", "resend", "redeliver", "re-deliver", "redelivery", "re-delivery")
INSPECT_ON_DELIVERY = terms("验货", "拒收", "拒签", "当面检查", "开箱验", "签收前", "inspect",
                            "refuse", "refuse delivery", "check the goods")
QUALITY_CLAIM = terms("正品", "质检", "合格证", "3C", "CCC", "质量保证", "国家标准", "执行标准",
                      "quality", "genuine", "certified", "warranty", "standard")

# 6.3.3.1: a control that cancels an order, and the terms it comes with.
CANCEL_CONTROL = terms("取消订单", "申请取消", "取消该订单", "撤销订单", "cancel order",
                       "cancel this order", "cancel the order", "cancel my order")
CANCEL_WORD = terms("取消", "cancel", "cancellation", "cancelled", "canceled")
CANCEL_PERIOD = terms(
    "发货前", "未发货", "出库前", "发货之前", "付款前", "揽收前",
    "re:\\d+\\s*(?:分钟|小时|天|日)内",
    "before dispatch", "before it is dispatched", "before shipping", "before it ships",
    "before shipment", "until dispatch", "until it ships", "not yet shipped", "not shipped",
    r"re:within\s+\d+\s+(?:minutes?|hours?|days?)", "any time before",
)
NO_FEE = terms(
    "免费", "无需支付任何费用", "无需任何费用", "不收取", "不产生任何费用", "无任何费用", "不扣",
    "无额外费用", "零费用", "全额退", "free of charge", "no fee", "no fees", "no charge",
    "without charge", "at no cost", "no cost", "free", "refunded in full", "full refund",
)
CANCEL_TERMS = re.compile(f"{CANCEL_PERIOD.pattern}|{NO_FEE.pattern}", re.IGNORECASE)
CANCEL_FEE = terms("手续费", "违约金", "扣除", "扣款", "cancellation fee", "handling fee",
                   "deducted", "penalty")
# A fee that only applies once the goods have left (return carriage) is outside the period.
AFTER_SHIPPING = terms("发货后", "已发货", "出库后", "已出库", "签收后", "after dispatch",
                       "after shipping", "once shipped", "after it ships", "has shipped")

# 6.3.3.2: refunds after a cancellation.
REFUND = terms("退款", "退还", "退回", "退钱", "refund", "refunds", "refunded", "money back",
               "reimburse")
FULL_REFUND = terms("全额", "全部款项", "全部货款", "全款", "full refund", "in full",
                    "full amount", "refunded in full", "fully refunded", "100%")
REFUND_TIME = terms(
    "re:\\d+\\s*(?:-|~|至|到)?\\s*\\d*\\s*个?(?:工作日|自然日|天|日|小时|分钟)",
    "立即", "即时", "实时", "当天", "当日", "马上",
    r"re:\d+\s*(?:-|to)?\s*\d*\s*(?:working|business)?\s*(?:days?|hours?|minutes?)",
    "immediately", "instantly", "same day",
)
REFUND_CHANNELS = {
    "original method": terms("原路", "原支付方式", "原付款方式", "原账户", "original payment",
                             "original method", "original account", "same method",
                             "same card", "original card"),
    "balance": terms("余额", "账户余额", "钱包", "store credit", "balance", "wallet"),
    "bank card": terms("银行卡", "银行账户", "银联", "bank card", "bank account",
                       "bank transfer", "credit card"),
    "Alipay": terms("支付宝", "alipay"),
    "WeChat Pay": terms("微信", "wechat"),
}

# 6.3.4.1: after-sales policy, channels, process, contacts.
AFTER_SALES_POLICY = terms(
    "售后政策", "售后服务", "退换货政策", "退货政策", "三包", "保修", "无理由退", "质保",
    "退换货", "after-sales policy", "after-sales service", "after sales service",
    "return policy", "returns policy", "warranty", "guarantee", "return and exchange",
)
AFTER_SALES_PROCESS = terms(
    "售后流程", "退货流程", "退换货流程", "申请流程", "服务流程", "办理流程", "操作步骤",
    "申请步骤", "如何申请", "第一步", "步骤", "流程", "return process", "how to return",
    "how to request", "how to apply", "how to claim", "steps", "step 1", "process",
    "procedure",
)
CONTACT_CHANNEL = terms(
    "在线客服", "联系客服", "人工客服", "客服热线", "服务热线", "售后热线", "客服电话", "客服邮箱",
    "在线咨询", "live chat", "chat with us", "customer service", "hotline", "service hotline",
    "contact us", "call us", "email us",
)
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
LIVE_CHAT = terms("在线客服", "人工客服", "在线咨询", "live chat", "chat with us")
# A way to actually reach someone: a number, an address, or a chat.
CONTACT_MEANS = re.compile(
    f"{PHONE.pattern}|{EMAIL_ADDRESS.pattern}|{LIVE_CHAT.pattern}", re.IGNORECASE
)
COMMITMENT = terms("承诺", "保证", "保障", "re:\\d+\\s*(?:小时|工作日|天|日)内",
                   "we promise", "commitment", "guarantee", r"re:within\s+\d+\s+(?:hours?|days?)")

# 6.3.4.2: asking for a return, exchange or compensation.
# Labels of controls, not topics: a footer link "退换货政策" is not a way to ask for a return.
RETURN_CONTROL = terms(
    "申请售后", "申请退货", "申请换货", "申请退款", "申请退换货", "退换货申请", "售后申请",
    "申请赔偿", "我要退货", "我要换货", "退货/换货", "request a return", "request return",
    "return or exchange", "return/exchange", "return item", "return items", "return this item",
    "start a return", "apply for after-sales", "after-sales request", "request compensation",
    "request a refund", "request an exchange", r"re:return\s*/\s*exchange",
)
RETURN_GUIDANCE = terms(
    "退换货政策", "退货政策", "退换货须知", "退货须知", "申请须知", "服务说明", "退货说明",
    "退换货说明", "退货流程", "售后流程", "无理由退", "退货条件", "退换条件", "请填写", "问题描述",
    "return policy", "returns policy", "how to return", "return instructions", "eligible",
    "eligibility", "conditions", r"re:within\s+\d+\s+days", "describe the problem", "guide",
)

# 6.3.4.3: where a return request stands.
RETURN_WORD = terms("退货", "换货", "退换货", "退款", "售后", "赔偿", "服务单", "return",
                    "exchange", "refund", "after-sales", "RMA", "compensation")
# On an order page a status word must sit next to a return *request*, not the order's status.
RETURN_REQUEST = terms("服务单", "售后单", "退货单", "退货申请", "换货申请", "退换货申请",
                       "售后申请", "退款进度", "售后进度", "return request", "exchange request",
                       "RMA", "return status", "return progress")
RETURN_PROGRESS = terms(
    "审核中", "待审核", "审核通过", "已审核", "已同意", "已拒绝", "待寄回", "已寄回", "已收货",
    "仓库已收到", "退款中", "已退款", "处理中", "已完成", "已关闭", "已提交", "进度",
    "under review", "pending review", "approved", "rejected", "awaiting return",
    "goods received", "received", "refunded", "in progress", "processing", "completed",
    "closed", "submitted", "return requested",
)
# 6.3.4.3: a link or heading of the account's returns area ("退换货记录", "My returns").
RETURNS_AREA = terms("退换货", "退货", "换货", "售后", "退款", "returns", "return requests",
                     "refunds", "exchanges", "RMA")
ACCOUNT_KINDS = ("account", "profile", "orders", "order_detail", "addresses", "favourites")
PROGRESS_HEADING = terms("进度")  # "退换货进度" is a heading, not a request's status
EMPTY_LIST = terms("暂无", "没有记录", "无记录", "还没有", "no requests", "no returns",
                   "no records", "nothing here", "none yet", "no after-sales")

# 6.3.4.4: complaints and questions.
COMPLAINT = terms("投诉", "举报", "意见反馈", "投诉建议", "意见与建议", "complaint", "complaints",
                  "file a complaint", "feedback", "report a problem")
FREE_OF_CHARGE = terms(
    "免费", "不收取", "toll-free", "toll free", "free of charge", "free",
    r"re:(?<!\d)800[-\s]?\d{3}[-\s]?\d{4}(?!\d)",
)
RESPONSE_TIME = terms(
    r"re:(?:\d+|一|两|二|三|五|七|十|二十四)\s*个?(?:小时|工作日|天|日|分钟)内\S{0,10}"
    r"(?:回复|答复|处理|反馈|响应|联系|回电)",
    r"re:(?:回复|答复|处理|反馈|响应|回电)\S{0,10}?(?:\d+|一|两|三|五|七)\s*个?(?:小时|工作日|天|日)",
    r"re:(?:reply|respond|response|answer|get back to you|call you back)\w*[^.]{0,30}?"
    r"within\s+\d+\s+(?:working\s+|business\s+)?(?:hours?|days?|minutes?)",
    r"re:within\s+\d+\s+(?:working\s+|business\s+)?(?:hours?|days?)[^.]{0,30}?"
    r"(?:reply|respond|response|answer|get back)",
)

# 6.3.4.5: goods that need fitting, and how to get them installed.
NEEDS_INSTALLATION_GOODS = terms(
    "空调", "热水器", "洗衣机", "净水器", "油烟机", "燃气灶", "集成灶", "洗碗机", "浴霸",
    "智能马桶", "坐便器", "电动晾衣架", "吸顶灯", "新风系统", "壁挂炉",
    "air conditioner", "air-conditioner", "air conditioning unit",
    "water heater", "washing machine", "water purifier", "range hood", "cooker hood",
    "dishwasher", "gas hob", "built-in oven", "ceiling light", "smart toilet",
)
NEEDS_INSTALLATION_TEXT = terms(
    "需安装", "需要安装", "需专业安装", "上门安装", "包安装", "免费安装", "含安装",
    "requires installation", "installation required", "professional installation",
    "installation included", "free installation",
)
INSTALLATION = terms("安装", "调试", "installation", "install", "installer", "fitting")
INSTALL_CHANNEL = terms(
    "预约", "电话预约", "在线预约", "上门", "致电", "拨打", "联系客服", "安装热线", "师傅电话",
    "book", "booking", "appointment", "schedule", "call", "contact", "visit", "arrange",
)
INSTALL_REQUIREMENT = terms(
    "要求", "条件", "收费", "费用", "另行收费", "辅材", "材料费", "须", "需业主", "需要", "在场",
    "插座", "承重墙", "requirement", "requirements", "conditions", "must", "needs", "charged",
    "fee", "fees", "socket", "present", "load-bearing",
)

# Page kinds that carry the seller's explanations (policies, help, terms).
HELP_KINDS = ("help", "delivery_help", "payment_help", "after_sales", "terms", "info", "notices",
              "returns", "contact", "complaint", "about")
CONTEXT_CHARS = 600  # a block's parent is read with it when short (a list item and its list)
CONTROL_TAGS = {"a", "button", "input"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
CHROME_TAGS = {"header", "footer", "nav"}  # the site's frame, the same on every page
CHROME_CLASS = re.compile(
    r"(?<![a-z])(header|footer|nav|navbar|menu|site-links|breadcrumbs?|crumbs?)(?![a-z])",
    re.IGNORECASE,
)
# "订单状态：待发货" / "Status: shipped": the order's own status, read before any notes.
STATUS_LABEL = re.compile(r"(?:订单状态|当前状态|状态|status)\s*[:：]\s*([^\s|,，;；]{2,30}"
                          r"(?:\s[A-Za-z]+){0,3})", re.IGNORECASE)

# fmt: on


# --- helpers --------------------------------------------------------------------------------


def _pages_by_kind(bundle: Bundle, *kinds: str) -> list[Page]:
    """Pages of the given kinds, in the order of the kinds (journey order within a kind), so a
    search prefers the page where the information belongs."""
    return [page for kind in kinds for page in bundle.pages(kind)]


def _context(hit: Hit) -> str:
    """The hit's block with its parent when the parent is short: a label and its value, a list
    item and its list heading, are read together."""
    parent = hit.element.getparent()
    if parent is not None:
        text = element_text(parent)
        if len(text) <= CONTEXT_CHARS:
            return text
    return hit.text


def _cite(hit: Hit, note: str, *needs: re.Pattern[str]) -> Evidence:
    """Evidence for a hit judged with its context: the block itself when it holds everything
    the check needed, else the next sibling that does (a heading's paragraph), else the
    parent the context was read from. A heading is cited with the passage under it."""
    heading = hit.element.tag in HEADING_TAGS
    if all(n.search(hit.text) for n in needs) and not heading:
        return hit.evidence(note)
    for sibling in list(hit.element.itersiblings())[:3]:
        if sibling.tag in HEADING_TAGS or not element_text(sibling):
            continue
        if all(n.search(element_text(sibling)) for n in needs):
            return evidence(hit.page, sibling, note)
    if heading and all(n.search(hit.text) for n in needs):
        return hit.evidence(note)
    parent = hit.element.getparent()
    return evidence(hit.page, parent, note) if parent is not None else hit.evidence(note)


def _hits_with(
    pages: Iterable[Page], anchor: re.Pattern[str], *needs: re.Pattern[str]
) -> list[Hit]:
    """Places where `anchor` occurs and every pattern of `needs` occurs in the same context."""
    return [h for h in find(pages, anchor, limit=0) if all(n.search(_context(h)) for n in needs)]


def _content_hit(pages: Iterable[Page], pattern: re.Pattern[str]) -> Hit | None:
    """The first match in a page's own content: not in menus, footers or breadcrumbs, and not
    a bare link (a link names a page; the words a customer reads are on that page)."""
    return next(
        (
            h
            for h in find(pages, pattern, limit=0)
            if not _in_chrome(h.element) and h.element.tag != "a"
        ),
        None,
    )


def _first(pages: Iterable[Page], pattern: re.Pattern[str]) -> Hit | None:
    hits = find(pages, pattern, limit=1)
    return hits[0] if hits else None


def _stages_on(page: Page) -> dict[str, Hit]:
    """Order stages visible on one page, each with the place it shows."""
    found = {}
    for name, pattern in ORDER_STAGES.items():
        hit = _first([page], pattern)
        if hit is not None:
            found[name] = hit
    return found


def _in_chrome(el: lxml.html.HtmlElement) -> bool:
    """True inside the header, footer or navigation that frames every page."""
    node = el
    while node is not None and isinstance(node.tag, str):
        if node.tag in CHROME_TAGS or CHROME_CLASS.search(
            f"{node.get('class', '')} {node.get('id', '')} {node.get('role', '')}"
        ):
            return True
        node = node.getparent()
    return False


def _order_state(page: Page) -> str:
    """'shipped', 'unshipped' or '' for an order page.

    The labelled status ("订单状态：待发货") decides first, because an unshipped order's page
    may carry notes such as "已发货订单无法取消"; otherwise any sign of dispatch wins.
    """
    text = page_text(page)
    labelled = " ".join(m.group(1) for m in STATUS_LABEL.finditer(text))
    for source in (labelled, text):
        if LEFT_WAREHOUSE.search(source):
            return "shipped"
        if NOT_YET_SHIPPED.search(source):
            return "unshipped"
    return ""


def _controls(page: Page, pattern: re.Pattern[str]) -> list[lxml.html.HtmlElement]:
    """Visible links, buttons and submit inputs whose label matches the pattern."""
    found = []
    for el in page.tree.iter(*CONTROL_TAGS):
        if is_hidden(el) or _in_chrome(el):
            continue
        label = element_text(el) or el.get("value") or el.get("aria-label") or el.get("title") or ""
        if el.tag == "input" and (el.get("type") or "").lower() not in ("submit", "button"):
            continue
        if pattern.search(label):
            found.append(el)
    return found


def _account_gap(bundle: Bundle, *kinds: str) -> str:
    """A plain reason none of the account page kinds was seen."""
    wall = login_wall(bundle)
    if wall:
        return wall
    return "; ".join(bundle.why_not_reached(k) for k in kinds)


# --- 6.3.1 order tracking ---------------------------------------------------------------------


@check("6.3.1.a")
def order_status_tracking(bundle: Bundle) -> Verdict:
    """The customer can follow an order through submission, payment and confirmation.

    Pass: one order detail page shows the submitted and paid stages and a confirmed or
    shipped stage, with a date or time. Fail: order details show at most a bare status.
    needs_review: no order detail opened, or only orders still awaiting payment (their
    timeline cannot have later stages yet).
    """
    details = bundle.pages("order_detail")
    history = usable_fact(bundle, "order_history")
    if not details:
        statuses = sorted({o.get("status", "") for o in (history or {}).get("orders", [])} - {""})
        seen = f" The order list shows statuses: {', '.join(statuses)}." if statuses else ""
        return review(
            f"No order detail page was opened ({bundle.why_not_reached('order_detail')}).{seen}",
            searched(bundle.pages("orders"), "order statuses"),
        )
    best_page, best = max(((p, _stages_on(p)) for p in details), key=lambda pair: len(pair[1]))
    has_time = bool(TIMESTAMP.search(page_text(best_page)))
    later = "confirmed" in best or "shipped" in best or "delivered" in best
    if {"submitted", "paid"} <= best.keys() and later and has_time:
        ev = [hit.evidence(f"order stage: {name}") for name, hit in best.items()]
        change = _first([best_page], ORDER_CHANGE)
        if change:
            ev.append(change.evidence("order change information"))
        return passed(f"Order detail shows the stages {', '.join(best)} with times.", ev)
    if len(best) < 3 and all(
        _order_state(p) == "unshipped" and not STAGE_PAID.search(page_text(p)) for p in details
    ):
        return review(
            "Only orders awaiting payment were opened; their timeline cannot show "
            "payment or confirmation yet.",
            searched(details, "order stages"),
        )
    missing = [s for s in ("submitted", "paid") if s not in best]
    if not later:
        missing.append("confirmed/shipped")
    if not has_time:
        missing.append("dates/times")
    return failed(
        f"Order detail does not show the order's progress: missing {', '.join(missing)}.",
        searched(details, "order timeline (submitted, paid, confirmed, shipped)"),
    )


@check("6.3.1.b")
def delivery_status_and_courier(bundle: Bundle) -> Verdict:
    """A shipped order shows its delivery status and who delivers it, with a contact number.

    The courier's phone may be masked (139****8765) or redacted; a name alone, or a carrier and
    tracking number without a person, does not satisfy "delivery person information".
    needs_review when no opened order had left the warehouse.
    """
    details = bundle.pages("order_detail")
    shipped = [p for p in details if _order_state(p) == "shipped"]
    if not shipped:
        return review(
            "No opened order had been shipped, so there was no delivery to follow.",
            searched(details, "a shipped order"),
        )
    for page in shipped:
        status = _first([page], DELIVERY_STATUS)
        courier = next(
            (h for h in find([page], COURIER, limit=0) if PHONE.search(_context(h))), None
        )
        if status and courier:
            return passed(
                "A shipped order shows its delivery status and the courier's contact.",
                [status.evidence("delivery status"), _cite(courier, "courier and phone", PHONE)],
            )
    courier_only = _first(shipped, COURIER)
    what = "courier named without a phone number" if courier_only else "no courier details"
    ev = [courier_only.evidence("courier without phone")] if courier_only else []
    return failed(
        f"Shipped orders show {what}.",
        ev + searched(shipped, "delivery status, courier (配送员/快递员) and phone"),
    )


def _failed_delivery_help(bundle: Bundle) -> Hit | None:
    """A help/policy passage explaining what happens when a delivery fails."""
    hits = _hits_with(bundle.pages(*HELP_KINDS), FAILED_DELIVERY_TOPIC, REMEDY)
    return hits[0] if hits else None


@check("6.3.1.c")
def failed_delivery_reason(bundle: Bundle) -> Verdict:
    """A failed delivery shows why it failed and how the customer can remedy it.

    Rule: when an opened order shows a failed delivery, that order must show the reason; the
    remedy may be on the order or in the store's help. When no order in the account failed,
    a help/policy passage explaining failed-delivery handling (failure plus remedy) passes;
    without one the item is needs_review: nothing failed to observe, and silence in the help
    pages alone does not prove the order tracking would stay silent.
    """
    orders = bundle.pages("order_detail", "orders")
    failed_hits = find(orders, FAILED_DELIVERY, limit=0)
    help_hit = _failed_delivery_help(bundle)
    if failed_hits:
        pages = list({id(h.page): h.page for h in failed_hits}.values())
        if all(p.kind == "orders" for p in pages) and not any(
            _first([p], FAILURE_REASON) for p in pages
        ):
            # The list names the status; the reason is expected on the order's own page.
            return review(
                "The order list shows a failed delivery but that order's detail page "
                "was not opened.",
                failed_hits[0].evidence("failed delivery in list"),
            )
        for page in pages:
            reason = next((h for h in find([page], FAILURE_REASON, limit=0)), None)
            remedy = next(
                (h for h in find([page], REMEDY, limit=0) if not _in_chrome(h.element)), help_hit
            )
            if reason and remedy:
                return passed(
                    "A failed delivery shows its reason and the remedy.",
                    [
                        failed_hits[0].evidence("failed delivery"),
                        reason.evidence("reason"),
                        _cite(remedy, "remedy", REMEDY),
                    ],
                )
        missing = (
            "the reason"
            if not any(_first([p], FAILURE_REASON) for p in pages)
            else "a remedy (re-delivery, new time or address, refund)"
        )
        return failed(
            f"An order shows a failed delivery without {missing}.",
            [failed_hits[0].evidence("failed delivery")]
            + searched(pages, "reason and remedy of the failed delivery"),
        )
    if help_hit:
        return passed(
            "No order in the account failed delivery; the store explains how failed "
            "deliveries are handled.",
            _cite(help_hit, "failed delivery handling", REMEDY),
        )
    if not orders:
        return review(
            f"Order pages not seen ({_account_gap(bundle, 'order_detail')}); no help "
            "page explains failed deliveries."
        )
    return review(
        "No opened order had a failed delivery and no help page explains how failed "
        "deliveries are handled; an auditor should check with a failed delivery.",
        searched(orders + bundle.pages(*HELP_KINDS), "failed delivery and remedy"),
    )


# --- 6.3.2 delivery (manual) --------------------------------------------------------------


def _hint_hits(
    bundle: Bundle, kinds: tuple[str, ...], items: dict[str, re.Pattern[str]]
) -> tuple[list[str], list[Evidence]]:
    seen, ev = [], []
    pages = _pages_by_kind(bundle, *kinds)
    for label, pattern in items.items():
        hit = next((h for h in find(pages, pattern, limit=0) if not _in_chrome(h.element)), None)
        if hit:
            seen.append(label)
            ev.append(hit.evidence(label))
    return seen, ev


def _manual(
    bundle: Bundle,
    what: str,
    kinds: tuple[str, ...],
    items: dict[str, re.Pattern[str]],
    extra: list[str] | None = None,
) -> Verdict:
    seen, ev = _hint_hits(bundle, kinds, items)
    shown = "; ".join((extra or []) + seen) or "nothing relevant"
    verdict = review(f"Manual item: {what} needs an auditor. The bundle shows: {shown}.", ev)
    verdict.hints.extend(f"seen: {s}" for s in (extra or []) + seen)
    return verdict


@check("6.3.2.1")
def delivery_as_paid(bundle: Bundle) -> Verdict:
    """Manual: delivery matches the paid/chosen service; hints from checkout and order detail."""
    options = usable_fact(bundle, "checkout_options")
    offered = [d.get("label", "") for d in (options or {}).get("delivery", []) if d.get("label")]
    extra = [f"delivery options offered at checkout: {', '.join(offered)}"] if offered else []
    return _manual(
        bundle,
        "delivery as paid for and chosen (physical delivery)",
        ("order_detail", "order_confirmation", "delivery_help"),
        {
            "delivery method on the order": DELIVERY_METHOD,
            "delivery changes notified": ORDER_CHANGE,
        },
        extra,
    )


@check("6.3.2.2")
def goods_delivered_intact(bundle: Bundle) -> Verdict:
    """Manual: intact goods, refusal, receipts, free re-delivery; hints from order and help."""
    return _manual(
        bundle,
        "intact delivery, receipts and free re-delivery",
        ("order_detail", "delivery_help", "help", "after_sales", "payment_help"),
        {
            "invoice/receipt available (e.g. e-invoice on the order)": ELECTRONIC_INVOICE,
            "inspection or refusal on delivery explained": INSPECT_ON_DELIVERY,
            "re-delivery offered": REDELIVERY,
        },
    )


@check("6.3.2.3")
def goods_meet_requirements(bundle: Bundle) -> Verdict:
    """Manual: goods and services comply and match the page; hints from product pages."""
    products = bundle.pages("product")
    extra = [f"{len(products)} product page(s) saved for comparison"] if products else []
    return _manual(
        bundle,
        "quality of goods and services against the product pages",
        ("product", "help", "after_sales"),
        {
            "quality claims on the pages": QUALITY_CLAIM,
            "installation service described": INSTALLATION,
        },
        extra,
    )


# --- 6.3.3 cancellation ------------------------------------------------------------------------


def _cancel_control(bundle: Bundle) -> Evidence | None:
    """Where a cancel control was seen: the probe's observation, else a visible control."""
    actions = usable_fact(bundle, "order_actions")
    cancel = (actions or {}).get("cancel") or {}
    # The probe's pick is trusted only when its label reads as cancelling (not e.g. a menu link).
    if cancel.get("found") and CANCEL_WORD.search(cancel.get("text") or ""):
        return fact_evidence(
            bundle, {**cancel, "step": actions.get("step")}, "cancel control (order_actions probe)"
        )
    for page in bundle.pages("order_detail"):
        controls = _controls(page, CANCEL_CONTROL)
        if controls:
            return evidence(page, controls[0], "cancel control")
    return None


def _charges_fee(text: str) -> bool:
    """True when a cancellation passage names a fee and does not rule it out."""
    return bool(CANCEL_FEE.search(text)) and not NO_FEE.search(text)


def _cancel_terms(bundle: Bundle) -> Hit | None:
    """A stated period or a no-fee promise for cancelling, on order or help pages."""
    pages = bundle.pages("order_detail", "checkout_review", *HELP_KINDS)
    hits = [
        h
        for h in find(pages, CANCEL_WORD, limit=0)
        if (CANCEL_PERIOD.search(_context(h)) or NO_FEE.search(_context(h)))
        and not _charges_fee(_context(h))
    ]
    return hits[0] if hits else None


def _cancel_fee(bundle: Bundle) -> Hit | None:
    """A statement that cancelling within the period costs a fee."""
    pages = bundle.pages("order_detail", "checkout_review", *HELP_KINDS)
    hits = [
        h
        for h in find(pages, CANCEL_WORD, limit=0)
        if _charges_fee(_context(h)) and not AFTER_SHIPPING.search(_context(h))
    ]
    return hits[0] if hits else None


@check("6.3.3.1")
def order_cancellation(bundle: Bundle) -> Verdict:
    """An unshipped order has a cancel control, and the store states the period or no fee.

    A confirmed cancel attempt (demo/test stores) that charged nothing is the strongest proof.
    Fail: an unshipped order without a cancel control, or a cancellation fee. needs_review: no
    unshipped order opened, an unconfirmed attempt, or a control without stated terms.
    """
    attempt = usable_fact(bundle, "cancel_attempt")
    control = _cancel_control(bundle)
    stated = _cancel_terms(bundle)
    fee = _cancel_fee(bundle)
    fee_text = (attempt or {}).get("fee_text") or ""
    if _charges_fee(fee_text) or fee:
        ev = (
            [fee.evidence("cancellation fee")]
            if fee
            else [fact_evidence(bundle, attempt, "fee on cancelling", "result_step", fee_text)]
        )
        return failed("Cancelling an order costs the customer a fee.", ev)
    if attempt and attempt.get("attempted"):
        # The probe clicked a cancel control on an unshipped order (demo/test stores only).
        result = fact_evidence(
            bundle, attempt, "cancel attempt result", "result_step", fee_text or ""
        )
        found = [control] if control else []
        if not attempt.get("confirmed"):
            return review(
                "A cancel control was clicked but the store did not confirm the cancellation.",
                found + [result],
            )
        terms_ev = [_cite(stated, "cancellation terms", CANCEL_TERMS)] if stated else []
        return passed(
            "An unshipped order was cancelled from its page without a fee.",
            found + [result] + terms_ev,
        )
    if control and stated:
        return passed(
            "Unshipped orders have a cancel control and the store states when "
            "cancelling is possible / that it is free.",
            [control, _cite(stated, "cancellation terms", CANCEL_TERMS)],
        )
    if control:
        return review(
            "A cancel control exists, but no stated period or fee terms were found.", control
        )
    unshipped = [p for p in bundle.pages("order_detail") if _order_state(p) == "unshipped"]
    if unshipped:
        return failed(
            "An unshipped order offers no way to cancel it.",
            searched(unshipped, "cancel control (取消订单 / cancel order)"),
        )
    hint = [_cite(stated, "cancellation terms in help", CANCEL_TERMS)] if stated else []
    probe = fact_problem(bundle, "cancel_attempt")
    seen = f" The cancel probe said: {probe}." if probe and bundle.fact("cancel_attempt") else ""
    return review(
        f"No unshipped order was opened, so no cancel control could be expected.{seen}",
        hint + searched(bundle.pages("order_detail"), "an unshipped order"),
    )


@check("6.3.3.2")
def refund_after_cancellation(bundle: Bundle) -> Verdict:
    """The store promises a full refund, with a time, through one or more refund channels.

    "Several channels" is met by refunding to the original payment method (whatever the
    customer paid with) or by naming two or more channels.
    """
    pages = bundle.pages("order_detail", "order_confirmation", "checkout_review", *HELP_KINDS)
    if not pages:
        return review("No order, help or policy page was reached to read refund terms.")
    refunds = find(pages, REFUND, limit=0)
    best: tuple[int, Hit, list[str]] | None = None
    for hit in refunds:
        text = _context(hit)
        channels = [n for n, p in REFUND_CHANNELS.items() if p.search(text)]
        full, timely = bool(FULL_REFUND.search(text)), bool(REFUND_TIME.search(text))
        several = "original method" in channels or len(channels) >= 2
        score = full + timely + several
        if best is None or score > best[0]:
            best = (score, hit, channels)
        if full and timely and several:
            return passed(
                f"Refunds are full, timed, and via {', '.join(channels)}.",
                _cite(hit, "refund terms", FULL_REFUND, REFUND_TIME),
            )
    if best is None:
        return failed(
            "No refund terms were found on order, help or policy pages.",
            searched(pages, "refund (退款 / refund)"),
        )
    score, hit, channels = best
    text = _context(hit)
    missing = [
        what
        for what, ok in (
            ("full amount", FULL_REFUND.search(text)),
            ("time limit", REFUND_TIME.search(text)),
            ("refund channels", "original method" in channels or len(channels) >= 2),
        )
        if not ok
    ]
    return failed(f"Refund terms lack: {', '.join(missing)}.", hit.evidence("closest refund terms"))


# --- 6.3.4 after-sales service ------------------------------------------------------------------


def _contact(pages: list[Page]) -> Hit | None:
    """A usable after-sales contact: a channel word next to a number/e-mail, or a chat channel."""
    for hit in find(pages, CONTACT_CHANNEL, limit=0):
        text = _context(hit)
        if CONTACT_MEANS.search(text):
            return hit
    return None


@check("6.3.4.1")
def after_sales_information(bundle: Bundle) -> Verdict:
    """Policy, process and contacts for after-sales service are on the seller's pages.

    Searches every page (footers, product tabs, help), preferring after-sales and help pages.
    The commitment (time limits, guarantees) is reported when present but not required alone.
    """
    preferred = _pages_by_kind(bundle, "after_sales", "help", "returns", "terms", "info", "product")
    pages = preferred + [p for p in bundle.pages() if p not in preferred]
    if not pages:
        return review("No page of the store was reached.")
    policy_hits = find(pages, AFTER_SALES_POLICY, limit=0)
    policy = _content_hit(pages, AFTER_SALES_POLICY)
    if policy is None and policy_hits:
        return review(
            "The after-sales policy is only linked; its page was not reached.",
            policy_hits[0].evidence("link to the after-sales policy"),
        )
    process = next(
        (
            h
            for h in find(pages, AFTER_SALES_PROCESS, limit=0)
            if not _in_chrome(h.element)
            and h.element.tag != "a"
            and (RETURN_WORD.search(_context(h)) or h.page.kind in ("after_sales", "returns"))
        ),
        None,
    )
    contact = _contact(pages)
    parts = {"policy": policy, "process": process, "contact": contact}
    missing = [k for k, v in parts.items() if v is None]
    ev = [_cite(policy, "after-sales policy")] if policy else []
    if process:
        ev.append(_cite(process, "after-sales process", RETURN_WORD))
    if contact:
        ev.append(_cite(contact, "after-sales contact", CONTACT_MEANS))
    if missing:
        return failed(
            f"After-sales information lacks: {', '.join(missing)}.",
            ev
            + searched(
                bundle.pages("after_sales", "help") or pages[:1],
                "after-sales policy, process and contacts",
            ),
        )
    commitment = _hits_with(bundle.pages("after_sales", "help", "returns"), COMMITMENT, RETURN_WORD)
    if commitment:
        ev.append(_cite(commitment[0], "after-sales commitment", RETURN_WORD))
    return passed("After-sales policy, process and contacts are published.", ev)


def _return_control(bundle: Bundle) -> Evidence | None:
    actions = usable_fact(bundle, "order_actions")
    ret = (actions or {}).get("return") or {}
    # The probe's pick is trusted only when its label asks for a return: a menu link to the
    # returns list ("退换货/售后") is not a request control.
    if ret.get("found") and RETURN_CONTROL.search(ret.get("text") or ""):
        return fact_evidence(
            bundle,
            {**ret, "step": actions.get("step")},
            "return/exchange control (order_actions probe)",
        )
    for page in bundle.pages("order_detail", "returns"):
        controls = _controls(page, RETURN_CONTROL)
        if controls:
            return evidence(page, controls[0], "return/exchange control")
    return None


def _is_return_form(page: Page) -> bool:
    """A visible form where the customer describes or chooses something, on a returns page."""
    forms = [f for f in page.tree.iter("form") if not is_hidden(f) and not _in_chrome(f)]
    asks = any(f.find(".//textarea") is not None or f.find(".//select") is not None for f in forms)
    return asks and bool(RETURN_WORD.search(page_text(page)))


def _delivered(page: Page) -> bool:
    """An order page whose order has reached the customer: a delivery stage anywhere on it,
    or a finished status ("Complete", "已完成") shown as the order's own status."""
    text = page_text(page)
    if STAGE_DELIVERED.search(text):
        return True
    if any(FINISHED_STATUS.match(m.group(1)) for m in STATUS_LABEL.finditer(text)):
        return True
    return any(
        FINISHED_STATUS.fullmatch(normalise(hit.text).rstrip(".。"))
        and hit.element.tag not in CONTROL_TAGS
        and not _in_chrome(hit.element)
        for hit in find(page, FINISHED_WORD, limit=0)
    )


@check("6.3.4.2")
def return_request(bundle: Bundle) -> Verdict:
    """A delivered order can be returned/exchanged from the account, with guidance.

    Pass: a return control (or a return form the probe reached) plus guidance (policy,
    conditions, instructions, or a form asking for the problem). Fail: a delivered order shows
    no return control and no return form exists. needs_review: no delivered order opened.
    """
    request = usable_fact(bundle, "return_request")
    form_page = page_of_step(bundle, (request or {}).get("form_step"))
    if form_page is not None and not _is_return_form(form_page):
        form_page = None  # the probe landed on a page that asks nothing of the customer
    control = _return_control(bundle)
    if form_page and control is None:
        control = evidence(form_page, None, "return request form")
    guide_pages = ([form_page] if form_page else []) + bundle.pages(
        "order_detail", "returns", "after_sales", "help", "terms", "info"
    )
    guidance = _content_hit(guide_pages, RETURN_GUIDANCE)
    if control and (guidance or (request or {}).get("fields")):
        ev = [control]
        if guidance:
            ev.append(guidance.evidence("return guidance"))
        if request and request.get("submitted"):
            ev.append(fact_evidence(bundle, request, "return request submitted", "result_step"))
        return passed("Returns/exchanges can be requested from the account, with guidance.", ev)
    if control:
        return failed(
            "A return control exists but nothing tells the customer how returns work.",
            [control] + searched(guide_pages, "return policy or instructions"),
        )
    delivered = [p for p in bundle.pages("order_detail") if _delivered(p)]
    if delivered:
        return failed(
            "A delivered or completed order offers no way to request a return or exchange.",
            searched(delivered, "return/exchange control (申请售后 / return)"),
        )
    return review(
        "No delivered order was opened, so no return control could be expected.",
        searched(bundle.pages("order_detail"), "a delivered order"),
    )


def _progress_hits(pages: list[Page]) -> list[Hit]:
    """Return requests shown with a status: on a returns page a status word next to a return
    word; on an order page only next to a return request (not the order's own status)."""
    hits = []
    for hit in find(pages, RETURN_PROGRESS, limit=0):
        if (
            _in_chrome(hit.element)
            or hit.element.tag in ("button", "a", "option", "label")
            or PROGRESS_HEADING.fullmatch(hit.match)
        ):
            continue
        near = RETURN_REQUEST if hit.page.kind == "order_detail" else RETURN_WORD
        if near.search(_context(hit)) or hit.page.kind == "returns":
            hits.append(hit)
    return hits


def _returns_clues(bundle: Bundle) -> list[Hit]:
    """Words on the account-side pages suggesting a returns area the crawler could not open."""
    return find(bundle.pages(*ACCOUNT_KINDS), RETURNS_AREA, limit=3)


@check("6.3.4.3")
def return_progress(bundle: Bundle) -> Verdict:
    """Return/exchange requests show where they stand (a status or timeline per request).

    Reads returns pages, the page the return probe landed on, and order detail pages.
    An empty returns list is needs_review (nothing to follow) unless the probe submitted a
    request, which must then appear with a status.
    """
    request = usable_fact(bundle, "return_request")
    progress_page = page_of_step(bundle, (request or {}).get("progress_step")) or page_of_step(
        bundle, (request or {}).get("result_step")
    )
    returns = bundle.pages("returns")
    pages = returns + ([progress_page] if progress_page and progress_page not in returns else [])
    shown = _progress_hits(pages + bundle.pages("order_detail"))
    if shown:
        return passed(
            "Return requests are listed with their status.",
            [h.evidence("return status") for h in shown[:2]],
        )
    submitted = bool(request and request.get("submitted"))
    if returns:
        empty = _first(returns, EMPTY_LIST)
        if empty and not submitted:
            return review(
                "The returns page lists no request, so there is no progress to follow.",
                empty.evidence("empty returns list"),
            )
        return failed(
            "The returns page shows requests without any status or progress.",
            searched(returns, "return request status (审核中 / approved ...)"),
        )
    if submitted:
        return failed(
            "A return request was submitted but no page shows its progress.",
            searched(pages + bundle.pages("order_detail"), "return request status"),
        )
    search = search_result(
        bundle, "returns", ("account",), account_side=True, clues=_returns_clues(bundle)
    )
    if search.absent:
        return failed(
            f"The account area has no returns or after-sales records ({search.reason}), so no "
            "return request can be followed.",
            search.evidence("returns / after-sales records link", also=bundle.pages("orders")),
        )
    reason = login_wall(bundle) or search.reason
    return review(f"No returns page was reached ({reason}).", search.evidence("returns records"))


def _is_channel_context(text: str) -> bool:
    """A passage about a way to reach the store ("免费热线 400-…"), not about free shipping."""
    return bool(COMPLAINT.search(text) or CONTACT_CHANNEL.search(text) or PHONE.search(text))


@check("6.3.4.4")
def complaints_channel(bundle: Bundle) -> Verdict:
    """Complaints can be made through a free channel and the store says when it answers.

    Machine part of an experience item: a complaint channel, free of charge (toll-free number,
    "免费", or an online form), and a stated response time. The auditor rates ease of use.
    """
    preferred = _pages_by_kind(bundle, "complaint", "contact", "help", "after_sales")
    pages = preferred + [p for p in bundle.pages() if p not in preferred]
    if not pages:
        return review("No page of the store was reached.")
    channel = _content_hit(pages, COMPLAINT) or _first(pages, COMPLAINT)
    complaint_pages = _pages_by_kind(bundle, "complaint", "contact") or (
        [channel.page] if channel else []
    )
    online_form = next(
        (
            p
            for p in complaint_pages
            if any(
                not is_hidden(f) and f.find(".//textarea") is not None for f in p.tree.iter("form")
            )
        ),
        None,
    )
    free = next(
        (
            h
            for h in find(complaint_pages + preferred, FREE_OF_CHARGE, limit=0)
            if _is_channel_context(_context(h))
        ),
        None,
    )
    response = _first(complaint_pages + preferred, RESPONSE_TIME)
    ev = []
    if channel:
        ev.append(channel.evidence("complaint channel"))
    if free:
        ev.append(free.evidence("free of charge"))
    elif online_form:
        ev.append(evidence(online_form, None, "online complaint form (free to use)"))
    if response:
        ev.append(response.evidence("response time"))
    missing = [
        name
        for name, ok in (
            ("complaint channel", channel),
            ("free channel", free or online_form),
            ("response time", response),
        )
        if not ok
    ]
    if missing:
        return failed(
            f"Complaint handling lacks: {', '.join(missing)}.",
            ev + searched(complaint_pages or pages[:1], "complaints (投诉 / complaint)"),
        )
    return passed(
        "A free complaint channel with a stated response time is offered "
        "(the auditor rates how easy it is).",
        ev,
    )


def _needs_installation(page: Page) -> str:
    """The words showing a product needs fitting, from its name or its own text."""
    names = " ".join(
        [page.step.title] + [element_text(h) for h in page.tree.iter("h1") if not is_hidden(h)]
    )
    m = NEEDS_INSTALLATION_GOODS.search(names)
    if m:
        return m.group(0)
    # A customer asking "包安装吗？" in the Q&A does not say the goods need fitting.
    hit = next(iter(seller_text_only(find(page, NEEDS_INSTALLATION_TEXT, limit=0))), None)
    return hit.match if hit else ""


@check("6.3.4.5")
def installation_service(bundle: Bundle) -> Verdict:
    """Where goods need installation: how to get it (channel/method) and what it requires.

    Applies when a saved product's name (heading/title) names goods that are usually fitted
    (air conditioners, water heaters ...) or its page says it needs installation, or when such
    goods are on sale in a listing, search result or the home page (outside menus). The
    channel and the requirements may be on the product page or on help/after-sales pages, in
    the seller's words: customers' reviews and questions do not count.
    When only a listing shows such goods and the help pages are silent, the item is
    needs_review: the product pages that may carry the information were not saved.
    """
    products = bundle.pages("product")
    if not products:
        return review(f"No product page was reached ({bundle.why_not_reached('product')}).")
    fitted = [(p, w) for p in products if (w := _needs_installation(p))]
    listed = _installed_goods_on_sale(bundle)
    if not fitted and listed is None:
        return not_applicable(
            "No saved product or listing shows goods that need installation.",
            searched(products + bundle.pages("listing", "search"), "goods needing installation"),
        )
    pages = [p for p, _ in fitted] + bundle.pages(*HELP_KINDS)
    # The seller's words only: reviews and Q&A ("安装师傅很专业") are customers' experiences,
    # not the store's installation channel, and a link to a 404 page is no channel.
    broken = broken_targets(bundle)
    install_hits = [
        h
        for h in seller_text_only(find(pages, INSTALLATION, limit=0))
        if not _in_chrome(h.element) and not points_to_broken(h, broken)
    ]
    channel = next(
        (
            h
            for h in install_hits
            if INSTALL_CHANNEL.search(_context(h)) or PHONE.search(_context(h))
        ),
        None,
    )
    requirement = next((h for h in install_hits if INSTALL_REQUIREMENT.search(_context(h))), None)
    names = ", ".join(sorted({w for _, w in fitted} | ({listed.match} if listed else set())))
    if channel and requirement:
        ev = [_cite(channel, "installation channel/method", INSTALL_CHANNEL)]
        needs = _cite(requirement, "installation requirements", INSTALL_REQUIREMENT)
        if (needs.step, needs.selector) != (ev[0].step, ev[0].selector):
            ev.append(needs)
        return passed(
            f"Installation for goods such as {names}: channel and requirements shown.", ev
        )
    missing = [n for n, h in (("channel/method", channel), ("requirements", requirement)) if not h]
    ev = [install_hits[0].evidence("installation mention")] if install_hits else []
    if not fitted:
        return review(
            f"Goods needing installation ({names}) are on sale, but none of their product pages "
            f"was saved and the help pages do not give the installation {' or '.join(missing)}.",
            [listed.evidence("goods needing installation on sale")] + ev,
        )
    return failed(
        f"Goods need installation ({names}) but the store does not say its {' or '.join(missing)}.",
        ev + searched(pages, "installation service"),
    )


def _installed_goods_on_sale(bundle: Bundle) -> Hit | None:
    """Goods that need fitting named in a listing, search result or home page tile; menus
    and footers are left out, since a category link alone does not show what is sold."""
    pages = bundle.pages("listing", "search", "home")
    return next(
        (h for h in find(pages, NEEDS_INSTALLATION_GOODS, limit=0) if not _in_chrome(h.element)),
        None,
    )
