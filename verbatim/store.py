"""The DuckDB store: verbatims, quarantine and runs (later stages add their own tables).

Writes are transactional and idempotent: a batch is written in one transaction, records whose
``verbatim_id`` is already stored are counted as duplicates and not written again, and a
quarantine row is keyed by (source, location, reason) so that re-reading a broken file does not
add it twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from verbatim.errors import StoreError
from verbatim.ingest.common import Batch
from verbatim.ingest.keys import assign_verbatim_ids
from verbatim.paths import refuse_symlink, store_files
from verbatim.schema import QUARANTINE_COLUMNS, VERBATIM_COLUMNS

log = logging.getLogger(__name__)

#: Version 2: ``verbatim_sentiment`` has ``probleme`` (BOOLEAN; NULL for rows scored before it existed).
SCHEMA_VERSION = 2
#: Columns added to tables that a stage creates from its frame: (version, table, column, SQL type). A store opened
#: for writing gets those its tables lack (``ALTER TABLE ... ADD COLUMN``), then ``meta.schema_version`` is raised.
_ADDED_COLUMNS: tuple[tuple[int, str, str, str], ...] = ((2, "verbatim_sentiment", "probleme", "BOOLEAN"),)

#: ``runs.status`` of a run whose process died before it could record its end (the others:
#: ``running``, ``completed``, ``failed``).
INTERRUPTED = "interrupted"

ANALYSED_SEGMENT_COLUMNS: tuple[str, ...] = (
    "segment_id", "verbatim_id", "segment", "channel", "received_at", "customer_id", "nps", "csat", "ces", "text",
    "sentiment", "sentiment_score", "sentiment_strength", "emotion", "effort", "theme_id", "theme_label",
    "touchpoint", "touchpoints", "touchpoint_confidence", "family", "dimension",
    "verbatim_sentiment", "intent", "intents", "score_conflict", "mixed", "metadata",
)

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS verbatims (
    verbatim_id VARCHAR PRIMARY KEY,
    channel VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    customer_id VARCHAR,
    text VARCHAR NOT NULL,
    nps SMALLINT,
    csat SMALLINT,
    ces SMALLINT,
    metadata JSON,
    location VARCHAR,
    run_id VARCHAR,
    ingested_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS quarantine (
    quarantine_id VARCHAR PRIMARY KEY,
    source VARCHAR, location VARCHAR, reason VARCHAR, detail VARCHAR, excerpt VARCHAR,
    run_id VARCHAR, quarantined_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS cleaned (
    verbatim_id VARCHAR PRIMARY KEY,
    clean_text VARCHAR, language VARCHAR, language_score DOUBLE, analysed BOOLEAN,
    n_segments INTEGER, signals JSON, pii JSON, run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS segments (
    segment_id VARCHAR PRIMARY KEY,
    verbatim_id VARCHAR NOT NULL, segment INTEGER, start INTEGER, "end" INTEGER,
    text VARCHAR, lemmas VARCHAR
);
CREATE TABLE IF NOT EXISTS source_files (
    source VARCHAR, path VARCHAR, size BIGINT, mtime_ns BIGINT, run_id VARCHAR, read_at TIMESTAMPTZ,
    PRIMARY KEY (source, path)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, as_of TIMESTAMPTZ,
    status VARCHAR, summary JSON
);
"""


@dataclass
class Accounting:
    """What became of the records read from one source (``read = new + duplicates + quarantined``)."""

    read: int = 0
    new: int = 0
    duplicates: int = 0
    quarantined: int = 0

    def __add__(self, other: Accounting) -> Accounting:
        return Accounting(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values(), strict=True)))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _quarantine_key(source: str, location: str, reason: str) -> str:
    return hashlib.blake2b("\x1f".join((source, location, reason)).encode(), digest_size=10).hexdigest()



@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> Iterator[None]:
    """``frame`` readable by SQL on ``con`` as the view ``name`` for the duration of the block."""
    con.register(name, frame)
    try:
        yield
    finally:
        con.unregister(name)

class Store:
    """A DuckDB file holding every stage's tables.

    DuckDB 2 refuses new work on a connection while a result is pending, so every query here
    is consumed whole (``fetchall``/``df``) before the next one.

    Args:
        path: the database file (created with its folder if missing).
        read_only: open without write access (reports, inspection).
    """

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if not read_only:  # DuckDB would write through a link planted under the store's name
            for file in store_files(self.path)[:2]:
                refuse_symlink(file, "the store file" if file == self.path else "the store's write-ahead log")
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path), read_only=read_only)
            self.con.execute("SET TimeZone = 'UTC'")
            if not read_only:
                self.con.execute(_DDL)
                self.con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]).fetchall()
                self._migrate()
        except (duckdb.Error, OSError) as exc:
            raise StoreError(
                f"cannot open the store {str(self.path)!r}: {exc}. Expected a DuckDB file that no other "
                "process is writing; check [store].path and that no other run is going on."
            ) from None

    def _migrate(self) -> None:
        """Bring an older store to :data:`SCHEMA_VERSION`: add the columns of :data:`_ADDED_COLUMNS` its tables lack."""
        version = int(self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()[0][0])
        if version >= SCHEMA_VERSION:
            return
        with self.transaction() as con:
            for since, table, column, sql_type in _ADDED_COLUMNS:
                if since > version and self.has_table(table):
                    con.execute(f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS "{column}" {sql_type}').fetchall()
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)]).fetchall()
        log.info("store %s migrated from schema version %d to %d", self.path, version, SCHEMA_VERSION)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run the block in one transaction: all of it is written, or nothing."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # ------------------------------------------------------------------ ingestion
    def add_batch(self, batch: Batch, run_id: str) -> Accounting:
        """Write a connector batch: new records and quarantine rows, in one transaction.

        Reads the batch's ``RECORD_COLUMNS`` and ``QUARANTINE_COLUMNS``; writes ``verbatims`` and
        ``quarantine``. Returns the accounting of the batch.
        """
        records = assign_verbatim_ids(batch.records)
        now = datetime.now(UTC)
        first = ~records["verbatim_id"].duplicated()
        unique = records[first]
        with self.transaction() as con:
            known: set[str] = set()
            if len(unique):
                with self._keys("verbatim_id", unique["verbatim_id"].tolist()):
                    known = {r[0] for r in con.execute("SELECT v.verbatim_id FROM verbatims v JOIN _keys USING (verbatim_id)").fetchall()}
            fresh = unique[~unique["verbatim_id"].isin(known)].copy()
            if len(fresh):
                fresh["run_id"] = run_id
                fresh["ingested_at"] = now
                with self._registered("_fresh", fresh[[*VERBATIM_COLUMNS, "run_id", "ingested_at"]]):
                    con.execute(f"INSERT INTO verbatims ({', '.join([*VERBATIM_COLUMNS, 'run_id', 'ingested_at'])}) SELECT * FROM _fresh").fetchall()
            if len(batch.rejected):
                rej = batch.rejected[list(QUARANTINE_COLUMNS)].copy()
                rej.insert(0, "quarantine_id", [_quarantine_key(s, loc, r) for s, loc, r in zip(rej["source"], rej["location"], rej["reason"], strict=True)])
                rej = rej.drop_duplicates("quarantine_id")
                rej["run_id"] = run_id
                rej["quarantined_at"] = now
                with self._registered("_rej", rej):
                    con.execute("INSERT OR IGNORE INTO quarantine SELECT * FROM _rej").fetchall()
        return Accounting(read=batch.read, new=len(fresh), duplicates=len(records) - len(fresh), quarantined=len(batch.rejected))

    # ------------------------------------------------------------------ cleaning
    def clean_stats(self, run_id: str) -> dict[str, Any]:
        """Counts of the verbatims cleaned in ``run_id``: total, analysed, segments, per language."""
        total, analysed, segments = self.con.execute(
            "SELECT count(*), count(*) FILTER (WHERE analysed), coalesce(sum(n_segments), 0) FROM cleaned WHERE run_id = ?",
            [run_id]).fetchall()[0]
        languages = dict(self.con.execute(
            "SELECT language, count(*) FROM cleaned WHERE run_id = ? GROUP BY 1 ORDER BY 2 DESC, 1", [run_id]).fetchall())
        return {"cleaned": int(total), "analysed": int(analysed), "not_analysed": int(total - analysed),
                "segments": int(segments), "languages": languages}

    def pending_clean(self) -> list[str]:
        """Ids of the stored verbatims not cleaned yet, oldest first (read them with :meth:`rows_for`)."""
        return self._ids("SELECT v.verbatim_id FROM verbatims v ANTI JOIN cleaned c USING (verbatim_id) "
                         "ORDER BY v.received_at, v.verbatim_id")

    def add_cleaned(self, cleaned: pd.DataFrame, segments: pd.DataFrame, run_id: str) -> int:
        """Write the cleaning stage's output (``CLEANED_COLUMNS``, ``SEGMENT_COLUMNS``) in one transaction.

        Returns the number of verbatims newly written (already-cleaned ones are skipped).
        """
        from verbatim.clean import CLEANED_COLUMNS, SEGMENT_COLUMNS

        with self.transaction() as con:
            before = self.count("cleaned")
            frame = cleaned[list(CLEANED_COLUMNS)].copy()
            frame["run_id"] = run_id
            with self._registered("_cleaned", frame):
                con.execute(f"INSERT OR IGNORE INTO cleaned ({', '.join([*CLEANED_COLUMNS, 'run_id'])}) SELECT * FROM _cleaned").fetchall()
            if len(segments):
                cols = ", ".join(f'"{c}"' for c in SEGMENT_COLUMNS)
                with self._registered("_segments", segments[list(SEGMENT_COLUMNS)]):
                    con.execute(f"INSERT OR IGNORE INTO segments ({cols}) SELECT * FROM _segments").fetchall()
            return self.count("cleaned") - before

    # ------------------------------------------------------------------ analysis tables
    def has_table(self, name: str) -> bool:
        return bool(self.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()[0][0])

    def upsert(self, table: str, frame: pd.DataFrame, key: str) -> int:
        """Write ``frame`` to ``table`` (created from the frame's columns if missing), replacing rows with the same ``key``.

        One transaction: re-writing the same rows changes nothing. Returns the rows written.
        """
        if frame.empty:
            return 0
        with self.transaction() as con, self._registered("_upsert", frame):
            if not self.has_table(table):
                con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM _upsert LIMIT 0').fetchall()
            con.execute(f'DELETE FROM "{table}" WHERE "{key}" IN (SELECT "{key}" FROM _upsert)').fetchall()
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _upsert').fetchall()
        return len(frame)

    def replace_table(self, table: str, frame: pd.DataFrame) -> None:
        """Replace the whole content of ``table`` with ``frame`` (one transaction)."""
        with self.transaction() as con, self._registered("_replace", frame):
            con.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM _replace').fetchall()

    def table(self, name: str) -> pd.DataFrame:
        """The whole table (empty frame when it does not exist yet)."""
        if not self.has_table(name):
            return pd.DataFrame()
        return self.con.execute(f'SELECT * FROM "{name}"').df()

    _ANALYSED_SQL = ("SELECT c.verbatim_id, c.clean_text, v.channel, v.received_at, v.customer_id, v.nps, v.csat, v.ces "
                     "FROM cleaned c JOIN verbatims v USING (verbatim_id)")

    def verbatims_without(self, table: str) -> list[str]:
        """Ids of the analysed verbatims with no row in ``table`` yet, oldest first (read them with :meth:`analysed_verbatims`)."""
        anti = f'ANTI JOIN "{table}" t USING (verbatim_id)' if self.has_table(table) else ""
        return self._ids(f"SELECT c.verbatim_id FROM cleaned c JOIN verbatims v USING (verbatim_id) {anti} "
                         f"WHERE c.analysed ORDER BY v.received_at, c.verbatim_id")

    def analysed_verbatims(self, verbatim_ids: list[str]) -> pd.DataFrame:
        """The given cleaned verbatims, oldest first: ``verbatim_id``, ``clean_text``, ``channel``,
        ``received_at``, ``customer_id``, ``nps``, ``csat``, ``ces``."""
        with self._keys("verbatim_id", verbatim_ids):
            return self.con.execute(f"{self._ANALYSED_SQL} SEMI JOIN _keys USING (verbatim_id) "
                                    "ORDER BY v.received_at, c.verbatim_id").df()

    def segments_of(self, verbatim_ids: list[str]) -> pd.DataFrame:
        """Every segment (``SEGMENT_COLUMNS``) of the given verbatims, in verbatim then segment order."""
        return self.rows_for("segments", "verbatim_id", verbatim_ids, order_by="verbatim_id, segment")

    def _pending_segments_sql(self, table: str) -> str:
        """Segments with no row in ``table`` yet, with their verbatim's fields (see :meth:`segments_without`)."""
        anti = f'ANTI JOIN "{table}" t USING (segment_id)' if self.has_table(table) else ""
        return (f"SELECT s.*, v.channel, v.received_at, v.customer_id, v.nps, v.csat, v.ces FROM segments s "
                f"JOIN verbatims v USING (verbatim_id) {anti}")

    def segments_without(self, table: str, limit: int | None = None) -> pd.DataFrame:
        """Segments of analysed verbatims that have no row in ``table`` yet, with their verbatim's fields.

        Columns: ``SEGMENT_COLUMNS`` + ``channel``, ``received_at``, ``customer_id``, ``nps``,
        ``csat``, ``ces``; ordered by verbatim date then segment.
        """
        sql = f"{self._pending_segments_sql(table)} ORDER BY v.received_at, s.segment_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.con.execute(sql).df()

    def verbatims_with_segments_without(self, table: str) -> list[str]:
        """Ids of the verbatims that have a segment with no row in ``table`` yet, oldest first."""
        return self._ids(f"WITH pending AS ({self._pending_segments_sql(table)}) SELECT verbatim_id FROM pending "
                         f"GROUP BY verbatim_id ORDER BY min(received_at), verbatim_id")

    def segments_without_of(self, table: str, verbatim_ids: list[str]) -> pd.DataFrame:
        """Like :meth:`segments_without`, for the given verbatims only (a partition never splits a verbatim)."""
        with self._keys("verbatim_id", verbatim_ids):
            return self.con.execute(f"SELECT p.* FROM ({self._pending_segments_sql(table)}) p SEMI JOIN _keys USING (verbatim_id) "
                                    f"ORDER BY p.received_at, p.segment_id").df()

    def _ids(self, sql: str) -> list[str]:
        return [row[0] for row in self.con.execute(sql).fetchall()]

    def _registered(self, name: str, frame: pd.DataFrame) -> AbstractContextManager[None]:
        """``frame`` readable by SQL as the view ``name`` for the duration of the block (:func:`registered`)."""
        return registered(self.con, name, frame)

    def _keys(self, key: str, values: list[Any]) -> AbstractContextManager[None]:
        """``values`` registered as the one-column view ``_keys`` (column ``key``) for the duration of the block."""
        return self._registered("_keys", pd.DataFrame({key: pd.Series(list(values), dtype="object")}))

    def theme_sizes(self) -> dict[str, int]:
        """Segments per ``theme_id`` stored in ``segment_themes`` (the outlier pool included)."""
        return dict(self.con.execute("SELECT theme_id, count(*) FROM segment_themes GROUP BY theme_id").fetchall())

    def theme_counts(self, theme_map: pd.DataFrame, outlier_id: str,
                     not_linked: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Per-theme counts over the whole history, aggregated by DuckDB (no segment is loaded into pandas).

        Args:
            theme_map: ``original_id`` (a ``theme_id`` of ``segment_themes``) -> ``theme_id`` (after
                the analyst's merges and noise).
            outlier_id: the unassigned pool's id (it gets no touchpoint votes).
            not_linked: the touchpoint counted for a segment without a ``segment_links`` row.

        Returns:
            ``(stats, votes)``. ``stats``: ``theme_id``, ``n_segments``, ``n_verbatims``,
            ``negative_share``, ``mean_sentiment`` (see :func:`verbatim.analysis.summary_table`).
            ``votes``: ``theme_id``, ``touchpoint``, ``n`` (see
            :func:`verbatim.journey.main_touchpoints`); None when nothing is linked yet.
        """
        scored = self.has_table("segment_sentiment")
        sentiment = ("count(DISTINCT s.verbatim_id), avg(CASE WHEN s.sentiment = 'negatif' THEN 1.0 ELSE 0.0 END), "
                     "avg(s.sentiment_score)") if scored else "0, 0.0, CAST(NULL AS DOUBLE)"
        join = "LEFT JOIN segment_sentiment s ON s.segment_id = a.segment_id" if scored else ""
        base = "FROM segment_themes a JOIN _theme_map m ON a.theme_id = m.original_id"
        with self._registered("_theme_map", theme_map[["original_id", "theme_id"]]):
            stats = self.con.execute(f"SELECT m.theme_id, count(*), {sentiment} {base} {join} GROUP BY m.theme_id").df()
            linked = self.has_table("segment_links") and self.con.execute("SELECT count(*) FROM segment_links").fetchone()[0]
            votes = self.con.execute(
                f"SELECT m.theme_id, coalesce(l.touchpoint, ?) AS touchpoint, count(*) AS n {base} "
                "LEFT JOIN segment_links l ON l.segment_id = a.segment_id WHERE m.theme_id <> ? GROUP BY 1, 2",
                [not_linked, outlier_id]).df() if linked else None
        stats.columns = ["theme_id", "n_segments", "n_verbatims", "negative_share", "mean_sentiment"]
        return stats, votes

    def rows_for(self, table: str, key: str, values: list[Any], order_by: str | None = None) -> pd.DataFrame:
        """The rows of ``table`` whose ``key`` is in ``values``, optionally ordered by the columns
        ``order_by`` (empty frame when the table does not exist)."""
        if not self.has_table(table):
            return pd.DataFrame()
        order = f" ORDER BY {order_by}" if order_by else ""
        with self._keys(key, values):
            return self.con.execute(f'SELECT t.* FROM "{table}" t SEMI JOIN _keys USING ("{key}"){order}').df()

    def select(self, table: str, columns: list[str]) -> pd.DataFrame:
        """Some columns of a whole table (empty frame with those columns when the table does not exist)."""
        if not self.has_table(table):
            return pd.DataFrame(columns=columns)
        quoted = ", ".join(f'"{c}"' for c in columns)
        return self.con.execute(f'SELECT {quoted} FROM "{table}"').df()

    def analysed_segments(self, since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
        """Every analysed segment with its verbatim's fields and every annotation (the input of hot spots and reports).

        Columns (see :data:`ANALYSED_SEGMENT_COLUMNS`): segment and verbatim ids, ``channel``,
        ``received_at``, ``customer_id``, scores, masked ``text``, segment sentiment and signals,
        ``theme_id``/``theme_label``, ``touchpoint``/``touchpoints``/``touchpoint_confidence``,
        ``family``/``dimension``, and the verbatim's ``verbatim_sentiment``, ``intent``,
        ``intents``, ``score_conflict``, ``mixed``, ``metadata``. Annotations a stage has not
        written yet are null. ``since``/``until`` bound ``received_at`` (inclusive).
        """
        joins, cols = [], []
        optional = {
            "segment_sentiment": ("ss", "segment_id", ["sentiment", "sentiment_score", "sentiment_strength", "emotion", "effort"]),
            "segment_themes": ("st", "segment_id", ["theme_id", "theme_label"]),
            "segment_links": ("sl", "segment_id", ["touchpoint", "touchpoints", "touchpoint_confidence", "family", "dimension"]),
            "verbatim_sentiment": ("vs", "verbatim_id", ["sentiment AS verbatim_sentiment", "intent", "intents", "score_conflict", "mixed"]),
        }
        for table, (alias, key, columns) in optional.items():
            if self.has_table(table):
                joins.append(f'LEFT JOIN "{table}" {alias} ON {alias}.{key} = {"s" if key == "segment_id" else "v"}.{key}')
                cols += [f"{alias}.{c}" for c in columns]
            else:
                cols += [f"NULL AS {c.split(' AS ')[-1]}" for c in columns]
        where, params = [], []
        if since is not None:
            where.append("v.received_at >= ?")
            params.append(since)
        if until is not None:
            where.append("v.received_at <= ?")
            params.append(until)
        sql = (f"SELECT s.segment_id, s.verbatim_id, s.segment, v.channel, v.received_at, v.customer_id, v.nps, v.csat, v.ces, "
               f"s.text, {', '.join(cols)}, v.metadata FROM segments s JOIN verbatims v USING (verbatim_id) {' '.join(joins)}"
               + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY v.received_at, s.segment_id")
        return self.con.execute(sql, params).df()

    # ------------------------------------------------------------------ source files
    def known_files(self, source: str) -> frozenset[tuple[str, int, int]]:
        """Fingerprints ``(path, size, mtime_ns)`` of the files of ``source`` read in full by earlier runs."""
        rows = self.con.execute("SELECT path, size, mtime_ns FROM source_files WHERE source = ?", [source]).fetchall()
        return frozenset((str(p), int(s), int(m)) for p, s, m in rows)

    def record_files(self, source: str, fingerprints: list[tuple[str, int, int]], run_id: str) -> None:
        """Remember that these files of ``source`` were read in full and stored (call after the batch is stored)."""
        if not fingerprints:
            return
        frame = pd.DataFrame(fingerprints, columns=["path", "size", "mtime_ns"]).assign(
            source=source, run_id=run_id, read_at=datetime.now(UTC))
        with self._registered("_files", frame), self.transaction() as con:
            con.execute("INSERT OR REPLACE INTO source_files SELECT source, path, size, mtime_ns, run_id, read_at FROM _files")

    # ------------------------------------------------------------------ runs
    def start_run(self, run_id: str, as_of: datetime) -> None:
        with self.transaction() as con:
            con.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, NULL, ?, 'running', NULL)",
                        [run_id, datetime.now(UTC), as_of]).fetchall()

    def interrupt_stale_runs(self, by_run: str) -> list[str]:
        """Mark every run still ``running`` (except ``by_run``) as ``interrupted``; return their ids, oldest first.

        Call it only while holding the store's run lock (:func:`verbatim.lock.run_lock`): the lock
        proves that no other run is alive, so a ``running`` row is one whose process died (SIGKILL,
        power loss) before it could record its end. Writes ``runs.finished_at`` (now),
        ``runs.status`` and ``runs.summary`` (``status``, ``reason``, ``detected_by``), in one
        transaction.
        """
        now = datetime.now(UTC)
        with self.transaction() as con:
            stale = con.execute("SELECT run_id, started_at FROM runs WHERE status = 'running' AND run_id <> ? "
                                "ORDER BY started_at, run_id", [by_run]).fetchall()
            for run_id, started_at in stale:
                summary = {"run_id": run_id, "status": INTERRUPTED, "started_at": started_at, "reason": (
                    "the run ended without recording its end (killed, or the machine stopped); found by run "
                    f"{by_run}, which took the store's lock"), "detected_by": by_run}
                con.execute("UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
                            [now, INTERRUPTED, json.dumps(summary, default=str), run_id]).fetchall()
        return [r[0] for r in stale]

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        with self.transaction() as con:
            con.execute("UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
                        [datetime.now(UTC), status, json.dumps(summary, default=str), run_id]).fetchall()

    # ------------------------------------------------------------------ reads
    def count(self, table: str) -> int:
        return int(self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])

    def verbatims(self, where: str = "", params: list[Any] | None = None) -> pd.DataFrame:
        """Stored verbatims (columns ``VERBATIM_COLUMNS`` + ``run_id``, ``ingested_at``)."""
        sql = "SELECT * FROM verbatims" + (f" WHERE {where}" if where else "") + " ORDER BY received_at, verbatim_id"
        return self.con.execute(sql, params or []).df()

    def quarantine(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM quarantine ORDER BY source, location").df()
