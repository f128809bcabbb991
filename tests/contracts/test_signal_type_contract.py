"""The contract every signal type (built-in or plug-in) keeps, on example files it generates.

For each file type a signal type hashes, two different [synthetic] examples are
made (Pillow pictures, espeak-ng speech, ffmpeg test videos with speech, small
PDFs, random bytes): a file must match itself through the type's index, its
hash must validate and round-trip, and the other example must not match.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from recruitwatch.enrich.fingerprint.media import FILE_TYPES, SignalType, signal_types
from tests.enrich.test_fingerprint_samples import (
    document_lines,
    make_image,
    make_pdf,
    make_speech,
    make_video,
    needs_tools,
)


def _examples(kind: str, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "image":
        return make_image(folder / "a.png", 1), make_image(folder / "b.png", 2)
    if kind == "audio":
        return make_speech(folder / "a.wav", 0), make_speech(folder / "b.wav", 1)
    if kind == "video":
        a, b = make_speech(folder / "a.wav", 2), make_speech(folder / "b.wav", 3)
        return (
            make_video(folder / "a.mp4", "testsrc2", seconds=8, audio=a),
            make_video(folder / "b.mp4", "mandelbrot", seconds=8, audio=b),
        )
    if kind == "document":
        return (
            make_pdf(folder / "a.pdf", document_lines(1)),
            make_pdf(folder / "b.pdf", document_lines(2)),
        )
    (folder / "a.bin").write_bytes(os.urandom(4096))
    (folder / "b.bin").write_bytes(os.urandom(4096))
    return folder / "a.bin", folder / "b.bin"


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("signal_examples")
    return {kind: _examples(kind, root / kind) for kind in FILE_TYPES}


CASES = sorted((name, kind) for name, cls in signal_types().items() for kind in cls.FILE_TYPES)


@pytest.fixture(params=sorted(signal_types()))
def signal(request: pytest.FixtureRequest) -> type[SignalType]:
    return signal_types()[request.param]


def usable(cls: type[SignalType]) -> type[SignalType]:
    if reason := cls.unavailable():
        assert cls.EXTRA and f"recruitwatch[{cls.EXTRA}]" in reason, reason
        pytest.skip(reason)
    return cls


def test_identity(signal: type[SignalType]) -> None:
    assert signal.NAME.isidentifier() and signal.VERSION and signal.DESCRIPTION
    assert signal.MEASURE and signal.THRESHOLD >= 0
    assert signal.FILE_TYPES and set(FILE_TYPES) >= signal.FILE_TYPES


def test_rejects_malformed_hashes(signal: type[SignalType]) -> None:
    usable(signal)
    for bad in ("", "zz", "0" * 63, "[1, 2]"):
        with pytest.raises(ValueError):
            signal.validate(bad)


@needs_tools
@pytest.mark.parametrize(("name", "kind"), CASES)
def test_file_matches_itself_not_another(
    name: str, kind: str, examples: dict[str, tuple[Path, Path]]
) -> None:
    cls = usable(signal_types()[name])
    first, second = examples[kind]
    fp = cls.compute(first)
    assert cls.compute(first) == fp  # deterministic
    assert json.loads(json.dumps(dict(fp.extra))) == dict(fp.extra)
    assert cls.validate(fp.value) == cls.validate(cls.validate(fp.value))
    assert cls.distance(fp.value, fp.value) == 0 and cls.matches(fp.value, fp.value)
    index = cls.index(cls.stored_values(fp.value, fp.extra))
    assert [pos for pos, _ in index.search(cls.query_values(first))] == [0]
    assert index.search(cls.query_values(second)) == []
    assert not cls.matches(fp.value, cls.compute(second).value)
