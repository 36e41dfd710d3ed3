"""Connectors: files of the four channels -> one record frame + a quarantine frame.

``read_source`` expands a source's path (file, folder or glob), picks the connector of each
file (by the source's ``kind``, or sniffed when ``auto``) and concatenates their batches.
Nothing here raises for bad input: unreadable or unsupported files are quarantined.
"""

from __future__ import annotations

import glob
import logging
from collections.abc import Callable
from pathlib import Path

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.common import Batch, file_too_large, rejected

log = logging.getLogger(__name__)

Reader = Callable[[Path, SourceConfig, IngestConfig], Batch]

_EXTENSIONS = {
    ".eml": "email", ".mbox": "email", ".mbx": "email",
    ".json": None, ".jsonl": None, ".ndjson": None,  # chat or social: sniffed
    ".csv": None, ".tsv": None, ".txt": None,  # chat export or survey: sniffed
    ".xlsx": "survey", ".xlsm": "survey",
}
_IGNORED = {".md", ".toml", ".py", ".yaml", ".yml"}


def expand_paths(path: Path) -> list[Path]:
    """The files a source path designates: the file, every file under a folder, or a glob's matches."""
    text = str(path)
    if any(ch in text for ch in "*?["):
        return sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in _IGNORED)
    return [path]


def _sniff_json(path: Path) -> str:
    head = path.open("rb").read(65536).decode("utf-8", errors="replace").lower()
    if '"messages"' in head or '"role"' in head or '"conversation' in head:
        return "chat"
    return "social"


def _sniff_csv(path: Path) -> str:
    with path.open("rb") as handle:
        first = handle.readline(65536).decode("utf-8", errors="replace").lower()
    if "role" in first and ("message" in first or "texte" in first) and ("conversation" in first or "session" in first):
        return "chat"
    return "survey"


def detect_kind(path: Path) -> str | None:
    """The connector for a file, from its extension and first bytes; None if unsupported."""
    suffix = path.suffix.lower()
    if suffix not in _EXTENSIONS:
        if path.name.lower().startswith("mbox") or path.name == "mbox":
            return "email"
        return None
    kind = _EXTENSIONS[suffix]
    if kind is not None:
        return kind
    if suffix in (".json", ".jsonl", ".ndjson"):
        return _sniff_json(path)
    return _sniff_csv(path)


def _reader(kind: str) -> Reader:
    from verbatim.ingest import chat, email, social, survey, tabular

    return {"email": email.read_file, "chat": chat.read_file, "survey": survey.read_file,
            "social": social.read_file, "tabular": tabular.read_file}[kind]


def read_file(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read one file with the right connector; never raises for bad input."""
    label = str(path)
    if not path.exists():
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", "file not found; check the source path in the config")])
    try:
        too_large = file_too_large(path, cfg)
        if too_large:
            return Batch.from_rows([], [rejected(label, label, "too_large", too_large)])
        kind = source.kind if source.kind != "auto" else detect_kind(path)
        if kind is None:
            return Batch.from_rows([], [rejected(label, label, "unsupported_file",
                                                 f"no connector reads '{path.suffix or path.name}' files; expected .eml, .mbox, "
                                                 ".json, .jsonl, .csv or .xlsx")])
        return _reader(kind)(path, source, cfg)
    except Exception as exc:  # noqa: BLE001 - a broken file must never stop a run
        log.warning("quarantined unreadable file %s: %s", label, type(exc).__name__)
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", f"{type(exc).__name__}: {str(exc)[:200]}")])


def read_source(source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read every file of a source (file, folder or glob) into one batch.

    A path that matches nothing yields one ``unreadable_file`` quarantine row, so the run's
    accounting shows it.
    """
    paths = expand_paths(source.path)
    if not paths:
        label = str(source.path)
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", "the path matches no file; check [[sources]].path")])
    return Batch.concat(read_file(p, source, cfg) for p in paths)
