"""Where Verbatim writes, and the checks that keep every write there.

Policy (enforced here, tested in ``tests/reliability/test_untrusted_files.py``):

1. **Two folders.** A run writes only in the *store folder* (the folder of ``[store].path``: the
   DuckDB file, its ``.wal`` and ``.lock``, and the theme model in ``models/themes/``) and in
   ``[output].dir`` (one ``<run_id>/`` folder per run, ``latest`` and ``.latest.tmp``). Those
   two are the operator's choice: they may be absolute or relative (to the config file's
   folder), ``..`` included. Every other path a run writes is one of these folders plus fixed
   file names (``report.html``, ``themes.csv``...) or a name the run makes itself.
2. **Names are names.** A name that becomes a path component (the run id, made of the
   ``--as-of`` date and the clock) must be one plain component: not empty, not ``.`` or ``..``,
   no ``/``, ``\\`` or NUL (:func:`safe_name`). Names that come from the config or the inputs
   (source names, taxonomy names, sheet and column names, file names inside exports) never become
   paths: they are labels in ``run.json`` and the reports.
3. **No write through a link the run did not make.** The run folder is created new
   (``mkdir(exist_ok=False)``), so nothing is in it but what the run writes; a file or link
   already there under its name is an error, never reused. The store file, its ``.wal`` and
   ``.lock``, ``models/``, ``models/themes/`` and the theme model's files must not be symbolic
   links (:func:`check_write_targets`; the lock is opened with ``O_NOFOLLOW``). ``latest`` and
   ``.latest.tmp`` are replaced, never followed: a ``latest`` link pointing elsewhere is swapped
   for the run's own link and its target is not touched.
4. **Inputs are read only.** Sources, the taxonomy YAML, the theme edits file and the model
   folders may be anywhere readable; a run never writes to them.

Every refusal is a :class:`~verbatim.errors.PathError` (a ``ConfigError``, exit code 2) that
names the path and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from verbatim.errors import PathError

if TYPE_CHECKING:
    from verbatim.config import Config

_FORBIDDEN = ("/", "\\", "\x00")


def safe_name(name: str, what: str) -> str:
    """``name`` if it is one plain path component; else :class:`PathError` saying what it is (``what``)."""
    text = str(name)
    if not text.strip() or text in (".", "..") or any(ch in text for ch in _FORBIDDEN):
        raise PathError(f"{what} {text!r} cannot be used as a file or folder name: it must be one name, without "
                        "'/', '\\', '..' or NUL; Verbatim only writes inside the store folder and [output].dir")
    return text


def child(folder: Path, name: str, what: str) -> Path:
    """``folder / name`` after :func:`safe_name`."""
    return Path(folder) / safe_name(name, what)


def refuse_symlink(path: Path, what: str) -> Path:
    """``path`` if it is not a symbolic link (it may be missing); else :class:`PathError`."""
    path = Path(path)
    if path.is_symlink():
        raise PathError(f"{what} {str(path)!r} is a symbolic link (to {str(path.readlink())!r}); Verbatim does not "
                        "write through links it did not make. Remove the link, or point the configuration at the "
                        "real location")
    return path


def store_files(store_path: Path) -> list[Path]:
    """The store file and the files DuckDB and the run lock keep beside it."""
    store_path = Path(store_path)
    return [store_path, *(store_path.with_name(store_path.name + s) for s in (".wal", ".lock"))]


def check_write_targets(store_path: Path, theme_dir: Path, theme_files: list[str]) -> None:
    """Refuse (:class:`PathError`) when a file or folder a run writes in the store folder is a symbolic link.

    Checks the store file, its ``.wal`` and ``.lock``, every folder from the store folder down to
    ``theme_dir`` (``models/themes``), and ``theme_files`` (names) inside ``theme_dir`` with
    their ``.tmp`` twins. Run it while holding the store's lock, before the run writes anything.
    """
    for path in store_files(store_path):
        refuse_symlink(path, "the store file" if path == Path(store_path) else "the store's companion file")
    base = Path(store_path).parent
    try:
        parts = Path(theme_dir).relative_to(base).parts
    except ValueError:
        raise PathError(f"the theme model folder {str(theme_dir)!r} is not inside the store folder {str(base)!r}") from None
    folder = base
    for part in parts:
        folder = child(folder, part, "theme model folder")
        refuse_symlink(folder, "the theme model folder")
    for name in theme_files:
        for file in (child(theme_dir, name, "theme model file"), Path(theme_dir) / f"{name}.tmp"):
            refuse_symlink(file, "the theme model file")


def check_run_targets(cfg: Config) -> None:
    """:func:`check_write_targets` for a configuration's store and theme model (preflight and the flow)."""
    from verbatim.stages import theme_model_dir
    from verbatim.themes.persist import ARRAYS, META

    check_write_targets(cfg.store.path, theme_model_dir(cfg), [ARRAYS, META])
