"""Replays: the labelled ZAO-2019 scenario (demo, tests, benchmarks).

`iter_scenario` yields `ScenarioPost`s (a post JSONL record plus the annotation a careful
human would give it); `write_scenario` writes the records as post JSONL. The same seed
and scale always give byte-identical output. Names are loaded lazily so that
`python -m monitor.replay.scenario` does not import the module twice.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitor.replay.scenario import (
        SCENARIO_APPS,
        ScenarioPost,
        iter_scenario,
        write_scenario,
    )

__all__ = ["SCENARIO_APPS", "ScenarioPost", "iter_scenario", "write_scenario"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("monitor.replay.scenario"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
