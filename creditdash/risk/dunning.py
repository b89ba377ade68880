"""The dunning strategy: the credit policy's `dunning` section (defaults and checks).

    "dunning": {
        "default_language": "zh",       letters in this language unless the customer has one
        "pay_within_days": 7,           a letter asks for payment by the run date + this
        "promise_grace_days": 3,        a promise is kept if paid by its date + this
        "strategies": [                 the first whose grades and segments match a customer
            {"id": "high_risk", "grades": ["D", "E"], "segments": [], "stages": [...]},
            {"id": "standard", "grades": [], "segments": [], "stages": [...]}   (catch-all)
        ],
        "templates": {"reminder": {"zh": {"subject": "...", "body": "..."}, "en": {...}}, ...}
    }

A strategy applies to a customer whose grade is in `grades` and whose segment
is in `segments` (an empty list matches any); the last one must match every
customer. A stage is

    {"id": "final", "days": 60, "actions": ["email", "letter", "hold"],
     "template": "final", "interest": true, "fee": true}

`days` is days past due (negative: a courtesy reminder before the due date),
strictly increasing within a strategy; `actions` are STAGE_ACTIONS: email
(the letter as an email with the statement attached), letter (a printed
letter), call (a call task for the collector), hold (new orders should be
held: the credit manager applies it), legal (hand to legal / a collection
agency). `interest` and `fee` say whether the letter charges the late
interest and fee of the policy's `penalties` section. A template has a
subject and a body in Chinese and in English; the body may use the fields of
TEMPLATE_FIELDS in braces, e.g. `{amount_due}`.

A policy saved before this section existed reads as DEFAULT_DUNNING (`dunning_of`).
"""

from __future__ import annotations

import copy
import string
from collections.abc import Iterable, Mapping
from typing import Any

from creditdash.errors import InvalidArgument

STAGE_ACTIONS = ("email", "letter", "call", "hold", "legal")
LANGUAGES = ("zh", "en")
TEMPLATE_FIELDS = (
    "customer_name",
    "customer_id",
    "company",
    "as_of",
    "balance",
    "overdue",
    "interest",
    "fees",
    "amount_due",
    "pay_by",
    "invoices",
    "oldest_dpd",
)

_SIGN_ZH = "\n\n{company}\n{as_of}"
_SIGN_EN = "\n\nYours faithfully,\n{company}\n{as_of}"
DEFAULT_TEMPLATES: dict[str, dict[str, dict[str, str]]] = {
    "courtesy": {
        "zh": {
            "subject": "付款提醒：{invoices} 张发票即将到期",
            "body": "尊敬的{customer_name}：\n\n您好！贵司有 {invoices} 张发票即将到期，金额合计 {overdue}。"
            "明细见下表及所附对账单，烦请按期安排付款。如已付款，请忽略本提醒。" + _SIGN_ZH,
        },
        "en": {
            "subject": "Friendly reminder: {invoices} invoice(s) falling due",
            "body": "Dear {customer_name},\n\n{invoices} of your invoices, {overdue} in all, fall "
            "due shortly. The list below and the attached statement give the details; please "
            "arrange payment by the due date. If you have already paid, please ignore this "
            "reminder." + _SIGN_EN,
        },
    },
    "reminder": {
        "zh": {
            "subject": "付款提醒：{invoices} 张发票已逾期",
            "body": "尊敬的{customer_name}：\n\n截至 {as_of}，贵司有 {invoices} 张发票已到期未付，"
            "逾期金额 {overdue}。请于 {pay_by} 前安排付款。如有疑问，请与我们联系。" + _SIGN_ZH,
        },
        "en": {
            "subject": "Payment reminder: {invoices} invoice(s) overdue",
            "body": "Dear {customer_name},\n\nAs of {as_of}, {invoices} of your invoices are past "
            "due, {overdue} in all. Please pay by {pay_by}. If anything is unclear, please "
            "contact us." + _SIGN_EN,
        },
    },
    "second_reminder": {
        "zh": {
            "subject": "第二次付款提醒：逾期金额 {overdue}",
            "body": "尊敬的{customer_name}：\n\n我们此前已提醒贵司付款，但截至 {as_of} 仍有 "
            "{invoices} 张发票未付，逾期金额 {overdue}，最长逾期 {oldest_dpd} 天。按合同约定，"
            "逾期款项计收逾期利息 {interest}。请于 {pay_by} 前支付 {amount_due}。" + _SIGN_ZH,
        },
        "en": {
            "subject": "Second reminder: {overdue} overdue",
            "body": "Dear {customer_name},\n\nDespite our earlier reminder, {invoices} invoice(s) "
            "remain unpaid as of {as_of}: {overdue} overdue, the oldest by {oldest_dpd} days. "
            "Under our terms, late interest of {interest} has accrued. Please pay {amount_due} "
            "by {pay_by}." + _SIGN_EN,
        },
    },
    "warning": {
        "zh": {
            "subject": "催款函：逾期金额 {overdue}",
            "body": "尊敬的{customer_name}：\n\n截至 {as_of}，贵司逾期未付金额 {overdue}，最长逾期 "
            "{oldest_dpd} 天，已计逾期利息 {interest}、逾期费用 {fees}。请于 {pay_by} 前支付 "
            "{amount_due}。逾期不付，我们将暂停对贵司的新订单发货。" + _SIGN_ZH,
        },
        "en": {
            "subject": "Overdue account: {overdue} past due",
            "body": "Dear {customer_name},\n\nAs of {as_of} your account is {overdue} past due, "
            "the oldest invoice by {oldest_dpd} days, with late interest of {interest} and fees "
            "of {fees}. Please pay {amount_due} by {pay_by}; otherwise we will stop new orders "
            "on your account." + _SIGN_EN,
        },
    },
    "final": {
        "zh": {
            "subject": "最后催款通知：请于 {pay_by} 前支付 {amount_due}",
            "body": "尊敬的{customer_name}：\n\n尽管我们多次提醒，截至 {as_of} 贵司仍有逾期款项 "
            "{overdue}（最长逾期 {oldest_dpd} 天），另计逾期利息 {interest}、逾期费用 {fees}。"
            "贵司的新订单已暂停。请于 {pay_by} 前支付 {amount_due}，否则我们将不再另行通知，"
            "直接通过法律途径追收。" + _SIGN_ZH,
        },
        "en": {
            "subject": "Final notice: please pay {amount_due} by {pay_by}",
            "body": "Dear {customer_name},\n\nDespite several reminders, {overdue} remains "
            "overdue as of {as_of} (the oldest by {oldest_dpd} days), plus late interest of "
            "{interest} and fees of {fees}. New orders on your account are on hold. Unless we "
            "receive {amount_due} by {pay_by}, we will pass the debt to our lawyers without "
            "further notice." + _SIGN_EN,
        },
    },
    "legal": {
        "zh": {
            "subject": "律师函前通知：逾期款项 {amount_due}",
            "body": "尊敬的{customer_name}：\n\n贵司逾期款项 {overdue}（含逾期利息 {interest}、"
            "逾期费用 {fees}，合计 {amount_due}）经多次催收仍未支付。我们已将该笔欠款移交法务"
            "部门处理。如需协商，请于 {pay_by} 前与我们联系。" + _SIGN_ZH,
        },
        "en": {
            "subject": "Notice before legal action: {amount_due} overdue",
            "body": "Dear {customer_name},\n\nYour overdue balance of {overdue} (with late "
            "interest of {interest} and fees of {fees}: {amount_due}) remains unpaid after "
            "repeated reminders. We have passed the debt to our legal department. To settle, "
            "contact us by {pay_by}." + _SIGN_EN,
        },
    },
}


def _stage(sid: str, days: int, actions: list[str], template: str, charges: bool = False,
           fee: bool = False) -> dict[str, Any]:  # fmt: skip
    return {"id": sid, "days": days, "actions": actions, "template": template,
            "interest": charges, "fee": fee}  # fmt: skip


DEFAULT_DUNNING: dict[str, Any] = {
    "default_language": "zh",
    "pay_within_days": 7,
    "promise_grace_days": 3,
    "strategies": [
        {
            "id": "high_risk",
            "grades": ["D", "E"],
            "segments": [],
            "stages": [
                _stage("courtesy", -7, ["email"], "courtesy"),
                _stage("reminder", 1, ["email", "call"], "reminder"),
                _stage("warning", 15, ["email", "call"], "warning", True, True),
                _stage("final", 30, ["email", "letter", "hold"], "final", True, True),
                _stage("legal", 60, ["letter", "legal"], "legal", True, True),
            ],
        },
        {
            "id": "standard",
            "grades": [],
            "segments": [],
            "stages": [
                _stage("courtesy", -3, ["email"], "courtesy"),
                _stage("reminder", 1, ["email"], "reminder"),
                _stage("second_reminder", 15, ["email"], "second_reminder", True),
                _stage("warning", 30, ["email", "call"], "warning", True, True),
                _stage("final", 60, ["email", "letter", "hold"], "final", True, True),
                _stage("legal", 90, ["letter", "legal"], "legal", True, True),
            ],
        },
    ],
    "templates": DEFAULT_TEMPLATES,
}


def default_dunning() -> dict[str, Any]:
    """A fresh copy of DEFAULT_DUNNING."""
    return copy.deepcopy(DEFAULT_DUNNING)


def dunning_of(policy: Mapping) -> dict[str, Any]:
    """The policy's dunning section, or the default for a policy saved without one."""
    section = policy.get("dunning")
    return copy.deepcopy(section) if section else default_dunning()


def check_dunning(section: object, grades: Iterable[str]) -> dict[str, Any]:
    """`section` if it follows the rules of the module docstring, else InvalidArgument
    naming the part, the rule and the value; `grades` are the policy's grade names."""
    if not isinstance(section, dict):
        raise InvalidArgument.coded(
            "collections.error.dunning_object",
            "`dunning` must be a JSON object with strategies and templates. Got {value!r}.",
            value=section,
        )
    language = section.get("default_language", "zh")
    if language not in LANGUAGES:
        raise InvalidArgument.coded(
            "collections.error.dunning_language",
            "`dunning.default_language` must be one of {options}. Got {value!r}.",
            options=", ".join(LANGUAGES),
            value=language,
        )
    for key in ("pay_within_days", "promise_grace_days"):
        value = section.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidArgument.coded(
                "collections.error.dunning_days",
                "`dunning.{setting}` must be a whole number of days >= 0. Got {value!r}.",
                setting=key,
                value=value,
            )
    templates = _check_templates(section.get("templates"))
    strategies = section.get("strategies")
    if not isinstance(strategies, list) or not strategies:
        raise InvalidArgument.coded(
            "collections.error.strategies_empty",
            "`dunning.strategies` must be a non-empty list of strategies. Got {value!r}.",
            value=strategies,
        )
    seen: set[str] = set()
    known = set(grades)
    for strategy in strategies:
        sid = _check_strategy(strategy, known, templates)
        if sid in seen:
            raise InvalidArgument.coded(
                "collections.error.strategy_repeated",
                "Dunning strategy {strategy!r} appears twice; each needs its own `id`.",
                strategy=sid,
            )
        seen.add(sid)
    last = strategies[-1]
    if last.get("grades") or last.get("segments"):
        raise InvalidArgument.coded(
            "collections.error.no_catch_all",
            "The last dunning strategy ({strategy!r}) must have empty `grades` and `segments`, "
            "so that every customer has a strategy.",
            strategy=last.get("id"),
        )
    return section


def _check_strategy(strategy: object, grades: set[str], templates: Mapping) -> str:
    sid = strategy.get("id") if isinstance(strategy, dict) else None
    if not isinstance(strategy, dict) or not sid or not isinstance(sid, str):
        raise InvalidArgument.coded(
            "collections.error.strategy_id",
            "Every dunning strategy needs an `id`. Got {value!r}.",
            value=strategy,
        )
    for key in ("grades", "segments"):
        values = strategy.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InvalidArgument.coded(
                "collections.error.strategy_list",
                "Dunning strategy {strategy!r}: `{setting}` must be a list of names ([] for any). "
                "Got {value!r}.",
                strategy=sid,
                setting=key,
                value=values,
            )
    unknown = sorted(set(strategy.get("grades", [])) - grades)
    if unknown:
        raise InvalidArgument.coded(
            "collections.error.strategy_grade",
            "Dunning strategy {strategy!r} names grades the policy does not have: {grades}. "
            "Use the policy's grades ({known}).",
            strategy=sid,
            grades=", ".join(unknown),
            known=", ".join(sorted(grades)),
        )
    stages = strategy.get("stages")
    if not isinstance(stages, list) or not stages:
        raise InvalidArgument.coded(
            "collections.error.stages_empty",
            "Dunning strategy {strategy!r} needs a non-empty list of `stages`. Got {value!r}.",
            strategy=sid,
            value=stages,
        )
    previous: int | None = None
    ids: set[str] = set()
    for stage in stages:
        days = _check_stage(stage, sid, templates)
        if stage["id"] in ids:
            raise InvalidArgument.coded(
                "collections.error.stage_repeated",
                "Dunning strategy {strategy!r} has stage {stage!r} twice.",
                strategy=sid,
                stage=stage["id"],
            )
        ids.add(stage["id"])
        if previous is not None and days <= previous:
            raise InvalidArgument.coded(
                "collections.error.stage_order",
                "Dunning strategy {strategy!r}: stage {stage!r} at {days} days must come later "
                "than the stage before it ({previous} days).",
                strategy=sid,
                stage=stage["id"],
                days=days,
                previous=previous,
            )
        previous = days
    return sid


def _check_stage(stage: object, sid: str, templates: Mapping) -> int:
    name = stage.get("id") if isinstance(stage, dict) else None
    if not isinstance(stage, dict) or not name or not isinstance(name, str):
        raise InvalidArgument.coded(
            "collections.error.stage_id",
            "Dunning strategy {strategy!r}: every stage needs an `id`. Got {value!r}.",
            strategy=sid,
            value=stage,
        )
    days = stage.get("days")
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidArgument.coded(
            "collections.error.stage_days",
            "Dunning stage {stage!r}: `days` must be a whole number of days past due "
            "(negative before the due date). Got {value!r}.",
            stage=name,
            value=days,
        )
    actions = stage.get("actions")
    if (
        not isinstance(actions, list)
        or not actions
        or any(a not in STAGE_ACTIONS for a in actions)
        or len(set(actions)) != len(actions)
    ):
        raise InvalidArgument.coded(
            "collections.error.stage_actions",
            "Dunning stage {stage!r}: `actions` must be a list of distinct actions from "
            "{actions}. Got {value!r}.",
            stage=name,
            actions=", ".join(STAGE_ACTIONS),
            value=actions,
        )
    if stage.get("template") not in templates:
        raise InvalidArgument.coded(
            "collections.error.stage_template",
            "Dunning stage {stage!r}: `template` must name one of the templates ({names}). "
            "Got {value!r}.",
            stage=name,
            names=", ".join(sorted(templates)),
            value=stage.get("template"),
        )
    for flag in ("interest", "fee"):
        if not isinstance(stage.get(flag, False), bool):
            raise InvalidArgument.coded(
                "collections.error.stage_flag",
                "Dunning stage {stage!r}: `{flag}` must be true or false. Got {value!r}.",
                stage=name,
                flag=flag,
                value=stage.get(flag),
            )
    return days


def _check_templates(templates: object) -> dict:
    """`templates` itself, once every template has a subject and a body in each language."""
    if not isinstance(templates, dict) or not templates:
        raise InvalidArgument.coded(
            "collections.error.templates",
            "`dunning.templates` must map template names to their texts. Got {value!r}.",
            value=templates,
        )
    for name, texts in templates.items():
        for lang in LANGUAGES:
            text = texts.get(lang) if isinstance(texts, dict) else None
            parts = (text or {}).get("subject"), (text or {}).get("body")
            texts_given = [p for p in parts if isinstance(p, str) and p]
            if not isinstance(text, dict) or len(texts_given) != len(parts):
                raise InvalidArgument.coded(
                    "collections.error.template_text",
                    "Dunning template {which!r} needs a subject and a body in {language}.",
                    which=name,
                    language=lang,
                )
            for part in texts_given:
                _check_fields(name, lang, part)
    return templates


def _check_fields(name: str, lang: str, text: str) -> None:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as err:
        raise InvalidArgument.coded(
            "collections.error.template_braces",
            "Dunning template {which!r} ({language}): {reason}. Write a literal brace as {{{{ "
            "or }}}}.",
            which=name,
            language=lang,
            reason=str(err),
        ) from None
    unknown = sorted(fields - set(TEMPLATE_FIELDS))
    if unknown:
        raise InvalidArgument.coded(
            "collections.error.template_field",
            "Dunning template {which!r} ({language}) uses unknown fields {fields}. Use: {known}.",
            which=name,
            language=lang,
            fields=", ".join(unknown),
            known=", ".join(TEMPLATE_FIELDS),
        )
