"""Every page of the web app, in Chinese and in English, passes axe-core with no critical
and no serious violation (issue 16): names, roles, landmarks, contrast, language.

axe-core comes from npm (web/node_modules/axe-core, a dev dependency) and is injected into
each page as it is; the contexts bypass the node's CSP for that one inline script. The
pages are filled first (a verified resident, an approved business with an offer, the
operator's key) so their tables and forms are there to be checked. Swagger UI and ReDoc
(/docs, /redoc) are vendored as they are, not ours, so they are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, E2ENode
from tests.e2e.site import Site, open_as, pages, populate, show
from tests.require import missing

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(
      (n) => `${n.target.join(' ')} :: ${(n.failureSummary || '').split('\\n')[1] || ''}`),
  }));
}"""


@pytest.fixture(scope="module")
def site(node: E2ENode) -> Iterator[Site]:
    if not AXE.is_file():
        missing("WEB", f"{AXE} is missing: run npm ci in web/")
    yield populate(node)


def violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in BLOCKING]


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_every_page_has_no_serious_accessibility_violation(
        node: E2ENode, site: Site, new_page: Callable[..., Any], locale: str,
        shot: Callable[[Any, str], Path]) -> None:
    browsers = {role: open_as(node, site, new_page, role, locale=locale, bypass_csp=True)
                for role in ("resident", "business", "operator")}
    lang = "zh-CN" if locale.startswith("zh") else "en"
    report: dict[str, list[dict[str, Any]]] = {}
    for name, role, route, testid in pages(site):
        page = browsers[role]
        show(page, route, testid)
        assert page.evaluate("document.documentElement.lang") == lang, name
        found = violations(page)
        if found:
            report[name] = found
            shot(page, f"{lang}-{name}")
    assert report == {}, "\n".join(
        f"{name}: {v['impact']} {v['id']} ({v['help']}): {v['nodes']}"
        for name, found in report.items() for v in found)
