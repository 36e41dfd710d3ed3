"""Journey taxonomies: YAML files of touchpoints, validated on load.

A taxonomy names the touchpoints of one sector's customer journey (format in ``DESIGN.md``)::

    name: restauration
    stages: [reservation, experience, apres]      # optional: journey order (ids or {id, label})
    touchpoints:
      - id: service                               # stable id, used in outputs
        label: Service en salle
        stage: experience                         # one of the stages
        family: relation_client                   # optional default family (see verbatim.journey.axis)
        description: Accueil, amabilité et rapidité du personnel de salle.
        examples: ["le serveur était désagréable", "service très lent"]
        keywords: [serveur, serveuse, service, personnel, accueil]

Without ``stages`` the journey order is the order in which stages first appear. Built-in
taxonomies ship as package data in ``verbatim/journey/taxonomies/*.yaml``; any other YAML file
works the same way, with no code change and no training.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from verbatim.errors import ConfigError

__all__ = ["NOT_LINKED", "Stage", "Taxonomy", "Touchpoint", "builtin_taxonomies", "load_taxonomy", "taxonomy_from_dict"]

log = logging.getLogger(__name__)

#: Touchpoint id of a segment that fits no touchpoint.
NOT_LINKED = "non_rattache"

FamilyId = Literal["acces", "usage", "relation_client", "partage"]
_ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Model):
    """One step of the journey (the order of ``Taxonomy.stages`` is the journey order)."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str = ""


class Touchpoint(_Model):
    """One place of the journey where the customer meets the company."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str = Field(min_length=1)
    stage: str = Field(min_length=1)
    family: FamilyId | None = None
    description: str = Field(min_length=1)
    examples: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    @field_validator("examples", "keywords")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("entries must be non-empty strings")
        return values


class Taxonomy(_Model):
    """A validated taxonomy: journey stages in order and their touchpoints."""

    name: str = Field(min_length=1)
    stages: list[Stage]
    touchpoints: list[Touchpoint] = Field(min_length=1)
    source: str = ""  # file it was read from ("" when built in memory)

    @property
    def ids(self) -> list[str]:
        """Touchpoint ids in file order."""
        return [t.id for t in self.touchpoints]

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        """The touchpoint with this id.

        Raises:
            ConfigError: no such touchpoint; lists the valid ids.
        """
        for tp in self.touchpoints:
            if tp.id == touchpoint_id:
                return tp
        raise ConfigError(f"taxonomy {self.name!r} has no touchpoint {touchpoint_id!r}; valid ids: {', '.join(self.ids)}")

    def in_journey_order(self) -> list[Touchpoint]:
        """Touchpoints sorted by stage (journey order), then file order."""
        rank = {s.id: i for i, s in enumerate(self.stages)}
        return sorted(self.touchpoints, key=lambda t: rank[t.stage])


def _raw_stages(data: dict[str, Any]) -> list[Any]:
    stages = data.get("stages")
    if stages is None:  # journey order = first appearance in the touchpoints
        seen: list[str] = []
        for tp in data.get("touchpoints") or []:
            stage = tp.get("stage") if isinstance(tp, dict) else None
            if isinstance(stage, str) and stage not in seen:
                seen.append(stage)
        return [{"id": s} for s in seen]
    if isinstance(stages, list):
        return [{"id": s} if isinstance(s, str) else s for s in stages]
    return stages  # wrong type: reported by the validation


def _where(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """``touchpoint #2 ('livraison'), key 'keywords'`` from a pydantic error location."""
    if len(loc) >= 2 and loc[0] in ("touchpoints", "stages") and isinstance(loc[1], int):
        items = data.get(loc[0]) if isinstance(data.get(loc[0]), list) else []
        item = items[loc[1]] if loc[1] < len(items) else None
        ident = item.get("id") if isinstance(item, dict) else item if isinstance(item, str) else None
        kind = "touchpoint" if loc[0] == "touchpoints" else "stage"
        head = f"{kind} #{loc[1] + 1}" + (f" ({ident!r})" if ident else "")
        rest = ".".join(str(p) for p in loc[2:])
        return f"{head}, key {rest!r}" if rest else head
    return "key " + repr(".".join(str(p) for p in loc) or "(top level)")


_ALLOWED = {
    "string_pattern_mismatch": "lower-case letters, digits and '_' (e.g. 'service_client')",
    "literal_error": "one of acces, usage, relation_client, partage",
    "list_type": "a YAML list, e.g. [a, b]",
    "string_type": "a string",
}


def _format(exc: ValidationError, data: dict[str, Any], origin: str) -> str:
    parts = []
    for err in exc.errors():
        where = _where(tuple(err["loc"]), data)
        if err["type"] == "missing":
            parts.append(f"{where}: missing (required)")
        elif err["type"] == "extra_forbidden":
            parts.append(f"{where}: unknown key (allowed: {', '.join(Touchpoint.model_fields)})")
        else:
            value = err.get("input")
            shown = "{...}" if isinstance(value, dict) else repr(value)[:80]
            allowed = _ALLOWED.get(err["type"], err["msg"])
            parts.append(f"{where} = {shown}: expected {allowed}")
    return f"invalid taxonomy {origin}: " + "; ".join(parts)


def _check_references(tax: Taxonomy, origin: str) -> None:
    problems = []
    stage_ids = [s.id for s in tax.stages]
    for dup in sorted({s for s in stage_ids if stage_ids.count(s) > 1}):
        problems.append(f"stage id {dup!r} is declared twice")
    ids = tax.ids
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"touchpoint id {dup!r} is used by {ids.count(dup)} touchpoints (ids must be unique)")
    if NOT_LINKED in ids:
        problems.append(f"touchpoint id {NOT_LINKED!r} is reserved for segments that fit no touchpoint")
    for n, tp in enumerate(tax.touchpoints, 1):
        if tp.stage not in stage_ids:
            problems.append(f"touchpoint #{n} ({tp.id!r}), key 'stage' = {tp.stage!r}: unknown stage; "
                            f"allowed: {', '.join(stage_ids)} (add it to 'stages')")
    if problems:
        raise ConfigError(f"invalid taxonomy {origin}: " + "; ".join(problems))


def taxonomy_from_dict(data: Any, origin: str = "(in memory)") -> Taxonomy:
    """Validate a taxonomy mapping (the parsed YAML).

    Raises:
        ConfigError: naming the file, the touchpoint, the key, the value and what is allowed
            (missing or mistyped keys, duplicate ids, unknown stages).
    """
    if not isinstance(data, dict):
        raise ConfigError(f"invalid taxonomy {origin}: expected a mapping with 'name' and 'touchpoints', "
                          f"got {type(data).__name__}")
    body = {**data, "stages": _raw_stages(data), "source": origin}
    try:
        tax = Taxonomy.model_validate(body)
    except ValidationError as exc:
        raise ConfigError(_format(exc, data, origin)) from None
    _check_references(tax, origin)
    return tax


def _builtin_dir() -> Any:
    return resources.files("verbatim.journey") / "taxonomies"


def builtin_taxonomies() -> list[str]:
    """Names of the taxonomies shipped with the package, sorted."""
    return sorted(p.name[: -len(".yaml")] for p in _builtin_dir().iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=32)
def _load_file(path: str, mtime: float) -> Taxonomy:
    origin = repr(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ConfigError(f"taxonomy file {origin} is not valid YAML ({problem}{where}); fix that line") from None
    tax = taxonomy_from_dict(data, origin)
    log.info("taxonomy %r loaded from %s: %d touchpoints, %d stages", tax.name, path, len(tax.touchpoints), len(tax.stages))
    return tax


def load_taxonomy(name_or_path: str | Path) -> Taxonomy:
    """Load a built-in taxonomy by name, or a user's YAML file by path (cached per file version).

    Raises:
        ConfigError: unknown name (lists the built-in names), missing file, invalid YAML or content.
    """
    text = str(name_or_path)
    path = Path(text).expanduser()
    if not (path.suffix in (".yaml", ".yml") or path.is_file()):
        if text not in builtin_taxonomies():
            raise ConfigError(f"unknown taxonomy {text!r}; built-in taxonomies: {', '.join(builtin_taxonomies())} "
                              "(or give the path of a YAML file)")
        path = Path(str(_builtin_dir() / f"{text}.yaml"))
    if not path.is_file():
        raise ConfigError(f"taxonomy file {str(path)!r} not found; built-in taxonomies: {', '.join(builtin_taxonomies())}")
    return _load_file(str(path.resolve()), path.stat().st_mtime)
