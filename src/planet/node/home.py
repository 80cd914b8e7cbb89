"""A node home: genesis, config, keys, database, laid out so a person can find them.

    HOME/genesis.json        the network's genesis document
    HOME/config.json         engine and API settings for this node
    HOME/keys/*.json         keystores (operator, verifier) made by `planet init`
    HOME/secrets/nullifier.key   the identity verifiers' shared nullifier key
    HOME/secrets/drill/round-N.hex   the operator's Lucky Drill secrets until revealed
    HOME/data/node.db        blocks and state (SQLite)
    HOME/data/webhooks.db    businesses' webhook endpoints and delivery queue (planet.webhooks)
    HOME/data/snapshots/     state-sync snapshots (engine "cometbft"; planet.engines.snapshots)
    HOME/cometbft/           CometBFT's own home (config.toml, genesis.json, keys, data)
                             when the engine is "cometbft" (config `cometbft_home`)
    HOME/data/blobs/         record ciphertext (the vault's blob store), unless config
                             `blob_store` names a PostgreSQL database
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planet.core.force.catalog import DEFAULT_CATALOG
from planet.core.genesis import Genesis, parse_genesis
from planet.engines.cometbft import CometConfig
from planet.engines.embedded import EngineConfig
from planet.sdk.wallet import Wallet

DEFAULT_HOME = Path(os.environ.get("PLANET_HOME", Path.home() / ".planet"))
DEFAULT_API = "http://127.0.0.1:7070"


@dataclass
class NodeConfig:
    engine: str = "embedded"
    api_host: str = "127.0.0.1"
    api_port: int = 7070
    block_interval_ms: int = 200
    empty_block_ms: int = 5_000
    max_block_txs: int = 5_000
    verify_threads: int = 2
    # Processes that decode and verify submitted txs off the node's GIL (0: verify_threads
    # threads verify, and the node decodes each tx itself); see EngineConfig.verify_processes.
    verify_processes: int = 0
    drill_operator: bool = True  # commit and reveal Lucky Drill rounds with HOME/keys/operator
    blob_store: str = "files"  # "files" (HOME/data/blobs) or a postgresql:// URL
    # engine "cometbft": this process serves ABCI to a CometBFT at cometbft_home
    abci_address: str = "tcp://127.0.0.1:26658"
    cometbft_rpc: str = "http://127.0.0.1:26657"
    cometbft_home: str = "cometbft"  # relative to the node home: HOME/cometbft
    # engine "cometbft": a PostgreSQL URL turns on CometBFT's psql event indexer (blocks,
    # tx results and events in SQL; see planet.engines.psql_index). `planet node --with-cometbft`
    # creates its tables and sets [tx_index] in HOME/cometbft's config.toml before starting
    # CometBFT; otherwise run `planet testnet psql URL --cometbft-home HOME/cometbft`.
    psql_url: str = ""
    # engine "cometbft": a state-sync snapshot every snapshot_interval blocks (0: none), the
    # newest snapshot_keep kept in HOME/data/snapshots, for nodes that join by state sync.
    snapshot_interval: int = 1000
    snapshot_keep: int = 2
    # Overrides of the HTTP server's limits (planet.api.limits.HttpLimits: header size and
    # deadline, body size, event streams in all and per client), e.g. {"sse_max_streams": 5000}.
    http_limits: dict[str, Any] = field(default_factory=dict)
    # The identity verifier's providers (planet.identity.config.IdentityConfig):
    # {"authority_url": …, "sms_url": …}; absent, checksum only and codes in the log.
    identity: dict[str, Any] = field(default_factory=dict)
    # Signed webhooks (planet.webhooks.service.WebhookConfig), e.g. {"allow_private_urls": true}.
    webhooks: dict[str, Any] = field(default_factory=dict)

    def engine_config(self) -> EngineConfig:
        return EngineConfig(block_interval_ms=self.block_interval_ms,
                            empty_block_ms=self.empty_block_ms,
                            max_block_txs=self.max_block_txs,
                            verify_threads=self.verify_threads,
                            verify_processes=self.verify_processes)

    def comet_config(self) -> CometConfig:
        return CometConfig(abci_address=self.abci_address, rpc_url=self.cometbft_rpc,
                           snapshot_interval=self.snapshot_interval,
                           snapshot_keep=self.snapshot_keep,
                           index_events=bool(self.psql_url))

    @property
    def api_url(self) -> str:
        """Where a client on this machine reaches the API (a wildcard host is loopback)."""
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.api_host,
                                                                          self.api_host)
        return f"http://{f'[{host}]' if ':' in host else host}:{self.api_port}"


@dataclass(frozen=True)
class Home:
    path: Path

    @property
    def genesis_file(self) -> Path:
        return self.path / "genesis.json"

    @property
    def config_file(self) -> Path:
        return self.path / "config.json"

    @property
    def keys_dir(self) -> Path:
        return self.path / "keys"

    @property
    def nullifier_key_file(self) -> Path:
        return self.path / "secrets" / "nullifier.key"

    @property
    def drill_secrets_dir(self) -> Path:
        return self.path / "secrets" / "drill"

    @property
    def db_file(self) -> Path:
        return self.path / "data" / "node.db"

    @property
    def blobs_dir(self) -> Path:
        return self.path / "data" / "blobs"

    def cometbft_dir(self, config: NodeConfig | None = None) -> Path:
        return self.path / (config or self.load_config()).cometbft_home

    def exists(self) -> bool:
        return self.genesis_file.exists()

    def load_genesis(self) -> Genesis:
        return parse_genesis(json.loads(self.genesis_file.read_text()))

    def load_config(self) -> NodeConfig:
        if not self.config_file.exists():
            return NodeConfig()
        data = json.loads(self.config_file.read_text())
        return NodeConfig(**{k: v for k, v in data.items() if k in NodeConfig.__dataclass_fields__})

    def save_config(self, config: NodeConfig) -> None:
        self.config_file.write_text(json.dumps(asdict(config), indent=2) + "\n")

    def nullifier_key(self) -> bytes:
        return bytes.fromhex(self.nullifier_key_file.read_text().strip())


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def make_genesis_document(chain_id: str, operator: Wallet, verifiers: list[Wallet],
                          genesis_time: str | None = None, preset: str = "production",
                          timezone: str = "+08:00") -> dict[str, Any]:
    now = genesis_time or datetime.now(UTC).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")
    return {
        "chain_id": chain_id,
        "genesis_time": now,
        "preset": preset,
        "timezone": timezone,
        "operator": operator.genesis_key("Operator"),
        "identity_verifiers": [v.genesis_key(f"Identity verifier {i + 1}")
                               for i, v in enumerate(verifiers)],
        "businesses": [],
        "tasks": list(DEFAULT_CATALOG),
    }


def init_home(path: Path, chain_id: str = "planet-local-1", *, password: str | None = None,
              preset: str = "production", overwrite: bool = False,
              operator: Wallet | None = None, verifier: Wallet | None = None,
              document: dict[str, Any] | None = None) -> Home:
    """Create a home with a fresh operator and verifier (both keys kept in it); the demo
    passes its own keys and genesis `document` (which must name them)."""
    from planet.sdk.keys import save_keystore

    home = Home(path)
    if home.exists() and not overwrite:
        raise FileExistsError(f"{path} already holds a node (genesis.json); use --force")
    path.mkdir(parents=True, exist_ok=True)
    operator, verifier = operator or Wallet.generate(), verifier or Wallet.generate()
    doc = document or make_genesis_document(chain_id, operator, [verifier], preset=preset)
    parse_genesis(doc)
    home.genesis_file.write_text(json.dumps(doc, indent=2) + "\n")
    home.save_config(NodeConfig())
    home.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    save_keystore(home.keys_dir / "operator.json", operator, password, "operator")
    save_keystore(home.keys_dir / "verifier.json", verifier, password, "verifier")
    _write_private(home.nullifier_key_file, os.urandom(32).hex() + "\n")
    home.db_file.parent.mkdir(parents=True, exist_ok=True)
    if overwrite:  # the webhooks' cursor and endpoints belong to the chain replaced
        for db in (home.db_file, home.db_file.with_name("webhooks.db")):
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
    return home
