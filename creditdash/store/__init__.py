"""Storage: engines, schema, imports and rollback, reading the ledger back."""

from creditdash.store.engine import has_schema, make_engine, migrate, open_store
from creditdash.store.imports import ImportSummary, import_sources, list_imports, rollback
from creditdash.store.load import data_version, load_ledger, row_counts
from creditdash.store.seed import load_demo

__all__ = [
    "ImportSummary",
    "data_version",
    "has_schema",
    "import_sources",
    "list_imports",
    "load_demo",
    "load_ledger",
    "make_engine",
    "migrate",
    "open_store",
    "rollback",
    "row_counts",
]
