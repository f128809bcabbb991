"""The contract every reader (built-in or plug-in) must keep, run on its shipped example."""

from __future__ import annotations

from datetime import UTC

import pytest

from recruitwatch.errors import InputError
from recruitwatch.ingest.base import Reader, read_head, readers


@pytest.fixture(params=sorted(readers()))
def reader_cls(request: pytest.FixtureRequest) -> type[Reader]:
    return readers()[request.param]


def test_identity(reader_cls: type[Reader]) -> None:
    assert reader_cls.NAME and reader_cls.VERSION and reader_cls.DESCRIPTION


def test_ships_an_example_it_claims(reader_cls: type[Reader]) -> None:
    example = reader_cls.example()
    assert example is not None and example.exists(), f"{reader_cls.NAME} ships no example"
    assert reader_cls.sniff(str(example), read_head(str(example)))


def test_example_normalises_deterministically(reader_cls: type[Reader]) -> None:
    example = str(reader_cls.example())
    first = [reader_cls().normalise(raw) for raw in reader_cls().records(example)]
    second = [reader_cls().normalise(raw) for raw in reader_cls().records(example)]
    assert first, "the example yields no posts"
    assert first == second
    for post in first:
        assert post.date.tzinfo is not None and post.date.utcoffset() == UTC.utcoffset(None)
        assert post.message_id and post.source.platform and post.source.handle
        assert "[synthetic]" in post.text or not post.text or post.kind == "service"
    assert len({p.id for p in first}) == len(first), "post ids must be unique"


def test_no_other_reader_claims_the_example(reader_cls: type[Reader]) -> None:
    example = str(reader_cls.example())
    head = read_head(example)
    claimed = [n for n, c in readers().items() if c.sniff(example, head)]
    assert claimed[0] == reader_cls.NAME, f"detection would pick {claimed[0]} for {example}"


def test_missing_input_is_an_input_error(reader_cls: type[Reader], tmp_path: object) -> None:
    with pytest.raises(InputError):
        list(reader_cls().records(f"{tmp_path}/missing-input"))
