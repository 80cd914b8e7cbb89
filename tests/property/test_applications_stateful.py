"""Business applications under random lives (issue 17, item 1): keys apply, withdraw and
apply again; the operator, a resident, a business and the applicants themselves try to
approve and decline any id, known or not; old signed applications are replayed. Several
transactions per block, blocks from a second to two days apart (past the wait before a key
may apply again).

After every block:

1. an application never registers twice: each approved application made exactly one
   business, at the applicant's address with the application's name and keys, and no
   address was registered twice;
2. only the operator decides: every approval or decline that succeeded was signed by the
   operator, and every one signed by anyone else was refused;
3. a decision is final: an application's status leaves `pending` once and never changes;
4. the queue is exact: its length, its pages and the pending count agree with the
   statuses, and never exceed `max_pending_applications`;
5. a replayed signed transaction is always refused.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from planet.core.applications.messages import (
    ApplyBusiness,
    ApproveApplication,
    DeclineApplication,
    WithdrawApplication,
)
from planet.core.messages import Msg
from planet.sdk.wallet import Wallet
from tests.chain import Chain, b64, make_chain, q, wallet

DAY = 24 * 3_600_000
KEYS = 5
MAX_PENDING = 3


class ApplicationsMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.chain: Chain = make_chain(label="apps-stateful", businesses=1,
                                       params={"max_pending_applications": MAX_PENDING})
        (self.resident,) = self.chain.register_residents(1)
        self.keys = [wallet(f"apps-stateful/key-{i}") for i in range(KEYS)]
        self.signers: list[Wallet] = [self.chain.operator, self.resident,
                                      self.chain.businesses[0], *self.keys]
        self.statuses: dict[int, str] = {}
        self.applicants: dict[int, str] = {}
        self.approved_by_address: dict[str, int] = {}
        self.sent: list[bytes] = []  # every tx that applied, to replay
        self.queue: list[tuple[Wallet, Msg]] = []

    def seq(self, w: Wallet) -> int:
        return self.chain.sequence(w)

    # --- what happens --------------------------------------------------------------------

    @rule(i=st.integers(0, KEYS - 1), name=st.sampled_from(["Tea", "Noodles", "茶馆"]))
    def apply(self, i: int, name: str) -> None:
        w = self.keys[i]
        self.queue.append((w, ApplyBusiness(name=name, contact="tea@example.com",
                                            offers="Tea for Force",
                                            encryption_key=b64(w.encryption_public_key))))

    def pick(self, n: int) -> int:
        """A known application's id, or now and then one that does not exist."""
        known = sorted(self.statuses)
        return known[n % len(known)] if known and n % 5 else 99

    @rule(signer=st.one_of(st.just(0), st.integers(0, 2 + KEYS)), n=st.integers(0, 50),
          approve=st.booleans())
    def decide(self, signer: int, n: int, approve: bool) -> None:
        app_id = self.pick(n)
        msg: Msg = (ApproveApplication(application=app_id) if approve
                    else DeclineApplication(application=app_id, reason="Not a fit"))
        self.queue.append((self.signers[signer], msg))

    @rule(n=st.integers(0, 50), own=st.booleans(), other=st.integers(0, KEYS - 1))
    def withdraw(self, n: int, own: bool, other: int) -> None:
        app_id = self.pick(n)
        applicant = self.applicants.get(app_id)
        w = next((k for k in self.keys if k.address == applicant), None) if own else None
        self.queue.append((w or self.keys[other], WithdrawApplication(application=app_id)))

    @rule(n=st.integers(0, 3))
    def replay(self, n: int) -> None:
        if self.sent:
            raw = self.sent[n % len(self.sent)]
            result = self.chain.block([raw]).tx_results[0]
            assert result.code in (107, 108), result  # the sequence rule refuses it

    @rule(dt=st.sampled_from([1_000, 3_600_000, 2 * DAY]))
    def block(self, dt: int) -> None:
        """One block of what was queued, each signer's txs at consecutive sequences."""
        nexts: dict[str, int] = {}
        raws: list[tuple[Wallet, Msg, bytes]] = []
        for w, msg in self.queue:
            seq = nexts.get(w.address, self.seq(w))
            nexts[w.address] = seq + 1
            raws.append((w, msg, w.sign_tx(chain_id=self.chain.chain_id, sequence=seq,
                                           messages=[msg])))
        self.queue = []
        before = {a["id"]: a["status"] for a in self.all_applications()}
        result = self.chain.block([r for _w, _m, r in raws], dt=dt)
        for (w, msg, raw), res in zip(raws, result.tx_results, strict=True):
            if res.ok:
                self.sent.append(raw)
            deciding = isinstance(msg, ApproveApplication | DeclineApplication)
            if deciding and w.address != self.chain.operator.address:
                assert not res.ok, (w.address, msg)  # 2: only the operator decides
            if not res.ok:
                continue
            if isinstance(msg, ApproveApplication):
                assert before.get(msg.application) in ("pending", None)
                assert w.address == self.chain.operator.address
                applicant = q(self.chain, "applications/application",
                              id=msg.application)["applicant"]
                assert applicant not in self.approved_by_address  # 1: never twice
                self.approved_by_address[applicant] = msg.application

    def all_applications(self) -> list[dict[str, Any]]:
        out = []
        for app_id in range(1, 40):
            try:
                out.append(q(self.chain, "applications/application", id=app_id))
            except Exception:
                break
        return out

    # --- what always holds ---------------------------------------------------------------

    @invariant()
    def registered_once_with_the_applications_keys(self) -> None:
        businesses = q(self.chain, "accounts/accounts", kind="business")
        by_address = {b["address"]: b for b in businesses}
        assert len(businesses) == 1 + len(self.approved_by_address)
        for address, app_id in self.approved_by_address.items():
            application = q(self.chain, "applications/application", id=app_id)
            account = by_address[address]
            assert application["status"] == "approved"
            assert (account["name"], account["public_key"], account["encryption_key"]) == (
                application["name"], application["public_key"], application["encryption_key"])

    @invariant()
    def decisions_are_final_and_the_queue_is_exact(self) -> None:
        applications = self.all_applications()
        for a in applications:
            old = self.statuses.get(a["id"])
            assert old in (None, "pending", a["status"]), (old, a)  # 3: final
            self.statuses[a["id"]] = a["status"]
            self.applicants[a["id"]] = a["applicant"]
        pending = [a["id"] for a in applications if a["status"] == "pending"]
        queue = q(self.chain, "applications/pending", limit=2)
        items = list(queue["items"])
        while queue["next_after"] is not None:
            queue = q(self.chain, "applications/pending", limit=2, after=queue["next_after"])
            items += queue["items"]
        assert [a["id"] for a in items] == pending
        assert queue["pending"] == len(pending) <= MAX_PENDING
        approved = {a["applicant"] for a in applications if a["status"] == "approved"}
        assert approved == set(self.approved_by_address)


ApplicationsMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=40,
                                                 deadline=None)
TestApplications = ApplicationsMachine.TestCase
