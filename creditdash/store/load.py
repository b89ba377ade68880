"""Reading the stored ledger back into a `Ledger` (one reporting currency)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, select

import creditdash.store.columnar as columnar_mod
import creditdash.store.ledger_cache as ledger_cache
from creditdash.arrowmem import arrow_on_malloc
from creditdash.documents import spread_over_items
from creditdash.errors import InvalidArgument
from creditdash.frames import (
    CUSTOMER_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    RATE_COLUMNS,
    conform,
)
from creditdash.i18n import Text
from creditdash.ledger import Ledger, ledger_arrays
from creditdash.store.engine import _sqlite_file
from creditdash.store.models import Customer, Import, Invoice, Payment, Rate

_CENTS = "CAST(ROUND(amount * 100) AS BIGINT)"
TABLES = ("customers", "invoices", "payments", "rates")


def _connected(bind: Engine | Connection):
    """A connection to read with: `bind` itself when it is one (its open transaction is seen)."""
    return nullcontext(bind) if isinstance(bind, Connection) else bind.connect()


def _engine_of(bind: Engine | Connection) -> Engine:
    return bind.engine if isinstance(bind, Connection) else bind


def read_table(
    bind: Engine | Connection, name: str, *, columnar: bool | None = None
) -> pd.DataFrame:
    """Stored table `name` (customers, invoices, payments, rates) as its canonical frame.

    Read as Arrow columns through ADBC (`creditdash.store.columnar`) where the
    database can be reached that way, else through SQLAlchemy rows (an
    in-memory SQLite database); `columnar` forces one or the other. Both give
    the same frame. The columnar reader has its own connection and sees what is
    committed: given a Connection, read before writing on it (as the import
    does under its lock).
    """
    engine = _engine_of(bind)
    use_columns = columnar if columnar is not None else _columns_pay(bind, [name])
    if use_columns:
        [table] = columnar_mod.read(engine, [columnar_mod.table_sql(name, engine.dialect.name)])
        return _conformed(columnar_mod.frame_of(table, name), name)
    return _ROW_READERS[name](bind)


# SQLite's columnar reader is a child process (see creditdash.store.sqlite_reader): worth its
# start (~0.2 s) from about this many rows on: read as tuples, rows cost ~2.5 µs each (the
# demo's 66,000: 0.16-0.19 s either way; 200,000: 0.55 s against 0.23 s in columns).
COLUMNS_FROM_ROWS = 50_000


def _columns_pay(bind: Engine | Connection, tables: list[str]) -> bool:
    """True when `tables` are best read through the columnar path."""
    engine = _engine_of(bind)
    if not columnar_mod.can_read(engine):
        return False
    if engine.dialect.name != "sqlite":
        return True
    counts = " + ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables)
    with _connected(bind) as conn:
        return int(conn.exec_driver_sql(f"SELECT {counts}").scalar() or 0) >= COLUMNS_FROM_ROWS


def _conformed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return conform(frame, _FRAME_COLUMNS[name])


def read_customers(bind: Engine | Connection) -> pd.DataFrame:
    """The customers table as a canonical frame (credit limit in its own currency's cents)."""
    return read_table(bind, "customers")


def read_invoices(bind: Engine | Connection) -> pd.DataFrame:
    """The invoices table, amounts in their own currency's cents."""
    return read_table(bind, "invoices")


def read_payments(bind: Engine | Connection) -> pd.DataFrame:
    """The payments table, amounts in cents of their invoice's (or customer's) currency."""
    return read_table(bind, "payments")


def read_rates(bind: Engine | Connection) -> pd.DataFrame:
    """The rates table: currency, rate_date, rate (float)."""
    return read_table(bind, "rates")


# --- the row path: SQLAlchemy rows (an in-memory SQLite database, and the reference) ---


def _frame(bind: Engine | Connection, sql: str, columns: list[str]) -> pd.DataFrame:
    with _connected(bind) as conn:
        rows = conn.exec_driver_sql(sql).fetchall()
    # as plain tuples: pandas probes any other row object value by value, five times slower
    return pd.DataFrame.from_records([tuple(row) for row in rows], columns=columns)


def _dates(values: pd.Series) -> pd.Series:
    if values.empty:
        return values.astype("datetime64[us]")
    if isinstance(values.iloc[0], str):
        return pd.to_datetime(values, format="%Y-%m-%d").astype("datetime64[us]")
    return pd.to_datetime(values).astype("datetime64[us]")


def _customer_rows(bind: Engine | Connection) -> pd.DataFrame:
    cols = [c for c in CUSTOMER_COLUMNS if c != "credit_limit_cents"]
    sql = (
        "SELECT "
        + ", ".join(cols)
        + ", CAST(ROUND(credit_limit * 100) AS BIGINT) FROM customers ORDER BY customer_id"
    )
    frame = _frame(bind, sql, [*cols, "credit_limit_cents"])
    return conform(frame, CUSTOMER_COLUMNS)


def _invoice_rows(bind: Engine | Connection) -> pd.DataFrame:
    sql = (
        "SELECT invoice_id, customer_id, invoice_date, due_date, "
        f"{_CENTS}, currency, disputed, source, document_id, part FROM invoices"
    )
    frame = _frame(bind, sql, INVOICE_COLUMNS)
    frame["invoice_date"] = _dates(frame["invoice_date"])
    frame["due_date"] = _dates(frame["due_date"])
    frame["disputed"] = frame["disputed"].astype(bool)
    return conform(frame, INVOICE_COLUMNS)


def _payment_rows(bind: Engine | Connection) -> pd.DataFrame:
    sql = (
        f"SELECT payment_id, customer_id, invoice_id, payment_date, {_CENTS}, source FROM payments"
    )
    frame = _frame(bind, sql, PAYMENT_COLUMNS)
    frame["payment_date"] = _dates(frame["payment_date"])
    return conform(frame, PAYMENT_COLUMNS)


def _rate_rows(bind: Engine | Connection) -> pd.DataFrame:
    with _connected(bind) as conn:
        rows = conn.execute(select(Rate.currency, Rate.rate_date, Rate.rate)).all()
    frame = pd.DataFrame.from_records([tuple(row) for row in rows], columns=RATE_COLUMNS)
    frame["rate_date"] = pd.to_datetime(frame["rate_date"]).astype("datetime64[us]")
    frame["rate"] = frame["rate"].astype(float)
    return conform(frame, RATE_COLUMNS)


_ROW_READERS = {
    "customers": _customer_rows,
    "invoices": _invoice_rows,
    "payments": _payment_rows,
    "rates": _rate_rows,
}
_FRAME_COLUMNS = {
    "customers": CUSTOMER_COLUMNS,
    "invoices": INVOICE_COLUMNS,
    "payments": PAYMENT_COLUMNS,
    "rates": RATE_COLUMNS,
}


def rate_for(rates: pd.DataFrame, currency: pd.Series, dates: pd.Series) -> np.ndarray:
    """The rate in force at each date: the latest on or before it, else the earliest after it.

    Returns NaN where the currency has no rate at all.
    """
    out = np.full(len(currency), np.nan)
    for code, table in rates.sort_values("rate_date").groupby("currency"):
        mask = (currency == code).to_numpy()
        if not mask.any():
            continue
        days = table["rate_date"].to_numpy()
        pos = np.searchsorted(days, dates.to_numpy()[mask], side="right") - 1
        out[mask] = table["rate"].to_numpy()[np.clip(pos, 0, len(days) - 1)]
    return out


def to_reporting(
    invoices: pd.DataFrame,
    payments: pd.DataFrame,
    customers: pd.DataFrame,
    rates: pd.DataFrame,
    currency: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invoices and payments with amount_cents in `currency` at their transaction dates' rates.

    Amounts come in their own currency's cents. Payments settle in their
    invoice's currency: a payment applied to an invoice is in that invoice's
    currency and converts at the invoice's rate, so a settled foreign invoice
    nets to zero; unapplied cash is in its customer's currency (else
    `currency`) and converts at its own date's rate. When any item is in
    another currency, both frames keep the amount in its own currency as
    `original_cents`, and payments get that `currency`: `Ledger` translates
    the open balances at an as-of date from them (see `creditdash.aging`).
    """
    reporting = invoices["currency"].fillna(currency) == currency
    if reporting.all() and _all_reporting(customers, currency):
        return invoices, payments  # every payment is then in `currency` too
    pay_currency = _payment_currencies(invoices, payments, customers, currency)
    pay_foreign = pay_currency != currency
    if reporting.all() and not pay_foreign.any():
        return invoices, payments
    rate = rate_for(rates, invoices["currency"], invoices["invoice_date"])
    pay_own_rate = rate_for(rates, pay_currency, payments["payment_date"])
    missing = set(invoices.loc[~reporting & np.isnan(rate), "currency"])
    missing |= set(pay_currency[pay_foreign & np.isnan(pay_own_rate)])
    if missing:
        raise InvalidArgument.coded(
            "error.store.no_rate",
            "No exchange rate to {currency} for currency {missing}: upload a rates file "
            "(currency, date, rate).",
            currency=currency,
            missing=", ".join(sorted(missing)),
        )
    inv_rate = np.where(reporting, 1.0, rate)
    by_invoice = pd.Series(inv_rate, index=invoices["invoice_id"])
    by_invoice = by_invoice[~by_invoice.index.duplicated()]
    pay_rate = payments["invoice_id"].map(by_invoice).to_numpy(dtype=np.float64)
    pay_rate = np.where(np.isnan(pay_rate), np.where(pay_foreign, pay_own_rate, 1.0), pay_rate)
    invoices = invoices.assign(
        amount_cents=_converted(invoices["amount_cents"], inv_rate),
        original_cents=invoices["amount_cents"].to_numpy(dtype=np.int64),
    )
    payments = payments.assign(
        amount_cents=_converted(payments["amount_cents"], pay_rate),
        original_cents=payments["amount_cents"].to_numpy(dtype=np.int64),
        currency=pay_currency.to_numpy(),
    )
    return invoices, payments


def _all_reporting(customers: pd.DataFrame, currency: str) -> bool:
    """True when no customer has a currency other than `currency` (none or empty is `currency`)."""
    if "currency" not in customers.columns:
        return True
    own = customers["currency"]
    return bool((own.isna() | (own == "") | (own == currency)).all())


def _payment_currencies(
    invoices: pd.DataFrame, payments: pd.DataFrame, customers: pd.DataFrame, currency: str
) -> pd.Series:
    """Each payment's currency: its invoice's, else its customer's, else `currency`."""
    of_invoice = invoices.drop_duplicates("invoice_id").set_index("invoice_id")["currency"]
    if "currency" in customers.columns:
        of_customer = customers.drop_duplicates("customer_id").set_index("customer_id")["currency"]
    else:
        of_customer = pd.Series(dtype="str")
    own = payments["invoice_id"].map(of_invoice.fillna(currency))
    own = own.fillna(payments["customer_id"].map(of_customer))
    return own.fillna(currency).replace("", currency).astype("str").reset_index(drop=True)


def _converted(cents: pd.Series, rate: np.ndarray) -> np.ndarray:
    return np.round(cents.to_numpy(dtype=np.int64) * rate).astype("int64")


Progress = Callable[[float, Text], None]  # (share done, what is being done)


def load_ledger(
    engine: Engine,
    currency: str = "CNY",
    *,
    cache: Path | None = None,
    progress: Progress | None = None,
    save_later: bool = False,
) -> Ledger:
    """The whole stored ledger in `currency` (see `to_reporting`).

    Every table is read in one read transaction. With `cache` (a folder), the
    ledger saved there for this database, data version, currency and code
    (`creditdash.store.ledger_cache`) is used when it is whole and current;
    otherwise the ledger is read from the database, its arrays built, and
    saved there for the next start. `progress(share, text)` hears what is
    being done. With `save_later`, the ledger is saved by a thread of its own while the
    caller goes on with it (the app draws the page meanwhile).
    """
    report = progress or (lambda _share, _text: None)
    identity = database_identity(engine) if cache is not None else None
    if cache is not None and identity is not None:
        report(0.02, Text("load.step.cache"))
        key = ledger_cache.CacheKey(identity, cache_version(engine), currency)
        found = ledger_cache.load(cache, key)
        if found is not None:
            report(1.0, Text("load.step.done"))
            return found
    with arrow_on_malloc():
        frames, version = _read_all(engine, report)
        ledger = ledger_from_frames(frames, currency)
        del frames  # the ledger holds what it needs of them
        if cache is not None and identity is not None:
            ledger_arrays(ledger)  # what the figures need first; saved with the frames
    if cache is not None and identity is not None:
        key = ledger_cache.CacheKey(identity, version, currency)
        ledger_cache.remember(ledger, key)
        if save_later:
            ledger_cache.save_in_background(cache, key, ledger)
        else:
            report(0.9, Text("load.step.saving"))
            ledger_cache.save(cache, key, ledger)
    report(1.0, Text("load.step.done"))
    return ledger


def ledger_from_frames(frames: dict[str, pd.DataFrame], currency: str) -> Ledger:
    """A Ledger in `currency` from the stored tables' frames (`read_table`'s, by table name)."""
    customers, invoices, rates = frames["customers"], frames["invoices"], frames["rates"]
    # payments naming a document pay its items (creditdash.documents), in their own currency
    payments = spread_over_items(invoices, frames["payments"])
    invoices, payments = to_reporting(invoices, payments, customers, rates, currency)
    return Ledger.from_frames(customers, invoices, payments, currency=currency, rates=rates)


def _read_all(engine: Engine, report: Progress) -> tuple[dict[str, pd.DataFrame], str]:
    """Every table's frame and the data version they are, read in one transaction."""
    report(0.05, Text("load.step.reading"))
    if _columns_pay(engine, ["invoices", "payments"]):
        queries = [_VERSION_SQL] + [columnar_mod.table_sql(n, engine.dialect.name) for n in TABLES]
        version_table, *tables = columnar_mod.read(engine, queries)
        version = _version_text(tuple(c[0].as_py() for c in version_table.columns))
        report(0.6, _building(version))
        frames = {}
        for name in TABLES:  # each table let go once its frame is built: at most one of each
            frames[name] = _conformed(columnar_mod.frame_of(tables.pop(0), name), name)
        return frames, version
    with engine.connect() as conn:  # one connection, one transaction
        version = _version_text(conn.exec_driver_sql(_VERSION_SQL).one())
        frames = {name: _ROW_READERS[name](conn) for name in TABLES}
    report(0.6, _building(version))
    return frames, version


def _building(version: str) -> Text:
    """What is done with the frames read; the version holds the number of invoices."""
    return Text("load.step.building", {"n": f"{int(version.split('|')[2]):,}"})


# One statement, so one consistent read: data_version's three numbers, then the newest
# import's start and files' digest (another database at the same place differs there).
_VERSION_SQL = (
    "SELECT (SELECT MAX(import_id) FROM imports), "
    "(SELECT COUNT(*) FROM imports WHERE status = 'applied'), "
    "(SELECT COUNT(*) FROM invoices), "
    "(SELECT CAST(started_at AS TEXT) FROM imports ORDER BY import_id DESC LIMIT 1), "
    "(SELECT sha256 FROM imports ORDER BY import_id DESC LIMIT 1)"
)


def _version_text(row: tuple) -> str:
    newest, applied, invoices, started, digest = row
    return f"{int(newest or 0)}|{int(applied or 0)}|{int(invoices or 0)}|{started}|{digest}"


def cache_version(bind: Engine | Connection) -> str:
    """The data version that keys the ledger cache: `data_version`'s numbers, then the newest
    import's start time and files' digest, as text."""
    with _connected(bind) as conn:
        return _version_text(conn.exec_driver_sql(_VERSION_SQL).one())


def database_identity(engine: Engine) -> str | None:
    """What tells this database from any other, for the ledger cache; None for one in memory.

    A SQLite file's resolved path; a server's URL without its password (user, host, port,
    database and options such as the search path).
    """
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        return None if path is None else f"sqlite:{path.resolve()}"
    plain = url.set(drivername=url.get_backend_name(), password=None)
    return plain.render_as_string(hide_password=False)


def data_version(engine: Engine | Connection) -> tuple[int, int, int]:
    """Changes whenever the stored data does: (newest import id, applied imports, invoices)."""
    with _connected(engine) as conn:
        newest = conn.execute(select(func.max(Import.import_id))).scalar() or 0
        applied = conn.execute(
            select(func.count()).select_from(Import).where(Import.status == "applied")
        ).scalar()
        n_invoices = conn.execute(select(func.count()).select_from(Invoice)).scalar()
    return int(newest), int(applied or 0), int(n_invoices or 0)


def import_stamp(bind: Engine | Connection) -> tuple:
    """What every import and rollback changes, read without counting rows: (newest import id,
    applied imports, the newest import's start). `data_version` adds the count of invoices,
    which on a big PostgreSQL table takes a scan; a caller asking often can keep the data
    version per stamp."""
    sql = (
        "SELECT (SELECT MAX(import_id) FROM imports), "
        "(SELECT COUNT(*) FROM imports WHERE status = 'applied'), "
        "(SELECT CAST(started_at AS TEXT) FROM imports ORDER BY import_id DESC LIMIT 1)"
    )
    with _connected(bind) as conn:
        newest, applied, started = conn.exec_driver_sql(sql).one()
    return int(newest or 0), int(applied or 0), started


def row_counts(engine: Engine) -> dict[str, int]:
    """How many customers, invoices, payments and applied imports are stored."""
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(model)).scalar() or 0)
            for name, model in (
                ("customers", Customer),
                ("invoices", Invoice),
                ("payments", Payment),
                ("imports", Import),
            )
        }


def list_imports(engine: Engine) -> pd.DataFrame:
    """One row per import (the `imports` table's columns), newest first."""
    t = Import.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.import_id.desc())).mappings().all()
    return pd.DataFrame(rows, columns=list(t.c.keys()))
