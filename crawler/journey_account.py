"""Journey, part 2: login, registration, password reset, the account pages."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from .bundle import Step
from .discovery import Found
from .session import Blocked, Crawl, NotFound, Skip

_NAVIGATED = re.compile(r"context was destroyed|navigat|detached", re.I)
LOGIN_SETTLE_S = 4  # how long signs of a sign-in may take to show (toast, then a redirect)
WEAK_PASSWORD = "123"  # typed to watch the strength aid react; registration is never submitted
STRENGTH_RE = re.compile(
    r"密码强度|强度|弱|中等|较强|太短|过于简单|至少|位|weak|medium|strong|too short|too common|"
    r"at least|characters|entirely numeric|too similar|strength",
    re.I,
)
PASSWORD_RULE_RE = re.compile(
    r"(密码|password)[^。.\n]{0,80}(位|字符|字母|数字|characters?|letters?|digits?|numbers?|"
    r"symbols?|at least|至少|\d+\s*-\s*\d+)",
    re.I,
)
CHANNEL_RE = {
    "email": re.compile(r"邮箱|电子邮件|e-?mail", re.I),
    "sms": re.compile(r"短信|手机|SMS|mobile|phone", re.I),
    "security_question": re.compile(r"密保|安全问题|security question", re.I),
}
# What the profile page tells about the customer; all of it is redacted everywhere.
PERSONAL_FIELDS = (
    "email",
    "mobile",
    "full_name",
    "first_name",
    "last_name",
    "username",
    "nickname",
    "birthday",
)


def _visit(c: Crawl, kind: str, *, target: str | None = None, then=None):
    """A page step: find the target's link (profile pin, this page, pool) and open it."""

    async def action(step: Step) -> None:
        found = await c.find(target or kind, links_only=False, use_pool=True)
        if found is None:
            raise NotFound(f"no {kind.replace('_', ' ')} link found")
        step.found_by, step.confidence = found.found_by, found.confidence
        if found.url:
            await c.goto(found.url, step)
        elif _is_form_submit(found):
            # The form itself is on this page (e.g. register form beside the login form).
            step.url = c.page.url
            step.found_by = f"{found.found_by} (form on this page)"
        else:
            step.url = c.page.url
            await c.click(found)
        if then is not None:
            await then(step)

    return action


def _is_form_submit(found: Found) -> bool:
    return not found.candidate.href and found.candidate.tag in ("button", "input")


async def login_page(c: Crawl) -> Step:
    async def read(step: Step) -> None:
        fields = await c.fields()
        c.state["login_url"] = c.page.url
        c.state["login_fields"] = fields
        step.tags = [f"password_fields:{sum(f['type'] == 'password' for f in fields)}"]

    visit = _visit(c, "login", then=read)

    async def action(step: Step) -> None:
        try:
            await visit(step)
        except NotFound:
            if not await _login_behind_account(c, step):
                raise
            await read(step)

    return await c.step("login", action)


async def _login_behind_account(c: Crawl, step: Step) -> bool:
    """No login link: many stores show only an account icon, which sends a visitor to the
    sign-in form. Open it; a visible password field there makes it the login page."""
    found = c.pool.get("account")
    if found is None or c.logged_in:
        return False
    await c.goto(found.url, step)
    fields = await c.fields()
    if not any(f["type"] == "password" and f["visible"] for f in fields):
        return False
    step.found_by = f"{found.found_by} \u2192 sign-in form (account link while signed out)"
    step.confidence = round(found.confidence * 0.9, 3)
    return True


async def register_page(c: Crawl) -> Step:
    async def read(step: Step) -> None:
        fields = await c.fields()
        passwords = [f for f in fields if f["type"] == "password"]
        # The registration form: the one holding the most password fields (password + repeat).
        forms: dict[int, int] = {}
        for f in passwords:
            forms[f["form"]] = forms.get(f["form"], 0) + 1
        form_index = max(forms, key=lambda k: (forms[k], k)) if forms else -1
        in_form = [f for f in fields if f["form"] == form_index] if form_index >= 0 else fields
        boxes = [f for f in in_form if f["type"] == "checkbox"]
        consent = [
            {
                "label": f["label"],
                "default_checked": f["default_checked"],
                "required": f["required"],
                "name": f["name"],
                "selector": f["path"],
            }
            for f in boxes
        ]
        text = await c.visible_text()
        rules = PASSWORD_RULE_RE.search(text)
        feedback: list[str] = []
        meter = False
        reg_passwords = [f for f in in_form if f["type"] == "password"]
        if reg_passwords:
            target = c.page.locator(reg_passwords[0]["selector"])
            before = set(_lines(text))
            await target.press_sequentially(WEAK_PASSWORD, delay=20)
            await target.blur()
            await c.page.wait_for_timeout(300)
            after = _lines(await c.visible_text())
            feedback = [line for line in after if line not in before and STRENGTH_RE.search(line)]
            meter = bool(feedback) or await c.page.evaluate(
                "() => !!document.querySelector("
                "'meter, progress, [class*=strength], [id*=strength]')"
            )
            msg = await target.evaluate("el => el.validationMessage || ''")
            if msg:
                feedback.append(msg)
            await target.fill("")
        c.writer.set_fact(
            "registration",
            {
                "step": step.id,
                "consent_boxes": consent,
                "password_rules_text": rules.group(0)[:200] if rules else "",
                "strength_meter": bool(meter),
                "strength_feedback": feedback[:5],
                "fields": [f["label"] or f["name"] for f in in_form if f["type"] != "hidden"][:20],
                "submitted": False,
            },
        )

    return await c.step("register", _visit(c, "register", then=read))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and len(line) < 200]


async def password_reset_page(c: Crawl, credentials: tuple[str, str] | None = None) -> Step:
    """The recovery page, then (with credentials) one reset request for the scan's own account:
    a function the customer relies on is judged by using it (the `attempt` in the fact)."""
    fact: dict[str, Any] = {}

    async def read(step: Step) -> None:
        fields = [f for f in await c.fields() if f["cls"] != "search"]
        text = await c.visible_text(8000)
        channels = [name for name, rx in CHANNEL_RE.items() if rx.search(text)]
        fact.update(
            {
                "step": step.id,
                "found": True,
                "fields": [f["label"] or f["name"] for f in fields if f["visible"]][:10],
                "channels": channels,
            }
        )
        c.writer.set_fact("password_reset", fact)

    step = await c.step("password_reset", _visit(c, "password_reset", then=read))
    if step.status != "ok":
        c.writer.set_fact(
            "password_reset",
            {"status": step.status, "reason": step.error, "found": False, "step": step.id},
        )
        return step
    if credentials is None:
        fact["attempt"] = {
            "status": "not_tried",
            "step": "",
            "message": "",
            "reason": "no credentials were given, so the scan has no account of its own to "
            "recover (nobody else's is ever used)",
        }
        return step
    attempt: dict[str, Any] = {"status": "unknown", "step": "", "message": "", "reason": ""}
    fact["attempt"] = attempt

    async def submit(probe: Step) -> None:
        attempt["step"] = probe.id
        await c.goto(step.final_url or step.url, probe)
        attempt.update(await request_reset(c, credentials[0]))

    await c.step("password_reset_submit", submit, capture="screen")
    attempt["message"] = c.redactor.text(attempt["message"], personal=True)
    return step


RESET_MAX_MESSAGE = 200


async def request_reset(c: Crawl, identity: str) -> dict[str, str]:
    """Fill the reset form with the scan's own login identity, send it, and read the answer:
    {status: success | error | unknown | not_tried, message, reason}."""
    fields = [f for f in await c.fields() if f["cls"] != "search" and f["visible"]]
    text = await c.visible_text(8000)
    challenge = _challenge(c, fields, text)
    if challenge:
        return {"status": "not_tried", "message": "", "reason": f"needs a human: {challenge}"}
    is_email = "@" in identity
    is_mobile = bool(re.fullmatch(r"\+?\d[\d\s-]{6,}", identity))
    kinds = ("text", "email", "tel", "")
    usable = [f for f in fields if f["type"] in kinds and f["cls"] not in ("captcha", "sms_code")]

    def fits(f: dict[str, Any]) -> bool:
        if f["type"] == "email" or f["cls"] == "email":
            return is_email
        if f["type"] == "tel" or f["cls"] == "mobile":
            return is_mobile
        return True

    field = next((f for f in usable if fits(f)), None)
    if field is None:
        return {
            "status": "not_tried",
            "message": "",
            "reason": "the form asks for an identity of another kind than the login given",
        }
    errors: list[int] = []

    def on_response(response: Any) -> None:
        if response.request.resource_type in ("document", "xhr", "fetch"):
            if response.status >= 500:
                errors.append(response.status)

    before = set(_lines(text))
    c.page.on("response", on_response)
    try:
        await c.page.locator(field["selector"]).fill(identity)
        button = await _form_submit(c, field)
        if button:
            await c.click(button, wait_ms=400)
        else:
            await c.page.locator(field["selector"]).press("Enter")
            await c.settle(400)
        after = await c.visible_text(8000)
    finally:
        c.page.remove_listener("response", on_response)
    new = [line for line in _lines(after) if line not in before]
    ok_words = c.vocab.pattern("password_reset_answers", "success")
    error_words = c.vocab.pattern("password_reset_answers", "error")
    oks = [line for line in new if ok_words.search(line) and not error_words.search(line)]
    bad = [line for line in new if error_words.search(line) and not ok_words.search(line)]
    if errors and not oks:
        message = bad[0] if bad else f"HTTP {errors[0]}"
        return {"status": "error", "message": message[:RESET_MAX_MESSAGE], "reason": ""}
    if bad and not oks:
        return {"status": "error", "message": bad[0][:RESET_MAX_MESSAGE], "reason": ""}
    if oks and not bad:
        return {"status": "success", "message": oks[0][:RESET_MAX_MESSAGE], "reason": ""}
    return {
        "status": "unknown",
        "message": (new[0] if new else "")[:RESET_MAX_MESSAGE],
        "reason": "both success and error wording appeared"
        if oks and bad
        else "no success or error message appeared",
    }


async def sign_in(c: Crawl, credentials: tuple[str, str] | None, env_name: str) -> Step:
    """Log in with the given credentials; a captcha/SMS/QR wall is left to a human."""

    async def action(step: Step) -> None:
        if c.profile.storage_state:
            c.logged_in = True
            step.found_by = "profile storage_state"
            c.writer.set_fact(
                "login",
                {
                    "status": "storage_state",
                    "step": step.id,
                    "method": "storage_state",
                    "reason": "",
                },
            )
            return
        if credentials is None:
            c.writer.set_fact(
                "login",
                {
                    "status": "no_credentials",
                    "step": step.id,
                    "method": "",
                    "reason": f"no credentials in {env_name}",
                },
            )
            raise Skip(f"no credentials in {env_name}_USER/{env_name}_PASSWORD")
        user, password = credentials
        pins = c.profile.login
        url = pins.url or c.state.get("login_url")
        if not url:
            found = await c.find("login", links_only=True, use_pool=True)
            if found is None:
                raise Blocked("no login page found")
            url = found.url
        await c.goto(url, step)
        fields = await c.fields()
        text = await c.visible_text(8000)
        challenge = _challenge(c, fields, text)
        if challenge:
            c.writer.set_fact(
                "login",
                {
                    "status": "needs_human",
                    "step": step.id,
                    "method": "form",
                    "reason": f"login needs a human: {challenge}",
                },
            )
            raise Blocked(f"login needs a human: {challenge}", screenshot=True)
        password_field = _pick(fields, pins.password_field, lambda f: f["type"] == "password")
        if password_field is None:
            raise Blocked("no password field on the login page", screenshot=True)
        user_field = _pick(
            fields,
            pins.user_field,
            lambda f: (
                f["form"] == password_field["form"]
                and f["visible"]
                and f["type"] in ("text", "email", "tel", "")
                and f["cls"] in ("username", "email", "mobile", "")
            ),
        )
        if user_field is None:
            raise Blocked("no user name field on the login page", screenshot=True)
        await (await c.locate(user_field["selector"])).fill(user)
        await (await c.locate(password_field["selector"])).fill(password)
        before = c.page.url
        cookies_before = {f"{k['name']}={k['value']}" for k in await c.context.cookies()}
        if pins.submit:
            await c.click(pins.submit, wait_ms=300)
        else:
            submit = await _form_submit(c, password_field, _submit_words(c, "login_submit"))
            if submit:
                await c.click(submit, wait_ms=300)
            else:
                await (await c.locate(password_field["selector"])).press("Enter")
                await c.settle(500)
        ok, why = await _logged_in(c, before, cookies_before)
        if not ok:
            c.writer.set_fact(
                "login", {"status": "failed", "step": step.id, "method": "form", "reason": why}
            )
            raise Blocked(f"login failed: {why}", screenshot=True)
        c.logged_in = True
        step.found_by = f"login form ({why})" if why else "login form"
        start_path = urlsplit(c.start_url).path.rstrip("/")
        if start_path and not urlsplit(c.page.url).path.startswith(start_path):
            # Some stores land a customer outside the start URL's language prefix after login
            # (Django's fixed LOGIN_REDIRECT_URL, for one): go back, so the account pages are
            # found, and judged, in the language being scanned.
            await c.goto(c.start_url)
        c.writer.set_fact(
            "login", {"status": "ok", "step": step.id, "method": "form", "reason": ""}
        )

    # The signs of a sign-in may take LOGIN_SETTLE_S to show, on top of the usual step.
    return await c.step(
        "sign_in", action, capture="screen", timeout=c.step_timeout_s + LOGIN_SETTLE_S
    )


def _pick(fields: list[dict[str, Any]], pinned: str, test) -> dict[str, Any] | None:
    if pinned:
        return {"selector": pinned, "form": -2}
    return next((f for f in fields if f["visible"] and test(f)), None)


def _challenge(c: Crawl, fields: list[dict[str, Any]], text: str) -> str:
    """'captcha' / 'SMS code' / 'QR code' when the login form asks what a robot cannot give."""
    if any(f["cls"] == "captcha" and f["visible"] for f in fields):
        return "captcha"
    if any(f["cls"] == "sms_code" and f["visible"] for f in fields):
        return "SMS code"
    if not any(f["type"] == "password" and f["visible"] for f in fields):
        if c.vocab.pattern("login_challenges", "qr").search(text):
            return "QR code"
    if c.vocab.pattern("login_challenges", "captcha").search(text) and not any(
        f["type"] == "password" and f["visible"] for f in fields
    ):
        return "captcha"
    return ""


def _submit_words(c: Crawl, target: str) -> list[str]:
    """The plain words of a vocabulary target, lower-cased, for _form_submit."""
    return [w.lower() for w in c.vocab.targets[target].words if not w.startswith("re:")]


async def _form_submit(c: Crawl, field: dict[str, Any], named: list[str] | None = None) -> str:
    """Selector of the submit button in the same form as the field, marked for clicking.
    A form driven by script may have only type=button buttons: then the visible one named
    exactly like the action (`named`, e.g. "sign in", "登录")."""
    return await c.page.locator(field["selector"]).evaluate(
        """(el, named) => {
          const form = el.form; if (!form) return '';
          let b = form.querySelector(
            'button[type=submit], input[type=submit], button:not([type])');
          if (!b && named.length) {
            const norm = s => (s || '').replace(/\\s+/g, ' ').trim().toLowerCase();
            b = [...form.querySelectorAll('button, [role=button]')].find(x => {
              const t = norm(x.innerText || x.getAttribute('aria-label'));
              return t && x.getClientRects().length && named.includes(t);
            }) || null;
          }
          if (!b) return '';
          b.setAttribute('data-b2cect-c', 'submit-' + Date.now());
          return '[data-b2cect-c="' + b.getAttribute('data-b2cect-c') + '"]';
        }""",
        named or [],
    )


async def _logged_in(c: Crawl, before: str, cookies_before: set[str] | None = None):
    """Did the login work? Judged on signals once the network and the page have settled, for
    a few seconds at most: an XHR sign-in shows "登录成功" and redirects a moment later."""
    deadline = time.monotonic() + LOGIN_SETTLE_S
    while True:
        try:
            verdict, why = await _login_signals(c, before, cookies_before)
        except Exception as exc:  # noqa: BLE001 - read while a client-side redirect ran
            if not _NAVIGATED.search(str(exc)):
                raise
            verdict, why = None, "the page moved on while being read"
        if verdict is not None:
            return verdict, why
        if time.monotonic() >= deadline:
            return False, why
        await c.page.wait_for_timeout(250)
        await c.settle()


async def _login_signals(
    c: Crawl, before: str, cookies_before: set[str] | None
) -> tuple[bool | None, str]:
    """(True, why) signed in; (False, why) refused; (None, why) not yet known."""
    if c.profile.login.success:
        found = await c.page.locator(c.profile.login.success).count() > 0
        return (True, "success selector") if found else (None, "success selector not found")
    cands = await c.candidates()
    if c.vocab.best("logout", cands, c.origin, minimum=0.5) is not None:
        return True, "a sign-out control appeared"
    text = await c.visible_text(6000)
    failed = c.vocab.pattern("login_challenges", "login_failed").search(text)
    if failed:
        return False, f"the store said '{failed.group(0)}'"
    fields = await c.fields()
    on_form = any(f["type"] == "password" and f["visible"] for f in fields)
    success = c.vocab.pattern("login_challenges", "login_success").search(text)
    cookies = {f"{k['name']}={k['value']}" for k in await c.context.cookies()}
    session_changed = cookies_before is not None and cookies != cookies_before
    if not on_form:
        if success or c.page.url != before:
            signs = [
                *([f"message '{success.group(0)}'"] if success else []),
                *(["left the login page"] if c.page.url != before else []),
                *(["session cookie changed"] if session_changed else []),
            ]
            return True, " + ".join(signs)
        return (
            (True, "form gone + session cookie changed")
            if session_changed
            else (
                None,
                "no sign of being logged in",
            )
        )
    if success:
        return None, f"message '{success.group(0)}' but still on the login form"
    return None, "still on the login form"


async def account_pages(c: Crawl) -> None:
    """account -> profile (learn what to redact first) -> addresses -> favourites."""
    if not c.logged_in:
        for kind in ("account", "profile", "addresses", "favourites"):
            await c.step(kind, _skip("not logged in"), capture="none")
        return
    await c.step("account", _visit(c, "account"))
    await c.step("profile", _visit(c, "profile", then=lambda s: _read_profile(c, s)))
    edit_url = c.state.pop("profile_edit_url", "")
    if edit_url:
        # The profile page only shows the details; its edit form is a page of its own.
        await c.step("profile", _profile_edit(c, edit_url))
    await c.step("addresses", _visit(c, "addresses", then=lambda s: _read_addresses(c, s)))
    await c.step("favourites", _visit(c, "favourites"))


def _skip(reason: str):
    async def action(step: Step) -> None:
        raise Skip(reason)

    return action


PROFILE_ROWS_JS = r"""() => {
  const out = [];
  for (const row of document.querySelectorAll('tr, dl > div, .row, li')) {
    const th = row.querySelector('th, dt, .label, label');
    const td = row.querySelector('td, dd, .value');
    if (th && td) out.push({label: th.innerText.trim(), value: td.innerText.trim()});
  }
  const dts = document.querySelectorAll('dt');
  for (const dt of dts) { const dd = dt.nextElementSibling;
    if (dd && dd.tagName === 'DD')
      out.push({label: dt.innerText.trim(), value: dd.innerText.trim()});
  }
  return out.slice(0, 60);
}"""


async def _learn_personal(c: Crawl) -> list[dict[str, Any]]:
    """Learn the customer's own data on this page (to redact it everywhere); its form fields,
    the site's search box left out."""
    fields = [f for f in await c.fields() if f["cls"] != "search"]
    for f in fields:
        if f["cls"] in PERSONAL_FIELDS and f["value"]:
            c.redactor.add_secret(f["value"])
    for row in await c.page.evaluate(PROFILE_ROWS_JS):
        cls = c.vocab.classify_field({"label": row["label"]})
        if cls in PERSONAL_FIELDS and row["value"] and len(row["value"]) < 80:
            c.redactor.add_secret(row["value"])
    return fields


# What a profile form shows, read on the page: typeable fields outside the site chrome (header,
# navigation, footer, search), and whether one's own form has a submit control to save it.
PROFILE_FORM_JS = r"""(selectors) => {
  const own = selectors.map(s => document.querySelector(s))
    .filter(el => el && !el.closest('header, nav, footer, [role=search]'));
  const save = own.some(el => el.form && el.form.querySelector(
    'button[type=submit], input[type=submit], button:not([type])'));
  return {editable: own.length > 0, save};
}"""


async def _profile_form(c: Crawl, fields: list[dict[str, Any]]) -> dict[str, bool]:
    """{editable, save} of the page's own profile form (never the site's search or newsletter
    box), from the page itself, so the fact claims no more than the page shows."""
    typeable = [
        f["selector"] for f in fields if f["visible"] and f["type"] in ("text", "email", "tel")
    ]
    return await c.page.evaluate(PROFILE_FORM_JS, typeable)


def _profile_edit(c: Crawl, url: str):
    """Open the profile's edit form and save it as a profile page of its own."""

    async def action(step: Step) -> None:
        step.found_by, step.confidence = "edit link on the profile page", 0.8
        await c.goto(url, step)
        form = await _profile_form(c, await _learn_personal(c))
        profile = c.writer.facts.get("profile") or {}
        profile["edit_step"] = step.id
        profile["editable"] = profile.get("editable") or form["editable"]
        profile["save_control"] = profile.get("save_control") or form["save"]
        c.writer.set_fact("profile", profile)

    return action


async def _read_profile(c: Crawl, step: Step) -> None:
    """Learn the customer's own data (to redact it everywhere), then describe the page."""
    fields = await _learn_personal(c)
    cands = await c.candidates()
    form = await _profile_form(c, fields)
    if not form["editable"]:
        # Fields of the site chrome (header search, newsletter) are no profile form: follow
        # the page's own "编辑 / Edit" link to the form, when it has one.
        main = [
            x for x in cands if x.href and x.region in ("main", "aside") and c.same_site(x.href)
        ]
        edit_link = c.vocab.best("profile_edit", main, c.origin)
        if edit_link is not None and edit_link.url.rstrip("/") != c.page.url.rstrip("/"):
            c.state["profile_edit_url"] = edit_link.url
    edit = c.vocab.best("modify_order", cands, c.origin) or c.vocab.best(
        "update_cart", cands, c.origin
    )
    save = form["save"]
    c.writer.set_fact(
        "profile",
        {
            "step": step.id,
            "fields": [f["label"] or f["name"] for f in fields if f["visible"]][:20]
            or [r["label"] for r in await c.page.evaluate(PROFILE_ROWS_JS)][:20],
            "editable": bool(edit) or form["editable"],
            "save_control": save,
            "edit_control": (edit.candidate.text if edit else ""),
        },
    )


async def _read_addresses(c: Crawl, step: Step) -> None:
    cands = await c.candidates()
    text = await c.visible_text(8000)
    add = re.search(r"新增|添加|新建|add (a )?new|add address", text, re.I)
    main = [x for x in cands if x.region in ("main", "dialog")]
    delete = c.vocab.best("remove_item", main, c.origin)
    default = re.search(r"设为默认|默认地址|set as default|default", text, re.I)
    # One edit (or delete) control per saved address is the usual layout.
    edits = [
        x for x in main if re.fullmatch(r"编辑|修改|edit|删除|delete|remove", x.text.strip(), re.I)
    ]
    per_address = max(
        sum(1 for x in edits if re.fullmatch(r"编辑|修改|edit", x.text.strip(), re.I)),
        sum(1 for x in edits if re.fullmatch(r"删除|delete|remove", x.text.strip(), re.I)),
    )
    c.writer.set_fact(
        "addresses",
        {
            "step": step.id,
            "count": per_address,
            "add_control": bool(add),
            "delete_control": delete is not None,
            "default_control": bool(default),
        },
    )
