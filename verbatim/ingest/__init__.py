"""Connectors: files of the four channels -> one record frame + a quarantine frame.

``read_source`` expands a source's path (file, folder or glob), picks the registered input
format of each file (``verbatim.ingest.formats``: the source's ``format``, else recognised by
content among the formats of its ``kind``) and concatenates their batches. Nothing here raises
for bad input: unreadable or unrecognised files are quarantined (an unknown ``format`` name is a
configuration error).
"""

from __future__ import annotations

import glob
import logging
from pathlib import Path

from verbatim.config import IngestConfig, SourceConfig
from verbatim.errors import ConfigError
from verbatim.ingest.common import Batch, file_too_large, rejected
from verbatim.ingest.formats import InputFormat, detect, get_format

log = logging.getLogger(__name__)

_IGNORED = {".md", ".toml", ".py", ".yaml", ".yml"}
#: the format that reads a file when the source names its channel and no format of it recognises the content
_CHANNEL_FALLBACK = {"email": "email.rfc822.v1", "chat": "chat.json.v1", "survey": "survey.csv.v1",
                     "social": "social.json.v1", "tabular": "tabular.v1"}


def expand_paths(path: Path) -> list[Path]:
    """The files a source path designates: the file, every file under a folder, or a glob's matches."""
    text = str(path)
    if path.is_file():  # an existing file is itself, even when its name holds glob characters ("avis [copie].csv")
        return [path]
    if any(ch in text for ch in "*?["):
        return sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in _IGNORED)
    return [path]


def choose_format(path: Path, source: SourceConfig) -> tuple[InputFormat | None, str]:
    """The format that reads ``path``: ``source.format`` when set, else recognised by content.

    Returns:
        (format, "") or (None, the quarantine detail naming the closest format).

    Raises:
        ConfigError: ``source.format`` names no registered format.
    """
    if source.format:
        return get_format(source.format), ""
    if source.kind == "tabular":
        return get_format("tabular.v1"), ""
    found = detect(path, source.kind)
    if found.chosen is not None:
        return found.chosen, ""
    if source.kind != "auto":
        return get_format(_CHANNEL_FALLBACK[source.kind]), ""
    return None, found.closest_hint()


def read_file(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read one file with the format that recognises it; never raises for bad input."""
    label = str(path)
    if not path.exists():
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", "file not found; check the source path in the config")])
    try:
        too_large = file_too_large(path, cfg)
        if too_large:
            return Batch.from_rows([], [rejected(label, label, "too_large", too_large)])
        fmt, hint = choose_format(path, source)
        if fmt is None:
            if path.stat().st_size:
                return Batch.from_rows([], [rejected(label, label, "unreadable_file", hint)])
            return Batch.from_rows([], [rejected(label, label, "unsupported_file", "the file is empty")])
        batch = fmt.read(path, source, cfg)
        return Batch(batch.records, batch.rejected, {fmt.name: 1})
    except ConfigError:
        raise
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
    emails = [p for p in paths if source.format in (None, "email.rfc822.v1") and source.kind in ("auto", "email")
              and p.suffix.lower() == ".eml" and p.is_file() and not file_too_large(p, cfg)]
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
        return Batch(batch.records, rejected_rows, batch.formats)
    return batch


def _read_emails(paths: list[Path], source: SourceConfig, cfg: IngestConfig) -> Batch:
    from verbatim.ingest import email

    try:
        batch = email.read_files(paths, source, cfg)
        return Batch(batch.records, batch.rejected, {"email.rfc822.v1": len(paths)})
    except Exception:  # noqa: BLE001 - fall back to file by file, which quarantines the culprit
        return Batch.concat(read_file(p, source, cfg) for p in paths)
