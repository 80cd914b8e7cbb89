"""The `planet` command as a person uses it, against a real node process."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import pytest
from stdnum.cn import ric

from tests.integration.nodeproc import PLANET, NodeProcess, planet, sent_code

pytestmark = pytest.mark.slow

NAME = "张三丰"
ID_BODY = "11010519491231002"
ID_NUMBER = ID_BODY + ric.calc_check_digit(ID_BODY + "0")  # the function expects a check slot
PHONE = "13812345678"
OTHER_PHONE = "13812345679"
OTHER_ID = "44030819990101001" + ric.calc_check_digit("44030819990101001" + "0")


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    home = tmp_path_factory.mktemp("cli") / "home"
    planet("init", "--home", str(home), "--chain-id", "planet-cli")
    n = NodeProcess(home).start()
    yield n
    n.stop()


def env(node: NodeProcess) -> dict[str, str]:
    return {"PLANET_HOME": str(node.home), "PLANET_NODE": node.url}


def run(node: NodeProcess, *args: str, check: bool = True) -> dict | list:
    out = planet(*args, "--json", check=False, env=env(node))
    if check:
        assert out.returncode == 0, out.stderr + out.stdout
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_full_registration_flow(node: NodeProcess) -> None:
    codes = run(node, "invites", "create", "--key", "operator", "--count", "2")["codes"]
    alice = run(node, "keys", "create", "alice")
    assert len(alice["mnemonic"].split()) == 24
    reg = run(node, "register", "--key", "alice", "--invite", codes[0])
    assert reg["address"] == alice["address"] and len(reg["your_invites"]) == 3
    account = run(node, "query", "account", alice["address"])
    assert account["kind"] == "resident" and account["invites_left"] == 0
    # Identity: the command sends a code to the phone and asks for it; the development
    # sender wrote it to the node's log, where this "phone" reads it.
    after = node.log.stat().st_size
    proc = subprocess.Popen([*PLANET, "identity", "verify", "--key", "alice", "--name", NAME,
                             "--id-number", ID_NUMBER, "--phone", PHONE, "--json"],
                            env={**os.environ, **env(node)}, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(sent_code(node.log, PHONE, after) + "\n", timeout=120)
    assert proc.returncode == 0, err + out
    assert "code was sent to the phone ending 5678" in err
    verified = json.loads(out)
    assert verified["verified"] is True and verified["resident"] == alice["address"]
    assert run(node, "query", "account", alice["address"])["verified"] is True
    run(node, "keys", "create", "shop")
    biz = run(node, "business", "register", "--key", "operator", "--business-key", "shop",
              "--name", "Shop")
    assert run(node, "query", "account", biz["business"])["kind"] == "business"
    status = run(node, "status")
    assert status["chain_id"] == "planet-cli" and status["height"] >= 3
    block = run(node, "query", "block", str(reg["height"]))
    assert any(t["hash"] == reg["tx"] for t in block["txs"])
    assert run(node, "query", "tx", reg["tx"])["code"] == 0
    assert run(node, "query", "invite", codes[0])["used_by"] == alice["address"]


def test_refusals_have_clear_messages_and_exit_codes(node: NodeProcess) -> None:
    codes = run(node, "invites", "create", "--key", "operator", "--count", "1")["codes"]
    run(node, "keys", "create", "bob")
    run(node, "keys", "create", "carol")
    run(node, "register", "--key", "bob", "--invite", codes[0])
    used = planet("register", "--key", "carol", "--invite", codes[0], "--json", check=False,
                  env=env(node))
    assert used.returncode == 1
    assert "already used" in json.loads(used.stdout)["message"]
    malformed = planet("register", "--key", "carol", "--invite", "not-a-code", check=False,
                       env=env(node))
    assert malformed.returncode == 2 and "invite_code" in malformed.stderr
    unknown_key = planet("register", "--key", "nobody", "--invite", codes[0], check=False,
                         env=env(node))
    assert unknown_key.returncode == 2 and "no key named 'nobody'" in unknown_key.stderr
    down = planet("status", "--node", "http://127.0.0.1:9", check=False)
    assert down.returncode == 3 and "cannot reach" in down.stderr
    bad_id = planet("identity", "verify", "--key", "bob", "--name", NAME,
                    "--id-number", ID_BODY + "0" if ID_NUMBER[-1] != "0" else ID_BODY + "1",
                    "--phone", OTHER_PHONE, "--code", "000000", check=False, env=env(node))
    assert bad_id.returncode == 1 and "check digit" in bad_id.stderr
    assert ID_BODY not in bad_id.stderr and OTHER_PHONE not in bad_id.stderr
    # The two steps apart: `identity code`, then `identity verify --code`; the same phone
    # as alice's is refused by its nullifier.
    after = node.log.stat().st_size
    sent = run(node, "identity", "code", "--key", "bob", "--phone", PHONE)
    assert sent["phone_ending"] == PHONE[-4:]
    again = planet("identity", "verify", "--key", "bob", "--name", "李四",
                   "--id-number", OTHER_ID, "--phone", PHONE, "--code",
                   sent_code(node.log, PHONE, after), "--json", check=False, env=env(node))
    assert again.returncode == 1 and json.loads(again.stdout)["code"] == 309
    assert "phone already backs a verified account" in json.loads(again.stdout)["message"]


def test_keys_export_import_round_trip(node: NodeProcess) -> None:
    made = run(node, "keys", "create", "dave")
    restored = run(node, "keys", "import", "dave2", "--mnemonic", made["mnemonic"])
    assert restored["address"] == made["address"]
    exported = planet("keys", "export", "dave", env=env(node))
    assert json.loads(exported.stdout)["address"] == made["address"]


def test_no_personal_data_on_disk_and_verify_passes(node: NodeProcess) -> None:
    """After identity checks, nothing the node or CLI wrote contains name, ID or phone."""
    needles = [s.encode() for s in (NAME, ID_NUMBER, ID_BODY, PHONE, OTHER_PHONE, OTHER_ID,
                                    "+86" + PHONE, "138 1234 5678")]
    for path in node.home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} found in {path}"
    out = planet("verify", "--home", str(node.home), "--json", check=False)
    report = json.loads(out.stdout)
    assert out.returncode == 0 and report["ok"] and report["blocks"] >= 3


def test_operator_disables_a_task(node: NodeProcess) -> None:
    listed = run(node, "tasks")
    assert any(t["id"] == "daily_checkin" and t["enabled"] for t in listed)
    run(node, "tasks", "disable", "daily_checkin", "--key", "operator")
    listed = run(node, "tasks")
    assert any(t["id"] == "daily_checkin" and not t["enabled"] for t in listed)
    refused = planet("tasks", "enable", "daily_checkin", "--key", "verifier", "--json",
                     check=False, env=env(node))
    assert refused.returncode == 1 and "operator" in json.loads(refused.stdout)["message"]
    run(node, "tasks", "enable", "daily_checkin", "--key", "operator")
    task = run(node, "tasks", "set", "quiz", "--title", "Weekly quiz", "--category", "education",
               "--force", "4", "--days", "14", "--limit", "daily:1", "--key", "operator")
    assert task["force"] == 4 and task["duration_days"] == 14 and task["enabled"] is True
    bad = planet("tasks", "set", "quiz", "--title", "x", "--category", "y", "--force", "1",
                 "--limit", "weekly", "--json", check=False, env=env(node))
    assert bad.returncode == 1 and "limit" in json.loads(bad.stdout)["message"]
    assert any(t["id"] == "daily_checkin" and t["enabled"] for t in run(node, "tasks"))


def test_checkin_then_collect_diamonds(node: NodeProcess) -> None:
    codes = run(node, "invites", "create", "--key", "operator", "--count", "1")["codes"]
    run(node, "keys", "create", "frank")
    run(node, "register", "--key", "frank", "--invite", codes[0], "--own-invites", "0")
    checked = run(node, "checkin", "--key", "frank")
    assert checked["force"] == 2
    again = planet("checkin", "--key", "frank", "--json", check=False, env=env(node))
    assert again.returncode == 1 and "daily limit" in json.loads(again.stdout)["message"]
    address = run(node, "keys", "show", "frank")["address"]
    view = run(node, "query", "bubbles", address)
    assert sum(b["amount_micro"] for b in view["bubbles"]) == view["pending_micro"]
    holder = run(node, "query", "holder", address)
    assert 0 < holder["dormant_in_ms"] <= 48 * 3_600_000
    collected = run(node, "collect", "--key", "frank")
    assert collected["collected_micro"] > 0
    assert collected["balance_micro"] == collected["collected_micro"]
    supply = run(node, "supply")
    assert supply["collected_micro"] <= supply["emitted_micro"] <= supply["cap_micro"]
    assert supply["cap_micro"] == 394_199_243_136_000
