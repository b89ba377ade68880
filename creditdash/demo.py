"""A deterministic, believable demo company for trying creditdash out.

`generate_demo` builds a mid-sized Chinese B2B seller: ~300 customers and
three years of invoices and payments in CNY, with each customer's true
payment behaviour kept aside in `truth` so risk models can be scored
against it. `write_demo_files` writes the data as the XLSX files a user
would upload, plus a blank template.

Behaviours (`truth.behaviour`), as days paid after the due date:

    prompt                 around the due date, some invoices early
    average                a week or two late
    slow                   one to two months late
    chronic_late_current   23-29 days late, always inside the 1-30 bucket
    deteriorating          average until a point in the last ~15 months,
                           then later and later
    defaulted              slows down, pays nothing after `default_date`

Besides: ~3% of invoices disputed (paid late; some only partly, the rest
settled by a credit note), credit notes for returns (negative invoices,
ids CN...), invoices paid in 2-3 instalments, and a little unapplied cash
(payments without invoice_id, mostly recent). A credit note is cleared by
a negative payment row against it on the day the customer's remittance
nets it off (a contra: no cash moves), so a cleared credit note is not open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from creditdash.calendar import days_from_spring_festival
from creditdash.errors import InvalidArgument
from creditdash.frames import (
    CUSTOMER_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    cents_to_money,
    conform,
)

BEHAVIOURS = ("prompt", "average", "slow", "chronic_late_current", "deteriorating", "defaulted")
_BEHAVIOUR_SHARE = dict(zip(BEHAVIOURS, (0.30, 0.35, 0.16, 0.08, 0.06, 0.05), strict=True))
# Days paid after due: customer mean ~ U(mu_lo, mu_hi), spread ~ U(sd_lo, sd_hi).
_LAG = {
    "prompt": (-6, 1, 2, 5),
    "average": (4, 16, 5, 10),
    "slow": (25, 55, 10, 20),
    "chronic_late_current": (0, 0, 0, 0),  # drawn per invoice, see _lags
    "deteriorating": (3, 12, 4, 8),
    "defaulted": (10, 30, 8, 12),
}
_RISK_BETA = {
    "prompt": (1, 60),
    "average": (2, 40),
    "slow": (3, 22),
    "chronic_late_current": (3, 17),
    "deteriorating": (6, 8),
    "defaulted": (1, 0),  # 1.0: it did default
}
# segment: share, median invoices a year, median net invoice (yuan), terms, their odds
_SEGMENTS = {
    "Key account": (0.10, 110, 80_000, (60, 90), (0.6, 0.4)),
    "OEM": (0.12, 60, 40_000, (45, 60, 90), (0.3, 0.5, 0.2)),
    "Distributor": (0.25, 45, 20_000, (30, 45, 60), (0.4, 0.4, 0.2)),
    "SME": (0.53, 15, 8_000, (30, 45, 60), (0.6, 0.3, 0.1)),
}
_REGION_SHARE = {"华东": 0.35, "华南": 0.22, "华北": 0.14, "西南": 0.10, "华中": 0.10, "海外": 0.09}
# city and the administrative division code of a main district (GB/T 2260)
_CITIES = {
    "华东": (("上海", "310115"), ("苏州", "320505"), ("杭州", "330106"), ("宁波", "330212"),
             ("南京", "320106"), ("无锡", "320214"), ("合肥", "340104"), ("青岛", "370212"),
             ("厦门", "350203")),
    "华南": (("深圳", "440305"), ("广州", "440106"), ("东莞", "441900"), ("佛山", "440604"),
             ("中山", "442000")),
    "华北": (("北京", "110105"), ("天津", "120116"), ("石家庄", "130102"), ("太原", "140105")),
    "西南": (("成都", "510107"), ("重庆", "500112"), ("昆明", "530102"), ("贵阳", "520102")),
    "华中": (("武汉", "420106"), ("长沙", "430104"), ("郑州", "410105"), ("南昌", "360102")),
}  # fmt: skip
_SALESPEOPLE = {
    "华东": ("王磊", "李娜", "陈静"),
    "华南": ("张伟", "黄志强"),
    "华北": ("刘洋", "赵敏"),
    "西南": ("杨帆",),
    "华中": ("周婷",),
    "海外": ("吴昊",),
}
# industry: share, trade words for a Chinese name, word for an English name
_INDUSTRIES = {
    "制造业": (0.24, ("机械", "精密机械", "装备制造", "五金制品"), "Machinery"),
    "批发零售": (0.18, ("商贸", "贸易", "实业"), "Trading"),
    "建筑": (0.10, ("建设工程", "建筑安装", "建材"), "Construction"),
    "电子": (0.13, ("电子科技", "光电科技", "微电子"), "Electronics"),
    "汽车配件": (0.11, ("汽车零部件", "汽配", "车辆部件"), "Auto Parts"),
    "医药": (0.07, ("医药", "生物科技", "医疗器械"), "Pharma"),
    "物流": (0.07, ("物流", "供应链管理", "国际货运"), "Logistics"),
    "化工": (0.06, ("化工", "新材料"), "Chemicals"),
    "食品": (0.04, ("食品", "农产品"), "Foods"),
}
_BRANDS = (
    "华盛", "恒通", "新源", "宏达", "金鼎", "瑞丰", "天成", "永信", "博远", "鑫泰", "海润", "晨光",
    "安泰", "东方", "汇通", "嘉禾", "凯盛", "立信", "明德", "启航", "荣昌", "盛世", "同创", "伟业",
    "兴隆", "亚太", "振华", "德润", "富康", "广益", "华越", "佳誉", "锦程", "润泽", "顺达", "泰和",
    "万利", "信诚", "益丰", "卓越",
)  # fmt: skip
_EN_PREFIXES = (
    "Pacific Rim", "Golden Bridge", "Northstar", "Evergreen", "Silverline", "Harbor Point",
    "Meridian", "Blue Ocean", "Summit", "Crescent", "Atlas", "Lotus", "Orient", "Redwood",
    "Sunrise", "Keystone", "Coral Bay", "Westbrook",
)  # fmt: skip
_EN_SUFFIXES = ("Ltd", "Pte Ltd", "GmbH", "Inc.", "LLC", "Sdn Bhd", "Co., Ltd.", "B.V.", "Pty Ltd")
_CREDIT_LIMITS = np.array(
    [20, 30, 50, 80, 100, 150, 200, 300, 500, 800, 1000, 1500, 2000, 3000, 5000, 8000, 10000,
     15000, 20000, 30000, 50000]
) * 1000  # fmt: skip
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_HORIZON_PAD = 500  # days after `end` the payment calendar reaches
_SOURCE = "demo"


@dataclass(frozen=True, eq=False)
class DemoCompany:
    """A demo company's canonical frames (creditdash.frames) and the truth behind them.

    customers, invoices, payments  canonical frames, amounts int64 cents in CNY
    truth     one row per customer: customer_id, behaviour (see BEHAVIOURS),
              risk (true default propensity, 0..1), default_date (NaT if none)
    as_of     the last day of the data; nothing is dated after it
    """

    customers: pd.DataFrame
    invoices: pd.DataFrame
    payments: pd.DataFrame
    truth: pd.DataFrame
    as_of: pd.Timestamp


@dataclass(frozen=True)
class _Calendar:
    """Day numbers count from `start`; arrays reach `_HORIZON_PAD` days past the end."""

    start: pd.Timestamp
    days: int  # start..end inclusive
    weight: np.ndarray  # invoicing intensity per day (days,); one year sums to ~1
    business: np.ndarray  # nearest business day to each day (a tie goes forward)
    prev_business: np.ndarray  # last business day on or before each day
    next_run: np.ndarray  # first 25th of a month (payment run) on or after each day

    def dates(self, day: np.ndarray) -> pd.DatetimeIndex:
        return self.start + pd.to_timedelta(day, unit="D")


def generate_demo(seed: int = 2026, end: date = date(2026, 11, 27), years: int = 3) -> DemoCompany:
    """A demo company with `years` of history up to `end`, the same for the same seed."""
    if not 1 <= years <= 10:
        raise InvalidArgument.coded(
            "error.demo.years", "`years` must be between 1 and 10. Got {years}.", years=years
        )
    rng = np.random.default_rng(seed)
    end_ts = pd.Timestamp(end).normalize()
    cal = _calendar(end_ts - pd.DateOffset(years=years) + pd.Timedelta(days=1), end_ts)
    profile = _profiles(rng, cal, n=300)
    inv = _draw_invoices(rng, profile, cal)
    inv, pay = _settle(rng, inv, profile, cal)
    invoice_ids = _invoice_ids(inv, cal)
    return DemoCompany(
        customers=conform(profile, CUSTOMER_COLUMNS),
        invoices=_invoice_frame(inv, invoice_ids, profile, cal),
        payments=_payment_frame(pay, invoice_ids, profile, cal),
        truth=_truth_frame(profile, cal),
        as_of=end_ts,
    )


def _calendar(start: pd.Timestamp, end: pd.Timestamp) -> _Calendar:
    days = (end - start).days + 1
    dates = pd.date_range(start, periods=days + _HORIZON_PAD, freq="D")
    ar = np.arange(len(dates))
    weekday, dom, month = dates.day_of_week.to_numpy(), dates.day.to_numpy(), dates.month.to_numpy()
    rel = days_from_spring_festival(dates.to_numpy().astype("datetime64[D]").astype(np.int64))
    holiday = (
        ((rel >= -1) & (rel <= 6))
        | ((month == 10) & (dom <= 7))  # National Day golden week
        | ((month == 5) & (dom <= 5))  # Labour Day
    )
    weight = np.array([1.0, 1.1, 1.1, 1.05, 1.0, 0.12, 0.03])[weekday]
    weight *= np.where(dom > dates.days_in_month.to_numpy() - 3, 1.9, 1.0)  # month-end push
    weight *= np.where(holiday, 0.1, 1.0)
    weight *= np.select([(rel >= 0) & (rel <= 7), (rel >= -7) & (rel <= 14)], [0.08, 0.5], 1.0)
    doy = dates.day_of_year.to_numpy()
    weight *= 1 + 0.08 * np.sin(2 * np.pi * (doy - 100) / 365) + 0.1 * (month >= 11)
    weight *= 1.07 ** (ar / 365)  # the company grows
    weight = weight[:days] / weight[:days].sum() * (days / 365.25)
    business = (weekday < 5) & ~holiday
    last = len(dates) - 1
    nxt = np.minimum.accumulate(np.where(business, ar, last)[::-1])[::-1]
    prev = np.maximum(np.maximum.accumulate(np.where(business, ar, -1)), 0)
    run = np.minimum.accumulate(np.where(dom == 25, ar, last)[::-1])[::-1]
    nearest = np.where(nxt - ar <= ar - prev, nxt, prev)
    return _Calendar(start, days, weight, nearest, prev, run)


def _profiles(rng: np.random.Generator, cal: _Calendar, n: int) -> pd.DataFrame:
    """One row per customer: master data plus the hidden parameters of its behaviour."""
    behaviour = _shuffled(rng, _BEHAVIOUR_SHARE, n)
    segment = _shuffled(rng, {k: v[0] for k, v in _SEGMENTS.items()}, n)
    region = _shuffled(rng, _REGION_SHARE, n)
    industry = _shuffled(rng, {k: v[0] for k, v in _INDUSTRIES.items()}, n)
    seg = [_SEGMENTS[s] for s in segment]
    per_year = np.array([s[1] for s in seg]) * rng.lognormal(0, 0.5, n)
    hard_to_miss = np.isin(behaviour, ["deteriorating", "defaulted"])
    per_year = np.clip(per_year, np.where(hard_to_miss, 12, 3), 400)
    median = np.array([s[2] for s in seg]) * rng.lognormal(0, 0.4, n)
    sigma = rng.uniform(0.5, 0.9, n)
    terms = np.array([rng.choice(s[3], p=s[4]) for s in seg])
    terms = np.where(region == "海外", rng.choice([60, 90], n), terms)
    d = cal.days
    on_day = np.where(rng.random(n) < 0.18, rng.integers(30, d - 120, n), 0)
    on_day = np.where(hard_to_miss, 0, on_day)
    default_day = np.where(behaviour == "defaulted", rng.integers(min(365, d // 3), d - 200, n), -1)
    det_day = np.where(behaviour == "deteriorating", d - rng.integers(240, min(450, d), n), -1)
    churn = np.isin(behaviour, ["prompt", "average", "slow"]) & (rng.random(n) < 0.07)
    off_day = np.where(churn, rng.integers(d // 2, d - 90, n), d - 1)
    off_day = np.where(default_day >= 0, default_day + rng.integers(10, 31, n), off_day)
    off_day = np.maximum(off_day, on_day + 60)
    lag = np.array([_LAG[b] for b in behaviour])
    monthly_sales = per_year / 12 * median * np.exp(sigma**2 / 2) * 1.13
    limit = monthly_sales * (terms / 30 + 1) * rng.uniform(0.9, 1.5, n)
    nearest = np.abs(np.log(limit[:, None] / _CREDIT_LIMITS)).argmin(axis=1)
    limit_cents = pd.array(_CREDIT_LIMITS[nearest] * 100, dtype="Int64")
    limit_cents[rng.random(n) < 0.04] = pd.NA
    names, codes, sales = _identities(rng, region, industry)
    risk = np.array([1.0 if b == "defaulted" else rng.beta(*_RISK_BETA[b]) for b in behaviour])
    return pd.DataFrame(
        {
            "customer_id": [f"C{i + 1:04d}" for i in range(n)],
            "customer_name": names,
            "credit_code": codes,
            "industry": industry,
            "region": region,
            "segment": segment,
            "salesperson": sales,
            "credit_limit_cents": limit_cents,
            "payment_terms_days": terms,
            "currency": "CNY",
            "behaviour": behaviour,
            "risk": risk,
            "per_year": per_year,
            "median_yuan": median,
            "sigma": sigma,
            "vat": np.where(region == "海外", 100, 113),  # cents per yuan net; exports 0% VAT
            "lag_mu": rng.uniform(lag[:, 0], lag[:, 1]),
            "lag_sd": rng.uniform(lag[:, 2], lag[:, 3]),
            "pays_on_run": np.isin(behaviour, ["average", "slow", "deteriorating"])
            & (rng.random(n) < 0.3),
            "extra_lag": rng.uniform(60, 120, n),  # deteriorating: how late by the end
            "on_day": on_day,
            "off_day": np.minimum(off_day, d - 1),
            "default_day": default_day,
            "det_day": det_day,
        }
    )


def _shuffled(rng: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    """`n` labels in the given shares (the largest takes the rounding), in random order."""
    counts = np.rint(np.array(list(shares.values())) * n).astype(int)
    counts[counts.argmax()] += n - counts.sum()
    return rng.permutation(np.repeat(list(shares), counts))


def _identities(
    rng: np.random.Generator, region: np.ndarray, industry: np.ndarray
) -> tuple[list[str], list[str | None], list[str]]:
    """Unique names, unified social credit codes (most Chinese customers) and salespeople."""
    names: list[str] = []
    codes: list[str | None] = []
    sales: list[str] = []
    for reg, ind in zip(region, industry, strict=True):
        words, english = _INDUSTRIES[ind][1], _INDUSTRIES[ind][2]
        city, division = "", ""
        if reg != "海外":
            city, division = _CITIES[reg][rng.integers(len(_CITIES[reg]))]
        name = ""
        while not name or name in names:
            if reg == "海外":
                name = f"{rng.choice(_EN_PREFIXES)} {english} {rng.choice(_EN_SUFFIXES)}"
            else:
                suffix = rng.choice(
                    ["有限公司", "股份有限公司", "有限责任公司"], p=[0.8, 0.15, 0.05]
                )
                name = f"{city}{rng.choice(_BRANDS)}{rng.choice(words)}{suffix}"
        names.append(name)
        missing_code = reg == "海外" or rng.random() < 0.08
        codes.append(None if missing_code else _credit_code(rng, division))
        sales.append(str(rng.choice(_SALESPEOPLE[reg])))
    return names, codes, sales


def _credit_code(rng: np.random.Generator, division: str) -> str:
    """A well-formed 18-character unified social credit code (GB 32100) for a company."""
    if rng.random() < 0.4:  # issued after 2015: organisation code begins with MA
        body = "MA" + "".join(rng.choice(list(_USCC_CHARS), 6))
    else:
        body = "".join(str(x) for x in rng.integers(0, 10, 8))
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    org_check = 11 - sum(v * w for v, w in zip(values, _ORG_WEIGHTS, strict=True)) % 11
    org = body + {10: "X", 11: "0"}.get(org_check, str(org_check))
    first17 = f"91{division}{org}"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return first17 + _USCC_CHARS[(31 - total % 31) % 31]


def _draw_invoices(rng: np.random.Generator, profile: pd.DataFrame, cal: _Calendar) -> pd.DataFrame:
    """Positive invoices: customer row number `cust`, `day`, `amount` (cents), `due`."""
    cust_parts, day_parts = [], []
    for i, p in enumerate(profile.itertuples()):
        w = cal.weight[p.on_day : p.off_day + 1]
        n = max(int(rng.poisson(p.per_year * w.sum())), 2)
        days = p.on_day + rng.choice(len(w), size=n, p=w / w.sum())
        if p.default_day >= 0:  # the last orders before it stopped paying
            days = np.append(days, p.default_day - rng.integers(20, 61))
        cust_parts.append(np.full(len(days), i))
        day_parts.append(days)
    cust, day = np.concatenate(cust_parts), np.concatenate(day_parts)
    net_yuan = rng.lognormal(
        np.log(profile["median_yuan"].to_numpy()[cust]), profile["sigma"].to_numpy()[cust]
    )
    amount = np.maximum(np.rint(net_yuan), 100).astype(np.int64) * profile["vat"].to_numpy()[cust]
    due = day + profile["payment_terms_days"].to_numpy()[cust]
    inv = pd.DataFrame({"cust": cust, "day": day, "amount": amount, "due": due})
    return inv.sort_values(["day", "cust", "amount"], kind="stable").reset_index(drop=True)


def _lags(
    rng: np.random.Generator, inv: pd.DataFrame, profile: pd.DataFrame, days: int
) -> np.ndarray:
    """Days from due date to (the last) payment, per invoice, by the customer's behaviour."""
    p = profile.iloc[inv["cust"].to_numpy()]
    beh, day, n = p["behaviour"].to_numpy(), inv["day"].to_numpy(), len(inv)
    lag = rng.normal(p["lag_mu"].to_numpy(), p["lag_sd"].to_numpy())
    lag += np.where(rng.random(n) < 0.04, rng.gamma(2.0, 15.0, n), 0)  # the odd late one
    early = (beh == "prompt") & (rng.random(n) < 0.1)
    lag = np.where(early, -p["payment_terms_days"].to_numpy() + rng.integers(3, 11, n), lag)
    det_day = p["det_day"].to_numpy()
    worsening = np.clip((day - det_day) / np.maximum(days - det_day, 1), 0, 1)
    lag += np.where(beh == "deteriorating", worsening * p["extra_lag"].to_numpy(), 0)
    slowing = np.clip((day - p["default_day"].to_numpy() + 180) / 180, 0, 1)
    lag += np.where(beh == "defaulted", slowing * 60, 0)
    # pays just inside the 1-30 bucket; rolled back to a business day later
    lag = np.where(beh == "chronic_late_current", rng.integers(23, 30, n), lag)
    return np.rint(lag).astype(np.int64)


def _settle(
    rng: np.random.Generator, inv: pd.DataFrame, profile: pd.DataFrame, cal: _Calendar
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invoices with credit notes added, and payment rows (`inv` row, `day`, `amount`, `cash`)."""
    n, amount, day = len(inv), inv["amount"].to_numpy(), inv["day"].to_numpy()
    beh = profile["behaviour"].to_numpy()[inv["cust"].to_numpy()]
    chronic = beh == "chronic_late_current"
    disputed = (rng.random(n) < 0.032) & ~chronic
    pay_day = np.maximum(inv["due"].to_numpy() + _lags(rng, inv, profile, cal.days), day + 1)
    pay_day += np.where(disputed, rng.integers(20, 91, n), 0)
    dispute_paid = disputed & (rng.random(n) < 0.3)
    partial = ~disputed & (amount >= 500_000) & (rng.random(n) < 0.06)
    k = np.where(partial, rng.integers(2, 4, n), 1)
    row_inv = np.repeat(np.arange(n), k)
    j = np.arange(len(row_inv)) - np.repeat(np.cumsum(k) - k, k)  # instalment number
    last = j == k[row_inv] - 1
    share = rng.uniform(0.5, 1.5, len(row_inv))
    share /= np.bincount(row_inv, weights=share)[row_inv]
    paid = np.where(dispute_paid, rng.uniform(0.6, 0.95, n), 1.0)[row_inv]
    row_amount = (amount[row_inv] * np.where(k[row_inv] > 1, share, paid) // 10_000) * 10_000
    others = np.bincount(row_inv[~last], weights=row_amount[~last], minlength=n).astype(np.int64)
    row_amount = np.where(
        last & ~dispute_paid[row_inv], amount[row_inv] - others[row_inv], row_amount
    )
    # instalments: later ones weeks apart; a chronic payer squeezes them into the bucket
    gap = np.where(chronic[row_inv], -3 * (k[row_inv] - 1 - j), 0)
    spread = np.where(j > 0, rng.integers(7, 31, len(row_inv)), 0)
    spread = pd.Series(spread).groupby(row_inv).cumsum().to_numpy()
    row_day = pay_day[row_inv] + np.where(chronic[row_inv], gap, spread)
    cash = pd.DataFrame({"inv": row_inv, "day": row_day, "amount": row_amount, "cash": True})

    # credit notes: returns, and the unpaid part of some settled disputes
    returned = ~disputed & (rng.random(n) < 0.011)
    settled = dispute_paid & (rng.random(n) < 0.6)
    ret_net = (
        np.maximum(np.rint(amount * rng.uniform(0.05, 0.4, n) / 100), 1).astype(np.int64) * 100
    )
    cn_day = np.where(returned, day + rng.integers(3, 26, n), pay_day + rng.integers(5, 31, n))
    remainder = amount - np.bincount(row_inv, weights=row_amount, minlength=n).astype(np.int64)
    cn_amount = np.where(returned, ret_net, remainder)
    cn_of = np.flatnonzero((returned | settled) & (cn_day < cal.days) & (cn_amount > 0))
    cn_issued = cal.business[cn_day[cn_of]]
    cn = pd.DataFrame(
        {
            "cust": inv["cust"].to_numpy()[cn_of],
            "day": cn_issued,
            "amount": -cn_amount[cn_of],
            "due": cn_issued,  # a credit note is due at once
            "of": cn_of,
        }
    )[cn_issued < cal.days]
    inv = inv.assign(disputed=disputed, of=-1)
    all_inv = pd.concat([inv, cn.assign(disputed=False)], ignore_index=True)
    cn_rows = np.arange(n, len(all_inv))
    of = all_inv["of"].to_numpy()[cn_rows]
    is_return = returned[of]
    # a return is netted off in the remittance paying its invoice; a dispute closes with a contra pair
    clear_day = np.where(
        is_return,
        np.maximum(pay_day[of], all_inv["day"].to_numpy()[cn_rows]),
        all_inv["day"].to_numpy()[cn_rows],
    )
    contra = pd.DataFrame(
        {
            "inv": cn_rows,
            "day": clear_day,
            "amount": all_inv["amount"].to_numpy()[cn_rows],
            "cash": False,
        }
    )
    dispute_close = contra[~is_return].assign(inv=of[~is_return], amount=lambda f: -f["amount"])
    pay = pd.concat([cash, contra, dispute_close], ignore_index=True)
    return all_inv, _roll_and_cut(rng, pay, all_inv, profile, cal)


def _roll_and_cut(
    rng: np.random.Generator,
    pay: pd.DataFrame,
    inv: pd.DataFrame,
    profile: pd.DataFrame,
    cal: _Calendar,
) -> pd.DataFrame:
    """Payments moved to business days (payment runs, holidays), cut at the end and at default."""
    cust = inv["cust"].to_numpy()[pay["inv"].to_numpy()]
    p = profile.iloc[cust]
    top = len(cal.business) - 1
    day = np.minimum(pay["day"].to_numpy(), top)
    day = np.where(p["pays_on_run"].to_numpy(), cal.next_run[day], day)
    chronic = p["behaviour"].to_numpy() == "chronic_late_current"
    day = np.where(chronic, cal.prev_business[day], cal.business[day])
    day = np.maximum(day, inv["day"].to_numpy()[pay["inv"].to_numpy()])  # not before its invoice
    default_day = p["default_day"].to_numpy()
    keep = (day < cal.days) & ((default_day < 0) | (day <= default_day))
    pay = pay.assign(day=day, cust=cust)[keep]
    # unapplied cash: receipts not yet matched to an invoice, mostly recent ones
    recent = pay["day"].to_numpy() >= cal.days - 45
    odds = np.where(recent, 0.05, 0.0003)
    unapplied = pay["cash"].to_numpy() & (rng.random(len(pay)) < odds)
    return pay.assign(unapplied=unapplied).reset_index(drop=True)


def _invoice_frame(
    inv: pd.DataFrame, invoice_ids: np.ndarray, profile: pd.DataFrame, cal: _Calendar
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "invoice_id": invoice_ids,
            "customer_id": profile["customer_id"].to_numpy()[inv["cust"].to_numpy()],
            "invoice_date": cal.dates(inv["day"].to_numpy()),
            "due_date": cal.dates(inv["due"].to_numpy()),
            "amount_cents": inv["amount"].to_numpy(),
            "currency": "CNY",
            "disputed": inv["disputed"].to_numpy(),
            "source": _SOURCE,
        }
    )
    return conform(frame.sort_values(["invoice_date", "invoice_id"]), INVOICE_COLUMNS)


def _invoice_ids(inv: pd.DataFrame, cal: _Calendar) -> np.ndarray:
    """INV<year><seq> for invoices and CN<year><seq> for credit notes, numbered by date."""
    year = cal.dates(inv["day"].to_numpy()).year.to_numpy()
    prefix = np.where(inv["amount"].to_numpy() < 0, "CN", "INV")
    order = inv.assign(year=year, prefix=prefix).sort_values(
        ["day", "cust", "amount"], kind="stable"
    )
    seq = order.groupby(["prefix", "year"]).cumcount() + 1
    ids = pd.Series(
        [f"{p}{y}{s:05d}" for p, y, s in zip(order["prefix"], order["year"], seq, strict=True)],
        index=order.index,
    )
    return ids.sort_index().to_numpy()


def _payment_frame(
    pay: pd.DataFrame, invoice_ids: np.ndarray, profile: pd.DataFrame, cal: _Calendar
) -> pd.DataFrame:
    invoice_ids = invoice_ids[pay["inv"].to_numpy()]
    frame = pd.DataFrame(
        {
            "customer_id": profile["customer_id"].to_numpy()[pay["cust"].to_numpy()],
            # numpy reads None as an object scalar; its stubs accept no None here
            "invoice_id": np.where(pay["unapplied"].to_numpy(), None, invoice_ids),  # type: ignore[call-overload]
            "payment_date": cal.dates(pay["day"].to_numpy()),
            "amount_cents": pay["amount"].to_numpy(),
            "sort_id": invoice_ids,
        }
    ).sort_values(["payment_date", "customer_id", "sort_id", "amount_cents"], kind="stable")
    frame["payment_id"] = [f"P{i + 1:06d}" for i in range(len(frame))]
    return conform(frame.assign(source=_SOURCE), PAYMENT_COLUMNS)


def _truth_frame(profile: pd.DataFrame, cal: _Calendar) -> pd.DataFrame:
    default_day = profile["default_day"].to_numpy()
    default_date = cal.dates(np.maximum(default_day, 0)).where(default_day >= 0)
    return pd.DataFrame(
        {
            "customer_id": profile["customer_id"].astype("str"),
            "behaviour": profile["behaviour"].astype("str"),
            "risk": profile["risk"].astype("float64"),
            "default_date": pd.Series(default_date, dtype="datetime64[us]"),
        }
    )


# ---------------------------------------------------------------- files

# header, cell format, column width
_CUSTOMER_LAYOUT = (
    ("客户编号", None, 9), ("客户名称", None, 34), ("统一社会信用代码", None, 22), ("行业", None, 10),
    ("区域", None, 8), ("客户分类", None, 12), ("业务员", None, 9), ("信用额度", "yuan", 14),
    ("账期", None, 7),
)  # fmt: skip
_INVOICE_LAYOUT = (
    ("Invoice No", None, 14), ("Customer ID", None, 11), ("Customer Name", None, 34),
    ("Invoice Date", "date", 12), ("Due Date", "date", 12), ("Amount", "money", 15),
    ("Currency", None, 9), ("Disputed", None, 9),
)  # fmt: skip
_PAYMENT_LAYOUT = (
    ("Payment ID", None, 11), ("Customer ID", None, 11), ("Invoice No", None, 14),
    ("Payment Date", "date", 13), ("Amount", "money", 15),
)  # fmt: skip
CUSTOMER_HEADERS = tuple(h for h, _, _ in _CUSTOMER_LAYOUT)
INVOICE_HEADERS = tuple(h for h, _, _ in _INVOICE_LAYOUT)
PAYMENT_HEADERS = tuple(h for h, _, _ in _PAYMENT_LAYOUT)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_README = (  # sheet, column, required, English, Chinese
    ("Invoices", "Invoice No", "yes", "Unique invoice number; a credit note has its own number.", "发票号，唯一；红字发票（贷项）用自己的编号。"),
    ("Invoices", "Customer ID", "yes", "Customer code, as in the customer master.", "客户编号，与客户主数据一致。"),
    ("Invoices", "Customer Name", "no", "Customer name.", "客户名称。"),
    ("Invoices", "Invoice Date", "yes", "Date the invoice was issued (an Excel date or YYYY-MM-DD).", "开票日期（Excel 日期或 YYYY-MM-DD）。"),
    ("Invoices", "Due Date", "no", "Payment due date; if empty, invoice date + the customer's payment terms.", "到期日；为空时按开票日期加客户账期计算。"),
    ("Invoices", "Amount", "yes", "Amount including VAT; negative for a credit note.", "含税金额；红字发票为负数。"),
    ("Invoices", "Currency", "no", "ISO currency code such as CNY or USD; empty = the reporting currency.", "币种代码，如 CNY、USD；为空视为记账本位币。"),
    ("Invoices", "Disputed", "no", "TRUE if the customer disputes the invoice.", "客户有异议的发票填 TRUE。"),
    ("Payments", "Payment ID", "yes", "Unique per row; a receipt paying several invoices gets one row per invoice (R123-1, R123-2).", "每行唯一；一笔收款核销多张发票时每张发票一行（如 R123-1、R123-2）。"),
    ("Payments", "Customer ID", "yes", "Customer code of the payer.", "付款客户编号。"),
    ("Payments", "Invoice No", "no", "Invoice the money is applied to; empty = unapplied cash.", "核销的发票号；为空表示未核销款项。"),
    ("Payments", "Payment Date", "yes", "Date the money arrived.", "到账日期。"),
    ("Payments", "Amount", "yes", "Amount applied to the invoice.", "核销金额。"),
    ("Customers", "客户编号", "yes", "Customer ID.", "客户编号。"),
    ("Customers", "客户名称", "yes", "Customer name.", "客户名称。"),
    ("Customers", "统一社会信用代码", "no", "18-character unified social credit code.", "18 位统一社会信用代码。"),
    ("Customers", "行业", "no", "Industry.", "所属行业。"),
    ("Customers", "区域", "no", "Sales region.", "销售区域。"),
    ("Customers", "客户分类", "no", "Segment, e.g. Key account, SME, Distributor.", "客户分类，如大客户、中小企业、经销商。"),
    ("Customers", "业务员", "no", "Salesperson responsible for the customer.", "负责的业务员。"),
    ("Customers", "信用额度", "no", "Credit limit in yuan.", "信用额度（元）。"),
    ("Customers", "账期", "no", "Payment terms in days, e.g. 30, 45, 60, 90.", "账期天数，如 30、45、60、90。"),
)  # fmt: skip


def write_demo_files(out_dir: Path, company: DemoCompany | None = None) -> list[Path]:
    """Write demo_customers.xlsx, demo_ledger.xlsx and template.xlsx into `out_dir`.

    `company` defaults to `generate_demo()`. Returns the three paths.
    """
    company = company if company is not None else generate_demo()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f for f in ("demo_customers.xlsx", "demo_ledger.xlsx", "template.xlsx")]
    _write_customers(paths[0], company.customers)
    _write_ledger(paths[1], company)
    _write_template(paths[2])
    return paths


def _workbook(path: Path) -> tuple[xlsxwriter.Workbook, dict]:
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "yuan": book.add_format({"num_format": "#,##0"}),
        "total": book.add_format({"bold": True, "top": 1}),
        "total_money": book.add_format({"bold": True, "top": 1, "num_format": "#,##0.00"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        None: None,
    }
    return book, formats


def _write_table(
    ws: Worksheet, formats: dict, row: int, layout: tuple, columns: list[list]
) -> None:
    """Header at `row` (0-based), then one list of values per column; frozen below the header."""
    for col, ((header, kind, width), values) in enumerate(zip(layout, columns, strict=True)):
        ws.set_column(col, col, width, formats[kind])
        ws.write_string(row, col, header, formats["header"])
        ws.write_column(row + 1, col, values, formats[kind])
    ws.freeze_panes(row + 1, 0)
    ws.autofilter(row, 0, row + max(len(columns[0]), 1), len(layout) - 1)


def _texts(values: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else str(v) for v in values]


def _excel_dates(values: pd.Series) -> list[int]:
    return (values - _EXCEL_EPOCH).dt.days.tolist()


def _money(cents: pd.Series) -> list[float]:
    return cents_to_money(cents.astype("float64")).tolist()


def _write_customers(path: Path, customers: pd.DataFrame) -> None:
    book, formats = _workbook(path)
    ws = book.add_worksheet("客户")
    ws.merge_range(
        0, 0, 0, len(CUSTOMER_HEADERS) - 1, "客户主数据 Customer master", formats["title"]
    )
    ws.set_row(0, 24)
    limit = customers["credit_limit_cents"]
    columns = [_texts(customers[c]) for c in CUSTOMER_COLUMNS[:7]] + [
        [None if pd.isna(v) else int(v) // 100 for v in limit],
        [None if pd.isna(v) else int(v) for v in customers["payment_terms_days"]],
    ]
    _write_table(ws, formats, 1, _CUSTOMER_LAYOUT, columns)
    book.close()


def _write_ledger(path: Path, company: DemoCompany) -> None:
    book, formats = _workbook(path)
    inv = company.invoices
    names = inv["customer_id"].map(company.customers.set_index("customer_id")["customer_name"])
    columns = [
        _texts(inv["invoice_id"]),
        _texts(inv["customer_id"]),
        _texts(names),
        _excel_dates(inv["invoice_date"]),
        _excel_dates(inv["due_date"]),
        _money(inv["amount_cents"]),
        _texts(inv["currency"]),
        inv["disputed"].tolist(),
    ]
    ws = book.add_worksheet("Invoices")
    _write_table(ws, formats, 0, _INVOICE_LAYOUT, columns)
    total_row = len(inv) + 1
    ws.write_string(total_row, 0, "Total", formats["total"])
    ws.write_formula(
        total_row,
        5,
        f"=SUM(F2:F{total_row})",
        formats["total_money"],
        float(cents_to_money(int(inv["amount_cents"].sum()))),
    )
    pay = company.payments
    columns = [
        _texts(pay["payment_id"]),
        _texts(pay["customer_id"]),
        _texts(pay["invoice_id"]),
        _excel_dates(pay["payment_date"]),
        _money(pay["amount_cents"]),
    ]
    ws = book.add_worksheet("Payments")
    _write_table(ws, formats, 0, _PAYMENT_LAYOUT, columns)
    book.close()


def _write_template(path: Path) -> None:
    book, formats = _workbook(path)
    sheets = {
        "Invoices": _INVOICE_LAYOUT,
        "Payments": _PAYMENT_LAYOUT,
        "Customers": _CUSTOMER_LAYOUT,
    }
    for name, layout in sheets.items():
        _write_table(book.add_worksheet(name), formats, 0, layout, [[] for _ in layout])
    ws = book.add_worksheet("README")
    ws.write_row(
        0, 0, ("Sheet 工作表", "Column 列", "Required 必填", "Meaning", "说明"), formats["header"]
    )
    for i, line in enumerate(_README, start=1):
        ws.write_row(i, 0, line, formats["wrap"])
    for col, width in enumerate((12, 18, 13, 60, 48)):
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    ws.activate()  # opens on README; the data sheets stay first for importers
    book.close()
