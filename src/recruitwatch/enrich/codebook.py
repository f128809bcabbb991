"""The classification codebook: labels, definitions, reporting markers, indicator rules.

The default codebook ships as data (``data/classify/codebook.toml``); a user's
``HOME/codebook.toml`` overrides or extends it: a label, marker language or rule
with the same key replaces the default one, new keys are added. No code changes.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..errors import ConfigError

GENRES = "genres"
THEMES = "themes"
TIERS = "tiers"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    evidence: str
    theme: str | None = None
    entity_kinds: tuple[str, ...] = ()
    entity_prefix: str = ""
    links_to_group: bool = False
    patterns: tuple[str, ...] = ()
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Codebook:
    version: str
    genres: dict[str, dict[str, Any]]
    themes: dict[str, dict[str, Any]]
    tiers: dict[str, dict[str, Any]]
    attribution: dict[str, tuple[str, ...]]
    analytic: dict[str, tuple[str, ...]]
    rules: tuple[Rule, ...]
    propaganda_min_confidence: float = 0.6
    propaganda_min_support: float = 0.7
    digest: str = ""
    propaganda: frozenset[str] = frozenset()

    @property
    def propaganda_genres(self) -> frozenset[str]:
        return self.propaganda

    def check(self, kind: str, value: str) -> str:
        """The canonical label for ``value`` (a label or one of its ``aliases``) of ``kind``.

        Raises ConfigError for a value the codebook does not know.
        """
        known = {"genre": self.genres, "theme": self.themes, "tier": self.tiers}[kind]
        if value in known:
            return value
        for name, spec in known.items():
            if value in spec.get("aliases", ()):
                return name
        raise ConfigError(f"unknown {kind} {value!r}; the codebook knows {sorted(known)}")


def default_path() -> Path:
    return Path(str(files("recruitwatch") / "data" / "classify" / "codebook.toml"))


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the codebook: {exc}") from exc


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if key == "rules":
            ids = {r["id"] for r in value}
            out["rules"] = [r for r in base.get("rules", []) if r["id"] not in ids] + value
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = _merge(base[key], value)
        else:
            out[key] = value
    return out


def _terms(table: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {lang: tuple(str(t) for t in terms) for lang, terms in table.items()}


def _rule(raw: dict[str, Any]) -> Rule:
    try:
        return Rule(
            id=str(raw["id"]),
            evidence=str(raw.get("evidence", "")),
            theme=raw.get("theme"),
            entity_kinds=tuple(raw.get("entity_kinds", ())),
            entity_prefix=str(raw.get("entity_prefix", "")),
            links_to_group=bool(raw.get("links_to_group", False)),
            patterns=tuple(raw.get("patterns", ())),
            terms=_terms(raw.get("terms", {})),
        )
    except KeyError as exc:
        raise ConfigError(f"codebook rule without {exc.args[0]!r}: {raw}") from exc


def build(data: dict[str, Any]) -> Codebook:
    reporting = data.get("reporting", {})
    book = Codebook(
        version=str(data.get("version", "1")),
        genres=dict(data.get(GENRES, {})),
        themes=dict(data.get(THEMES, {})),
        tiers=dict(data.get(TIERS, {})),
        attribution=_terms(reporting.get("attribution", {})),
        analytic=_terms(reporting.get("analytic", {})),
        rules=tuple(_rule(r) for r in data.get("rules", [])),
        propaganda_min_confidence=float(data.get("propaganda_min_confidence", 0.6)),
        propaganda_min_support=float(data.get("propaganda_min_support", 0.7)),
        propaganda=frozenset(
            g for g, spec in data.get(GENRES, {}).items() if spec.get("propaganda")
        ),
        digest=hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12],
    )
    for rule in book.rules:
        if rule.theme is not None:
            book.check("theme", rule.theme)
    return book


def load(home: Path | None = None) -> Codebook:
    """The default codebook, overridden/extended by ``home/codebook.toml`` if present."""
    data = _read(default_path())
    user = home / "codebook.toml" if home is not None else None
    if user is not None and user.is_file():
        data = _merge(data, _read(user))
    return build(data)
