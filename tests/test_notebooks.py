"""The notebooks: stored without outputs, and executed against a fresh demo database."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from analyst_data import REPO
from nbclient import NotebookClient

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CHARTS = {"zao_2019.ipynb": 4, "watchlist_overview.ipynb": 2}
PUBLIC = {"monitor.analysis", "monitor.charts", "monitor.replay.scenario"}


def test_both_notebooks_exist() -> None:
    assert {path.name for path in NOTEBOOKS} == set(CHARTS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs_and_using_only_the_public_api(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, "strip outputs before committing"
    source = "\n".join(cell.source for cell in code)
    imported = set(re.findall(r"from (monitor[\w.]*) import", source))
    imported |= set(re.findall(r"^import (monitor[\w.]*)", source, re.M))
    modules = {f"monitor.{name.strip()}" for name in re.findall(r"from monitor import ([\w, ]+)", source)[0].split(",")}
    assert (imported - {"monitor"}) | modules <= PUBLIC


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_on_a_fresh_demo_database(
    path: Path, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_DEMO_DB", str(demo_db))
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on any failing cell (notebooks end in asserts)
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    images = [output for output in outputs if "image/png" in output.get("data", {})]
    assert len(images) == CHARTS[path.name]
    streams = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    assert "missing from font" not in streams  # matplotlib's warning for a glyph it cannot draw
    assert not [output for output in outputs if output.output_type == "error"]
