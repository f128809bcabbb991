#!/usr/bin/env python3
"""Generate the synthetic demo corpus under src/recruitwatch/data/demo/ (deterministic).

    .venv/bin/python scripts/make_demo_corpus.py            # regenerate everything
    .venv/bin/python scripts/make_demo_corpus.py --check    # committed JSON/feed/manifest
                                                            # == what the generator makes
                                                            # from the committed media

Needs ../shared/data/langid (UDHR sentences); a full build also needs ffmpeg, espeak-ng,
Pillow and pypdf (``--check`` needs none of them). The corpus is synthetic: invented chats,
handles and outlets; texts are neutral descriptions and sentences of the Universal
Declaration of Human Rights.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

from demo_corpus import feed, manifest, readme, udhr
from demo_corpus.assets import all_specs
from demo_corpus.chats import CHATS
from demo_corpus.export import write_export
from demo_corpus.media import Built, build_one, reuse_one, speech_for
from demo_corpus.plan import Ctx
from demo_corpus.timeline import build_chat

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "recruitwatch" / "data" / "demo"
DEFAULT_SHARED = ROOT.parent / "shared" / "data"
SEED = 20251201
TEXT_OUTPUTS = (
    "telegram_export/result.json",
    "feeds/synthetic_news.xml",
    "manifest.jsonl",
    "media.json",
    "README.md",
)


def _pdf_body(
    seed: int, asset: str, sentences: dict[str, list[udhr.Sentence]]
) -> list[udhr.Sentence]:
    rng = random.Random(f"{seed}:pdf:{asset}")
    return rng.sample(sentences["en"], 8)


def _old_paths(corpus: Path) -> dict[str, Path]:
    index = json.loads((corpus / "media.json").read_text(encoding="utf-8"))
    root = corpus / "telegram_export"
    return {a["id"]: root / a["files"][0] for a in index["assets"] if a["files"]}


def build_library(
    seed: int, sentences: dict[str, list[udhr.Sentence]], work: Path, reuse: Path | None
) -> dict[str, Built]:
    old = _old_paths(reuse) if reuse else {}
    library: dict[str, Built] = {}
    for spec in all_specs():
        speech = speech_for(spec, sentences, random.Random(f"{seed}:speech:{spec.id}"))
        if spec.derived_from and library[spec.derived_from].speech:
            speech = library[spec.derived_from].speech
        if reuse:
            library[spec.id] = reuse_one(spec, speech, old[spec.id], work)
        else:
            body = _pdf_body(seed, spec.id, sentences)
            library[spec.id] = build_one(spec, speech, body, seed, work, library)
    return library


def generate(out: Path, shared: Path, seed: int, reuse: Path | None) -> dict[str, int]:
    sentences = udhr.load(shared / "langid")
    with tempfile.TemporaryDirectory(prefix="demo-media-") as tmp:
        library = build_library(seed, sentences, Path(tmp), reuse)
        ctx = Ctx(seed, udhr.Picker(sentences, random.Random(f"{seed}:udhr")))
        for chat in CHATS:
            build_chat(ctx, chat)
        placer = write_export(out / "telegram_export", ctx.plans, library)
        items = feed.items(ctx)
        (out / "feeds").mkdir(parents=True, exist_ok=True)
        (out / "feeds" / "synthetic_news.xml").write_text(feed.rss(items), encoding="utf-8")
        count = manifest.write_manifest(out / "manifest.jsonl", ctx.plans, placer, items)
        manifest.write_media_index(out / "media.json", placer, ctx.plans)
        figures = readme.write(out / "README.md", ctx.plans, placer, items, seed)
    return {"manifest_lines": count, **figures}


def _swap(build: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    build.rename(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild the text outputs from the committed media and compare",
    )
    parser.add_argument("--no-validate", action="store_true", help="skip ffprobe/pypdf checks")
    args = parser.parse_args(argv)
    if args.check:
        return check(args.out, args.shared, args.seed)
    build = args.out.parent / f".{args.out.name}.build"
    shutil.rmtree(build, ignore_errors=True)
    figures = generate(build, args.shared, args.seed, reuse=None)
    if not args.no_validate:
        from demo_corpus import validate  # pypdf, Pillow, ffprobe

        figures.update(validate.corpus(build))
    _swap(build, args.out)
    print(json.dumps(figures, indent=1))
    return 0


def check(out: Path, shared: Path, seed: int) -> int:
    with tempfile.TemporaryDirectory(prefix="demo-check-") as tmp:
        generate(Path(tmp), shared, seed, reuse=out)
        differ = [n for n in TEXT_OUTPUTS if not filecmp.cmp(Path(tmp) / n, out / n, False)]
    for name in differ:
        print(f"differs from the generator's output: {out / name}", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
