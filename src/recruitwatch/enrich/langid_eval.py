"""Evaluate language identification on a labelled TSV (``recruitwatch eval langid``).

The file has a header row with at least the columns ``lang``, ``script``,
``source_code``, ``source`` and ``text`` (../shared/data/langid/dev.tsv and
test.tsv). Gold labels: ``uz`` becomes ``uz-Latn``/``uz-Cyrl`` by its script;
``fa-AF`` (Dari) counts as ``fa`` and a predicted ``fa-AF`` counts as ``fa``;
the report also shows how many Dari rows were tagged ``fa-AF``.

Each text is judged on its own (``context=False``, the default), truncated to
the first ``prefix`` code points when given. The only source metadata passed is
the declared Dari sources (``source_code`` ``prs`` -> hint ``fa-AF``), which
decides the variant and nothing that is scored. With ``context=True`` each row
also gets the prior the enricher would have: the detector's own answers on the
previous ``CONTEXT_POSTS`` rows of the same ``source`` (at least
``CONTEXT_MIN_POSTS``), never their gold labels.

``baseline=True`` scores pycld2 alone (bestEffort, first answer, ``uz`` given
the text's script) the same way, for comparison.

Rows whose column count does not match the header are skipped and listed.
``off-script`` counts the rows whose (truncated) text has no letter of the
row's ``script`` (an Urdu sentence that starts with an English byline, cut at
40 characters): no rule that reads the text can get those right, so the
report also gives the accuracy on the other rows.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pycld2

from ..errors import InputError
from .language import LanguageResult, detect_language, prior_from
from .script import dominant_script, sanitise, script_counts

COLUMNS = ("lang", "script", "source_code", "source", "text")
DECLARED = {"prs": "fa-AF"}
CONTEXT_POSTS = 20
CONTEXT_MIN_POSTS = 5


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    script: str
    source_code: str
    source: str
    text: str

    @property
    def gold(self) -> str:
        """The scored label: uz with its script, Dari as fa."""
        if self.label == "uz":
            return f"uz-{self.script}"
        return "fa" if self.label == "fa-AF" else self.label


@dataclass(slots=True)
class LangidReport:
    """Per-language rows and correct answers, confusions and variant counts."""

    path: str
    prefix: int | None
    context: bool
    baseline: bool = False
    rows: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    off_script: Counter[str] = field(default_factory=Counter)
    off_script_correct: Counter[str] = field(default_factory=Counter)
    variant_rows: Counter[str] = field(default_factory=Counter)
    variant_tagged: Counter[str] = field(default_factory=Counter)
    skipped: list[int] = field(default_factory=list)

    def accuracy(self, lang: str) -> float:
        return self.correct[lang] / self.rows[lang] if self.rows[lang] else 0.0

    def in_script_accuracy(self, lang: str) -> float:
        """Accuracy on the rows whose text has letters of the label's script."""
        rows = self.rows[lang] - self.off_script[lang]
        correct = self.correct[lang] - self.off_script_correct[lang]
        return correct / rows if rows else 0.0

    @property
    def languages(self) -> list[str]:
        return sorted(self.rows)

    @property
    def macro(self) -> float:
        langs = self.languages
        return sum(self.accuracy(lang) for lang in langs) / len(langs) if langs else 0.0

    @property
    def lowest(self) -> tuple[str, float]:
        lang = min(self.languages, key=self.accuracy)
        return lang, self.accuracy(lang)

    def add(self, row: Row, result: LanguageResult, text: str) -> None:
        predicted = scored_tag(result.tag)
        self.rows[row.gold] += 1
        off_script = not script_counts(sanitise(text)).get(row.script)
        self.off_script[row.gold] += off_script
        if predicted == row.gold:
            self.correct[row.gold] += 1
            self.off_script_correct[row.gold] += off_script
        else:
            self.confusions[(row.gold, predicted)] += 1
        if row.label != row.gold and row.label.startswith("fa"):
            self.variant_rows[row.label] += 1
            self.variant_tagged[row.label] += result.tag == row.label


def scored_tag(tag: str) -> str:
    """A predicted tag as scored: fa-AF counts as fa."""
    return "fa" if tag == "fa-AF" else tag


def _header(path: Path, header: list[str]) -> dict[str, int]:
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(str(path), f"missing columns {missing} (header: {header})")
    return {c: header.index(c) for c in COLUMNS}


def read_rows(path: Path, skipped: list[int] | None = None) -> Iterator[Row]:
    """The rows of a langid TSV; malformed line numbers go to ``skipped``."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(str(path), f"cannot open: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            raise InputError(str(path), "empty file (expected a header row)")
        index = _header(path, header)
        for line, fields in enumerate(reader, start=2):
            if len(fields) != len(header):
                if skipped is not None:
                    skipped.append(line)
                continue
            yield Row(*(fields[index[c]] for c in COLUMNS))


def _truncate(text: str, prefix: int | None) -> str:
    return text[:prefix] if prefix else text


def pycld2_alone(text: str) -> LanguageResult:
    """The baseline: pycld2's first answer (bestEffort); uz gets the text's main script."""
    clean = sanitise(text)
    _, _, details = pycld2.detect(clean, isPlainText=True, bestEffort=True)
    code = details[0][1]
    script = dominant_script(script_counts(clean))[0]
    if code == "un":
        return LanguageResult("und", "und", script, 0.0)
    tag = f"uz-{script}" if code == "uz" else code
    return LanguageResult(tag, code, script, details[0][2] / 100.0)


def evaluate(
    path: Path, prefix: int | None = None, *, context: bool = False, baseline: bool = False
) -> LangidReport:
    """Run ``detect_language`` (or with ``baseline`` pycld2 alone) over ``path`` and score it."""
    if baseline:
        return _evaluate_baseline(path, prefix)
    report = LangidReport(str(path), prefix, context)
    history: dict[str, deque[LanguageResult]] = defaultdict(lambda: deque(maxlen=CONTEXT_POSTS))
    for row in read_rows(path, report.skipped):
        text, hint = _truncate(row.text, prefix), DECLARED.get(row.source_code)
        past = history[row.source]
        prior = prior_from(past) if context and len(past) >= CONTEXT_MIN_POSTS else None
        report.add(row, detect_language(text, hint=hint, prior=prior), text)
        if context:
            past.append(detect_language(text, hint=hint))
    return report


def _evaluate_baseline(path: Path, prefix: int | None) -> LangidReport:
    report = LangidReport(str(path), prefix, context=False, baseline=True)
    for row in read_rows(path, report.skipped):
        text = _truncate(row.text, prefix)
        report.add(row, pycld2_alone(text), text)
    return report


def _table(report: LangidReport) -> list[str]:
    lines = [
        f"{'language':<10} {'rows':>6} {'correct':>8} {'accuracy':>9} "
        f"{'off-script':>10} {'in-script accuracy':>18}"
    ]
    for lang in report.languages:
        acc, inner = report.accuracy(lang), report.in_script_accuracy(lang)
        lines.append(
            f"{lang:<10} {report.rows[lang]:>6} {report.correct[lang]:>8} {acc:>9.2%} "
            f"{report.off_script[lang]:>10} {inner:>18.2%}"
        )
    return lines


def _confusions(report: LangidReport, limit: int) -> list[str]:
    lines = ["confusions (gold -> predicted: rows):"]
    for (gold, predicted), n in report.confusions.most_common(limit):
        lines.append(f"  {gold} -> {predicted}: {n}")
    if len(report.confusions) > limit:
        lines.append(f"  ... {len(report.confusions) - limit} more pairs")
    return lines if report.confusions else ["confusions: none"]


def format_report(report: LangidReport, *, limit: int = 30) -> str:
    """The report as plain text: per-language table, macro, variants, confusions."""
    span = f"first {report.prefix} code points" if report.prefix else "whole texts"
    context = (
        "source context (own answers on earlier rows)" if report.context else "each text alone"
    )
    if report.baseline:
        context = "pycld2 alone (bestEffort), each text alone"
    lines = [f"langid evaluation of {report.path}: {span}, {context}", *_table(report)]
    if report.rows:
        low, low_acc = report.lowest
        lines.append(
            f"macro accuracy {report.macro:.2%} over {len(report.rows)} languages; "
            f"lowest {low} {low_acc:.2%}"
        )
    for label, n in sorted(report.variant_rows.items()):
        lines.append(
            f"{label} rows: {n} (scored as fa); tagged {label}: {report.variant_tagged[label]}"
        )
    if report.skipped:
        lines.append(f"skipped malformed lines: {report.skipped[:20]}")
    return "\n".join([*lines, *_confusions(report, limit)])
