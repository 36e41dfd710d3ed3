"""Coverage-guided fuzzing (atheris / libFuzzer) of every connector's parse entry point.

Each target is one connector and one format: e-mail (.eml, .mbox), chat (JSON, JSONL, CSV),
survey (CSV, XLSX), tabular (CSV, XLSX, with an explicit column map) and social (JSON, JSONL).
``verbatim`` is instrumented, so libFuzzer keeps the inputs that reach new branches of the
connectors. Two kinds of input per target:

* ``bytes``: libFuzzer mutates raw files, starting from valid files of the format (seed corpus
  written by the same helper as the hypothesis tests). Invariants: no exception (a
  :class:`~verbatim.errors.VerbatimError` would be allowed, none is expected), every quarantine
  reason is a known one, every record is valid (non-blank text within ``max_record_chars``, a
  date, scores in range), and a non-blank file gives at least one record or quarantine row (a
  survey or tabular CSV of a single line is a header without rows, as in the hypothesis tests).
* ``records``: the fuzzer's bytes choose 1 to 8 texts (any script, quotes, separators, newlines),
  written with the format's own writer; exactly one record or one quarantine row per text written
  (nothing lost, nothing invented), blank texts quarantined as ``empty_text``.

Each target runs in its own process (libFuzzer exits when done) for ``--runs`` iterations or
``--seconds`` seconds, whichever comes first::

    .venv/bin/python benchmarks/fuzz_connectors.py --runs 20000 --seconds 30 [--targets chat.json ...]

It prints one markdown row per target (iterations, seconds, coverage edges, corpus size, finding)
and, with ``--json FILE``, writes them as JSON. A failing input is kept in ``--artifacts``
(default: a temporary folder) and its traceback is printed. Not part of ``make test``: atheris is
an optional dev dependency.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: target -> (connector, suffix)
TARGETS: dict[str, tuple[str, str]] = {
    "email.eml": ("email", ".eml"), "email.mbox": ("email", ".mbox"),
    "chat.json": ("chat", ".json"), "chat.jsonl": ("chat", ".jsonl"), "chat.csv": ("chat", ".csv"),
    "survey.csv": ("survey", ".csv"), "survey.xlsx": ("survey", ".xlsx"),
    "tabular.csv": ("tabular", ".csv"), "tabular.xlsx": ("tabular", ".xlsx"),
    "social.json": ("social", ".json"), "social.jsonl": ("social", ".jsonl"),
}
MODES = ("bytes", "records")
#: Texts of the seed files (our own sentences).
SEEDS = ["Colis livré avec trois jours de retard, personne ne répond au téléphone.",
         "Très bon accueil en agence ; dossier traité en 48 h, merci !",
         "« Remboursement » promis le 3/11, toujours rien : c'est \"inadmissible\"",
         "Appli qui plante\nau moment du paiement, deux fois de suite.", "Parfait", "   "]
#: Characters the structured mode does not put in texts (the hypothesis tests leave them out too:
#: line/paragraph separators and controls are line breaks for some formats, not text).
_EXCLUDED_CATEGORIES = {"Cs", "Cc", "Zl", "Zp"}
_EXCLUDED_CHARS = set("\ufffd\ufeff\x85")


# --------------------------------------------------------------------------- child: one target under libFuzzer

def _child(target: str, mode: str, runs: int, seconds: int, artifacts: Path, corpus: Path | None) -> None:
    import atheris

    with atheris.instrument_imports(include=["verbatim"]):
        from verbatim.config import ColumnMap, IngestConfig, SourceConfig
        from verbatim.errors import VerbatimError
        from verbatim.ingest import chat, email, social, survey, tabular
        from verbatim.schema import REASONS, SCORE_RANGES
    from tests.reliability.test_hostile_inputs import _blank, write_valid

    kind, suffix = TARGETS[target]
    readers = {"email": email.read_file, "chat": chat.read_file, "survey": survey.read_file,
               "tabular": tabular.read_file, "social": social.read_file}
    read_file = readers[kind]
    writer_kind = "survey" if kind == "tabular" else kind
    cfg = IngestConfig(max_record_chars=2000)
    work = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
    path = work / f"input{suffix}"
    columns = ColumnMap(text="Commentaire", id="id", date="date", nps="NPS") if kind == "tabular" else ColumnMap()
    source = SourceConfig(kind=kind, path=path, columns=columns)
    reasons = set(REASONS)

    def parse(data: bytes):  # noqa: ANN202
        path.write_bytes(data)
        try:
            batch = read_file(path, source, cfg)
        except VerbatimError:
            return None  # one of our own errors: allowed by the contract (none is expected)
        bad = set(batch.rejected["reason"]) - reasons
        assert not bad, f"unknown quarantine reasons {bad}"
        assert batch.rejected["location"].notna().all(), "a quarantine row has no location"
        records = batch.records
        if len(records):
            assert records["text"].map(lambda t: isinstance(t, str) and bool(t.strip())).all(), "a record has a blank text"
            assert records["text"].str.len().max() <= cfg.max_record_chars, "a record is longer than max_record_chars"
            assert records["received_at"].notna().all(), "a record has no date"
            for score, (low, high) in SCORE_RANGES.items():
                values = records[score].dropna()
                assert ((values >= low) & (values <= high)).all(), f"{score} out of range: {values.tolist()}"
        return batch

    header_only = suffix == ".csv" and kind in ("survey", "tabular")

    def one_bytes(data: bytes) -> None:
        batch = parse(data)
        if header_only and b"\n" not in data.rstrip(b"\r\n"):
            return  # a survey CSV of one line is a header without rows: nothing to account for (as in the hypothesis test)
        if batch is not None and not _blank(data):
            assert batch.read >= 1, "a non-blank file gave no record and no quarantine row"

    def one_records(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        n = 1 if suffix == ".eml" else fdp.ConsumeIntInRange(1, 8)
        texts = []
        for _ in range(n):
            raw = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 80))
            text = "".join(ch for ch in raw if ch not in _EXCLUDED_CHARS
                           and unicodedata.category(ch) not in _EXCLUDED_CATEGORIES)
            if kind == "email":  # an e-mail body as EmailMessage writes it: lone CRs are line breaks
                text = text.replace("\r", "\n")
            texts.append(text)
        batch = parse(write_valid(writer_kind, suffix, texts))
        assert batch is not None, "a valid file raised"
        assert batch.read == n, f"{n} written, {len(batch.records)} records + {len(batch.rejected)} quarantined"
        blank = sum(not t.strip() for t in texts)
        got = int((batch.rejected["reason"] == "empty_text").sum())
        assert got == blank, f"{blank} blank texts, {got} quarantined as empty_text: {texts!r}"

    corpus = corpus / f"{target}.{mode}" if corpus else work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    if mode == "bytes":
        for i in range(len(SEEDS)):
            texts = SEEDS[i:i + 1] if suffix == ".eml" else SEEDS[: i + 1]
            (corpus / f"seed{i}").write_bytes(write_valid(writer_kind, suffix, texts))
    max_len = 16384 if suffix == ".xlsx" else 4096
    args = [sys.argv[0], f"-runs={runs}", f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=4096",
            f"-max_len={max_len}", f"-artifact_prefix={artifacts}/{target}.{mode}.", "-print_final_stats=1", str(corpus)]
    atheris.Setup(args, one_bytes if mode == "bytes" else one_records)
    atheris.Fuzz()


# --------------------------------------------------------------------------- parent: every target, one process each

_DONE = re.compile(r"Done (\d+) runs in (\d+) second")
_EXECUTED = re.compile(r"stat::number_of_executed_units:\s+(\d+)")
_STAT = re.compile(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)")


def run_target(target: str, mode: str, runs: int, seconds: int, artifacts: Path, corpus: Path | None = None) -> dict:
    """Fuzz one target in a child process; returns its figures and finding (None when nothing failed)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", target, "--mode", mode, "--runs", str(runs),
           "--seconds", str(seconds), "--artifacts", str(artifacts), *(["--corpus", str(corpus)] if corpus else [])]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True, text=True,
                          check=False, timeout=seconds + 300)
    elapsed = time.perf_counter() - start
    log = proc.stdout + "\n" + proc.stderr  # atheris prints the Python exception on stdout, libFuzzer on stderr
    stats = _STAT.findall(log)
    done = _DONE.search(log) or _EXECUTED.search(log)
    iterations = int(done.group(1)) if done else (int(stats[-1][0]) if stats else 0)
    finding = None
    if proc.returncode != 0:
        lines = log.splitlines()
        start_at = next((i for i, line in enumerate(lines) if "Uncaught Python exception" in line or "ERROR: libFuzzer" in line), 0)
        finding = "\n".join(lines[start_at:start_at + 40])
    return {"target": target, "mode": mode, "iterations": iterations, "seconds": round(elapsed, 1),
            "coverage": int(stats[-1][1]) if stats else 0, "features": int(stats[-1][2]) if stats else 0,
            "corpus": int(stats[-1][3]) if stats else 0, "exit_code": proc.returncode, "finding": finding}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000, help="iterations per target and mode (default %(default)s)")
    parser.add_argument("--seconds", type=int, default=30, help="time limit per target and mode (default %(default)s)")
    parser.add_argument("--targets", nargs="*", choices=sorted(TARGETS), help="default: all")
    parser.add_argument("--modes", nargs="*", choices=MODES, default=list(MODES))
    parser.add_argument("--artifacts", type=Path, help="folder for failing inputs (default: a temporary folder)")
    parser.add_argument("--corpus", type=Path, help="keep each target's corpus here, to go on from it next time")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--child", choices=sorted(TARGETS), help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=MODES, default="bytes", help=argparse.SUPPRESS)
    args = parser.parse_args()
    artifacts = (args.artifacts or Path(tempfile.mkdtemp(prefix="fuzz-artifacts-"))).resolve()
    artifacts.mkdir(parents=True, exist_ok=True)
    if args.child:
        _child(args.child, args.mode, args.runs, args.seconds, artifacts, args.corpus and args.corpus.resolve())
        return 0
    results = []
    print("| target | mode | iterations | seconds | coverage edges | corpus | finding |")
    print("|---|---|---:|---:|---:|---:|---|")
    for target in args.targets or list(TARGETS):
        for mode in args.modes:
            r = run_target(target, mode, args.runs, args.seconds, artifacts, args.corpus and args.corpus.resolve())
            results.append(r)
            first = (r["finding"] or "").strip().splitlines()
            shown = "none" if r["exit_code"] == 0 else (first[1] if len(first) > 1 else f"exit {r['exit_code']}")
            print(f"| {target} | {mode} | {r['iterations']:,} | {r['seconds']:.0f} | {r['coverage']} | {r['corpus']} | {shown} |",
                  flush=True)
    total = sum(r["iterations"] for r in results)
    print(f"\n{total:,} iterations in {sum(r['seconds'] for r in results):.0f} s; "
          f"{sum(r['exit_code'] != 0 for r in results)} target(s) failed; failing inputs in {artifacts}")
    for r in results:
        if r["finding"]:
            print(f"\n--- {r['target']} ({r['mode']})\n{r['finding']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 1 if any(r["exit_code"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
