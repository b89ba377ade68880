"""Data: upload exports, check the column mapping, import, and manage the import history."""

from dataclasses import replace
from functools import partial

import pandas as pd
import streamlit as st

import ui
from creditdash.errors import CreditDashError, ImportRejected
from creditdash.exports import XLSX_MIME, to_csv_bytes
from creditdash.importing import (
    demo_imports,
    holds_only_demo,
    import_sources,
    latest_date,
    list_imports,
    load_demo,
    remove_demo,
    rollback,
)
from creditdash.importing.profiles import (
    delete_profile,
    list_profiles,
    load_profiles,
    rename_profile,
    save_profile,
)
from creditdash.ingest import Source, propose_mappings
from creditdash.ingest.profiles import apply_profiles, corrected, profile_of
from creditdash.ingest.synonyms import FIELDS
from creditdash.settings import PROJECT_ROOT

EXAMPLES = [
    ("data.example.ledger", "demo_ledger.xlsx"),
    ("data.example.customers", "demo_customers.xlsx"),
    ("data.example.template", "template.xlsx"),
]

ui.page_guard("pages/data.py")
st.title(ui.tr("data.title"))
engine = ui.engine()
settings = ui.settings()
actor = ui.actor()
DONE = "_data_done"  # (place, draw): what the last import, rollback or removal did
done = st.session_state.pop(DONE, None)


def changed(place: str, draw) -> None:
    """The data changed: rerun, so that the sidebar's counts and as-of date follow it, and
    `draw` what happened at `place` on that run (a toast would not outlive the rerun)."""
    st.session_state[DONE] = (place, draw)
    st.rerun()


def show_done(place: str) -> None:
    if done is not None and done[0] == place:
        done[1]()


def demo_removed(counts: dict) -> None:
    st.success(
        ui.tr(
            "data.demo.removed",
            customers=f"{counts.get('removed_customers', 0):,}",
            invoices=f"{counts.get('removed_invoices', 0):,}",
            payments=f"{counts.get('removed_payments', 0):,}",
        )
    )


def example_downloads(place: str) -> None:
    for col, (label, name) in zip(st.columns(len(EXAMPLES)), EXAMPLES, strict=True):
        path = PROJECT_ROOT / "data" / name
        if path.is_file():
            col.download_button(
                ui.tr(label), path.read_bytes(), name, XLSX_MIME, key=f"example_{place}_{name}"
            )


show_done("demo")
if ui.ledger().is_empty:
    st.info(ui.tr("data.empty"), icon=":material/info:")
    example_downloads("empty")
    if st.button(
        ui.tr("data.load_demo"), key="load_demo", type="primary", disabled=not actor.can("import")
    ):
        with st.spinner(ui.tr("data.loading_demo")):
            try:
                load_demo(engine, reporting_currency=settings.reporting_currency, actor=actor)
            except CreditDashError as err:
                st.error(ui.error_text(err))
                st.stop()
        st.rerun()

# The demo company is a made-up seller: a company's own data goes in its place, not next to it.
only_demo = holds_only_demo(engine)
if demo_imports(engine):
    st.info(ui.tr("data.demo.only" if only_demo else "data.demo.beside"), icon=":material/science:")
    if st.button(ui.tr("data.demo.remove"), key="remove_demo", disabled=not actor.can("import")):
        with st.spinner(ui.tr("data.demo.removing")):
            try:
                removed = remove_demo(engine, actor)
            except CreditDashError as err:
                st.error(ui.error_text(err))
            else:
                ui.move_as_of(None)
                changed("demo", partial(demo_removed, removed))

st.subheader(ui.tr("data.upload"))
may_import = ui.permitted("import")
UPLOAD_TYPES = ["csv", "txt", "xlsx", "xlsm", "xls"]
uploads = st.file_uploader(
    ui.tr("data.uploader"),
    type=UPLOAD_TYPES,
    accept_multiple_files=True,
    key="uploads",
    help=ui.tr("data.uploader.help", mb=settings.max_upload_mb),
    disabled=not may_import,
)
ui.localise_uploader("uploads", UPLOAD_TYPES)
c1, c2 = st.columns(2)
snapshot_date = c1.date_input(
    ui.tr("data.snapshot_date"),
    value=None,
    key="snapshot_as_of",
    help=ui.tr("data.snapshot_date.help"),
)
complete = c2.checkbox(
    ui.tr("data.complete"), key="snapshot_complete", help=ui.tr("data.complete.help")
)


@st.cache_data(max_entries=8, show_spinner=False)
def proposals(files: tuple[tuple[str, bytes], ...], rows: tuple = ()):
    """The proposed mappings; `rows` holds (file, sheet, header row) the user set."""
    sources = [Source(name, data) for name, data in files]
    return propose_mappings(sources, header_rows={(f, s): r for f, s, r in rows})


def header_rows(plain, revision: str) -> tuple:
    """(file, sheet, row) of each sheet whose header row the user changed."""
    chosen = (st.session_state.get(f"header_row_{i}_{revision}") for i in range(len(plain)))
    return tuple(
        (m.file, m.sheet, int(row))
        for m, row in zip(plain, chosen, strict=True)
        if row is not None and int(row) != m.header_row
    )


def mapping_editor(m, index: int, revision: str):
    sheet = ui.tr("data.sheet_of", sheet=m.sheet) if m.sheet else ""
    st.markdown(
        ui.tr_md(
            "data.sheet",
            title=m.file + sheet,
            kind=ui.tr(f"kind.{m.kind}"),
            row=m.header_row,
            rows=f"{m.n_rows:,}",
        )
    )
    read_as = ui.tr("data.layout", layout=ui.tr(f"layout.{m.layout}"))
    if m.profile:
        read_as += " " + ui.tr_md("data.from_profile", name=m.profile)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.caption(read_as)
    c2.number_input(
        ui.tr("data.header_row"),
        min_value=1,
        value=m.header_row,
        step=1,
        key=f"header_row_{index}_{revision}",
        help=ui.tr("data.header_row.help"),
    )
    ignore = ui.tr("data.ignore")
    frame = pd.DataFrame(
        {"column": list(m.mapping), "field": [v or ignore for v in m.mapping.values()]}
    )
    edited = st.data_editor(
        frame,
        hide_index=True,
        disabled=["column"],
        column_config={
            "column": ui.tr("data.col_in_file"),
            "field": st.column_config.SelectboxColumn(
                ui.tr("data.maps_to"),
                options=[ignore, *FIELDS],
                required=True,
                format_func=lambda f: f if f == ignore else f"{ui.tr(f'field.{f}')} ({f})",
            ),
        },
        key=f"mapping_{index}_{revision}_{m.header_row}",
    )
    chosen = {
        h: (None if v == ignore else v)
        for h, v in zip(edited["column"], edited["field"], strict=True)
    }
    return replace(m, mapping=chosen)


def kind_name(kind: str) -> str:
    """What a file held, in the chosen language (a kind the catalogue lacks as its code)."""
    name = ui.tr(f"kind.{kind}")
    return kind if name == f"kind.{kind}" else name


PROBLEM_COLUMNS = ["level", "message", "row", "column", "value", "file", "sheet"]


def show_problems(problems) -> None:
    """Every problem, what to fix first; the CSV has the same columns, in the user's language."""
    frame = pd.DataFrame([p.as_dict() for p in problems])
    frame["message"] = [ui.problem_text(p) for p in problems]
    frame["level"] = [ui.tr(f"problem.level.{p.level}") for p in problems]
    frame = frame.reindex(columns=PROBLEM_COLUMNS)
    frame["row"] = pd.to_numeric(frame["row"], errors="coerce").astype("Int64")
    frame = frame.astype(object).where(frame.notna(), "")
    frame = frame.rename(columns={c: ui.tr(f"problem.{c}") for c in PROBLEM_COLUMNS})
    st.dataframe(frame, hide_index=True, key="problems")
    st.download_button(
        ui.tr("data.download_problems"),
        to_csv_bytes(frame),
        "import_problems.csv",
        "text/csv",
        key="dl_problems",
    )


def show_rejected(problems, errors: int) -> None:
    st.error(ui.tr("data.rejected", n=errors))
    show_problems(problems)


def show_summary(summary, profiles: list[str], moved_to=None) -> None:
    head, *lines = summary.texts()
    (st.info if summary.dry_run or summary.nothing_changed else st.success)(ui.said_md(head))
    st.text("\n".join(ui.said(text) for text in lines))
    if moved_to is not None:
        st.info(ui.tr("data.as_of_moved", date=f"{moved_to:%Y-%m-%d}"), icon=":material/event:")
    if summary.warnings:
        said = "data.warnings.dry_run" if summary.dry_run else "data.warnings"
        st.warning(ui.tr(said, n=len(summary.warnings)))
        show_problems(summary.warnings)
    for name in profiles:
        st.info(ui.tr_md("data.profile_saved", name=name))


def save_corrections(plain, summary) -> list[str]:
    """Save the user's corrections of the proposed mappings as profiles; their names."""
    saved = []
    for used in corrected(plain, summary.mappings):
        profile = profile_of(used, used.profile)
        if save_profile(engine, actor, profile):
            saved.append(profile.name)
    return saved


def run_import(sources, mappings, dry_run: bool, plain, replace_demo: bool = False) -> None:
    """Import (or check) the files; `plain` are the proposals before the user's corrections.

    With `replace_demo` the demo company is removed first (not for a check).
    """
    bar = st.progress(0.0, text=ui.tr("data.starting"))
    removed, moved_to = None, None
    try:
        if replace_demo and not dry_run:
            bar.progress(0.0, text=ui.tr("data.demo.removing"))
            removed = remove_demo(engine, actor)
        summary = import_sources(
            engine,
            sources,
            reporting_currency=settings.reporting_currency,
            as_of=snapshot_date,
            complete=complete,
            mappings=mappings,
            default_terms_days=settings.default_terms_days,
            max_bytes=settings.max_upload_mb * 2**20,
            dry_run=dry_run,
            actor=actor,
            progress=lambda f, step: bar.progress(min(f, 1.0), text=ui.said_md(step)),
        )
    except ImportRejected as rejected:
        report = partial(show_rejected, rejected.problems, len(rejected.errors))
        written = False
    except CreditDashError as err:
        report = partial(st.error, ui.error_text(err))
        written = False
    else:
        written = not (summary.dry_run or summary.nothing_changed)
        moved_to = latest_date(engine, summary.import_id) if written else None
        profiles = [] if summary.dry_run else save_corrections(plain, summary)
        report = partial(show_summary, summary, profiles, moved_to)
    bar.empty()
    if not (written or removed):  # nothing changed: say so in this run
        report()
        return
    # the as-of date moves to where the imported data ends, not stays at the demo's date
    ui.move_as_of(moved_to)

    def draw() -> None:
        if removed:
            demo_removed(removed)
        report()

    changed("import", draw)


if uploads:
    files = tuple((f.name, f.getvalue()) for f in uploads)
    sources = [Source(name, data) for name, data in files]
    revision = "-".join(s.sha256[:8] for s in sources)
    try:
        plain = proposals(files)
        changed_rows = header_rows(plain, revision)
        if changed_rows:
            plain = proposals(files, changed_rows)
        proposed = (
            apply_profiles(plain, sources, load_profiles(engine)) if not changed_rows else plain
        )
    except CreditDashError as err:
        st.error(ui.error_text(err))
        st.stop()
    st.caption(ui.tr("data.check_mapping"))
    mappings = [mapping_editor(m, i, revision) for i, m in enumerate(proposed)]
    replace_demo = False
    if only_demo and may_import:
        replace_demo = st.radio(
            ui.tr("data.demo.choice"),
            ["remove", "keep"],
            format_func=lambda c: ui.tr(f"data.demo.choice.{c}"),
            key="demo_choice",
            help=ui.tr("data.demo.choice.help"),
        ) == "remove"  # fmt: skip
    b1, b2, _ = st.columns([1, 1, 4])
    check = b1.button(ui.tr("data.check_only"), key="dry_run", disabled=not may_import)
    go = b2.button(ui.tr("data.import"), type="primary", key="do_import", disabled=not may_import)
    if check or go:
        run_import(sources, mappings, dry_run=check, plain=plain, replace_demo=replace_demo)
show_done("import")

st.subheader(ui.tr("data.history"))
show_done("history")
history = list_imports(engine)
if history.empty:
    st.caption(ui.tr("data.no_imports"))
else:
    columns = {
        "import_id": st.column_config.NumberColumn("#", format="%d"),
        "started_at": st.column_config.DatetimeColumn(
            ui.tr("hist.when"), format="YYYY-MM-DD HH:mm"
        ),
        "file_names": ui.tr("hist.files"),
        "kind": ui.tr("hist.kind"),
        "rows_read": ui.tr("hist.read"),
        "rows_new": ui.tr("hist.new"),
        "rows_changed": ui.tr("hist.changed"),
        "rows_unchanged": ui.tr("hist.unchanged"),
        "who": ui.tr("hist.by"),
        "status": ui.tr("hist.status"),
    }
    shown = history[list(columns)].assign(
        kind=[", ".join(kind_name(k) for k in str(v).split(",") if k) for v in history["kind"]],
        status=[ui.tr(f"hist.status.{s}") for s in history["status"]],
    )
    st.dataframe(shown, hide_index=True, key="history", column_config=columns)
    applied = history.loc[history["status"] == "applied", "import_id"].tolist()
    if applied and actor.can("rollback"):
        if done is not None:  # after any change: the newest import, the confirmation unticked
            st.session_state["rollback_id"] = applied[0]
            st.session_state["rollback_confirm"] = False
        r1, r2 = st.columns([2, 1])
        target = r1.selectbox(
            ui.tr("data.rollback_which"), applied, format_func=lambda i: f"#{i}", key="rollback_id",
            on_change=lambda: st.session_state.update(rollback_confirm=False),
        )  # fmt: skip
        confirm = r2.checkbox(ui.tr("data.rollback_confirm"), key="rollback_confirm")
        if r2.button(ui.tr("data.rollback"), disabled=not confirm, key="do_rollback"):
            try:
                undone = rollback(engine, int(target), actor=actor)
            except CreditDashError as err:
                st.error(ui.error_text(err))
            else:
                removed_rows = sum(v for k, v in undone.items() if k.startswith("removed_"))
                said = ui.tr("data.rolled_back", id=target, n=undone["restored"],
                             removed=f"{removed_rows:,}")  # fmt: skip
                changed("history", partial(st.success, said))

with st.expander(ui.tr("data.profiles")):
    saved = list_profiles(engine)
    if saved.empty:
        st.caption(ui.tr("data.profiles.none"))
    else:
        st.dataframe(
            saved,
            hide_index=True,
            key="profiles",
            column_config={c: ui.tr(f"data.profiles.{c}") for c in saved.columns},
        )
        p1, p2, p3 = st.columns([2, 2, 1])
        chosen = p1.selectbox(ui.tr("data.profiles.which"), saved["name"], key="profile_pick")
        new_name = p2.text_input(ui.tr("data.profiles.new_name"), key="profile_new_name")
        try:
            if p3.button(ui.tr("data.profiles.rename"), key="profile_rename",
                         disabled=not (may_import and new_name.strip())):  # fmt: skip
                rename_profile(engine, actor, chosen, new_name.strip())
                st.rerun()
            if p3.button(ui.tr("data.profiles.delete"), key="profile_delete",
                         disabled=not may_import):  # fmt: skip
                delete_profile(engine, actor, chosen)
                st.rerun()
        except CreditDashError as err:
            st.error(ui.error_text(err))

with st.expander(ui.tr("data.examples")):
    example_downloads("footer")
