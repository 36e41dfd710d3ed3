"""Checks run before a flow starts, so that configuration and environment errors give one clear line.

Each check raises the :class:`~verbatim.errors.VerbatimError` subclass of its problem: the store
cannot be opened (``StoreError``), the taxonomy or the theme edits file is invalid
(``ConfigError``), a model is missing (``ModelError``), the output folder is not writable.
"""

from __future__ import annotations

import os

from verbatim.config import Config
from verbatim.errors import ConfigError
from verbatim.paths import check_run_targets


def preflight(cfg: Config) -> None:
    """Check that everything the nightly run needs is there; raise the first problem found."""
    from verbatim.journey import load_taxonomy
    from verbatim.sentiment import load_sentiment_model
    from verbatim.store import Store
    from verbatim.themes import load_edits

    if not cfg.sources:
        raise ConfigError("the configuration has no [[sources]]; add at least one (kind and path) to read feedback from")
    try:
        cfg.output.dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"[output].dir {str(cfg.output.dir)!r} cannot be created ({exc.strerror or exc}); "
                          "choose a folder this user can write") from None
    if not os.access(cfg.output.dir, os.W_OK):
        raise ConfigError(f"[output].dir {str(cfg.output.dir)!r} is not writable; choose a folder this user can write")
    from verbatim.ingest.formats import get_format

    for source in cfg.sources:
        if source.format:
            get_format(source.format)  # ConfigError listing the registered names
    check_run_targets(cfg)  # no link planted where the run writes in the store folder
    Store(cfg.store.path).close()
    taxonomy = load_taxonomy(cfg.journey.taxonomy)
    if cfg.themes.edits is not None and cfg.themes.edits.exists():
        edits = load_edits(cfg.themes.edits)
        bad = {tid: tp for tid, tp in edits.pin.items() if tp not in taxonomy.ids}
        if bad:
            raise ConfigError(f"theme edits {str(cfg.themes.edits)!r}: pins {bad} name touchpoints that the taxonomy "
                              f"{taxonomy.name!r} does not have; valid ids: {list(taxonomy.ids)}")
    load_sentiment_model(cfg.sentiment.model_dir)
    from verbatim.embed import load_model

    load_model(cfg.embed)
