"""The app's shared UI layer: settings, cached engine and ledger, formatting helpers.

Caching lives here and only here; the cache key of everything derived from
the ledger includes the data version (newest import), so a new import or a
rollback invalidates it.
"""

from __future__ import annotations

import io
import ipaddress
import re
import threading
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

import creditdash
from creditdash import charts, i18n, presentation
from creditdash.aging import Basis, GroupBy
from creditdash.ledger import NO_ATTRIBUTE, Ledger
from creditdash.presentation import shown
from creditdash.settings import Settings
from creditdash.store import (  # noqa: F401
    data_version,
    list_imports,
    load_ledger,
    open_store,
    row_counts,
)

ROOT = Path(__file__).resolve().parents[1]  # the project folder (app.py, data/)


def page_guard(path: str) -> None:
    """Route a page opened by URL before the app shell ever ran through `app.py`.

    Right after a server start Streamlit runs a `pages/` script on its own
    (the old multipage mode) until some session has called st.navigation;
    the shell then forwards to the page that was asked for, query string and all.
    """
    if not st.session_state.get("_shell"):
        st.session_state["_deep_link"] = path
        query = st.query_params.to_dict()
        st.switch_page("app.py", query_params=query)


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(max_entries=4, show_spinner=False)
def engine_for(url: str):
    """The migrated engine; an empty database gets the demo company once."""
    engine = open_store(url)
    if settings().load_demo_on_empty and row_counts(engine)["imports"] == 0:
        from creditdash.importing import load_demo  # the import job: only for an empty database

        load_demo(engine, reporting_currency=settings().reporting_currency)
    return engine


def lang() -> str:
    """The interface language chosen in the sidebar (`en` or `zh`).

    A page that runs without the shell (see `page_guard`) has no sidebar; it
    keeps the language the URL carries (`?lang=`, which the shell keeps in step).
    """
    chosen = st.session_state.get("lang") or st.query_params.get("lang")
    return chosen if chosen in i18n.LANGS else "en"


def resend_widget_values() -> None:
    """Set every widget's value again, as read with the labels the browser was last sent.

    A choice widget (selectbox, radio, multiselect, segmented control) sends the browser its
    options' labels and gets back the label shown, which the next run maps to its option. Labels
    follow the language, so after a switch the browser returns the old language's label, which
    the new labels do not match: the value came back as that string (a list of dates then held
    a string) or the widget fell back to its first option. app.py calls this on the run that
    switches the language, before any widget: read now, each value still maps through the old
    labels, and a value set again is sent to the browser under its new label.

    Left alone: values no label stands for and that Streamlit refuses to set (buttons'
    booleans, uploaded files, table edits, empty values).
    """
    for key in list(st.session_state.keys()):
        value = st.session_state[key]
        many = value if isinstance(value, list | tuple) else [value]
        if value is None or isinstance(value, bool | dict) or not many:
            continue
        if any(isinstance(v, io.BytesIO) for v in many):  # st.file_uploader's UploadedFile
            continue
        st.session_state[key] = value


def tr(key: str, **params) -> str:
    """A UI string in the chosen language (creditdash/i18n catalogues)."""
    return i18n.t(key, lang(), **params)


def said(text) -> str:
    """A sentence the library built (`i18n.Text`, its stored dict form, or a list) in the chosen
    language; a plain string as it is."""
    return i18n.render(text, lang())


# Streamlit reads the text of st.markdown, captions, alerts, toasts, progress bars, labels and
# tooltips as markdown. A value from a URL, a file or the database goes in through the helpers
# below, which show it as typed: `tr_md`, `said_md` and `error_text` keep the catalogue's own
# markdown and escape only the values filled in; `escape_markdown` and `code_span` take one value.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_~\[\]<>#|$])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")  # a list item: "- ", "1. " or "1) "
# links Streamlit finds in plain text after parsing, where a backslash escape no longer counts
_BARE_LINK = re.compile(r"(?i)(https?:|www)(?=//|\.)")
_WORD_JOINER = "\u2060"
# a placeholder the catalogue puts in backticks: "`{value}` is not a known region"
_CODE_FIELD = re.compile(r"`(\{(\w+)(?:![rsa])?(?::[^{}`]*)?\})`")


def escape_markdown(text: object) -> str:
    """`text` as markdown that shows it literally: no link, image, emphasis, code, HTML,
    heading, list, table, colour directive or formula.

    Backslash-escapes the characters that start markdown syntax inline (``\\ ` * _ ~ [ ] < > #
    | $``) and a list marker at its start; a newline becomes a space; an invisible word
    joiner splits ``https://`` and ``www.``, which Streamlit turns into links after parsing.
    """
    flat = " ".join(str("" if text is None else text).splitlines())
    flat = _MARKDOWN_SYNTAX.sub(r"\\\1", _BARE_LINK.sub(r"\1" + _WORD_JOINER, flat))
    marker = _LINE_START.match(flat)
    if marker is None:
        return flat
    at = marker.end() - (0 if marker.group(2)[0].isdigit() else 1)  # "1\. " or "\- "
    return flat[:at] + "\\" + flat[at:]


def code_span(text: object) -> str:
    """`text` as an inline code span (shown literally), fenced by more backticks than it holds."""
    flat = " ".join(str("" if text is None else text).splitlines())
    if not flat:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat[0] in "` " or flat[-1] in "` " else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


class _Literal:
    """A value filled into a markdown template, shown as it is whatever its format spec."""

    def __init__(self, value: object, code: bool) -> None:
        self.value, self.code = value, code

    def _shown(self, text: str) -> str:
        return code_span(text) if self.code else escape_markdown(text)

    def __format__(self, spec: str) -> str:
        return self._shown(format(self.value, spec))

    def __str__(self) -> str:
        return self._shown(str(self.value))

    def __repr__(self) -> str:
        return self._shown(repr(self.value))


def _is_text(value: object) -> bool:
    return isinstance(value, i18n.Text) or (isinstance(value, dict) and "code" in value)


def _markdown(template: str, params: Mapping[str, object], language: str) -> str:
    """`template` (markdown) filled with `params`, each shown literally: a value the template
    puts in backticks as a code span, any other escaped; sentences (Texts) rendered likewise."""
    in_code = {m.group(2) for m in _CODE_FIELD.finditer(template)}
    filled: dict[str, object] = {}
    for name, value in params.items():
        texts = _is_text(value) or (isinstance(value, list) and value and all(map(_is_text, value)))
        if texts and name not in in_code:
            filled[name] = _said_markdown(value, language)  # already markdown, shown literally
        else:
            plain = i18n.render(value, language) if texts else value
            filled[name] = _Literal(plain, name in in_code)
    return _CODE_FIELD.sub(r"\1", template).format(**filled)


def _said_markdown(text, language: str) -> str:
    if isinstance(text, list | tuple):
        return ("；" if language == "zh" else "; ").join(_said_markdown(t, language) for t in text)
    if isinstance(text, dict) and "code" in text:
        text = i18n.Text.from_dict(text)
    if not isinstance(text, i18n.Text):
        return escape_markdown(text)
    template = i18n.catalogue(language).get(text.code) or i18n.catalogue("en").get(text.code)
    try:
        if template is not None:
            return _markdown(template, text.params, language)
        return escape_markdown(text.render(language))
    except (KeyError, IndexError, TypeError, ValueError):  # params that do not fit the text
        return escape_markdown(text.default if text.default is not None else text.code)


def tr_md(key: str, **params) -> str:
    """`tr` for markdown (alerts, captions, toasts, labels): the values shown literally."""
    return _said_markdown(i18n.Text(key, params, key), lang())


def said_md(text) -> str:
    """`said` for markdown: the library's sentence with the values it names shown literally."""
    return _said_markdown(text, lang())


# Streamlit has no setting for its file uploader's own words (streamlit/streamlit#13500), so in
# Chinese they are swapped by CSS: the English stays in the page, hidden (the size and type line
# shrunk to nothing, so that a longer line still ends in an ellipsis), the Chinese shown by
# `::after`. The selectors follow Streamlit 1.67's uploader; should a later version
# change it, they stop matching and the uploader says its English words again, nothing breaks.
_UPLOADER_CSS = """
.st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
.st-key-{key} [data-testid="stFileUploaderDropzone"] > div > span {{
  visibility: hidden; position: relative; white-space: nowrap; }}
.st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after,
.st-key-{key} [data-testid="stFileUploaderDropzone"] > div > span::after {{
  visibility: visible; position: absolute; left: 0; top: 0; }}
.st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "{button}"; }}
.st-key-{key} [data-testid="stFileUploaderDropzone"] > div > span::after {{ content: "{drop}"; }}
.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "{limit}"; font-size: 0.875rem; }}
"""


def uploader_css(key: str, types: list[str], max_mb: int, language: str) -> str:
    """The CSS that puts the file uploader `key`'s own words in `language` ("" for English).

    `types` and `max_mb` must be what the uploader was given: its size and type line is
    rewritten whole.
    """
    if language == "en":
        return ""
    if not key or not all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        raise ValueError(
            f"an uploader key for a CSS class must be letters, digits, - or _: {key!r}"
        )
    limit = i18n.t("uploader.limit", language, mb=max_mb)
    if types:
        limit += " • " + ", ".join(t.lstrip(".").upper() for t in types)

    def quoted(text: str) -> str:
        return text.replace("\\", "\\\\").replace('"', '\\"')

    return _UPLOADER_CSS.format(
        key=key,
        button=quoted(i18n.t("uploader.button", language)),
        limit=quoted(limit),
        drop=quoted(i18n.t("uploader.drop", language)),
    )


def localise_uploader(key: str, types: list[str], max_mb: int | None = None) -> None:
    """Show the file uploader `key`'s own words (button, size and type line, drop hint) in the
    chosen language; call it next to the `st.file_uploader(..., key=key, type=types)`."""
    css = uploader_css(key, types, max_mb or st.get_option("server.maxUploadSize"), lang())
    if css:
        st.html(f"<style>{css}</style>")


def _coded(code: str | None, params: dict | None, english: str) -> str:
    """The catalogue text of `code` in the chosen language, else the English message."""
    return i18n.coded(code, params, english, lang())


def problem_text(problem) -> str:
    """A `Problem`'s message in the chosen language (its English message when it has no code)."""
    return _coded(problem.code, problem.params, problem.message)


def error_text(err: Exception) -> str:
    """A `CreditDashError`'s message in the chosen language (`str(err)` when it has no code), as
    markdown for st.error & co.: the values it names (from files, the database) shown literally."""
    code = getattr(err, "code", None)
    if not code:
        return escape_markdown(str(err))
    return said_md(i18n.Text(code, getattr(err, "params", None) or {}, str(err)))


def auth_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an [auth] section (sign-in required)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def sign_in():
    """The acting user: the local admin without [auth], else the signed-in user and role.

    Stops the run with a sign-in button (or a "no role yet" notice) otherwise.
    """
    from creditdash.auth import LOCAL, Actor, role_of

    if not auth_configured():
        if not listens_locally():
            # without sign-in every visitor is the local admin: serve this machine only
            st.navigation([st.Page(_signed_out, title="creditdash")], position="hidden")
            st.error(tr("auth.open_network", address=server_address()))
            st.stop()
        st.session_state["_actor"] = LOCAL
        return LOCAL
    if not st.user.is_logged_in:
        # an empty, hidden menu: no page (nor the pages/ listing) before sign-in
        st.navigation([st.Page(_signed_out, title="creditdash")], position="hidden")
        st.title("creditdash")
        st.write(tr("auth.please"))
        st.button(tr("auth.login"), on_click=st.login, type="primary", key="login")
        st.stop()
    email = str(st.user.get("email") or "")
    role = role_of(engine(), email) if email else None
    if role is None:
        st.navigation([st.Page(_signed_out, title="creditdash")], position="hidden")
        st.warning(tr_md("auth.no_role", email=email or "?"))
        st.button(tr("auth.logout"), on_click=st.logout, key="logout_norole")
        st.stop()
    actor = Actor(email, role)
    st.session_state["_actor"] = actor
    return actor


def server_address() -> str:
    """The address the server listens on (`server.address`; empty: every interface)."""
    return str(st.get_option("server.address") or "")


def listens_locally() -> bool:
    """True when the server listens on this machine's loopback address only."""
    address = server_address().strip("[]")
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:  # empty (every interface) or a host name
        return False


def permitted(action: str) -> bool:
    """True when the user's role allows `action`; else False and a note saying which role may.

    Pages call it before a control that writes, and hide or disable the control when False
    (the library refuses the write anyway).
    """
    from creditdash.auth import PERMISSIONS

    user = actor()
    if user.can(action):
        return True
    need, role = tr(f"role.{PERMISSIONS[action]}"), tr(f"role.{user.role}")
    st.caption(tr("auth.needs", action=tr(f"auth.action.{action}"), need=need, role=role))
    return False


def _signed_out() -> None:
    """The only page before sign-in (its content is drawn by `sign_in`)."""


def actor():
    """Who is using the app and in which role (set by `sign_in` in app.py on every run)."""
    from creditdash.auth import LOCAL, Actor

    found = st.session_state.get("_actor")
    if found is not None:
        return found
    return Actor("anonymous", "viewer") if auth_configured() else LOCAL


def engine():
    return engine_for(settings().db_url)


@st.cache_resource(show_spinner=False)
def _per_stamp() -> dict:
    """The stored rows' counts per (database URL, import stamp), shared by every session."""
    return {}


def _stored() -> dict:
    """The data version and the row counts, counted again only when an import or a rollback
    changed the import stamp: a count of a big table on every rerun is too slow (10M
    invoices on PostgreSQL: a scan of the table). One small query per rerun."""
    from creditdash.store.load import import_stamp

    key = (settings().db_url, import_stamp(engine()))
    known = _per_stamp()
    if key not in known:
        known.clear()
        known[key] = {"version": data_version(engine()), "rows": row_counts(engine())}
    return known[key]


def version() -> tuple[int, int, int]:
    """The data version (`store.data_version`), kept per import stamp (`_stored`)."""
    return _stored()["version"]


def stored_rows() -> dict[str, int]:
    """How many customers, invoices, payments and imports are stored (`store.row_counts`),
    kept per import stamp (`_stored`)."""
    return dict(_stored()["rows"])


@st.cache_resource(show_spinner=False)
def _ledgers() -> dict:
    """The loaded ledgers by (database URL, data version, currency), shared by every session.

    A plain dict, not a cached function per ledger: the load reports its progress to
    the page (`load_ledger_shown`), which a cached function would replay on every hit.
    """
    return {}


_LEDGER_LOCK = threading.Lock()  # one load at a time; the others wait and share it
_LEDGERS_KEPT = 2
# The step the load under way has reached, (share, text), for the sessions that wait for it
# (a load the server's warm-up or another visitor started); None when none runs.
_loading: list[tuple[float, object] | None] = [None]


def ledger(progress: Callable | None = None) -> Ledger:
    """The stored ledger at the current data version (loaded once, from the ledger cache
    on disk when it is current); `progress(share, text)` hears a load, this caller's own or
    the one under way that it waits for."""
    s = settings()
    key = (s.db_url, version(), s.reporting_currency)
    held = _ledgers()
    found = held.get(key)
    if found is not None:
        return found
    told = None
    while not _LEDGER_LOCK.acquire(timeout=0.1):
        step = _loading[0]
        if progress is not None and step is not None and step != told:
            progress(*step)
            told = step
    try:
        found = held.get(key)
        if found is None:

            def heard(share: float, text) -> None:
                _loading[0] = (share, text)
                if progress is not None:
                    progress(share, text)

            found = load_ledger(engine_for(s.db_url), s.reporting_currency,
                                cache=s.ledger_cache, progress=heard,
                                save_later=True)  # fmt: skip
            for old in list(held)[: 1 - _LEDGERS_KEPT]:
                del held[old]
            held[key] = found
    finally:
        _loading[0] = None
        _LEDGER_LOCK.release()
    return found


_VISITED = threading.Event()


def visited() -> bool:
    """Whether a visitor's page has run in this process (`load_ledger_shown`, called by every
    run of the app's script, says so)."""
    return _VISITED.is_set()


def load_ledger_shown(page_slot=None) -> Ledger:
    """`ledger()`, with a progress bar saying what a load does while it runs.

    The bar is drawn where this is called (the sidebar) and removed when the load is done;
    a ledger already loaded draws nothing. `page_slot` (an `st.empty()` where the page will
    be drawn) shows an empty chart frame meanwhile, which also has the browser ready its
    chart code while the server loads (at 1M invoices a second off the first page).
    """
    _VISITED.set()
    slot = st.empty()
    placeholder: list = []

    def progress(share: float, text) -> None:
        slot.progress(min(max(share, 0.0), 1.0), text=said_md(text))
        if page_slot is not None and not placeholder:
            placeholder.append(page_slot.plotly_chart(charts.loading_chart(tr("load.placeholder"))))

    try:
        return ledger(progress)
    finally:
        slot.empty()
        if placeholder:
            page_slot.empty()


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def aging_table(
    version_key: tuple, as_of: date, basis: Basis, edges: tuple[int, ...], by: GroupBy
) -> pd.DataFrame:
    return creditdash.aging(ledger(), as_of, basis=basis, edges=edges, by=by)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def kpis_at(version_key: tuple, as_of: date, window_days: int = 90) -> creditdash.Kpis:
    return creditdash.kpis(ledger(), as_of, window_days=window_days)


def as_of() -> date:
    """The global as-of date chosen in the sidebar."""
    value = st.session_state.get("as_of")
    if value is None:
        last = ledger().last_date
        return last.date() if last is not None else date.today()
    return value


AS_OF_NEXT = "_as_of_next"  # the as-of date app.py sets on the next run (see move_as_of)


def move_as_of(day: date | None) -> None:
    """Move the sidebar's as-of date to `day` (None: the ledger's latest date) on the next run.

    The sidebar draws its date before the page runs, so a page that changes the data (an
    import) cannot set it in the same run; app.py sets it before drawing it next time.
    """
    st.session_state[AS_OF_NEXT] = day


def money(value: float | None, currency: str | None = None) -> str:
    """Exact money in the chosen language's format: ¥1,234,567.89."""
    return i18n.money(value, currency or settings().reporting_currency, lang())


def money_compact(value: float | None, currency: str | None = None) -> str:
    """Money for tiles: compact (¥1.23亿 / ¥123.46M) unless the user turned that off."""
    compact = st.session_state.get("compact", True)
    return i18n.money(value, currency or settings().reporting_currency, lang(), compact=compact)


def download_pair(
    csv_frame: pd.DataFrame,
    sheets: dict[str, pd.DataFrame],
    stem: str,
    key: str,
    money: set[str] | None = None,
) -> None:
    """A CSV of `csv_frame` and an XLSX of `sheets` side by side (keys `{key}_csv`, `{key}_xlsx`).

    Both files are built on click, not on every rerun (an XLSX takes ~1 s per 10,000 rows),
    and a click needs no rerun; one would also drop a second click landing during it.
    """
    from creditdash.exports import XLSX_MIME, to_csv_bytes, to_xlsx_bytes

    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(tr("download.csv"), lambda: to_csv_bytes(csv_frame), f"{stem}.csv",
                       "text/csv", key=f"{key}_csv", on_click="ignore")  # fmt: skip
    c2.download_button(tr("download.xlsx"), lambda: to_xlsx_bytes(sheets, money),
                       f"{stem}.xlsx", XLSX_MIME, key=f"{key}_xlsx", on_click="ignore")  # fmt: skip


def bucket_name(label: str) -> str:
    """An aging bucket's label as the reader says it ("current" is 未到期 in Chinese)."""
    return presentation.bucket_name(label, lang())


def localised(fig):
    """`fig` ready to draw: text from data shown literally (never a link or a picture), money
    axes in the reader's units (万 / 亿 or K / M / B), dates the reader's way. Every
    st.plotly_chart gets its figure through here."""
    from creditdash.charts import localise

    return localise(fig, lang())


def money_column(label: str, help: str | None = None):
    """A table column of money: thousands separators, two decimals."""
    return st.column_config.NumberColumn(label, format="%,.2f", help=help)


def columns(specs: Mapping[str, presentation.Column | str | None]) -> dict:
    """`column_config` from the library's `presentation.Column`s (a plain string or None is
    passed on as it is): money and percentages formatted, tooltips kept."""
    config: dict = {}
    for name, spec in specs.items():
        if not isinstance(spec, presentation.Column):
            config[name] = spec
        elif spec.kind == "money":
            config[name] = money_column(spec.label, help=spec.help)
        elif spec.kind == "percent":
            config[name] = st.column_config.NumberColumn(
                spec.label, format="percent", help=spec.help
            )
        else:  # a bare label lets `table` show a column of dates as dates
            config[name] = (
                spec.label
                if spec.help is None
                else st.column_config.Column(spec.label, help=spec.help)
            )
    return config


def tiles(items: list[presentation.Tile], per_row: int = 3, border: bool = False) -> None:
    """The library's metric tiles, `per_row` to a row, each figure formatted by its kind."""
    for column, tile in zip(tile_columns(len(items), per_row), items, strict=True):
        help_text = None if tile.help is None else said_md(tile.help)
        column.metric(said_md(tile.label), _tile_value(tile), help=help_text, border=border)


def _tile_value(tile: presentation.Tile) -> str:
    value = tile.value
    if tile.kind == "text" or isinstance(value, str):
        return str(value)
    if tile.kind == "count":
        return f"{value:,}"
    figure = None if _missing(value) else value
    return {"money": money, "compact": money_compact, "pct": pct}[tile.kind](figure)


MISSING = "–"  # how a table shows a value that is missing ("None" otherwise)


def table(frame: pd.DataFrame, *, first=(), column_config=None, where=None, empty=None, **kwargs):
    """`st.dataframe` of a frame shown to the reader (`where`: a column or container).

    The key columns `first` (a change, an amount, a total) lead, so a wide table never
    hides them past its right edge; a missing value shows as "–", not "None"; a date
    column whose times are all midnight shows the date alone; an empty frame is a line
    saying so (`empty`, or "No rows."), not Streamlit's English "empty" (None is returned).
    """
    where = where or st
    if frame.empty:
        where.caption(empty or tr("table.empty"))
        return None
    frame = _missing_named(frame)
    config = dict(column_config or {})
    for name in frame.columns:
        label = config.get(name, name)
        if isinstance(label, str) and _midnights(frame[name]):
            config[name] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
    shown = [c for c in frame.columns if not (c in config and config[c] is None)]
    lead = [c for c in first if c in shown]
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("placeholder", MISSING)
    return where.dataframe(
        frame,
        column_config=config,
        column_order=[*lead, *(c for c in shown if c not in lead)],
        **kwargs,
    )


_GROUPS = ("segment", "region", "salesperson", "group")  # columns that may hold NO_ATTRIBUTE


def _missing_named(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the library's "(none)" (a customer without a segment, region or
    salesperson) in the reader's language."""
    found = [c for c in _GROUPS if c in frame.columns and (frame[c] == NO_ATTRIBUTE).any()]
    if not found:
        return frame
    return frame.assign(**{c: frame[c].replace(NO_ATTRIBUTE, tr("aging.no_value")) for c in found})


def _midnights(column: pd.Series) -> bool:
    """True for a datetime column whose every time is 00:00 (dates stored as datetimes)."""
    if not pd.api.types.is_datetime64_any_dtype(column):
        return False
    times = column.dropna()
    return bool(len(times)) and bool((times == times.dt.normalize()).all())


def tile_columns(count: int, per_row: int = 3) -> list:
    """Columns for `count` metric tiles, `per_row` to a row (rows as needed).

    Three to a row: the longest label and a compact figure such as ¥7,347.33万 fit
    whole on a laptop screen, in Chinese as in English (five cut both).
    """
    rows = -(-count // per_row)
    return [c for _ in range(rows) for c in st.columns(per_row)][:count]


def days(value: float | None) -> str:
    unit = " 天" if lang() == "zh" else " d"
    return MISSING if _missing(value) else i18n.number(shown(value), lang(), 1) + unit


def pct(value: float | None) -> str:
    return MISSING if _missing(value) else i18n.number(value, lang(), 1) + "%"


def _missing(value) -> bool:
    """None or NaN (an average over nothing): a figure that cannot be given."""
    return value is None or value != value


def points(value: float | None) -> str:
    """A change of a percentage: `+1.4 pp` / `+1.4 个百分点`, never `1.4%`."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    return sign + i18n.number(value, lang(), 1) + (" 个百分点" if lang() == "zh" else " pp")


def change(fmt, value: float) -> str:
    """A tile's change in the tile's unit: percentages change by points, money without ¥."""
    return points(value) if fmt is pct else fmt(value).replace("¥", "")


def empty_state() -> bool:
    """True (and a message that says what to do) when nothing is imported yet."""
    if not ledger().is_empty:
        return False
    st.info(tr("empty.text"), icon=":material/upload_file:")
    st.page_link("pages/data.py", label=tr("empty.link"), icon=":material/upload:")
    return True


def last_import() -> str | None:
    table = list_imports(engine())
    applied = table[table["status"] == "applied"]
    if applied.empty:
        return None
    r = applied.iloc[0]
    return f"#{r['import_id']} {r['file_names'][:40]} ({r['started_at']:%Y-%m-%d %H:%M})"


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def ar_by_month(version_key: tuple, as_of: date, months: int = 12) -> pd.DataFrame:
    return creditdash.ar_by_month(ledger(), as_of, months=months)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def open_items(
    version_key: tuple, as_of: date, basis: Basis, edges: tuple[int, ...]
) -> pd.DataFrame:
    return creditdash.open_items(ledger(), as_of, basis=basis, edges=edges)


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def _computed(name: str, version_key: tuple, args: tuple, kwargs: tuple, _func: Callable):
    return _func(ledger(), *args, **dict(kwargs))


def computed(func: Callable, *args, **kwargs):
    """`func(ledger, *args, **kwargs)`, cached per data version (a copy per call: small results)."""
    name = f"{func.__module__}.{func.__qualname__}"
    return _computed(name, version(), args, tuple(sorted(kwargs.items())), func)


@st.cache_resource(max_entries=32, ttl=3600, show_spinner=False)
def _shared(name: str, version_key: tuple, args: tuple, kwargs: tuple, _func: Callable):
    return _func(ledger(), *args, **dict(kwargs))


def shared(func: Callable, *args, **kwargs):
    """Like `computed` but one shared object, not copies: for fitted models and big frames.

    The caller must not mutate what it gets.
    """
    name = f"{func.__module__}.{func.__qualname__}"
    return _shared(name, version(), args, tuple(sorted(kwargs.items())), func)
