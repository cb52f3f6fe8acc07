"""The holder's filings against the duty and the operators' decisions on them: justifications
(正当理由) and self-implementation declarations (自行实施). Each has one transition table
(pending -> accepted | rejected) moved by ``core.transitions.status_move``, with a status-change
row; the decision words are ``core.decisions.ACCEPTANCE`` (accept / reject, a reason on both)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.selectors import is_operator, membership_for_action
from accounts.services import notify
from core.decisions import ACCEPTANCE, Decision, decision_parse, require_reason
from core.errors import Conflict, Forbidden, InvalidInput
from core.locks import row_lock
from core.transitions import status_move, transitions_register
from listings.models import Achievement, ConversionMethod, ConversionStatus
from listings.services import achievement_set_conversion

from ..models import (
    Justification,
    JustificationStatusChange,
    SelfImplementation,
    SelfImplementationStatusChange,
    UseFirstEntry,
)
from ..rules import market_today
from .entries import HOLDER_ROLES, use_first_entries_close

J = Justification.Status
SI = SelfImplementation.Status

# The one transition table of a justification's status.
JUSTIFICATION_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "conversion.Justification",
    record="conversion.JustificationStatusChange",
    table={
        J.PENDING: {J.ACCEPTED, J.REJECTED},
        J.ACCEPTED: set(),
        J.REJECTED: set(),
    },
)
# The one transition table of a self-implementation declaration's status.
SELF_IMPLEMENTATION_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "conversion.SelfImplementation",
    record="conversion.SelfImplementationStatusChange",
    table={
        SI.PENDING: {SI.ACCEPTED, SI.REJECTED},
        SI.ACCEPTED: set(),
        SI.REJECTED: set(),
    },
)


def _holder_membership(*, actor: User, achievement: Achievement) -> Membership:
    return membership_for_action(
        user=actor,
        organization=achievement.holder_id,
        roles=(Membership.Role.ADMIN, Membership.Role.MEMBER),
    )


def _clean_attachments(attachments: Any) -> list[dict[str, str]]:
    if attachments in (None, ""):
        return []
    if not isinstance(attachments, list) or not all(
        isinstance(a, dict) and str(a.get("name", "")).strip() and str(a.get("url", "")).strip()
        for a in attachments
    ):
        raise InvalidInput(
            "invalid_attachments",
            _("附件应为列表，每项包含 name 与 url。"),
            fields={"attachments": [_("每个附件须有名称与链接。")]},
        )
    return [{"name": str(a["name"]).strip(), "url": str(a["url"]).strip()} for a in attachments]


def _require_text(value: str, field: str) -> str:
    if not value.strip():
        raise InvalidInput("reason_required", _("请填写理由。"), fields={field: [_("请填写理由。")]})
    return value.strip()


def _decide(decision: str, reason: str) -> tuple[Decision, str]:
    """The operator's word and reason: 400 ``invalid_decision`` / ``reason_required``."""
    word = decision_parse(decision, choice=ACCEPTANCE)
    return word, require_reason(word, reason, choice=ACCEPTANCE)


@transaction.atomic
def justification_file(
    *,
    achievement: Achievement,
    actor: User,
    reason: str,
    valid_until: dt.date,
    attachments: list[dict[str, str]] | None = None,
) -> Justification:
    """The holder files a reason for not converting, with references to its documents, asking that
    the duty be suspended through ``valid_until``; an operator decides. Filing stops nothing."""
    _holder_membership(actor=actor, achievement=achievement)
    reason = _require_text(reason, "reason")
    if valid_until <= market_today():
        raise InvalidInput(
            "valid_until_past",
            _("有效期应晚于今天。"),
            fields={"valid_until": [_("有效期应晚于今天。")]},
        )
    if achievement.conversion_status == ConversionStatus.CONVERTED:
        raise Conflict("already_converted", _("该成果已转化，无需提交正当理由。"))
    if Justification.objects.filter(achievement=achievement, status=J.PENDING).exists():
        raise Conflict("justification_pending", _("该成果已有待审核的正当理由。"))
    try:
        with transaction.atomic():  # the database decides between two filings at once
            justification = Justification.objects.create(
                achievement=achievement,
                reason=reason,
                attachments=_clean_attachments(attachments),
                valid_until=valid_until,
                filed_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict("justification_pending", _("该成果已有待审核的正当理由。")) from exc
    JustificationStatusChange.objects.create(
        justification=justification, from_status="", to_status=J.PENDING, actor=actor, reason=reason
    )
    notify(
        operators=True,
        kind="justification_filed",
        title=_("待审核的正当理由：%(title)s") % {"title": achievement.title},
        body=reason,
        link=reverse("listings:use_first"),
    )
    return justification


@transaction.atomic
def justification_decide(
    *, justification: Justification, actor: User, decision: str, reason: str
) -> Justification:
    """An operator accepts or rejects a justification, with the reason on record. Accepted, it takes
    the achievement off the list at once (the entry is closed, its listing closed) and keeps it off
    through ``valid_until``; the day after, the clock runs again and the job lists it anew."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以审核正当理由。"))
    word, reason = _decide(decision, reason)
    locked = row_lock(Justification.objects.select_related("achievement"), justification.pk)
    if locked.status != J.PENDING:
        raise Conflict("already_decided", _("该正当理由已审核。"))
    accepted = word == ACCEPTANCE.yes
    status_move(
        locked,
        to_status=J.ACCEPTED if accepted else J.REJECTED,
        transitions=JUSTIFICATION_TRANSITIONS,
        noun=_("正当理由"),
        record=lambda **change: JustificationStatusChange.objects.create(justification=locked, **change),
        actor=actor,
        reason=reason,
        changes={"decided_by": actor, "decided_at": timezone.now(), "decision_reason": reason},
    )
    today = market_today()
    if accepted and locked.valid_until >= today:
        use_first_entries_close(
            achievement_ids=[locked.achievement_id],
            cause=UseFirstEntry.CloseCause.JUSTIFIED,
            reason=_("正当理由已获平台认可（有效期至 %(date)s）：%(reason)s")
            % {"date": locked.valid_until.isoformat(), "reason": reason},
            today=today,
        )
    notify(
        organization=locked.achievement.holder,
        roles=HOLDER_ROLES,
        users=[locked.filed_by],
        kind="justification_decided",
        title=(_("正当理由已获认可：%(title)s") if accepted else _("正当理由未获认可：%(title)s"))
        % {"title": locked.achievement.title},
        body=reason,
        link=reverse("listings:use_first"),
    )
    return locked


@transaction.atomic
def self_implementation_declare(
    *,
    achievement: Achievement,
    actor: User,
    description: str,
    started_on: dt.date,
    attachments: list[dict[str, str]] | None = None,
) -> SelfImplementation:
    """The holder declares it implements the achievement itself; converted once an operator accepts."""
    _holder_membership(actor=actor, achievement=achievement)
    description = _require_text(description, "description")
    if started_on > market_today():
        raise InvalidInput(
            "started_on_future", _("实施开始日期不能晚于今天。"), fields={"started_on": [_("不能晚于今天。")]}
        )
    if achievement.conversion_status == ConversionStatus.CONVERTED:
        raise Conflict("already_converted", _("该成果已转化。"))
    if SelfImplementation.objects.filter(achievement=achievement, status=SI.PENDING).exists():
        raise Conflict("declaration_pending", _("该成果已有待审核的自行实施声明。"))
    declaration = SelfImplementation.objects.create(
        achievement=achievement,
        description=description,
        started_on=started_on,
        attachments=_clean_attachments(attachments),
        declared_by=actor,
    )
    SelfImplementationStatusChange.objects.create(
        declaration=declaration, from_status="", to_status=SI.PENDING, actor=actor, reason=description
    )
    notify(
        operators=True,
        kind="self_implementation_declared",
        title=_("待审核的自行实施声明：%(title)s") % {"title": achievement.title},
        body=description,
    )
    return declaration


@transaction.atomic
def self_implementation_decide(
    *, declaration: SelfImplementation, actor: User, decision: str, reason: str
) -> SelfImplementation:
    """An operator accepts (the achievement becomes converted and leaves the list) or rejects."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以审核自行实施声明。"))
    word, reason = _decide(decision, reason)
    locked = row_lock(SelfImplementation.objects.select_related("achievement"), declaration.pk)
    if locked.status != SI.PENDING:
        raise Conflict("already_decided", _("该声明已审核。"))
    accepted = word == ACCEPTANCE.yes
    status_move(
        locked,
        to_status=SI.ACCEPTED if accepted else SI.REJECTED,
        transitions=SELF_IMPLEMENTATION_TRANSITIONS,
        noun=_("自行实施声明"),
        record=lambda **change: SelfImplementationStatusChange.objects.create(declaration=locked, **change),
        actor=actor,
        reason=reason,
        changes={"decided_by": actor, "decided_at": timezone.now(), "decision_reason": reason},
    )
    if accepted:
        achievement_set_conversion(
            achievement=locked.achievement,
            status=ConversionStatus.CONVERTED,
            method=ConversionMethod.SELF_IMPLEMENTATION,
            actor=actor,
            reason=_("自行实施声明获平台认可：%(reason)s") % {"reason": reason},
        )
    notify(
        organization=locked.achievement.holder,
        roles=HOLDER_ROLES,
        users=[locked.declared_by],
        kind="self_implementation_decided",
        title=(_("自行实施声明已获认可：%(title)s") if accepted else _("自行实施声明未获认可：%(title)s"))
        % {"title": locked.achievement.title},
        body=reason,
    )
    return locked
