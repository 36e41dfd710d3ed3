"""Reliability figures: fault cases, bad-input cases and fuzzing iterations run; records lost; personal data leaked.

Runs the reliability suite (``tests/reliability``) with pytest, which counts what it does into a
JSON file (see ``tests/reliability/conftest.py``), and prints a markdown block for the
reliability section of BENCHMARKS.md (it writes nothing itself).

    python benchmarks/bench_reliability.py [--fuzz-scale 1.0] [-k EXPR] [--atheris FILE]

``--fuzz-scale`` multiplies the hypothesis examples of every fuzz test (10 runs ten times more).
``--atheris`` adds the coverage-guided fuzzing figures that ``benchmarks/fuzz_connectors.py
--json FILE`` wrote (atheris is not part of the suite).
Known bugs are ``xfail(strict=True)`` tests: they are listed with their reasons, and the losses
and leaks they show are counted in the figures (the figures say what the code does today).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def run_suite(fuzz_scale: float, select: str | None) -> tuple[dict, dict, float, int]:
    """(figures, junit summary, seconds, pytest exit code)."""
    with tempfile.TemporaryDirectory() as tmp:
        figures_path, junit = Path(tmp) / "figures.json", Path(tmp) / "junit.xml"
        env = {**os.environ, "VERBATIM_RELIABILITY_FIGURES": str(figures_path), "VERBATIM_FUZZ_SCALE": str(fuzz_scale)}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/reliability", f"--junitxml={junit}"]
        if select:
            cmd += ["-k", select]
        start = time.perf_counter()
        code = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False).returncode
        seconds = time.perf_counter() - start
        figures = json.loads(figures_path.read_text(encoding="utf-8")) if figures_path.exists() else {"figures": {}, "details": {}}
        return figures, _junit(junit), seconds, code


def _junit(path: Path) -> dict:
    summary: dict = {"passed": 0, "failed": 0, "xfailed": 0, "skipped": 0, "xfail_reasons": {}, "failures": []}
    if not path.exists():
        return summary
    for case in ET.parse(path).getroot().iter("testcase"):  # noqa: S314 - pytest's own report, written just now
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        skipped = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None:
            summary["failed"] += 1
            summary["failures"].append(name)
        elif skipped is not None and skipped.get("type") == "pytest.xfail":
            summary["xfailed"] += 1
            reason = (skipped.get("message") or "").removeprefix("xfail: ").removeprefix("reason: ")
            summary["xfail_reasons"].setdefault(reason, []).append(name)
        elif skipped is not None:
            summary["skipped"] += 1
        else:
            summary["passed"] += 1
    return summary


def atheris_rows(results: list[dict]) -> list[str]:
    """Table rows of ``fuzz_connectors.py --json`` results: iterations, targets, failures."""
    if not results:
        return []
    targets = {r["target"] for r in results}
    failed = [f"{r['target']} ({r['mode']})" for r in results if r["exit_code"]]
    return [f"| coverage-guided fuzzing iterations (atheris, {len(targets)} connector formats x {len(results) // len(targets)} "
            f"input kinds, `benchmarks/fuzz_connectors.py`) | {sum(r['iterations'] for r in results):,} |",
            f"| atheris targets that failed | {len(failed)}{': ' + ', '.join(failed) if failed else ''} |"]


def markdown(figures: dict, junit: dict, seconds: float, fuzz_scale: float, atheris: list[dict] | None = None) -> str:
    f = figures.get("figures", {})
    details = figures.get("details", {})
    fault_cases = f.get("crash.kill_points", 0) + f.get("crash.fault_cases", 0) + f.get("lock.cases", 0) + f.get("config.cases", 0)
    bad_input = f.get("hostile.bad_input_cases", 0) + f.get("untrusted.cases", 0)
    lost = f.get("crash.records_lost", 0) + f.get("hostile.records_lost", 0)
    lines = [
        "## Reliability",
        "",
        f"`python benchmarks/bench_reliability.py --fuzz-scale {fuzz_scale:g}` on {machine()}; "
        f"suite `tests/reliability` in {seconds:.0f} s: {junit['passed']} passed, {junit['xfailed']} known bugs (xfail), "
        f"{junit['failed']} failed, {junit['skipped']} skipped.",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| fault cases run (SIGKILL points {f.get('crash.kill_points', 0)}, torn model write {f.get('crash.fault_cases', 0)}, "
        f"concurrent runs {f.get('lock.cases', 0)}, config/environment errors {f.get('config.cases', 0)}) | {fault_cases} |",
        f"| bad-input cases run (named hostile files and values, untrusted files) | {bad_input} |",
        f"| fuzzing iterations run (hypothesis examples over 9 formats) | {f.get('hostile.fuzz_iterations', 0)} |",
        *atheris_rows(atheris or []),
        f"| generated records checked one by one (structured fuzzing) | {f.get('hostile.structured_records', 0)} |",
        f"| records through the SIGKILL runs | {f.get('crash.records', 0)} |",
        f"| killed runs marked `interrupted` by the next run (none left `running`) | "
        f"{f.get('crash.runs_marked_interrupted', 0)} |",
        f"| **records lost** (must be 0) | **{lost}** |",
        f"| personal-data items planted (full flow) / outputs searched | {f.get('privacy.planted_items', 0)} / "
        f"{f.get('privacy.outputs_searched', 0)} |",
        f"| **personal-data items leaked** (must be 0) | **{f.get('privacy.items_leaked', 0)}** |",
        "",
    ]
    if details.get("crash.kills"):
        lines += ["Kill points (store state right after each SIGKILL):", ""] + [f"* {d}" for d in details["crash.kills"]] + [""]
    if details.get("privacy.leaks"):
        leaks = details["privacy.leaks"]
        lines += [f"Leaks found ({len(leaks)} item/output pairs), first ones:", ""] + [f"* {d}" for d in leaks[:8]] + [""]
    if junit["xfail_reasons"]:
        lines += ["Known bugs (strict xfail tests):", ""]
        for reason, names in junit["xfail_reasons"].items():
            lines.append(f"* {reason} ({len(names)} test{'s' if len(names) > 1 else ''})")
        lines.append("")
    if junit["failures"]:
        lines += ["Failing tests:", ""] + [f"* {n}" for n in junit["failures"]] + [""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz-scale", type=float, default=1.0, help="multiplier of the hypothesis examples (default 1)")
    parser.add_argument("-k", dest="select", help="pytest -k expression (run part of the suite)")
    parser.add_argument("--atheris", type=Path, help="JSON written by benchmarks/fuzz_connectors.py --json")
    args = parser.parse_args()
    figures, junit, seconds, code = run_suite(args.fuzz_scale, args.select)
    atheris = json.loads(args.atheris.read_text(encoding="utf-8")) if args.atheris else None
    print(markdown(figures, junit, seconds, args.fuzz_scale, atheris))
    return 0 if code in (0, 1) else code


if __name__ == "__main__":
    sys.exit(main())
