"""Crawler unit tests: discovery scoring, readers, redaction, profiles, browser finding."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
from b2cect.crawler import browser as browser_mod
from b2cect.crawler.bundle import REDACTED
from b2cect.crawler.discovery import candidates_from_html, load_vocabulary
from b2cect.crawler.profile import ProfileError, load_profile
from b2cect.crawler.readers import availability, find_dates, order_rows, parse_export
from b2cect.crawler.redact import Redactor
from b2cect.crawler.scan import ScanOptions, credentials_for, may_place_order, run_sync

BASE = "http://shop.test/"

ZH_HOME = """<html lang="zh-CN"><body>
<header><a href="/">首页</a> <a href="/login">登录</a> <a href="/register">免费注册</a>
 <a href="/logout">退出登录</a> <a href="/cart">购物车(2)</a>
 <a href="/member/orders">我的订单</a></header>
<nav><a href="/category/phones">手机分类</a> <a href="/all">全部商品</a></nav>
<main>
 <ul><li class="product"><a href="/goods/101.html">蓝牙耳机 Pro</a> <span>¥199.00</span></li>
     <li class="product"><a href="/goods/102.html">保温杯</a> <span>¥59.00</span> 已售罄</li></ul>
 <button type="button">加入购物车</button> <button>立即购买</button>
 <a href="https://weibo.com/shop">微博</a>
</main>
<footer><a href="/help">帮助中心</a> <a href="/help/privacy">隐私政策</a>
 <a href="/about">关于我们</a>
 <a href="/contact">联系我们</a> <a href="/complaint">投诉建议</a> <a href="/license">营业执照</a>
 <a href="/help/after-sales">售后服务</a> <a href="/help/payment">支付方式</a></footer>
</body></html>"""

EN_HOME = """<html lang="en"><body>
<header><a href="/en-gb/accounts/login/">Login or register</a>
 <a href="/en-gb/basket/">View basket</a>
 <a href="/en-gb/accounts/logout/">Logout</a></header>
<nav><a href="/en-gb/catalogue/">All products</a>
 <a href="/en-gb/catalogue/category/books_2/">Books</a></nav>
<section><article class="product_pod"><a href="/en-gb/catalogue/hacking-exposed_199/">
   <img alt="Hacking Exposed"></a><p class="price_color">£19.99</p>
   <form action="/en-gb/basket/add/199/" method="post">
   <button type="submit">Add to basket</button></form>
 </article></section>
<footer><a href="/en-gb/accounts/password-reset/">Forgotten your password?</a></footer>
</body></html>"""


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def best_url(vocab, target, html):
    found = vocab.best(target, candidates_from_html(html, BASE), BASE)
    return found.url if found else None


@pytest.mark.parametrize(
    "target, expected",
    [
        ("login", "http://shop.test/login"),
        ("register", "http://shop.test/register"),
        ("cart", "http://shop.test/cart"),
        ("orders", "http://shop.test/member/orders"),
        ("help", "http://shop.test/help"),
        ("privacy", "http://shop.test/help/privacy"),
        ("contact", "http://shop.test/contact"),
        ("complaint", "http://shop.test/complaint"),
        ("licence", "http://shop.test/license"),
        ("after_sales", "http://shop.test/help/after-sales"),
        ("payment_help", "http://shop.test/help/payment"),
        ("logout", "http://shop.test/logout"),
    ],
)
def test_discovery_chinese_links(vocab, target, expected):
    assert best_url(vocab, target, ZH_HOME) == expected


@pytest.mark.parametrize(
    "target, expected",
    [
        ("login", "http://shop.test/en-gb/accounts/login/"),
        ("cart", "http://shop.test/en-gb/basket/"),
        ("listing", "http://shop.test/en-gb/catalogue/"),
        ("password_reset", "http://shop.test/en-gb/accounts/password-reset/"),
    ],
)
def test_discovery_english_links(vocab, target, expected):
    assert best_url(vocab, target, EN_HOME) == expected


def test_discovery_scores_are_ranked_not_first_match(vocab):
    # "退出登录" contains 登录 but the avoid list rules it out; exact "登录" wins.
    ranked = vocab.rank("login", candidates_from_html(ZH_HOME, BASE), BASE)
    assert ranked[0].url.endswith("/login")
    assert all(not f.url.endswith("/logout") for f in ranked)
    assert "link text '登录'" in ranked[0].found_by and ranked[0].confidence >= 0.9


def test_discovery_controls_and_off_site_links(vocab):
    cands = candidates_from_html(ZH_HOME, BASE)
    add = vocab.best("add_to_cart", cands, BASE)
    assert add is not None and add.candidate.text == "加入购物车" and not add.url
    assert vocab.best("buy_now", cands, BASE).candidate.text == "立即购买"
    en_add = vocab.best("add_to_cart", candidates_from_html(EN_HOME, BASE), BASE)
    assert en_add.candidate.text == "Add to basket"
    # The weibo link is off-site: never a candidate for a store page.
    assert all("weibo" not in f.url for f in vocab.rank("notices", cands, BASE, minimum=0.0))


def test_product_links_by_url_and_card(vocab):
    zh = [f.url for f in vocab.product_links(candidates_from_html(ZH_HOME, BASE), BASE)]
    assert zh[:2] == ["http://shop.test/goods/101.html", "http://shop.test/goods/102.html"]
    en = [f.url for f in vocab.product_links(candidates_from_html(EN_HOME, BASE), BASE)]
    assert en == ["http://shop.test/en-gb/catalogue/hacking-exposed_199/"]


@pytest.mark.parametrize(
    "info, cls",
    [
        ({"name": "consignee", "label": "收货人"}, "full_name"),
        ({"name": "mobile", "label": "手机号码"}, "mobile"),
        ({"name": "province", "label": "省份"}, "province"),
        ({"name": "city", "label": "市"}, "city"),
        ({"name": "district", "label": "区/县"}, "district"),
        ({"name": "remark", "label": "订单备注"}, "remarks"),
        (
            {"name": "shipping-first_name", "id": "id_first_name", "label": "First name"},
            "first_name",
        ),
        ({"name": "line1", "label": "First line of address"}, "address"),
        ({"name": "postcode", "label": "Post/Zip-code"}, "postcode"),
        ({"name": "login-username", "label": "Email address"}, "email"),
        ({"name": "phone_number", "type": "tel"}, "mobile"),
        ({"name": "captcha", "label": "验证码"}, "captcha"),
        ({"name": "sms", "label": "短信验证码"}, "sms_code"),
        ({"name": "q", "type": "search"}, "search"),
    ],
)
def test_field_classification(vocab, info, cls):
    assert vocab.classify_field(info) == cls


def test_availability_reading(vocab):
    assert availability("库存：有货", [], vocab)[0] == "in_stock"
    assert availability("抱歉，该商品已售罄 到货通知", [], vocab)[0] == "out_of_stock"
    assert availability("仅剩 3 件", [], vocab)[0] == "low_stock"
    assert availability("In stock (22 available)", [], vocab)[0] == "in_stock"
    assert availability("", ["https://schema.org/OutOfStock"], vocab)[0] == "out_of_stock"
    assert availability("Only 2 left", ["http://schema.org/InStock"], vocab)[0] == "low_stock"
    assert availability("a plain page", [], vocab) == ("", "")


def test_find_dates_chinese_and_english():
    assert find_dates("下单时间 2023年3月5日 10:00") == ["2023-03-05"]
    assert find_dates("2024-11-02 / 2022/1/9") == ["2024-11-02", "2022-01-09"]
    assert find_dates("Placed March 12, 2024, 3:04 p.m.") == ["2024-03-12"]
    assert find_dates("12 Mar 2025") == ["2025-03-12"]
    assert find_dates("order 20240312001 total ¥20") == []


def test_order_rows(vocab):
    rows = [
        {
            "text": "订单号 D20240101001 2024-01-01 已完成 ¥99.00",
            "link": "/o/1",
            "link_text": "详情",
        },
        {"text": "no date here", "link": "", "link_text": ""},
    ]
    orders = order_rows(rows, vocab)
    assert orders == [
        {
            "ref": "D20240101001",
            "date": "2024-01-01",
            "status": "已完成",
            "total": "¥99.00",
            "link": "/o/1",
        }
    ]


def test_parse_export_csv_and_xlsx(tmp_path):
    csv_path = tmp_path / "orders.csv"
    csv_path.write_text(
        "订单号,下单日期,金额\nA1,2022-01-05,10\nA2,2024-06-30,20\n", encoding="utf-8-sig"
    )
    info = parse_export(csv_path, "text/csv")
    assert info["office_format"] and info["rows"] == 2
    assert info["columns"] == ["订单号", "下单日期", "金额"]
    assert (info["earliest"], info["latest"]) == ("2022-01-05", "2024-06-30")
    book = openpyxl.Workbook()
    book.active.append(["ref", "date"])
    book.active.append(["B1", "2023-02-01"])
    xlsx = tmp_path / "orders.xlsx"
    book.save(xlsx)
    info = parse_export(xlsx)
    assert info["format"] == "xlsx" and info["rows"] == 1 and info["earliest"] == "2023-02-01"
    html = tmp_path / "orders.html"
    html.write_text("<html></html>")
    assert parse_export(html)["office_format"] is False


def test_redaction_text_and_data():
    red = Redactor()
    red.add_secret("zhang.wei@example.com")
    red.add_secret("s3cret-pass")
    red.add_keep("客服邮箱 service@shop.test 热线 400-800-1234")
    html = (
        '<input value="s3cret-pass"> 欢迎 zhang.wei@example.com '
        '<a href="/u?e=zhang.wei%40example.com">me</a> zhang.wei 客服 service@shop.test '
        "手机 13912345678 other@mail.test"
    )
    out = red.text(html, personal=True)
    assert "s3cret-pass" not in out and "zhang.wei" not in out and "%40example" not in out
    assert "13912345678" not in out and "other@mail.test" not in out
    assert "service@shop.test" in out and out.count(REDACTED) >= 5
    # Without personal=True only learnt secrets go; unknown addresses stay (public pages).
    assert "other@mail.test" in red.text("other@mail.test")
    assert red.data({"a": ["x s3cret-pass"], "n": 3}) == {"a": [f"x {REDACTED}"], "n": 3}


def test_redaction_of_downloaded_files(tmp_path):
    red = Redactor()
    red.add_secret("buyer-one@example.com")
    csv_path = tmp_path / "o.csv"
    csv_path.write_text("email,date\nbuyer-one@example.com,2024-01-01\n", encoding="utf-8")
    red.file(csv_path)
    assert "buyer-one" not in csv_path.read_text(encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.append(["客户", "buyer-one@example.com 13800001111"])
    xlsx = tmp_path / "o.xlsx"
    book.save(xlsx)
    red.file(xlsx)
    cell = openpyxl.load_workbook(xlsx).active["B1"].value
    assert "buyer-one" not in cell and "13800001111" not in cell


def test_profile_loading(tmp_path):
    path = tmp_path / "shop.yaml"
    path.write_text(
        "name: Test shop\ntest_store: true\nstorage_state: state.json\n"
        "login: {url: /signin, user_field: '#u', password_field: '#p'}\n"
        "steps:\n  help: /no-such-page/\n  orders: {url: /my/orders, selector: '#orders'}\n"
        "  export: {selector: 'a.export'}\n",
        encoding="utf-8",
    )
    profile = load_profile(path)
    assert profile.test_store and profile.name == "Test shop"
    assert profile.storage_state == str((tmp_path / "state.json").resolve())
    assert profile.login.user_field == "#u"
    assert profile.pin("help").url == "/no-such-page/"
    assert profile.pin("orders").selector == "#orders"
    assert profile.pin("cart") is None
    assert load_profile(None).steps == {}
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  help: {colour: red}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="steps.help"):
        load_profile(bad)
    bad.write_text("tset_store: true\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="unknown key"):
        load_profile(bad)


def test_order_placing_rule(tmp_path):
    opts = ScanOptions(url=BASE, out=tmp_path)
    empty = load_profile(None)
    assert not may_place_order(opts, empty)
    opts.place_order = True
    assert not may_place_order(opts, empty)  # a flag alone is not enough
    opts.is_test_store = True
    assert may_place_order(opts, empty)
    assert may_place_order(ScanOptions(url=BASE, out=tmp_path, demo="compliant"), empty)


def test_credentials_from_env_and_explicit(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPX_USER", "u1")
    monkeypatch.setenv("SHOPX_PASSWORD", "p1")
    assert credentials_for(ScanOptions(url=BASE, out=tmp_path, login_env="SHOPX")) == ("u1", "p1")
    explicit = ScanOptions(url=BASE, out=tmp_path, login_env="SHOPX", credentials=("a", "b"))
    assert credentials_for(explicit) == ("a", "b")
    monkeypatch.delenv("SHOPX_PASSWORD")
    assert credentials_for(ScanOptions(url=BASE, out=tmp_path, login_env="SHOPX")) is None


def test_find_browser_env_override(tmp_path, monkeypatch):
    fake = tmp_path / "mychrome"
    fake.write_text("#!/bin/sh\necho 'Chromium 123.0.4567.89'\n")
    fake.chmod(0o755)
    monkeypatch.setenv(browser_mod.ENV_BROWSER, str(fake))
    info = browser_mod.find_browser()
    assert info.executable == str(fake) and info.version == "123.0.4567.89"
    monkeypatch.setenv(browser_mod.ENV_BROWSER, str(tmp_path / "missing"))
    with pytest.raises(browser_mod.BrowserNotFound, match="B2CECT_BROWSER"):
        browser_mod.find_browser()


def test_find_browser_not_found_says_what_to_install(monkeypatch):
    monkeypatch.delenv(browser_mod.ENV_BROWSER, raising=False)
    monkeypatch.setattr(browser_mod, "SYSTEM_CANDIDATES", ("/nonexistent/chromium",))
    monkeypatch.setattr(browser_mod, "_playwright_managed", lambda: None)
    with pytest.raises(browser_mod.BrowserNotFound) as err:
        browser_mod.find_browser()
    assert "apt-get install chromium fonts-wqy-zenhei" in str(err.value)


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="no system chromium")
def test_find_browser_system():
    info = browser_mod.find_browser()
    assert Path(info.executable).exists() and info.version[0].isdigit()


# --- safety and robustness of the journey machinery (no browser) ------------------------------


class _StubPage:
    """Just enough of a Playwright page for the step runner when nothing can be captured."""

    url = "about:blank"

    def on(self, *_args):
        pass

    async def title(self):
        return ""

    async def evaluate(self, *_args):
        raise RuntimeError("page is gone")


def _stub_crawl(tmp_path):
    from b2cect.crawler.bundle import BundleWriter
    from b2cect.crawler.session import Crawl

    writer = BundleWriter(tmp_path, store={}, tool={})
    return Crawl(
        page=_StubPage(),
        context=None,
        writer=writer,
        vocab=load_vocabulary(),
        profile=load_profile(None),
        redactor=Redactor(),
        start_url=BASE,
    )


def test_a_crashing_journey_part_becomes_a_failed_step(tmp_path):

    from b2cect.crawler.scan import _guarded
    from b2cect.crawler.session import Skip

    crawl = _stub_crawl(tmp_path)
    seen = []
    crawl.progress = lambda step: seen.append((step.id, step.status))

    async def broken_part():
        raise ValueError("the page moved under us")

    async def later_step(step):
        raise Skip("nothing to do")

    async def run():
        await _guarded(crawl, "cart", broken_part)
        await crawl.step("orders", later_step)

    run_sync(run())
    first, second = crawl.writer.steps
    assert first.id == "cart_error" and first.status == "failed"
    assert "journey part 'cart' stopped: the page moved under us" in first.error
    assert "capture failed" in first.error  # no page: no screenshot, and the row says so
    assert second.status == "skipped" and second.error == "nothing to do"
    assert seen == [("cart_error", "failed"), ("orders", "skipped")]
    assert crawl.reach["orders"]["status"] == "skipped"


@pytest.mark.parametrize(
    "text, risky",
    [
        ("下一步", False),
        ("Continue", False),
        ("提交订单", True),
        ("确认支付", True),
        ("Place order", True),
        ("立即购买", True),
        ("保存并继续", False),
    ],
)
def test_controls_that_might_place_an_order(tmp_path, text, risky):
    from b2cect.crawler.discovery import Candidate, Found
    from b2cect.crawler.journey_checkout import might_place_order

    crawl = _stub_crawl(tmp_path)
    found = Found("continue", Candidate(text=text, tag="button"), 0.9, "button text")
    assert might_place_order(crawl, found) is risky


def test_login_challenges_are_recognised(tmp_path):
    from b2cect.crawler.journey_account import _challenge

    crawl = _stub_crawl(tmp_path)
    password = {"type": "password", "visible": True, "cls": "password"}
    captcha = {"type": "text", "visible": True, "cls": "captcha"}
    sms = {"type": "text", "visible": True, "cls": "sms_code"}
    assert _challenge(crawl, [password, captcha], "") == "captcha"
    assert _challenge(crawl, [sms], "获取验证码") == "SMS code"
    assert _challenge(crawl, [], "请使用手机App扫码登录") == "QR code"
    assert _challenge(crawl, [password], "登录") == ""
