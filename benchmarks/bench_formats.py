"""Input formats read correctly: per format and per channel, files and records as a user exports them.

Every fixture of ``tests/data/formats/<channel>/`` is read as a user would (format recognised
by content, no option unless its expectation gives one) and compared, record by record, with
its hand-written expectation (``expected.json``; see ``tests/ingest/formats_harness.py``). A
file is correct when the right format was detected and every record and quarantine count
matches; a record is correct when every expected field matches. Prints a markdown block for
``BENCHMARKS.md``.

    python benchmarks/bench_formats.py [--verbose]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

from tests.ingest.formats_harness import Outcome, check, expectations  # noqa: E402


def _table(rows: dict[str, list[Outcome]], title: str) -> list[str]:
    lines = [f"| {title} | files | files correct | records expected | records correct | accounted (read = stored + quarantined) |",
             "|---|---:|---:|---:|---:|---:|"]
    for key, outcomes in sorted(rows.items()):
        expected = sum(o.records_expected for o in outcomes)
        correct = sum(o.records_correct for o in outcomes)
        share = f"{correct / expected:.0%}" if expected else "–"
        lines.append(f"| `{key}` | {len(outcomes)} | {sum(o.ok for o in outcomes)} | {expected} | {correct} ({share}) | "
                     f"{sum(o.accounted for o in outcomes)}/{len(outcomes)} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="print the problems of each file")
    args = parser.parse_args()
    outcomes = [check(channel, path, expected) for channel, path, expected in expectations()]
    by_format: dict[str, list[Outcome]] = defaultdict(list)
    by_channel: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_format[outcome.expected_format].append(outcome)
        by_channel[outcome.channel].append(outcome)
        if args.verbose and outcome.problems:
            print(f"{outcome.channel}/{outcome.file}: " + "; ".join(outcome.problems), file=sys.stderr)
    print(f"### Input formats ({machine()})\n")
    print("Own fixtures written in each tool's export structure (`tests/data/formats/`), read with the format "
          "recognised by content and compared field by field with hand-written expectations.\n")
    print("\n".join(_table(by_channel, "channel")))
    print()
    print("\n".join(_table(by_format, "format")))
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
