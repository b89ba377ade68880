"""The app's server: `streamlit run serve.py` serves `app.py`.

Before the server takes its first request, every module of the library and
the UI is imported here, one after the other (half a second to a second; what
they make is then kept out of the garbage collector's way, `import_all` says
why), but for the contracts of an import, which load pandera. Python takes
a module's lock before its package's, so two threads importing one package
for the first time at once (the warm-up below and a page's script, or two
visitors' scripts) can each hold what the other waits for, and one of them
meets a half-made module; imported first, every page finds them made.

Then, while the server waits for its first visitor, one thread does Streamlit's
own first-use work (the sidebar's first element waits for it) while another
opens the store (migrating it, loading the demo company into an empty one),
loads the ledger and computes the Overview's figures at the as-of date a new
session starts on, so the first page draws from memory instead of starting all
that work when someone asks for it; the ledger is read mostly outside Python's
lock (a child process, Arrow), so the two share little. The second draws the
Overview's charts once only while no visitor's page has run: on two cores a
page under way would share the processor with charts it draws itself. A store
that cannot be opened is left to the page, which says why. As it stops, the
server finishes saving a ledger it loaded.
"""

import contextlib
import gc
import importlib
import pkgutil
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

# run by Alembic and by `python -m creditdash`, never imported by the app; the contracts,
# which load pandera (a quarter of a second), only by an import, the first time it runs (one
# module reached by one path: a second thread importing it meanwhile waits for the first)
NOT_IMPORTED = ("creditdash.store.migrations", "creditdash.__main__", "creditdash.contracts")


def import_all() -> list[str]:
    """Import every module of `creditdash` and `ui`; returns their names.

    The cyclic garbage collector is off meanwhile and what the imports made is frozen after
    (`gc.freeze`): modules, classes and functions live as long as the process, yet every full
    collection would walk them again (a tenth of a second here, and Streamlit runs one after
    each run of a page). Off, the imports take a tenth of a second less; frozen, a full
    collection walks only what the pages made since.
    """
    import creditdash
    import ui

    names = []
    gc.disable()
    try:
        for package in (creditdash, ui):
            found_all = pkgutil.walk_packages(package.__path__, package.__name__ + ".", _raise)
            for found in found_all:
                if not found.name.startswith(NOT_IMPORTED):
                    importlib.import_module(found.name)
                    names.append(found.name)
    finally:
        gc.enable()
    gc.freeze()
    return names


def _raise(name: str) -> None:
    raise ImportError(f"{name} does not import")


def _warm_up() -> None:
    """The ledger and the Overview's figures, then the charts and number formats, which a
    visitor's page already under way makes for itself instead."""
    import ui.overview
    from creditdash.errors import CreditDashError

    shown = None
    with contextlib.suppress(CreditDashError):  # the first page says it, in the reader's language
        shown = ui.overview.prepare()
    if shown is not None and not ui.visited():
        ui.overview.warm_charts(shown)


def warm_streamlit() -> None:
    """Do the work Streamlit does once per process on the first page of the first session:
    the scan of the call stack before its first element is drawn (which reads where every
    loaded module lives) and the emoji pattern it searches a label that is not ASCII with
    (the language switch's 中文, every label of a page in Chinese). About half a second,
    off the first visitor's wait."""
    from streamlit import env_util, string_util

    env_util.is_repl()
    string_util.extract_leading_emoji("中文")  # any label that is not ASCII compiles it


@asynccontextmanager
async def _lifespan(_app: object) -> AsyncIterator[None]:
    import_all()
    # the one module it imports (Streamlit's emoji list) imports nothing that could meet a
    # module the other thread is importing half-made
    threading.Thread(target=warm_streamlit, name="creditdash-warm-streamlit", daemon=True).start()
    threading.Thread(target=_warm_up, name="creditdash-warm-up", daemon=True).start()
    yield
    stopping()


def stopping() -> None:
    """What the server does as it stops: finish writing a loaded ledger to the cache folder
    (a stop soon after a first load would otherwise leave the next start without it)."""
    from creditdash.store import ledger_cache

    ledger_cache.wait_for_saves()


app = st.App("app.py", lifespan=_lifespan)
