"""The aging page shows retention (质保金) not yet due as "of which", and labels its line."""

from __future__ import annotations

from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.store import open_store
from tests.app.conftest import _app


def test_retention_caption_and_line(monkeypatch, tmp_path, retention_csv):
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    engine = open_store(url)
    import_sources(engine, [Source("fp.csv", retention_csv.encode("utf-8"))], snapshot=False)
    engine.dispose()
    at = _app(monkeypatch, url, demo=False)
    at.run()  # as of the invoice date: nothing is overdue yet
    at.switch_page("pages/aging.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert table["current"].tolist() == [1_000_000.0] and table["total"].tolist() == [1_000_000.0]
    assert table["retention"].tolist() == [100_000.0]
    assert any("Of which retention (质保金), not yet due: " in c.value for c in at.caption)
