from __future__ import annotations

from pathlib import Path

import pytest

from recruitwatch.errors import ConfigError
from recruitwatch.settings import load_settings


def test_layering_defaults_file_env_cli(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text(
        'batch_size = 10\nfeed_timeout = 5\ndb = "sqlite:///f"\n'
    )
    env = {"RECRUITWATCH_HOME": str(tmp_path), "RECRUITWATCH_BATCH_SIZE": "20"}
    s = load_settings({"db": "sqlite:///cli"}, environ=env)
    assert s.home == tmp_path
    assert s.batch_size == 20  # env beats file
    assert s.feed_timeout == 5.0  # file beats default
    assert s.db_url == "sqlite:///cli"  # CLI beats all
    assert s.commit_seconds == 2.0  # default


def test_default_db_is_in_the_workspace(tmp_path: Path) -> None:
    s = load_settings({"home": tmp_path}, environ={})
    assert s.db_url == f"sqlite:///{tmp_path / 'recruitwatch.db'}"


def test_bad_file_and_values_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text("batch_size = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({"home": tmp_path}, environ={})
    (tmp_path / "settings.toml").write_text("colour = 'red'\n")
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings({"home": tmp_path}, environ={})
    (tmp_path / "settings.toml").unlink()
    with pytest.raises(ConfigError, match="batch_size"):
        load_settings({"home": tmp_path}, environ={"RECRUITWATCH_BATCH_SIZE": "many"})
