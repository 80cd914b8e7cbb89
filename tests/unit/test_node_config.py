"""config.json's engine settings reach the embedded engine: verify processes are off by
default (on two cores they cost more CPU a tx than they take off the node's GIL) and on
when config.json asks."""

from __future__ import annotations

import json
from pathlib import Path

from planet.node.home import Home, NodeConfig, init_home


def test_verify_processes_reach_the_engine(tmp_path: Path) -> None:
    assert NodeConfig().engine_config().verify_processes == 0
    home = init_home(tmp_path / "home", "planet-config", password=None)
    config = json.loads(home.config_file.read_text())
    assert config["verify_processes"] == 0
    config.update(verify_processes=2, verify_threads=3)
    home.config_file.write_text(json.dumps(config))
    engine = Home(home.path).load_config().engine_config()
    assert (engine.verify_processes, engine.verify_threads) == (2, 3)
