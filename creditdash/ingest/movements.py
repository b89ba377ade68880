"""Open items rebuilt from a movement ledger (三栏式 customer ledger, 客户往来明细账).

A movement ledger lists each customer's debits (invoices) and credits
(receipts) line by line with the running balance after each line, under an
opening balance (期初余额) and between period (本月合计) and year-to-date
(本年累计) totals. Yonyou U8 / T+ export it; English ledgers have the same
shape (Date, Reference, Description, Debit, Credit, Balance).

`rebuild(movements)` takes one row per ledger line, in file order, index =
Excel row, already parsed (the caller applies 方向 to the balance and
classifies each line, e.g. with `classify_lines`):

    customer_id    str, on every line          customer_name  str | NA
    date           datetime64 (NaT allowed on lines without an amount)
    voucher        str | NA (凭证号)            document       str | NA (单据编号)
    summary        str | NA (摘要)
    debit_cents    Int64 | NA                   credit_cents   Int64 | NA
    balance_cents  Int64 | NA, signed: > 0 a debit (借) balance, < 0 credit (贷)
    line_kind      'opening' | 'movement' | 'period_total' | 'ytd_total'

customer_name, voucher, document, summary and balance_cents may be absent.
Each customer's lines are replayed in file order:

- **opening**: the customer's first opening line, before any movement, sets
  the opening balance. A debit balance becomes one invoice
  `<customer>/opening/<YYYY-MM-DD>` dated on the line, a credit balance
  unapplied cash with that payment id. A later opening line (a balance
  carried forward) is only checked. Debit and credit on opening lines are
  ignored.
- **debit > 0** is an invoice. Debits of one customer with the same id
  (below) are one invoice: the amounts add up, the first line's date stays.
- **credit > 0** is a receipt. It pays the open invoice whose document is
  the receipt's document first, then the customer's open invoices oldest
  first (by date, then file order); what is left is unapplied cash. A later
  debit takes the customer's unapplied cash first (oldest receipt first), as
  a payment dated on the receipt's date, so the cash counts as unapplied
  until the invoice exists (see `creditdash.aging`). A customer therefore
  never has unapplied cash and an open invoice at once.
- **debit < 0** (红字冲销, a reversal or credit note) lowers invoices: the one
  whose document is the line's document by up to its whole amount (cash that
  had paid more than is left goes back to unapplied, newest receipt first,
  and pays the next open invoices), then the open invoices newest first by
  what is open. What nothing takes is a credit note: an invoice of negative
  amount with the line's id.
- **credit < 0** (a reversed or bounced receipt) undoes receipts: the one
  whose document is the line's document, then the newest first; each gives
  back its unapplied cash first, then its payments, the last made first,
  reopening those invoices. What nothing takes is charged as an invoice with
  the line's id.
- **period_total** and **ytd_total** lines are checks, never movements.

Ids: a line's id is its document; else `<customer>/<YYYY-MM>/<voucher>`
(voucher numbers restart every month and one voucher may post to several
customers); else `<customer>/<YYYY-MM-DD>/<debit less credit, in cents>`. An id that
several customers use is prefixed with `<customer>/`; the second, third, ...
item with the same id gets `#2`, `#3`, ... in file order. A receipt's payment
to an invoice is `<receipt id>/<invoice id>`, its unapplied cash
`<receipt id>`. Importing the same file again gives the same ids.

Checks (errors, each naming the row): after every line that shows a
balance, the opening balance plus debits less credits so far must equal it
to the cent (the first difference of each customer is reported). A period
total's debit and credit must equal the sums of the movement lines since the
customer's previous period total; a year-to-date total's those of the
year's movement lines, or, when the opening balance is dated after 1
January (the file starts within the year), the previous year-to-date total
plus the movement lines since. A first total that would need lines before
the opening balance is not checked. A total with neither debit nor credit
is only balance-checked; one side blank reads as 0.
"""

from __future__ import annotations

import heapq
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from creditdash.errors import InvalidArgument
from creditdash.ingest.problems import Message, ProblemLog, SheetContext, message

LINE_KINDS = ("opening", "movement", "period_total", "ytd_total")
REQUIRED_COLUMNS = ("customer_id", "date", "debit_cents", "credit_cents", "line_kind")
SOURCE = "movements"

# Chinese labels are the whole cell, English ones start it; tried in this order.
_LABELS = (
    ("ytd_total", re.compile(r"^(?:本年累计|累计)$|^(?:total )?(?:year[ -]?to[ -]?date|ytd)\b")),
    (
        "period_total",
        re.compile(r"^(?:本[月期]合计|月计|合计|小计)$|^(?:(?:month(?:ly)?|period) )?totals?\b"),
    ),
    (
        "opening",
        re.compile(
            r"^(?:期初余额|期初|上年结转)$"
            r"|^(?:opening balance|balance (?:brought forward|b/f)|brought forward|b/f)\b"
        ),
    ),
)
_ENDS = " \t:：*()（）[]【】<>《》"


@dataclass(frozen=True)
class MovementProblem:
    """One problem found while rebuilding: where (`row`, field `column`), what, how bad."""

    row: int  # Excel row of the line
    column: str  # the field at fault: customer_id, date, debit, credit or balance
    message: Message
    level: str = "error"

    @property
    def code(self) -> str:
        return self.message.code

    @property
    def text(self) -> str:
        return self.message.text

    @property
    def params(self) -> dict[str, object]:
        return self.message.params


@dataclass
class Rebuilt:
    """What `rebuild` made; frames have a RangeIndex and `_row` (the Excel row of the line).

    invoices   invoice_id, customer_id, invoice_date, due_date (NaT: fill from
               terms), amount_cents (Int64, < 0 for a credit note), source, _row
    payments   payment_id, customer_id, invoice_id (<NA> = unapplied cash),
               payment_date, amount_cents (Int64, > 0), source, _row
    customers  customer_id, customer_name (first one given), _row (first line)
    problems   every problem, in file order
    """

    invoices: pd.DataFrame
    payments: pd.DataFrame
    customers: pd.DataFrame
    problems: list[MovementProblem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    def report(self, log: ProblemLog, ctx: SheetContext) -> None:
        """Add every problem to `log` as a problem of the sheet `ctx`."""
        for p in self.problems:
            value = ctx.raw(p.column, p.row)
            log.sheet(ctx, p.message, level=p.level, column=p.column, row=p.row, value=value)


def classify_line(summary: object) -> str:
    """The line kind a ledger line's summary (摘要 / description) says; 'movement' if none."""
    if summary is None or summary is pd.NA or (isinstance(summary, float) and np.isnan(summary)):
        return "movement"
    text = unicodedata.normalize("NFKC", str(summary)).casefold().strip(_ENDS)
    text = re.sub(r"\s+", " ", text)
    squeezed = re.sub(r"\s+", "", text)  # 本 月 合 计 -> 本月合计
    for kind, pattern in _LABELS:
        if pattern.search(text) or pattern.search(squeezed):
            return kind
    return "movement"


def classify_lines(summaries: pd.Series) -> pd.Series:
    """`classify_line` of every summary, same index (each distinct text is classified once)."""
    kinds = {text: classify_line(text) for text in summaries.dropna().unique()}
    return summaries.map(kinds).fillna("movement").astype("str")


def rebuild(movements: pd.DataFrame) -> Rebuilt:
    """Invoices, payments and problems replayed from a movement ledger (module docstring)."""
    lines = _Lines.of(movements)
    problems = _unplaced(lines) + _balance_checks(lines) + _total_checks(lines)
    problems.sort(key=lambda p: p.row)
    replay = _Replay(lines)
    for i in lines.replayed():
        replay.line(i)
    return replay.result(problems)


# --- the input as arrays -------------------------------------------------------------


@dataclass
class _Lines:
    """The columns of `movements` as arrays in file order; days count from 1970-01-01."""

    row: np.ndarray
    customer: list[str | None]
    code: np.ndarray  # customer number, -1 without customer
    kind: np.ndarray
    day: np.ndarray
    dated: np.ndarray
    date_text: list[str]  # YYYY-MM-DD, "NaT" when undated
    voucher: list[str | None]
    document: list[str | None]
    debit: np.ndarray  # cents, blank = 0
    credit: np.ndarray
    blank: np.ndarray  # neither debit nor credit given
    balance: np.ndarray  # cents, blank = 0
    has_balance: np.ndarray
    opening_at: np.ndarray  # per customer: its opening line (before any movement), else -1
    names: pd.DataFrame  # customer_id, customer_name, _row

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Lines:
        missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
        if missing:
            raise InvalidArgument.coded(
                "error.ingest.movements_columns",
                "`movements` has no {missing} column; it needs {required}.",
                missing=", ".join(missing),
                required=", ".join(REQUIRED_COLUMNS),
            )
        kind = frame["line_kind"].astype("object").to_numpy()
        bad = ~np.isin(kind, LINE_KINDS)
        if bad.any():
            raise InvalidArgument.coded(
                "error.choice",
                "`{name}` must be one of {options}. Got {value!r}.",
                name="line_kind",
                options=", ".join(LINE_KINDS),
                value=kind[bad][0],
            )
        n = len(frame)
        days = pd.to_datetime(frame["date"]).to_numpy(dtype="datetime64[D]")
        customer = _texts(frame["customer_id"])
        code = pd.factorize(pd.Series(customer, dtype="object"))[0]
        debit, debit_blank = _cents(frame["debit_cents"])
        credit, credit_blank = _cents(frame["credit_cents"])
        balance, balance_blank = _cents(frame.get("balance_cents", pd.Series(pd.NA, frame.index)))
        names = _texts(frame["customer_name"]) if "customer_name" in frame else [None] * n
        return cls(
            row=frame.index.to_numpy(dtype="int64"),
            customer=customer,
            code=code,
            kind=kind,
            day=days.astype("int64"),
            dated=~np.isnat(days),
            date_text=np.datetime_as_string(days, unit="D").tolist(),
            voucher=_texts(frame["voucher"]) if "voucher" in frame else [None] * n,
            document=_texts(frame["document"]) if "document" in frame else [None] * n,
            debit=debit,
            credit=credit,
            blank=debit_blank & credit_blank,
            balance=balance,
            has_balance=~balance_blank,
            opening_at=_opening_lines(code, kind),
            names=pd.DataFrame(
                {"customer_id": customer, "customer_name": names, "_row": frame.index}
            ),
        )

    def moves(self) -> np.ndarray:
        """Where the movement lines of a customer are."""
        return (self.kind == "movement") & (self.code >= 0)

    def replayed(self) -> list[int]:
        """The positions of the lines that make items: opening lines, dated amounts."""
        amounts = self.moves() & self.dated & ((self.debit != 0) | (self.credit != 0))
        amounts[self.opening_at[self.opening_at >= 0]] = True
        return np.flatnonzero(amounts).tolist()


def _texts(series: pd.Series) -> list[str | None]:
    """Stripped text per cell; None for NA or blank."""
    text = series.astype("object").where(series.notna(), None).tolist()
    return [None if v is None or not str(v).strip() else str(v).strip() for v in text]


def _cents(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole cents per cell (0 where blank) and where the cell is blank."""
    values = series.astype("Int64")
    return values.fillna(0).to_numpy(dtype="int64"), values.isna().to_numpy()


def _opening_lines(code: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Per customer, the position of its first opening line if no movement comes before it."""
    k = int(code.max()) + 1 if len(code) else 0
    position = np.arange(len(code))
    first = {}
    for name in ("opening", "movement"):
        at = (kind == name) & (code >= 0)
        first[name] = np.full(k, len(code))
        np.minimum.at(first[name], code[at], position[at])
    return np.where(first["opening"] < first["movement"], first["opening"], -1)


# --- the checks ------------------------------------------------------------------------

_NO_CUSTOMER = (
    "ingest.movements.no_customer",
    "This line has an amount but no customer, so it belongs to no one's ledger. "
    "Fill in the customer code or name (or the customer heading above it).",
)
_NO_DATE = (
    "ingest.movements.no_date",
    "This line has an amount but no date, so it cannot be placed in the ledger. Fill in its date.",
)
_TOTALS = {
    "period": (
        "ingest.movements.period_total_mismatch",
        "This period total shows debits {debit} and credits {credit}, but the {n:,} movement "
        "lines it totals (rows {rows}) add up to debits {movement_debit} and credits "
        "{movement_credit}.",
    ),
    "year": (
        "ingest.movements.ytd_total_mismatch",
        "This year-to-date total shows debits {debit} and credits {credit}, but the {n:,} "
        "movement lines of {year} above it (rows {rows}) add up to debits {movement_debit} and "
        "credits {movement_credit}.",
    ),
    "since": (
        "ingest.movements.ytd_total_mismatch.since",
        "This year-to-date total shows debits {debit} and credits {credit}, but the "
        "year-to-date total on row {previous_row} plus the {n:,} movement lines since "
        "(rows {rows}) make debits {movement_debit} and credits {movement_credit}.",
    ),
}


def _problems(lines: _Lines, at: np.ndarray, column: str, said: tuple[str, str]) -> list:
    return [MovementProblem(int(lines.row[i]), column, message(*said)) for i in at]


def _unplaced(lines: _Lines) -> list[MovementProblem]:
    """Amounts without a customer, and amounts or an opening balance without a date."""
    amount = (lines.debit != 0) | (lines.credit != 0)
    lost = (lines.code < 0) & (amount | (lines.balance != 0))
    opening = np.zeros(len(lines.row), dtype=bool)
    opening[lines.opening_at[lines.opening_at >= 0]] = True
    undated = ~lines.dated & ((lines.moves() & amount) | (opening & (lines.balance != 0)))
    return _problems(lines, np.flatnonzero(lost), "customer_id", _NO_CUSTOMER) + _problems(
        lines, np.flatnonzero(undated), "date", _NO_DATE
    )


def _balance_checks(lines: _Lines) -> list[MovementProblem]:
    """The first line of each customer whose balance is not opening + debits - credits so far."""
    change = np.where(lines.moves(), lines.debit - lines.credit, 0)
    so_far = pd.Series(change).groupby(lines.code).cumsum().to_numpy()
    has_opening = lines.opening_at >= 0
    opening = np.where(has_opening, lines.balance[np.where(has_opening, lines.opening_at, 0)], 0)
    rebuilt = np.append(opening, 0)[lines.code] + so_far  # code -1 (no customer): not checked
    checked = lines.has_balance & (lines.code >= 0)
    checked[lines.opening_at[has_opening]] = False
    wrong = np.flatnonzero(checked & (lines.balance != rebuilt))
    _, first = np.unique(lines.code[wrong], return_index=True)
    problems = []
    for i in np.sort(wrong[first]):
        stated, made = int(lines.balance[i]), int(rebuilt[i])
        said = message(
            "ingest.movements.balance_mismatch",
            "The balance on this row is {balance}, but customer {customer}'s opening balance "
            "plus the debits less the credits down to this row make {rebuilt} (a difference of "
            "{difference}; a debit balance is positive). Check the amounts above this row.",
            balance=_money(stated),
            customer=lines.customer[i],
            rebuilt=_money(made),
            difference=_money(stated - made),
        )
        problems.append(MovementProblem(int(lines.row[i]), "balance", said))
    return problems


@dataclass
class _Sums:
    """Cumulative debit, credit and count over the dated movement lines, by customer.

    The lines are sorted by customer, then file order; `[j]` holds the sums of lines
    `[:j]`, so the sum over lines j..k-1 (one customer's) is `[k] - [j]`.
    """

    at: np.ndarray  # position in the file of each line
    debit: np.ndarray
    credit: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, lines: _Lines, at: np.ndarray, keep: np.ndarray | None = None) -> _Sums:
        weight = np.ones(len(at), dtype="int64") if keep is None else keep.astype("int64")
        return cls(
            at,
            *(
                np.concatenate([[0], np.cumsum(v * weight)])
                for v in (lines.debit[at], lines.credit[at], 1)
            ),
        )


def _total_checks(lines: _Lines) -> list[MovementProblem]:
    """Period and year-to-date totals against the movement lines they total (module docstring)."""
    totals = np.flatnonzero(np.isin(lines.kind, ("period_total", "ytd_total")) & (lines.code >= 0))
    if not len(totals):
        return []
    moves = np.flatnonzero(lines.moves() & lines.dated)
    moves = moves[np.argsort(lines.code[moves], kind="stable")]  # by customer, then file order
    codes = lines.code[totals]
    starts = np.searchsorted(lines.code[moves], codes).tolist()  # each customer's first line
    # how many of the customer's lines come before the total, counted from the very first
    ends = np.searchsorted(
        lines.code[moves] * len(lines.row) + moves, codes * len(lines.row) + totals
    )
    months = lines.day.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]")
    months = months.astype("int64")
    years = lines.day.astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970
    sums = _Sums.of(lines, moves)
    by_year: dict[int, _Sums] = {}
    period_from: dict[int, int] = {}  # customer -> index of its first line after its last total
    ytd_from: dict[tuple[int, int], tuple[int, int, int, int]] = {}  # its last ytd total
    problems = []
    for i, c, start, j in zip(totals.tolist(), codes.tolist(), starts, ends.tolist(), strict=True):
        last = moves[j - 1] if j > start else None  # the customer's last dated movement
        when = i if lines.dated[i] else last
        opening = int(lines.opening_at[c])
        opening_day = lines.day[opening] if opening >= 0 and lines.dated[opening] else None
        stated = (int(lines.debit[i]), int(lines.credit[i]))
        if lines.kind[i] == "period_total":
            first_total = c not in period_from
            k, period_from[c] = period_from.get(c, start), j
            if first_total and opening >= 0:
                month = int(months[when]) if when is not None else None
                if opening_day is None or month is None or opening_day > month:
                    continue  # the ERP's first total holds lines from before the opening
            problems += _total(lines, i, stated, sums, k, j, "period")
            continue
        if when is None:
            continue  # no date on the total nor on a movement above it: no year to total
        year = int(years[when])
        if year not in by_year:
            by_year[year] = _Sums.of(lines, moves, years[moves] == year)
        previous = ytd_from.get((c, year))
        if not lines.blank[i]:
            ytd_from[(c, year)] = (int(lines.row[i]), *stated, j)
        if opening < 0 or (opening_day is not None and opening_day <= _january_first(year)):
            problems += _total(lines, i, stated, by_year[year], start, j, "year", year=year)
        elif previous is not None:  # the file starts within the year: add to the last total
            row, debit, credit, k = previous
            problems += _total(
                lines,
                i,
                stated,
                by_year[year],
                k,
                j,
                "since",
                previous_row=row,
                base=(debit, credit),
            )
    return problems


def _total(
    lines: _Lines,
    i: int,
    stated: tuple[int, int],
    sums: _Sums,
    k: int,
    j: int,
    which: str,
    base: tuple[int, int] = (0, 0),
    **where: object,
) -> list[MovementProblem]:
    """A problem when total line `i` does not show `base` + the sums of lines k..j-1."""
    expected = (
        base[0] + int(sums.debit[j] - sums.debit[k]),
        base[1] + int(sums.credit[j] - sums.credit[k]),
    )
    if lines.blank[i] or stated == expected:
        return []
    n = int(sums.count[j] - sums.count[k])
    inside = sums.at[k:j][np.diff(sums.count[k : j + 1]) > 0]  # the lines counted
    said = message(
        *_TOTALS[which],
        debit=_money(stated[0]),
        credit=_money(stated[1]),
        n=n,
        rows=_rows(lines.row[inside[0]] if n else None, lines.row[inside[-1]] if n else None),
        movement_debit=_money(expected[0]),
        movement_credit=_money(expected[1]),
        **where,
    )
    return [
        MovementProblem(int(lines.row[i]), "debit" if stated[0] != expected[0] else "credit", said)
    ]


def _january_first(year: int) -> int:
    return int(np.datetime64(year - 1970, "Y").astype("datetime64[D]").astype("int64"))


# --- the replay -----------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Invoice:
    id: str
    customer: str
    day: int
    row: int
    amount: int
    open: int
    payers: list[_Receipt] | None = None  # receipts that paid it (some maybe no longer)
    in_oldest: bool = False  # in its account's heaps of open invoices
    in_newest: bool = False


@dataclass(slots=True, eq=False)
class _Receipt:
    id: str
    customer: str
    day: int
    row: int
    seq: int  # file order among all receipts: unapplied cash is used oldest first
    unapplied: int
    pieces: dict[_Invoice, int] = field(default_factory=dict)  # invoice -> cents, in order
    queued: bool = False


@dataclass(slots=True, eq=False)
class _Account:
    """One customer's items while its lines are replayed.

    Open invoices sit in two heaps, oldest and newest first by (date, row); an
    invoice paid off stays in them until it comes to the top.
    """

    oldest: list[tuple[int, int, _Invoice]] = field(default_factory=list)
    newest: list[tuple[int, int, _Invoice]] | None = None  # built by the first reversal
    by_id: dict[str, _Invoice] = field(default_factory=dict)  # debits with one id merge
    by_document: dict[str, _Invoice] = field(default_factory=dict)
    receipts: list[_Receipt] = field(default_factory=list)
    receipt_by_document: dict[str, _Receipt] = field(default_factory=dict)
    cash: list[tuple[int, _Receipt]] = field(default_factory=list)  # heap of unapplied cash

    def opened(self, invoice: _Invoice) -> None:
        """Note an invoice that is open (new, reopened or grown)."""
        if invoice.open > 0 and not invoice.in_oldest:
            heapq.heappush(self.oldest, (invoice.day, invoice.row, invoice))
            invoice.in_oldest = True
        if invoice.open > 0 and self.newest is not None and not invoice.in_newest:
            heapq.heappush(self.newest, (-invoice.day, -invoice.row, invoice))
            invoice.in_newest = True

    def oldest_open(self) -> _Invoice | None:
        while self.oldest and self.oldest[0][2].open <= 0:
            heapq.heappop(self.oldest)[2].in_oldest = False
        return self.oldest[0][2] if self.oldest else None

    def newest_open(self) -> _Invoice | None:
        if self.newest is None:
            self.newest = [(-day, -row, inv) for day, row, inv in self.oldest if inv.open > 0]
            heapq.heapify(self.newest)
            for _, _, invoice in self.newest:
                invoice.in_newest = True
        while self.newest and self.newest[0][2].open <= 0:
            heapq.heappop(self.newest)[2].in_newest = False
        return self.newest[0][2] if self.newest else None

    def queue(self, receipt: _Receipt) -> None:
        if not receipt.queued and receipt.unapplied > 0:
            heapq.heappush(self.cash, (receipt.seq, receipt))
            receipt.queued = True

    def settle(self) -> None:
        """Pay open invoices, oldest first, with unapplied cash, oldest receipt first."""
        while self.cash:
            receipt = self.cash[0][1]
            if receipt.unapplied <= 0:
                heapq.heappop(self.cash)
                receipt.queued = False
                continue
            invoice = self.oldest_open()
            if invoice is None:
                return
            _pay(receipt, invoice, min(receipt.unapplied, invoice.open))


def _pay(receipt: _Receipt, invoice: _Invoice, cents: int) -> None:
    receipt.unapplied -= cents
    invoice.open -= cents
    receipt.pieces[invoice] = receipt.pieces.get(invoice, 0) + cents
    if invoice.payers is None:
        invoice.payers = [receipt]
    elif invoice.payers[-1] is not receipt:
        invoice.payers.append(receipt)


def _unpay(receipt: _Receipt, invoice: _Invoice, cents: int) -> None:
    """Take `cents` of the receipt's payment off the invoice; they become unapplied."""
    left = receipt.pieces[invoice] - cents
    if left:
        receipt.pieces[invoice] = left
    else:
        del receipt.pieces[invoice]
    receipt.unapplied += cents
    invoice.open += cents


class _Replay:
    """Replays the lines that make items, in file order, into invoices and receipts."""

    def __init__(self, lines: _Lines):
        self.lines = lines
        self.accounts: dict[int, _Account] = {}
        self.invoices: list[_Invoice] = []
        self.receipts: list[_Receipt] = []
        self.code, self.customer, self.document = (
            lines.code.tolist(),
            lines.customer,
            lines.document,
        )
        self.day, self.row = lines.day.tolist(), lines.row.tolist()
        self.debit, self.credit = lines.debit.tolist(), lines.credit.tolist()
        self.opening_lines = set(lines.opening_at[lines.opening_at >= 0].tolist())

    def line(self, i: int) -> None:
        code = self.code[i]
        acct = self.accounts.get(code)
        if acct is None:
            acct = self.accounts[code] = _Account()
        if i in self.opening_lines:
            self.open(i, acct)
            return
        debit, credit = self.debit[i], self.credit[i]
        if debit > 0:
            self.invoice(i, acct, debit)
        elif debit < 0:
            self.reverse_invoices(i, acct, -debit)
        if credit > 0:
            self.receipt(i, acct, credit)
        elif credit < 0:
            self.reverse_receipts(i, acct, -credit)
        acct.settle()

    def line_id(self, i: int) -> str:
        lines = self.lines
        document = lines.document[i]
        if document is not None:
            return document
        if lines.voucher[i] is not None:
            return f"{lines.customer[i]}/{lines.date_text[i][:7]}/{lines.voucher[i]}"
        return f"{lines.customer[i]}/{lines.date_text[i]}/{self.debit[i] - self.credit[i]}"

    def new_invoice(self, acct: _Account, i: int, invoice_id: str, cents: int) -> _Invoice:
        customer, day, row = self.customer[i], self.day[i], self.row[i]
        assert customer is not None  # a replayed line is a customer's (`_Lines.replayed`)
        invoice = _Invoice(invoice_id, customer, day, row, cents, cents)
        self.invoices.append(invoice)
        acct.opened(invoice)
        return invoice

    def new_receipt(self, acct: _Account, i: int, receipt_id: str, cents: int) -> _Receipt:
        customer, day, row = self.customer[i], self.day[i], self.row[i]
        assert customer is not None  # a replayed line is a customer's (`_Lines.replayed`)
        receipt = _Receipt(receipt_id, customer, day, row, len(self.receipts), cents)
        self.receipts.append(receipt)
        acct.receipts.append(receipt)
        document = self.document[i]
        if document is not None:
            acct.receipt_by_document[document] = receipt
        acct.queue(receipt)
        return receipt

    def open(self, i: int, acct: _Account) -> None:
        cents = int(self.lines.balance[i])
        if not self.lines.dated[i]:
            return  # reported by `_unplaced`
        opening_id = f"{self.lines.customer[i]}/opening/{self.lines.date_text[i]}"
        if cents > 0:
            self.new_invoice(acct, i, opening_id, cents)
        elif cents < 0:
            self.new_receipt(acct, i, opening_id, -cents)

    def invoice(self, i: int, acct: _Account, cents: int) -> None:
        lines = self.lines
        invoice_id = self.line_id(i)
        named = lines.document[i] is not None or lines.voucher[i] is not None
        merged = acct.by_id.get(invoice_id) if named else None  # a derived id never merges
        if merged is not None:
            merged.amount += cents
            merged.open += cents
            acct.opened(merged)
            return
        invoice = acct.by_id[invoice_id] = self.new_invoice(acct, i, invoice_id, cents)
        document = lines.document[i]
        if document is not None:
            acct.by_document[document] = invoice

    def receipt(self, i: int, acct: _Account, cents: int) -> None:
        receipt = self.new_receipt(acct, i, self.line_id(i), cents)
        document = self.document[i]
        named = acct.by_document.get(document) if document is not None else None
        if named is not None and named.open > 0:
            _pay(receipt, named, min(cents, named.open))

    def reverse_invoices(self, i: int, acct: _Account, cents: int) -> None:
        """A negative debit of `cents`: the named invoice, then the open ones newest first."""
        document = self.document[i]
        named = acct.by_document.get(document) if document is not None else None
        if named is not None and named.amount > 0:
            cut = min(cents, named.amount)
            named.amount -= cut
            named.open -= cut
            cents -= cut
            for receipt in reversed(named.payers or []):  # cash beyond the new amount goes back
                if named.open >= 0:
                    break
                if named in receipt.pieces:
                    _unpay(receipt, named, min(-named.open, receipt.pieces[named]))
                    acct.queue(receipt)
        while cents and (invoice := acct.newest_open()) is not None:
            cut = min(cents, invoice.open)
            invoice.amount -= cut
            invoice.open -= cut
            cents -= cut
        if cents:  # a credit note
            self.new_invoice(acct, i, self.line_id(i), -cents)

    def reverse_receipts(self, i: int, acct: _Account, cents: int) -> None:
        """A negative credit of `cents`: the named receipt, then the newest first."""
        document = self.document[i]
        named = acct.receipt_by_document.get(document) if document is not None else None
        for receipt in itertools.chain([named] if named else [], reversed(acct.receipts)):
            if not cents:
                break
            take = min(cents, receipt.unapplied)
            receipt.unapplied -= take
            cents -= take
            for invoice in reversed(list(receipt.pieces)):
                if not cents:
                    break
                take = min(cents, receipt.pieces[invoice])
                _unpay(receipt, invoice, take)
                receipt.unapplied -= take
                cents -= take
                acct.opened(invoice)
        if cents:  # nothing left to undo: the customer owes it
            self.new_invoice(acct, i, self.line_id(i), cents)

    def result(self, problems: list[MovementProblem]) -> Rebuilt:
        invoices = [inv for inv in self.invoices if inv.amount]  # nothing pays a zero amount
        for inv, name in zip(invoices, _unique(invoices), strict=True):
            inv.id = name
        pay: dict[str, list] = {name: [] for name in _PAYMENT_COLUMNS}
        for receipt, receipt_id in zip(self.receipts, _unique(self.receipts), strict=True):
            parts: list[tuple[str, str | None, int]] = [
                (f"{receipt_id}/{inv.id}", inv.id, cents) for inv, cents in receipt.pieces.items()
            ]
            if receipt.unapplied:
                parts.append((receipt_id, None, receipt.unapplied))
            for payment_id, invoice_id, cents in parts:
                pay["payment_id"].append(payment_id)
                pay["invoice_id"].append(invoice_id)
                pay["amount_cents"].append(cents)
                pay["customer_id"].append(receipt.customer)
                pay["payment_date"].append(receipt.day)
                pay["_row"].append(receipt.row)
        pay["payment_id"] = _numbered(pd.Series(pay["payment_id"], dtype="str"))
        return Rebuilt(
            invoices=_frame(
                invoice_id=[x.id for x in invoices],
                customer_id=[x.customer for x in invoices],
                invoice_date=[x.day for x in invoices],
                due_date=None,
                amount_cents=[x.amount for x in invoices],
                _row=[x.row for x in invoices],
            ),
            payments=_frame(**pay),
            customers=_customers(self.lines.names),
            problems=problems,
        )


# --- the frames -------------------------------------------------------------------------


_PAYMENT_COLUMNS = (
    "payment_id",
    "customer_id",
    "invoice_id",
    "payment_date",
    "amount_cents",
    "_row",
)


def _unique(items: list[_Invoice] | list[_Receipt]) -> list[str]:
    """The items' ids, prefixed with `<customer>/` where several customers use one, then
    numbered (`#2`, `#3`, ... on the second, third, ... use of an id)."""
    ids = pd.Series([x.id for x in items], dtype="str")
    owner = pd.Series([x.customer for x in items], dtype="str")
    if len(ids):
        shared = owner.groupby(ids).transform("nunique") > 1
        ids = ids.where(~shared, owner + "/" + ids)
    return _numbered(ids)


def _numbered(ids: pd.Series) -> list[str]:
    n = ids.groupby(ids).cumcount()
    out = ids.where(n == 0, ids + "#" + (n + 1).astype("str"))
    if out.is_unique:
        return out.tolist()
    taken, numbered = set(out[n == 0]), []  # an id in the file looks numbered: skip its number
    for name, base, k in zip(out, ids, n.tolist(), strict=True):
        while k and name in taken:
            k += 1
            name = f"{base}#{k + 1}"
        taken.add(name)
        numbered.append(name)
    return numbered


def _frame(**columns: list | None) -> pd.DataFrame:
    """Columns by name: ids and customers as text, days as dates, cents as Int64."""
    customers = columns["customer_id"]
    assert customers is not None  # only a date column may be left out (None)
    n = len(customers)
    out = {}
    for name, values in columns.items():
        if name.endswith("_date"):
            days = np.full(n, np.iinfo(np.int64).min) if values is None else np.array(values)
            out[name] = days.astype("int64").astype("datetime64[D]").astype("datetime64[us]")
        elif name == "amount_cents":
            out[name] = pd.array(values, dtype="Int64")
        elif name == "_row":
            out["source"] = pd.array([SOURCE] * n, dtype="str")
            out[name] = np.array(values, dtype="int64")
        else:
            out[name] = pd.array(values, dtype="str")
    return pd.DataFrame(out)


def _customers(names: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: its first name given and its first row."""
    named = names.dropna(subset=["customer_id"])
    first = named.groupby("customer_id", sort=False)["_row"].first()
    name = named.dropna(subset=["customer_name"]).groupby("customer_id", sort=False)
    return pd.DataFrame(
        {
            "customer_id": pd.array(first.index, dtype="str"),
            "customer_name": pd.array(
                name["customer_name"].first().reindex(first.index), dtype="str"
            ),
            "_row": first.to_numpy(dtype="int64"),
        }
    )


def _money(cents: int) -> str:
    """1234567 -> '12,345.67' (exact, no float)."""
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole:,}.{part:02d}"


def _rows(first: int | None, last: int | None) -> str:
    if first is None or last is None:
        return "—"
    return str(first) if first == last else f"{first}–{last}"
