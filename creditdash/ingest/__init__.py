"""Reading users' spreadsheets into the canonical frames (see creditdash.frames).

    sources = [Source.from_path("ar.xlsx")]
    proposals = propose_mappings(sources)          # show, let the user edit
    batch = parse_sources(sources, mappings=proposals)
    if batch.errors:
        raise ImportRejected(batch.problems)

Modules, in the order a file passes through them: `read` (bytes -> text
cells; `csvtext` for CSV), `mapping` (header row, column mapping, totals
rows), `parse` (dates, money, flags; `fields` says which parser each field
uses), `shapes` (a sheet's kind -> staging frames), `checks` (pandera and
cross-sheet row checks), `batch` (the public entry points). `problems`
collects what is wrong with file, sheet, row and column.
"""

from creditdash.ingest.batch import ParsedBatch, Snapshot, parse_sources, propose_mappings
from creditdash.ingest.mapping import SheetMapping
from creditdash.ingest.read import Source

__all__ = [
    "ParsedBatch",
    "SheetMapping",
    "Snapshot",
    "Source",
    "parse_sources",
    "propose_mappings",
]
