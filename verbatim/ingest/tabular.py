"""Tabular connector: any CSV/XLSX of verbatims described by an explicit ``[sources.columns]`` map.

This is how a reviews export (``id, stars, text, insurer, product, date_publication``) comes in::

    [[sources]]
    kind = "tabular"
    path = "exports/avis.csv"
    channel = "survey"
    [sources.columns]
    text = "text"
    id = "id"
    date = "date_publication"
    date_format = "%d/%m/%Y"
    csat = "stars"            # "5.0" reads as 5
    metadata = ["insurer", "product"]

It is the survey reader (:func:`verbatim.ingest.survey.read_table`) with two differences: the
records get the source's ``channel`` (default ``survey``), and ``text`` must be mapped explicitly
(a file without it becomes one ``unreadable_file`` row listing the headers found). The other
fields fall back to the survey connector's header recognition when unset.
"""

from __future__ import annotations

import logging
from pathlib import Path

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.common import Batch
from verbatim.ingest.formats import InputFormat, register
from verbatim.ingest.survey import read_table

log = logging.getLogger(__name__)


def read_file(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a CSV/XLSX file with an explicit column map into a batch.

    Writes every ``RECORD_COLUMNS`` column, as :func:`verbatim.ingest.survey.read_file` does,
    with ``channel`` = ``source.channel`` (default ``"survey"``).

    Never raises for bad input: bad rows and unreadable files are quarantined.
    """
    return read_table(path, source, cfg, channel=source.channel or "survey", recognise_text=False)


register(InputFormat(
    name="tabular.v1", channel="tabular", extensions=(".csv", ".tsv", ".xlsx"),
    reads="any CSV/XLSX of verbatims with an explicit column map ([sources.columns] or --text-column ...)",
    fields={"record": "one row", "text": "[sources.columns].text (required)", "date": "[sources.columns].date",
            "customer": "[sources.columns].customer", "scores": "[sources.columns].nps / csat / ces",
            "id": "[sources.columns].id, else line-N"},
    sniff=lambda probe: 0.0, read=read_file))
