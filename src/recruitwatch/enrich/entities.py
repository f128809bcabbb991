"""Entity mentions: the ``entities`` enricher (gazetteer mentions, Telegram handles, persons).

Places, organisations and media outlets come from the gazetteer (gazetteer.py: the
data and its layers) through the matcher (entity_match.py), which meets text and
names on cross-script keys (entity_keys.py): ``Ташкенте``, ``Toshkentda``,
``Тошкентдаги`` and ``Tashkent's`` all find ``Tashkent``. Telegram handles are
``@handle`` and ``t.me/handle`` as written. Russian person names come from natasha
when the optional extra ``ner`` is installed. docs/gazetteer.md is the guide.

The matcher is built once per process and gazetteer (``load_matcher``); its key
table is cached in the workspace (``HOME/cache/entities-*.json.gz``), keyed by the
gazetteer files, the keying code and the transliteration.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..settings import Settings
from . import entity_keys, entity_match
from .base import Enricher, Item
from .entity_keys import PROFILES
from .entity_match import Matcher, Mention, Table
from .gazetteer import Gazetteer, load_gazetteer

__all__ = ["EntitiesEnricher", "Matcher", "Mention", "load_matcher", "telegram_mentions"]


# --- loading, with an in-process and an on-disk cache ----------------------------------------

TABLE_VERSION = "2"
_PROBE = "Тошкент Ўзбекистон Қирғизистон Тоҷикистон Өзгөн Шымкент Ёшлар цех объект كابل هندوستان"
_LOADED: dict[str, Matcher] = {}


def _cache_key(gazetteer: Gazetteer) -> str:
    """Changes with the gazetteer files, the keying code and the transliteration."""
    from .translit import match_form

    probe = "|".join(match_form(_PROBE, p.scheme) for p in PROFILES)
    modules = (entity_keys, entity_match, sys.modules[__name__])
    code = b"".join(Path(m.__file__ or "").read_bytes() for m in modules)
    parts = (gazetteer.fingerprint, TABLE_VERSION, probe, hashlib.sha256(code).hexdigest())
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:24]


def _read_table(path: Path) -> Table | None:
    try:
        raw = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError):
        return None
    return {key: [(int(i), int(m), int(f)) for i, m, f in rows] for key, rows in raw.items()}


def _write_table(path: Path, table: Table) -> None:
    body = gzip.compress(json.dumps(table, ensure_ascii=False).encode("utf-8"), mtime=0)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(body)
        tmp.replace(path)
    except OSError:  # a read-only workspace only loses the cache
        tmp.unlink(missing_ok=True)


def load_matcher(gazetteer: Gazetteer, cache_dir: Path | None = None) -> Matcher:
    """The matcher for ``gazetteer``: built once per process, its key table cached on disk."""
    key = _cache_key(gazetteer)
    if key in _LOADED:
        return _LOADED[key]
    path = cache_dir / f"entities-{key}.json.gz" if cache_dir else None
    table = _read_table(path) if path and path.exists() else None
    matcher = Matcher(gazetteer, table)
    if path and table is None:
        _write_table(path, matcher.table)
    _LOADED.clear()
    _LOADED[key] = matcher
    return matcher


# --- Telegram handles and links --------------------------------------------------------------

HANDLE = re.compile(r"(?<![\w@/.])@([A-Za-z][A-Za-z0-9_]{4,31})(?![\w@])")
LINK = re.compile(
    r"(?<![\w.])(?:https?://)?(?:www\.)?(?:t|telegram)\.(?:me|dog)/(?:s/)?"
    r"([A-Za-z][A-Za-z0-9_]{4,31})(?![\w])",
    re.IGNORECASE,
)
RESERVED = frozenset(
    {
        "joinchat",
        "addstickers",
        "addemoji",
        "addlist",
        "share",
        "proxy",
        "socks",
        "setlanguage",
        "login",
        "confirmphone",
        "addtheme",
        "boost",
        "invoice",
    }
)


def telegram_mentions(text: str) -> list[Mention]:
    """``@handle`` and ``t.me/handle`` links as written in the text (usernames are 5-32
    letters, digits and underscores; invite and service paths are not handles)."""
    if "@" not in text and "/" not in text:
        return []
    out = []
    for pattern in (HANDLE, LINK):
        for match in pattern.finditer(text):
            handle = match.group(1)
            if handle.lower() in RESERVED:
                continue
            out.append(
                Mention(
                    f"telegram:{handle.lower()}",
                    "telegram_handle",
                    f"@{handle}",
                    match.group(),
                    match.start(),
                    match.end(),
                    None,
                )
            )
    return out


# --- persons (optional: natasha) -------------------------------------------------------------

_NATASHA: list[Any] = []


def _natasha_morphology(nat: Any, embedding: Any) -> tuple[Any, Any] | None:
    """natasha's morphology tagger and vocabulary (for normal forms of names), or None:
    its MorphVocab uses pymorphy2, which fails on Python 3.11 and later."""
    try:
        return nat.NewsMorphTagger(embedding), nat.MorphVocab()
    except (AttributeError, ValueError):
        return None


def _natasha() -> Any:
    """natasha's module, segmenter, NER tagger and morphology; None when not installed."""
    if not _NATASHA:
        import importlib

        try:
            nat = importlib.import_module("natasha")
        except ImportError:
            _NATASHA.append(None)
        else:
            embedding = nat.NewsEmbedding()
            _NATASHA.append(
                (
                    nat,
                    nat.Segmenter(),
                    nat.NewsNERTagger(embedding),
                    _natasha_morphology(nat, embedding),
                )
            )
    return _NATASHA[0]


def person_mentions(text: str) -> list[Mention]:
    """Russian person names found by natasha (the optional extra ``ner``); [] without it.

    The id is the name's normal form (``Ивана Петрова`` -> ``иван-петров``) where
    natasha's morphology works, else the name as written."""
    loaded = _natasha()
    if loaded is None or not text.strip():
        return []
    nat, segmenter, ner, morphology = loaded
    doc = nat.Doc(text)
    doc.segment(segmenter)
    if morphology is not None:
        doc.tag_morph(morphology[0])
    doc.tag_ner(ner)
    out = []
    for span in doc.spans:
        if span.type == "PER":
            if morphology is not None:
                span.normalize(morphology[1])
            name = getattr(span, "normal", None) or span.text
            ident = "-".join(name.casefold().split())
            out.append(
                Mention(
                    f"person:natasha:{ident}",
                    "person",
                    name,
                    span.text,
                    span.start,
                    span.stop,
                    None,
                )
            )
    return out


# --- the enricher ----------------------------------------------------------------------------


def _without_overlaps(first: list[Mention], second: Iterable[Mention]) -> list[Mention]:
    """``first`` plus the mentions of ``second`` that overlap none of them."""
    kept = list(first)
    for mention in second:
        if not any(m.start < mention.end and mention.start < m.end for m in first):
            kept.append(mention)
    return kept


def _lang(item: Item) -> str | None:
    result = item.results.get("language")
    if isinstance(result, Mapping):
        lang = result.get("lang")
        return str(lang) if lang and lang != "und" else None
    return None


class EntitiesEnricher(Enricher):
    """Gazetteer mentions, Telegram handles and (with natasha) Russian person names."""

    NAME = "entities"
    VERSION = "1"
    REQUIRES = ("language",)
    DESCRIPTION = (
        "places, organisations and media outlets from the gazetteer (Aho-Corasick on the "
        "cross-script matching form), Telegram handles; Russian persons with the extra 'ner'"
    )

    @classmethod
    def from_settings(cls, settings: Settings | None) -> EntitiesEnricher:
        """Reads the analyst's gazetteer folder and keeps its cache in ``settings.home``."""
        return cls(settings.home if settings is not None else None)

    def __init__(self, home: Path | None = None) -> None:
        if home is None:
            from ..settings import load_settings

            home = load_settings().home
        self.home = home
        self.gazetteer = load_gazetteer(home / "gazetteer")
        # Results depend on the gazetteer: editing it makes stored results outdated.
        self.__dict__["VERSION"] = f"{type(self).VERSION}.{self.gazetteer.fingerprint[:12]}"
        # Loaded now, so that enrich workers forked later share it (load_matcher caches it).
        self.matcher = load_matcher(self.gazetteer, home / "cache" if home.is_dir() else None)

    def mentions(self, text: str, lang: str | None) -> list[Mention]:
        handles = telegram_mentions(text)
        found = _without_overlaps(handles, self.matcher.find(text, lang))
        if lang == "ru":
            found = _without_overlaps(found, person_mentions(text))
        return sorted(found, key=lambda m: (m.start, m.end, m.id))

    def enrich(self, items: Sequence[Item]) -> list[Any]:
        return [[m.to_dict() for m in self.mentions(i.text, _lang(i))] for i in items]


_ENTITY_ID = re.compile(r"^[a-z_]+:\S+$")


def entity_ids(query: str, home: Path) -> list[str]:
    """The entity ids ``query`` names: an id itself (``region:khorasan``,
    ``telegram:some_handle``), or a name in any script (``Khorasan``, ``Хуросон``), an
    ``@handle`` or a t.me link, found as the entities step finds them in text."""
    from ..errors import InputError

    value = query.strip()
    if _ENTITY_ID.match(value) and not value.lower().startswith(("http:", "https:")):
        return [value]
    step = EntitiesEnricher(home)
    for form in dict.fromkeys([value, value.title()]):
        found = list(dict.fromkeys(m.id for m in step.mentions(form, None)))
        if found:
            return found
    raise InputError(
        query,
        "names no gazetteer entry or handle; give an entity id (kind:name, see "
        "`recruitwatch posts --format jsonl` mentions or docs/gazetteer.md)",
    )
