"""Typed settings in one table, layered defaults < file < environment < CLI.

The file is ``settings.toml`` in the workspace (``RECRUITWATCH_HOME``); every
setting can also be given as ``RECRUITWATCH_<NAME>`` in the environment.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from .errors import ConfigError

ENV_PREFIX = "RECRUITWATCH_"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, with its default and a one-line description (see SETTINGS_DOC)."""

    home: Path
    db: str = ""
    batch_size: int = 2000
    commit_seconds: float = 2.0
    telegram_api_id: int = 0
    telegram_api_hash: str = ""
    telegram_session: str = "recruitwatch"
    feed_timeout: float = 30.0
    enrich_workers: int = 0
    ingest_workers: int = 0
    ingest_parallel_mb: float = 32.0
    table_map: str = ""

    @property
    def db_url(self) -> str:
        return self.db or sqlite_url(self.home / "recruitwatch.db")

    @property
    def media_dir(self) -> Path:
        return self.home / "media"


SETTINGS_DOC: dict[str, str] = {
    "home": "workspace folder: database, media cache, codebook, models, settings.toml",
    "db": "database URL (sqlite:///PATH or postgresql+psycopg://...); default HOME/recruitwatch.db",
    "batch_size": "records committed per transaction during ingest",
    "commit_seconds": "longest time between two ingest commits",
    "telegram_api_id": "api id for the live collector (my.telegram.org)",
    "telegram_api_hash": "api hash for the live collector",
    "telegram_session": "Telethon session file name inside the workspace",
    "feed_timeout": "seconds to wait for a feed URL",
    "enrich_workers": "enrich worker processes for ingest and enrich "
    "(0: one per core; 1: in-process)",
    "ingest_workers": "parse-and-normalise (and enrich) worker processes for large inputs "
    "(0: auto, one per core, at most 4; negative: in-process)",
    "ingest_parallel_mb": "inputs at least this large (MB) are ingested by the ingest workers",
    "table_map": "CSV/JSONL column map, COLUMN=FIELD pairs separated by commas (docs/formats.md)",
}


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("recruitwatch", appauthor=False))


def _coerce(name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if kind == "Path":
            return Path(str(value)).expanduser()
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r}: cannot read {value!r} as {kind}") from exc


def _apply(settings: Settings, values: Mapping[str, Any], origin: str) -> Settings:
    known = {f.name for f in fields(Settings)}
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name not in known:
            raise ConfigError(f"{origin}: unknown setting {name!r}")
        changes[name] = _coerce(name, value)
    return replace(settings, **changes) if changes else settings


def _from_env(environ: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for f in fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        if key in environ and environ[key] != "":
            out[f.name] = environ[key]
    return out


def load_settings(
    cli: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings: defaults < HOME/settings.toml < environment < ``cli``."""
    environ = os.environ if environ is None else environ
    cli = dict(cli or {})
    env = _from_env(environ)
    home = cli.get("home") or env.get("home") or default_home()
    settings = Settings(home=Path(str(home)).expanduser())
    path = settings.home / "settings.toml"
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        data.pop("home", None)
        settings = _apply(settings, data, str(path))
    settings = _apply(settings, env, "environment")
    return _apply(settings, cli, "command line")
