"""Messages of the vault: a resident adds or erases a record, a business deposits one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from planet.core.accounts.messages import check_hex32
from planet.core.address import parse_address
from planet.core.errors import InvalidField
from planet.core.force.messages import check_task_id
from planet.core.messages import BusinessMsg, Msg
from planet.core.params import Params
from planet.core.vault.state import CATEGORIES


def check_category(type_: str, category: str, field: str = "category") -> None:
    if category not in CATEGORIES:
        raise InvalidField(f"{type_}.{field}: '{category}' is not a category "
                           f"(one of {', '.join(CATEGORIES)})")


def check_record_fields(type_: str, digest: str, category: str, size: int,
                        params: Params) -> None:
    check_hex32(digest, f"{type_}.digest")
    check_category(type_, category)
    if not 0 < size <= params.vault_max_record_bytes:
        raise InvalidField(f"{type_}.size: 1 to {params.vault_max_record_bytes} bytes")


@dataclass(frozen=True, slots=True)
class AddRecord(Msg):
    """The owner commits to a record whose ciphertext they then upload to the blob store."""

    TYPE = "vault/add_record"
    digest: str
    category: str
    time: int
    size: int

    def validate(self, params: Params) -> None:
        check_record_fields(self.TYPE, self.digest, self.category, self.size, params)


@dataclass(frozen=True, slots=True)
class DepositRecord(Msg):
    """A business puts a record into a resident's vault, sealed to the resident's key.

    If `task` names a task the business attests, the deposit also earns the owner that
    task's Force, within the business's daily quota.
    """

    TYPE = "vault/deposit_record"
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"task"})
    owner: str
    digest: str
    category: str
    time: int
    size: int
    task: str = ""

    def validate(self, params: Params) -> None:
        parse_address(self.owner, field=f"{self.TYPE}.owner")
        check_record_fields(self.TYPE, self.digest, self.category, self.size, params)
        if self.task:
            check_task_id(self.TYPE, self.task)


@dataclass(frozen=True, slots=True)
class AllowDepositor(BusinessMsg):
    """The resident lets one business deposit records into their vault (deposits need it)."""

    TYPE = "vault/allow_depositor"


@dataclass(frozen=True, slots=True)
class RevokeDepositor(BusinessMsg):
    """The resident withdraws that consent; records already deposited stay theirs."""

    TYPE = "vault/revoke_depositor"


@dataclass(frozen=True, slots=True)
class EraseRecord(Msg):
    """The owner erases a record: ciphertext deleted, grants ended, tombstone kept."""

    TYPE = "vault/erase_record"
    digest: str

    def validate(self, params: Params) -> None:
        check_hex32(self.digest, f"{self.TYPE}.digest")
