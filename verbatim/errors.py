"""One error hierarchy for the whole library.

Every message says what was expected, what came, and what to do. The CLI prints
``str(error)`` as one line and exits with a non-zero code; no traceback reaches the user.
"""

from __future__ import annotations


class VerbatimError(Exception):
    """Base class of every error Verbatim raises on purpose."""

    exit_code = 1


class ConfigError(VerbatimError):
    """The configuration file is missing, unreadable or invalid."""

    exit_code = 2


class PathError(ConfigError):
    """A path would make a run write outside its folders or through a link (see :mod:`verbatim.paths`)."""


class InputError(VerbatimError):
    """An input file or record cannot be read (connectors quarantine these instead of raising)."""

    exit_code = 3


class SchemaError(VerbatimError):
    """A DataFrame does not have the columns a stage expects."""

    exit_code = 4


class StoreError(VerbatimError):
    """The DuckDB store cannot be opened, read or written."""

    exit_code = 5


class ModelError(VerbatimError):
    """A model is missing, cannot be loaded, or is used before being fitted."""

    exit_code = 6
