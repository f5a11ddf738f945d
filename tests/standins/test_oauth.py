"""OAuth v2 and user info, with TikTok's quirks (flat errors, form-only, hex PKCE, rotation)."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

from tests.standins.conftest import REDIRECT, SECRET, FakeHost, reset, wait_hook
from tests.standins.helpers import FORM, authorize, connect, error_code, token_request

ALLOW = {"decision": "allow"}


def test_authorize_validates_client_redirect_scope_and_state(tiktok: httpx.Client) -> None:
    base = {
        "client_key": "gatepost-local",
        "scope": "user.info.basic",
        "redirect_uri": REDIRECT,
        "state": "s",
        "response_type": "code",
    }
    bad_client = tiktok.get(f"/v2/auth/authorize/?{urlencode({**base, 'client_key': 'nope'})}")
    assert bad_client.status_code == 400 and "client_key" in bad_client.text
    unregistered = {**base, "redirect_uri": REDIRECT + "/other"}
    assert tiktok.get(f"/v2/auth/authorize/?{urlencode(unregistered)}").status_code == 400
    malformed = [
        ({"scope": "user.info.basic,telepathy"}, "invalid_scope"),
        ({"state": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ]
    for changes, error in malformed:  # TikTok's own error page, not a redirect to the app
        page = tiktok.get(f"/v2/auth/authorize/?{urlencode({**base, **changes})}")
        assert page.status_code == 400 and error in page.text, changes
    reset(authorize_errors_redirect=True)
    for changes, error in malformed:
        assert authorize(tiktok, **changes)["error"] == [error]


def test_consent_screen_allows_or_denies(tiktok: httpx.Client) -> None:
    tiktok.put("/_control/auto-consent", params={"enabled": False})
    query = urlencode(
        {
            "client_key": "gatepost-local",
            "scope": "user.info.basic",
            "redirect_uri": REDIRECT,
            "state": "s9",
            "response_type": "code",
        }
    )
    page = tiktok.get(f"/v2/auth/authorize/?{query}")
    assert page.status_code == 200 and "would like to access your TikTok account" in page.text
    denied = tiktok.post("/v2/auth/authorize/decision", data={"query": query, "decision": "deny"})
    assert (
        "error=access_denied" in denied.headers["location"]
        and "state=s9" in denied.headers["location"]
    )
    ticked = {"query": query, "scope": ["user.info.basic"], **ALLOW}
    allowed = tiktok.post("/v2/auth/authorize/decision", data=ticked)
    assert (
        "code=" in allowed.headers["location"]
        and "scopes=user.info.basic" in allowed.headers["location"]
    )


def test_a_person_may_grant_only_some_scopes(tiktok: httpx.Client) -> None:
    """The consent screen lists each scope, ticked; whatever is unticked is not granted."""
    tiktok.put("/_control/auto-consent", params={"enabled": False})
    query = urlencode(
        {
            "client_key": "gatepost-local",
            "scope": "user.info.basic,video.publish",
            "redirect_uri": REDIRECT,
            "state": "s9",
            "response_type": "code",
        }
    )
    page = tiktok.get(f"/v2/auth/authorize/?{query}")
    assert page.text.count('type="checkbox" name="scope"') == 2
    partial = {"query": query, "scope": ["user.info.basic"], **ALLOW}
    location = tiktok.post("/v2/auth/authorize/decision", data=partial).headers["location"]
    code = parse_qs(urlparse(location).query)["code"][0]
    tokens = token_request(
        tiktok, code=code, grant_type="authorization_code", redirect_uri=REDIRECT
    ).json()
    assert tokens["scope"] == "user.info.basic"
    tiktok.put("/_control/auto-consent", params={"enabled": True})
    tiktok.put("/_control/granted-scopes", json=["user.info.basic"])
    assert authorize(tiktok)["scopes"] == ["user.info.basic"]


def test_desktop_apps_need_tiktoks_hex_pkce(tiktok: httpx.Client) -> None:
    reset(platform="desktop", authorize_errors_redirect=True)
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    hex_challenge = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3"
    assert hashlib.sha256(verifier.encode()).hexdigest() == hex_challenge
    assert authorize(tiktok)["error"] == ["invalid_request"]  # no challenge
    rfc7636 = authorize(
        tiktok,
        code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method="S256",
    )
    assert rfc7636["error"] == ["invalid_request"]  # base64url is not what TikTok computes
    code = authorize(tiktok, code_challenge=hex_challenge, code_challenge_method="S256")["code"][0]
    wrong = token_request(
        tiktok,
        code=code,
        grant_type="authorization_code",
        redirect_uri=REDIRECT,
        code_verifier="x" * 43,
    )
    assert wrong.json()["error_description"] == "Code verifier or code challenge is invalid."
    right = token_request(
        tiktok,
        code=code,
        grant_type="authorization_code",
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )
    assert right.status_code == 200 and right.json()["token_type"] == "Bearer"


def test_token_endpoint_is_form_only_with_flat_errors(tiktok: httpx.Client) -> None:
    body = urlencode(
        {
            "client_key": "gatepost-local",
            "client_secret": SECRET,
            "grant_type": "authorization_code",
        }
    )
    charset = tiktok.post(
        "/v2/oauth/token/",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
    )
    assert charset.status_code == 200  # failed OAuth calls answer HTTP 200, as reported
    assert set(charset.json()) == {"error", "error_description", "log_id"}
    assert charset.json()["error"] == "invalid_request"
    as_json = tiktok.post("/v2/oauth/token/", json={"client_key": "gatepost-local"})
    assert as_json.json()["error"] == "invalid_request"
    bad_secret = tiktok.post(
        "/v2/oauth/token/",
        headers=FORM,
        content=urlencode(
            {
                "client_key": "gatepost-local",
                "client_secret": "wrong",
                "grant_type": "refresh_token",
            }
        ),
    )
    assert bad_secret.json()["error"] == "invalid_client"
    assert token_request(tiktok, grant_type="password").json()["error"] == "unsupported_grant_type"


def test_codes_are_single_use_short_lived_and_bound_to_the_redirect_uri(
    tiktok: httpx.Client,
) -> None:
    code = authorize(tiktok)["code"][0]
    assert "*" in code or "!" in code  # real codes need URL-decoding
    mismatch = token_request(
        tiktok, code=code, grant_type="authorization_code", redirect_uri=REDIRECT + "x"
    )
    assert mismatch.json()["error"] == "invalid_grant"
    first = token_request(tiktok, code=code, grant_type="authorization_code", redirect_uri=REDIRECT)
    tokens = first.json()
    assert tokens["access_token"].startswith("act.") and tokens["refresh_token"].startswith("rft.")
    # the token pages updated in 2026-11: 2 hours and 180 days
    assert tokens["expires_in"] == 7200 and tokens["refresh_expires_in"] == 15552000
    assert tokens["scope"] == "user.info.basic,video.publish,video.upload"
    again = token_request(tiktok, code=code, grant_type="authorization_code", redirect_uri=REDIRECT)
    assert again.json()["error"] == "invalid_grant"
    late = authorize(tiktok)["code"][0]
    tiktok.post("/_control/clock/advance", params={"seconds": 301})
    expired = token_request(
        tiktok, code=late, grant_type="authorization_code", redirect_uri=REDIRECT
    )
    assert expired.json()["error"] == "invalid_grant"


def test_lifetimes_are_configurable(tiktok: httpx.Client) -> None:
    reset(access_token_ttl_s=86400, refresh_token_ttl_s=31536000)
    tokens = connect(tiktok)
    assert (tokens["expires_in"], tokens["refresh_expires_in"]) == (86400, 31536000)


def test_rotation_keeps_the_end_of_the_refresh_chain(tiktok: httpx.Client) -> None:
    """A rotated refresh token lives only as long as the first one did: the chain ends."""
    tokens = connect(tiktok)
    tiktok.post("/_control/clock/advance", params={"seconds": 100 * 86400})
    rotated = token_request(
        tiktok, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    ).json()
    assert 79 * 86400 < rotated["refresh_expires_in"] <= 80 * 86400
    tiktok.post("/_control/clock/advance", params={"seconds": 81 * 86400})
    ended = token_request(
        tiktok, grant_type="refresh_token", refresh_token=rotated["refresh_token"]
    )
    assert ended.status_code == 200 and ended.json()["error"] == "invalid_grant"
    reset(refresh_expiry_slides=True)
    sliding = connect(tiktok)
    tiktok.post("/_control/clock/advance", params={"seconds": 100 * 86400})
    again = token_request(
        tiktok, grant_type="refresh_token", refresh_token=sliding["refresh_token"]
    ).json()
    assert again["refresh_expires_in"] == 15552000


def test_refresh_rotates_and_the_old_refresh_token_stops_working(tiktok: httpx.Client) -> None:
    first = connect(tiktok)
    second = token_request(
        tiktok, grant_type="refresh_token", refresh_token=first["refresh_token"]
    ).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    reused = token_request(tiktok, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reused.json()["error"] == "invalid_grant"
    tiktok.post("/_control/clock/advance", params={"seconds": 31536001})
    late = token_request(tiktok, grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert late.json()["error"] == "invalid_grant"


def test_revoke_ends_the_token_and_sends_authorization_removed(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    tokens = connect(tiktok)
    answer = tiktok.post(
        "/v2/oauth/revoke/",
        headers=FORM,
        content=urlencode(
            {
                "client_key": "gatepost-local",
                "client_secret": SECRET,
                "token": tokens["access_token"],
            }
        ),
    )
    assert answer.status_code == 200 and answer.json() == {}
    info = tiktok.get(
        "/v2/user/info/?fields=open_id",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert info.status_code == 401 and error_code(info) == "access_token_invalid"
    refreshed = token_request(
        tiktok, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.json()["error"] == "invalid_grant"
    removed = wait_hook(fake_host, "authorization.removed", '"reason": 5')
    assert removed["user_openid"] == tokens["open_id"]


def test_user_info_needs_fields_and_the_scope_of_each(tiktok: httpx.Client) -> None:
    tokens = connect(tiktok, scope="user.info.basic")
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert error_code(tiktok.get("/v2/user/info/", headers=auth)) == "invalid_params"
    ok = tiktok.get("/v2/user/info/?fields=open_id,display_name,avatar_url", headers=auth)
    user = ok.json()["data"]["user"]
    assert set(user) == {"open_id", "display_name", "avatar_url"}
    assert user["open_id"] == tokens["open_id"] and ok.json()["error"]["code"] == "ok"
    profile = tiktok.get("/v2/user/info/?fields=open_id,username", headers=auth)
    assert profile.status_code == 401 and error_code(profile) == "scope_not_authorized"


def test_apps_added_through_the_control_api_get_their_own_rules(tiktok: httpx.Client) -> None:
    tiktok.post(
        "/_control/apps",
        json={
            "client_key": "desk",
            "client_secret": "s3",
            "redirect_uris": ["http://127.0.0.1:9/cb"],
            "platform": "desktop",
        },
    )
    query = {
        "client_key": "desk",
        "scope": "user.info.basic",
        "redirect_uri": "http://127.0.0.1:9/cb",
        "state": "s",
        "response_type": "code",
    }
    answer = tiktok.get(f"/v2/auth/authorize/?{urlencode(query)}")
    assert answer.status_code == 400 and "code_challenge" in answer.text  # desktop: PKCE
    other_app_secret = tiktok.post(
        "/v2/oauth/token/",
        headers=FORM,
        content=urlencode(
            {"client_key": "desk", "client_secret": SECRET, "grant_type": "refresh_token"}
        ),
    )
    assert other_app_secret.json()["error"] == "invalid_client"
