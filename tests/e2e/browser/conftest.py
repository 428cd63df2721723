"""Headless Chromium (Debian's package, driven by Playwright) against the stack `make run` starts.

Each test module gets its own stack, so the seeded officers' one-active-check rule and hourly start
limit are not shared with the other end-to-end tests. Screenshots at phone size land in
`test-artifacts/screenshots/` (the README shows copies from docs/screenshots/).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from chalicelib.local import totp

from ..conftest import PROJECT, LiveStack, _run_stack

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = PROJECT / "test-artifacts" / "screenshots"
AXE = PROJECT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
CAMDEN = {"latitude": 51.5390, "longitude": -0.1426, "accuracy": 12}
CHROMIUM_ARGS = [
    # What this machine's closed network and a root user need (see the README's Testing section).
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    # A camera and microphone that always exist and never ask: the call's preview has something to show.
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from _run_stack(tmp_path_factory.mktemp("browser-stack"))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def phone(browser, stack: LiveStack, *, javascript: bool = True, located: bool = True, bypass_csp: bool = False):
    """A new phone: its own cookies and sessionStorage, camera allowed, position given if `located`."""
    permissions = ["camera", "microphone"] + (["geolocation"] if located else [])
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, base_url=stack.api,
        java_script_enabled=javascript, permissions=permissions,
        geolocation=CAMDEN if located else None, bypass_csp=bypass_csp,
    )
    context.set_default_timeout(15_000)
    # Anything the Content-Security-Policy blocked (a script, a style, a fetch) is a bug in the page.
    context.csp_violations = []
    context.on("console", lambda message: "Content Security Policy" in message.text
               and context.csp_violations.append(message.text))
    return context


def signed_in(browser, stack: LiveStack, path: str, officer_id: str, **phone_options: Any):
    """A new phone that opened `path` and signed in as `officer_id`: (context, page)."""
    context = phone(browser, stack, **phone_options)
    page = context.new_page()
    page.goto(path)
    sign_in(page, stack, officer_id)
    return context, page


def citizen_view(browser, stack: LiveStack, url: str):
    """The person stopped, on her own phone with JavaScript off: (context, page)."""
    context = phone(browser, stack, javascript=False, located=False)
    page = context.new_page()
    page.goto(url)
    return context, page


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def sign_in(page, stack: LiveStack, officer_id: str) -> None:
    """Username and password, then the code her authenticator app would show (the pool requires MFA)."""
    user = stack.user(officer_id)
    page.fill("#username", user["username"])
    page.fill("#password", user["password"])
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#mfa-form:not([hidden])")
    page.fill("#mfa-code", app_code(user["totp_secret"]))
    page.click("#mfa-form button[type=submit]")


def app_code(secret: str) -> str:
    """The code her authenticator app shows now (one that stays valid while the page sends it)."""
    return totp.fresh_code(secret, min_seconds_left=5)


def wrong_code(secret: str) -> str:
    """A code the app does not show now (nor in the steps either side)."""
    codes = {totp.code(secret, time.time() + offset) for offset in (-30, 0, 30, 60)}
    return next(f"{n:06d}" for n in range(1, 1000) if f"{n:06d}" not in codes)


def sms_link_for(stack: LiveStack, sergeant_id: str, verification_id: str) -> str:
    """The link from the text the sergeant's phone received (moto's SMS log)."""
    phone_number = stack.user(sergeant_id)["phone"]
    for message in stack.sms():
        if message["phone_number"] == phone_number and verification_id in message["message"]:
            return re.search(r"https?://\S+/s/\S+", message["message"]).group(0)
    raise AssertionError(f"no SMS to {sergeant_id} about {verification_id}")


def start_by_api(stack: LiveStack, officer_id: str, **body: Any) -> dict[str, Any]:
    status, started = stack.call("POST", "/verifications", officer_id, {
        "location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St", **body,
    })
    assert status == 201, started
    return started


def axe_violations(page, disabled_rules: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """axe-core (from frontend/node_modules) run in the page. Evaluated through the DevTools protocol,
    which the page's Content-Security-Policy does not govern, so it also runs on a phone without
    bypass_csp (whose CSP violations the test then still sees)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(
        """async (disabled) => {
             const rules = Object.fromEntries(disabled.map(id => [id, {enabled: false}]));
             const result = await axe.run(document, {resultTypes: ['violations'], rules});
             return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                 nodes: v.nodes.map(n => n.target.join(' '))}));
           }""",
        list(disabled_rules),
    )


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]
