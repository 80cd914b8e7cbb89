"""A populated planet for the tests that walk every page (accessibility, languages): a
verified resident, an approved business with an offer and a data request, made with the
Python SDK, and the list of the app's pages with what each shows once it has loaded."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import expect

from planet.core.exchange.messages import CreateOffer
from planet.core.vault.messages import AllowDepositor
from planet.sdk.keys import export_keystore_json
from planet.sdk.wallet import Wallet
from tests.e2e.conftest import E2ENode
from tests.e2e.wallets import import_clear_keystore
from tests.integration.nodeproc import sent_code

NAME = "Chen Jing"
VALID_ID = "11010519491231002X"  # GB 11643 textbook example (passes stdnum.cn.ric)
PHONE = "13800138000"
DAY_MS = 86_400_000


@dataclass
class Site:
    """Who is on the populated planet, and a transaction to open in the explorer."""

    resident: Wallet
    business: Wallet
    tx_hash: str

    def keystore(self, node: E2ENode, role: str) -> str:
        """The keystore (kept in clear) a role's browser imports."""
        if role == "operator":
            return node.operator_keystore.read_text()
        wallet = self.resident if role == "resident" else self.business
        return export_keystore_json(wallet, None, role)


def populate(node: E2ENode) -> Site:
    """A verified resident who allows the business to deposit, and a business with an offer."""
    client = node.client
    resident, business = Wallet.generate(), Wallet.generate()
    outcome, _ = client.register_resident(resident, node.invite_codes(1)[0], own_invites=2)
    after = node.log.stat().st_size
    client.send_identity_code(resident, PHONE)
    client.verify_identity(resident, NAME, VALID_ID, PHONE, sent_code(node.log, PHONE, after))
    client.register_business(node.operator, business, "Harbour Coffee")
    now = int(time.time() * 1000)
    client.send(business, CreateOffer(item="Flat white", price=1_000_000, stock=20, starts_at=now - DAY_MS,
                                      ends_at=now + 30 * DAY_MS, min_force=0, daily_limit=1))
    client.send(resident, AllowDepositor(business=business.address))
    return Site(resident=resident, business=business, tx_hash=outcome.hash)


def pages(site: Site) -> list[tuple[str, str, str, str]]:
    """(name, role whose wallet the page needs, route, test id shown once it has loaded)."""
    resident = [(f"resident-{tab}", "resident", f"/#/resident/{tab}", tab)
                for tab in ("planet", "tasks", "invites", "vault", "requests", "shop", "drill", "history")]
    business = [("business-overview", "business", "/#/business/overview", "business-page"),
                ("business-requests", "business", "/#/business/requests", "business-requests"),
                ("business-tasks", "business", "/#/business/tasks", "business-attest"),
                ("business-deposits", "business", "/#/business/deposits", "business-deposit"),
                ("business-offers", "business", "/#/business/offers", "business-offers")]
    operator = [(f"operator-{tab}", "operator", f"/#/operator/{tab}", tid) for tab, tid in (
        ("overview", "op-supply"), ("tasks", "op-tasks"), ("businesses", "op-businesses"),
        ("relays", "op-relays"), ("invites", "op-invites"))]
    anyone = [("landing", "resident", "/#/", "landing"),
              ("wallets", "resident", "/#/wallet/list", "wallet-list"),
              ("wallet-create", "resident", "/#/wallet/create", "wallet-create"),
              ("wallet-restore", "resident", "/#/wallet/restore", "wallet-restore"),
              ("wallet-import", "resident", "/#/wallet/import", "wallet-import"),
              ("explorer", "resident", "/#/explorer", "explorer-blocks"),
              ("explorer-block", "resident", "/#/explorer/block/2", "explorer-block"),
              ("explorer-tx", "resident", f"/#/explorer/tx/{site.tx_hash}", "explorer-tx"),
              ("explorer-account", "resident", f"/#/explorer/account/{site.resident.address}",
               "explorer-account")]
    return anyone + resident + business + operator


def open_as(node: E2ENode, site: Site, new_page: Any, role: str, **options: Any) -> Any:
    """A browser context for `role` with its wallet imported (sealed under a password)."""
    page = new_page(role, **options)
    import_clear_keystore(page, site.keystore(node, role), role)
    expect(page.get_by_test_id("wallet-switcher")).to_be_visible()
    return page


def show(page: Any, route: str, testid: str) -> None:
    """Go to a page and wait until it has loaded (its content shown, no spinner left)."""
    page.goto(route)
    expect(page.get_by_test_id(testid).first).to_be_visible()
    expect(page.locator(".loading")).to_have_count(0)
