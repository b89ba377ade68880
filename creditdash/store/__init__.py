"""Storage, the floor under the domains: engines, schema, migrations, reading the ledger back.

Tables are declared in `models` (the ledger and the import log) and in one
`*_models` module per domain; each domain keeps its own reads and writes
(`creditdash.risk.policy_store`, `creditdash.importing`, ...). Nothing here
imports a package above it (tests/store/test_floor.py checks).
"""

from creditdash.store.engine import has_schema, make_engine, migrate, open_store
from creditdash.store.load import data_version, list_imports, load_ledger, row_counts

__all__ = [
    "data_version",
    "has_schema",
    "list_imports",
    "load_ledger",
    "make_engine",
    "migrate",
    "open_store",
    "row_counts",
]
