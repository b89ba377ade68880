"""The command line remembers a corrected mapping as an import profile: --header-row, --profile."""

from __future__ import annotations

import io

import pytest

from creditdash.cli import main

CUSTOM = "Custom report\n\nRef,Cust,Booked,Owed\nA1,c1,2025-01-01,10.00\nA2,c2,2025-02-01,20.00\n"
CORRECTIONS = ["--map", "Ref=invoice_id", "--map", "Cust=customer_id", "--map",
               "Booked=invoice_date", "--map", "Owed=open_amount"]  # fmt: skip


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdout=out)
    return code, out.getvalue()


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_header_row_and_map_correct_a_file_and_are_saved_as_a_profile(db, tmp_path):
    first = write(tmp_path, "week1.csv", CUSTOM)
    code, text = run("--db", db, "import", first, "--as-of", "2025-06-30")
    assert code == 3  # the header is not on the first row and no column is recognised
    code, text = run("--db", db, "import", first, "--as-of", "2025-06-30", "--header-row", "3",
                     *CORRECTIONS, "--profile", "weekly AR")  # fmt: skip
    assert code == 0, text
    assert "Saved how this file is read as the import profile 'weekly AR'." in text
    code, text = run("--db", db, "profiles")
    assert "weekly AR" in text and "open_items" in text
    # next week's export is read with the profile, with no options at all
    second = write(tmp_path, "week2.csv", CUSTOM.replace("A1,", "A3,"))
    code, text = run("--db", db, "import", second, "--as-of", "2025-07-07")
    assert code == 0, text
    assert "read with the saved import profile 'weekly AR'" in text
    assert "invoices: 1 new" in text


def test_a_named_profile_that_does_not_exist_is_an_error(db, tmp_path):
    path = write(tmp_path, "x.csv", CUSTOM)
    code, _ = run("--db", db, "import", path, "--profile", "nope", "--as-of", "2025-06-30")
    assert code == 1


def test_profiles_rename_and_delete(db, tmp_path):
    path = write(tmp_path, "x.csv", CUSTOM)
    run("--db", db, "import", path, "--as-of", "2025-06-30", "--header-row", "3", *CORRECTIONS)
    code, text = run("--db", db, "profiles")
    assert [line.split()[0] for line in text.splitlines()[1:] if line.strip()] == ["x"]
    code, text = run("--db", db, "profiles", "--rename", "x", "weekly")
    assert code == 0 and "weekly" in text
    code, text = run("--db", db, "profiles", "--delete", "weekly")
    assert code == 0 and "weekly" not in text
    code, _ = run("--db", db, "profiles", "--delete", "weekly")
    assert code == 1


def test_header_row_beyond_the_sheet_is_refused(db, tmp_path):
    path = write(tmp_path, "x.csv", CUSTOM)
    code, _ = run("--db", db, "import", path, "--header-row", "40", "--as-of", "2025-06-30")
    assert code == 1
