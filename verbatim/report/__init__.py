"""The analysts' report and the Parquet exports of a run.

* :func:`render_report` / :func:`write_report`: ``report.html``, one self-contained French page.
* :func:`write_parquet_exports`: ``verbatims.parquet`` and ``segments.parquet`` without customer
  ids nor raw text.
"""

from verbatim.report.exports import write_parquet_exports
from verbatim.report.html import build_context, render_report, write_report

__all__ = ["build_context", "render_report", "write_parquet_exports", "write_report"]
