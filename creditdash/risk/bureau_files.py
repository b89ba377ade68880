"""Reading third-party credit report files (bureau, insurer, 企查查, 天眼查, D&B, Creditsafe).

Files are read like ledger files (`creditdash.ingest.read`: CSV in any
encoding, XLSX, title lines above the header, totals rows) and their
columns recognised by the synonyms below after `normalise_header`. Each
row becomes one report in `REPORT_COLUMNS`; every problem is reported
with file, sheet, Excel row, column and value.

Score normalisation: score_normalised = (score - low) / (high - low) x 100
on the provider's scale "low-high" (a scale written high-low, such as a
risk class where 1 is best, is reversed). The scale comes from a scale
column, the `scale` argument, `PROVIDER_SCALES`, or else is inferred from
the largest score (<= 1, 100 or 1000) with a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from creditdash.errors import InvalidArgument
from creditdash.ingest.layout import TOTALS
from creditdash.ingest.parse import parse_dates, parse_money, parse_number
from creditdash.ingest.problems import ProblemLog, SheetContext
from creditdash.ingest.read import RawSheet, Source, read_source
from creditdash.ingest.synonyms import SYNONYMS, normalise_header

BUREAU_SYNONYMS: dict[str, list[str]] = {
    "customer_id": SYNONYMS["customer_id"],
    "customer_name": [
        *SYNONYMS["customer_name"], "company", "company name", "name", "企业名称", "公司名称",
        "名称", "企业", "被查询企业",
    ],
    "credit_code": SYNONYMS["credit_code"],
    "provider": ["provider", "source", "bureau", "agency", "数据来源", "来源", "征信机构", "报告来源"],
    "report_date": [
        "report date", "date", "as of", "as of date", "score date", "报告日期", "查询日期",
        "评估日期", "日期", "更新日期", "数据日期",
    ],
    "score": [
        "score", "credit score", "risk score", "paydex", "failure score", "信用分", "信用评分",
        "评分", "风险评分", "企业信用分", "信用得分", "分数",
    ],
    "score_scale": ["scale", "score scale", "score range", "分值范围", "评分区间", "评分范围"],
    "rating": [
        "rating", "credit rating", "grade", "risk class", "risk rating", "评级", "信用等级",
        "信用评级", "风险等级",
    ],
    "recommended_limit": [
        "recommended limit", "suggested limit", "credit recommendation", "recommended credit",
        "建议额度", "建议授信额度", "推荐额度", "建议信用额度", "建议赊销额度",
    ],
    "insured_limit": [
        "insured limit", "approved limit", "insurer limit", "credit cover", "cover", "承保限额",
        "批复限额", "保险限额", "信用限额批复",
    ],
    "pd": ["pd", "probability of default", "default probability", "违约概率", "违约率"],
    "lawsuits": ["lawsuits", "litigation", "涉诉", "涉诉数量", "诉讼", "法律诉讼", "涉诉案件"],
    "enforcements": ["enforcement", "enforcements", "被执行", "被执行人", "被执行记录"],
    "dishonest": ["dishonest", "失信", "失信被执行人", "失信记录"],
    "legal_events": ["legal events", "legal", "法律事件", "司法风险", "涉诉/被执行"],
    "net_worth": ["net worth", "equity", "net assets", "净资产", "所有者权益"],
    "working_capital": ["working capital", "营运资金"],
}  # fmt: skip
LEGAL_PARTS = ("lawsuits", "enforcements", "dishonest")
MONEY_FIELDS = ("recommended_limit", "insured_limit", "net_worth", "working_capital")
PROVIDER_SCALES = {
    "企查查": "0-2000",
    "qichacha": "0-2000",
    "天眼查": "0-2000",
    "tianyancha": "0-2000",
    "dnb": "1-100",
    "d&b": "1-100",
    "creditsafe": "0-100",
}
REPORT_COLUMNS = [
    "row", "file", "sheet", "customer_id", "customer_name", "credit_code", "provider",
    "report_date", "score", "score_scale", "score_normalised", "rating",
    "recommended_limit_cents", "insured_limit_cents", "net_worth_cents", "working_capital_cents",
    "pd", "legal_events", "raw",
]  # fmt: skip
_LOOKUP = {normalise_header(n): f for f, names in BUREAU_SYNONYMS.items() for n in names}
_SCALE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|~|–|to|至)\s*(-?\d+(?:\.\d+)?)\s*$")
HEADER_SCAN_ROWS = 30


def bureau_field(header: object) -> str | None:
    """The report field a header stands for, or None."""
    return _LOOKUP.get(normalise_header(header))


def parse_scale(text: str) -> tuple[float, float]:
    """'0-100' -> (0, 100); '4-1' -> (4, 1) (reversed). InvalidArgument otherwise."""
    found = _SCALE.match(str(text))
    if not found or float(found.group(1)) == float(found.group(2)):
        raise InvalidArgument.coded(
            "risk.error.scale",
            "A score scale must be written low-high such as '0-100' or '300-850'. Got {value!r}.",
            value=text,
        )
    return float(found.group(1)), float(found.group(2))


def normalise_scores(scores: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """Scores on `scale` mapped to 0-100 (reversed scales flip), clipped to 0..100."""
    low, high = scale
    return np.clip((np.asarray(scores, dtype=float) - low) / (high - low) * 100, 0, 100)


def read_report_files(
    sources: list[Source],
    *,
    provider: str | None = None,
    report_date: object = None,
    scale: str | None = None,
    overrides: Mapping[str, str] | None = None,
    log: ProblemLog | None = None,
    max_bytes: int = 200 * 2**20,
) -> tuple[pd.DataFrame, ProblemLog]:
    """Reports from every sheet of `sources` (REPORT_COLUMNS) and the problems found."""
    log = log or ProblemLog()
    parts = []
    for source in sources:
        for raw in read_source(source, log, max_bytes=max_bytes):
            if raw.is_empty:
                continue
            part = _sheet_reports(raw, log, provider, report_date, scale, overrides or {})
            if part is not None:
                parts.append(part)
    if not parts:
        if not log.has_errors:
            log.file(", ".join(s.name for s in sources), "No report rows were found.")
        return pd.DataFrame(columns=REPORT_COLUMNS), log
    return pd.concat(parts, ignore_index=True)[REPORT_COLUMNS], log


def _header(raw: RawSheet, overrides: Mapping[str, str]) -> tuple[int, list[str], list[str | None]]:
    forced = {normalise_header(k): v for k, v in overrides.items()}
    best: tuple[int, list[str], list[str | None]] = (0, [], [])
    best_score = 0
    for i, row in enumerate(raw.cells.iloc[:HEADER_SCAN_ROWS].fillna("").astype(str).to_numpy()):
        fields = [
            forced.get(normalise_header(t), bureau_field(t)) if t.strip() else None for t in row
        ]
        fields = [None if f in ("", "ignore") else f for f in fields]
        score = len({f for f in fields if f})
        if score > best_score:
            best, best_score = (i, [str(t).strip() for t in row], fields), score
    return best


def _sheet_reports(
    raw: RawSheet,
    log: ProblemLog,
    provider: str | None,
    report_date: object,
    scale: str | None,
    overrides: Mapping[str, str],
) -> pd.DataFrame | None:
    index, headers, fields = _header(raw, overrides)
    unknown = sorted({f for f in fields if f and f not in BUREAU_SYNONYMS})
    ctx = SheetContext(raw.file, raw.sheet, "bureau")
    if unknown:
        log.sheet(
            ctx,
            f"--map names unknown report field(s) {unknown}. Use: {', '.join(BUREAU_SYNONYMS)}.",
        )
        return None
    columns: dict[str, int] = {}
    for i, f in enumerate(fields):
        if f and f not in columns:
            columns[f] = i
    ctx.headers = {f: headers[i] for f, i in columns.items()}
    if not columns.keys() & {"customer_id", "credit_code", "customer_name"}:
        log.sheet(
            ctx,
            "No customer id, unified social credit code (统一社会信用代码) or company "
            "name column was recognised. Rename the header or map it with --map.",
        )
        return None
    if not columns.keys() & {"score", "rating", "recommended_limit", "insured_limit", "pd",
                             *LEGAL_PARTS, "legal_events"}:  # fmt: skip
        log.sheet(
            ctx,
            "No score, rating, recommended limit, insured limit, PD or legal-event "
            "column was recognised, so the rows hold no credit information.",
        )
        return None
    data = raw.cells.iloc[index + 1 :].fillna("").astype(str)
    body = pd.DataFrame({f: data[i].str.strip() for f, i in columns.items()})
    body.index = data.index + 1  # Excel row numbers
    keep = (data.apply(lambda c: c.str.strip() != "")).any(axis=1).to_numpy()
    totals = data.apply(lambda c: c.str.contains(TOTALS)).any(axis=1).to_numpy()
    body, data = body[keep & ~totals], data[keep & ~totals]
    ctx.body = body
    out = pd.DataFrame({"row": body.index, "file": raw.file, "sheet": raw.sheet}, index=body.index)
    for f in ("customer_id", "customer_name", "credit_code", "rating"):
        out[f] = body[f].where(body[f] != "") if f in body else pd.NA
    out["provider"] = _provider(body, provider, raw.file)
    out["report_date"] = _dates(body, report_date, ctx, log)
    out["score"] = _numbers(body, "score", ctx, log)
    out["pd"] = _pd(body, ctx, log)
    for f in MONEY_FIELDS:
        out[f"{f}_cents"] = _money(body, f, ctx, log)
    out["legal_events"] = _legal(body, ctx, log)
    out["score_scale"], out["score_normalised"] = _normalised(out, body, scale, ctx, log)
    out["raw"] = [
        json.dumps(
            {h: v for h, v in zip(headers, row, strict=False) if h and v}, ensure_ascii=False
        )
        for row in data.to_numpy().tolist()
    ]
    return out.reset_index(drop=True)


def _provider(body: pd.DataFrame, provider: str | None, file: str) -> pd.Series:
    default = provider or file.rsplit(".", 1)[0]
    if "provider" in body:
        return body["provider"].where(body["provider"] != "", default)
    return pd.Series(default, index=body.index, dtype="str")


def _dates(body: pd.DataFrame, given: object, ctx: SheetContext, log: ProblemLog) -> pd.Series:
    if "report_date" not in body:
        if given is None:
            log.sheet(
                ctx,
                "No report date column was recognised. Add one (报告日期) or give "
                "the date of the reports (--report-date YYYY-MM-DD).",
            )
            return pd.Series(pd.NaT, index=body.index, dtype="datetime64[us]")
        return pd.Series(pd.Timestamp(given), index=body.index).astype("datetime64[us]")
    parsed = parse_dates(body["report_date"])
    bad = parsed.bad.to_numpy(dtype=bool)
    log.rows(
        ctx,
        body.index[bad],
        "report_date",
        lambda _r, v: f"{v!r} is not a date. Write it as 2024-03-31 or 2024年3月31日.",
    )
    values = pd.to_datetime(parsed.values).astype("datetime64[us]")
    missing = values.isna().to_numpy() & ~bad
    if given is not None:
        values = values.where(~missing, pd.Timestamp(given))
    else:
        log.rows(
            ctx,
            body.index[missing],
            "report_date",
            "The report date is empty. Fill it in or give --report-date.",
        )
    return values


def _numbers(body: pd.DataFrame, f: str, ctx: SheetContext, log: ProblemLog) -> pd.Series:
    if f not in body:
        return pd.Series(np.nan, index=body.index)
    parsed = parse_number(body[f].str.rstrip("分"))
    log.rows(
        ctx, body.index[parsed.bad.to_numpy(dtype=bool)], f, lambda _r, v: f"{v!r} is not a number."
    )
    return parsed.values.astype("float64")


def _pd(body: pd.DataFrame, ctx: SheetContext, log: ProblemLog) -> pd.Series:
    if "pd" not in body:
        return pd.Series(np.nan, index=body.index)
    text = body["pd"]
    percent = text.str.endswith("%")
    values = _numbers(body.assign(pd=text.str.rstrip("%")), "pd", ctx, log)
    values = values.where(~(percent | (values > 1)), values / 100)
    out_of_range = (values < 0) | (values > 1)
    log.rows(
        ctx,
        body.index[out_of_range.to_numpy(dtype=bool)],
        "pd",
        lambda _r, v: f"{v!r} is not a probability: write 0.025, 2.5 or 2.5%.",
    )
    return values


def _money(body: pd.DataFrame, f: str, ctx: SheetContext, log: ProblemLog) -> pd.Series:
    if f not in body:
        return pd.Series(pd.NA, index=body.index, dtype="Int64")
    text = body[f].str.replace("万元", "0000", regex=False).str.replace("万", "0000", regex=False)
    parsed = parse_money(text)
    log.rows(
        ctx,
        body.index[parsed.bad.to_numpy(dtype=bool)],
        f,
        lambda _r, v: f"{v!r} is not an amount. Write a number such as 500000 or 50万.",
    )
    return parsed.values


def _legal(body: pd.DataFrame, ctx: SheetContext, log: ProblemLog) -> pd.Series:
    present = [f for f in (*LEGAL_PARTS, "legal_events") if f in body]
    if not present:
        return pd.Series(pd.NA, index=body.index, dtype="Int64")
    total = sum(_numbers(body, f, ctx, log).fillna(0) for f in present)
    empty = np.logical_and.reduce([body[f].to_numpy() == "" for f in present])
    return pd.Series(np.rint(total), index=body.index).where(~empty).astype("Int64")


def _normalised(
    out: pd.DataFrame, body: pd.DataFrame, scale: str | None, ctx: SheetContext, log: ProblemLog
) -> tuple[pd.Series, pd.Series]:
    scores = out["score"].to_numpy(dtype=float)
    texts = pd.Series(scale or "", index=out.index, dtype="str")
    if "score_scale" in body:
        texts = body["score_scale"].where(body["score_scale"] != "", texts)
    missing = texts == ""
    if missing.any():
        by_provider = (
            out["provider"]
            .str.casefold()
            .map({k.casefold(): v for k, v in PROVIDER_SCALES.items()})
        )
        texts = texts.where(~missing, by_provider.fillna(""))
    missing = (texts == "") & ~np.isnan(scores)
    if missing.any():
        top = np.nanmax(scores[missing.to_numpy()])
        guess = next((f"0-{s}" for s in (1, 100, 1000, 10000) if top <= s), None)
        if guess:
            texts = texts.where(~missing, guess)
            log.sheet(ctx, f"No score scale given; the scores (largest {top:g}) are read as "
                      f"{guess}. Give --scale or a scale column if that is wrong.",
                      level="warning", column="score")  # fmt: skip
    normalised = np.full(len(out), np.nan)
    for text in texts[texts != ""].unique():
        rows = (texts == text).to_numpy()
        try:
            normalised[rows] = normalise_scores(scores[rows], parse_scale(text))
        except InvalidArgument as err:
            log.rows(
                ctx, out.index[rows], "score_scale" if "score_scale" in body else None, str(err)
            )
    return texts.where(texts != ""), pd.Series(normalised, index=out.index)
