"""Analyst labels: stored per post, checked against the codebook, winning in posts JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from recruitwatch.enrich.codebook import load
from recruitwatch.errors import ConfigError, InputError
from recruitwatch.labelling import import_csv, parse_pairs
from recruitwatch.store import Store
from recruitwatch.store.labels import all_analyst_labels, post_fields, set_labels
from tests.store.test_store import all_posts, post, write

BOOK = load()
MODEL = {"label": "genre", "value": "official_propaganda", "source": "model:m@1", "confidence": 0.7}


def test_pairs_are_checked_against_the_codebook() -> None:
    values = parse_pairs(["genre=news_reporting", "themes=attack_claim;fundraising"], BOOK)
    assert values == {"genre": ["news_reporting"], "theme": ["attack_claim", "fundraising"]}
    aliased = parse_pairs(["genre=news", "themes=attack,release"], BOOK)
    assert aliased == {
        "genre": ["news_reporting"],
        "theme": ["attack_claim", "media_release_announcement"],
    }
    with pytest.raises(ConfigError, match="unknown genre"):
        parse_pairs(["genre=nonsense"], BOOK)
    with pytest.raises(ConfigError, match="expected"):
        parse_pairs(["colour=red"], BOOK)


def test_analyst_labels_win_and_machine_labels_stay_listed() -> None:
    result = {"genre": "official_propaganda", "themes": ["attack_claim"], "tier": "crisis"}
    analyst = [
        {"label": "genre", "value": "news_reporting", "source": "analyst:a", "confidence": 1}
    ]
    fields = post_fields({**result, "labels": [MODEL]}, analyst)
    assert fields["genre"] == "news_reporting"
    assert fields["themes"] == ["attack_claim"] and fields["tier"] == "crisis"
    assert [lab["source"] for lab in fields["labels"]] == ["analyst:a", "model:m@1"]


def test_set_labels_replaces_a_kind_and_shows_in_posts(store: Store) -> None:
    write(store, [post(1)])
    pid = all_posts(store)[0]["id"]
    with store.begin() as conn:
        set_labels(conn, str(pid), {"genre": ["unrelated"]}, "analyst_x")
        set_labels(
            conn, str(pid), {"genre": ["news_reporting"], "theme": ["attack_claim"]}, "analyst_x"
        )
    record = all_posts(store)[0]
    assert record["genre"] == "news_reporting" and record["themes"] == ["attack_claim"]
    sources = {(lab["value"], lab["source"]) for lab in record["labels"]}  # type: ignore[attr-defined]
    assert sources == {
        ("news_reporting", "analyst:analyst_x"),
        ("attack_claim", "analyst:analyst_x"),
    }
    with store.connect() as conn:
        assert all_analyst_labels(conn) == {
            pid: {"genre": ["news_reporting"], "theme": ["attack_claim"]}
        }


def test_unknown_post_is_an_input_error(store: Store) -> None:
    with store.begin() as conn, pytest.raises(InputError, match="no such post"):
        set_labels(conn, "telegram:nope/1", {"genre": ["unrelated"]}, "a")


def test_csv_import_keeps_good_rows_and_names_bad_ones(store: Store, tmp_path: Path) -> None:
    write(store, [post(1), post(2)])
    ids = [str(r["id"]) for r in all_posts(store)]
    path = tmp_path / "labels.csv"
    path.write_text(
        "# [synthetic] labels\npost_id,genre,themes,tier,analyst,note\n"
        f"{ids[0]},news_reporting,attack_claim;media_release_announcement,,ana,[synthetic] ok\n"
        f"{ids[1]},not_a_genre,,,,\n"
        "telegram:missing/9,unrelated,,,,\n",
        encoding="utf-8",
    )
    with store.begin() as conn:
        report = import_csv(conn, path, BOOK, "default_analyst")
    assert (report.rows, report.labels) == (1, 3)
    assert len(report.errors) == 2
    assert "row 3" in report.errors[0] and "unknown genre" in report.errors[0]
    assert "row 4" in report.errors[1] and str(path) in report.errors[1]
    assert all_posts(store)[0]["genre"] == "news_reporting"
