"""The store: the only code that opens DuckDB."""

from .case import Case, find_case, init_case, open_case
from .load import Load, LoadSummary
from .schema import SCHEMA_VERSION, TABLES

__all__ = ["Case", "find_case", "init_case", "open_case", "Load", "LoadSummary", "SCHEMA_VERSION", "TABLES"]
