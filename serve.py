"""The app's server: `streamlit run serve.py` serves `app.py`.

While the server waits for its first visitor, a thread opens the store
(migrating it, loading the demo company into an empty one) and loads the
ledger, so the first page draws from memory instead of starting all that
work when someone asks for it. A store that cannot be opened is left to the
page, which says why.
"""

import contextlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st


def _warm_up() -> None:
    import ui
    from creditdash.errors import CreditDashError

    with contextlib.suppress(CreditDashError):  # the first page says it, in the reader's language
        ui.ledger()


@asynccontextmanager
async def _lifespan(_app: object) -> AsyncIterator[None]:
    threading.Thread(target=_warm_up, name="creditdash-warm-up", daemon=True).start()
    yield


app = st.App("app.py", lifespan=_lifespan)
