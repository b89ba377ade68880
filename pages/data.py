"""Data: upload exports, check the column mapping, import, and manage the import history."""

from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

import ui
from creditdash.errors import CreditDashError, ImportRejected
from creditdash.exports import to_csv_bytes
from creditdash.ingest import Source, propose_mappings
from creditdash.ingest.synonyms import FIELDS
from creditdash.settings import PROJECT_ROOT
from creditdash.store import import_sources, list_imports, load_demo, rollback

IGNORE = "(ignore)"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {
    "ledger": "Full ledger (invoices with settlement)",
    "invoices": "Invoices",
    "payments": "Payments / receipts",
    "open_items": "Open items snapshot",
    "customers": "Customer master",
    "rates": "Exchange rates",
    "unknown": "Not recognised",
}

ui.page_guard("pages/data.py")
st.title("Data")
engine = ui.engine()
settings = ui.settings()


def example_downloads(place: str) -> None:
    files = [
        ("Demo ledger (invoices + payments)", "demo_ledger.xlsx"),
        ("Demo customer master", "demo_customers.xlsx"),
        ("Blank template", "template.xlsx"),
    ]
    cols = st.columns(len(files))
    for col, (label, name) in zip(cols, files, strict=True):
        path = PROJECT_ROOT / "data" / name
        if path.is_file():
            col.download_button(label, path.read_bytes(), name, XLSX, key=f"example_{place}_{name}")


if ui.ledger().is_empty:
    st.info(
        "The database is empty. Upload your receivables: a full ledger export (one row per "
        "invoice, with settled date and paid amount if you have them), invoices and payments "
        "on two sheets, or a weekly open-items list (应收账款明细) with its date. Chinese or "
        "English headers, CSV or Excel. The files below show the layout.",
        icon=":material/info:",
    )
    example_downloads("empty")
    if st.button("Load the demo company", key="load_demo", type="primary"):
        with st.spinner("Loading the demo company…"):
            summary = load_demo(engine, reporting_currency=settings.reporting_currency)
        st.success(summary.lines()[0])
        st.rerun()

st.subheader("Upload")
uploads = st.file_uploader(
    "Ledger, open-items, customer or rate files",
    type=["csv", "txt", "xlsx", "xlsm", "xls"],
    accept_multiple_files=True,
    key="uploads",
    help=f"Up to {settings.max_upload_mb} MB per file. Several files are imported together, "
    "all or nothing.",
)
c1, c2 = st.columns(2)
snapshot_date = c1.date_input(
    "Open-items export date",
    value=None,
    key="snapshot_as_of",
    help="For open-items snapshots without a date in the file: the day the list was exported.",
)
complete = c2.checkbox(
    "The open-items list is complete",
    key="snapshot_complete",
    help="Invoices missing from a complete list are taken as paid on the export date.",
)


@st.cache_data(max_entries=8, show_spinner=False)
def proposals(files: tuple[tuple[str, bytes], ...]):
    return propose_mappings([Source(name, data) for name, data in files])


def mapping_editor(m, index: int, revision: str):
    title = f"{m.file}" + (f" · sheet {m.sheet}" if m.sheet else "")
    st.markdown(
        f"**{title}**: {KINDS.get(m.kind, m.kind)}, header on row {m.header_row}, {m.n_rows:,} rows"
    )
    frame = pd.DataFrame(
        {
            "Column in file": list(m.mapping),
            "Maps to": [v or IGNORE for v in m.mapping.values()],
        }
    )
    edited = st.data_editor(
        frame,
        hide_index=True,
        disabled=["Column in file"],
        column_config={
            "Maps to": st.column_config.SelectboxColumn(options=[IGNORE, *FIELDS], required=True)
        },
        key=f"mapping_{index}_{revision}",
    )
    chosen = {
        h: (None if v == IGNORE else v)
        for h, v in zip(edited["Column in file"], edited["Maps to"], strict=True)
    }
    return replace(m, mapping=chosen)


def show_problems(problems) -> None:
    frame = pd.DataFrame([p.as_dict() for p in problems])
    st.dataframe(frame, hide_index=True, key="problems")
    st.download_button(
        "Download the problem list (CSV)",
        to_csv_bytes(frame),
        "import_problems.csv",
        "text/csv",
        key="dl_problems",
    )


if uploads:
    files = tuple((f.name, f.getvalue()) for f in uploads)
    sources = [Source(name, data) for name, data in files]
    revision = "-".join(s.sha256[:8] for s in sources)
    try:
        proposed = proposals(files)
    except CreditDashError as err:
        st.error(str(err))
        st.stop()
    st.caption("Check how each column is read; change any row before importing.")
    mappings = [mapping_editor(m, i, revision) for i, m in enumerate(proposed)]
    b1, b2, _ = st.columns([1, 1, 4])
    check = b1.button("Check only", key="dry_run")
    go = b2.button("Import", type="primary", key="do_import")
    if check or go:
        bar = st.progress(0.0, text="Starting")
        try:
            summary = import_sources(
                engine,
                sources,
                reporting_currency=settings.reporting_currency,
                as_of=snapshot_date,
                complete=complete,
                mappings=mappings,
                default_terms_days=settings.default_terms_days,
                max_bytes=settings.max_upload_mb * 2**20,
                dry_run=check,
                actor=ui.actor(),
                progress=lambda f, msg: bar.progress(min(f, 1.0), text=msg),
            )
        except ImportRejected as rejected:
            bar.empty()
            st.error(
                f"Nothing was imported: {len(rejected.errors)} problem(s) to fix. "
                "Every problem is listed with its file, sheet, row and column."
            )
            show_problems(rejected.problems)
        except CreditDashError as err:
            bar.empty()
            st.error(str(err))
        else:
            bar.empty()
            lines = summary.lines()
            (st.info if summary.dry_run or summary.nothing_changed else st.success)(lines[0])
            st.text("\n".join(line for line in lines[1:] if not line.startswith("WARNING")))
            if summary.warnings:
                st.warning(f"{len(summary.warnings)} warning(s): the import went ahead.")
                show_problems(summary.warnings)

st.subheader("Import history")
history = list_imports(engine)
if history.empty:
    st.caption("No imports yet.")
else:
    view = history[
        [
            "import_id",
            "started_at",
            "file_names",
            "kind",
            "rows_read",
            "rows_new",
            "rows_changed",
            "rows_unchanged",
            "who",
            "status",
        ]
    ]
    st.dataframe(
        view,
        hide_index=True,
        key="history",
        column_config={
            "import_id": st.column_config.NumberColumn("#", format="%d"),
            "started_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
            "file_names": "Files",
            "kind": "Contents",
            "rows_read": "Rows read",
            "rows_new": "New",
            "rows_changed": "Changed",
            "rows_unchanged": "Unchanged",
            "who": "By",
            "status": "Status",
        },
    )
    applied = history.loc[history["status"] == "applied", "import_id"].tolist()
    if applied:
        r1, r2 = st.columns([2, 1])
        target = r1.selectbox(
            "Import to roll back", applied, format_func=lambda i: f"#{i}", key="rollback_id"
        )
        confirm = r2.checkbox("Yes, undo it", key="rollback_confirm")
        if r2.button("Roll back", disabled=not confirm, key="do_rollback"):
            try:
                done = rollback(engine, int(target), actor=ui.actor())
            except CreditDashError as err:
                st.error(str(err))
            else:
                st.success(f"Import #{target} rolled back ({done['restored']} row(s) restored).")
                st.rerun()

with st.expander("Example files and blank template"):
    example_downloads("footer")
    st.caption(
        f"Database: {Path(settings.db_url).name if settings.db_url.startswith('sqlite') else 'PostgreSQL'}"
    )
