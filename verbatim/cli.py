"""The ``verbatim`` command.

Sub-commands:
    ingest    read files of the four channels into the store and print the accounting
    formats   list the registered input formats and what each reads
    annotate  analyse a CSV/XLSX of texts in one go, without a store
    run       the nightly flow (Prefect) for one configuration file, one night or a backfill
    serve     the nightly flow as a scheduled Prefect deployment

Errors raised on purpose (:class:`VerbatimError`) print one line and exit non-zero; no traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verbatim import __version__
from verbatim.errors import VerbatimError

log = logging.getLogger("verbatim")

_CHANNEL_CHOICES = ("auto", "email", "chat", "survey", "social")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verbatim",
        description="Verbatim: French customer-feedback analysis (emails, chats, surveys, social posts).",
        epilog="Run 'verbatim COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"verbatim {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ing = sub.add_parser(
        "ingest",
        help="read files into the store and print what became of each record",
        description=(
            "Read .eml/.mbox emails, chat transcripts (JSON, JSONL, CSV), survey exports (CSV, XLSX) and social "
            "posts (JSON, JSONL) into the DuckDB store. Every record ends new, duplicate (already stored) or "
            "quarantined with a reason; read = new + duplicates + quarantined, per source and in total. "
            "Ingesting the same files again adds nothing."
        ),
    )
    ing.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or glob patterns")
    ing.add_argument("--store", default="var/verbatim.duckdb", metavar="FILE", help="DuckDB store (default: %(default)s)")
    ing.add_argument("--channel", default="auto", choices=_CHANNEL_CHOICES,
                     help="connector to use; 'auto' picks it per file from its extension and content (default)")
    ing.add_argument("--timezone", default="Europe/Paris", help="zone of dates given without one (default: %(default)s)")
    ing.add_argument("--json", action="store_true", help="print the accounting as one JSON object")
    ing.add_argument("--format", metavar="NAME", help="read every file with this registered format (see 'verbatim formats'); "
                     "default: recognised per file by content")
    ing.add_argument("--text-column", action="append", metavar="COL",
                     help="column (or JSON key) holding the text; repeat for several open questions")
    ing.add_argument("--id-column", metavar="COL", help="column holding the record id")
    ing.add_argument("--date-column", metavar="COL", help="column holding the date")
    ing.add_argument("--date-format", metavar="FMT", help="strptime format of the dates (ISO 8601 and dd/mm/yyyy are recognised)")
    ing.add_argument("--customer-column", metavar="COL", help="column holding the customer id")
    ing.add_argument("--score", action="append", metavar="KIND=COL", default=[],
                     help="column holding a score: nps=COL, csat=COL or ces=COL (repeatable)")
    ing.add_argument("--agent", action="append", metavar="NAME", default=[],
                     help="a name of the business's own side in chat exports that name people (repeatable)")

    sub.add_parser("formats", help="list the registered input formats and what each reads",
                   description="List every registered input format: its name (for --format or [[sources]] format), its "
                               "channel, the files it reads, and which field becomes text, date, author, customer id and "
                               "scores, and which side of a conversation is the customer.").add_argument(
        "--json", action="store_true", help="print the formats as a JSON array")

    ann = sub.add_parser(
        "annotate",
        help="analyse a CSV/XLSX of texts in one go (no store) and write one row per input row",
        description="Analyse a CSV (delimiter and encoding detected) or XLSX of texts without a store. Writes one row "
                    "per input row, in input order, with the columns id, sentiment, sentiment_score, touchpoint, "
                    "touchpoints, theme_id, theme_label, emotion, effort, intent, language, probleme (themes are fitted on the "
                    "input). With --segments-out, one row per opinion unit (PII-masked text); with --themes-out, "
                    "one row per theme.",
    )
    ann.add_argument("input", metavar="INPUT", help="CSV or XLSX file")
    ann.add_argument("--text-column", required=True, metavar="COL", help="column holding the text")
    ann.add_argument("--id-column", metavar="COL", help="column holding an id (default: row number from 1)")
    ann.add_argument("--date-column", metavar="COL", help="column holding a date (adds first_seen/last_seen to the themes)")
    ann.add_argument("--taxonomy", metavar="NAME_OR_PATH",
                     help="journey taxonomy: a built-in name (ecommerce, assurance, transport, banque, telecom, energie) "
                          "or a YAML file (default: [journey].taxonomy of the config, else ecommerce)")
    ann.add_argument("--out", required=True, metavar="OUT.csv", help="one row per input row")
    ann.add_argument("--segments-out", metavar="SEG.csv", help="one row per segment: id, segment, text, ...")
    ann.add_argument("--themes-out", metavar="THEMES.csv", help="one row per theme fitted on the input (themes.csv columns)")
    ann.add_argument("--config", metavar="FILE", help="TOML configuration for thresholds and models (default: built-in)")

    run = sub.add_parser(
        "run",
        help="run the nightly flow (ingest, analyse, report) for a configuration",
        description="Run the nightly Prefect flow for one TOML configuration: ingest every source, analyse what is "
                    "new, and write a dated folder in [output].dir (and update its 'latest').",
    )
    run.add_argument("--config", required=True, metavar="FILE", help="TOML configuration file")
    run.add_argument("--as-of", metavar="DATE", help="evaluate windows as if today were DATE (YYYY-MM-DD); records "
                     "received later are left for a later night")
    run.add_argument("--since", metavar="DATE", help="backfill: one run per night from DATE (YYYY-MM-DD) ...")
    run.add_argument("--until", metavar="DATE", help="... to DATE included (default: today)")

    serve = sub.add_parser(
        "serve",
        help="serve the nightly flow as a Prefect deployment on a schedule",
        description="Serve the nightly flow as a Prefect deployment with a cron schedule (blocks; stop with Ctrl-C). "
                    "Without PREFECT_API_URL it uses a local Prefect server; point PREFECT_API_URL at a long-lived "
                    "server to see runs in its UI (see the README).",
    )
    serve.add_argument("--config", required=True, metavar="FILE", help="TOML configuration file")
    serve.add_argument("--cron", default="0 2 * * *", help="cron schedule (default: '%(default)s', every night at 2:00)")
    serve.add_argument("--timezone", default="Europe/Paris", help="time zone of the schedule (default: %(default)s)")
    serve.add_argument("--name", default="verbatim-nightly", help="deployment name (default: %(default)s)")
    return parser


def _column_map(args: argparse.Namespace) -> dict[str, Any]:
    """``[sources.columns]`` from the command line's ``--text-column``, ``--score nps=COL``... options."""
    from verbatim.errors import ConfigError

    columns: dict[str, Any] = {}
    if args.text_column:
        columns["text"] = args.text_column[0] if len(args.text_column) == 1 else list(args.text_column)
    for key in ("id", "date", "customer"):
        value = getattr(args, f"{key}_column")
        if value:
            columns[key] = value
    if args.date_format:
        columns["date_format"] = args.date_format
    for item in args.score:
        kind, _, column = item.partition("=")
        kind = kind.strip().lower()
        if kind not in ("nps", "csat", "ces") or not column.strip():
            raise ConfigError(f"--score {item!r}: expected KIND=COLUMN with KIND one of nps, csat, ces (e.g. --score nps=Q3)")
        columns[kind] = column.strip()
    return columns


def _cmd_ingest(args: argparse.Namespace) -> int:
    from verbatim.config import IngestConfig, SourceConfig
    from verbatim.ingest import read_source
    from verbatim.ingest.formats import get_format
    from verbatim.store import Accounting, Store

    ingest_cfg = IngestConfig(timezone=args.timezone)
    if args.format:
        get_format(args.format)  # an unknown name is one clear line before anything is read
    columns = _column_map(args)
    run_id = "ingest_" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    per_source: dict[str, dict[str, int]] = {}
    formats: dict[str, dict[str, int]] = {}
    total = Accounting()
    with Store(args.store) as store:
        for raw in args.paths:
            source = SourceConfig(kind=args.channel, path=Path(raw), format=args.format, columns=columns, agents=args.agent)
            batch = read_source(source, ingest_cfg)
            acc = store.add_batch(batch, run_id)
            per_source[raw] = acc.as_dict()
            formats[raw] = batch.formats
            total = total + acc
    result = {**total.as_dict(), "sources": per_source, "formats": formats}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        width = max(len(s) for s in per_source) if per_source else 6
        print(f"{'source':<{width}}  {'read':>7} {'new':>7} {'duplicates':>10} {'quarantined':>11}")
        for name, c in [*per_source.items(), ("total", total.as_dict())]:
            print(f"{name:<{width}}  {c['read']:>7} {c['new']:>7} {c['duplicates']:>10} {c['quarantined']:>11}")
        print(f"store: {args.store}")
    return 0


def _cmd_annotate(args: argparse.Namespace) -> int:
    from verbatim.annotate import annotate_frame, read_table
    from verbatim.config import Config, load_config

    cfg = load_config(args.config) if args.config else Config()
    table = read_table(Path(args.input))
    with _progress() as progress:
        bar = progress.add_task("annotate", total=5)

        def on_stage(name: str) -> None:
            progress.update(bar, description=f"annotate: {name} ({len(table)} lignes)", advance=0 if name == "nettoyage" else 1)

        result = annotate_frame(table, args.text_column, cfg, id_column=args.id_column, date_column=args.date_column,
                                taxonomy=args.taxonomy, on_stage=on_stage)
        progress.update(bar, completed=5)
    _write_csv(result.rows, Path(args.out))
    if args.segments_out:
        _write_csv(result.segments, Path(args.segments_out))
    if args.themes_out:
        _write_csv(result.themes, Path(args.themes_out))
    print(f"annotated {len(result.rows)} rows ({len(result.segments)} segments, {len(result.themes)} themes) -> {args.out}")
    return 0


def _cmd_formats(args: argparse.Namespace) -> int:
    from verbatim.ingest.formats import all_formats, describe

    formats = [describe(f) for f in all_formats().values()]
    if args.json:
        print(json.dumps(formats, ensure_ascii=False, indent=1))
        return 0
    for fmt in formats:
        print(f"{fmt['name']}  [{fmt['channel']}]  {' '.join(fmt['extensions'])}")
        print(f"    {fmt['reads']}")
        for key, value in fmt["fields"].items():
            print(f"    {key:<14} {value}")
    return 0


def _write_csv(frame: object, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8")  # type: ignore[attr-defined]


def _cmd_run(args: argparse.Namespace) -> int:
    from verbatim.config import load_config
    from verbatim.lock import run_lock
    from verbatim.preflight import preflight

    cfg = load_config(args.config)  # fail fast, before Prefect starts, on a bad config
    nights = _nights(args, cfg.ingest.timezone)
    with run_lock(cfg.store.path):  # one run per store: checked before Prefect starts or the store is opened
        preflight(cfg)
        _prestart_workers(cfg)
        _prefect_env()
        from flows.nightly import nightly_for

        return _run_nights(nightly_for(cfg), args, nights)


def _prestart_workers(cfg: Any) -> None:
    """Start the flow's worker processes now when tonight's input is large (``[flow].prestart_min_bytes``).

    Under the local runner with ``[flow].processes`` above 1 only; they load their models while
    Prefect starts (see :func:`verbatim.workers.start`).
    """
    if cfg.runner != "local" or cfg.flow.processes < 2:
        return
    from verbatim import stages, workers

    if stages.unread_input_bytes(cfg) >= cfg.flow.prestart_min_bytes:
        workers.start(cfg.flow.processes - 1, stages.load_partition_models, cfg, wait=False)


def _run_nights(nightly: Any, args: argparse.Namespace, nights: list[str | None]) -> int:
    status = 0
    with _progress(enabled=len(nights) > 1) as progress:
        bar = progress.add_task("nuits", total=len(nights))
        for as_of in nights:
            progress.update(bar, description=f"nuit {as_of or 'aujourd’hui'}")
            result = nightly(config_path=str(Path(args.config).resolve()), as_of=as_of)
            counts = result["counts"]
            print(
                f"run {result['run_id']}: read {counts['read']}, new {counts['new']}, already seen {counts['already_seen']}, "
                f"quarantined {counts['quarantined']}, not yet due {counts.get('not_yet', 0)}")
            print(f"results: {result['output_dir']}")
            print(f"report: {Path(result['output_dir']) / 'report.html'}")
            progress.advance(bar)
            status = status or (0 if result["status"] == "completed" else 1)
    return status


def _progress(enabled: bool = True):  # noqa: ANN202
    """A rich progress bar with elapsed time (silent when not a terminal or not enabled)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console()
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=console, disable=not enabled or not console.is_terminal)


def _nights(args: argparse.Namespace, tz: str) -> list[str | None]:
    """The ``as_of`` of each run: one (``--as-of`` or today) or every night of ``--since``..``--until``."""
    from datetime import date, timedelta

    from verbatim.errors import ConfigError
    from verbatim.runs import parse_as_of

    if args.since is None:
        if args.until is not None:
            raise ConfigError("--until needs --since (the first night of the backfill)")
        parse_as_of(args.as_of, tz)
        return [args.as_of]
    if args.as_of is not None:
        raise ConfigError("use either --as-of (one night) or --since/--until (a backfill), not both")
    first = parse_as_of(args.since, tz).date()
    last = parse_as_of(args.until, tz).date() if args.until else date.today()
    if last < first:
        raise ConfigError(f"--until {last} is before --since {first}; expected since <= until")
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _prefect_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _cmd_serve(args: argparse.Namespace) -> int:
    from verbatim.config import load_config
    from verbatim.preflight import preflight

    preflight(load_config(args.config))
    _prefect_env()
    from flows.nightly import serve_nightly

    serve_nightly(args.config, cron=args.cron, timezone=args.timezone, name=args.name)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``verbatim`` console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers = {"ingest": _cmd_ingest, "formats": _cmd_formats, "annotate": _cmd_annotate, "run": _cmd_run, "serve": _cmd_serve}
    try:
        return handlers[args.command](args)
    except VerbatimError as exc:
        message = " ".join(str(exc).split())  # one line, whatever the message holds
        print(f"verbatim {args.command}: error: {message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("verbatim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
