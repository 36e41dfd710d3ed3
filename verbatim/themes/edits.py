"""Analyst edits of themes: a YAML file next to the config, applied on every run.

Edits are keyed on ``theme_id``; refits keep ids (see :mod:`.match`), so edits survive them.
Example (``theme_edits.yaml``)::

    rename:                 # theme id -> label shown everywhere
      T003: Délai de remboursement
    merge:                  # theme id -> theme id it is folded into (chains are followed)
      T007: T003
      T012: T003
    pin:                    # theme id -> touchpoint id of the journey taxonomy
      T003: remboursement
    noise: [T015, T021]     # themes hidden from reports: their segments become T000 "non classé"

Every section is optional. An id that is not (or no longer) a theme is logged and skipped, so
a retired theme does not break the nightly run; malformed files raise :class:`ConfigError`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from verbatim.errors import ConfigError
from verbatim.themes.ids import ID_PATTERN, OUTLIER_ID, OUTLIER_LABEL

log = logging.getLogger(__name__)

_SECTIONS = ("rename", "merge", "pin", "noise")


@dataclass(frozen=True)
class ThemeEdits:
    """Validated analyst edits."""

    rename: dict[str, str] = field(default_factory=dict)
    merge: dict[str, str] = field(default_factory=dict)
    pin: dict[str, str] = field(default_factory=dict)
    noise: tuple[str, ...] = ()


def _theme_id(value: Any, where: str, origin: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value) or value == OUTLIER_ID:
        raise ConfigError(f"theme edits {origin}: {where} = {value!r} is not a theme id; expected 'T' and three "
                          "digits such as 'T003' (see the theme_id column of themes.csv)")
    return value


def _mapping(data: dict[str, Any], key: str, origin: str) -> dict[str, str]:
    section = data.get(key) or {}
    if not isinstance(section, dict):
        raise ConfigError(f"theme edits {origin}: key '{key}' must map theme ids to values "
                          f"(e.g. '{key}: {{T003: ...}}'), got {type(section).__name__}")
    result = {}
    for k, v in section.items():
        tid = _theme_id(k, f"key '{key}.{k}'", origin)
        if not isinstance(v, str) or not v.strip():
            raise ConfigError(f"theme edits {origin}: key '{key}.{k}' = {v!r}: expected a non-empty text")
        result[tid] = v.strip()
    return result


def parse_edits(data: Any, origin: str = "(in memory)") -> ThemeEdits:
    """Validate the mapping read from an edits file.

    Raises:
        ConfigError: unknown section, malformed id or value, merge cycle, naming the key and value.
    """
    if data is None:
        return ThemeEdits()
    if not isinstance(data, dict):
        raise ConfigError(f"theme edits {origin}: expected a mapping with keys {list(_SECTIONS)}, got {type(data).__name__}")
    unknown = [k for k in data if k not in _SECTIONS]
    if unknown:
        raise ConfigError(f"theme edits {origin}: unknown key {unknown[0]!r}; valid keys are {list(_SECTIONS)}")
    merge = _mapping(data, "merge", origin)
    for source, target in merge.items():
        _theme_id(target, f"key 'merge.{source}'", origin)
    noise = data.get("noise") or []
    if not isinstance(noise, list):
        raise ConfigError(f"theme edits {origin}: key 'noise' = {noise!r}: expected a list of theme ids, e.g. [T015]")
    edits = ThemeEdits(rename=_mapping(data, "rename", origin), merge=merge, pin=_mapping(data, "pin", origin),
                       noise=tuple(_theme_id(v, "an entry of 'noise'", origin) for v in noise))
    for source in merge:
        _merge_target(source, merge, origin)
    return edits


def load_edits(path: Path | str) -> ThemeEdits:
    """Read and validate an edits YAML file.

    Raises:
        ConfigError: the file is missing, is not YAML, or is invalid (see :func:`parse_edits`).
    """
    path = Path(path)
    origin = f"in {str(path)!r}"
    if not path.is_file():
        raise ConfigError(f"theme edits file {str(path)!r} not found; create it or remove [themes].edits from the config")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"theme edits {origin} is not valid YAML: {exc}") from None
    return parse_edits(data, origin)


def _merge_target(theme: str, merge: dict[str, str], origin: str = "") -> str:
    seen = [theme]
    while theme in merge:
        theme = merge[theme]
        if theme in seen:
            raise ConfigError(f"theme edits {origin}: key 'merge' has a cycle {' -> '.join([*seen, theme])}; "
                              "each theme must end in one target")
        seen.append(theme)
    return theme


def apply_edits(themes: pd.DataFrame, assignments: pd.DataFrame, edits: ThemeEdits | Path | str | None,
                touchpoints: Collection[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply analyst edits to a themes table and to segment assignments (inputs are not modified).

    Order: merges, then renames, pins and noise (on the merge targets).

    Args:
        themes: reads ``theme_id``, ``label``, ``n_segments`` (other columns kept), e.g. ``ThemeModel.themes_``.
        assignments: reads ``theme_id`` and, if present, ``theme_label`` (other columns kept), e.g.
            the output of ``ThemeModel.transform``.
        edits: parsed edits, a path to the YAML file, or None (no edits).
        touchpoints: valid touchpoint ids; when given, a pin to another id raises ConfigError.

    Returns:
        ``(themes, assignments)``. ``themes``: merged themes removed and their ``n_segments``
        added to the target; ``label`` renamed; new columns ``touchpoint`` (pinned id or None)
        and ``noise`` (bool; rows kept so analysts see them). ``assignments``: ``theme_id`` of
        merged themes replaced by the target, of noise themes by ``T000``; ``theme_label``
        refreshed.
    """
    if edits is not None and not isinstance(edits, ThemeEdits):
        edits = load_edits(edits)
    edits = edits or ThemeEdits()
    known = set(themes["theme_id"])
    referenced = {*edits.rename, *edits.merge, *edits.merge.values(), *edits.pin, *edits.noise}
    for missing in sorted(referenced - known):
        log.warning("theme edits: %s is not a theme of this model (retired at a refit?); its edits are skipped", missing)
    if touchpoints is not None:
        for tid, tp in edits.pin.items():
            if tp not in touchpoints:
                raise ConfigError(f"theme edits: key 'pin.{tid}' = {tp!r} is not a touchpoint id; valid ids: {sorted(touchpoints)}")

    target = {t: _merge_target(t, {s: d for s, d in edits.merge.items() if s in known and d in known}) for t in known}
    sizes = themes["n_segments"].groupby(themes["theme_id"].map(target)).sum()
    themes = themes.loc[np.array([target[t] == t for t in themes["theme_id"]], dtype=bool)].copy()
    themes["n_segments"] = themes["theme_id"].map(sizes).astype("int64")
    themes["label"] = [edits.rename.get(t, label) for t, label in zip(themes["theme_id"], themes["label"], strict=True)]
    themes["touchpoint"] = themes["theme_id"].map(edits.pin).astype(object).where(lambda s: s.notna(), None)
    noise = {target.get(t, t) for t in edits.noise}
    themes["noise"] = themes["theme_id"].isin(noise)

    assignments = assignments.copy()
    ids = assignments["theme_id"].map(lambda t: target.get(t, t))
    ids = ids.where(~ids.isin(noise), OUTLIER_ID)
    assignments["theme_id"] = ids
    if "theme_label" in assignments.columns:
        labels = dict(zip(themes["theme_id"], themes["label"], strict=True)) | {OUTLIER_ID: OUTLIER_LABEL}
        assignments["theme_label"] = ids.map(lambda t: labels.get(t, OUTLIER_LABEL))
    return themes.reset_index(drop=True), assignments
