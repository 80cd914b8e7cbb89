"""The web app, Swagger UI and ReDoc under the node's Content-Security-Policy, in a real
Chromium against a real node: the page responses carry the security headers, the assets
come compressed and cached for a year, every page works (a resident onboards and sees their
planet, Swagger UI runs a request, ReDoc renders), no request leaves the node's origin (so
/docs works offline) and the browser reports no CSP violation at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from planet.api.security import CSP
from tests.e2e.conftest import E2ENode
from tests.e2e.wallets import create_wallet

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Each page keeps the violations the browser reports, and says them on the console too.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
});
"""
SECURITY = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer"}
VALID_ID = "11010519491231002X"  # GB 11643 textbook example (passes stdnum.cn.ric)


class Watched:
    """A page with its responses, the requests that left the node, and a CSP check."""

    def __init__(self, page: Any, origin: str) -> None:
        self.page = page
        self.responses: list[Any] = []
        self.foreign: list[str] = []
        page.add_init_script(WATCH_CSP)
        page.on("response", lambda r: self.responses.append(r))
        page.on("request", lambda r: None if r.url.startswith((origin, "data:", "blob:"))
                else self.foreign.append(r.url))

    def goto(self, path: str) -> Any:
        response = self.page.goto(path)
        assert response is not None and response.status == 200
        for name, value in SECURITY.items():
            assert response.headers.get(name) == value, (path, name)
        assert response.headers["cache-control"] == "no-cache"
        return response

    def assert_clean(self) -> None:
        """No violation on the current document, none logged by any, nothing fetched
        elsewhere, and no other error than a 404 answered as "nothing yet"."""
        assert self.page.evaluate("window.__csp") == []
        errors = [e for e in self.page.planet_errors if "Failed to load resource" not in e]
        assert errors == [] and self.foreign == []


@pytest.fixture
def watched(node: E2ENode, new_page: Callable[[str], Any]) -> Watched:
    return Watched(new_page("csp"), node.url)


def test_the_app_works_under_the_csp(node: E2ENode, watched: Watched) -> None:
    page = watched.page
    watched.goto("/#/")
    expect(page.get_by_test_id("landing")).to_be_visible()
    expect(page.get_by_test_id("chain-id")).to_have_text(node.chain_id)
    scripts = [r for r in watched.responses if r.request.resource_type == "script"]
    styles = [r for r in watched.responses if r.request.resource_type == "stylesheet"]
    assert scripts and styles
    for r in scripts + styles:  # the bundle and its chunks, named by content, compressed, kept a year
        assert re.search(r"/assets/(app|chunk)-\w{8}\.(js|css)$", r.url), r.url
        assert r.headers["content-encoding"] == "br"
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert r.headers["x-content-type-options"] == "nosniff"

    # A resident: keys made with WebCrypto, onboarding, the identity sealed with HPKE, and
    # the planet, whose bubbles are placed by style attributes set from script.
    page.get_by_test_id("role-resident").click()
    page.get_by_test_id("need-wallet-create").click()
    create_wallet(page, "Csp")
    expect(page.get_by_test_id("onboarding")).to_be_visible()
    page.get_by_test_id("invite-code").fill(node.invite_codes(1)[0])
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("verify-card")).to_be_visible()
    node.verify_in_page(page, "Li Xiaolong", VALID_ID, "13800138000")
    expect(page.get_by_test_id("verified-badge")).to_be_visible(timeout=30_000)
    page.get_by_test_id("tab-planet").click()
    bubble = page.get_by_test_id("bubble").last
    expect(bubble).to_be_visible(timeout=20_000)
    assert bubble.evaluate("b => b.style.width").endswith("px")  # its style= was applied
    watched.assert_clean()

    # The explorer follows the chain over server-sent events.
    page.goto("/#/explorer")
    expect(page.get_by_test_id("explorer-height")).to_have_text(re.compile(r"^[\d,]+$"))
    watched.assert_clean()


def test_swagger_ui_runs_requests_under_the_csp(watched: Watched) -> None:
    page = watched.page
    watched.goto("/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=30_000)
    assert operations.count() > 20
    health = page.locator("#operations-node-health_v1_health_get")
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()
    expect(health.locator(".live-responses-table tr.response .response-col_status")
           ).to_have_text("200")
    vendor = [r for r in watched.responses if "/assets/vendor/swagger-ui" in r.url]
    assert len(vendor) == 2 and all(r.headers["content-encoding"] == "br" for r in vendor)
    watched.assert_clean()


def test_redoc_renders_under_the_csp(watched: Watched) -> None:
    page = watched.page
    watched.goto("/redoc")
    expect(page.get_by_role("heading", name="Liveness and height")).to_be_visible(
        timeout=30_000)
    expect(page.get_by_role("menuitem").first).to_be_visible()
    # Its styled-components rules went in (an empty <style> allowed by hash, then the CSSOM).
    assert page.evaluate("Array.from(document.styleSheets).reduce("
                         "(n, s) => n + s.cssRules.length, 0)") > 100
    watched.assert_clean()
