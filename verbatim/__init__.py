"""Verbatim: French customer-feedback analysis (ingest, clean, enrich, themes, journey, hot spots).

The library is pure and never imports Prefect; orchestration lives in the ``flows`` package.
"""

__version__ = "0.1.0"
