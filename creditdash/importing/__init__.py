"""The import job, above the domains: files into the store, all or nothing, and back out.

    summary = import_sources(engine, [Source.from_path("ar.xlsx")], actor=actor)
    rollback(engine, summary.import_id, actor=actor)

Modules, in the order an import passes through them: `plan` (parse the
files through `creditdash.ingest`, check them against the stored rows,
`ImportSummary`), `diff` (new, changed and unchanged rows per table;
stored invoices a document's new shape replaces), `write` (the import lock,
the rows, what a rollback needs), `job` (`import_sources`: the three in one
transaction, then the week recorded for `creditdash.review`). `rollback`
lists the imports (and the date each one's data runs to) and undoes one;
`seed` imports the demo company like a user's files, tells it apart and
takes it out again; `profiles` keeps the saved ways of reading a company's files.
"""

from creditdash.importing.job import import_sources
from creditdash.importing.plan import ImportSummary, Progress, TableCounts
from creditdash.importing.rollback import latest_date, rollback
from creditdash.importing.seed import (
    DEMO_FILES,
    demo_imports,
    holds_only_demo,
    load_demo,
    remove_demo,
)
from creditdash.store.load import list_imports  # the import log, read where it is stored

__all__ = [
    "DEMO_FILES",
    "ImportSummary",
    "Progress",
    "TableCounts",
    "demo_imports",
    "holds_only_demo",
    "import_sources",
    "latest_date",
    "list_imports",
    "load_demo",
    "remove_demo",
    "rollback",
]
