"""Run a node: the engine from the home folder plus the HTTP API, until interrupted.

Engine "embedded" (the default): this process sequences blocks itself. Engine "cometbft":
this process is the application of a CometBFT validator: it serves ABCI on config
`abci_address` and the same API, and CometBFT runs beside it (`cometbft start --home
HOME/cometbft`, or `planet node --engine cometbft --with-cometbft` to start it as a child,
restarted whenever it dies: planet.node.child).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import Any

import uvicorn

from planet.api.app import create_app
from planet.api.limits import HttpLimits
from planet.engines.base import Node
from planet.engines.binary import find_cometbft
from planet.engines.cometbft import CometNode
from planet.engines.embedded import EmbeddedNode
from planet.identity.config import IdentityConfig
from planet.identity.providers import CodeSender, IdentityAuthority
from planet.identity.service import IdentityService
from planet.node.child import Supervised
from planet.node.gc_tuning import tune_gc
from planet.node.home import Home
from planet.node.http import bounded_protocol
from planet.node.webhooks import open_webhooks
from planet.storage.blobs import open_blob_store
from planet.storage.sqlite import BlockRecord, TxRecord
from planet.vault.service import VaultService

log = logging.getLogger("planet.node")


ENGINES = ("embedded", "cometbft")


def open_node(home: Home, engine: str | None = None) -> EmbeddedNode | CometNode:
    config = home.load_config()
    engine = engine or config.engine
    if engine == "cometbft":
        return CometNode(home.db_file, home.load_genesis(), config.comet_config())
    if engine != "embedded":
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    return EmbeddedNode(home.db_file, home.load_genesis(), config.engine_config())


def start_cometbft(home: Home) -> subprocess.Popen[bytes]:
    """CometBFT as a child process on HOME/cometbft, its log in HOME/cometbft/cometbft.log."""
    binary = find_cometbft()
    if binary is None:
        raise FileNotFoundError("no cometbft binary: run scripts/install-cometbft or set "
                                "PLANET_COMETBFT")
    comet_home = home.cometbft_dir()
    if not (comet_home / "config" / "config.toml").exists():
        raise FileNotFoundError(f"{comet_home} holds no CometBFT config: run `cometbft init "
                                f"--home {comet_home}` and set proxy_app to abci_address")
    with open(comet_home / "cometbft.log", "ab") as logfile:  # the child keeps its own copy
        return subprocess.Popen([binary, "start", "--home", str(comet_home)],
                                stdout=logfile, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def configure_indexer(home: Home) -> bool:
    """With config.json's psql_url, create CometBFT's psql indexer tables in that database
    (if absent) and point HOME/cometbft's config.toml at it. Whether it did anything."""
    url = home.load_config().psql_url
    if not url:
        return False
    from planet.engines import psql_index  # psycopg only when the indexer is on

    psql_index.enable(home.cometbft_dir(), url)
    return True


def start_drill_operator(home: Home, url: str, stop: threading.Event,
                         every_s: float = 5.0) -> threading.Thread | None:
    """If this node holds the operator's key, keep Lucky Drill rounds committed ahead and
    reveal each round once sealed: the operator's side of commit-reveal, automated."""
    from planet.sdk.client import NodeError, PlanetClient
    from planet.sdk.drill import SecretStore, commit_rounds, reveal_due
    from planet.sdk.keys import load_keystore

    path = home.keys_dir / "operator.json"
    if not path.exists():
        return None
    try:
        operator = load_keystore(path, os.environ.get("PLANET_PASSWORD"))
    except Exception:
        log.warning("drill operator off: cannot open %s (set PLANET_PASSWORD)", path)
        return None
    store = SecretStore(home.drill_secrets_dir)

    def loop() -> None:
        api = PlanetClient(url)
        try:
            while not stop.wait(every_s):
                try:
                    commit_rounds(api, operator, store)
                    reveal_due(api, operator, store)
                except NodeError as err:
                    if err.status != 0:  # 0: the API is not listening (starting, stopping)
                        log.warning("drill operator step refused: %s", err.message)
                except Exception:
                    log.exception("drill operator step failed")
        finally:
            api.close()

    thread = threading.Thread(target=loop, name="drill-operator", daemon=True)
    thread.start()
    return thread


def identity_providers(identity: IdentityConfig) -> tuple[IdentityAuthority, CodeSender]:
    """The identity authority and code sender `identity` names (keys from the environment);
    a bad URL or a missing key raises ValueError."""
    return identity.authority(os.environ), identity.sender(os.environ)


def open_identity(home: Home, node: Node,
                  providers: tuple[IdentityAuthority, CodeSender] | None = None
                  ) -> IdentityService | None:
    """The browser's identity check, when this node holds the verifier's key and the
    deployment's nullifier key (HOME/keys/verifier.json, HOME/secrets/nullifier.key), with
    the identity authority and code sender given (else config.json's)."""
    from planet.sdk.keys import load_keystore

    path = home.keys_dir / "verifier.json"
    if not path.exists() or not home.nullifier_key_file.exists():
        return None
    authority, sender = providers or identity_providers(
        IdentityConfig.from_config(home.load_config().identity))
    for provider, what in ((authority, "identity authority"), (sender, "code sender")):
        if not provider.production:
            log.warning("%s: %s", what, provider.describe())
    try:
        verifier = load_keystore(path, os.environ.get("PLANET_PASSWORD"))
        nullifier_key = home.nullifier_key()
    except Exception:
        log.warning("identity service off: cannot open %s (set PLANET_PASSWORD)", path)
        return None
    return IdentityService(node, verifier, nullifier_key, node.genesis.chain_id,
                           params=node.genesis.params, authority=authority, sender=sender)


def open_vault(home: Home, node: Node) -> VaultService:
    """The blob store under the ledger's rules; erased records' ciphertext is deleted as
    their erasure commits, and any deletion a crash cut short is finished here."""
    store = open_blob_store(home.load_config().blob_store, home.blobs_dir)
    vault = VaultService(node, store, node.genesis.chain_id)
    swept = vault.sweep()
    if swept:
        log.info("deleted the ciphertext of %d erased record(s)", swept)

    def on_block(_block: BlockRecord, records: list[TxRecord]) -> None:
        vault.on_events(e for r in records if r.code == 0 for e in r.result.get("events", []))

    node.add_listener(on_block)
    return vault


def stop_process(err: BaseException) -> None:
    """The node's stored state was altered: stop the way Ctrl-C does (the API's lifespan
    stops CometBFT and closes the stores), rather than serve or sign on it."""
    log.critical("stopping: %s", err)
    os.kill(os.getpid(), signal.SIGTERM)


def run_node(home: Home, host: str | None = None, port: int | None = None,
             on_ready: Callable[[Any, str], None] | None = None, *,
             engine: str | None = None, with_cometbft: bool = False,
             identity_authority: str | None = None, sms_gateway: str | None = None) -> None:
    """`engine` overrides config.json's; `with_cometbft` also runs CometBFT as a child;
    `identity_authority` and `sms_gateway` override config.json's identity URLs."""
    config = home.load_config()
    limits = HttpLimits.from_config(config.http_limits)  # a bad limit stops here
    providers = identity_providers(IdentityConfig.from_config(  # so does a bad identity URL
        config.identity, authority_url=identity_authority, sms_url=sms_gateway))
    node = open_node(home, engine)
    node.on_fatal = stop_process
    tune_gc()
    if with_cometbft and isinstance(node, CometNode):
        configure_indexer(home)  # before anything starts: a bad URL stops here
    vault = open_vault(home, node)
    webhooks = open_webhooks(home, node)
    node.start()  # cometbft: the ABCI server listens before CometBFT can connect
    child = (Supervised("cometbft", lambda: start_cometbft(home),
                        str(home.cometbft_dir() / "cometbft.log"))
             if with_cometbft and isinstance(node, CometNode) else None)
    host = host or config.api_host
    port = port or config.api_port
    url = f"http://{host}:{port}"
    stop = threading.Event()

    def ready() -> None:
        if config.drill_operator:
            start_drill_operator(home, url, stop)
        if on_ready is not None:
            on_ready(node, url)

    shut: list[bool] = []

    def shut_down() -> None:
        """Once: stop the drill agent and CometBFT, close the stores. Run by the app's
        lifespan at shutdown, since on SIGTERM or SIGINT uvicorn re-raises the signal when
        it is done serving and the process dies before a `finally` here would run (which
        left a supervised CometBFT running, orphaned); and by the `finally` on any error."""
        if shut:
            return
        shut.append(True)
        stop.set()
        if child is not None:
            child.stop()
        webhooks.close()
        node.close()
        vault.store.close()

    api = create_app(node, ready, vault, open_identity(home, node, providers), limits=limits,
                     on_shutdown=shut_down, webhooks=webhooks)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the drill agent's requests
    try:
        # Never an access log: request lines could carry addresses next to timings, and
        # the identity endpoint must leave no trace. uvloop + httptools for throughput,
        # with bounded request heads (planet.node.http). Open /v1/events streams never
        # finish by themselves: give them 2 s at shutdown.
        uvicorn.run(api, host=host, port=port, log_level="warning", access_log=False,
                    loop="uvloop", http=bounded_protocol(limits), timeout_graceful_shutdown=2)
    finally:
        shut_down()
