"""`risk` on the demo company: every customer gets a PD, and the command says what a PD is
and which model inputs were left out and why."""

from __future__ import annotations

import csv
import io

from creditdash.cli import main


def test_risk_says_what_the_pd_means_and_what_the_model_left_out(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert main(["--db", url, "demo", "--out", str(tmp_path / "demo")], stdout=io.StringIO()) == 0
    capsys.readouterr()
    out = io.StringIO()
    assert main(["--db", url, "risk", "--as-of", "2026-11-27", "--format", "csv"], stdout=out) == 0
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 300 and all(r["pd"] for r in rows)
    live = [float(r["pd"]) for r in rows if "in_default" not in r["flags"]]
    assert max(live) <= 0.99 and min(live) >= 0.0005
    notes = capsys.readouterr().err.splitlines()
    assert notes[0] == (
        "note: PD = chance of an invoice 90+ days past due within 12 months "
        "(100% = the customer already has one)."
    )
    assert "note: Left out of the PD model: Third-party score: too few values (0 of " in "\n".join(
        notes
    )
    assert any(n.startswith("note: PDs calibrated (Platt scaling)") for n in notes)
