"""Prefect flows: thin tasks, one library call each. The library (``verbatim``) never imports Prefect."""
