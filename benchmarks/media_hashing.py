"""Media hashing speed per kind (files/s), and matching scan cost.

Generates [synthetic] files with the test makers (tests/enrich/test_fingerprint_samples.py:
Pillow pictures 640x480 JPEG, ~12 s espeak-ng speech as Opus, 10 s 320x240 test
videos with a speech track, 3-page PDFs), then times every signal type on them,
one file at a time on one core, as the enricher does. Also times the bundled demo
corpus media (every applicable type per file) and the matching scans: PDQ over
1,000,000 stored hashes, Chromaprint over 1,000 stored fingerprints.

    .venv/bin/python benchmarks/media_hashing.py [--count 12] [--skip-scan]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.enrich import test_fingerprint_samples as samples  # noqa: E402

from recruitwatch.demo import corpus_dir  # noqa: E402
from recruitwatch.enrich.fingerprint.media import (  # noqa: E402
    file_type,
    for_file_type,
    signal_types,
)


def make_files(kind: str, folder: Path, count: int) -> list[Path]:
    out = []
    for i in range(count):
        if kind == "image":
            png = samples.make_image(folder / f"i{i}.png", i, (640, 480))
            out.append(samples.recompress(png, folder / f"i{i}.jpg", 85))
        elif kind == "audio":
            wav = samples.make_speech(folder / f"a{i}.wav", i)
            out.append(samples.audio_copies(wav, folder)["opus16"])
        elif kind == "video":
            speech = samples.make_speech(folder / f"v{i}.wav", i)
            out.append(
                samples.make_video(folder / f"v{i}.mp4", "testsrc2", seconds=10, audio=speech)
            )
        else:
            out.append(samples.make_pdf(folder / f"d{i}.pdf", samples.document_lines(i, 75)))
    return out


def rate(func: Callable[[Path], object], files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        func(path)
    return len(files) / (time.perf_counter() - start)


def per_kind(count: int) -> None:
    from recruitwatch.enrich.fingerprint.text import fingerprint_form

    fingerprint_form("warm up")  # builds the punctuation table once (~0.5 s), as a run would
    print(f"{'kind':<9} {'signal type':<12} {'files/s':>8}   ({count} files each)")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("image", "audio", "video", "document"):
            folder = Path(tmp) / kind
            folder.mkdir()
            files = make_files(kind, folder, count)
            for cls in for_file_type(kind):
                if reason := cls.unavailable():
                    print(f"{kind:<9} {cls.NAME:<12} {'-':>8}   ({reason})")
                    continue
                print(f"{kind:<9} {cls.NAME:<12} {rate(cls.compute, files):8.1f}")


def compute_all(path: Path) -> None:
    for cls in for_file_type(file_type(path)):
        if not cls.unavailable():
            try:
                cls.compute(path)
            except Exception:  # e.g. a video without sound: skipped, as in the enricher
                continue


def demo_corpus() -> None:
    export = corpus_dir() / "telegram_export"
    if not export.is_dir():
        print("demo corpus: not present")
        return
    by_kind: dict[str, list[Path]] = {}
    seen: set[bytes] = set()
    for path in sorted(p for p in export.rglob("*") if p.is_file() and p.name != "result.json"):
        data = path.read_bytes()
        if data not in seen:
            seen.add(data)
            by_kind.setdefault(file_type(path), []).append(path)
    for kind, files in sorted(by_kind.items()):
        print(
            f"demo corpus {kind:<9} {len(files):3d} files  {rate(compute_all, files):7.1f} files/s"
            " (every applicable signal type)"
        )


def scans() -> None:
    rng = np.random.default_rng(1)
    pdq = signal_types()["pdq"]
    values = [bytes(row).hex() for row in rng.integers(0, 256, (1_000_000, 32), dtype=np.uint8)]
    start = time.perf_counter()
    index = pdq.index(values)
    built = time.perf_counter() - start
    queries = values[:16]  # 8 dihedral variants x (as is, unletterboxed)
    start = time.perf_counter()
    hits = index.search(queries)
    print(
        f"PDQ scan: 1,000,000 stored hashes, 16 query hashes: {time.perf_counter() - start:.2f} s"
        f" per file ({len(hits)} hits; index built in {built:.1f} s)"
    )
    chroma = signal_types()["chromaprint"]
    if chroma.unavailable():
        return
    with tempfile.TemporaryDirectory() as tmp:
        stored = [
            chroma.compute(samples.make_speech(Path(tmp) / f"s{i}.wav", i)).value for i in range(6)
        ]
    index = chroma.index(stored * 167)  # ~1,000 stored fingerprints of 12-15 s speech
    start = time.perf_counter()
    index.search(stored[:1])
    print(
        f"Chromaprint scan: {len(stored) * 167} stored fingerprints: "
        f"{time.perf_counter() - start:.2f} s per file"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=12, help="generated files per kind")
    parser.add_argument("--skip-scan", action="store_true", help="skip the matching scans")
    args = parser.parse_args()
    per_kind(args.count)
    demo_corpus()
    if not args.skip_scan:
        scans()


if __name__ == "__main__":
    main()
