"""Use-first applications and agreements (先用后转): apply, answer within the time limit (or be
escalated to operators), agree on a trial, then convert through a deal paid into escrow, or return.

Free licence (无偿实施): on an entry that is free-license eligible the application is for a free
licence; the holder may accept, or decline with a reason that an operator reviews (upholds, or
overturns and grants the licence). A free licence is a general, non-exclusive licence without a
price: it makes no deal, so it does not by itself convert the achievement.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import ACTING_ROLES, is_operator, membership_for_action, organizations_related
from accounts.services import notify, notify_organizations
from core.dbclock import db_now
from core.decisions import APPEAL, decision_parse, require_reason
from core.errors import Conflict, DomainError, Forbidden, InvalidInput
from core.locks import row_lock, rows_skip_locked
from core.money import money_quantize
from core.transitions import status_move, transitions_register
from listings.models import ConversionMethod, ConversionStatus, Listing
from listings.services import achievement_set_conversion
from marketplace.models import Deal
from marketplace.services import deal_conclude

from ..models import (
    UseFirstAgreement,
    UseFirstAgreementStatusChange,
    UseFirstApplication,
    UseFirstApplicationStatusChange,
    UseFirstEntry,
)
from ..rules import market_today

log = logging.getLogger("market.use_first")

A = UseFirstApplication.Status
G = UseFirstAgreement.Status
COMPANY_KINDS = (Organization.Kind.ENTERPRISE, Organization.Kind.STATE_ENTERPRISE)
OPEN_STATUSES = (A.PENDING, A.ESCALATED, A.DECLINE_REVIEW)  # as the one-open-application constraint

# The one transition table of an application's status.
APPLICATION_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "conversion.UseFirstApplication",
    record="conversion.UseFirstApplicationStatusChange",
    table={
        A.PENDING: {A.ACCEPTED, A.DECLINED, A.DECLINE_REVIEW, A.ESCALATED},
        A.ESCALATED: {A.ACCEPTED, A.DECLINED, A.DECLINE_REVIEW},  # a late answer, or an operator's
        A.DECLINE_REVIEW: {A.DECLINED, A.ACCEPTED},  # upheld, or overturned: the licence is granted
        A.ACCEPTED: set(),
        A.DECLINED: set(),
    },
)
# The one transition table of an agreement's status.
AGREEMENT_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "conversion.UseFirstAgreement",
    record="conversion.UseFirstAgreementStatusChange",
    table={
        G.IN_TRIAL: {G.CONVERTED, G.RETURNED},
        G.LICENSED: set(),
        G.CONVERTED: set(),
        G.RETURNED: set(),
    },
)


def response_days() -> int:
    return int(settings.MARKET.get("USE_FIRST_RESPONSE_DAYS", 15))


def reminder_days() -> int:
    return int(settings.MARKET.get("USE_FIRST_REMINDER_DAYS", 7))


def _application_move(
    *, application: UseFirstApplication, to_status: str, actor: User | None, reason: str = ""
) -> UseFirstApplication:
    """Move an application the caller has locked (its ``decline_reason`` saved with it)."""
    status_move(
        application,
        to_status=to_status,
        transitions=APPLICATION_TRANSITIONS,
        noun=_("申请"),
        record=lambda **change: UseFirstApplicationStatusChange.objects.create(
            application=application, **change
        ),
        actor=actor,
        reason=reason,
        fields=["decline_reason"],
    )
    return application


def _agreement_move(
    *, agreement: UseFirstAgreement, to_status: str, actor: User | None, reason: str = "", fields=()
) -> UseFirstAgreement:
    """Move an agreement the caller has locked (``fields``: others it set, saved with it)."""
    status_move(
        agreement,
        to_status=to_status,
        transitions=AGREEMENT_TRANSITIONS,
        noun=_("协议"),
        record=lambda **change: UseFirstAgreementStatusChange.objects.create(agreement=agreement, **change),
        actor=actor,
        reason=reason,
        fields=fields,
    )
    return agreement


def _lock_application(application: UseFirstApplication | int) -> UseFirstApplication:
    pk = application if isinstance(application, int) else application.pk
    return row_lock(
        UseFirstApplication.objects.select_related(
            "entry__achievement__holder", "entry__listing", "applicant"
        ),
        pk,
    )


def _lock_agreement(agreement: UseFirstAgreement | int) -> UseFirstAgreement:
    pk = agreement if isinstance(agreement, int) else agreement.pk
    return row_lock(
        UseFirstAgreement.objects.select_related("entry__achievement", "listing", "company", "holder"), pk
    )


def _reason(reason: str) -> str:
    if not (reason or "").strip():
        raise InvalidInput("reason_required", _("请填写理由。"), fields={"reason": [_("请填写理由。")]})
    return reason.strip()


def _applications_link() -> str:
    """Where the applicant and the holder follow an application: 我的先用后转 (one page lists
    them all; operators have their console instead)."""
    return reverse("marketplace:my_use_first")


# --- applying ------------------------------------------------------------------------------------------


def use_first_apply_check(*, entry: UseFirstEntry, actor: User) -> Organization:
    """The company ``actor`` would apply for, or the refusal ``use_first_apply`` would give.

    The one rule of who may apply for what: the service calls it under the entry's lock, the
    pages call it to offer 申请 only where it can succeed and to say why not elsewhere.
    """
    if entry.closed_on is not None:
        raise Conflict("entry_closed", _("该成果已移出先用后转清单。"))
    if entry.listing is None or entry.listing.status != Listing.Status.PUBLISHED:
        raise Conflict("no_use_first_listing", _("该成果当前没有先用后转挂牌，请通过其现有挂牌洽谈。"))
    membership = membership_for_action(user=actor, roles=ACTING_ROLES, verified=True)
    company = membership.organization
    if company.kind not in COMPANY_KINDS:
        raise Forbidden("company_only", _("只有经认证的企业可以申请先用后转。"))
    if organizations_related(company, entry.holder_id):
        raise Forbidden("related_party", _("持有单位本身及其关联方不能申请。"))
    if UseFirstApplication.objects.filter(entry=entry, applicant=company, status__in=OPEN_STATUSES).exists():
        raise Conflict("application_open", _("贵单位对该成果已有未处理的申请。"))
    return company


@transaction.atomic
def use_first_apply(*, entry: UseFirstEntry, actor: User, plan: str) -> UseFirstApplication:
    """A verified company applies to use an entry's achievement first (or, once the entry is
    free-license eligible, for a free licence). The holder must answer within
    ``USE_FIRST_RESPONSE_DAYS`` days, after which operators see the application escalated."""
    entry = row_lock(UseFirstEntry.objects.select_related("achievement", "listing"), entry.pk)
    company = use_first_apply_check(entry=entry, actor=actor)
    if not (plan or "").strip():
        raise InvalidInput("plan_required", _("请填写实施计划。"), fields={"plan": [_("请填写实施计划。")]})
    kind = (
        UseFirstApplication.Kind.FREE_LICENSE
        if entry.free_license_eligible
        else UseFirstApplication.Kind.USE_FIRST
    )
    try:
        with transaction.atomic():
            application = UseFirstApplication.objects.create(
                entry=entry,
                applicant=company,
                applied_by=actor,
                kind=kind,
                plan=plan.strip(),
                respond_by=db_now() + dt.timedelta(days=response_days()),
            )
    except IntegrityError as exc:
        raise Conflict("application_open", _("贵单位对该成果已有未处理的申请。")) from exc
    UseFirstApplicationStatusChange.objects.create(
        application=application, from_status="", to_status=A.PENDING, actor=actor
    )
    title = (
        _("无偿实施申请：%(t)s")
        if kind == UseFirstApplication.Kind.FREE_LICENSE
        else _("先用后转申请：%(t)s")
    ) % {"t": entry.achievement.title}
    notify(
        organization=entry.holder,
        roles=ACTING_ROLES,
        kind="use_first_applied",
        title=title,
        body=_("%(c)s 申请实施该成果，请于 %(d)s 前答复。")
        % {"c": company.name, "d": timezone.localtime(application.respond_by).strftime("%Y-%m-%d %H:%M")},
        link=_applications_link(),
    )
    return application


# --- answering -----------------------------------------------------------------------------------------


def _require_holder_or_operator(*, actor: User, application: UseFirstApplication) -> bool:
    """The holder's member may answer; an operator may answer an escalated application.
    Returns whether the actor acts as an operator."""
    if is_operator(actor) and application.status in (A.ESCALATED, A.DECLINE_REVIEW):
        return True
    membership_for_action(user=actor, organization=application.entry.holder_id, roles=ACTING_ROLES)
    return False


def _terms(
    *, trial_ends_on: Any, decision_on: Any, conversion_price: Any, price_formula: str, today: dt.date
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if trial_ends_on is None or trial_ends_on <= today:
        errors["trial_ends_on"] = [_("试用结束日期应晚于今天。")]
    decision_on = decision_on or trial_ends_on
    if decision_on is not None and trial_ends_on is not None and decision_on < trial_ends_on:
        errors["decision_on"] = [_("决定日期不能早于试用结束日期。")]
    price = money_quantize(conversion_price) if conversion_price not in (None, "") else None
    if price is not None and price <= 0:
        errors["conversion_price"] = [_("转化价格必须大于零。")]
    if price is None and not (price_formula or "").strip():
        errors["conversion_price"] = [_("请填写转化价格或定价公式。")]
    if errors:
        raise InvalidInput("invalid_terms", _("协议条款有误，请检查标出的字段。"), fields=errors)
    return {
        "trial_ends_on": trial_ends_on,
        "decision_on": decision_on,
        "conversion_price": price,
        "price_formula": (price_formula or "").strip(),
    }


@transaction.atomic
def use_first_application_accept(
    *,
    application: UseFirstApplication,
    actor: User,
    trial_ends_on: dt.date | None = None,
    decision_on: dt.date | None = None,
    conversion_price: Decimal | str | None = None,
    price_formula: str = "",
) -> UseFirstAgreement:
    """The holder (or, once escalated, an operator) accepts: the application becomes an agreement.
    Use first: a trial until ``trial_ends_on``, a conversion price or a formula, a decision date
    (default: the trial's end); the achievement is ``converting`` meanwhile. Free licence: the
    licence itself, no terms."""
    application = _lock_application(application)
    _require_holder_or_operator(actor=actor, application=application)
    if application.status == A.DECLINE_REVIEW and not is_operator(actor):
        raise Conflict("decline_under_review", _("拒绝理由正在平台审核中。"))
    entry = application.entry
    listing = entry.listing
    if entry.closed_on is not None or listing is None:
        raise Conflict("entry_closed", _("该成果已移出先用后转清单。"))
    today = market_today()
    if application.kind == UseFirstApplication.Kind.FREE_LICENSE:
        terms: dict[str, Any] = {
            "trial_ends_on": None,
            "decision_on": None,
            "conversion_price": None,
            "price_formula": "",
        }
        status = G.LICENSED
    else:
        terms = _terms(
            trial_ends_on=trial_ends_on,
            decision_on=decision_on,
            conversion_price=conversion_price,
            price_formula=price_formula,
            today=today,
        )
        status = G.IN_TRIAL
    _application_move(application=application, to_status=A.ACCEPTED, actor=actor)
    try:
        with transaction.atomic():
            agreement = UseFirstAgreement.objects.create(
                application=application,
                entry=entry,
                listing=listing,
                holder_id=entry.holder_id,
                company=application.applicant,
                status=status,
                trial_starts_on=today,
                **terms,
            )
    except IntegrityError as exc:
        raise Conflict("trial_in_progress", _("该成果已有企业在试用中。")) from exc
    UseFirstAgreementStatusChange.objects.create(
        agreement=agreement, from_status="", to_status=status, actor=actor
    )
    if status == G.IN_TRIAL:
        achievement_set_conversion(
            achievement=entry.achievement,
            status=ConversionStatus.CONVERTING,
            method=ConversionMethod.USE_FIRST,
            actor=actor,
            reason=_("先用后转试用开始"),
        )
    notify(
        organization=application.applicant,
        roles=ACTING_ROLES,
        kind="use_first_accepted",
        title=_("申请已获同意：%(t)s") % {"t": entry.achievement.title},
        link=_applications_link(),
    )
    return agreement


@transaction.atomic
def use_first_application_decline(
    *, application: UseFirstApplication, actor: User, reason: str
) -> UseFirstApplication:
    """The holder declines with a reason. A free-licence application cannot simply be refused: the
    decline goes to the operators, who uphold it or grant the licence."""
    application = _lock_application(application)
    as_operator = _require_holder_or_operator(actor=actor, application=application)
    reason = _reason(reason)
    application.decline_reason = reason
    free = application.kind == UseFirstApplication.Kind.FREE_LICENSE
    if free and not as_operator:
        moved = _application_move(
            application=application, to_status=A.DECLINE_REVIEW, actor=actor, reason=reason
        )
        notify(
            operators=True,
            kind="use_first_decline_review",
            title=_("无偿实施申请被拒绝，待审核：%(t)s") % {"t": application.entry.achievement.title},
            body=reason,
            link=reverse("marketplace:console_use_first_applications"),
        )
        return moved
    moved = _application_move(application=application, to_status=A.DECLINED, actor=actor, reason=reason)
    notify(
        organization=application.applicant,
        roles=ACTING_ROLES,
        kind="use_first_declined",
        title=_("申请未获同意：%(t)s") % {"t": application.entry.achievement.title},
        body=reason,
        link=_applications_link(),
    )
    return moved


@transaction.atomic
def use_first_decline_review(
    *, application: UseFirstApplication, actor: User, decision: str, reason: str
) -> UseFirstApplication | UseFirstAgreement:
    """An operator reviews a holder's refusal of a free licence: ``uphold`` (declined) or
    ``overturn`` (the licence is granted: a ``licensed`` agreement)."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以审核。"))
    word = decision_parse(decision, choice=APPEAL)
    reason = require_reason(word, reason, choice=APPEAL)
    locked = _lock_application(application)
    if locked.status != A.DECLINE_REVIEW:
        raise Conflict("not_under_review", _("该申请没有待审核的拒绝理由。"))
    if word == APPEAL.yes:
        moved = _application_move(application=locked, to_status=A.DECLINED, actor=actor, reason=reason)
        notify(
            organization=locked.applicant,
            roles=ACTING_ROLES,
            kind="use_first_declined",
            title=_("无偿实施申请未获同意：%(t)s") % {"t": locked.entry.achievement.title},
            body=_("持有单位理由：%(h)s；平台审核意见：%(o)s") % {"h": locked.decline_reason, "o": reason},
            link=_applications_link(),
        )
        return moved
    agreement = use_first_application_accept(application=locked, actor=actor)
    notify(
        organization=locked.entry.holder,
        roles=ACTING_ROLES,
        kind="use_first_decline_overturned",
        title=_("拒绝理由未获认可，已许可无偿实施：%(t)s") % {"t": locked.entry.achievement.title},
        body=reason,
        link=_applications_link(),
    )
    return agreement


@transaction.atomic
def use_first_applications_escalate() -> int:
    """Applications the holder did not answer by ``respond_by`` go to the operators (the beat job).
    Decided on the database clock; idempotent (only ``pending`` ones move, each once)."""
    now = db_now()
    due = list(
        rows_skip_locked(UseFirstApplication.objects.all())
        .filter(status=A.PENDING, respond_by__lt=now)
        .select_related("entry__achievement")
        .order_by("pk")
    )
    for application in due:
        _application_move(
            application=application, to_status=A.ESCALATED, actor=None, reason=_("持有单位逾期未答复")
        )
    if due:
        notify(
            operators=True,
            kind="use_first_escalated",
            title=_("%(n)d 件先用后转申请逾期未答复") % {"n": len(due)},
            link=reverse("marketplace:console_use_first_applications"),
        )
        by_holder = Counter(a.entry.holder_id for a in due)
        notify_organizations(
            messages={
                h: (_("%(n)d 件先用后转申请逾期未答复，已转平台处理") % {"n": n}, "")
                for h, n in by_holder.items()
            },
            roles=ACTING_ROLES,
            kind="use_first_escalated",
        )
    log.info("use_first_applications_escalate", extra={"escalated": len(due)})
    return len(due)


# --- the decision --------------------------------------------------------------------------------------


@transaction.atomic
def use_first_agreement_convert(
    *, agreement: UseFirstAgreement, actor: User, price: Decimal | str | None = None
) -> Deal:
    """The company converts at the decision: a deal at the agreed price (``price`` is required when
    the agreement has a formula: the amount the formula gave, which the parties agreed), paid
    through escrow like every deal; the achievement becomes converted and leaves the list."""
    agreement = _lock_agreement(agreement)
    membership_for_action(user=actor, organization=agreement.company_id, roles=ACTING_ROLES)
    if agreement.status != G.IN_TRIAL:
        raise Conflict(
            "invalid_status_transition",
            _("协议当前状态为“%(s)s”，不能转化。") % {"s": agreement.get_status_display()},
        )
    if agreement.conversion_price is not None:
        amount = agreement.conversion_price
        if price not in (None, "") and money_quantize(price) != amount:
            raise DomainError(
                "price_mismatch", _("成交价应为协议约定的转化价格。"), fields={"price": [str(amount)]}
            )
    elif price in (None, ""):
        raise InvalidInput(
            "price_required",
            _("协议约定了定价公式，请填写按公式确定的成交价。"),
            fields={"price": [_("必填。")]},
        )
    else:
        amount = money_quantize(price)
    deal = deal_conclude(
        listing=agreement.listing,
        buyer=agreement.company,
        price=amount,
        mode=agreement.listing.mode,
        actor=actor,
    )
    agreement.deal = deal
    _agreement_move(
        agreement=agreement,
        to_status=G.CONVERTED,
        actor=actor,
        reason=_("先用后转转化成交"),
        fields=("deal",),
    )
    # deal_conclude closed the listing and made the achievement converted (method use_first),
    # which took the entry off the list.
    return deal


@transaction.atomic
def use_first_agreement_return(
    *, agreement: UseFirstAgreement, actor: User, reason: str
) -> UseFirstAgreement:
    """The company gives the rights back at (or before) the decision; the achievement is
    unconverted again and stays on the list for the next company."""
    agreement = _lock_agreement(agreement)
    membership_for_action(user=actor, organization=agreement.company_id, roles=ACTING_ROLES)
    reason = _reason(reason)
    agreement.return_reason = reason
    moved = _agreement_move(
        agreement=agreement, to_status=G.RETURNED, actor=actor, reason=reason, fields=("return_reason",)
    )
    achievement = agreement.entry.achievement
    if achievement.conversion_status == ConversionStatus.CONVERTING:
        achievement_set_conversion(
            achievement=achievement,
            status=ConversionStatus.UNCONVERTED,
            actor=actor,
            reason=_("先用后转试用后退还"),
        )
    notify(
        organization=agreement.holder,
        roles=ACTING_ROLES,
        kind="use_first_returned",
        title=_("试用企业已退还：%(t)s") % {"t": achievement.title},
        body=reason,
    )
    return moved


@transaction.atomic
def use_first_agreements_remind(*, today: dt.date | None = None) -> int:
    """Remind both parties ``USE_FIRST_REMINDER_DAYS`` days before the decision date (the beat
    job). Each agreement is reminded once (``reminded_on``), set-based."""
    today = today or market_today()
    horizon = today + dt.timedelta(days=reminder_days())
    due = list(
        rows_skip_locked(UseFirstAgreement.objects.all())
        .filter(status=G.IN_TRIAL, reminded_on__isnull=True, decision_on__lte=horizon)
        .values_list("pk", "company_id", "holder_id", "decision_on")
    )
    if not due:
        return 0
    UseFirstAgreement.objects.filter(pk__in=[d[0] for d in due]).update(
        reminded_on=today, updated_at=timezone.now()
    )
    messages: dict[int, tuple[str, str]] = {}
    for _pk, company, holder, decision_on in due:
        title = _("先用后转协议将于 %(d)s 到期决定") % {"d": decision_on}
        messages[company] = (title, _("请在决定日期前选择转化（成交并付款至资金监管账户）或退还。"))
        messages[holder] = (title, "")
    notify_organizations(messages=messages, roles=ACTING_ROLES, kind="use_first_decision_reminder")
    return len(due)


@transaction.atomic
def use_first_agreements_report_lapsed(*, today: dt.date | None = None) -> int:
    """Tell the operators, once per agreement (``lapse_reported_on``), that a use-first agreement's
    decision date has passed with no decision (still ``in_trial``): the company neither converted
    nor returned the rights, and only the platform can follow it up (the daily beat job).
    "Passed" means the market's day (Asia/Shanghai) is after ``decision_on``. Returns how many."""
    today = today or market_today()
    due = list(
        rows_skip_locked(UseFirstAgreement.objects.all())
        .filter(status=G.IN_TRIAL, lapse_reported_on__isnull=True, decision_on__lt=today)
        .select_related("company", "holder", "entry__achievement", "application")
        .order_by("decision_on", "pk")
    )
    if not due:
        return 0
    UseFirstAgreement.objects.filter(pk__in=[a.pk for a in due]).update(
        lapse_reported_on=today, updated_at=timezone.now()
    )
    for agreement in due:
        notify(
            operators=True,
            kind="use_first_decision_lapsed",
            title=_("先用后转协议逾期未决定：%(t)s") % {"t": agreement.entry.achievement.title},
            body=_("决定日期 %(d)s 已过，%(c)s 既未转化也未退还（持有单位：%(h)s）。请跟进处理。")
            % {"d": agreement.decision_on, "c": agreement.company.name, "h": agreement.holder.name},
            link=_applications_link(),
        )
    return len(due)
