from pathlib import Path

import pytest

from verbatim.errors import PathError
from verbatim.paths import check_write_targets, child, refuse_symlink, safe_name, store_files


def test_plain_names_pass_and_path_like_names_do_not(tmp_path: Path) -> None:
    assert child(tmp_path, "2026-11-20_20261122T020000", "the run id") == tmp_path / "2026-11-20_20261122T020000"
    assert safe_name("rapport été", "x") == "rapport été"
    for bad in ("..", "../x", "x/..", "/x", "a\\b", "", "\x00"):
        with pytest.raises(PathError, match="one name"):
            safe_name(bad, "x")


def test_links_are_refused_and_missing_files_are_fine(tmp_path: Path) -> None:
    assert refuse_symlink(tmp_path / "absent", "x") == tmp_path / "absent"
    (tmp_path / "link").symlink_to(tmp_path / "absent")  # even a dangling link
    with pytest.raises(PathError, match="symbolic link"):
        refuse_symlink(tmp_path / "link", "the store file")
    assert [p.name for p in store_files(tmp_path / "v.duckdb")] == ["v.duckdb", "v.duckdb.wal", "v.duckdb.lock"]


def test_the_theme_folder_must_be_inside_the_store_folder(tmp_path: Path) -> None:
    check_write_targets(tmp_path / "v.duckdb", tmp_path / "models" / "themes", ["themes.json"])
    with pytest.raises(PathError, match="not inside the store folder"):
        check_write_targets(tmp_path / "v.duckdb", tmp_path.parent / "elsewhere", ["themes.json"])
