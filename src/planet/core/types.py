"""Units are types: integers with names, so a Force is never added to a µBD by accident."""

from typing import NewType

Micro = NewType("Micro", int)
"""An amount of Black Diamond in micro-diamonds (1 BD = 1,000,000 µBD)."""

Force = NewType("Force", int)
"""Original Force, an integer activity score."""

Height = NewType("Height", int)
"""A block height; genesis state is height 0, the first block is height 1."""

Millis = NewType("Millis", int)
"""A block time: milliseconds since the Unix epoch, UTC. Never read from a wall clock."""

Address = NewType("Address", str)
"""A bech32m account address, e.g. ``planet1…``."""

MICRO_PER_BD = 1_000_000
MILLIS_PER_SECOND = 1_000
MILLIS_PER_DAY = 86_400_000
