"""serve.py as the server stops: a ledger being saved is written whole first."""

from __future__ import annotations

import asyncio
import time

import serve
from creditdash.store import ledger_cache, load_ledger
from creditdash.store.engine import make_engine
from creditdash.store.load import cache_version, database_identity


def test_the_lifespan_ends_by_finishing_what_is_being_saved(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(serve, "import_all", lambda: calls.append("imports"))
    monkeypatch.setattr(serve, "_warm_up", lambda: None)
    monkeypatch.setattr(serve, "stopping", lambda: calls.append("stopping"))

    async def serve_once() -> None:
        async with serve._lifespan(None):
            calls.append("serving")

    asyncio.run(serve_once())
    assert calls == ["imports", "serving", "stopping"]


def test_stopping_waits_for_a_ledger_being_saved(demo_db_file, tmp_path, monkeypatch):
    engine = make_engine(f"sqlite:///{demo_db_file}")
    ledger = load_ledger(engine, "CNY")
    key = ledger_cache.CacheKey(database_identity(engine), cache_version(engine), "CNY")
    real = ledger_cache.save

    def slow(*args, **kwargs):
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger_cache, "save", slow)
    ledger_cache.save_in_background(tmp_path, key, ledger)
    serve.stopping()
    assert ledger_cache.load(tmp_path, key) is not None
