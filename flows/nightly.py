"""The nightly flow: ingest every configured source, analyse what is new, write the run folder.

Each task calls one library function. Only the tasks that read the outside world (sources)
retry. The run's accounting goes to ``run.json`` in the dated run folder and to the log.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from verbatim import stages, workers
from verbatim.clean import clean_verbatims
from verbatim.config import Config, IngestConfig, SourceConfig, load_config
from verbatim.ingest import read_source, source_fingerprints
from verbatim.ingest.common import Batch, split_future
from verbatim.lock import run_lock
from verbatim.paths import check_run_targets
from verbatim.runs import RunSummary, new_run_id, parse_as_of, run_folder, update_latest, write_run_json
from verbatim.store import Accounting, Store

T = TypeVar("T")


@task(name="read-source", retries=2, retry_delay_seconds=2, cache_policy=NONE)
def read_source_task(source: SourceConfig, ingest: IngestConfig, skip: frozenset = frozenset()) -> Batch:
    """Read one source (file, folder or glob) into a batch, except the files in ``skip``; retried on failure."""
    return read_source(source, ingest, skip)


@task(name="store-batch", cache_policy=NONE)
def store_batch_task(store_path: Path, batch: Batch, run_id: str) -> Accounting:
    """Write a batch to the store in one transaction and return its accounting."""
    with Store(store_path) as store:
        return store.add_batch(batch, run_id)


def in_processes(cfg: Config, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on the first free core of this machine: a worker process, or the flow's own process.

    Under the local runner, ``[flow].processes`` counts the flow's own process: the pool of
    :mod:`verbatim.workers` has ``processes - 1`` workers, and the flow's process, which already
    holds every model, is the last core (:func:`verbatim.workers.run`; it is busy while the flow
    embeds or fits themes). So the CPU-bound stages use ``processes`` cores while paying only
    ``processes - 1`` worker start-ups. On a Dask worker, or with one process, everything runs
    in the calling thread. Same result either way. If the pool breaks (a worker killed), the
    partition is redone here, when the flow's core is free, and a new pool starts on next use.
    """
    helpers = cfg.flow.processes - 1
    if cfg.runner != "local" or helpers < 1:
        return fn(*args)
    try:
        return workers.run(fn, *args, workers=helpers)
    except BrokenProcessPool:
        logging.getLogger(__name__).warning("the worker processes broke (one was killed); running the partition in the flow")
    return workers.run(fn, *args, workers=0)  # here, when the flow's core is free


@task(name="clean-partition", cache_policy=NONE)
def clean_partition_task(pending: pd.DataFrame, cfg: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean, mask and segment one partition of verbatims (pure: runs on any worker of the task runner)."""
    return in_processes(cfg, clean_verbatims, pending, cfg.clean.model_copy(update={"workers": 1}))


def clean_stage(cfg: Config, run_id: str, summary: RunSummary) -> dict[str, Any]:
    """Clean every verbatim not cleaned yet, partition by partition through the flow's task runner.

    Partitions of ``[flow].chunk_size`` verbatims are read from the store, cleaned in parallel
    (see :func:`partitioned`), and written back in order by the flow, the store's only writer.
    """
    def write(result: tuple[pd.DataFrame, pd.DataFrame]) -> int:
        with Store(cfg.store.path) as store:
            store.add_cleaned(*result, run_id)
        return len(result[0])

    _timed(summary, "clean", partitioned, cfg, stages.pending_clean(cfg), stages.clean_work, clean_partition_task, write)
    with Store(cfg.store.path) as store:
        stats = store.clean_stats(run_id)
    summary.stages["clean"] = stats
    return stats


@task(name="enrich-partition", cache_policy=NONE)
def enrich_partition_task(verbatims: pd.DataFrame, segments: pd.DataFrame, cfg: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sentiment, emotion, effort and intent of one partition of verbatims (pure)."""
    return in_processes(cfg, stages.enrich_partition, verbatims, segments, cfg)


@task(name="embed-partition", cache_policy=NONE)
def embed_partition_task(hashes: list[str], texts: list[str], cfg: Config) -> tuple[list[str], Any]:
    """Embeddings of one partition of segment texts not in the cache yet (pure)."""
    return stages.embed_partition(hashes, texts, cfg)


@task(name="themes", cache_policy=NONE)
def themes_task(cfg: Config, run_id: str) -> dict[str, Any]:
    """Assign new segments to themes (fit the first time, discover new themes when the pool asks)."""
    return stages.update_themes(cfg, run_id)


@task(name="link-partition", cache_policy=NONE)
def link_partition_task(segments: pd.DataFrame, embeddings: Any, assignments: pd.DataFrame | None,
                        prototypes: stages.PrototypeVectors, cfg: Config) -> pd.DataFrame:
    """Touchpoints of one partition of segments (pure)."""
    return in_processes(cfg, stages.link_partition, segments, embeddings, assignments, prototypes, cfg)


def partitioned(cfg: Config, keys: list[Any], read: Callable[[Config, list[Any]], tuple[Any, ...]], compute: Any,
                write: Callable[[Any], int]) -> int:
    """Run one heavy stage partition by partition through the flow's task runner; returns the total ``write`` reported.

    ``keys`` (what the stage has not processed yet) are cut into partitions of ``[flow].chunk_size``;
    ``read(cfg, keys)`` loads one partition's rows from the store, ``compute`` (a pure task) is
    submitted to the task runner (threads and worker processes locally, worker processes on Dask),
    and the flow, the store's only writer, writes each result in order with ``write``. Up to
    ``[flow].partitions`` partitions are analysed while the flow reads the next one and writes the
    oldest, so reads and writes overlap the analysis; memory stays bounded by the partitions in flight.
    A stage with fewer than ``[flow].process_min_rows`` keys (a quiet night) stays out of the
    worker processes (:func:`in_processes`): their start-up would cost more than they save.
    """
    if len(keys) < cfg.flow.process_min_rows and cfg.flow.processes > 1:
        cfg = cfg.model_copy(update={"flow": cfg.flow.model_copy(update={"processes": 1})})
    done = 0
    in_flight: deque = deque()
    for part in stages.chunks(keys, cfg.flow.chunk_size):
        in_flight.append(compute.submit(*read(cfg, part), cfg))
        if len(in_flight) > cfg.flow.partitions:
            done += write(in_flight.popleft().result())
    while in_flight:
        done += write(in_flight.popleft().result())
    return done


def enrich_stage(cfg: Config, run_id: str) -> int:
    """Sentiment and signals of every analysed verbatim not enriched yet; returns how many."""
    return partitioned(cfg, stages.pending_enrich(cfg), stages.enrich_work, enrich_partition_task,
                       lambda result: stages.store_enrichment(cfg, result, run_id))


def embed_stage(cfg: Config) -> int:
    """Embed every new segment text missing from the store's cache; returns how many texts."""
    texts = stages.pending_embed(cfg)  # read once: the cache is probed for the night's texts only
    return partitioned(cfg, list(texts), lambda _, hashes: (hashes, [texts[h] for h in hashes]), embed_partition_task,
                       lambda result: stages.store_embeddings(cfg, result))


def link_stage(cfg: Config, run_id: str) -> int:
    """Touchpoints of every segment not linked yet; returns how many."""
    keys = stages.pending_links(cfg)
    if not keys:
        return 0
    prototypes = stages.link_prototypes(cfg)  # once for the stage, sent with each partition
    return partitioned(cfg, keys, lambda c, ids: (*stages.link_work(c, ids), prototypes), link_partition_task,
                       lambda links: stages.store_links(cfg, links, run_id))


def analysis_stages(cfg: Config, run_id: str, summary: RunSummary) -> tuple[int, int]:
    """Sentiment alongside embeddings, themes and touchpoints; returns the verbatims enriched and segments linked.

    Sentiment reads only the cleaned segments and the three others never read sentiment, so it
    runs in a second thread of the flow, its partitions sharing the task runner and the worker
    processes with linking's while the flow's own thread embeds and fits themes. Their times
    overlap in ``run.json``. Fills ``summary.stages``.
    """
    context = contextvars.copy_context()  # Prefect's flow-run context, for the tasks the thread submits
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="enrich") as side:
        enriching = side.submit(context.run, _timed, summary, "enrich", enrich_stage, cfg, run_id)
        with workers.computing_here():  # the flow's own core embeds and fits: sentiment's partitions go to the workers
            summary.stages["embed"] = {"texts": _timed(summary, "embed", embed_stage, cfg)}
            summary.stages["themes"] = _timed(summary, "themes", themes_task, cfg, run_id)
        linked = _timed(summary, "journey", link_stage, cfg, run_id)
        enriched = enriching.result()
    summary.stages["enrich"] = {"verbatims": enriched}
    summary.stages["journey"] = {"segments": linked}
    return enriched, linked


@task(name="write-outputs", cache_policy=NONE)
def outputs_task(cfg: Config, folder: Path, as_of: datetime, run: dict[str, Any]) -> dict[str, Any]:
    """Write the run folder: themes, hot spots, callbacks, report, Parquet exports."""
    return stages.write_outputs(cfg, folder, as_of, run)


def publish_artifacts(summary: RunSummary, outputs: dict[str, Any]) -> None:
    """Keyed Prefect artifacts (their history shows in the UI): run summary, hot spots, alerts."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    c = summary.counts
    lines = [f"# Verbatim, run {summary.run_id}", "",
             f"Lus {c.get('read', 0)} · nouveaux {c.get('new', 0)} · déjà vus {c.get('already_seen', 0)} · "
             f"en quarantaine {c.get('quarantined', 0)} · pas encore dus {c.get('not_yet', 0)}", "",
             "| étape | secondes |", "|---|---:|", *[f"| {k} | {v} |" for k, v in summary.timings.items()]]
    create_markdown_artifact(key="verbatim-run", markdown="\n".join(lines), description="Comptes et durées du run")
    if outputs.get("hotspots_table"):
        create_table_artifact(key="verbatim-hotspots", table=outputs["hotspots_table"], description="Top 10 des points chauds")
    create_markdown_artifact(key="verbatim-alerts", markdown=outputs.get("alerts_markdown") or "Aucune alerte.",
                             description="Alertes de la nuit")


def _timed(summary: RunSummary, stage: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    start = time.perf_counter()
    try:
        return fn(*args, **kwargs)
    finally:
        summary.timings[stage] = round(summary.timings.get(stage, 0.0) + time.perf_counter() - start, 3)


def ingest_stage(cfg: Config, run_id: str, summary: RunSummary, as_of: datetime | None) -> Accounting:
    """Read and store every source; fill the summary's per-source and total counts.

    With ``as_of`` (replays, backfills), records received after it are left for a later night
    and counted as ``not_yet`` (``read = new + already_seen + quarantined + not_yet``). With
    ``[ingest].skip_unchanged_files``, files read in full by an earlier run and unchanged since
    are not read again (counted per source as ``skipped_files``), so a folder that keeps every
    past export does not make each night re-read the history.
    """
    reader = read_source_task.with_options(retries=cfg.ingest.retries, retry_delay_seconds=cfg.ingest.retry_delay_seconds)
    total = Accounting()
    reasons: dict[str, int] = {}
    not_yet_total = 0
    for source in cfg.sources:
        skip = stages.skippable_files(cfg, source)
        files = source_fingerprints(source)  # taken before reading: a file changed meanwhile is read again next night
        batch = _timed(summary, "ingest.read", reader, source, cfg.ingest, skip)
        not_yet = 0
        if as_of is not None:
            batch, not_yet = split_future(batch, as_of)
        acc = _timed(summary, "ingest.store", store_batch_task, cfg.store.path, batch, run_id)
        fresh = [fp for fp in files if fp not in skip]
        if cfg.ingest.skip_unchanged_files and not not_yet:  # a file with records for later nights is read again
            with Store(cfg.store.path) as store:
                store.record_files(source.label, fresh, run_id)
        acc.read += not_yet
        not_yet_total += not_yet
        summary.sources[source.label] = {**_counts(acc), "not_yet": not_yet, "skipped_files": len(files) - len(fresh),
                                         "formats": dict(sorted(batch.formats.items()))}
        for reason, n in batch.rejected["reason"].value_counts().items():
            reasons[str(reason)] = reasons.get(str(reason), 0) + int(n)
        total = total + acc
    summary.counts = {**_counts(total), "not_yet": not_yet_total}
    summary.quarantine_reasons = dict(sorted(reasons.items()))
    return total


def _counts(acc: Accounting) -> dict[str, int]:
    return {"read": acc.read, "new": acc.new, "already_seen": acc.duplicates, "quarantined": acc.quarantined}


@flow(name="verbatim-nightly", log_prints=False)
def nightly(config_path: str, as_of: str | None = None) -> dict[str, Any]:
    """Run the nightly analysis for one configuration file.

    Args:
        config_path: path of the TOML configuration.
        as_of: ISO date the run evaluates its windows at (default: today).

    Returns:
        The content of ``run.json``, plus ``output_dir`` (the run folder).
    """
    cfg = load_config(config_path)
    as_of_dt = parse_as_of(as_of, cfg.ingest.timezone)
    started = datetime.now(UTC)
    run_id = new_run_id(as_of_dt, started)
    with run_lock(cfg.store.path):
        return _nightly(cfg, config_path, as_of, as_of_dt, started, run_id)


def _nightly(cfg: Config, config_path: str, as_of: str | None, as_of_dt: datetime, started: datetime,
             run_id: str) -> dict[str, Any]:
    """The body of :func:`nightly`, run while holding the store's lock."""
    logger = get_run_logger()
    check_run_targets(cfg)  # no planted link under a name the run writes (see verbatim.paths)
    folder = run_folder(cfg.output.dir, run_id)
    summary = RunSummary(run_id=run_id, as_of=as_of_dt.isoformat(), started_at=started.isoformat(), config=str(Path(config_path).resolve()))
    with Store(cfg.store.path) as store:
        interrupted = store.interrupt_stale_runs(run_id)  # we hold the lock: no other run is alive
        store.start_run(run_id, as_of_dt)
    for stale in interrupted:
        logger.warning("run %s was still 'running' in the store with no process holding its lock (killed?): "
                       "marked interrupted", stale)
    status = "failed"
    try:
        total = ingest_stage(cfg, run_id, summary, as_of_dt if as_of is not None else None)
        logger.info("ingest: read %d, new %d, already seen %d, quarantined %d, not yet due %d",
                    total.read, total.new, total.duplicates, total.quarantined, summary.counts["not_yet"])
        with Store(cfg.store.path):  # keeps the database open: the stages' connections share it, side by side
            stats = clean_stage(cfg, run_id, summary)
            logger.info("clean: %d verbatims cleaned, %d analysed, %d segments; languages %s",
                        stats["cleaned"], stats["analysed"], stats["segments"], stats["languages"])
            enriched, linked = analysis_stages(cfg, run_id, summary)
        outputs = _timed(summary, "outputs", outputs_task, cfg, folder, as_of_dt, summary.as_dict())
        summary.stages["outputs"] = {"files": outputs["files"], "alerts": outputs["alerts"]}
        logger.info("analysis: %d verbatims enriched, themes %s, %d segments linked",
                    enriched, summary.stages["themes"], linked)
        if outputs["alerts"]:
            logger.warning("%d hot spot(s) in alert:\n%s", outputs["alerts"], outputs["alerts_markdown"])
        publish_artifacts(summary, outputs)
        status = "completed"
    finally:
        summary.status = status
        summary.finished_at = datetime.now(UTC).isoformat()
        summary.timings["total"] = round((datetime.now(UTC) - started).total_seconds(), 3)
        write_run_json(folder, summary)
        with Store(cfg.store.path) as store:
            store.finish_run(run_id, status, summary.as_dict())
        update_latest(cfg.output.dir, folder)
    logging.getLogger(__name__).debug("run folder %s", folder)
    logger.info("run folder: %s", folder)
    return {**summary.as_dict(), "output_dir": str(folder)}


def deployment(config_path: str, cron: str = "0 2 * * *", timezone: str = "Europe/Paris", name: str = "verbatim-nightly"):  # noqa: ANN201
    """The nightly flow as a Prefect deployment with a cron schedule in ``timezone`` (served by ``verbatim serve``)."""
    from prefect.schedules import Cron

    return nightly_for(load_config(config_path)).to_deployment(
        name=name,
        schedule=Cron(cron, timezone=timezone),
        parameters={"config_path": str(Path(config_path).resolve())},
        description="Ingest the day's feedback, analyse what is new, write the dated report folder.",
        tags=["verbatim"],
    )


def task_runner(cfg: Config):  # noqa: ANN201
    """The task runner of ``[runner]``: Prefect's thread pool locally, ``prefect-dask`` for ``"dask"``.

    With ``dask_address`` the flow uses that existing cluster; without it, a temporary
    ``LocalCluster`` of ``[flow].partitions`` single-threaded worker processes.
    """
    if cfg.runner == "dask":
        from prefect_dask import DaskTaskRunner

        if cfg.dask_address:
            return DaskTaskRunner(address=cfg.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": cfg.flow.partitions, "threads_per_worker": 1, "processes": True})
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=cfg.flow.partitions)


def nightly_for(cfg: Config):  # noqa: ANN201
    """The nightly flow with the task runner the configuration asks for."""
    return nightly.with_options(task_runner=task_runner(cfg))


def serve_nightly(config_path: str, cron: str = "0 2 * * *", timezone: str = "Europe/Paris", name: str = "verbatim-nightly") -> None:
    """Serve :func:`deployment` until interrupted (``verbatim serve``)."""
    from prefect import serve

    serve(deployment(config_path, cron=cron, timezone=timezone, name=name))
