"""axe-core on every page at phone size: no serious or critical violations."""

from __future__ import annotations

import pytest

from .conftest import axe_violations, phone, screenshot, serious, sign_in, start_by_api

pytestmark = pytest.mark.e2e


def _check(browser, stack, path: str, before=None, disabled_rules: tuple[str, ...] = ()) -> list:
    context = phone(browser, stack, bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    page.goto(path)
    if before:
        before(page)
    violations = axe_violations(page, disabled_rules)
    context.close()
    return serious(violations)


def test_citizen_pages_have_no_serious_violations(browser, stack):
    started = start_by_api(stack, "MP4721")
    reference = started["reference"]
    for path in ("/verify", "/verify?lang=cy", "/verify?reference=SC-XXX",
                 f"/v/{reference}?refresh=off", f"/v/{reference}?lang=cy&refresh=off"):
        assert _check(browser, stack, path) == [], path
    # While pending, the page refreshes itself (no JavaScript on a cheap phone), which axe's
    # `meta-refresh` rule always flags. WCAG 2.2.1 is met by the "Stop updating by itself" link on
    # that page (checked in tests/api/test_citizen_pages.py), and the page it leads to passes every
    # rule above; here every other rule still runs on the refreshing page.
    for path in (f"/v/{reference}", f"/v/{reference}?lang=cy"):
        assert _check(browser, stack, path, disabled_rules=("meta-refresh",)) == [], path

    # Also once decided, the page she will keep looking at.
    accepted = stack.call("POST", f"/verifications/{started['verification_id']}/accept", "MP2001", {})
    assert accepted[0] == 200
    assert stack.call("POST", f"/verifications/{started['verification_id']}/outcome", "MP2001",
                      {"outcome": "confirmed"})[0] == 200
    assert _check(browser, stack, f"/v/{reference}") == []

    # And the phone-size screenshots of the form and the pending page, JavaScript off as on a cheap phone.
    citizen = phone(browser, stack, javascript=False, located=False)
    page = citizen.new_page()
    page.goto("/verify")
    screenshot(page, "citizen-form")
    citizen.close()


def test_staff_pages_have_no_serious_violations(browser, stack):
    assert _check(browser, stack, "/s/some-verification",
                  lambda page: page.wait_for_selector("#sign-in:not([hidden])")) == []

    def signed_in_officer(page):
        sign_in(page, stack, "MP5102")
        page.wait_for_selector("#start:not([hidden])")

    assert _check(browser, stack, "/o", signed_in_officer) == []
