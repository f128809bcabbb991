"""Hash lists (TCAP-style CSV/JSON, python-threatexchange names): import, quarantine, export.

Every list here is made from [synthetic] files generated in the test."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from recruitwatch.cli import main
from recruitwatch.enrich.fingerprint.hashlist import algorithm_names, parse_list
from recruitwatch.enrich.fingerprint.image import PdqSignal
from tests.enrich.test_fingerprint_samples import make_image


def cli(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def synthetic_rows(tmp_path: Path) -> list[dict[str, str]]:
    rows = []
    for i in range(3):
        img = make_image(tmp_path / f"img{i}.png", 40 + i)
        data = img.read_bytes()
        rows += [
            {
                "hash_digest": PdqSignal.compute(img).value,
                "algorithm": "PDQ",
                "ideology": "[synthetic] ideology A",
                "file_type": "image",
            },
            {
                "hash_digest": hashlib.md5(data).hexdigest(),
                "algorithm": "video_md5",
                "ideology": "[synthetic] ideology B",
                "file_type": "video",
            },
            {
                "hash_digest": hashlib.sha256(data).hexdigest().upper(),
                "algorithm": "SHA256",
                "ideology": "",
                "file_type": "image",
            },
        ]
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_algorithm_names_cover_tcap_threatexchange_and_ours() -> None:
    names = algorithm_names()
    assert names["pdq"] == names["pdq_hash"] == "pdq"
    assert names["video_md5"] == names["md5"] == names["photo_md5"] == "md5"
    assert names["sha256"] == names["sha-256"] == "sha256"
    assert names["vpdq"] == "vpdq" and names["chromaprint"] == "chromaprint"


def test_csv_import_is_idempotent(tmp_path: Path, synthetic_rows: list[dict[str, str]]) -> None:
    path = write_csv(tmp_path / "synthetic_list.csv", synthetic_rows)
    code, _out, err = cli(tmp_path / "home", "hashlist", "import", str(path))
    assert code == 0, err
    assert "9 rows, 9 new and 0 known entries in list 'synthetic_list'" in err
    code, _out, err = cli(tmp_path / "home", "hashlist", "import", str(path))
    assert code == 0 and "0 new and 9 known" in err
    code, out, _err = cli(
        tmp_path / "home",
        "hashlist",
        "export",
        "--list",
        "synthetic_list",
        "--names",
        "recruitwatch",
    )
    exported = list(csv.DictReader(io.StringIO(out)))
    assert len(exported) == 9
    assert {r["algorithm"] for r in exported} == {"pdq", "md5", "sha256"}
    assert all(r["hash_digest"] == r["hash_digest"].lower() for r in exported)  # normalised


def test_bad_rows_are_quarantined_and_the_rest_imported(
    tmp_path: Path, synthetic_rows: list[dict[str, str]]
) -> None:
    rows = [
        *synthetic_rows[:2],
        {
            "hash_digest": "ab" * 16,
            "algorithm": "video_tmk_pdqf",
            "ideology": "",
            "file_type": "video",
        },
        {"hash_digest": "xyz", "algorithm": "PDQ", "ideology": "", "file_type": "image"},
        {"hash_digest": "", "algorithm": "MD5", "ideology": "", "file_type": "image"},
    ]
    path = write_csv(tmp_path / "mixed.csv", rows)
    code, _out, err = cli(tmp_path / "home", "hashlist", "import", str(path), "--list", "mixed")
    assert code == 4
    assert "line 4: algorithm 'video_tmk_pdqf' is not supported" in err
    assert "line 5: PDQ digest is not valid" in err
    assert "line 6: a row needs hash_digest and algorithm" in err
    assert "2 new and 0 known" in err and "3 quarantined" in err
    code, out, _err = cli(tmp_path / "home", "quarantine", "--format", "json")
    assert sorted(q["locator"] for q in json.loads(out)) == ["line 4", "line 5", "line 6"]


def test_json_lists_and_export_round_trip(
    tmp_path: Path, synthetic_rows: list[dict[str, str]]
) -> None:
    doc = {
        "list_name": "ignored",
        "hashes": [
            {
                "hash": r["hash_digest"],
                "signal_type": r["algorithm"],
                "ideology": r["ideology"],
                "file_type": r["file_type"],
                "note": "[synthetic] entry",
                "date_added": "2026-01-02",
            }
            for r in synthetic_rows
        ],
    }
    path = tmp_path / "list.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert cli(tmp_path / "a", "hashlist", "import", str(path), "--list", "tx")[0] == 0
    out_file = tmp_path / "export.json"
    code, _o, err = cli(
        tmp_path / "a",
        "hashlist",
        "export",
        "--list",
        "tx",
        "--format",
        "json",
        "--names",
        "threatexchange",
        "-o",
        str(out_file),
    )
    assert code == 0 and "9 entries" in err
    exported = json.loads(out_file.read_text(encoding="utf-8"))
    assert {e["algorithm"] for e in exported} == {"pdq", "video_md5", "sha256"}
    assert {e["description"] for e in exported} == {"[synthetic] entry"}
    assert cli(tmp_path / "b", "hashlist", "import", str(out_file), "--list", "tx")[0] == 0
    code, again, _e = cli(
        tmp_path / "b",
        "hashlist",
        "export",
        "--list",
        "tx",
        "--format",
        "json",
        "--names",
        "threatexchange",
    )
    assert json.loads(again) == exported


def test_not_a_hash_list(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("id,text\n1,[synthetic] hello\n", encoding="utf-8")
    code, _out, err = cli(tmp_path / "home", "hashlist", "import", str(path))
    assert code == 3 and "no hash_digest" in err
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"nothing": 1}', encoding="utf-8")
    assert cli(tmp_path / "home", "hashlist", "import", str(bad_json))[0] == 3


def test_list_name_column_wins(tmp_path: Path, synthetic_rows: list[dict[str, str]]) -> None:
    rows = [r | {"list_name": f"list_{n % 2}"} for n, r in enumerate(synthetic_rows)]
    entries, problems = parse_list(write_csv(tmp_path / "l.csv", rows), "default")
    assert not problems
    assert sorted({e.list_name for e in entries}) == ["list_0", "list_1"]


def test_export_of_an_unknown_list_or_algorithm_is_an_error(
    tmp_path: Path, synthetic_rows: list[dict[str, str]]
) -> None:
    home = tmp_path / "home"
    assert (
        cli(home, "hashlist", "import", str(write_csv(tmp_path / "l.csv", synthetic_rows)))[0] == 0
    )
    code, out, err = cli(home, "hashlist", "export", "--list", "nosuch")
    assert code == 3 and out == ""
    assert "nosuch: no such hash list (stored lists: l)" in err
    code, out, err = cli(home, "hashlist", "export", "--list", "l", "--algorithm", "bogus")
    assert code == 2 and out == "" and "unknown algorithm 'bogus'" in err and "'pdq'" in err
    code, out, _err = cli(home, "hashlist", "export", "--list", "l", "--algorithm", "PDQ")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3 and {r["algorithm"] for r in rows} == {"PDQ"}
