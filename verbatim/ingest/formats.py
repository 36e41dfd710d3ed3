"""The registry of named, versioned input formats (spaCy-style names: ``social.x-v2.v1``).

A format is one kind of file as a tool exports it (a WhatsApp ``.txt`` export, a Qualtrics CSV,
an X API v2 page...). Each one says which channel its records belong to, what it reads, which
field becomes the text, the date, the author, the customer id and the scores, and which side of
a conversation is the customer. ``verbatim formats`` prints this registry.

Formats are recognised by **content**: each has a ``sniff`` function that looks at a
:class:`Probe` (the file's extension, its first 64 KiB decoded, its first JSON document) and
returns a confidence in [0, 1]. The most confident format at or above :data:`MATCH` reads the
file; a file no format reaches stays one ``unreadable_file`` quarantine row that names the
closest format and how to force it (``--format NAME`` or ``[[sources]] format = "NAME"``).

Channel modules register their formats when imported (:func:`register`); :func:`all_formats`
imports them all. A format's ``read`` has the connector signature ``(path, source, cfg) -> Batch``
and never raises for bad input.
"""

from __future__ import annotations

import importlib
import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from verbatim.config import IngestConfig, SourceConfig
from verbatim.errors import ConfigError
from verbatim.ingest.common import Batch, decode_bytes

Reader = Callable[[Path, SourceConfig, IngestConfig], Batch]

#: A format whose sniff reaches this confidence reads the file.
MATCH = 0.5
#: Files up to this size are parsed whole when a sniff asks for their JSON (larger ones: the first line only).
_JSON_PROBE_BYTES = 8 * 1024 * 1024
_HEAD_BYTES = 65536
_CHANNEL_MODULES = ("email", "chat", "survey", "social", "tabular")


class Probe:
    """What sniffing may look at in a file; every view is computed once, on first use.

    Attributes:
        path: the file.
        suffix: its extension, lower case (``".json"``).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.suffix = path.suffix.lower()

    @cached_property
    def raw(self) -> bytes:
        """The first 64 KiB."""
        with self.path.open("rb") as handle:
            return handle.read(_HEAD_BYTES)

    @cached_property
    def head(self) -> str:
        """The first 64 KiB decoded (UTF-8, BOM, UTF-16 or Windows-1252), BOM removed."""
        return decode_bytes(self.raw)[0].removeprefix("\ufeff")

    @cached_property
    def folded(self) -> str:
        """``head`` lower-cased without accents (for key and header matching)."""
        return fold(self.head)

    @cached_property
    def lines(self) -> list[str]:
        """The non-blank lines of ``head`` (the last one may be cut)."""
        return [line for line in self.head.splitlines() if line.strip()]

    @cached_property
    def json(self) -> Any:
        """The file's JSON: the whole document when small, else its first line (JSONL); None when it does not parse."""
        text = self.head.lstrip()
        if text[:1] not in ("{", "["):
            return None
        try:
            size = self.path.stat().st_size
        except OSError:
            return None
        if size <= _JSON_PROBE_BYTES:
            full = decode_bytes(self.path.read_bytes())[0].removeprefix("\ufeff")
            try:
                return json.loads(full)
            except (ValueError, RecursionError):
                pass
        first = text.split("\n", 1)[0]
        try:
            return json.loads(first)
        except (ValueError, RecursionError):
            return None

    @cached_property
    def first_object(self) -> dict[str, Any] | None:
        """The first JSON object of the file: the document, the first element of an array, or the first JSONL line."""
        value = self.json
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, dict)), None)
        return value if isinstance(value, dict) else None


def fold(value: str) -> str:
    """Lower case, accents removed (``"Horodateur"`` -> ``horodateur``, ``"Médias"`` -> ``medias``)."""
    text = unicodedata.normalize("NFKD", str(value))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


@dataclass(frozen=True)
class InputFormat:
    """One registered input format.

    Attributes:
        name: registered name, ``channel.what.vN`` (a new version gets a new name; old ones stay).
        channel: ``email``, ``chat``, ``survey`` or ``social`` (``tabular`` for the explicit mapping reader).
        reads: one line: which files, written by which tool.
        fields: what becomes of each record field: keys among ``record``, ``text``, ``date``,
            ``author``, ``customer``, ``scores``, ``customer_side``, ``id``, ``skipped``.
        sniff: confidence in [0, 1] that a file is of this format.
        read: the reader (connector signature).
        extensions: the usual extensions (documentation; recognition is by content).
    """

    name: str
    channel: str
    reads: str
    fields: Mapping[str, str]
    sniff: Callable[[Probe], float]
    read: Reader
    extensions: tuple[str, ...] = field(default=())


_REGISTRY: dict[str, InputFormat] = {}


def register(fmt: InputFormat) -> InputFormat:
    """Add a format to the registry (a channel module calls this at import); returns it."""
    if fmt.name in _REGISTRY and _REGISTRY[fmt.name] is not fmt:
        raise ValueError(f"input format {fmt.name!r} is registered twice")
    _REGISTRY[fmt.name] = fmt
    return fmt


def all_formats() -> dict[str, InputFormat]:
    """Every registered format by name (imports the channel modules, which register theirs)."""
    for module in _CHANNEL_MODULES:
        importlib.import_module(f"verbatim.ingest.{module}")
    return dict(sorted(_REGISTRY.items()))


def get_format(name: str) -> InputFormat:
    """The format registered under ``name``.

    Raises:
        ConfigError: no such format; the message lists the registered names.
    """
    formats = all_formats()
    if name not in formats:
        close = [n for n in formats if name.split(".")[0] in n] or list(formats)
        raise ConfigError(f"unknown input format {name!r}; expected one of: {', '.join(close)} "
                          "(`verbatim formats` lists them all with what each reads)")
    return formats[name]


@dataclass(frozen=True)
class Detection:
    """The outcome of :func:`detect`: the chosen format (None when none matches) and every candidate's confidence."""

    chosen: InputFormat | None
    ranked: list[tuple[float, InputFormat]]

    def closest_hint(self) -> str:
        """A sentence naming the closest format and how to force it (for the quarantine detail)."""
        if not self.ranked:
            return "no input format reads this kind of file (`verbatim formats` lists them)"
        score, best = self.ranked[0]
        return (f"no input format recognised the content; the closest is {best.name!r} ({best.reads}; "
                f"confidence {score:.2f}): force it with --format {best.name} or [[sources]] format = \"{best.name}\", "
                "or map the columns (--text-column ...); `verbatim formats` lists every format")


def detect(path: Path, channel: str | None = None) -> Detection:
    """Recognise a file's format by content, among the formats of ``channel`` (all when None or ``auto``)."""
    probe = Probe(path)
    ranked: list[tuple[float, InputFormat]] = []
    for fmt in all_formats().values():
        if fmt.channel == "tabular" or (channel not in (None, "auto") and fmt.channel != channel):
            continue
        try:
            score = float(fmt.sniff(probe))
        except Exception:  # noqa: BLE001 - a sniff that trips on odd bytes just does not match
            score = 0.0
        if score > 0:
            ranked.append((score, fmt))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].name))
    chosen = ranked[0][1] if ranked and ranked[0][0] >= MATCH else None
    return Detection(chosen, ranked)


def describe(fmt: InputFormat) -> dict[str, Any]:
    """A format as a plain mapping (for ``verbatim formats --json`` and the docs)."""
    return {"name": fmt.name, "channel": fmt.channel, "reads": fmt.reads, "extensions": list(fmt.extensions),
            "fields": dict(fmt.fields)}
