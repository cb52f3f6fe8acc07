"""Technology brokers (技术经理人): profiles, the holder's mandates (委托), the buyer naming the broker
that brought it, and the contribution points (贡献积分) a settled deal earns.

The broker's commission is not computed here: ``settlement.deal_settle`` pays the mandate's rate as
the settlement's broker line. The one rule on a broker's share (at least ``BROKER_SHARE_MIN``) is
``broker_share_check``, which a mandate and a holder's settlement policy both obey."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, User
from accounts.selectors import ACTING_ROLES, membership_for_action
from accounts.services import notify
from core.dbclock import db_now
from core.errors import Conflict, DomainError, InvalidInput
from core.locks import deal_lock, listing_lock, mandate_lock
from core.transitions import status_move, transitions_register
from listings.models import Field, Listing

from ..models import BrokerPoints, BrokerProfile, Deal, Mandate, MandateStatusChange
from ..selectors import mandates_valid_for_deal, settlement_policy_of

M = Mandate.Status

MANDATE_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "marketplace.Mandate",
    record="marketplace.MandateStatusChange",
    table={M.ACTIVE: {M.REVOKED}, M.REVOKED: set()},
)

# Roles through which a person may hold a broker profile for an organization.
BROKER_ROLES = (Membership.Role.BROKER, Membership.Role.ADMIN)
# Listings a holder may still mandate a broker on.
MANDATABLE = (
    Listing.Status.DRAFT,
    Listing.Status.PENDING_INTERNAL_APPROVAL,
    Listing.Status.PENDING_REVIEW,
    Listing.Status.PUBLISHED,
)
# Deals whose broker the buyer may still name: not yet settled, not defaulted.
NAMEABLE = (Deal.Status.AWAITING_PAYMENT, Deal.Status.PAID, Deal.Status.CONTRACT_REGISTERED)


def broker_share_minimum() -> Decimal:
    return Decimal(settings.MARKET["BROKER_SHARE_MIN"])


def broker_share_check(rate: Decimal, *, field: str) -> Decimal:
    """422 ``broker_share_too_low`` below the market's minimum broker share (5% by default);
    400 ``invalid_shares`` above 1. The one rule on a broker's share of the holder's net."""
    minimum = broker_share_minimum()
    if rate < minimum:
        raise DomainError(
            "broker_share_too_low",
            _("技术经理人佣金比例不得低于 %(m)s。") % {"m": f"{minimum:.0%}"},
            fields={field: [_("不得低于最低比例。")]},
        )
    if rate > 1:
        raise InvalidInput("invalid_shares", _("比例不得超过 100%。"), fields={field: [_("不得超过 100%。")]})
    return rate


def points_for(price: Decimal, rule: dict[str, Any]) -> int:
    """贡献积分 of one deal at ``price``: ``BASE`` plus one per whole ``PER_AMOUNT``, at most ``MAX``."""
    per = Decimal(str(rule["PER_AMOUNT"]))
    points = int(rule["BASE"]) + int(price // per)
    return min(points, int(rule["MAX"]))


def _clean_fields(values: Any) -> list[str]:
    codes = [str(v) for v in (values or [])]
    bad = [c for c in codes if c not in Field.values]
    if bad or not codes:
        raise InvalidInput(
            "invalid_fields", _("请选择至少一个服务领域。"), fields={"fields": [_("无效的领域代码。")]}
        )
    return sorted(set(codes), key=Field.values.index)


@transaction.atomic
def broker_profile_save(
    *,
    actor: User,
    organization: Organization | int,
    name: str,
    certificate_no: str,
    fields: list[str],
    bio: str = "",
) -> tuple[BrokerProfile, bool]:
    """A person records (or corrects) its broker profile. It acts for ``organization``, a verified
    one where it is a broker or an admin: the commission is paid to that organization. Returns the
    profile and whether it was created. 409 ``certificate_taken`` for another person's number."""
    membership = membership_for_action(user=actor, organization=organization, roles=BROKER_ROLES)
    name, certificate_no = name.strip(), certificate_no.strip().upper()
    if not name or not certificate_no:
        raise InvalidInput(
            "invalid_broker_profile",
            _("请填写姓名与技术经理人证书编号。"),
            fields={
                k: [_("必填。")] for k, v in (("name", name), ("certificate_no", certificate_no)) if not v
            },
        )
    values = {
        "organization": membership.organization,
        "name": name[:50],
        "certificate_no": certificate_no[:64],
        "fields": _clean_fields(fields),
        "bio": bio.strip()[:2000],
    }
    if BrokerProfile.objects.filter(certificate_no=values["certificate_no"]).exclude(user=actor).exists():
        raise Conflict(
            "certificate_taken",
            _("该证书编号已被其他技术经理人登记。"),
            fields={"certificate_no": [_("证书编号已被登记。")]},
        )
    try:
        with transaction.atomic():
            profile, created = BrokerProfile.objects.update_or_create(user=actor, defaults=values)
    except IntegrityError:  # the same number registered at the same moment by another person
        raise Conflict("certificate_taken", _("该证书编号已被其他技术经理人登记。")) from None
    return profile, created


def _holder_acting(*, actor: User, listing: Listing) -> None:
    membership_for_action(user=actor, organization=listing.achievement.holder_id, roles=ACTING_ROLES)


@transaction.atomic
def mandate_give(
    *,
    listing: Listing,
    actor: User,
    broker: BrokerProfile,
    commission_rate: Decimal,
    ends_on: dt.date,
) -> Mandate:
    """The holder mandates ``broker`` on ``listing`` at ``commission_rate`` (at least the market's
    minimum broker share) until ``ends_on``. 409 ``mandate_exists`` while one is active for that
    broker; 409 ``listing_not_open`` once the listing has left the market. Locks the listing."""
    listing = listing_lock(listing)
    _holder_acting(actor=actor, listing=listing)
    broker_share_check(commission_rate, field="commission_rate")
    if listing.status not in MANDATABLE:
        raise Conflict("listing_not_open", _("挂牌已结束，不能再委托技术经理人。"))
    now = db_now()
    if ends_on < timezone.localdate(now):
        raise InvalidInput(
            "invalid_ends_on", _("委托截止日不能早于今天。"), fields={"ends_on": [_("不能早于今天。")]}
        )
    inventors_share, _default_rate = settlement_policy_of(listing.achievement.holder)
    if commission_rate + inventors_share > 1:
        raise InvalidInput(
            "invalid_shares",
            _("佣金比例与完成人奖励比例（%(i)s）之和不得超过 100%%。") % {"i": f"{inventors_share:.0%}"},
            fields={"commission_rate": [_("比例过高。")]},
        )
    if Mandate.objects.filter(listing=listing, broker=broker, status=M.ACTIVE).exists():
        raise Conflict("mandate_exists", _("已委托该技术经理人，请勿重复委托。"))
    mandate = Mandate.objects.create(
        listing=listing,
        broker=broker,
        commission_rate=commission_rate,
        ends_on=ends_on,
        given_by=actor,
        created_at=now,
    )
    MandateStatusChange.objects.create(mandate=mandate, to_status=M.ACTIVE, actor=actor, reason=_("委托"))
    notify(
        users=[broker.user],
        kind="mandate_given",
        title=_("您受托经纪：%(t)s") % {"t": listing.achievement.title},
        body=_("%(h)s 委托您经纪该成果，佣金比例 %(r)s，委托至 %(d)s。")
        % {
            "h": listing.achievement.holder.name,
            "r": f"{commission_rate:.2%}",
            "d": ends_on.isoformat(),
        },
        link=reverse("marketplace:broker", args=[broker.pk]),
    )
    return mandate


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, actor: User, reason: str) -> Mandate:
    """The holder ends a mandate at once. Deals concluded before keep their broker: naming checks
    the mandate as it was at the deal's conclusion."""
    mandate = mandate_lock(mandate)
    _holder_acting(actor=actor, listing=mandate.listing)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason_required", _("请填写撤销理由。"), fields={"reason": [_("请填写理由。")]})
    status_move(
        mandate,
        to_status=M.REVOKED,
        transitions=MANDATE_TRANSITIONS,
        noun=_("委托"),
        record=lambda **kw: MandateStatusChange.objects.create(mandate=mandate, **kw),
        actor=actor,
        reason=reason,
        changes={"revoked_at": db_now()},
    )
    notify(
        users=[mandate.broker.user],
        kind="mandate_revoked",
        title=_("委托已撤销：%(t)s") % {"t": mandate.listing.achievement.title},
        body=reason,
        link=reverse("marketplace:broker", args=[mandate.broker_id]),
    )
    return mandate


@transaction.atomic
def deal_broker_name(*, deal: Deal, actor: User, broker: BrokerProfile) -> Deal:
    """The buyer names the broker that brought it. The broker must have held a mandate on the
    deal's listing when the deal was concluded (422 ``no_mandate``) and must not act for the buyer
    itself (422 ``broker_is_buyer``); once named it stays (409 ``broker_already_named``); a settled
    or defaulted deal is past naming (409 ``invalid_status_transition``). Locks the deal."""
    locked = deal_lock(deal)
    membership_for_action(user=actor, organization=locked.buyer_id, roles=ACTING_ROLES)
    if locked.status not in NAMEABLE:
        raise Conflict(
            "invalid_status_transition",
            _("成交当前状态为“%(s)s”，不能再指定技术经理人。") % {"s": locked.get_status_display()},
        )
    if locked.mandate_id is not None:
        raise Conflict("broker_already_named", _("已指定促成本次成交的技术经理人。"))
    if broker.organization_id == locked.buyer_id:
        raise DomainError("broker_is_buyer", _("受让方本单位的技术经理人不能收取转让方的佣金。"))
    mandate = next((m for m in mandates_valid_for_deal(locked) if m.broker_id == broker.pk), None)
    if mandate is None:
        raise DomainError(
            "no_mandate",
            _("该技术经理人在成交时没有该挂牌的有效委托。"),
            fields={"broker": [_("没有有效委托。")]},
        )
    locked.mandate = mandate
    locked.broker_id = broker.organization_id
    locked.save(update_fields=["mandate", "broker", "updated_at"])
    title = _("成交 %(no)s 指定了技术经理人 %(n)s") % {"no": locked.number, "n": broker.name}
    body = _("佣金比例 %(r)s，结算时从转让方所得中支付。") % {"r": f"{mandate.commission_rate:.2%}"}
    link = reverse("marketplace:deal", args=[locked.pk])
    notify(organization=locked.seller, kind="deal_broker_named", title=title, body=body, link=link)
    notify(users=[broker.user], kind="deal_broker_named", title=title, body=body, link=link)
    return locked


def broker_points_award(*, deal: Deal) -> BrokerPoints | None:
    """The contribution points of a settled deal with a mandate, by ``MARKET["BROKER_POINTS"]``;
    once per deal. The caller (``deal_settle``) holds the deal's lock."""
    mandate = deal.mandate
    if mandate is None:
        return None
    existing = BrokerPoints.objects.filter(deal=deal).first()
    if existing is not None:
        return existing
    rule = dict(settings.MARKET["BROKER_POINTS"])
    broker = mandate.broker
    points = points_for(deal.price, rule)
    row = BrokerPoints.objects.create(broker=broker, deal=deal, points=points, rule=rule)
    BrokerProfile.objects.filter(pk=broker.pk).update(
        points=F("points") + points, deal_count=F("deal_count") + 1, updated_at=db_now()
    )
    notify(
        users=[broker.user],
        kind="broker_points",
        title=_("成交 %(no)s 已结算，贡献积分 +%(p)s") % {"no": deal.number, "p": points},
        link=reverse("marketplace:broker", args=[broker.pk]),
    )
    return row
