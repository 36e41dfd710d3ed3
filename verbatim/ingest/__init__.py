"""Connectors: files of the four channels -> one record frame + a quarantine frame.

``read_source`` expands a source's path (file, folder or glob), picks the connector of each
file (by the source's ``kind``, or sniffed when ``auto``) and concatenates their batches.
Nothing here raises for bad input: unreadable or unsupported files are quarantined.
"""

from __future__ import annotations

import glob
import logging
import re
import unicodedata
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


def _head(path: Path, size: int = 65536) -> str:
    """The first bytes of a file, lower-cased, accents removed (for sniffing only)."""
    with path.open("rb") as handle:
        raw = handle.read(size)
    text = raw.decode("utf-8", errors="ignore") if b"\x00" not in raw[:4] else raw.decode("utf-16", errors="ignore")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


_CHAT_JSON_KEYS = ('"messages"', '"turns"', '"transcript"', '"role"', '"speaker"', '"conversation', '"session_id"', '"chat_id"')
_CHAT_CSV_ROLE = re.compile(r"\b(role|auteur|author|sender|speaker|emetteur)\b")
_CHAT_CSV_CONV = re.compile(r"\b(conversation\w*|id_conversation|session\w*|chat_id)\b")


def _sniff_json(path: Path) -> str:
    head = _head(path)
    return "chat" if any(key in head for key in _CHAT_JSON_KEYS) else "social"


def _sniff_csv(path: Path) -> str:
    first = _head(path, 8192).split("\n", 1)[0]
    return "chat" if _CHAT_CSV_ROLE.search(first) and _CHAT_CSV_CONV.search(first) else "survey"


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


Fingerprint = tuple[str, int, int]


def file_fingerprint(path: Path) -> Fingerprint | None:
    """``(path, size, modification time in ns)`` of a file, or None when it cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path), int(stat.st_size), int(stat.st_mtime_ns)


def source_fingerprints(source: SourceConfig) -> list[Fingerprint]:
    """The fingerprints of the files a source designates now (see :func:`file_fingerprint`)."""
    return [fp for fp in (file_fingerprint(p) for p in expand_paths(source.path) if p.is_file()) if fp is not None]


def read_source(source: SourceConfig, cfg: IngestConfig, skip: frozenset[Fingerprint] = frozenset()) -> Batch:
    """Read every file of a source (file, folder or glob) into one batch.

    A path that matches nothing yields one ``unreadable_file`` quarantine row, so the run's
    accounting shows it. Files whose fingerprint is in ``skip`` (read in full by an earlier
    run and unchanged since) are not read again.
    """
    paths = expand_paths(source.path)
    if not paths:
        label = str(source.path)
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", "the path matches no file; check [[sources]].path")])
    if skip:
        paths = [p for p in paths if file_fingerprint(p) not in skip]
    # Emails are many small files: read them in one go (building a batch costs more than parsing a message).
    emails = [p for p in paths if (source.kind == "email" or (source.kind == "auto" and p.suffix.lower() in (".eml",)))
              and p.is_file() and not file_too_large(p, cfg)]
    batches = [_read_emails(emails, source, cfg)] if emails else []
    chosen = set(emails)
    batches += [read_file(p, source, cfg) for p in paths if p not in chosen]
    return mask_rejected(Batch.concat(batches))


def mask_rejected(batch: Batch) -> Batch:
    """Mask personal data in the quarantine rows' ``excerpt`` and ``detail`` (they reach reports and logs)."""
    from verbatim.clean.pii import mask_text

    if len(batch.rejected):
        rejected_rows = batch.rejected.copy()
        for column in ("excerpt", "detail"):
            rejected_rows[column] = rejected_rows[column].fillna("").astype(str).map(mask_text)
        return Batch(batch.records, rejected_rows)
    return batch


def _read_emails(paths: list[Path], source: SourceConfig, cfg: IngestConfig) -> Batch:
    from verbatim.ingest import email

    try:
        return email.read_files(paths, source, cfg)
    except Exception:  # noqa: BLE001 - fall back to file by file, which quarantines the culprit
        return Batch.concat(read_file(p, source, cfg) for p in paths)
