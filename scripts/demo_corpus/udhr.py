"""Sentences of the Universal Declaration of Human Rights, per language variety.

Read from ../shared/data/langid/{dev,test}.tsv, rows whose ``source`` starts with
``udhr:`` only (public text from eric-muller/udhr). No other row is ever used.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

# variety -> (lang column, script column)
VARIETIES: dict[str, tuple[str, str]] = {
    "uz-Latn": ("uz", "Latn"),
    "uz-Cyrl": ("uz", "Cyrl"),
    "tg": ("tg", "Cyrl"),
    "ky": ("ky", "Cyrl"),
    "ru": ("ru", "Cyrl"),
    "ur": ("ur", "Arab"),
    "hi": ("hi", "Deva"),
    "en": ("en", "Latn"),
}

MIN_CHARS, MAX_CHARS = 40, 320


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    source: str


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def load(langid_dir: Path) -> dict[str, list[Sentence]]:
    """UDHR sentences of a usable length per variety, in a stable order."""
    wanted = {v: k for k, v in VARIETIES.items()}
    out: dict[str, list[Sentence]] = {k: [] for k in VARIETIES}
    for name in ("dev.tsv", "test.tsv"):
        for row in _rows(langid_dir / name):
            variety = wanted.get((row["lang"], row["script"]))
            text = " ".join(row["text"].split())
            usable = MIN_CHARS <= len(text) <= MAX_CHARS
            if variety and row["source"].startswith("udhr:") and usable:
                out[variety].append(Sentence(text, row["source"]))
    for variety, items in out.items():
        if len(items) < 20:
            raise SystemExit(f"too few UDHR sentences for {variety} under {langid_dir}")
        items.sort(key=lambda s: (s.source, s.text))
    return out


def script_of(variety: str) -> tuple[str, str]:
    return VARIETIES[variety]


class Picker:
    """Draws sentences per variety without repeating until every one was used."""

    def __init__(self, sentences: dict[str, list[Sentence]], rng: random.Random) -> None:
        self._all = sentences
        self._rng = rng
        self._queues: dict[str, list[Sentence]] = {}

    def one(self, variety: str) -> Sentence:
        queue = self._queues.get(variety)
        if not queue:
            queue = list(self._all[variety])
            self._rng.shuffle(queue)
            self._queues[variety] = queue
        return queue.pop()

    def text(self, variety: str, max_sentences: int = 2) -> Sentence:
        """One or (sometimes) two sentences joined, with the first one's source."""
        first = self.one(variety)
        if max_sentences > 1 and len(first.text) < 120 and self._rng.random() < 0.4:
            second = self.one(variety)
            return Sentence(f"{first.text} {second.text}", first.source)
        return first
