"""Every CLI command and every setting is documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import click

from recruitwatch.cli import main
from recruitwatch.settings import SETTINGS_DOC, Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def command_paths(
    group: click.Group, prefix: str = "recruitwatch"
) -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        path = f"{prefix} {name}"
        out.append((path, cmd))
        if isinstance(cmd, click.Group):
            out.extend(command_paths(cmd, path))
    return out


def test_every_command_has_help_and_is_in_docs() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    paths = command_paths(main)
    assert len(paths) >= 9
    for path, cmd in paths:
        assert cmd.help, f"{path} has no --help text"
        assert f"`{path}" in text, f"{path} is not documented in docs/cli.md"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    for f in fields(Settings):
        assert f.name in SETTINGS_DOC, f"setting {f.name} has no description"
        assert f"`{f.name}`" in text and f"RECRUITWATCH_{f.name.upper()}" in text
