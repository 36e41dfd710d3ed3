"""Themes of French opinion units: fit, assign, match across runs, analyst edits.

* :class:`ThemeModel` - ``fit(segments, embeddings)``, ``transform``, ``update`` (nightly),
  ``refit`` (ids matched to the previous model), ``save``/``load`` (safetensors + JSON).
* :func:`apply_edits` - analyst edits YAML (rename, merge, pin, noise); format in :mod:`.edits`.
* Unassigned segments get :data:`OUTLIER_ID` (``"T000"``) and :data:`OUTLIER_LABEL`.
"""

from verbatim.themes.edits import ThemeEdits, apply_edits, load_edits, parse_edits
from verbatim.themes.ids import OUTLIER_ID, OUTLIER_LABEL
from verbatim.themes.model import ASSIGNMENT_COLUMNS, THEME_COLUMNS, ThemeModel

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "OUTLIER_ID",
    "OUTLIER_LABEL",
    "THEME_COLUMNS",
    "ThemeEdits",
    "ThemeModel",
    "apply_edits",
    "load_edits",
    "parse_edits",
]
