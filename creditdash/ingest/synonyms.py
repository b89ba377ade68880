"""Header synonyms, English and Chinese, for every canonical field.

Headers are compared after `normalise_header` (NFKC, case-fold, without
spaces, `_`, `-`, `.`, `/`, `:` and brackets' contents kept).
"""

from __future__ import annotations

import re
import unicodedata

SYNONYMS: dict[str, list[str]] = {
    "invoice_id": [
        "invoice id",
        "invoice number",
        "invoice no",
        "invoice",
        "invoice #",
        "document number",
        "document no",
        "doc no",
        "reference",
        "bill no",
        "发票号",
        "发票号码",
        "单据编号",
        "单据号",
        "凭证号",
        "凭证编号",
        "发票编号",
        "单号",
    ],
    "customer_id": [
        "customer id",
        "customer no",
        "customer number",
        "customer code",
        "account",
        "account number",
        "debtor",
        "debtor id",
        "client id",
        "客户编号",
        "客户代码",
        "客户id",
        "客户编码",
        "客户号",
    ],
    "customer_name": [
        "customer name",
        "customer",
        "client",
        "client name",
        "debtor name",
        "account name",
        "客户",
        "客户名称",
        "单位名称",
        "客户全称",
        "往来单位",
    ],
    "credit_code": [
        "credit code",
        "unified social credit code",
        "uscc",
        "tax id",
        "统一社会信用代码",
        "信用代码",
        "纳税人识别号",
    ],
    "industry": ["industry", "sector", "行业", "所属行业"],
    "region": [
        "region",
        "area",
        "territory",
        "country",
        "country code",
        "区域",
        "地区",
        "大区",
        "省份",
    ],
    "segment": [
        "segment",
        "customer group",
        "customer type",
        "channel",
        "客户分类",
        "客户类型",
        "分组",
        "渠道",
    ],
    "salesperson": [
        "salesperson",
        "sales rep",
        "sales representative",
        "account manager",
        "sales",
        "owner",
        "业务员",
        "销售员",
        "销售",
        "客户经理",
        "负责人",
    ],
    "credit_limit": ["credit limit", "limit", "信用额度", "授信额度", "额度"],
    "payment_terms_days": [
        "payment terms",
        "terms",
        "terms days",
        "credit days",
        "payment terms days",
        "账期",
        "账期天数",
        "信用期",
        "付款条件",
        "信用天数",
    ],
    "currency": ["currency", "curr", "ccy", "币种", "货币", "币别"],
    "invoice_date": [
        "invoice date",
        "posting date",
        "document date",
        "doc date",
        "bill date",
        "date",
        "开票日期",
        "单据日期",
        "记账日期",
        "发票日期",
        "业务日期",
        "日期",
    ],
    "due_date": [
        "due date",
        "net due date",
        "due",
        "maturity date",
        "到期日",
        "到期日期",
        "应收日期",
    ],
    "amount": [
        "amount",
        "invoice amount",
        "gross amount",
        "total amount",
        "document amount",
        "金额",
        "发票金额",
        "应收金额",
        "价税合计",
        "含税金额",
    ],
    "open_amount": [
        "open amount",
        "balance",
        "outstanding",
        "amount outstanding",
        "open balance",
        "amount due",
        "remaining",
        "未清金额",
        "余额",
        "未收金额",
        "应收余额",
        "未核销金额",
    ],
    "paid_amount": [
        "paid amount",
        "amount paid",
        "settled amount",
        "已收金额",
        "回款金额",
        "已核销金额",
    ],
    "payment_date": [
        "settled date",
        "paid date",
        "clearing date",
        "payment date",
        "receipt date",
        "settlement date",
        "收款日期",
        "回款日期",
        "核销日期",
        "到账日期",
    ],
    "payment_id": [
        "payment id",
        "payment number",
        "payment no",
        "receipt no",
        "receipt number",
        "receipt id",
        "收款单号",
        "回款单号",
        "收款编号",
    ],
    "disputed": ["disputed", "dispute", "in dispute", "争议", "是否争议", "有争议"],
    "as_of": [
        "as of",
        "as of date",
        "snapshot date",
        "export date",
        "report date",
        "截止日期",
        "截至日期",
        "导出日期",
    ],
    "rate": ["rate", "exchange rate", "fx rate", "汇率"],
    "rate_date": ["rate date", "effective date", "汇率日期", "生效日期"],
}


def normalise_header(text: object) -> str:
    """A header as compared: NFKC, case-folded, without spaces and `_ - . / : #`."""
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s_\-./:：#()（）]+", "", s)


LOOKUP: dict[str, str] = {}
for _field, _names in SYNONYMS.items():
    for _name in _names:
        LOOKUP.setdefault(normalise_header(_name), _field)

FIELDS: list[str] = list(SYNONYMS)


def field_for(header: object) -> str | None:
    """The canonical field a header stands for, or None."""
    return LOOKUP.get(normalise_header(header))
