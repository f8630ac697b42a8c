"""Section 6.2 (during the sale): cart, order form, delivery, ordering, payment, confirmation.

Each function judges one catalogue item from the saved bundle. The shared helpers at the top
answer the questions most items ask: what did a probe observe (and did it run at all), which
pages does a customer see before pressing "place order" (the checkout pages plus the help and
terms pages the checkout links to), and is a label followed by a value (a price, a time).

Decisions worth knowing when extending this module:
- "Before placing the order" (6.2.4.1.*) means the checkout / checkout_review pages and the
  help, delivery, payment and terms pages those pages link to. A help page the crawler found
  elsewhere but the checkout does not link to does not count: the customer is not led there.
- 6.2.4.1.b: goods sold once do not renew, so the item judges discount terms; it asks for a
  renewal policy only when the store sells subscriptions, and does not apply when the store shows
  neither discounts nor subscriptions.
- 6.2.5.2 also feeds veto coefficient E1 (payment security). Its verdict always carries a hint
  starting with `E1_HINT_SEEN` or `E1_HINT_NOT_SEEN`, because a fail can come from too few
  payment methods while the security measure was seen.
- Items that need an order or a payment (6.2.5.4, 6.2.6.1) answer needs_review when the crawler
  did not place an order or attempt a payment: on a real store it never does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from b2cect.crawler.bundle import Bundle, Page

from .facts import fact_evidence, fact_problem, page_of_step, products_seen, usable_fact
from .registry import check, is_store_absence
from .text import (
    broken_targets,
    element_text,
    evidence,
    find,
    is_hidden,
    links,
    points_to_broken,
    searched,
    seller_text_only,
    terms,
)
from .verdict import Evidence, Verdict, failed, not_applicable, passed, review

# fmt: off
# --- vocabulary ------------------------------------------------------------------------------

# A price: currency sign or code before or after digits.
MONEY = (
    r"(?:[¥￥$€£]|RMB|CNY|US\$|HK\$)\s*\d[\d,]*(?:\.\d+)?"
    r"|\d[\d,]*(?:\.\d+)?\s*(?:元|RMB|CNY|USD|EUR|GBP)"
)
FREE = r"免费|包邮|免运费|免邮|(?<![A-Za-z])free(?![A-Za-z])"
# A delivery time or time limit: "3天", "24小时内", "次日达", "2-4 working days", "next day".
DURATION = (
    r"\d+\s*(?:[-~～至到]\s*\d+\s*)?(?:个)?(?:工作日|天|日|小时|分钟|周)"
    r"|\d+\s*(?:-\s*\d+\s*)?(?:business |working )?(?:days?|hours?|minutes?|mins?|weeks?)\b"
    r"|当日|当天|次日|隔日|今日|明日|明天|(?<![A-Za-z])(?:same|next)[- ]day(?![A-Za-z])"
)

CART_WORDS = terms("加入购物车", "加购物车", "放入购物车", "add to cart", "add to basket",
                   "add to bag", "add to trolley")

AVAILABILITY = terms(
    "有货", "现货", "无货", "缺货", "售罄", "已售完", "已售罄", "库存充足", "库存紧张", "每人限购",
    r"re:库存\s*[:：]?\s*\d+", r"re:(?:仅剩|剩余|仅余|还剩)\s*\d+\s*(?:件|个|台|份|套|盒|瓶|双)",
    r"re:限购\s*\d+", r"re:\d+\s*件\s*(?:可售|库存|可购)", "预售",
    "in stock", "out of stock", "sold out", "low stock", "limited stock", "currently unavailable",
    "temporarily unavailable", "pre-order", "backorder", "back order",
    r"re:only\s+\d+\s+left", r"re:\d+\s+(?:in stock|available|left)\b",
    r"re:(?:limit|max(?:imum)?)\.?\s+(?:of\s+)?\d+\s+per\s+(?:customer|order|person)",
)
OUT_OF_STOCK = terms("无货", "缺货", "售罄", "已售完", "已售罄", "暂时缺货", "out of stock",
                     "sold out", "currently unavailable", "temporarily unavailable")
ARRIVAL_NOTICE = terms("到货通知", "到货提醒", "补货通知", "补货提醒", "缺货登记", "有货通知",
                       "到货后通知", r"re:(?:有货|到货|补货)时.{0,15}(?:通知|提醒)",
                       "notify me", "email me when", "back in stock",
                       "notify when available", "alert me when", "let me know when")
QUANTITY_FIELD = re.compile(r"qty|quantity|amount|num|count|数量", re.IGNORECASE)

RESERVATION = terms(
    "为您保留", "为你保留", "为您预留", "锁定库存", "库存锁定", "预留库存", "库存预留", "保留库存",
    "库存保留", "占用库存", "库存已锁定",
    r"re:(?:商品|货品|库存|宝贝)[^。.;；]{0,12}(?:保留|锁定|预留)",
    r"re:(?:保留|锁定|预留)[^。.;；]{0,6}\d+\s*(?:分钟|小时)",
    "reserved for", "held for",
    r"re:\b(?:hold|reserve)s?\s+(?:your|these|the|all)\s+(?:items?|goods|products?|stock)",
    r"re:\b(?:items?|products?|stock|goods)\b[^.;]{0,40}\b(?:reserved|held|locked)\b",
)
NOT_RESERVED = terms("不保留", "不锁定", "不预留", "不作保留", "不占用库存", "not reserved",
                     "aren't reserved", "are not held", "not held", "cannot be reserved",
                     "does not reserve", "do not reserve", "won't be reserved")
RIGHTS_RESERVED = terms("版权所有", "保留所有权利", "保留一切权利", "保留追究", "最终解释权",
                        "all rights reserved", "copyright")
UNTIL_DECISION = re.compile(r"直至|直到|至您|until|till", re.IGNORECASE)

EXPECTED_DELIVERY = terms(
    r"re:预计[^。；;]{0,6}(?:送达|到达|到货|发货|出库)",
    r"re:(?:现在|今天|今日)?下单[^。；;]{0,12}(?:送达|发货|到货)",
    "当日达", "次日达", "隔日达", "极速达", "当天发货", "当日发货",
    r"re:\d+\s*(?:小时|天|个工作日)内?发货",
    "estimated delivery", "expected delivery", "estimated arrival", "delivery estimate",
    "arrives by", "get it by", "delivered by", "next-day delivery", "next day delivery",
    "same-day delivery", "same day delivery", "usually ships", "usually dispatched",
    r"re:\b(?:ships|dispatched|dispatches|delivered|arrives?)\s+(?:in|within)\s+\d+",
)

CONSIGNEE = terms("收货人", "收件人", "收货地址", "收货信息", "consignee", "recipient",
                  "shipping address", "delivery address", "ship to", "shipping details",
                  "delivery details")
PAYMENT_SECTION = terms("支付方式", "付款方式", "支付方法", "payment method", "payment methods",
                        "payment options", "pay with", "payment")
DELIVERY_SECTION = terms("配送方式", "送货方式", "配送信息", "运送方式", "快递方式", "物流方式",
                         "shipping method", "delivery method", "delivery options",
                         "shipping options", "delivery option", "shipping option")
INVOICE_SECTION = terms("发票", "invoice", "receipt", "VAT", "tax id", "billing address",
                        "billing details")
ITEM_LIST = terms("商品清单", "商品信息", "购物清单", "订单商品", "商品明细", "送货清单",
                  "商品列表", "单价", "order summary", "your order", "your items",
                  "items in your order", "order items", "review items", "quantity", "qty")

REMARKS = terms("备注", "留言", "买家留言", "订单备注", "附言", "order notes", "order note",
                "remarks", "comments", "special instructions", "note to seller",
                "delivery instructions", "notes about your order")

DELIVERY_KINDS: dict[str, re.Pattern[str]] = {
    "post": terms("邮政", "EMS", "平邮", "邮局", "挂号信", "postal", "post office", "parcel post",
                  "royal mail", "USPS", "la poste", "re:\\bpost\\b"),
    "express": terms("快递", "顺丰", "圆通", "中通", "申通", "韵达", "京东物流", "德邦", "极兔",
                     "宅急送", "express", "courier", "DHL", "UPS", "FedEx", "DPD", "Evri",
                     "standard delivery", "standard shipping", "home delivery"),
    "pick-up": terms("自提", "自取", "到店取", "门店取货", "自提点", "快递柜", "pick up",
                     "pick-up", "pickup", "click & collect", "click and collect",
                     "collect in store", "collect from", "store collection", "in-store",
                     "collection point"),
    "local": terms("同城配送", "即时配送", "闪送", "送货上门", "大件配送", "local delivery",
                   "same-day courier", "freight"),
}

DELIVERY_GROUP = re.compile(r"deliver|ship|express|method|carrier|配送|快递|物流", re.I)
FREE_POLICY = terms(
    "包邮", "免运费", "免邮", "免费配送", "免费送货", "免配送费",
    r"re:满\s*\d+(?:\.\d+)?\s*元?\s*(?:包邮|免运费|免邮)",
    "free shipping", "free delivery", "free standard delivery", "free standard shipping",
)
FREE_THRESHOLD = re.compile(
    r"满\s*(\d[\d,]*(?:\.\d+)?)\s*元?\s*(?:包邮|免运费|免邮|免配送费)"
    r"|\b(?:over|above|orders of|spend|from)\s+(?:[¥￥$€£]|RMB|CNY)?\s*(\d[\d,]*(?:\.\d+)?)",
    re.IGNORECASE,
)
UNCONDITIONAL_FREE = re.compile(
    r"全场包邮|全国包邮|全部包邮|所有商品包邮|\bfree (?:delivery|shipping) on (?:all|every)\b"
    r"|\balways free\b", re.IGNORECASE
)
# Labels of order-summary lines: a value after one of them belongs to that line.
SUMMARY_LABEL = re.compile(
    r"运费|配送费|邮费|合计|总计|总额|总价|应付|实付|商品金额|小计|优惠|折扣|\b(?:sub-?total|total"
    r"|shipping|delivery|postage|discount|coupon|tax|vat)\b",
    re.IGNORECASE,
)
FREE_NEGATED = re.compile(r"不包邮|不免运费|不支持包邮|not free|no free", re.IGNORECASE)

TIME_SLOT_LABEL = terms("送达时间", "配送时间", "送货时间", "收货时间", "配送时段", "送达时段",
                        "预约配送", "指定时间", "delivery slot", "delivery time", "delivery date",
                        "time slot", "choose a time", "nominated day", "choose a day")
TIME_SLOT_VALUE = re.compile(
    r"\d{1,2}\s*[:：]\s*\d{2}\s*[-~～至到]\s*\d{1,2}\s*[:：]\s*\d{2}|工作日|双休日|周末|节假日"
    r"|任意时间|上午|下午|晚上|\b(?:weekdays?|weekends?|any ?time|morning|afternoon|evening)\b"
    r"|\d{1,2}\s*(?:am|pm)\s*[-–]\s*\d{1,2}\s*(?:am|pm)",
    re.IGNORECASE,
)

TOTAL = terms("应付总额", "应付金额", "实付款", "实付金额", "订单总额", "订单总价", "总计", "合计",
              "总价", "总金额", "应付", "grand total", "order total", "total to pay",
              "amount due", "amount payable", "total")
SUBTOTAL = terms("商品金额", "商品总价", "商品总额", "商品合计", "商品小计", "商品总计", "货品金额",
                 "小计", "货款", "购物车总计", "购物车合计", "cart total", "basket total",
                 "subtotal", "sub-total", "sub total", "items total", "item total", "items",
                 "goods", "merchandise")
SHIPPING_CHARGE = terms("运费", "配送费", "邮费", "快递费", "运送费", "免费配送", "shipping",
                        "delivery", "postage", "carriage")
DISCOUNT = terms("优惠", "折扣", "立减", "满减", "优惠券", "促销", "红包", "减免", "返现", "代金券",
                 "折", "discount", "coupon", "promo", "promotion", "voucher", "savings",
                 "you save", "% off", "re:\\d+\\s*%\\s*off")
SUBSCRIPTION = terms("订阅", "自动续费", "自动续订", "包月", "包年", "会员续费", "定期购", "周期购",
                     "subscribe", "subscription", "auto-renew", "auto renew", "renews",
                     "recurring delivery")
RENEWAL_TERMS = terms("续费规则", "续订规则", "自动续费", "到期", "续期", "取消续费", "取消订阅",
                      "renewal", "renews", "auto-renew", "cancel anytime", "cancel at any time",
                      "cancel your subscription")
DISCOUNT_TERMS = terms(
    "使用规则", "使用说明", "使用条件", "活动规则", "优惠规则", "优惠说明", "满减规则", "活动说明",
    "有效期", "不可叠加", "不与其他优惠", "不能与其他优惠", "不可与其他", "不可兑现", "仅限",
    r"re:满\s*\d+(?:\.\d+)?\s*元?\s*(?:减|可用|使用|打)", "门槛",
    "terms and conditions", "terms & conditions", "conditions apply", "offer terms",
    "promotion terms", "coupon terms", "discount terms", "valid until", "expires",
    "minimum spend", "min. spend", "minimum order", "cannot be combined", "not combinable",
    "excludes", "exclusions", "one per customer", "while stocks last", "combinable",
    r"re:\b(?:orders?|purchases?|spend(?:ing)?)\s+(?:over|above|of at least)\s+(?:[¥￥$€£])?\s*\d",
)

CANCEL = terms("取消订单", "订单取消", "撤销订单", "撤单", "取消购买", "延期", "推迟", "延迟发货",
               "暂缓发货", "cancel your order", "cancel an order", "cancel the order",
               "cancel orders", "cancel it", "cancellation", "right to cancel", "postpone",
               "reschedule", "defer")
# How the customer cancels: where or through whom.
CANCEL_HOW = re.compile(
    r"可在|可以在|请在|请联系|联系客服|点击|我的订单|订单详情|申请取消|自助取消|直接取消|在线取消|拨打"
    r"|\b(?:you can|you may|contact|click|my account|my orders|via|by calling|by e-?mailing"
    r"|call us|e-?mail us|online)\b",
    re.IGNORECASE,
)
# What follows from cancelling: refund, fees, none.
CANCEL_RESULT = re.compile(
    r"退款|退还|退回|全额|手续费|费用|扣除|无需|不收取|免费"
    r"|\b(?:refund|refunded|fee|charge|charged|free of charge|without charge|no cost)\b",
    re.IGNORECASE,
)

DELIVERY_AREA = terms(
    "配送区域", "配送范围", "送货范围", "配送地区", "可配送", "不配送", "暂不配送", "不支持配送",
    "无法配送", "偏远地区", "港澳台", "全国配送", "配送至全国", "覆盖全国", "服务区域", "支持配送",
    "delivery area", "delivery areas", "delivery zone", "delivery zones", "service area",
    # "Where should we ship to?" heads an address form: only a statement names an area.
    r"re:(?<!should\s)(?<!shall\s)(?<!can\s)(?<!do\s)\bwe\s+(?:deliver|ship)\s+to\b",
    "we only ship", "we only deliver", "ships to",
    "shipping destinations", "remote areas", "mainland", "cannot deliver", "can't deliver",
    "do not ship to", "don't ship to", "do not deliver to", "not deliver to",
    r"re:\bdeliver(?:y|ies)?\s+(?:is\s+)?(?:only\s+)?available\s+(?:to|in)\b",
)

ACCEPTANCE = terms(
    "有货", "库存充足", r"re:库存\s*[:：]?\s*\d+\s*件", "可配送", "可送达", "支持配送",
    "该地区可", "无货", "不支持配送",
    "暂不配送", "超出限购", "以实际库存为准", "订单生效", "合同成立", "订单成立", "受理",
    "in stock", "out of stock", "available for delivery", "can be delivered", "deliverable",
    "we can deliver", "exceeds the limit", "subject to availability", "subject to stock",
    "order is accepted", "accept your order", "acceptance of your order", "contract is formed",
    "contract will be formed", "decline your order",
)

DISPATCH = terms(
    r"re:预计[^。；;]{0,6}(?:发货|出库|送达|到达|到货)", "发货时间", "当天发货", "当日发货",
    r"re:\d+\s*(?:小时|天|个工作日)内?(?:发货|出库|送达)",
    "estimated dispatch", "expected dispatch", "dispatch date", "estimated delivery",
    "expected delivery", "usually ships", "usually dispatched",
    r"re:\b(?:ships|dispatched|dispatches|delivered)\s+(?:in|within)\s+\d+",
)
CARRIER = terms("顺丰", "中通", "圆通", "申通", "韵达", "EMS", "中国邮政", "邮政", "京东物流",
                "德邦", "极兔", "宅急送", "承运商", "承运人", "快递公司", "物流公司",
                "carrier", "courier",
                "DHL", "UPS", "FedEx", "USPS", "royal mail", "DPD", "Evri", "Hermes", "Parcelforce")
TRACKING = terms("物流追踪", "物流跟踪", "查询物流", "物流查询", "运单号", "快递单号", "物流单号",
                 "跟踪", "追踪", "查看物流", "track your order", "tracking number", "tracking",
                 "track your parcel", "track your package")

STATEMENT = terms("结算单", "结算书", "发票", "电子发票", "账单", "对账单", "收据", "invoice",
                  "receipt", "billing statement", "account statement", "bill")
STATEMENT_DESTINATION = re.compile(
    r"发送至|发送到|发至|发到|寄送|寄出|邮寄|随货|随包裹|随商品|推送|邮箱|手机|我的订单|订单详情|下载"
    r"|\b(?:sent to|send to|emailed|e-mailed|by e-?mail|with your parcel|in the parcel"
    r"|in your parcel|with the parcel|posted to|mailed to|email address|e-mail address|your account"
    r"|download)\b",
    re.IGNORECASE,
)
STATEMENT_WHEN = re.compile(
    r"随货|随包裹|随商品|发货后|开具后|完成后|签收后|确认收货后|付款后|支付后|下单后|出库后|当天|当日"
    r"|\d+\s*(?:个)?(?:工作日|天|日|小时)内?"
    r"|\b(?:with your parcel|with the parcel|in the parcel|in your parcel|after dispatch"
    r"|once your order|when your order|after (?:payment|delivery|your order)|within \d+"
    r"|immediately|on dispatch)\b",
    re.IGNORECASE,
)
STATEMENT_ADDRESS = terms("发票", "收票", "账单地址", "结算单", "邮寄地址", "invoice", "billing",
                          "statement", "receipt")
CHANGE = re.compile(r"修改|更改|编辑|变更|更正|更换|\b(?:change|edit|update|correct|amend)\b",
                    re.IGNORECASE)

GIFT_WRAP = terms("礼品包装", "礼盒包装", "礼品卡片", "贺卡", "gift wrap", "gift-wrap",
                  "gift wrapping", "gift box", "gift message")
EXPRESS_OPTION = terms("加急", "特快", "极速", "次日达", "当日达", "express", "next day",
                       "next-day", "same day", "same-day", "priority")

INVOICE_TYPE = terms("电子发票", "纸质发票", "普通发票", "增值税", "专用发票", "不开发票",
                     "个人发票", "单位发票", "electronic invoice", "e-invoice", "paper invoice",
                     "pdf invoice",
                     "vat invoice", "vat receipt", "printed invoice", "tax invoice", "invoice")
INVOICE_HOW = re.compile(
    r"开具|申请|选择|索取|补开|下载|发票抬头|抬头|税号|勾选|"
    r"\b(?:request|download|select|choose|tick|ask for|issued|emailed|sent)\b",
    re.IGNORECASE,
)
PAPER_OR_ELECTRONIC = re.compile(r"电子|纸质|electronic|e-invoice|paper|pdf|printed", re.I)

PAYMENT_CONTEXT = re.compile(
    r"支付|付款|信用卡|借记卡|分期|花呗|货到付款|银行卡|\b(?:pay|payment|card|credit|debit|paypal"
    r"|instal?ments?|cash on delivery)\b",
    re.IGNORECASE,
)
# The payment type a charge or condition is tied to ("付款后" alone is a time, not a type).
PAYMENT_TYPE = re.compile(
    r"支付方式|付款方式|信用卡|借记卡|储蓄卡|银行卡|分期|花呗|白条|货到付款|钱包|支付宝|微信支付|云闪付"
    r"|\b(?:cards?|credit|debit|paypal|instal?ments?|cash on delivery|payment methods?|pay by"
    r"|paying by|wallet)\b",
    re.IGNORECASE,
)
PAYMENT_TERMS = terms(
    "手续费", "服务费", "分期", "免息", "限额", "单笔限额", "每日限额", "额度", "不支持", "仅支持",
    "仅限", "加收", "免手续费", "不收取", "surcharge", "fee", "fees", "limit", "limits",
    "instalment", "instalments", "installment", "installments", "interest-free", "interest free",
    "minimum", "maximum", "no additional charge", "no extra charge", "not accepted",
    "only accept",
)

BUY_NOW = terms("立即购买", "一键购买", "一键下单", "直接购买", "马上购买", "立即下单", "极速下单",
                "buy now", "buy it now", "1-click", "one-click", "one click", "express checkout",
                "quick buy", "instant checkout")

PRICE_PROTECTION = terms(
    "价格保护", "价保", "保价期", "保价规则", "降价补差", "差价补偿", "补差价", "退差价",
    "退还差价",
    r"re:\d+\s*天\s*保价", "price protection", "price match", "price matching", "price guarantee",
    "price promise", "price adjustment", "lowest price guarantee",
)
PRICE_PROTECTION_NEGATED = re.compile(
    r"不支持|不提供|不享受|暂不|不参与|\b(?:no|not|don't|do not|does not|doesn't)\b", re.IGNORECASE
)

PAYMENT_METHODS: dict[str, re.Pattern[str]] = {
    "Alipay": terms("支付宝", "alipay"),
    "WeChat Pay": terms("微信支付", "微信", "wechat pay", "wechat"),
    "UnionPay": terms("银联", "云闪付", "unionpay"),
    "bank card": terms("信用卡", "借记卡", "储蓄卡", "银行卡", "网银", "网上银行", "credit card",
                       "debit card", "visa", "mastercard", "amex", "american express", "card"),
    "cash on delivery": terms("货到付款", "cash on delivery", "pay on delivery"),
    "instalments": terms("花呗", "白条", "分期", "klarna", "afterpay", "clearpay", "instalments",
                         "installments"),
    "store wallet": terms("京东支付", "余额支付", "余额", "礼品卡", "储值卡", "gift card",
                          "store credit", "wallet"),
    "PayPal": terms("paypal"),
    "Apple Pay": terms("apple pay"),
    "Google Pay": terms("google pay"),
    "bank transfer": terms("银行转账", "对公转账", "bank transfer", "wire transfer"),
}
PAYMENT_SECURITY = terms(
    "动态密码", "动态码", "短信验证码", "手机验证码", "支付验证码", "短信验证", "支付密码",
    "交易密码",
    "安全密码", "U盾", "K宝", "口令卡", "数字证书", "安全键盘", "指纹支付", "面容支付", "刷脸支付",
    "人脸识别", "one-time password", "one time password", "one-time passcode", "one-time code",
    "OTP", "SMS code", "verification code", "3D Secure", "3-D Secure", "3DS",
    "Verified by Visa", "SecureCode", "Visa Secure", "Mastercard Identity Check", "payment PIN",
    r"re:(?-i:\bPIN\b)", "two-factor", "2FA",
)

# A bare status ("支付失败" on the declined page) is no help; "支付失败怎么办" is.
PAYMENT_HELP = terms(
    "支付帮助", "支付问题", "支付遇到问题", "付款帮助", "付款问题", "支付常见问题", "如何支付",
    "支付方式说明", r"re:(?:支付|付款)失败(?:了)?(?:怎么办|如何处理|的原因|常见原因|原因|解决)",
    "支付说明", "付款说明", "支付指南", "payment help", "payment faq",
    "payment questions", "problems paying", "problem paying", "payment issues",
    "payment problems", "trouble paying", "help with payment",
    "paying for your order",
)
PAYMENT_WORD = re.compile(r"支付|付款|\bpay(?:ment|ing)?\b", re.IGNORECASE)

PAYMENT_STATUS = terms("支付失败", "支付成功", "付款成功", "付款失败", "未支付", "待支付", "待付款",
                       "交易失败", "支付未完成", "被拒", "已支付", "declined", "payment failed",
                       "unsuccessful", "payment successful", "payment received", "not completed",
                       "was not authorised", "was not authorized", "pending")
PAYMENT_RETRY = terms("重新支付", "再次支付", "重新付款", "继续支付", "更换支付方式",
                      "选择其他支付方式", "换一种支付方式", "其他支付方式", "try again", "retry",
                      "pay again",
                      "use another", "choose another payment", "different payment method",
                      "different card", "another card", "another payment method")

CONFIRMATION_SENT = terms(
    "确认邮件", "确认短信", "已发送至", "已发送到", "短信通知", "邮件通知", "已向您的邮箱",
    "已通过短信", r"re:(?:发送|发)[^。；;]{0,10}(?:邮件|短信|邮箱|手机)",
    r"re:(?:您将|你将|将会)?收到[^。；;]{0,10}(?:邮件|短信)", "confirmation email",
    "confirmation e-mail", "email confirmation", "sent you an email", "sent you an e-mail",
    "we've emailed", "we have emailed", "confirmation has been sent", "sent to your email",
    "sent to your e-mail", "text message", "SMS", "you will receive an email",
    "you'll receive an email",
)

MODIFY_ORDER = terms(
    "修改订单", "订单修改", "更改订单", "变更订单", "修改收货", "修改地址", "更改地址", "更改收货",
    "如需修改", "如需更改", "change your order", "modify your order", "amend your order",
    "edit your order", "update your order", "order changes", "changes to your order",
    "change the delivery address", "change your delivery address", "change your address",
    "changing your order", "changes to orders",
    r"re:\b(?:change|modify|amend|edit)\s+(?:your|the)\s+(?:order|address|delivery|time slot)",
)
MODIFY_DEADLINE = re.compile(
    r"发货前|出库前|未发货|打包前|付款前|支付前|确认前|\d+\s*(?:分钟|小时|天)内|之前|以前"
    r"|\b(?:before (?:dispatch|shipping|it ships|your order ships|it is dispatched|we dispatch"
    r"|your order is dispatched|shipment)|within \d+\s*(?:minutes?|hours?|days?)|until)\b",
    re.IGNORECASE,
)
MODIFY_CHANNEL = re.compile(
    r"联系|客服|在线|电话|热线|点击|我的订单|订单详情|会员中心|页面|\b(?:contact|customer service"
    r"|call|phone|e-?mail|chat|my account|order page|order details|click|online)\b",
    re.IGNORECASE,
)

BEFORE_ORDER_HELP = ("help", "payment_help", "delivery_help", "terms", "after_sales", "info")
HELP_KINDS = ("help", "payment_help", "delivery_help", "after_sales", "terms", "info")

# Veto E1 (Annex B): the scoring module reads these hints on verdict 6.2.5.2.
E1_HINT_SEEN = "E1 payment security: seen"
E1_HINT_NOT_SEEN = "E1 payment security: not seen"

# fmt: on


# --- shared helpers --------------------------------------------------------------------------


def near(
    label: re.Pattern[str], value: str, gap: int = 24, stop: re.Pattern[str] | None = None
) -> re.Pattern[str]:
    """A label followed within `gap` characters by its value.

    The gap holds no sentence end and no currency sign (so "运费 ¥10 免费礼品" does not read as
    free delivery), nor a `stop` word: with stop=SUMMARY_LABEL "运费：另计 合计：¥129" does not
    read as a delivery charge of ¥129.
    """
    barrier = f"(?!{stop.pattern})" if stop is not None else ""
    step = f"(?:{barrier}[^。；;¥￥$€£元])"
    return re.compile(f"(?:{label.pattern}){step}{{0,{gap}}}?(?:{value})", re.IGNORECASE)


def summary_line(label: re.Pattern[str], value: str = MONEY) -> re.Pattern[str]:
    """An order-summary line: the label, then its own value before any other line's label."""
    return near(label, value, stop=SUMMARY_LABEL)


def line_match(line: re.Pattern[str], text: str) -> re.Match[str] | None:
    """Where a label-value line occurs in a text, bracketed remarks allowed."""
    return line.search(text) or line.search(without_asides(text))


def without_asides(text: str) -> str:
    """Text with short bracketed remarks dropped: "合计（含运费）：¥129" -> "合计 ：¥129"."""
    return re.sub(r"[（(][^（()）]{0,30}[)）]", " ", text)


def unique(pages: Iterable[Page]) -> list[Page]:
    seen: set[str] = set()
    result = []
    for page in pages:
        if page.step.id not in seen:
            seen.add(page.step.id)
            result.append(page)
    return result


def checkout_pages(bundle: Bundle) -> list[Page]:
    """The order form and the order summary shown just before "place order"."""
    return bundle.pages("checkout_review", "checkout")


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return f"{parts.netloc.lower()}{path}" + (f"?{parts.query}" if parts.query else "")


def linked_pages(bundle: Bundle, sources: Iterable[Page], kinds: Iterable[str]) -> list[Page]:
    """Saved pages of the given kinds that one of the source pages links to."""
    targets = {_url_key(urljoin(src.url, href)) for src in sources for _t, href, _e in links(src)}
    return [
        p
        for p in bundle.pages(*kinds)
        if _url_key(p.url) in targets or _url_key(p.step.url) in targets
    ]


def before_order_pages(bundle: Bundle) -> list[Page]:
    """What a customer can read before placing the order: checkout pages and the help pages
    they link to."""
    checkout = checkout_pages(bundle)
    return unique(checkout + linked_pages(bundle, checkout, BEFORE_ORDER_HELP))


def grow(
    element: lxml.html.HtmlElement, pattern: re.Pattern[str], levels: int = 3, max_chars: int = 400
) -> tuple[lxml.html.HtmlElement, str] | None:
    """The element or its nearest ancestor (bounded) whose visible text matches the pattern.

    Labels and values often sit in sibling cells ("运费" | "¥10"); climbing a few levels joins
    them without swallowing the whole page.
    """
    node = element
    for _ in range(levels + 1):
        if node is None:
            return None
        text = element_text(node)
        if len(text) > max_chars:
            return None
        if pattern.search(text) or pattern.search(without_asides(text)):
            return node, text
        node = node.getparent()
    return None


def find_near(
    pages: Iterable[Page],
    label: re.Pattern[str],
    wanted: re.Pattern[str],
    levels: int = 3,
    skip: re.Pattern[str] | None = None,
) -> list[tuple[Page, lxml.html.HtmlElement, str]]:
    """Visible places where `label` occurs and `wanted` matches the surrounding block."""
    found = []
    for hit in find(list(pages), label, limit=0):
        grown = grow(hit.element, wanted, levels)
        if grown is None:
            continue
        el, text = grown
        if skip is not None and skip.search(text):
            continue
        found.append((hit.page, el, text))
    return found


HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "dt", "th", "legend", "summary")


def find_statement(
    pages: Iterable[Page], topic: re.Pattern[str], *needs: re.Pattern[str], levels: int = 2
) -> list[tuple[Page, lxml.html.HtmlElement, str]]:
    """Places that say something about a topic: one sentence naming the topic and every need,
    or a heading naming the topic over a short section holding the needs.

    A whole help section is too wide ("…取消…" in one paragraph and "我的订单" in the returns
    process two paragraphs down are not a statement on how to cancel).
    """
    # One pattern true when every need occurs somewhere in the text (lookaheads from the start).
    wanted = re.compile("^" + "".join(f"(?=[\\s\\S]*(?:{n.pattern}))" for n in needs), re.I)
    found = []
    for hit in find(list(pages), topic, limit=0):
        grown = grow(hit.element, wanted, levels, max_chars=600)
        if grown is None:
            continue
        el, text = grown
        if not all(n.search(text) for n in needs):
            continue
        # Two sentences: "Need to change your order? Contact us within 1 hour."
        if same_sentence(text, topic, *needs, span=2) or hit.element.tag in HEADING_TAGS:
            found.append((hit.page, el, text))
    return found


def first_near(
    pages: Iterable[Page],
    label: re.Pattern[str],
    wanted: re.Pattern[str],
    note: str,
    levels: int = 3,
) -> Evidence | None:
    found = find_near(pages, label, wanted, levels)
    if not found:
        return None
    page, el, text = found[0]
    return evidence(page, el, note, text)


SITE_CHROME = re.compile(r"footer|header|topbar|navbar|site-nav|breadcrumb|menu", re.IGNORECASE)


def in_site_chrome(el: lxml.html.HtmlElement) -> bool:
    """True inside the header, footer or navigation every page repeats (not the page's content)."""
    node = el
    while node is not None and isinstance(node.tag, str):
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if node.tag in ("header", "footer", "nav") or SITE_CHROME.search(marks):
            return True
        node = node.getparent()
    return False


def first_content_hit(
    pages: Iterable[Page], pattern: re.Pattern[str], note: str
) -> Evidence | None:
    """Like first_hit, leaving out the site header, footer and menus."""
    hit = next(
        (h for h in find(list(pages), pattern, limit=0) if not in_site_chrome(h.element)), None
    )
    return hit.evidence(note) if hit else None


def first_hit(pages: Page | Iterable[Page], pattern: re.Pattern[str], note: str) -> Evidence | None:
    hits = find(pages if isinstance(pages, Page) else list(pages), pattern, limit=1)
    return hits[0].evidence(note) if hits else None


def choice_labels(page: Page) -> list[tuple[lxml.html.HtmlElement, str]]:
    """Visible choices a form offers: <option>s and the labels of radio buttons and check boxes.

    Labels of text fields ("Post code") are left out: they name entries, not choices.
    """
    choice_ids = {
        box.get("id")
        for box in page.tree.iter("input")
        if (box.get("type") or "").lower() in ("radio", "checkbox") and box.get("id")
    }
    found = []
    for el in page.tree.iter("option", "label", "input"):
        if is_hidden(el):
            continue
        if el.tag == "label":
            boxes = [
                b
                for b in el.iter("input")
                if (b.get("type") or "").lower() in ("radio", "checkbox")
            ]
            if not boxes and el.get("for") not in choice_ids:
                continue
        elif el.tag == "input":
            holder = el.getparent()
            if (el.get("type") or "").lower() not in ("radio", "checkbox") or holder is None:
                continue
            if (
                holder.tag == "label"
                or el.get("id")
                and page.tree.xpath("//label[@for=$id]", id=el.get("id"))
            ):
                continue  # the label is listed itself
            el = holder
        text = element_text(el)
        if text:
            found.append((el, text))
    return found


def option_labels(bundle: Bundle, fact_key: str) -> list[dict[str, Any]]:
    """Entries of one list of the checkout_options fact ("delivery", "payment", ...).

    The probe may add a `group` (the form control's name) to each entry; under "delivery" it
    can list other radio groups of the delivery section (delivery days), which are dropped.
    """
    fact = usable_fact(bundle, "checkout_options") or {}
    entries = [e if isinstance(e, dict) else {"label": str(e)} for e in fact.get(fact_key) or []]
    if fact_key == "delivery":
        entries = [e for e in entries if not e.get("group") or DELIVERY_GROUP.search(e["group"])]
    return entries


def same_sentence(text: str, *patterns: re.Pattern[str], span: int = 1) -> bool:
    """True when `span` consecutive sentences (or list items) of the text match every pattern."""
    parts = [p for p in re.split(r"[。；;！!？?\n]|\.\s", text) if p.strip()]
    return any(
        all(p.search(" ".join(parts[i : i + span])) for p in patterns)
        for i in range(max(1, len(parts) - span + 1))
    )


def choice_text(entry: dict[str, Any]) -> str:
    """Label, price and note of one option entry, as one text."""
    return " ".join(str(entry.get(k) or "") for k in ("label", "price_text", "note"))


def classify(text: str, kinds: dict[str, re.Pattern[str]]) -> list[str]:
    return [name for name, pattern in kinds.items() if pattern.search(text)]


def has_price(text: str) -> bool:
    return bool(re.search(MONEY, text, re.I) or re.search(FREE, text, re.I))


def is_free(text: str) -> bool:
    """Free of charge: "包邮", "free", or an amount of zero ("¥0.00")."""
    if FREE_NEGATED.search(text):
        return False
    if re.search(FREE, text, re.I):
        return True
    amounts = re.findall(MONEY, text, re.I)
    return bool(amounts) and all(not re.search(r"[1-9]", a) for a in amounts)


def is_paid(text: str) -> bool:
    return bool(re.search(MONEY, text, re.I)) and not is_free(text)


def amount_of(text: str) -> float | None:
    """The first price in a text, as a number ("¥1,299.00" -> 1299.0)."""
    m = re.search(MONEY, text, re.I)
    if not m:
        return None
    digits = re.search(r"\d[\d,]*(?:\.\d+)?", m.group(0))
    return float(digits.group(0).replace(",", "")) if digits else None


def delivery_charge(text: str) -> float | None:
    """The delivery charge a checkout line states: 0 when free, None when it states none."""
    m = line_match(summary_line(SHIPPING_CHARGE, f"{MONEY}|{FREE}"), text)
    if not m:
        return None
    if is_free(m.group(0)):
        return 0.0
    return amount_of(m.group(0))


def free_threshold(text: str) -> float | None:
    """The order value from which a free-delivery policy applies ("满99包邮", "over £50")."""
    m = FREE_THRESHOLD.search(text)
    if not m:
        return None
    return float((m.group(1) or m.group(2)).replace(",", ""))


def goods_value(bundle: Bundle) -> float | None:
    """The goods subtotal (else the total) the checkout shows."""
    pages = checkout_pages(bundle)
    for label in (SUBTOTAL, TOTAL):
        line = summary_line(label)
        for _page, _el, text in find_near(pages, label, line):
            m = line_match(line, text)
            value = amount_of(m.group(0)) if m else None
            if value is not None:
                return value
    return None


def with_hint(verdict: Verdict, *hints: str) -> Verdict:
    verdict.hints.extend(h for h in hints if h)
    return verdict


def missing_parts(parts: dict[str, Any]) -> list[str]:
    return [name for name, ev in parts.items() if not ev]


# --- 6.2.1 forming the intention to buy ------------------------------------------------------


@check("6.2.1.1")
def cart_holds_items(bundle: Bundle) -> Verdict:
    """Adding a product to the cart works and the cart then shows it (probe cart_add)."""
    products = bundle.pages("product")
    problem = fact_problem(bundle, "cart_add")
    if problem:
        return review(f"Not judged: {problem}.", searched(products, "add-to-cart control"))
    fact = bundle.fact("cart_add") or {}
    if fact.get("cart_contains"):
        proof = [
            fact_evidence(
                bundle,
                fact,
                "cart after adding the product",
                "cart_step",
                excerpt=fact.get("item_excerpt") or "",
                selector="",
            )
        ]
        if fact.get("product_step"):
            proof.append(
                fact_evidence(
                    bundle,
                    fact,
                    "add-to-cart control used",
                    "product_step",
                    excerpt=fact.get("control_text") or "",
                )
            )
        return passed("The product was added to the cart and the cart shows it.", proof)
    if fact.get("added") or fact.get("control_text"):
        what = (
            "was added but the cart did not show it"
            if fact.get("added")
            else "control was used but nothing was added"
        )
        return failed(
            f"Add to cart: the product {what}.",
            fact_evidence(
                bundle,
                fact,
                "add-to-cart attempt",
                "product_step",
                excerpt=fact.get("control_text") or "",
            ),
        )
    cart_word = first_hit(products, CART_WORDS, "add-to-cart wording the probe could not use")
    if cart_word:
        return review(
            "The product page mentions a cart but the probe found no control to use; "
            "check by hand.",
            cart_word,
        )
    return failed(
        "No add-to-cart control or cart wording on the product pages.",
        searched(products, "add to cart / 加入购物车"),
    )


def quantity_input(page: Page) -> lxml.html.HtmlElement | None:
    """A visible quantity box with a maximum: the most a customer can buy, stated by the form."""
    for el in page.tree.iter("input"):
        name = " ".join(el.get(a) or "" for a in ("name", "id", "class", "aria-label"))
        if el.get("max") and QUANTITY_FIELD.search(name) and not is_hidden(el):
            return el
    return None


def availability_evidence(page: Page) -> Evidence | None:
    hit = find(page, AVAILABILITY, limit=1)
    if hit:
        return hit[0].evidence("stock / purchasable quantity shown")
    box = quantity_input(page)
    if box is not None:
        return evidence(
            page,
            box,
            f"quantity box limited to {box.get('max')}",
            text=f"max={box.get('max')} {element_text(box.getparent())}",
        )
    return None


STOCK_TAGS = ("in_stock", "low_stock", "out_of_stock")


def is_out_of_stock(page: Page) -> bool:
    """The crawler's reading of the product's availability when it tagged one (the page may list
    other, sold-out products), else the page's own wording."""
    if any(tag in page.step.tags for tag in STOCK_TAGS):
        return "out_of_stock" in page.step.tags
    return bool(find(page, OUT_OF_STOCK, limit=1))


@check("6.2.1.2")
def purchasable_quantity(bundle: Bundle) -> Verdict:
    """Each product page states stock or the purchasable quantity; out-of-stock products offer an
    arrival notice (到货通知 / notify me)."""
    products = bundle.pages("product")
    shown = {p.step.id: availability_evidence(p) for p in products}
    lacking = [p for p in products if not shown[p.step.id]]
    if lacking:
        return failed(
            f"{len(lacking)} of {len(products)} product pages state no stock or purchasable "
            "quantity.",
            searched(lacking, "有货/库存/限购/in stock/only N left/quantity max"),
        )
    proof = [ev for ev in shown.values() if ev][:3]
    sold_out = [p for p in products if is_out_of_stock(p)]
    if not sold_out:
        # The arrival-notice part is conditional: it is judged on an out-of-stock product,
        # which the crawler looks for on listing cards and opens. Without one, that part was
        # not verified, and a pass would claim more than the bundle shows.
        cards = [c for c in products_seen(bundle) if c["state"] == "out_of_stock"]
        notice = first_hit(bundle.pages(), ARRIVAL_NOTICE, "arrival notice offered")
        if notice:
            return passed(
                "Every product page states availability, and an arrival notice is offered.",
                proof + [notice],
            )
        if cards:
            why = (
                "a listing card shows an out-of-stock product "
                f"({'; '.join(c['name'] for c in cards[:3])}) whose page was not opened"
            )
        else:
            opened = {u for p in products for u in (p.step.url, p.step.final_url) if u}
            seen = len(products) + sum(1 for c in products_seen(bundle) if c["url"] not in opened)
            why = f"no out-of-stock product was found among the {seen} product(s) seen"
        return review(
            "Every product page states availability, but the arrival-notice part (到货通知 / "
            f"notify me on out-of-stock goods) was not verified: {why}.",
            proof
            + [
                fact_evidence(
                    bundle, {"step": c["step"]}, "out of stock on a card", excerpt=c["name"]
                )
                for c in cards[:2]
            ],
        )
    no_notice = [p for p in sold_out if not find(p, ARRIVAL_NOTICE, limit=1)]
    if no_notice:
        return failed(
            "An out-of-stock product offers no arrival notice (到货通知 / notify me).",
            searched(no_notice, "到货通知/notify me/back in stock"),
        )
    notices = [
        find(p, ARRIVAL_NOTICE, limit=1)[0].evidence("arrival notice on out-of-stock product")
        for p in sold_out
    ]
    return passed(
        "Every product page states availability and out-of-stock products offer an arrival notice.",
        proof + notices[:2],
    )


@check("6.2.1.3")
def stock_reservation(bundle: Bundle) -> Verdict:
    """The store says chosen items are held for the customer until purchase or a stated time."""
    pages = unique(
        bundle.pages("cart", "checkout", "checkout_review", "product") + bundle.pages(*HELP_KINDS)
    )
    blocks = [h for h in find(pages, RESERVATION, limit=0) if not RIGHTS_RESERVED.search(h.text)]
    negated = [h for h in blocks if NOT_RESERVED.search(h.text)]
    stated = [h for h in blocks if not NOT_RESERVED.search(h.text)]
    if stated:
        best = next(
            (h for h in stated if re.search(DURATION, h.text) or UNTIL_DECISION.search(h.text)),
            stated[0],
        )
        limit = re.search(DURATION, best.text)
        how_long = f"for {limit.group(0)}" if limit else "until the customer decides"
        return passed(
            f"The store states chosen items are reserved ({how_long}).",
            best.evidence("reservation statement"),
        )
    if negated:
        return failed(
            "The store states that chosen items are not reserved.",
            negated[0].evidence("statement that items are not held"),
        )
    return failed(
        "No statement that chosen items are reserved (or for how long).",
        searched(pages, "保留/锁定库存/预留/reserved for/held for"),
    )


@check("6.2.1.4")
def cart_kept_and_editable(bundle: Bundle) -> Verdict:
    """After browsing elsewhere the cart still holds the items and can be changed."""
    problems = [
        p for p in (fact_problem(bundle, "cart_persist"), fact_problem(bundle, "cart_edit")) if p
    ]
    if problems:
        return review(
            "Not judged: " + "; ".join(problems) + ".", searched(bundle.pages("cart"), "cart")
        )
    persist = bundle.fact("cart_persist") or {}
    edit = bundle.fact("cart_edit") or {}
    kept = fact_evidence(
        bundle,
        persist,
        "cart after browsing another page",
        "back_step",
        excerpt="; ".join(map(str, persist.get("items_after") or [])),
    )
    if not persist.get("preserved"):
        return failed("The cart lost its items after the customer browsed another page.", kept)
    change = fact_evidence(
        bundle,
        edit,
        "quantity change in the cart",
        excerpt=f"quantity {edit.get('quantity_before')} -> {edit.get('quantity_after')}, "
        f"total {edit.get('total_before')} -> {edit.get('total_after')}",
    )
    if edit.get("changed"):
        return passed(
            "The cart kept its items after browsing and its quantity could be changed.",
            [kept, change],
        )
    if edit.get("remove_control"):
        return passed(
            "The cart kept its items after browsing; items can be removed (the quantity "
            "could not be changed).",
            [kept, change],
        )
    return failed(
        "The cart kept its items but they could not be changed or removed.", [kept, change]
    )


@check("6.2.1.5")
def availability_and_delivery_advice(bundle: Bundle) -> Verdict:
    """Product or cart pages state availability and expected delivery (预计送达 / arrives by)."""
    shop_pages = bundle.pages("product", "cart")
    stock = first_hit(shop_pages, AVAILABILITY, "availability")
    eta = first_hit(shop_pages, EXPECTED_DELIVERY, "expected delivery")
    where = "on the product/cart pages"
    if eta is None:
        eta = first_hit(
            bundle.pages("delivery_help", "help"),
            EXPECTED_DELIVERY,
            "expected delivery (help page)",
        )
        where = "with delivery times on a help page"
    gaps = missing_parts({"availability": stock, "expected delivery": eta})
    if gaps:
        return failed(
            f"Missing: {', '.join(gaps)}.",
            [e for e in (stock, eta) if e]
            + searched(shop_pages, "有货/in stock; 预计送达/estimated delivery", 2),
        )
    return passed(f"Availability and expected delivery are stated {where}.", [stock, eta])


# --- 6.2.2 the order form --------------------------------------------------------------------


def form_texts(bundle: Bundle) -> list[str]:
    """Field labels the checkout_form probe read."""
    fact = usable_fact(bundle, "checkout_form") or {}
    labels = [
        str(f.get("label") or f.get("name") or "")
        for f in fact.get("fields") or []
        if isinstance(f, dict)
    ]
    # Not the probe's section titles: they may include the footer's headings ("支付与发票").
    return labels


@check("6.2.2.1")
def order_form_parts(bundle: Bundle) -> Verdict:
    """The order form shows consignee, payment method, delivery method, invoice and item list."""
    pages = checkout_pages(bundle)
    wanted = {
        "consignee": CONSIGNEE,
        "payment method": PAYMENT_SECTION,
        "delivery method": DELIVERY_SECTION,
        "invoice": INVOICE_SECTION,
        "item list": ITEM_LIST,
    }
    fact = usable_fact(bundle, "checkout_form")
    labels = form_texts(bundle)
    found: dict[str, Evidence | None] = {}
    for part, pattern in wanted.items():
        found[part] = first_content_hit(pages, pattern, part)
        if found[part] is None and fact is not None:
            label = next((t for t in labels if pattern.search(t)), None)
            if label:
                found[part] = fact_evidence(bundle, fact, f"{part} (form probe)", excerpt=label)
    # Choices offered on the form show the section even when it has no telling heading.
    if found["delivery method"] is None and delivery_choices(bundle):
        found["delivery method"] = delivery_choices(bundle)[0][1]
    if found["payment method"] is None and payment_methods_seen(bundle):
        found["payment method"] = next(iter(payment_methods_seen(bundle).values()))
    gaps = missing_parts(found)
    if gaps:
        return failed(
            f"The order form does not show: {', '.join(gaps)}.",
            [e for e in found.values() if e] + searched(pages, ", ".join(gaps), 2),
        )
    verdict = passed(
        "The order form shows consignee, payment, delivery, invoice and item list.",
        [e for e in found.values() if e],
    )
    if fact is not None and not any(
        f.get("required") for f in fact.get("fields") or [] if isinstance(f, dict)
    ):
        verdict.hints.append(
            "No field was marked required: check that required entries are "
            "distinguished from optional ones."
        )
    return verdict


def remarks_evidence(bundle: Bundle) -> Evidence | None:
    pages = checkout_pages(bundle)
    for page in pages:
        for el in page.tree.iter("textarea", "input"):
            if is_hidden(el):
                continue
            if el.tag == "input" and (el.get("type") or "text").lower() not in ("text", ""):
                continue
            described = " ".join(
                el.get(a) or "" for a in ("name", "id", "placeholder", "aria-label")
            )
            holder = el.getparent()
            context = described + " " + (element_text(holder) if holder is not None else "")
            if REMARKS.search(context) or re.search(
                r"remark|note|comment|message|memo", described, re.I
            ):
                return evidence(page, el, "remarks field", text=context)
    fact = usable_fact(bundle, "checkout_form")
    if fact and fact.get("remarks_field"):
        return fact_evidence(bundle, fact, "remarks field (form probe)")
    return None


@check("6.2.2.2")
def entries_validated_and_remarks(bundle: Bundle) -> Verdict:
    """An empty or invalid entry gets a visible message and can be corrected; a remarks field
    exists."""
    remarks = remarks_evidence(bundle)
    problem = fact_problem(bundle, "checkout_validation")
    if problem:
        return review(f"Not judged: {problem}.", [remarks] if remarks else None)
    fact = bundle.fact("checkout_validation") or {}
    messages = [str(m) for m in fact.get("messages") or [] if str(m).strip()]
    unsent = bool(fact.get("tested_without_sending"))
    if not fact.get("submitted_empty_or_invalid") and not (unsent and messages):
        # On a store that is not a test store the form is never sent; without a message shown
        # before sending, the store may still check on submission, which nobody saw.
        return review(
            "The bad entry was tested without sending the form (not a test store) and no "
            "message was shown before sending; the store may check on submission."
            if unsent
            else "The validation probe did not submit an empty or invalid entry.",
            [remarks] if remarks else None,
        )
    shown = fact_evidence(
        bundle, fact, "messages after submitting a bad entry", excerpt=" | ".join(messages)
    )
    if not messages:
        where = "the form was accepted" if not fact.get("still_on_form") else "no message was shown"
        return failed(f"An empty/invalid entry got no visible message ({where}).", shown)
    if remarks is None:
        return failed(
            "Entries are validated but the order form has no remarks field.",
            [shown] + searched(checkout_pages(bundle), "备注/留言/order notes"),
        )
    if fact.get("corrected") is False:
        return review(
            "A message was shown but the probe could not correct the entry and go on.",
            [shown, remarks],
        )
    return passed(
        "A bad entry gets a visible message and the form has a remarks field.", [shown, remarks]
    )


@check("6.2.2.3")
def address_cascade(bundle: Bundle) -> Verdict:
    """Choosing a province offers its cities, and a city its districts (address_cascade probe)."""
    problem = fact_problem(bundle, "address_cascade")
    if problem:
        return review(f"Not judged: {problem}.", searched(checkout_pages(bundle), "address form"))
    fact = bundle.fact("address_cascade") or {}
    cities = fact.get("cities") or []
    districts = fact.get("districts") or []
    shown = fact_evidence(
        bundle,
        fact,
        "address lists after choosing a province and a city",
        excerpt=f"{fact.get('province')}: {', '.join(map(str, cities[:5]))} / "
        f"{fact.get('city')}: {', '.join(map(str, districts[:5]))}",
    )
    if fact.get("works") and cities:
        return passed(
            f"Choosing {fact.get('province')} offered {len(cities)} cities"
            + (f" and {len(districts)} districts." if districts else "."),
            shown,
        )
    return failed("Choosing a province did not offer its cities/districts.", shown)


# --- 6.2.3 delivery choice -------------------------------------------------------------------


def delivery_choices(bundle: Bundle) -> list[tuple[str, Evidence, dict[str, Any]]]:
    """(label, evidence, entry) of each delivery option: from the probe, else from the form."""
    fact = usable_fact(bundle, "checkout_options")
    entries = option_labels(bundle, "delivery")
    if not entries:
        # Options listed with a button each (checkout_choices), should the form fact lack them.
        fact = usable_fact(bundle, "checkout_choices")
        steps = (fact or {}).get("steps") or ([fact] if fact else [])
        entries = [
            {
                "label": o.get("label", ""),
                "price_text": o.get("price_text", ""),
                "note": o.get("time_text", ""),
            }
            for step in steps
            if step.get("kind") == "delivery"
            for o in step.get("options") or []
        ]
    if fact is not None and entries:
        return [
            (
                str(e.get("label") or ""),
                fact_evidence(
                    bundle,
                    fact,
                    "delivery option",
                    excerpt=" ".join(str(e.get(k) or "") for k in ("label", "price_text", "note")),
                ),
                e,
            )
            for e in entries
        ]
    found = []
    for page in checkout_pages(bundle):
        for el, text in choice_labels(page):
            if classify(text, DELIVERY_KINDS):
                found.append((text, evidence(page, el, "delivery option", text), {"label": text}))
    return found


@check("6.2.3.a")
def several_delivery_methods(bundle: Bundle) -> Verdict:
    """At least two kinds of delivery among post, express, pick-up (and local delivery).

    Standard vs express courier are speeds of one method; the standard names methods, so two
    courier options alone do not make "several methods".
    """
    choices = delivery_choices(bundle)
    if not choices:
        problem = fact_problem(bundle, "checkout_options")
        if problem:
            return review(f"Not judged: {problem}.", searched(checkout_pages(bundle), "delivery"))
        return failed(
            "No delivery method could be chosen on the checkout.",
            searched(checkout_pages(bundle), "邮政/快递/自提/post/courier/pick-up"),
        )
    kinds: dict[str, Evidence] = {}
    unknown = []
    for label, ev, _entry in choices:
        named = classify(label, DELIVERY_KINDS)
        for kind in named:
            kinds.setdefault(kind, ev)
        if not named:
            unknown.append(label)
    missing_named = [k for k in ("post", "express", "pick-up") if k not in kinds]
    hint = f"Not offered: {', '.join(missing_named)}." if missing_named else ""
    if len(kinds) >= 2:
        return with_hint(
            passed(f"Delivery methods offered: {', '.join(kinds)}.", list(kinds.values())), hint
        )
    evidence_list = [ev for _l, ev, _e in choices][:4]
    if unknown and len(choices) >= 2:
        return review(
            f"Delivery options seen ({'; '.join(unknown[:3])}) could not be told "
            "apart as methods; check by hand.",
            evidence_list,
        )
    return failed(
        f"Only one kind of delivery offered ({', '.join(kinds) or 'unclassified'}).", evidence_list
    )


@check("6.2.3.b")
def free_delivery_option(bundle: Bundle) -> Verdict:
    """Where the store has a free-delivery policy, a free method is offered at checkout."""
    for label, ev, entry in delivery_choices(bundle):
        price = str(entry.get("price_text") or "")
        # A note such as "满99包邮" on a ¥10 option is the policy, not a free option.
        if is_free(price if price.strip() else choice_text(entry)):
            return passed(f"A free delivery option is offered: {label}.", ev)
    charge_line = summary_line(SHIPPING_CHARGE, f"{MONEY}|{FREE}")
    charge_lines = find_near(checkout_pages(bundle), SHIPPING_CHARGE, charge_line, levels=2)
    free_line = next(((p, el, t) for p, el, t in charge_lines if delivery_charge(t) == 0), None)
    if free_line:
        page, el, text = free_line
        return passed(
            "The checkout charges no delivery fee.",
            evidence(page, el, "free delivery at checkout", text),
        )
    policy_pages = unique(
        bundle.pages("product", "cart", "checkout", "checkout_review", "home", *HELP_KINDS)
    )
    policy = [
        h for h in find(policy_pages, FREE_POLICY, limit=0) if not FREE_NEGATED.search(h.text)
    ]
    if not policy:
        return not_applicable(
            "No free-delivery policy or free delivery option was found.",
            searched(policy_pages, "包邮/免运费/free shipping/free delivery"),
        )
    rule = policy[0].evidence("free-delivery policy")
    charged = next(((p, el, t) for p, el, t in charge_lines if delivery_charge(t)), None)
    if charged is None:
        return review(
            "The store states a free-delivery policy; the checkout showed no delivery "
            "charge to compare. Check by hand.",
            rule,
        )
    threshold = free_threshold(policy[0].text)
    goods = goods_value(bundle)
    paid = evidence(charged[0], charged[1], "delivery charged at checkout", charged[2])
    if threshold is None and not UNCONDITIONAL_FREE.search(policy[0].text):
        return review(
            "The store states a free-delivery policy whose condition could not be read, "
            "and the checkout charges delivery. Check by hand.",
            [rule, paid],
        )
    if threshold is not None and (goods is None or goods < threshold):
        return review(
            f"Free delivery starts at {threshold:g}; the order at checkout "
            f"({'unknown' if goods is None else f'{goods:g}'}) may be below it. "
            "Check by hand.",
            [rule, paid],
        )
    return failed(
        "The order meets the store's free-delivery policy but the checkout charges "
        "delivery and offers no free method.",
        [rule, paid],
    )


@check("6.2.3.c")
def delivery_time_choice(bundle: Bundle) -> Verdict:
    """The customer can choose when the delivery arrives: two or more time slots or dates."""
    fact = usable_fact(bundle, "checkout_options")
    slots = [str(s) for s in (fact or {}).get("time_slots") or [] if str(s).strip()]
    if fact is not None and len(slots) >= 2:
        return passed(
            f"{len(slots)} delivery time slots can be chosen.",
            fact_evidence(bundle, fact, "delivery time slots", excerpt=" | ".join(slots)),
        )
    pages = checkout_pages(bundle)
    for page in pages:
        choices = [(el, t) for el, t in choice_labels(page) if TIME_SLOT_VALUE.search(t)]
        if len(choices) >= 2:
            return passed(
                f"{len(choices)} delivery time choices on the checkout.",
                [evidence(page, el, "delivery time choice", t) for el, t in choices[:3]],
            )
        for box in page.tree.iter("input"):
            kind = (box.get("type") or "").lower()
            holder = box.getparent()
            context = element_text(holder) if holder is not None else ""
            if (
                kind in ("date", "datetime-local")
                and not is_hidden(box)
                and TIME_SLOT_LABEL.search(context + " " + (box.get("name") or ""))
            ):
                return passed(
                    "A delivery date can be picked on the checkout.",
                    evidence(page, box, "delivery date picker", context),
                )
    if fact is None and not pages:
        return review(f"Not judged: {fact_problem(bundle, 'checkout_options')}.")
    return failed(
        "No choice of delivery time or date on the checkout.",
        searched(pages, "送达时间/配送时段/delivery slot/delivery date"),
    )


@check("6.2.3.d")
def special_delivery_costs_and_times(bundle: Bundle) -> Verdict:
    """Every delivery choice shows its charge, and every paid choice its delivery time (at
    checkout, or on the delivery help page the checkout links to)."""
    choices = delivery_choices(bundle)
    if not choices:
        problem = fact_problem(bundle, "checkout_options")
        if problem:
            return review(f"Not judged: {problem}.")
        review_steps = bundle.steps_of("checkout_review")
        review_absent = review_steps and all(is_store_absence(s) for s in review_steps)
        if not bundle.reached("checkout_review") and not review_absent:
            # The delivery step may lie between where the checkout stopped and the review.
            return review(
                "Not judged, not reached: no delivery choice was seen before the checkout "
                f"stopped ({bundle.why_not_reached('checkout_review')})."
            )
        return not_applicable(
            "The checkout offers no delivery choices to compare.",
            searched(checkout_pages(bundle), "delivery options"),
        )
    texts = [(label, ev, choice_text(e)) for label, ev, e in choices]
    evidence_list = [ev for _l, ev, _t in texts][:4]
    no_price = [label for label, _ev, text in texts if not has_price(text)]
    if no_price:
        return failed(
            f"Delivery choices: no charge shown for {', '.join(no_price)}.", evidence_list
        )
    paid = [(label, text) for label, _ev, text in texts if is_paid(text)]
    if not paid:
        return not_applicable(
            "Every delivery choice is free: there is no surcharge to state.", evidence_list
        )
    no_time = [label for label, text in paid if not re.search(DURATION, text, re.I)]
    if not no_time:
        return passed(
            "Every paid delivery choice shows its charge and delivery time.", evidence_list
        )
    help_table = first_near(
        linked_pages(bundle, checkout_pages(bundle), ("delivery_help", "help")),
        SHIPPING_CHARGE,
        re.compile(DURATION, re.I),
        "delivery charges and times (help)",
    )
    if help_table:
        return passed(
            "Each delivery choice shows its charge; delivery times are on the linked "
            "delivery help page.",
            evidence_list + [help_table],
        )
    return failed(
        f"Delivery choices: no delivery time shown for {', '.join(no_time)}.", evidence_list
    )


# --- 6.2.4.1 before placing the order --------------------------------------------------------


@check("6.2.4.1.a")
def total_breakdown_before_order(bundle: Bundle) -> Verdict:
    """The order summary states the total, the goods subtotal and the delivery charge (and any
    discount) with amounts."""
    pages = checkout_pages(bundle)
    parts = {
        "total": first_near(pages, TOTAL, summary_line(TOTAL), "total with amount"),
        "goods subtotal": first_near(pages, SUBTOTAL, summary_line(SUBTOTAL), "goods subtotal"),
        "delivery charge": first_near(
            pages,
            SHIPPING_CHARGE,
            summary_line(SHIPPING_CHARGE, f"{MONEY}|{FREE}"),
            "delivery charge",
        ),
    }
    discount = first_near(pages, DISCOUNT, summary_line(DISCOUNT), "discount line")
    gaps = missing_parts(parts)
    found = [e for e in parts.values() if e] + ([discount] if discount else [])
    if gaps:
        return failed(
            f"Before ordering, the summary lacks: {', '.join(gaps)}.",
            found + searched(pages, "总计/商品金额/运费/total/subtotal/shipping", 2),
        )
    verdict = passed(
        "The summary shows total, goods subtotal and delivery charge with amounts"
        + (" and a discount line." if discount else "."),
        found,
    )
    return with_hint(
        verdict,
        ""
        if discount
        else "No discount line seen; if a discount applies to the order it is not itemised.",
    )


@check("6.2.4.1.b")
def renewal_and_discount_terms(bundle: Bundle) -> Verdict:
    """Discount terms (and a renewal policy for subscriptions) before ordering.

    Goods bought once do not renew, so only subscriptions need a renewal policy; discounts need
    their conditions. With neither discounts nor subscriptions the item does not apply.
    """
    readable = unique(before_order_pages(bundle) + bundle.pages("cart", "product"))
    shown_anywhere = unique(readable + bundle.pages("home", "listing"))
    subscription = first_hit(shown_anywhere, SUBSCRIPTION, "subscription offered")
    discount = first_hit(shown_anywhere, DISCOUNT, "discount offered")
    if subscription is None and discount is None:
        return not_applicable(
            "No discount or subscription is offered, and goods bought once have no renewal.",
            searched(shown_anywhere, "优惠/折扣/coupon/discount/订阅/subscription", 2),
        )
    found: list[Evidence] = []
    gaps = []
    if subscription is not None:
        renewal = first_hit(readable, RENEWAL_TERMS, "renewal policy")
        found += [subscription] + ([renewal] if renewal else [])
        if renewal is None:
            gaps.append("renewal policy of the subscription")
    if discount is not None:
        rules = first_hit(readable, DISCOUNT_TERMS, "discount terms")
        found += [discount] + ([rules] if rules else [])
        if rules is None:
            gaps.append("terms of the discounts")
    if gaps:
        return failed(
            f"Before ordering, no {' or '.join(gaps)} is stated.",
            found + searched(readable, "使用规则/有效期/满X减Y/terms/valid until", 2),
        )
    return passed("Terms of the offered discounts/subscriptions are stated before ordering.", found)


@check("6.2.4.1.c")
def cancel_or_postpone(bundle: Bundle) -> Verdict:
    """Before ordering, the customer can read how to cancel (or postpone) and what follows."""
    pages = before_order_pages(bundle)
    statements = find_statement(pages, CANCEL, CANCEL_HOW)
    found = (
        evidence(*statements[0][:2], "how to cancel / postpone", statements[0][2])
        if statements
        else None
    )
    if found:
        postpone = re.search(r"延期|推迟|延迟|暂缓|postpone|reschedule|defer", found.excerpt, re.I)
        result = CANCEL_RESULT.search(found.excerpt)
        return with_hint(
            passed(
                "How to cancel the order"
                + (", and what follows," if result else "")
                + " is stated.",
                found,
            ),
            "" if postpone else "Postponing the order is not mentioned.",
            "" if result else "What cancelling implies (refund, fees) is not stated beside it.",
        )
    return failed(
        "No statement on how to cancel or postpone the order before ordering.",
        searched(pages, "取消订单/延期/cancel/postpone"),
    )


@check("6.2.4.1.d")
def delivery_area(bundle: Bundle) -> Verdict:
    """The delivery area is stated at checkout or on the help pages it links to."""
    pages = before_order_pages(bundle)
    found = first_hit(pages, DELIVERY_AREA, "delivery area")
    if found:
        return passed("The delivery area is stated before ordering.", found)
    return failed(
        "No delivery area is stated at checkout or on its linked help pages.",
        searched(pages, "配送范围/配送区域/we deliver to/delivery area"),
    )


@check("6.2.4.1.e")
def order_acceptability(bundle: Bundle) -> Verdict:
    """Before ordering the customer sees whether the order can be accepted: stock and
    deliverability on the checkout, or when the order is accepted in the linked terms."""
    found = first_hit(checkout_pages(bundle), ACCEPTANCE, "order can be accepted (checkout)")
    if found is None:
        linked = linked_pages(bundle, checkout_pages(bundle), BEFORE_ORDER_HELP)
        found = first_hit(linked, ACCEPTANCE, "when the order is accepted (linked terms)")
    if found:
        return passed("Whether the order can be accepted is stated before ordering.", found)
    return failed(
        "No stock, deliverability or acceptance statement before ordering.",
        searched(before_order_pages(bundle), "有货/可配送/in stock/deliverable"),
    )


@check("6.2.4.1.f")
def dispatch_carrier_tracking(bundle: Bundle) -> Verdict:
    """Expected dispatch or delivery date, the carrier and the tracking channel before ordering."""
    pages = before_order_pages(bundle)
    parts = {
        "expected dispatch/delivery": first_hit(pages, DISPATCH, "expected dispatch"),
        "carrier": first_hit(pages, CARRIER, "carrier"),
        "tracking": first_hit(pages, TRACKING, "tracking channel"),
    }
    gaps = missing_parts(parts)
    found = [e for e in parts.values() if e]
    if gaps:
        return failed(
            f"Before ordering, not stated: {', '.join(gaps)}.",
            found + searched(pages, "预计发货/承运/物流追踪/dispatch/carrier/track", 2),
        )
    verdict = passed("Expected dispatch, carrier and tracking are stated before ordering.", found)
    choices = delivery_choices(bundle)
    return with_hint(
        verdict,
        ""
        if len(choices) >= 2
        else "Fewer than two delivery options: the customer has little choice.",
    )


@check("6.2.4.1.g")
def statement_sending(bundle: Bundle) -> Verdict:
    """When and where the invoice/statement is sent (e-mail, with the parcel, account page)."""
    pages = before_order_pages(bundle)
    for page, el, text in find_near(pages, STATEMENT, STATEMENT_DESTINATION, levels=2):
        if STATEMENT_WHEN.search(text):
            return passed(
                "When and where the invoice/statement is sent is stated.",
                evidence(page, el, "statement: when and where sent", text),
            )
    partial = first_near(pages, STATEMENT, STATEMENT_DESTINATION, "where sent (no time)", 2)
    return failed(
        "Before ordering, it is not stated when and where the invoice/statement is sent.",
        ([partial] if partial else [])
        + searched(pages, "发票 发送至邮箱/随货/sent to your email/with your parcel"),
    )


@check("6.2.4.1.h")
def statement_address_change(bundle: Bundle) -> Verdict:
    """The customer can change or correct the invoice/statement address: an edit control or field
    at checkout, or a stated way on the help or account pages."""
    pages = unique(before_order_pages(bundle) + bundle.pages("addresses", "account", "profile"))
    found = first_near(
        pages, STATEMENT_ADDRESS, CHANGE, "how to change the statement details", levels=2
    )
    if found:
        return passed("The invoice/statement details can be changed.", found)
    fact = usable_fact(bundle, "checkout_form")
    for field in (fact or {}).get("fields") or []:
        label = (
            str(field.get("label") or field.get("name") or "") if isinstance(field, dict) else ""
        )
        kind = str(field.get("type") or "") if isinstance(field, dict) else ""
        if STATEMENT_ADDRESS.search(label) and kind not in ("hidden", "static", ""):
            return passed(
                "The invoice/statement details are an editable field of the order form.",
                fact_evidence(bundle, fact, "editable invoice field", excerpt=f"{label} ({kind})"),
            )
    return failed(
        "No way to change the invoice/statement address is shown.",
        searched(pages, "修改发票/账单地址/change billing address/edit invoice"),
    )


@check("6.2.4.1.i")
def other_charges(bundle: Bundle) -> Verdict:
    """Delivery charge shown before ordering; express delivery and gift wrap, where the checkout
    offers them, with their prices."""
    pages = before_order_pages(bundle)
    priced = f"{MONEY}|{FREE}"
    shipping = first_near(
        checkout_pages(bundle),
        SHIPPING_CHARGE,
        summary_line(SHIPPING_CHARGE, priced),
        "delivery charge",
    )
    found = [shipping] if shipping else []
    gaps = [] if shipping else ["delivery charge"]
    express = [
        (label, ev, e) for label, ev, e in delivery_choices(bundle) if EXPRESS_OPTION.search(label)
    ]
    if express:
        unpriced = [label for label, _ev, e in express if not has_price(choice_text(e))]
        found += [ev for _l, ev, _e in express][:2]
        if unpriced:
            gaps.append(f"express delivery charge ({', '.join(unpriced)})")
    gift = first_hit(checkout_pages(bundle), GIFT_WRAP, "gift wrap offered")
    if gift:
        price = first_near(pages, GIFT_WRAP, near(GIFT_WRAP, priced), "gift wrap charge", 2)
        found.append(price or gift)
        if price is None:
            gaps.append("gift wrap charge")
    if gaps:
        return failed(
            f"Before ordering, not shown: {', '.join(gaps)}.",
            found + searched(pages, "运费/加急/礼品包装/shipping/express/gift wrap", 2),
        )
    return passed("Delivery and other optional charges are shown before ordering.", found)


@check("6.2.4.1.j")
def invoice_options(bundle: Bundle) -> Verdict:
    """Invoices/receipts (paper or electronic) and how to get them, before ordering."""
    fact = usable_fact(bundle, "checkout_options")
    offered = [str(e.get("label") or "") for e in option_labels(bundle, "invoice")]
    offered = [o for o in offered if o.strip()]
    if fact is not None and offered:
        verdict = passed(
            f"Invoice choices at checkout: {', '.join(offered[:4])}.",
            fact_evidence(bundle, fact, "invoice choices", excerpt=" | ".join(offered)),
        )
        kinds = PAPER_OR_ELECTRONIC.search(" ".join(offered))
        return with_hint(verdict, "" if kinds else "Paper or electronic form not named.")
    pages = before_order_pages(bundle)
    found = first_near(pages, INVOICE_TYPE, INVOICE_HOW, "invoice type and how to get it", levels=2)
    if found:
        return passed("Invoices and how to get them are described before ordering.", found)
    return failed(
        "No invoice/receipt information before ordering.",
        searched(pages, "电子发票/纸质发票/开具/e-invoice/VAT invoice/request"),
    )


@check("6.2.4.1.k")
def payment_charges_and_conditions(bundle: Bundle) -> Verdict:
    """Charges or conditions tied to the payment type (fees, limits, instalments) are stated,
    including an explicit "no fee"."""
    fact = usable_fact(bundle, "checkout_options")
    for entry in option_labels(bundle, "payment"):
        note = choice_text(entry)
        if PAYMENT_TERMS.search(note):
            return passed(
                "A payment option states its charges/conditions.",
                fact_evidence(
                    bundle,
                    fact or {},
                    "payment option note",
                    excerpt=note,
                ),
            )
    pages = unique(
        before_order_pages(bundle) + linked_pages(bundle, checkout_pages(bundle), ("payment_help",))
    )
    stated = [
        (page, el, text)
        for page, el, text in find_near(pages, PAYMENT_TERMS, PAYMENT_TYPE, levels=2)
        if same_sentence(text, PAYMENT_TERMS, PAYMENT_TYPE)
    ]
    if stated:
        page, el, text = stated[0]
        return passed(
            "Charges/conditions of payment methods are stated before ordering.",
            evidence(page, el, "payment charges/conditions", text),
        )
    return failed(
        "No charges or conditions of the payment methods are stated.",
        searched(pages, "手续费/限额/分期/surcharge/fee/limit/instalments"),
    )


CONTROL_TAGS = ("a", "button", "input", "select")


def is_control(hit: Any) -> bool:
    """A hit inside a link, button or form control (not a heading such as "Items to buy now")."""
    element = hit.element
    while element is not None:
        if element.tag in CONTROL_TAGS or element.get("role") == "button":
            return True
        element = element.getparent()
    return False


@check("6.2.4.2")
def one_click_order(bundle: Bundle) -> Verdict:
    """A one-step order option (立即购买 / Buy now / one-click). The auditor rates simplicity."""
    fact = usable_fact(bundle, "one_click")
    if fact is not None and fact.get("found"):
        return passed(
            "A one-click / buy-now option exists (auditor rates the ordering flow).",
            fact_evidence(
                bundle, fact, "one-click control", excerpt=fact.get("control_text") or ""
            ),
        )
    pages = bundle.pages("product", "cart")
    found = next(
        (h.evidence("buy-now control") for h in find(pages, BUY_NOW, limit=0) if is_control(h)),
        None,
    )
    if found:
        return passed("A buy-now option exists (auditor rates the ordering flow).", found)
    if fact is None:
        return review(
            f"Not judged: {fact_problem(bundle, 'one_click')}; no buy-now wording on "
            "the product/cart pages.",
            searched(pages, "立即购买/一键购买/buy now"),
        )
    return failed(
        "No one-click or buy-now option on the product or cart pages.",
        searched(pages, "立即购买/一键购买/buy now/1-click"),
    )


# --- 6.2.5 payment ---------------------------------------------------------------------------


@check("6.2.5.1")
def price_protection(bundle: Bundle) -> Verdict:
    """A price-protection (price compensation) mechanism is offered. The auditor rates how
    competitive prices are.

    "保价" alone is not searched: in delivery it means insured value. "30天保价", "保价期" and
    "价保" are price protection.
    """
    pages = unique(bundle.pages("product") + bundle.pages(*HELP_KINDS) + bundle.pages())
    if not pages:
        return review("Not judged: no page was reached.")
    hits = find(pages, PRICE_PROTECTION, limit=0)
    offered = [h for h in hits if not PRICE_PROTECTION_NEGATED.search(h.text)]
    if offered:
        conditions = next(
            (
                h
                for h in offered
                if re.search(rf"{DURATION}|差价|退还|补偿|refund|difference|within", h.text, re.I)
            ),
            offered[0],
        )
        return passed(
            "A price-protection mechanism is offered (auditor rates the prices).",
            conditions.evidence("price protection"),
        )
    if hits:
        return failed(
            "The store states it offers no price protection.",
            hits[0].evidence("statement refusing price protection"),
        )
    return failed(
        "No price-protection mechanism found.",
        searched(pages, "价格保护/价保/price protection/price match"),
    )


def payment_methods_seen(bundle: Bundle) -> dict[str, Evidence]:
    """Payment method families offered: probe labels first, then checkout choices."""
    methods: dict[str, Evidence] = {}
    fact = usable_fact(bundle, "checkout_options")
    for entry in option_labels(bundle, "payment"):
        label = str(entry.get("label") or "")
        for name in classify(label, PAYMENT_METHODS):
            methods.setdefault(
                name, fact_evidence(bundle, fact or {}, "payment method", excerpt=label)
            )
    attempt = usable_fact(bundle, "payment_attempt") or {}
    for label in attempt.get("methods_offered") or []:
        for name in classify(str(label), PAYMENT_METHODS):
            methods.setdefault(
                name,
                fact_evidence(
                    bundle, attempt, "payment method offered", "result_step", excerpt=str(label)
                ),
            )
    for page in bundle.pages("checkout", "checkout_review", "payment"):
        for el, text in choice_labels(page):
            for name in classify(text, PAYMENT_METHODS):
                methods.setdefault(name, evidence(page, el, "payment method", text))
    return methods


def payment_security(bundle: Bundle) -> tuple[Evidence | None, list[Page]]:
    """Where a payment security measure is described, and the pages searched.

    On checkout, payment and payment-help pages any mention counts; on general help pages the
    passage must be about paying, since "短信验证码" there may be about logging in.
    """
    payment_pages = unique(
        checkout_pages(bundle) + bundle.pages("payment", "payment_result", "payment_help")
    )
    general = bundle.pages("help", "info")
    found = first_hit(payment_pages, PAYMENT_SECURITY, "payment security measure")
    if found is None:
        found = first_near(
            general, PAYMENT_SECURITY, PAYMENT_CONTEXT, "payment security measure (help)", levels=2
        )
    return found, payment_pages + general


@check("6.2.5.2")
def payment_methods_and_security(bundle: Bundle) -> Verdict:
    """Two or more payment methods, and a payment security measure (one-time password, SMS code,
    payment PIN, 3-D Secure). Carries the E1 hint for the veto coefficient."""
    methods = payment_methods_seen(bundle)
    security, security_pages = payment_security(bundle)
    e1 = (
        f"{E1_HINT_SEEN}: {security.excerpt} ({security.step})"
        if security
        else f"{E1_HINT_NOT_SEEN} (searched {len(security_pages)} checkout/payment/help pages)"
    )
    found = list(methods.values())[:4] + ([security] if security else [])
    if len(methods) < 2:
        if not methods and fact_problem(bundle, "checkout_options") and not security:
            return with_hint(
                review(
                    f"Not judged: {fact_problem(bundle, 'checkout_options')}; no "
                    "payment method seen on the checkout."
                ),
                e1,
            )
        return with_hint(
            failed(
                f"Fewer than two payment methods ({', '.join(methods) or 'none'}) offered.",
                found or searched(checkout_pages(bundle), "payment methods"),
            ),
            e1,
        )
    if security:
        return with_hint(
            passed(
                f"Payment methods: {', '.join(methods)}; a security measure is described.", found
            ),
            e1,
        )
    paid = bundle.reached("payment") or (usable_fact(bundle, "payment_attempt") or {}).get(
        "attempted"
    )
    where = searched(security_pages, "动态密码/短信验证码/支付密码/OTP/3-D Secure/PIN")
    if paid:
        return with_hint(
            failed(
                f"Payment methods: {', '.join(methods)}; no security measure on the payment pages.",
                found + where,
            ),
            e1,
        )
    return with_hint(
        review(
            f"Payment methods: {', '.join(methods)}; no security measure is "
            "described, and the payment provider's step (where one-time "
            "passwords appear) was not reached. Check by hand.",
            found + where,
        ),
        e1,
    )


@check("6.2.5.3")
def payment_help(bundle: Bundle) -> Verdict:
    """Help for payment questions: a payment help page, or payment help linked from checkout.

    A link counts when its target is not known to be broken (listed by the link check, or a
    step that answered an HTTP error); customers' reviews and questions are not help.
    """
    for page in bundle.pages("payment_help"):
        heading = find(page, PAYMENT_WORD, limit=1)
        if heading:
            return passed("A payment help page exists.", heading[0].evidence("payment help page"))
    pages = unique(
        checkout_pages(bundle)
        + bundle.pages("payment", "payment_result")
        + bundle.pages("help", "info")
    )
    if not pages:
        return review("Not judged: no checkout, payment or help page was reached.")
    # A help link counts only when the help exists: "查看支付帮助" leading to a 404 is no help.
    broken = broken_targets(bundle)
    hits = seller_text_only(find(pages, PAYMENT_HELP, limit=0))
    working = [h for h in hits if not points_to_broken(h, broken)]
    if working:
        return passed(
            "Help with payment questions is offered.", working[0].evidence("payment help")
        )
    dead = [h.evidence("payment help link, target page broken (HTTP error)") for h in hits[:2]]
    return failed(
        "No help for payment questions found"
        + (": the payment help links lead to broken pages." if dead else "."),
        dead + searched(pages, "支付帮助/支付问题/payment help/payment FAQ"),
    )


@check("6.2.5.4")
def payment_status_and_retry(bundle: Bundle) -> Verdict:
    """After a declined payment the status is shown and a retry or another method is offered.
    Only observable where the crawler may attempt a payment (demo/test stores)."""
    problem = fact_problem(bundle, "payment_attempt")
    if problem:
        return review(f"Not judged: {problem}.")
    fact = bundle.fact("payment_attempt") or {}
    if not fact.get("attempted"):
        reason = fact.get("reason") or "the crawler never pays on a real store"
        return review(f"Not judged: no payment was attempted ({reason}).")
    result = page_of_step(bundle, fact.get("declined_step"))
    if result is None:
        # Without a declined payment the retry offer cannot be seen; a status page alone is
        # half the item.
        seen = page_of_step(bundle, fact.get("result_step")) or bundle.page("payment_result")
        status = first_hit(seen, PAYMENT_STATUS, "payment status") if seen else None
        return review(
            "Not judged: the payment probe observed no declined payment"
            + (f" (status shown: {status.excerpt})." if status else "."),
            [status] if status else None,
        )
    status = first_hit(result, PAYMENT_STATUS, "payment status")
    retry = first_hit(result, PAYMENT_RETRY, "retry / other method offered")
    if retry is None and fact.get("retry_offered"):
        retry = fact_evidence(bundle, fact, "retry offered (probe)", "declined_step")
    gaps = missing_parts({"payment status": status, "retry or other method": retry})
    if gaps:
        return failed(
            f"After the declined payment, not shown: {', '.join(gaps)}.",
            [e for e in (status, retry) if e]
            + searched([result], "支付失败/重新支付/declined/try again"),
        )
    return passed(
        "The payment status is shown and the declined payment can be retried.", [status, retry]
    )


# --- 6.2.6 order confirmation and changes ----------------------------------------------------


@check("6.2.6.1")
def confirmation_message(bundle: Bundle) -> Verdict:
    """The confirmation page says a confirmation e-mail/SMS was sent. Only observable when an
    order was placed (demo/test stores); the mailbox itself is the auditor's to check."""
    problem = fact_problem(bundle, "order_place")
    if problem:
        return review(f"Not judged: {problem}.")
    fact = bundle.fact("order_place") or {}
    if not fact.get("placed"):
        reason = fact.get("reason") or "the crawler never orders on a real store"
        return review(f"Not judged: no order was placed ({reason}).")
    page = page_of_step(bundle, fact.get("confirmation_step")) or bundle.page("order_confirmation")
    if page is None:
        return review("Not judged: the order was placed but no confirmation page was saved.")
    said = first_hit(page, CONFIRMATION_SENT, "confirmation e-mail/SMS announced")
    if said:
        return passed("The confirmation page says a confirmation e-mail/SMS was sent.", said)
    promised = first_hit(
        bundle.pages(*HELP_KINDS), CONFIRMATION_SENT, "help says confirmations are sent"
    )
    if promised:
        return review(
            "The confirmation page does not mention an e-mail/SMS, but the help pages "
            "promise one: check the test mailbox/phone.",
            [promised, evidence(page, note="confirmation page")],
        )
    return failed(
        "The confirmation page does not say a confirmation e-mail/SMS was sent (the "
        "auditor may still check the test mailbox).",
        searched([page], "确认邮件/短信/confirmation email/SMS"),
    )


@check("6.2.6.2")
def order_change_channel_and_deadline(bundle: Bundle) -> Verdict:
    """How (channel, method) and until when (deadline) an order can be changed."""
    pages = unique(
        bundle.pages("order_confirmation", "order_detail", "orders") + bundle.pages(*HELP_KINDS)
    )
    if not pages:
        return review("Not judged: no order or help page was reached.")
    complete = [
        (p, el, t)
        for p, el, t in find_statement(pages, MODIFY_ORDER, MODIFY_DEADLINE, MODIFY_CHANNEL)
    ]
    if complete:
        page, el, text = complete[0]
        return passed(
            "How and until when an order can be changed is stated.",
            evidence(page, el, "order change: channel and deadline", text),
        )
    mention = first_hit(pages, MODIFY_ORDER, "order change mentioned")
    actions = usable_fact(bundle, "order_actions") or {}
    modify = actions.get("modify") or {}
    found = [mention] if mention else []
    if isinstance(modify, dict) and modify.get("found"):
        found.append(
            fact_evidence(
                bundle,
                actions,
                "modify control on the order",
                excerpt=str(modify.get("text") or ""),
            )
        )
    if found:
        return failed(
            "An order change is offered but its deadline or channel is not stated.", found
        )
    looked = searched(pages, "修改订单/发货前/change your order/before dispatch")
    if not bundle.reached("order_confirmation") and not bundle.reached("order_detail"):
        # The usual place for this is the confirmation or order page, which was not seen.
        return review(
            "Not judged: nothing on changing an order in the pages seen, and neither the order "
            "confirmation nor an order detail page was reached.",
            looked,
        )
    return failed("No information on how or until when an order can be changed.", looked)
