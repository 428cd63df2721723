"""First sign-in and recovery on the staff pages (issue 12), against the local pool (MFA required):
a temporary password, a password of her own (the pool's rules listed and checked as she types),
an authenticator app (QR code and the key as text), its code on later sign-ins, a wrong code, a
session Cognito ended, and a forgotten password.

moto checks TOTP codes on the local stack (chalicelib/local/stack.py), so wrong codes are refused
for real here. What moto cannot do is answered by routing the browser's call to Cognito with the
real service's error: a session that ended (moto's never do), VerifySoftwareToken's own error
shape, and a password Cognito's history refuses.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from chalicelib.local.sign_in import enrol_totp
from chalicelib.local.sign_in import sign_in as api_sign_in

from ..conftest import onboard_person
from .conftest import app_code, axe_violations, phone, screenshot, serious, sign_in, start_by_api, wrong_code

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Blue-Heron-Walk-42"
RESET_PASSWORD = "Quiet-Harbour-Lamp-7"
RULES = ["At least 12 characters", "A capital letter (A-Z)", "A small letter (a-z)", "A number (0-9)",
         "A symbol, such as ! ? # - or a space between words"]
ISSUER = "Safe Connection (safe-connection-local)"


def cognito_calls(context) -> list[tuple[str, dict]]:
    """Every call the page makes to Cognito: (operation, body)."""
    calls: list[tuple[str, dict]] = []

    def seen(request):
        target = request.headers.get("x-amz-target", "")
        if target.startswith("AWSCognitoIdentityProviderService."):
            calls.append((target.rsplit(".", 1)[-1], request.post_data_json or {}))

    context.on("request", seen)
    return calls


def answer_once(context, stack, operation: str, status: int, body: dict) -> list[dict]:
    """The next `operation` the page sends Cognito gets `body` (as the real service answers); the rest pass."""
    answered: list[dict] = []

    def route(route):
        target = route.request.headers.get("x-amz-target", "")
        if target.endswith(f".{operation}") and not answered:
            answered.append(route.request.post_data_json)
            route.fulfill(status=status, content_type="application/x-amz-json-1.1", body=json.dumps(body))
        else:
            route.continue_()

    context.route(f"{stack.aws}/", route)
    return answered


def step(page, form: str, heading: str, name: str) -> None:
    """The step is shown, its heading has the focus, axe finds nothing serious; screenshot."""
    page.wait_for_selector(f"#{form}:not([hidden])")
    assert page.evaluate("() => document.activeElement.tagName + ': ' + document.activeElement.textContent") \
        == f"H1: {heading}"
    assert serious(axe_violations(page)) == [], name
    screenshot(page, name)


def rule_states(page, rules: str) -> dict[str, bool]:
    return page.evaluate(
        """(id) => Object.fromEntries([...document.querySelectorAll(`#${id} li`)].map(
             li => [li.dataset.rule, li.classList.contains('met')]))""", rules)


def test_officer_first_sign_in_new_password_authenticator_then_codes(browser, stack):
    person = onboard_person(stack, force="met", officer_id="MP6001", role="officer", rank="PC",
                            given_name="Nadia", family_name="Rahman")
    context = phone(browser, stack)
    calls = cognito_calls(context)
    page = context.new_page()
    page.goto("/o")
    page.wait_for_selector("#sign-in-form:not([hidden])")
    page.fill("#username", person["username"])
    page.fill("#password", person["temporary_password"])
    page.click("#sign-in-form button[type=submit]")

    # 1. A password of her own: the pool's rules, ticked off as she types.
    step(page, "new-password-form", "Choose your own password", "first-sign-in-new-password")
    assert [t.strip() for t in page.locator("#new-password-rules li").all_text_contents()] == \
        [f"{rule} (not yet)" for rule in RULES]
    page.type("#new-password", "heron")
    assert rule_states(page, "new-password-rules") == \
        {"length": False, "upper": False, "lower": True, "digit": False, "symbol": False}
    page.type("#new-password", "-Wk-42")
    assert rule_states(page, "new-password-rules") == \
        {"length": False, "upper": True, "lower": True, "digit": True, "symbol": True}
    assert "(not yet)" in page.text_content("#new-password-rules li[data-rule=length]")
    screenshot(page, "first-sign-in-new-password-typing")

    # A weak one is refused by the page: Cognito never sees it.
    page.fill("#new-password-again", "heron-Wk-42")
    before = len(calls)
    page.click("#new-password-form button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('does not meet every rule')")
    # Two that differ are refused too.
    page.fill("#new-password", NEW_PASSWORD)
    assert all(rule_states(page, "new-password-rules").values())
    page.fill("#new-password-again", NEW_PASSWORD + "x")
    page.click("#new-password-form button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('not the same')")
    assert len(calls) == before
    page.fill("#new-password-again", NEW_PASSWORD)
    page.click("#new-password-form button[type=submit]")

    # 2. The authenticator app: a QR code, a link for the app on this phone, the key in fours.
    step(page, "mfa-setup-form", "Set up your authenticator app", "first-sign-in-mfa-setup")
    page.wait_for_function("() => document.querySelector('#mfa-qr').naturalWidth > 100")
    assert page.get_attribute("#mfa-qr", "src").startswith("data:image/png;base64,")
    shown = page.text_content("#mfa-secret")
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{1,4}", shown), shown
    secret = shown.replace(" ", "")
    uri = urlsplit(page.get_attribute("#mfa-app-link", "href"))
    assert (uri.scheme, uri.netloc, unquote(uri.path)) == ("otpauth", "totp", f"/{ISSUER}:{person['username']}")
    query = parse_qs(uri.query)
    assert query["secret"] == [secret] and query["issuer"] == [ISSUER]
    associate = [body for name, body in calls if name == "AssociateSoftwareToken"]
    assert len(associate) == 1 and associate[0]["Session"] and "AccessToken" not in associate[0]

    # A wrong first code is refused by the pool and said plainly; the next one works.
    page.fill("#mfa-setup-code", wrong_code(secret))
    page.click("#mfa-setup-form button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('That code is not right')")
    assert page.is_visible("#mfa-setup-form") and page.input_value("#mfa-setup-code") == ""
    page.fill("#mfa-setup-code", app_code(secret))
    page.click("#mfa-setup-form button[type=submit]")

    page.wait_for_selector("#start:not([hidden])")
    assert page.text_content("#who-name") == "MP6001"
    assert [name for name, _ in calls] == [
        "InitiateAuth", "RespondToAuthChallenge", "AssociateSoftwareToken", "VerifySoftwareToken",
        "VerifySoftwareToken", "RespondToAuthChallenge"]
    assert calls[-1][1]["ChallengeName"] == "MFA_SETUP"
    # The token stays in this tab's sessionStorage, never in the address.
    token = page.evaluate("() => sessionStorage.getItem('safe-connection.id-token')")
    assert token and token not in page.url and "?" not in page.url

    # 3. Signed out, she signs in again: password, then the app's code.
    page.click("#sign-out")
    page.wait_for_selector("#sign-in-form:not([hidden])")
    page.fill("#username", person["username"])
    page.fill("#password", NEW_PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    step(page, "mfa-form", "Code from your authenticator app", "sign-in-mfa-code")
    assert page.get_attribute("#mfa-code", "inputmode") == "numeric"
    assert page.get_attribute("#mfa-code", "autocomplete") == "one-time-code"
    assert page.get_attribute("label[for=mfa-code]", "for") == "mfa-code"

    # A wrong code: told so, and she can try again in the same sign-in.
    page.fill("#mfa-code", wrong_code(secret))
    page.click("#mfa-form button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('That code is not right')")
    assert page.is_visible("#mfa-form")
    screenshot(page, "sign-in-mfa-wrong-code")
    page.fill("#mfa-code", app_code(secret))
    page.click("#mfa-form button[type=submit]")
    page.wait_for_selector("#start:not([hidden])")
    assert page.text_content("#sign-in-error") == ""
    assert context.csp_violations == []
    context.close()


def test_a_session_cognito_ended_starts_sign_in_again(browser, stack):
    """Cognito's challenge session lasts 3 minutes (moto's never ends): the real answer is routed in."""
    context = phone(browser, stack)
    answered = answer_once(context, stack, "RespondToAuthChallenge", 400, {
        "__type": "NotAuthorizedException", "message": "Invalid session for the user, session is expired."})
    page = context.new_page()
    page.goto("/o")
    sign_in(page, stack, "MP4721")

    step(page, "sign-in-form", "Sign in", "sign-in-session-ended")
    assert answered and answered[0]["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "started again" in page.text_content("#sign-in-error") and "3 minutes" in page.text_content("#sign-in-error")
    assert page.input_value("#password") == "" and page.input_value("#username") == stack.user("MP4721")["username"]
    sign_in(page, stack, "MP4721")
    page.wait_for_selector("#start:not([hidden])")
    assert page.evaluate("() => sessionStorage.getItem('safe-connection.id-token')")
    assert context.csp_violations == []
    context.close()


def _first_sign_in_by_api(stack, person: dict, password: str) -> str:
    """Her first sign-in done as a client app would (new password, then TOTP): her secret."""
    cognito = stack.client("cognito-idp")
    client_id = stack.details["cognito"]["client_id"]
    started = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": person["username"], "PASSWORD": person["temporary_password"]})
    cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=started["Session"],
                                      ChallengeResponses={"USERNAME": person["username"], "NEW_PASSWORD": password})
    return enrol_totp(cognito, client_id, person["username"], password)


def test_forgotten_password_code_then_a_new_password_signs_in(browser, stack):
    person = onboard_person(stack, force="met", officer_id="MP6002", role="officer", rank="DC",
                            given_name="Ellen", family_name="Marsh")
    secret = _first_sign_in_by_api(stack, person, NEW_PASSWORD)
    context = phone(browser, stack)
    calls = cognito_calls(context)
    page = context.new_page()
    page.goto("/o")
    page.wait_for_selector("#sign-in-form:not([hidden])")
    page.fill("#username", person["username"])
    page.click("#forgot-password")
    step(page, "forgot-form", "Reset your password", "forgot-password")
    assert page.input_value("#forgot-username") == person["username"]

    # The pool sends its own message with the code. moto sends none: it hands the code to the
    # caller in a header, which stands in for her inbox here (the page never reads it).
    with page.expect_response(lambda r: r.request.headers.get("x-amz-target", "").endswith(".ForgotPassword")) as sent:
        page.click("#forgot-form button[type=submit]")
    code = sent.value.headers["x-moto-forgot-password-confirmation-code"]
    step(page, "reset-form", "Choose a new password", "forgot-password-new")
    assert "We have sent a code to m***@m***" in page.text_content("#reset-sent")
    assert calls[-1] == ("ForgotPassword", {"ClientId": stack.details["cognito"]["client_id"],
                                            "Username": person["username"]})

    # A weak password is refused by the page before Cognito.
    page.fill("#reset-code", code)
    page.fill("#reset-password", "harbour")
    page.fill("#reset-password-again", "harbour")
    page.click("#reset-form button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('does not meet every rule')")
    assert not any(name == "ConfirmForgotPassword" for name, _ in calls)

    # A code that is not the one sent: moto refuses it as Cognito does.
    page.fill("#reset-code", code[:-1] + ("1" if code[-1] != "1" else "2"))
    page.fill("#reset-password", RESET_PASSWORD)
    page.fill("#reset-password-again", RESET_PASSWORD)
    page.click("#reset-form button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('That code is not right or has expired')")

    # Cognito's own refusal (here its password history, which moto does not keep) is shown plainly.
    answer_once(context, stack, "ConfirmForgotPassword", 400, {
        "__type": "InvalidPasswordException",
        "message": "Password does not conform to policy: Password has previously been used"})
    page.fill("#reset-code", code)
    page.click("#reset-form button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('did not accept this password: Password does not conform "
                           "to policy: Password has previously been used')")
    screenshot(page, "forgot-password-refused")

    page.click("#reset-form button[type=submit]")
    step(page, "sign-in-form", "Sign in", "forgot-password-done")
    assert "Your password has been changed" in page.text_content("#sign-in-status")
    assert page.input_value("#username") == person["username"]
    confirm = [body for name, body in calls if name == "ConfirmForgotPassword"][-1]
    assert confirm["ConfirmationCode"] == code and confirm["Password"] == RESET_PASSWORD

    # The new password works (then the app's code); the old one no longer does.
    page.fill("#password", RESET_PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#mfa-form:not([hidden])")
    page.fill("#mfa-code", app_code(secret))
    page.click("#mfa-form button[type=submit]")
    page.wait_for_selector("#start:not([hidden])")
    assert page.text_content("#who-name") == "MP6002"
    client_id = stack.details["cognito"]["client_id"]
    with pytest.raises(Exception, match="NotAuthorized"):
        api_sign_in(stack.client("cognito-idp"), client_id, person["username"], NEW_PASSWORD, secret)
    assert context.csp_violations == []
    context.close()


def test_sergeant_first_sign_in_from_the_sms_link(browser, stack):
    person = onboard_person(stack, force="met", officer_id="MP6101", role="sergeant", rank="PS",
                            given_name="Joe", family_name="Baptiste", phone="+447700900099", duty="available")
    started = start_by_api(stack, "MP5102")
    context = phone(browser, stack)
    calls = cognito_calls(context)
    page = context.new_page()
    page.goto(f"/s/{started['verification_id']}")
    page.wait_for_selector("#sign-in-form:not([hidden])")
    page.fill("#username", person["username"])
    page.fill("#password", person["temporary_password"])
    page.click("#sign-in-form button[type=submit]")
    step(page, "new-password-form", "Choose your own password", "sergeant-first-sign-in-new-password")
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#new-password-again", NEW_PASSWORD)
    page.click("#new-password-form button[type=submit]")

    step(page, "mfa-setup-form", "Set up your authenticator app", "sergeant-first-sign-in-mfa-setup")
    secret = page.text_content("#mfa-secret").replace(" ", "")
    # Real Cognito answers a wrong first code with its own error type (moto says CodeMismatchException).
    answer_once(context, stack, "VerifySoftwareToken", 400, {
        "__type": "EnableSoftwareTokenMFAException", "message": "Code mismatch and fail enable Software Token MFA"})
    page.fill("#mfa-setup-code", app_code(secret))
    page.click("#mfa-setup-form button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('That code is not right')")
    page.fill("#mfa-setup-code", app_code(secret))
    page.click("#mfa-setup-form button[type=submit]")

    page.wait_for_selector("#request:not([hidden])")
    assert page.text_content("#officer-name") == "DC Priya Shah (MP5102)"
    assert page.text_content("#who-name") == "MP6101"

    # Next time: password, then the code.
    page.click("#sign-out")
    page.wait_for_selector("#sign-in-form:not([hidden])")
    page.fill("#username", person["username"])
    page.fill("#password", NEW_PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    step(page, "mfa-form", "Code from your authenticator app", "sergeant-sign-in-mfa-code")
    page.fill("#mfa-code", app_code(secret))
    page.click("#mfa-form button[type=submit]")
    page.wait_for_selector("#request:not([hidden])")
    assert [name for name, _ in calls][-2:] == ["InitiateAuth", "RespondToAuthChallenge"]
    assert calls[-1][1]["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert context.csp_violations == []
    context.close()
    assert stack.call("POST", f"/verifications/{started['verification_id']}/cancel", "MP5102", {})[0] == 200
