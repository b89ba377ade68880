"""Data: upload exports, check the column mapping, import, and manage the import history."""

from functools import partial

import streamlit as st

import ui
from creditdash import importing
from creditdash.errors import CreditDashError
from creditdash.exports import XLSX_MIME, to_csv_bytes
from creditdash.importing import profiles, view
from creditdash.ingest import Source, propose_mappings
from creditdash.ingest.profiles import apply_profiles
from creditdash.ingest.synonyms import FIELDS
from creditdash.settings import PROJECT_ROOT

UPLOAD_TYPES = ["csv", "txt", "xlsx", "xlsm", "xls"]

ui.page_guard("pages/data.py")
st.title(ui.tr("data.title"))
lang = ui.lang()
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


FAILED = object()


def attempt(action, *args, **kwargs):
    """`action(*args, **kwargs)`; FAILED after showing the error when it raised one of ours."""
    try:
        return action(*args, **kwargs)
    except CreditDashError as err:
        st.error(ui.error_text(err))
        return FAILED


def example_downloads(place: str) -> None:
    examples = view.EXAMPLES.items()
    for col, (label, name) in zip(st.columns(len(examples)), examples, strict=True):
        path = PROJECT_ROOT / "data" / name
        if path.is_file():
            col.download_button(ui.tr(label), path.read_bytes(), name, XLSX_MIME,
                                key=f"example_{place}_{name}")  # fmt: skip


show_done("demo")
if ui.ledger().is_empty:
    st.info(ui.tr("data.empty"), icon=":material/info:")
    example_downloads("empty")
    if st.button(ui.tr("data.load_demo"), key="load_demo", type="primary",
                 disabled=not actor.can("import")):  # fmt: skip
        with st.spinner(ui.tr("data.loading_demo")):
            loaded = attempt(importing.load_demo, engine, actor=actor,
                             reporting_currency=settings.reporting_currency)  # fmt: skip
        if loaded is FAILED:
            st.stop()
        st.rerun()

# The demo company is a made-up seller: a company's own data goes in its place, not next to it.
only_demo = importing.holds_only_demo(engine)
if importing.demo_imports(engine):
    st.info(ui.tr("data.demo.only" if only_demo else "data.demo.beside"), icon=":material/science:")
    if st.button(ui.tr("data.demo.remove"), key="remove_demo", disabled=not actor.can("import")):
        with st.spinner(ui.tr("data.demo.removing")):
            removed = attempt(importing.remove_demo, engine, actor)
        if removed is not FAILED:
            ui.move_as_of(None)
            changed("demo", partial(st.success, ui.said(view.removed_text(removed))))

st.subheader(ui.tr("data.upload"))
may_import = ui.permitted("import")
uploads = st.file_uploader(
    ui.tr("data.uploader"), type=UPLOAD_TYPES, accept_multiple_files=True, key="uploads",
    help=ui.tr("data.uploader.help", mb=settings.max_upload_mb), disabled=not may_import,
)  # fmt: skip
ui.localise_uploader("uploads", UPLOAD_TYPES)
c1, c2 = st.columns(2)
snapshot_date = c1.date_input(ui.tr("data.snapshot_date"), value=None, key="snapshot_as_of",
                              help=ui.tr("data.snapshot_date.help"))  # fmt: skip
complete = c2.checkbox(ui.tr("data.complete"), key="snapshot_complete",
                       help=ui.tr("data.complete.help"))  # fmt: skip


@st.cache_data(max_entries=8, show_spinner=False)
def proposals(files: tuple[tuple[str, bytes], ...], rows: tuple = ()):
    """The proposed mappings; `rows` holds (file, sheet, header row) the user set."""
    sources = [Source(name, data) for name, data in files]
    return propose_mappings(sources, header_rows={(f, s): r for f, s, r in rows})


def mapping_editor(m, index: int, revision: str):
    """A sheet's heading, its header row and its columns' fields, as the user edits them."""
    sheet = ui.tr("data.sheet_of", sheet=m.sheet) if m.sheet else ""
    st.markdown(ui.tr_md("data.sheet", title=m.file + sheet, kind=ui.tr(f"kind.{m.kind}"),
                         row=m.header_row, rows=f"{m.n_rows:,}"))  # fmt: skip
    read_as = ui.tr("data.layout", layout=ui.tr(f"layout.{m.layout}"))
    if m.profile:
        read_as += " " + ui.tr_md("data.from_profile", name=m.profile)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.caption(read_as)
    c2.number_input(ui.tr("data.header_row"), min_value=1, value=m.header_row, step=1,
                    key=f"header_row_{index}_{revision}",
                    help=ui.tr("data.header_row.help"))  # fmt: skip
    field = st.column_config.SelectboxColumn(
        ui.tr("data.maps_to"), options=[ui.tr("data.ignore"), *FIELDS], required=True,
        format_func=lambda f: view.field_label(str(f), lang),
    )  # fmt: skip
    edited = st.data_editor(
        view.mapping_table(m, lang), hide_index=True, disabled=["column"],
        column_config={"column": ui.tr("data.col_in_file"), "field": field},
        key=f"mapping_{index}_{revision}_{m.header_row}",
    )  # fmt: skip
    return view.edited_mapping(m, edited, lang)


def show_problems(problems) -> None:
    """Every problem, what to fix first; the CSV has the same columns, in the user's language."""
    frame = view.problems_table(problems, lang)
    st.dataframe(frame, hide_index=True, key="problems")
    st.download_button(ui.tr("data.download_problems"), to_csv_bytes(frame),
                       "import_problems.csv", "text/csv", key="dl_problems")  # fmt: skip


def show_run(run: view.ImportRun) -> None:
    """What an import did: the demo removed, then the error, the problems or the summary."""
    if run.removed:
        st.success(ui.said(view.removed_text(run.removed)))
    if run.error is not None:
        st.error(ui.error_text(run.error))
        return
    if (summary := run.summary) is None:
        st.error(ui.tr("data.rejected", n=run.errors))
        return show_problems(run.problems)
    head, *lines = summary.texts()
    (st.info if summary.dry_run or summary.nothing_changed else st.success)(ui.said_md(head))
    st.text("\n".join(ui.said(text) for text in lines))
    if run.moved_to is not None:
        moved = ui.tr("data.as_of_moved", date=f"{run.moved_to:%Y-%m-%d}")
        st.info(moved, icon=":material/event:")
    if summary.warnings:
        said = "data.warnings.dry_run" if summary.dry_run else "data.warnings"
        st.warning(ui.tr(said, n=len(summary.warnings)))
        show_problems(summary.warnings)
    for name in run.profiles:
        st.info(ui.tr_md("data.profile_saved", name=name))


def run_import(sources, mappings, dry_run: bool, plain, replace_demo: bool = False) -> None:
    """Import (or check) the files; `plain` are the proposals before the user's corrections."""
    bar = st.progress(0.0, text=ui.tr("data.starting"))
    run = view.run_import(
        engine, sources, actor, mappings=mappings, proposed=plain, dry_run=dry_run,
        replace_demo=replace_demo, reporting_currency=settings.reporting_currency,
        as_of=snapshot_date, complete=complete, default_terms_days=settings.default_terms_days,
        max_bytes=settings.max_upload_mb * 2**20,
        progress=lambda share, step: bar.progress(min(share, 1.0), text=ui.said_md(step)),
    )  # fmt: skip
    bar.empty()
    if run.changed_data:  # the as-of date moves to where the imported data ends (not the demo's)
        ui.move_as_of(run.moved_to)
        changed("import", partial(show_run, run))
    show_run(run)  # nothing changed: say so in this run


if uploads:
    files = tuple((f.name, f.getvalue()) for f in uploads)
    sources = [Source(name, data) for name, data in files]
    revision = "-".join(s.sha256[:8] for s in sources)
    try:  # the header rows the user set, else the saved profiles, say how to read a sheet
        first = proposals(files)
        keys = (f"header_row_{i}_{revision}" for i in range(len(first)))
        rows = view.changed_header_rows(first, (st.session_state.get(k) for k in keys))
        plain = proposals(files, rows)
        stored = [] if rows else profiles.load_profiles(engine)
        proposed = plain if rows else apply_profiles(plain, sources, stored)
    except CreditDashError as err:
        st.error(ui.error_text(err))
        st.stop()
    st.caption(ui.tr("data.check_mapping"))
    mappings = [mapping_editor(m, i, revision) for i, m in enumerate(proposed)]
    replace_demo = only_demo and may_import and st.radio(
        ui.tr("data.demo.choice"), ["remove", "keep"], key="demo_choice",
        format_func=lambda c: ui.tr(f"data.demo.choice.{c}"), help=ui.tr("data.demo.choice.help"),
    ) == "remove"  # fmt: skip
    b1, b2, _ = st.columns([1, 1, 4])
    check = b1.button(ui.tr("data.check_only"), key="dry_run", disabled=not may_import)
    go = b2.button(ui.tr("data.import"), type="primary", key="do_import", disabled=not may_import)
    if check or go:
        run_import(sources, mappings, dry_run=check, plain=plain, replace_demo=replace_demo)
show_done("import")

st.subheader(ui.tr("data.history"))
show_done("history")
history = importing.list_imports(engine)
if history.empty:
    st.caption(ui.tr("data.no_imports"))
else:
    headers = view.history_headers(lang)
    when = st.column_config.DatetimeColumn(headers["started_at"], format="YYYY-MM-DD HH:mm")
    number = st.column_config.NumberColumn("#", format="%d")
    st.dataframe(view.history_table(history, lang), hide_index=True, key="history",
                 column_config={**headers, "import_id": number, "started_at": when})  # fmt: skip
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
            undone = attempt(importing.rollback, engine, int(target), actor=actor)
            if undone is not FAILED:
                said = ui.said(view.rolled_back_text(int(target), undone))
                changed("history", partial(st.success, said))

with st.expander(ui.tr("data.profiles")):
    saved = profiles.list_profiles(engine)
    if saved.empty:
        st.caption(ui.tr("data.profiles.none"))
    else:
        headers = {c: ui.tr(f"data.profiles.{c}") for c in saved.columns}
        st.dataframe(saved, hide_index=True, key="profiles", column_config=headers)
        p1, p2, p3 = st.columns([2, 2, 1])
        chosen = p1.selectbox(ui.tr("data.profiles.which"), saved["name"], key="profile_pick")
        new_name = p2.text_input(ui.tr("data.profiles.new_name"), key="profile_new_name").strip()
        rename = p3.button(ui.tr("data.profiles.rename"), key="profile_rename",
                           disabled=not (may_import and new_name))  # fmt: skip
        if rename and attempt(profiles.rename_profile, engine, actor, chosen, new_name) is None:
            st.rerun()
        delete = p3.button(ui.tr("data.profiles.delete"), key="profile_delete",
                           disabled=not may_import)  # fmt: skip
        if delete and attempt(profiles.delete_profile, engine, actor, chosen) is None:
            st.rerun()

with st.expander(ui.tr("data.examples")):
    example_downloads("footer")
