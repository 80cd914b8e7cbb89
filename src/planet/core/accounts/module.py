"""The accounts module as the transition sees it: messages, genesis, queries."""

from __future__ import annotations

from planet.core.accounts import queries, rules
from planet.core.accounts.messages import (
    AddVerifier,
    AttestIdentity,
    CreateInvites,
    RegisterBusiness,
    RegisterResident,
)
from planet.core.accounts.state import BUSINESS, OPERATOR, VERIFIER, Account
from planet.core.encoding import b64encode
from planet.core.genesis import Genesis, GenesisKey
from planet.core.messages import Module
from planet.core.state import Layer


def init_genesis(state: Layer, genesis: Genesis) -> None:
    """Create the operator, the identity verifiers and any pre-approved businesses."""

    def make(key: GenesisKey, kind: str) -> Account:
        return Account(address=key.address, kind=kind, public_key=b64encode(key.public_key),
                       encryption_key=b64encode(key.encryption_key), sequence=0,
                       created_height=0, created_at=genesis.genesis_time, name=key.name)

    rules.create_account(state, make(genesis.operator, OPERATOR))
    for key in genesis.identity_verifiers:
        rules.create_account(state, make(key, VERIFIER))
    for key in genesis.businesses:
        rules.create_account(state, make(key, BUSINESS))


MODULE = Module(
    name="accounts",
    messages=(
        (RegisterResident, rules.process_register_resident),
        (CreateInvites, rules.process_create_invites),
        (AttestIdentity, rules.process_attest_identity),
        (RegisterBusiness, rules.process_register_business),
        (AddVerifier, rules.process_add_verifier),
    ),
    init_genesis=init_genesis,
    queries={
        "account": queries.query_account,
        "accounts": queries.query_accounts,
        "sequence": queries.query_sequence,
        "invite": queries.query_invite,
        "invites_of": queries.query_invites_of,
        "nullifier": queries.query_nullifier,
        "phone_nullifier": queries.query_phone_nullifier,
    },
)
