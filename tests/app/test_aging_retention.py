"""The aging page shows retention (质保金) not yet due as "of which", and labels its line."""

from __future__ import annotations

from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.store import open_store
from tests.app.conftest import _app

RETENTION = (
    "发票号,客户编号,客户名称,开票日期,到期日,金额,质保金,质保期到期日\n"
    'FP-1,C1,甲公司,2024-01-10,2024-02-09,"1,000,000.00","100,000.00",2025-01-10\n'
)


def test_retention_caption_and_line(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    engine = open_store(url)
    import_sources(engine, [Source("fp.csv", RETENTION.encode("utf-8"))], snapshot=False)
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
