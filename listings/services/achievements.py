"""Achievements, their inventors and rights, and the one transition of their conversion status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import membership_for_action
from core import seams
from core.dbclock import db_now
from core.errors import Conflict, InvalidInput
from core.inputs import FieldErrors, choice, integer, text
from core.locks import achievement_lock
from core.money import money_parse
from core.transitions import transitions_register

from .. import search
from ..models import (
    Achievement,
    AchievementConversionChange,
    ConversionMethod,
    ConversionStatus,
    Field,
    IntellectualProperty,
    Inventor,
    Listing,
    Rights,
)
from ..selectors import ACTIVE_LISTING_STATUSES, HOLDER_EDITOR_ROLES
from ..validators import patent_no_normalize

IP = IntellectualProperty.IpType
PATENT_TYPES = {IP.INVENTION, IP.UTILITY_MODEL, IP.DESIGN}
INVENTOR_SHARE_TOTAL_MAX = Decimal("100")


def _clean_inventors(inventors: Any, errors: FieldErrors) -> list[dict[str, Any]]:
    if not isinstance(inventors, list):
        errors.add("inventors", _("应为列表。"))
        return []
    item_errors: list[dict[str, list[str]]] = []
    clean: list[dict[str, Any]] = []
    total = Decimal("0")
    for item in inventors:
        mine = FieldErrors()
        if not isinstance(item, dict):
            item_errors.append({"name": [_("应为 {name, share}。")]})
            continue
        name = text(item.get("name"), errors=mine, field="name", max_length=100)
        share = money_parse(item.get("share"), errors=mine, field="share")
        if share is not None and share > 100:
            mine.add("share", _("份额不能超过 100。"))
        if not mine and share is not None:
            total += share
            clean.append({"name": name, "share": share})
        item_errors.append(dict(mine))
    if any(item_errors):
        errors["inventors"] = item_errors
    elif total > INVENTOR_SHARE_TOTAL_MAX:
        errors.add("inventors", _("完成人份额合计不能超过 100%。"))
    return clean


def _clean_ip(ip: Any, errors: FieldErrors) -> tuple[list[dict[str, Any]], bool]:
    """The rights, with patent numbers normalized; the flag says a patent number was wrong."""
    if not isinstance(ip, list):
        errors.add("ip", _("应为列表。"))
        return [], False
    clean: list[dict[str, Any]] = []
    item_errors: list[dict[str, list[str]]] = []
    bad_patent = False
    seen: set[str] = set()
    for item in ip:
        mine = FieldErrors()
        if not isinstance(item, dict):
            item_errors.append({"patent_no": [_("应为 {patent_no, ip_type, granted_on}。")]})
            continue
        ip_type = choice(item.get("ip_type"), errors=mine, field="ip_type", choices=IP)
        number = item.get("patent_no") or ""
        if not isinstance(number, str):
            mine.add("patent_no", _("请输入文字。"))
            number = ""
        if ip_type in PATENT_TYPES or (ip_type == "" and number):
            number, error = patent_no_normalize(number, ip_type=ip_type or None)
            if error:
                mine.add("patent_no", error)
                bad_patent = True
        elif len(number.strip()) > 32:
            mine.add("patent_no", _("登记号最多 32 个字符。"))
        else:
            number = number.strip()
        if number and number in seen:
            mine.add("patent_no", _("同一申请号重复填写。"))
        seen.add(number)
        granted_on = item.get("granted_on")
        if granted_on is not None and not (
            isinstance(granted_on, dt.date) and not isinstance(granted_on, dt.datetime)
        ):
            mine.add("granted_on", _("请输入日期。"))
        elif granted_on is not None and granted_on > timezone.localdate():
            mine.add("granted_on", _("授权日不能晚于今天。"))
        if not mine:
            clean.append({"patent_no": number, "ip_type": ip_type, "granted_on": granted_on})
        item_errors.append(dict(mine))
    if any(item_errors):
        errors["ip"] = item_errors
    return clean, bad_patent


def _refuse_taken_numbers(clean: list[dict[str, Any]], *, achievement: Achievement | None) -> None:
    """A right belongs to one achievement: 409 when a number is already recorded elsewhere."""
    numbers = [c["patent_no"] for c in clean if c["patent_no"]]
    taken = IntellectualProperty.objects.filter(patent_no__in=numbers)
    if achievement is not None:
        taken = taken.exclude(achievement=achievement)
    taken_numbers = set(taken.values_list("patent_no", flat=True))
    if taken_numbers:
        raise Conflict(
            "patent_already_registered",
            _("该申请号已登记在其他成果下。"),
            fields={
                "ip": [
                    {"patent_no": [_("已登记在其他成果下。")]} if c["patent_no"] in taken_numbers else {}
                    for c in clean
                ]
            },
        )


def _clean_achievement(data: dict[str, Any], *, achievement: Achievement | None) -> dict[str, Any]:
    """Check every given field; raise 400 with all field errors (``invalid_patent_no`` first)."""
    errors = FieldErrors()
    clean: dict[str, Any] = {}
    lengths = {"title": 200, "summary": 5000, "funding_project_no": 100}
    for name, max_length in lengths.items():
        if name in data:
            clean[name] = text(
                data[name],
                errors=errors,
                field=name,
                max_length=max_length,
                required=name != "funding_project_no",
            )
    if "field" in data:
        clean["field"] = choice(data["field"], errors=errors, field="field", choices=Field)
    if "kind" in data:
        clean["kind"] = choice(data["kind"], errors=errors, field="kind", choices=Achievement.Kind)
    if "maturity" in data:
        clean["maturity"] = integer(data["maturity"], errors=errors, field="maturity", low=1, high=9)
        if data["maturity"] is None:
            errors.add("maturity", _("此项为必填项。"))
    if "valuation" in data:
        clean["valuation"] = money_parse(data["valuation"], errors=errors, field="valuation", allow_zero=True)
    for name in ("fiscally_funded", "is_service_invention"):
        if name in data:
            if not isinstance(data[name], bool):
                errors.add(name, _("应为 true 或 false。"))
            clean[name] = data[name]
    if "funding_project_ended_on" in data:
        ended = data["funding_project_ended_on"]
        if ended is not None and not isinstance(ended, dt.date):
            errors.add("funding_project_ended_on", _("请输入日期。"))
        clean["funding_project_ended_on"] = ended
    for name in ("intended_conversion_method",):
        if name in data:
            clean[name] = choice(data[name], errors=errors, field=name, choices=Rights, required=False)
    for name in ("application_status", "conversion_benefit"):
        if name in data:
            clean[name] = text(data[name], errors=errors, field=name, max_length=5000, required=False)
    if "inventors" in data:
        clean["inventors"] = _clean_inventors(data["inventors"], errors)
    bad_patent = False
    if "ip" in data:
        clean["ip"], bad_patent = _clean_ip(data["ip"], errors)
    if errors:
        code = "invalid_patent_no" if bad_patent else "invalid_achievement"
        detail = _("专利申请号有误。") if bad_patent else _("成果信息有误，请检查标出的字段。")
        raise InvalidInput(code, detail, fields=dict(errors))
    if "ip" in clean:
        _refuse_taken_numbers(clean["ip"], achievement=achievement)
    return clean


def _write_children(achievement: Achievement, clean: dict[str, Any]) -> None:
    if "inventors" in clean:
        achievement.inventors.all().delete()
        Inventor.objects.bulk_create(Inventor(achievement=achievement, **i) for i in clean["inventors"])
    if "ip" in clean:
        achievement.ip.all().delete()
        IntellectualProperty.objects.bulk_create(
            IntellectualProperty(
                achievement=achievement,
                legal_status=IntellectualProperty.Status.GRANTED
                if i["granted_on"]
                else IntellectualProperty.Status.PENDING,
                **i,
            )
            for i in clean["ip"]
        )
        achievement.first_granted_on = achievement.ip.aggregate(first=Min("granted_on"))["first"]
        achievement.save(update_fields=["first_granted_on"])
        # The conversion clock starts at the earliest grant: the conversion app keeps the deadlines
        # stored on the achievement (``conversion_deadline``, ``free_license_date``) in step.
        seams.call("achievement_granted", achievement=achievement)


def achievement_refresh_search(*, achievement: Achievement) -> None:
    """Re-index the achievement's listings after its title, summary, field or holder changed (the
    listings' trigger stamps them, so syncing clients get the new title: ``core.sync``)."""
    Listing.objects.filter(achievement=achievement).update(
        search_vector=search.search_vector(
            title=achievement.title,
            summary=achievement.summary,
            holder=achievement.holder.name,
            field=achievement.field,
            mode=F("mode"),
            rights=F("rights"),
        )
    )


@transaction.atomic
def achievement_create(
    *,
    actor: User,
    organization: Organization | int | None = None,
    title: str,
    summary: str,
    field: str,
    kind: str,
    maturity: int,
    valuation: Decimal | None = None,
    fiscally_funded: bool,
    funding_project_no: str = "",
    funding_project_ended_on: dt.date | None = None,
    is_service_invention: bool,
    inventors: list[dict[str, Any]],
    ip: list[dict[str, Any]],
    intended_conversion_method: str = "",
) -> Achievement:
    """A holder member records an achievement of their (verified) organization, with its rights.

    Patent numbers are checked (check digit included) and stored normalized; ``first_granted_on``
    is the earliest grant date, which starts the conversion clock.
    """
    membership = membership_for_action(user=actor, organization=organization, roles=HOLDER_EDITOR_ROLES)
    clean = _clean_achievement(
        {
            "title": title,
            "summary": summary,
            "field": field,
            "kind": kind,
            "maturity": maturity,
            "valuation": valuation,
            "fiscally_funded": fiscally_funded,
            "funding_project_no": funding_project_no,
            "funding_project_ended_on": funding_project_ended_on,
            "is_service_invention": is_service_invention,
            "intended_conversion_method": intended_conversion_method,
            "inventors": inventors,
            "ip": ip,
        },
        achievement=None,
    )
    children: dict[str, Any] = {k: clean.pop(k) for k in ("inventors", "ip")}
    achievement = Achievement.objects.create(holder=membership.organization, created_by=actor, **clean)
    _write_children(achievement, children)
    return achievement


@transaction.atomic
def achievement_update(*, achievement: Achievement, actor: User, **changes: Any) -> Achievement:
    """A holder member edits an achievement; ``inventors`` and ``ip``, when given, replace the lists.

    Refused (409 ``achievement_listed``) while a listing of it is under review or published: what
    the approvers and operators saw is what is on offer.
    """
    membership_for_action(user=actor, organization=achievement.holder_id, roles=HOLDER_EDITOR_ROLES)
    locked = achievement_lock(achievement, holder=True)
    allowed = {
        "title",
        "summary",
        "field",
        "kind",
        "maturity",
        "valuation",
        "fiscally_funded",
        "funding_project_no",
        "funding_project_ended_on",
        "is_service_invention",
        "intended_conversion_method",
        "application_status",
        "conversion_benefit",
        "inventors",
        "ip",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(
            "invalid_achievement",
            _("成果信息有误，请检查标出的字段。"),
            fields={name: [_("不能修改此字段。")] for name in sorted(unknown)},
        )
    if locked.listings.filter(status__in=ACTIVE_LISTING_STATUSES).exists():
        raise Conflict("achievement_listed", _("该成果正在审核或挂牌中，不能修改；请先撤回挂牌。"))
    clean = _clean_achievement(changes, achievement=locked)
    children: dict[str, Any] = {k: clean.pop(k) for k in ("inventors", "ip") if k in clean}
    for name, value in clean.items():
        setattr(locked, name, value)
    if clean:
        locked.save(update_fields=[*clean, "updated_at"])
    _write_children(locked, children)
    if {"title", "summary", "field"} & set(clean):
        achievement_refresh_search(achievement=locked)
    return locked


C = ConversionStatus

# The one transition table of an achievement's conversion status.
CONVERSION_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "listings.Achievement",
    record="listings.AchievementConversionChange",
    field="conversion_status",
    table={
        C.UNCONVERTED: {C.CONVERTING, C.CONVERTED},
        C.CONVERTING: {C.CONVERTED, C.UNCONVERTED},  # concluded, or fell through
        C.CONVERTED: {C.UNCONVERTED},  # the buyer defaulted or the contract was rescinded
    },
)


@transaction.atomic
def achievement_set_conversion(
    *,
    achievement: Achievement,
    status: str,
    method: str = "",
    actor: User | None = None,
    reason: str = "",
) -> Achievement:
    """Move the conversion status (the only place that does), with a record of the change.

    ``method`` is a ``ConversionMethod`` (required for ``converted``: what the buyer got, or
    ``self_implementation``); ``actor`` is
    None when the platform moves it (a deal concluded or defaulted). Setting the status it already
    has with the same method is a no-op, so a retried caller does no harm.
    """
    if status not in C.values:
        raise InvalidInput(
            "invalid_conversion_status", _("无效的转化状态。"), fields={"status": [_("无效的选项。")]}
        )
    if method and method not in ConversionMethod.values:
        raise InvalidInput(
            "invalid_conversion_method", _("无效的转化方式。"), fields={"method": [_("无效的选项。")]}
        )
    if status == C.CONVERTED and not method:
        raise InvalidInput(
            "invalid_conversion_method", _("已转化须注明转化方式。"), fields={"method": [_("此项为必填项。")]}
        )
    locked = achievement_lock(achievement)
    if status == C.UNCONVERTED:
        method = ""
    if locked.conversion_status == status and locked.conversion_method == method:
        return locked
    if status != locked.conversion_status and status not in CONVERSION_TRANSITIONS[locked.conversion_status]:
        raise Conflict(
            "invalid_status_transition",
            _("成果当前为“%(status)s”，不能改为该状态。")
            % {"status": locked.get_conversion_status_display()},
        )
    from_status = locked.conversion_status
    locked.conversion_status = status
    locked.conversion_method = method
    locked.converted_at = db_now() if status == C.CONVERTED else None
    locked.save(update_fields=["conversion_status", "conversion_method", "converted_at", "updated_at"])
    AchievementConversionChange.objects.create(
        achievement=locked,
        from_status=from_status,
        to_status=status,
        method=method,
        actor=actor,
        reason=reason,
    )
    if status == C.CONVERTED:
        # Converted takes the achievement off the use-first list at once (the daily job would
        # the next day): the conversion app, above this one, answers the seam.
        seams.call("achievement_converted", achievement=locked, reason=reason or _("成果已转化"))
    return locked
