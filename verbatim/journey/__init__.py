"""Customer journey: taxonomies of touchpoints, segment and theme linking, journey view data.

* :func:`load_taxonomy` reads a built-in taxonomy (:func:`builtin_taxonomies`) or a user's YAML;
* :func:`link_segments` gives each segment its touchpoints, confidence, family and dimension;
* :func:`theme_touchpoints` gives each theme its main touchpoint (analyst pins win), from links or
  from counts (:func:`main_touchpoints`);
* :func:`rollup_touchpoints` gives each verbatim its main touchpoint and all those it reaches;
* :func:`journey_view` aggregates per stage and touchpoint in journey order for the report.
"""

from verbatim.journey.axis import DIMENSIONS, FAMILIES
from verbatim.journey.link import (
    LINK_COLUMNS,
    THEME_TOUCHPOINT_COLUMNS,
    link_prototype_texts,
    link_segments,
    main_touchpoints,
    theme_touchpoints,
)
from verbatim.journey.rollup import ROLLUP_COLUMNS, rollup_touchpoints
from verbatim.journey.taxonomy import NOT_LINKED, Taxonomy, Touchpoint, builtin_taxonomies, load_taxonomy, taxonomy_from_dict
from verbatim.journey.view import JOURNEY_VIEW_COLUMNS, journey_view

__all__ = [
    "DIMENSIONS",
    "FAMILIES",
    "JOURNEY_VIEW_COLUMNS",
    "LINK_COLUMNS",
    "NOT_LINKED",
    "ROLLUP_COLUMNS",
    "THEME_TOUCHPOINT_COLUMNS",
    "Taxonomy",
    "Touchpoint",
    "builtin_taxonomies",
    "journey_view",
    "link_prototype_texts",
    "link_segments",
    "load_taxonomy",
    "main_touchpoints",
    "rollup_touchpoints",
    "taxonomy_from_dict",
    "theme_touchpoints",
]
