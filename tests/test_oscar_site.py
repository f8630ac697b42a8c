"""The throwaway Django Oscar shop (tests/oscar/) builds, serves both languages and logs in.

These tests guard the test target itself: later crawler tests rely on the shop answering
in English and Simplified Chinese and on the seeded customer's order history.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

import pytest

from tests.oscar.oscar_site import DEFAULT_CUSTOMER, OscarSite

pytest_plugins = ["tests.oscar.fixtures"]
pytestmark = pytest.mark.oscar

OSCAR_CUSTOMER = DEFAULT_CUSTOMER  # the customer the fixtures build the shop with

LANGUAGES = ("en", "zh-hans")
CJK = re.compile(r"[\u4e00-\u9fff]")
# The language switcher names Chinese in every language, so it proves nothing.
SWITCHER_LABEL = "简体中文"


def fetch(opener: urllib.request.OpenerDirector, url: str, data: dict | None = None) -> str:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Referer": url})
    with opener.open(request, timeout=30) as response:
        assert response.status == 200, url
        return response.read().decode("utf-8")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_interface_language(html: str, language: str) -> None:
    assert f'<html lang="{language}"' in html
    chinese = CJK.findall(visible_text(html).replace(SWITCHER_LABEL, ""))
    if language == "zh-hans":
        assert len(chinese) >= 4, "no Chinese interface text"
    else:
        assert chinese == [], f"Chinese text on an English page: {''.join(chinese)[:40]}"


def new_browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def log_in(site: OscarSite, language: str, password: str) -> urllib.request.OpenerDirector:
    """Log in through Oscar's own login form, CSRF token included."""
    browser = new_browser()
    login_url = site.url_for(language, "accounts/login/")
    form = fetch(browser, login_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    fetch(
        browser,
        login_url,
        {
            "csrfmiddlewaretoken": token,
            "login-username": OSCAR_CUSTOMER[0],
            "login-password": password,
            "login_submit": "Log In",
        },
    )
    return browser


@pytest.mark.parametrize("language", LANGUAGES)
def test_storefront_pages_answer_in_both_languages(oscar_site: OscarSite, language: str):
    manifest = oscar_site.manifest
    browser = new_browser()

    home = fetch(browser, oscar_site.url_for(language))
    assert_interface_language(home, language)
    assert len(re.findall(r'class="product_pod"', home)) == len(manifest["products"])

    listing = fetch(browser, oscar_site.url_for(language, manifest["categories"]["Tea"]))
    assert_interface_language(listing, language)
    tea = [p for p in manifest["products"] if p["sku"].startswith("TEA-")]
    for product in tea:
        assert product["title"] in listing

    for product in (tea[0], next(p for p in manifest["products"] if not p["in_stock"])):
        page = fetch(browser, oscar_site.url_for(language, product["path"]))
        assert_interface_language(page, language)
        assert product["title"] in page and product["price"] in page
        # Oscar offers the basket form only for products it can sell.
        assert ('id="add_to_basket_form"' in page) == product["in_stock"]

    basket = fetch(browser, oscar_site.url_for(language, "basket/"))
    assert_interface_language(basket, language)

    login = fetch(browser, oscar_site.url_for(language, "accounts/login/"))
    assert_interface_language(login, language)
    assert 'name="login-username"' in login and 'name="registration-email"' in login


@pytest.mark.parametrize("language", LANGUAGES)
def test_customer_sees_order_history_with_old_order(oscar_site: OscarSite, language: str):
    orders = oscar_site.manifest["orders"]
    placed = {order["number"]: datetime.fromisoformat(order["date_placed"]) for order in orders}
    oldest = min(orders, key=lambda order: placed[order["number"]])
    # The seed promises an order from more than two calendar years before the latest one.
    assert max(placed.values()).year - placed[oldest["number"]].year > 2

    browser = log_in(oscar_site, language, OSCAR_CUSTOMER[1])
    history = fetch(browser, oscar_site.url_for(language, "accounts/orders/"))
    assert_interface_language(history, language)
    rows = re.findall(r"<tr>.*?</tr>", history, flags=re.S)
    for order in orders:
        row = next((r for r in rows if order["number"] in r), None)
        assert row is not None, f"order {order['number']} missing from the history"
        assert str(placed[order["number"]].year) in visible_text(row)

    detail = fetch(browser, oscar_site.url_for(language, oldest["path"]))
    assert_interface_language(detail, language)
    for line in oldest["lines"]:
        assert line["title"] in detail


def test_wrong_password_does_not_open_the_order_history(oscar_site: OscarSite):
    browser = log_in(oscar_site, "en", OSCAR_CUSTOMER[1] + "-wrong")
    page = fetch(browser, oscar_site.url_for("en", "accounts/orders/"))
    assert 'name="login-username"' in page  # sent back to the login form
    assert oscar_site.manifest["orders"][0]["number"] not in page


def test_stopped_site_no_longer_answers(oscar_build, tmp_path):
    with OscarSite(tmp_path / "oscar", customer=OSCAR_CUSTOMER, prebuilt=oscar_build) as site:
        url = site.url_for("en", "basket/")
        assert_interface_language(fetch(new_browser(), url), "en")
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)


def test_copy_refuses_a_build_for_another_customer(oscar_build, tmp_path):
    site = OscarSite(tmp_path / "other", customer=("other@example.com", "x"), prebuilt=oscar_build)
    with pytest.raises(ValueError, match="built for customer"):
        site.copy_from(oscar_build)
