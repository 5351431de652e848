"""Every command users can run is documented in the README's command table."""

from __future__ import annotations

import re
from pathlib import Path

import click

from monitor.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def command_paths(group: click.Group, prefix: str = "monitor") -> list[str]:
    paths: list[str] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += command_paths(command, f"{prefix} {name}")
        else:
            paths.append(f"{prefix} {name}")
    return paths


def test_every_command_has_a_row_in_the_readme_table() -> None:
    rows = re.findall(r"^\| `(monitor [^`]*)`", README, flags=re.MULTILINE)
    documented = {" ".join(row.split()[:3]) for row in rows} | {" ".join(row.split()[:2]) for row in rows}
    missing = [path for path in command_paths(cli) if path not in documented]
    assert not missing, f"commands without a README row: {missing}"
    assert len(command_paths(cli)) >= 15
