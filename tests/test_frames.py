"""Same-origin iframes: what they show is saved with the page, and their controls can be used.

Shops put real parts of the journey in iframes: an embedded login box, a policy page from the
CMS, an address widget. The page scripts already search them for controls and fields; these
tests check that the saved page carries the frame's content (so checks read it) and that a
control found inside a frame is clicked in its own frame. A cross-origin frame stays opaque.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from b2cect.crawler.bundle import Bundle, BundleWriter
from b2cect.crawler.profile import load_profile
from b2cect.crawler.redact import Redactor
from b2cect.crawler.scan import ScanOptions, crawl_session, run_sync
from b2cect.demo.server import LoopbackServer
from flask import Flask, request

pytestmark = pytest.mark.browser

HOME = """<!doctype html><html lang="{lang}"><head><title>{title}</title></head><body>
<header><a href="/">{title}</a></header>
<main><h1>{heading}</h1>
<iframe src="/frame/{lang}" title="policy" width="600" height="300"></iframe>
<div id="host"></div>
</main>
<script>
  // A web component whose shadow root holds another frame: both are searched.
  const root = document.getElementById('host').attachShadow({{mode: 'open'}});
  root.innerHTML = '<iframe src="/inner" title="widget"></iframe>';
</script>
</body></html>"""

FRAME = {
    "zh": """<!doctype html><html><body><section class="policy">
<h2>退换货政策</h2><p>自收到商品之日起七天内可无理由退货，运费由卖家承担。</p>
<button id="agree" onclick="fetch('/agreed', {method: 'POST'})">我已阅读并同意</button>
</section></body></html>""",
    "en": """<!doctype html><html><body><section class="policy">
<h2>Returns policy</h2><p>Return any item within 7 days of delivery, no reason needed.</p>
<button id="agree" onclick="fetch('/agreed', {method: 'POST'})">I have read and agree</button>
</section></body></html>""",
}


def frame_shop() -> Flask:
    app = Flask(__name__)
    app.config["agreed"] = 0

    @app.get("/<lang>")
    def home(lang: str):
        zh = lang == "zh"
        return HOME.format(
            lang=lang, title="小店" if zh else "Small shop", heading="售后" if zh else "After sales"
        )

    @app.get("/frame/<lang>")
    def frame(lang: str):
        return FRAME[lang]

    @app.get("/inner")
    def inner():
        return "<!doctype html><p>Gift wrapping available / 提供礼品包装</p>"

    @app.post("/agreed")
    def agreed():
        app.config["agreed"] += 1
        return {"ok": True, "referer": request.headers.get("Referer", "")}

    return app


def _run(url: str, tmp: Path, run):
    async def go():
        writer = BundleWriter(tmp, store={"url": url}, tool={"name": "b2cect", "version": "t"})
        opts = ScanOptions(url=url, out=tmp, is_test_store=True)
        async with crawl_session(opts, load_profile(None), writer, Redactor()) as (crawl, _):
            await crawl.goto(url)
            result = await run(crawl)
        writer.finish()
        return result

    return run_sync(go())


@pytest.mark.parametrize(
    ("lang", "policy", "button"),
    [
        ("zh", "七天内可无理由退货", "我已阅读并同意"),
        ("en", "within 7 days", "I have read and agree"),
    ],
)
def test_frame_content_is_saved_and_its_controls_are_clicked(lang, policy, button, tmp_path):
    app = frame_shop()

    async def run(c):
        await c.step("returns", lambda step: c.settle(300))
        agree = [x for x in await c.candidates() if x.text == button]
        assert agree, "the control inside the frame was not collected"
        await c.click(agree[0])
        return agree[0]

    with LoopbackServer(app) as shop:
        _run(shop.url + lang, tmp_path, run)
        # The click reached the frame's own button, which sent its request.
        assert app.config["agreed"] == 1

    page = Bundle(tmp_path).pages("returns")[0]
    saved = page.tree.xpath("//div[@data-b2cect-frame]")
    assert len(saved) == 2, "the frame and the frame inside a shadow root are both saved"
    texts = [" ".join(div.itertext()) for div in saved]
    assert any(policy in t for t in texts)
    assert any("Gift wrapping" in t for t in texts)
    assert any(div.get("data-b2cect-src", "").endswith(f"/frame/{lang}") for div in saved)


def test_a_cross_origin_frame_stays_opaque(tmp_path):
    app = Flask(__name__)

    @app.get("/")
    def home():
        # 127.0.0.1 and localhost are different origins: the frame's document is not readable.
        port = request.host.split(":")[1]
        return (
            "<!doctype html><html><body><h1>Shop</h1>"
            f'<iframe src="http://localhost:{port}/frame"></iframe></body></html>'
        )

    @app.get("/frame")
    def frame():
        return "<!doctype html><p>Third-party chat widget</p>"

    with LoopbackServer(app) as shop:
        _run(shop.url, tmp_path, lambda c: c.step("home", lambda step: c.settle(300)))

    page = Bundle(tmp_path).pages("home")[0]
    assert not page.tree.xpath("//div[@data-b2cect-frame]")
    assert "Third-party chat widget" not in page.html
