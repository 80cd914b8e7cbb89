"""Registration and identity: invitation codes, nullifiers, roles.

Every refusal is checked in the mempool (check_tx must leave the committed state
byte-for-byte unchanged and name the problem) and, where it matters, in a block.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planet.core.accounts.codes import CODE_CHARS, compute_invite_hash, normalize_invite_code
from planet.core.accounts.messages import (
    AttestIdentity,
    CreateInvites,
    RegisterBusiness,
    RegisterResident,
)
from planet.core.encoding import b64encode
from planet.core.errors import (
    AccountExists,
    AlreadyVerified,
    InvalidField,
    InviteExists,
    InviteUnknown,
    InviteUsed,
    NoInvitesLeft,
    NotFound,
    NotOperator,
    NotResident,
    NotVerifier,
    NullifierUsed,
    PhoneNullifierUsed,
)
from planet.core.transition import TxResult
from tests.chain import Chain, make_chain, new_code, new_hash, wallet


def refused(chain: Chain, raw: bytes, code: int, *words: str) -> TxResult:
    """check_tx refuses `raw` with `code`, names the problem, and changes nothing."""
    before = chain.snapshot()
    result, _tx = chain.app.check_tx(raw)
    assert result.code == code, result
    for word in words:
        assert word.lower() in result.log.lower(), (word, result.log)
    assert chain.snapshot() == before
    return result


def in_block(chain: Chain, raw: bytes) -> TxResult:
    (result,) = chain.block([raw]).tx_results
    return result


def register_msg(w, code: str) -> RegisterResident:  # type: ignore[no-untyped-def]
    return RegisterResident(invite_code=code, encryption_key=b64encode(w.encryption_public_key))


# --- invitation codes -------------------------------------------------------------------------


def test_used_code_is_refused() -> None:
    chain = make_chain(label="reg/used")
    (code,) = chain.create_invites(chain.operator, 1)
    alice, bob = wallet("reg/used/alice"), wallet("reg/used/bob")
    assert in_block(chain, chain.register_tx(alice, code)).ok
    raw = chain.register_tx(bob, code)
    refused(chain, raw, InviteUsed.code, "already used")
    assert in_block(chain, raw).code == InviteUsed.code
    assert chain.account(bob.address) is None
    invite = chain.app.query("accounts/invite", {"code": code})
    assert invite["used_by"] == alice.address


@pytest.mark.parametrize("variant", [str.lower, lambda c: c.replace("-", ""),
                                     lambda c: " ".join(c.split("-")), lambda c: f"  {c} "])
def test_a_used_code_in_another_spelling_is_still_used(variant) -> None:  # type: ignore[no-untyped-def]
    chain = make_chain(label="reg/spelling")
    (code,) = chain.create_invites(chain.operator, 1)
    assert in_block(chain, chain.register_tx(wallet("reg/spelling/a"), variant(code))).ok
    refused(chain, chain.register_tx(wallet("reg/spelling/b"), code), InviteUsed.code)


def test_unknown_code_is_refused() -> None:
    chain = make_chain(label="reg/unknown")
    chain.create_invites(chain.operator, 2)
    carol = wallet("reg/unknown/carol")
    raw = chain.register_tx(carol, new_code("reg/unknown/never"))
    refused(chain, raw, InviteUnknown.code, "not known")
    assert in_block(chain, raw).code == InviteUnknown.code
    assert chain.account(carol.address) is None


MALFORMED_CODES = [
    "", "ABCD", "ABCD-EFGH-JKMN-PQR", "ABCD-EFGH-JKMN-PQRST", "ABCD-EFGH-JKMN-PQR1",
    "ABCD-EFGH-JKMN-PQR0", "ABCD-EFGH-JKMN-PQR8", "ABCD_EFGH_JKMN_PQRS", "ÄBCD-EFGH-JKMN-PQRS",
    "ABCD-EFGH-JKMN-PQR=",
]


@pytest.mark.parametrize("code", MALFORMED_CODES)
def test_malformed_code_is_refused(code: str) -> None:
    chain = make_chain(label="reg/malformed")
    dave = wallet("reg/malformed/dave")
    raw = dave.sign_tx(chain_id=chain.chain_id, sequence=0, messages=[register_msg(dave, code)])
    refused(chain, raw, InvalidField.code, "invite_code")
    assert in_block(chain, raw).code == InvalidField.code


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=24))
def test_any_string_that_is_not_a_live_code_is_refused(text: str) -> None:
    """Random strings: malformed (111) or, if well-formed, unknown (302); never accepted."""
    chain = CHAIN
    w = wallet("reg/anystring")
    raw = chain.register_tx(w, text)
    try:
        bare = normalize_invite_code(text)
    except InvalidField:
        refused(chain, raw, InvalidField.code, "invite_code")
    else:
        assert len(bare) == CODE_CHARS
        refused(chain, raw, InviteUnknown.code)


CHAIN = make_chain(label="reg/shared")


# --- nullifiers and verifiers -----------------------------------------------------------------


def test_duplicate_nullifier_is_refused_and_second_resident_stays_unverified() -> None:
    chain = make_chain(label="reg/nullifier")
    alice, bob = chain.register_residents(2)
    nullifier = new_hash("reg/nullifier/person")
    assert in_block(chain, chain.sign(chain.verifier, [
        AttestIdentity(resident=alice.address, nullifier=nullifier)])).ok
    raw = chain.sign(chain.verifier, [AttestIdentity(resident=bob.address, nullifier=nullifier)])
    refused(chain, raw, NullifierUsed.code, "already has a verified account")
    assert in_block(chain, raw).code == NullifierUsed.code
    assert chain.account(alice.address)["verified"] is True  # type: ignore[index]
    bob_acct = chain.account(bob.address)
    assert bob_acct is not None and bob_acct["verified"] is False
    assert chain.app.query("accounts/nullifier", {"nullifier": nullifier})["resident"] == alice.address
    # The failed attestation still consumed the verifier's sequence (it was included).
    assert chain.sequence(chain.verifier) == 2
    # Bob can still be verified with his own nullifier.
    assert in_block(chain, chain.sign(chain.verifier, [AttestIdentity(
        resident=bob.address, nullifier=new_hash("reg/nullifier/bob"))])).ok
    # And not twice.
    again = chain.sign(chain.verifier, [AttestIdentity(
        resident=bob.address, nullifier=new_hash("reg/nullifier/bob2"))])
    refused(chain, again, AlreadyVerified.code, "already verified")


def test_a_second_account_with_the_same_phone_is_refused() -> None:
    """Two people (two ID nullifiers) on one phone: the second attestation fails whole, so
    its ID nullifier stays free for an attestation with a phone of its own."""
    chain = make_chain(label="reg/phone")
    alice, bob = chain.register_residents(2)
    phone, bob_id = new_hash("reg/phone/shared"), new_hash("reg/phone/bob")
    assert in_block(chain, chain.sign(chain.verifier, [AttestIdentity(
        resident=alice.address, nullifier=new_hash("reg/phone/alice"),
        phone_nullifier=phone)])).ok
    raw = chain.sign(chain.verifier, [AttestIdentity(resident=bob.address, nullifier=bob_id,
                                                     phone_nullifier=phone)])
    refused(chain, raw, PhoneNullifierUsed.code, "phone already backs a verified account")
    assert in_block(chain, raw).code == PhoneNullifierUsed.code
    assert chain.account(bob.address)["verified"] is False  # type: ignore[index]
    assert chain.app.query("accounts/phone_nullifier", {"nullifier": phone})["resident"] == \
        alice.address
    with pytest.raises(NotFound):
        chain.app.query("accounts/nullifier", {"nullifier": bob_id})
    assert in_block(chain, chain.sign(chain.verifier, [AttestIdentity(
        resident=bob.address, nullifier=bob_id,
        phone_nullifier=new_hash("reg/phone/bob-own"))])).ok


def test_a_malformed_phone_nullifier_is_refused() -> None:
    chain = make_chain(label="reg/phone-bad")
    (alice,) = chain.register_residents(1)
    raw = chain.sign(chain.verifier, [AttestIdentity(resident=alice.address,
                                                     nullifier=new_hash("reg/phone-bad/n"),
                                                     phone_nullifier="AB" * 32)])
    refused(chain, raw, InvalidField.code, "phone_nullifier")


def test_duplicate_nullifier_in_the_same_block() -> None:
    chain = make_chain(label="reg/nullifier-block")
    alice, bob = chain.register_residents(2)
    n = new_hash("reg/nullifier-block/person")
    v = chain.verifier
    txs = [v.sign_tx(chain_id=chain.chain_id, sequence=0, messages=[
               AttestIdentity(resident=alice.address, nullifier=n)]),
           v.sign_tx(chain_id=chain.chain_id, sequence=1, messages=[
               AttestIdentity(resident=bob.address, nullifier=n)])]
    assert [r.code for r in chain.block(txs).tx_results] == [0, NullifierUsed.code]
    assert chain.account(bob.address)["verified"] is False  # type: ignore[index]


@pytest.mark.parametrize("who", ["operator", "resident", "business"])
def test_attest_by_a_non_verifier_is_refused(who: str) -> None:
    chain = make_chain(label=f"reg/attest/{who}")
    alice, eve = chain.register_residents(2)
    signer = {"operator": chain.operator, "resident": eve}.get(who)
    if signer is None:
        signer = wallet("reg/attest/firm")
        assert in_block(chain, chain.sign(chain.operator, [business_msg(signer)])).ok
    raw = chain.sign(signer, [AttestIdentity(resident=alice.address,
                                             nullifier=new_hash("reg/attest/n"))])
    refused(chain, raw, NotVerifier.code, "not a registered identity verifier")
    assert in_block(chain, raw).code == NotVerifier.code
    assert chain.account(alice.address)["verified"] is False  # type: ignore[index]


def test_attest_a_non_resident_is_refused() -> None:
    chain = make_chain(label="reg/attest-op")
    raw = chain.sign(chain.verifier, [AttestIdentity(resident=chain.operator.address,
                                                     nullifier=new_hash("x"))])
    refused(chain, raw, NotResident.code, "not a resident")


# --- invitation quota -------------------------------------------------------------------------


def invites(chain: Chain, w, n: int, label: str) -> bytes:  # type: ignore[no-untyped-def]
    return chain.sign(w, [CreateInvites(code_hashes=tuple(
        new_hash(f"{label}/{i}") for i in range(n)))])


def test_resident_cannot_exceed_the_invite_quota_in_one_tx() -> None:
    chain = make_chain(label="reg/quota1")
    (alice,) = chain.register_residents(1)
    quota = chain.params.invites_per_resident
    raw = invites(chain, alice, quota + 1, "reg/quota1/a")
    refused(chain, raw, NoInvitesLeft.code, f"{quota} invitation code(s) left")
    assert in_block(chain, raw).code == NoInvitesLeft.code
    assert chain.app.query("accounts/invites_of", {"address": alice.address}) == []
    assert chain.account(alice.address)["invites_left"] == quota  # type: ignore[index]


def test_resident_cannot_exceed_the_invite_quota_over_several_txs() -> None:
    chain = make_chain(label="reg/quota2")
    (alice,) = chain.register_residents(1)
    quota = chain.params.invites_per_resident
    for i in range(quota):
        assert in_block(chain, invites(chain, alice, 1, f"reg/quota2/{i}")).ok
    assert chain.account(alice.address)["invites_left"] == 0  # type: ignore[index]
    raw = invites(chain, alice, 1, "reg/quota2/extra")
    refused(chain, raw, NoInvitesLeft.code, "0 invitation code(s) left")
    assert in_block(chain, raw).code == NoInvitesLeft.code
    assert len(chain.app.query("accounts/invites_of", {"address": alice.address})) == quota


def test_quota_follows_the_genesis_parameter() -> None:
    chain = make_chain(label="reg/quota5", params={"invites_per_resident": 5})
    (alice,) = chain.register_residents(1)
    assert in_block(chain, invites(chain, alice, 5, "reg/quota5")).ok
    refused(chain, invites(chain, alice, 1, "reg/quota5/x"), NoInvitesLeft.code)


def test_operator_has_no_quota_and_codes_are_unique() -> None:
    chain = make_chain(label="reg/opquota")
    for i in range(3):
        assert in_block(chain, invites(chain, chain.operator, 8, f"reg/opquota/{i}")).ok
    raw = invites(chain, chain.operator, 1, "reg/opquota/0")  # same hash as an earlier code
    refused(chain, raw, InviteExists.code, "already registered")


def test_invitees_codes_work_once() -> None:
    chain = make_chain(label="reg/chain")
    (alice,) = chain.register_residents(1)
    codes = chain.create_invites(alice, 2)
    bob, carol = wallet("reg/chain/bob"), wallet("reg/chain/carol")
    assert in_block(chain, chain.register_tx(bob, codes[0])).ok
    assert chain.account(bob.address)["inviter"] == alice.address  # type: ignore[index]
    refused(chain, chain.register_tx(carol, codes[0]), InviteUsed.code)
    refused(chain, chain.register_tx(bob, codes[1], sequence=1), AccountExists.code)


# --- businesses -------------------------------------------------------------------------------


def business_msg(firm) -> RegisterBusiness:  # type: ignore[no-untyped-def]
    return RegisterBusiness(business=firm.address, public_key=b64encode(firm.public_key),
                            encryption_key=b64encode(firm.encryption_public_key), name="Firm")


def test_operator_registers_a_business() -> None:
    chain = make_chain(label="reg/biz")
    firm = wallet("reg/biz/firm")
    result = in_block(chain, chain.sign(chain.operator, [business_msg(firm)]))
    assert result.ok, result
    acct = chain.account(firm.address)
    assert acct is not None
    assert (acct["kind"], acct["name"], acct["sequence"]) == ("business", "Firm", 0)
    assert acct["public_key"] == b64encode(firm.public_key)
    refused(chain, chain.sign(chain.operator, [business_msg(firm)]), AccountExists.code)


@pytest.mark.parametrize("who", ["verifier", "resident"])
def test_non_operator_cannot_register_a_business(who: str) -> None:
    chain = make_chain(label=f"reg/biz/{who}")
    signer = chain.verifier if who == "verifier" else chain.register_residents(1)[0]
    firm = wallet("reg/biz/firm2")
    raw = chain.sign(signer, [business_msg(firm)])
    refused(chain, raw, NotOperator.code, "only the operator")
    assert in_block(chain, raw).code == NotOperator.code
    assert chain.account(firm.address) is None


def test_business_key_must_own_the_address() -> None:
    chain = make_chain(label="reg/biz-key")
    firm, other = wallet("reg/biz-key/firm"), wallet("reg/biz-key/other")
    msg = RegisterBusiness(business=firm.address, public_key=b64encode(other.public_key),
                           encryption_key=b64encode(firm.encryption_public_key), name="Firm")
    refused(chain, chain.sign(chain.operator, [msg]), 106, "public_key")


# --- a property over mixed refusals -----------------------------------------------------------

REFUSALS = ["used", "unknown", "malformed", "nullifier", "not_verifier", "quota", "not_operator",
            "bad_key"]


@pytest.fixture(scope="module")
def populated() -> tuple[Chain, dict]:
    chain = make_chain(label="reg/populated")
    alice, bob = chain.register_residents(2)
    (spent,) = chain.create_invites(chain.operator, 1)
    assert in_block(chain, chain.register_tx(wallet("reg/populated/c"), spent)).ok
    n = new_hash("reg/populated/n")
    assert in_block(chain, chain.sign(chain.verifier, [
        AttestIdentity(resident=alice.address, nullifier=n)])).ok
    for i in range(chain.params.invites_per_resident):
        assert in_block(chain, invites(chain, bob, 1, f"reg/populated/{i}")).ok
    return chain, {"alice": alice, "bob": bob, "spent": spent, "nullifier": n}


@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(REFUSALS), n=st.integers(0, 10**6), lower=st.booleans())
def test_every_registration_refusal_leaves_state_unchanged(
        populated: tuple[Chain, dict], kind: str, n: int, lower: bool) -> None:
    chain, ctx = populated
    newcomer = wallet(f"reg/populated/new/{n}")
    spell = str.lower if lower else str
    if kind == "used":
        raw, code = chain.register_tx(newcomer, spell(ctx["spent"])), InviteUsed.code
    elif kind == "unknown":
        raw, code = chain.register_tx(newcomer, spell(new_code(f"x{n}"))), InviteUnknown.code
    elif kind == "malformed":
        raw, code = chain.register_tx(newcomer, spell(new_code(f"x{n}"))[:-1]), InvalidField.code
    elif kind == "nullifier":
        raw = chain.sign(chain.verifier, [AttestIdentity(resident=ctx["bob"].address,
                                                         nullifier=ctx["nullifier"])])
        code = NullifierUsed.code
    elif kind == "not_verifier":
        raw = chain.sign(ctx["alice"], [AttestIdentity(resident=ctx["bob"].address,
                                                       nullifier=new_hash(f"y{n}"))])
        code = NotVerifier.code
    elif kind == "quota":
        raw, code = invites(chain, ctx["bob"], 1 + n % 3, f"z{n}"), NoInvitesLeft.code
    elif kind == "not_operator":
        raw, code = chain.sign(ctx["alice"], [business_msg(newcomer)]), NotOperator.code
    else:
        enc = base64.b64encode(b"\x00" * (31 + 2 * (n % 2))).decode()
        raw = newcomer.sign_tx(chain_id=chain.chain_id, sequence=0, messages=[
            RegisterResident(invite_code=ctx["spent"], encryption_key=enc)])
        code = InvalidField.code
    refused(chain, raw, code)
    # A refusal in check_tx does not poison the mempool view: a valid tx still passes.
    ok, _tx = chain.app.check_tx(invites(chain, chain.operator, 1, f"reg/populated/ok/{n}/{kind}"))
    assert ok.ok, ok
    # Reset the mempool view (as a commit would) so the next example starts clean.
    chain.block([])


def test_compute_invite_hash_ignores_spelling() -> None:
    code = new_code("reg/hash")
    h = compute_invite_hash(code)
    assert compute_invite_hash(code.lower()) == h
    assert compute_invite_hash(code.replace("-", " ")) == h
    assert compute_invite_hash(new_code("reg/hash2")) != h
