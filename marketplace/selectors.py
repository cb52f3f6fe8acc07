"""Reads of the marketplace that are more than one obvious query."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Count, Model, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.selectors import (
    is_finance_operator,
    is_operator,
    member_organization_ids,
    member_organizations_of,
)
from core.compiled import OneByIdFor
from core.sync import sync_since

from .models import (
    BrokerPoints,
    BrokerProfile,
    DataRoom,
    DataRoomAccess,
    DataRoomEvent,
    Deal,
    DealConfirmation,
    Journal,
    LedgerAccount,
    LedgerEntry,
    Mandate,
    Objection,
    Payable,
    PublicNotice,
    ReconciliationRun,
    Result,
    SettlementPolicy,
)
from .models.payments import PURPOSES

T = TypeVar("T", bound=Model)


def account_balance(account: LedgerAccount) -> Decimal:
    """The sum of the account's entries (debits positive): the only definition of a balance."""
    total = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0.00")


def is_staff_reader(user: Any) -> bool:
    return is_operator(user) or is_finance_operator(user)


def _deals() -> QuerySet[Deal]:
    return Deal.objects.select_related("payment", "buyer", "seller", "listing__achievement")


def _of_deal_parties(organization_ids: Any) -> Q:
    """The deals these organizations bought, sold or brokered."""
    return (
        Q(buyer_id__in=organization_ids)
        | Q(seller_id__in=organization_ids)
        | Q(broker_id__in=organization_ids)
    )


def deals_visible_to(user: Any) -> QuerySet[Deal]:
    """Operators: every deal; others: the deals their organizations are a party of."""
    if is_staff_reader(user):
        return _deals()
    return _deals().filter(_of_deal_parties(member_organization_ids(user)))


def _visible_deal(pk: int, user_id: int | None) -> QuerySet[Deal]:
    qs = _deals().filter(pk=pk).order_by()
    if user_id is None:
        return qs
    return qs.filter(_of_deal_parties(member_organizations_of(user_id)))


# The six-table select_related query, built and compiled anew, was most of a deal call's CPU.
_VISIBLE_DEAL = OneByIdFor(_visible_deal)


def of_parties(rows: QuerySet[T], organization_ids: Iterable[int]) -> QuerySet[T]:
    """Offers, public notices or purchase intents (rows with a ``buyer`` and a ``listing``) in which
    one of the organizations is a side: the buyer, or the holder of the listing's achievement."""
    orgs = list(organization_ids)
    return rows.filter(Q(buyer_id__in=orgs) | Q(listing__achievement__holder_id__in=orgs))


def trades_visible_to(user: Any, rows: QuerySet[T]) -> QuerySet[T]:
    """The offers, notices or intents among ``rows`` the user may read: operators every one; others
    those their organizations are a side of."""
    if is_staff_reader(user):
        return rows
    return of_parties(rows, member_organization_ids(user))


def objections_visible_to(user: Any, notice: PublicNotice) -> QuerySet[Objection]:
    """A notice's objections: operators and the notice's parties read every one; others their own
    (an anonymous visitor none). The notice page and the API both list these."""
    objections = notice.objections.select_related("raised_by")
    parties = {notice.buyer_id, notice.listing.achievement.holder_id}
    if is_staff_reader(user) or parties & set(member_organization_ids(user)):
        return objections
    if not getattr(user, "is_authenticated", False):
        return objections.none()
    return objections.filter(raised_by=user)


def settlement_policy_of(holder: Any) -> tuple[Decimal, Decimal]:
    """The holder's (inventors_share, broker_share), or the platform defaults. The broker share is
    the rate the holder offers by default in a new mandate; a deal pays its mandate's own rate."""
    policy = SettlementPolicy.objects.filter(organization=holder).first()
    if policy is not None:
        return policy.inventors_share, policy.broker_share
    return Decimal(settings.MARKET["INVENTORS_SHARE_DEFAULT"]), Decimal(settings.MARKET["BROKER_SHARE_MIN"])


def organization_readable_by(user: Any, organization_id: int) -> bool:
    """An organization's own settings (its settlement policy): its members and operators."""
    return is_staff_reader(user) or organization_id in member_organization_ids(user)


# Who may sign a 成交确认书 for an organization: its admins and members (not approvers or brokers).
CONFIRMATION_SIGNING_ROLES = (Membership.Role.ADMIN, Membership.Role.MEMBER)


def confirmation_signing_side(user: Any, deal: Deal) -> str | None:
    """ "buyer" or "seller": the side of ``deal`` the user may sign its confirmation for, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    signing = set(
        Membership.objects.filter(user=user, role__in=CONFIRMATION_SIGNING_ROLES).values_list(
            "organization_id", flat=True
        )
    )
    if deal.buyer_id in signing:
        return "buyer"
    if deal.seller_id in signing:
        return "seller"
    return None


def confirmation_sign_refusal(user: Any, confirmation: DealConfirmation) -> tuple[str | None, str | None]:
    """(why the user may not sign this confirmation now, or None; the side it would sign for).
    The one statement of the rule: the service refuses with the code, the page hides its button."""
    deal = confirmation.deal
    if deal.status == Deal.Status.DEFAULTED:
        return "deal_defaulted", None
    side = confirmation_signing_side(user, deal)
    if side is None:
        return "not_a_party", None
    if getattr(confirmation, f"{side}_signed_at") is not None:
        return "already_signed", side
    return None, side


def confirmation_waiting_on(deal: Deal) -> list[str]:
    """The sides ("buyer", "seller") whose signature the deal's 成交确认书 still waits for; both
    when it has not been issued."""
    confirmation = DealConfirmation.objects.filter(deal_id=deal.pk).first()
    if confirmation is None:
        return ["buyer", "seller"]
    return [side for side in ("buyer", "seller") if getattr(confirmation, f"{side}_signed_at") is None]


def deal_steps(deal: Deal) -> list[dict[str, Any]]:
    """What a deal goes through after its conclusion, in order, and on whom each open step waits
    ("buyer", "seller", "platform"): signing the 成交确认书 (each side), paying the price, the
    contract registration, the settlement and the payouts. ``done`` steps are finished; the first
    open ones are ``waiting``. The deal page shows it to both parties and operators."""
    S = Deal.Status
    waiting_sides = set(confirmation_waiting_on(deal))
    paid = deal.status in (S.PAID, S.CONTRACT_REGISTERED, S.SETTLED)
    signed = not waiting_sides
    payouts = list(
        Payable.objects.filter(deal_id=deal.pk, kind=Payable.Kind.PAYOUT).values_list("status", flat=True)
    )
    steps: list[dict[str, Any]] = [
        {
            "key": "buyer_signs",
            "label": _("受让方签署成交确认书"),
            "on": "buyer",
            "done": "buyer" not in waiting_sides,
        },
        {
            "key": "seller_signs",
            "label": _("转让方签署成交确认书"),
            "on": "seller",
            "done": "seller" not in waiting_sides,
        },
        {"key": "pay", "label": _("受让方付清价款"), "on": "buyer", "done": paid},
        {
            "key": "register",
            "label": _("转让方填写技术合同认定登记号"),
            "on": "seller",
            "done": bool(deal.contract_registration_no) or deal.status == S.SETTLED,
            "blocked": not (paid and signed),
        },
        {"key": "settle", "label": _("平台结算"), "on": "platform", "done": deal.status == S.SETTLED},
        {
            "key": "payout",
            "label": _("平台向转让方等付款"),
            "on": "platform",
            "done": bool(payouts) and all(p == Payable.Status.PAID for p in payouts),
        },
    ]
    if deal.status == S.DEFAULTED:
        return [dict(step, waiting=False) for step in steps]
    for step in steps:
        step["waiting"] = not step["done"] and not step.get("blocked", False)
    # The platform's steps wait only once everything before them is done.
    first_open = next((i for i, step in enumerate(steps) if not step["done"]), len(steps))
    for i, step in enumerate(steps):
        if step["on"] == "platform" and i > first_open:
            step["waiting"] = False
    return steps


def signer_name(user: Any, organization: Any = None) -> str:
    """A signer as the other party sees them: the person's name, never the login name nor a
    row's id; without a name on record, the organization's authorized representative."""
    name = f"{user.last_name}{user.first_name}".strip()  # 姓 then 名, as Chinese names are written
    if name:
        return name
    return _("%(org)s 授权代表") % {"org": organization.name} if organization is not None else _("授权代表")


def deal_get_visible(*, user: Any, deal_id: int) -> Deal | None:
    """``deals_visible_to(user).filter(pk=deal_id)`` with its relations, in one statement compiled
    once per process, the caller's organizations read inside it."""
    return _VISIBLE_DEAL.get(deal_id, user=user, sees_all=is_staff_reader(user))


def payable_get_visible(*, user: Any, payable_id: int) -> Payable | None:
    """The payer's members and operators."""
    qs = Payable.objects.select_related("payer").filter(pk=payable_id)
    if not is_staff_reader(user):
        qs = qs.filter(payer_id__in=member_organization_ids(user))
    return qs.first()


def deal_journals(*, deal: Deal) -> QuerySet[Journal]:
    """Every journal of a deal, with its payables' (deposit, balance, refunds, payouts), oldest first."""
    return (
        Journal.objects.filter(Q(deal=deal) | Q(payable__deal=deal) | Q(payable__deal_applied_to=deal))
        .distinct()
        .prefetch_related("entries__account__organization")
        .order_by("id")
    )


def results_on_board() -> QuerySet[Result]:
    """The one rule for what counts as a transaction (成交) wherever deals are counted or summed:
    a deal counts once its result is on the public board (成交公示), i.e. once it is paid; at the
    result's price and concluded moment. A concluded but unpaid deal, and a defaulted one, count
    nowhere. The board (``results_list``), the institution ranking, the annual conversion report
    and the publication figures all start here."""
    return Result.objects.all()


def results_list(
    *,
    mode: str | None = None,
    field: str | None = None,
    concluded_after: Any = None,
    concluded_before: Any = None,
    updated_since: Any = None,
) -> QuerySet[Result]:
    """Published results, filtered; the caller pages them (``core.sync.sync_page``: ``(sync_xid,
    id)`` below the watermark). ``updated_since`` as ``core.sync.sync_since`` maps it."""
    qs = results_on_board()
    if mode:
        qs = qs.filter(mode=mode)
    if field:
        qs = qs.filter(field=field)
    if concluded_after is not None:
        qs = qs.filter(concluded_at__gte=concluded_after)
    if concluded_before is not None:
        qs = qs.filter(concluded_at__lt=concluded_before)
    if updated_since is not None:
        qs = qs.filter(sync_since(updated_since, Result))
    return qs


def result_notice(*, deal_id: int) -> dict[str, Any] | None:
    """The public 成交公示 of one deal, for the page: what, who bought, at what price, by which
    mode, when. None until the deal is paid (results are published on payment)."""
    result = Result.objects.filter(deal_id=deal_id).first()
    if result is None:
        return None
    return {
        "deal": result.deal_id,
        "title": result.listing_title,
        "achievement": result.achievement_id,
        "field": result.get_field_display(),
        "mode": result.get_mode_display(),
        "rights": result.get_rights_display(),
        "price": result.price,
        "seller": result.seller,
        "buyer": result.buyer,
        "concluded_at": result.concluded_at,
        "bid_count": result.bid_count,
        "contract_registration_no": result.contract_registration_no,
        "published_at": result.published_at,
    }


def listing_trade_state(*, listing: Any) -> dict[str, Any]:
    """Where a listing stands in the marketplace, for its public page (the ``listing_trade_state``
    seam: listings asks, marketplace answers): the public notice running on it (price, end of the
    objection window, its page) and the public result once its deal is published."""
    notice = PublicNotice.objects.filter(listing_id=listing.pk, status=PublicNotice.Status.OPEN).first()
    result = Result.objects.filter(listing_id=listing.pk).order_by("-concluded_at", "-id").first()
    return {
        "notice": None
        if notice is None
        else {
            "url": reverse("marketplace:notice", args=[notice.pk]),
            "price": notice.price,
            "starts_at": notice.starts_at,
            "ends_at": notice.ends_at,
        },
        "result_url": None if result is None else reverse("marketplace:result", args=[result.pk]),
    }


def notices_running() -> QuerySet[PublicNotice]:
    """The public list of running notices (公示): every open notice, the one whose objection window
    closes first on top."""
    return (
        PublicNotice.objects.filter(status=PublicNotice.Status.OPEN)
        .select_related("listing__achievement__holder", "buyer")
        .annotate(objection_count=Count("objections"))
        .order_by("ends_at", "id")
    )


def result_page(*, result_id: int) -> dict[str, Any] | None:
    """Everything the public page of one result shows: the result, its deal's public facts (mode,
    bid and bidder counts), the public notice it went through (negotiated) and the achievement's
    patents. None when no such result."""
    result = (
        Result.objects.select_related("deal", "achievement__holder", "listing").filter(pk=result_id).first()
    )
    if result is None:
        return None
    notice = PublicNotice.objects.filter(deal_id=result.deal_id).first()
    return {
        "result": result,
        "deal": result.deal,
        "achievement": result.achievement,
        "patents": list(result.achievement.ip.all()),
        "notice": notice,
        "objections": notice.objections.count() if notice is not None else 0,
    }


def reconciliation_runs(*, status: str | None = None, limit: int = 30) -> QuerySet[ReconciliationRun]:
    """The latest reconciliation runs, newest first, of one ``status`` if given (operators' page;
    the console tile counts the mismatches)."""
    runs = ReconciliationRun.objects.all()
    if status:
        runs = runs.filter(status=status)
    return runs[:limit]


# The operators' queues: each console tile counts what the page it opens lists.


QUEUE_STATES = {
    "pending": _("待确认"),
    "receipt": _("已上传回单"),
    "paid": _("已付清"),
    "cancelled": _("已取消"),
}


def payables_queue(*, purpose: str = "", state: str = "pending") -> QuerySet[Payable]:
    """The finance operators' payment queue, filtered by what each item is (``PURPOSES``) and its
    state (``QUEUE_STATES``: ``receipt`` is pending with a payer's bank receipt); pending items
    oldest first, settled ones newest first."""
    qs = Payable.objects.select_related("payer", "listing__achievement", "deal").prefetch_related("receipts")
    if purpose.startswith("payout_"):
        qs = qs.filter(kind=Payable.Kind.PAYOUT, payout_account=purpose.removeprefix("payout_") + "_payable")
    elif purpose in PURPOSES:
        qs = qs.filter(kind=purpose)
    if state == "receipt":
        qs = qs.filter(status=Payable.Status.PENDING, receipts__isnull=False).distinct()
    elif state in (Payable.Status.PAID, Payable.Status.CANCELLED):
        return qs.filter(status=state).order_by("-updated_at", "-id")
    else:
        qs = qs.filter(status=Payable.Status.PENDING)
    return qs.order_by("created_at", "id")


# A deposit as its payer sees it: the money's real state, including the refund of a released one.
DEPOSIT_STATES = {
    "pending": _("待缴纳"),
    "receipt_submitted": _("回单已提交，待平台确认到账"),
    "frozen": _("已冻结，可以出价"),
    "refund_pending": _("已解冻，退款待付"),
    "refunded": _("已退还"),
    "released": _("已解冻（未缴纳，无需退款）"),
    "applied": _("已抵作价款"),
    "forfeited": _("已没收"),
}


def deposit_state(payable: Payable | None) -> tuple[str, str]:
    """pending -> receipt submitted -> frozen -> released (refund pending) -> refunded, or applied,
    or forfeited: the deposit's state with the receipt and the refund taken into account."""
    if payable is None:
        return "pending", str(DEPOSIT_STATES["pending"])
    D = Payable.DepositStatus
    key = str(payable.deposit_status)
    if key == D.PENDING and payable.receipts.exists():
        key = "receipt_submitted"
    elif key == D.RELEASED:
        refunds = list(payable.refunds.exclude(status=Payable.Status.CANCELLED))
        if not refunds:
            key = "released" if payable.amount_paid == 0 else "refund_pending"
        else:
            key = "refunded" if all(r.status == Payable.Status.PAID for r in refunds) else "refund_pending"
    return key, str(DEPOSIT_STATES.get(key, payable.get_deposit_status_display()))


def payables_pending() -> QuerySet[Payable]:
    """Payments to record: incoming (deposits, balances) received offline and outgoing (refunds,
    payouts) paid out; oldest first."""
    return (
        Payable.objects.filter(status=Payable.Status.PENDING)
        .select_related("payer", "listing__achievement", "deal")
        .order_by("created_at", "id")
    )


def deals_defaulted() -> QuerySet[Deal]:
    return (
        Deal.objects.filter(status=Deal.Status.DEFAULTED)
        .select_related("listing__achievement", "buyer", "seller")
        .order_by("-defaulted_at")
    )


def deals_overdue() -> QuerySet[Deal]:
    """Deals awaiting payment past their deadline: about to default (the job has not run yet)."""
    return (
        Deal.objects.filter(status=Deal.Status.AWAITING_PAYMENT, payment_due_at__lt=timezone.now())
        .select_related("listing__achievement", "buyer", "seller")
        .order_by("payment_due_at")
    )


def notices_open() -> QuerySet[PublicNotice]:
    """Public notices running, those with objections waiting for an operator (``pending``) first."""
    return (
        PublicNotice.objects.filter(status=PublicNotice.Status.OPEN)
        .select_related("listing__achievement", "buyer")
        .annotate(pending=Count("objections", filter=Q(objections__status=Objection.Status.PENDING)))
        .order_by("-pending", "ends_at")
    )


def reconciliation_latest() -> ReconciliationRun | None:
    return ReconciliationRun.objects.first()


def deal_confirmation(deal: Deal) -> DealConfirmation | None:
    """The deal's 成交确认书 as issued, or ``None`` (a read: never issues one). Every deal has one,
    issued with the deal or, for deals older than confirmations, by migration."""
    return DealConfirmation.objects.select_related("deal").filter(deal=deal).first()


# Brokers (技术经理人) -----------------------------------------------------------------------------


def brokers_ranking() -> QuerySet[BrokerProfile]:
    """The public ranking: most contribution points first, then the longest registered."""
    return BrokerProfile.objects.select_related("organization").order_by("-points", "id")


def broker_deals(broker: BrokerProfile) -> QuerySet[BrokerPoints]:
    """The settled deals the broker brought, newest first, with the points each earned."""
    return (
        BrokerPoints.objects.filter(broker=broker)
        .select_related("deal__listing__achievement", "deal__seller", "deal__buyer")
        .order_by("-deal__concluded_at", "-id")
    )


def broker_of_user(user: Any) -> BrokerProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return BrokerProfile.objects.filter(user=user).select_related("organization").first()


def mandates_of_listing(*, listing: Any, user: Any) -> QuerySet[Mandate]:
    """A listing's mandates: the holder's members and operators read every one; others the active
    ones (who may bring them to the listing)."""
    mandates = Mandate.objects.filter(listing=listing).select_related("broker__organization").order_by("-id")
    if is_staff_reader(user) or listing.achievement.holder_id in member_organization_ids(user):
        return mandates
    return mandates.filter(status=Mandate.Status.ACTIVE)


def mandate_valid_at(mandate: Mandate, moment: Any) -> bool:
    """The mandate was in force at ``moment``: given before it, not yet ended or revoked."""
    return (
        mandate.created_at <= moment
        and mandate.ends_on >= timezone.localdate(moment)
        and (mandate.revoked_at is None or mandate.revoked_at > moment)
    )


def mandates_valid_for_deal(deal: Deal) -> list[Mandate]:
    """The mandates on the deal's listing that were in force when it was concluded: the brokers
    its buyer may name."""
    mandates = Mandate.objects.filter(listing_id=deal.listing_id).select_related("broker__organization")
    return [m for m in mandates.order_by("id") if mandate_valid_at(m, deal.concluded_at)]


# Data rooms (资料室) ----------------------------------------------------------------------------


def data_room_readable_by_holder(user: Any, listing: Any) -> bool:
    """The holder's members and operators read a room's accesses and its log."""
    return is_staff_reader(user) or listing.achievement.holder_id in member_organization_ids(user)


def data_room_accesses(room: DataRoom) -> QuerySet[DataRoomAccess]:
    return room.accesses.select_related("organization", "nda_accepted_by").order_by("-id")


def data_room_log(room: DataRoom) -> QuerySet[DataRoomEvent]:
    """Who looked at what, newest first."""
    return room.events.select_related("user", "access__organization", "file").order_by("-id")


def preemption_page(*, achievement: Any, user: Any) -> dict[str, Any]:
    """The pre-emption page of an achievement: its inventors with their current records (the
    holder's members and the recorded holders' members see it), the listings a recorded holder may
    claim on, and whether ``user`` acts for the holder or for a recorded pre-emption holder."""
    from accounts.selectors import member_organization_ids

    from .models import Preemption, PreemptionClaim

    org_ids = set(member_organization_ids(user)) if getattr(user, "is_authenticated", False) else set()
    current = {
        p.inventor_name: p
        for p in Preemption.objects.filter(achievement=achievement, superseded_at=None).select_related(
            "holder_organization"
        )
    }
    holder_ids = {p.holder_organization_id for p in current.values() if not p.waived}
    is_holder = achievement.holder_id in org_ids
    is_preemption_holder = bool(holder_ids & org_ids)
    listings = list(achievement.listings.filter(status="published").order_by("-id"))
    return {
        "is_holder": is_holder,
        "is_preemption_holder": is_preemption_holder,
        "visible": is_holder or is_preemption_holder or is_staff_reader(user),
        "can_open_documents": is_holder or is_staff_reader(user),
        "rows": [{"inventor": i, "record": current.get(i.name)} for i in achievement.inventors.all()],
        "history": list(
            Preemption.objects.filter(achievement=achievement)
            .select_related("holder_organization", "recorded_by")
            .order_by("-recorded_at", "-id")
        ),
        "listings": listings,
        "claims": list(
            PreemptionClaim.objects.filter(listing__achievement=achievement)
            .select_related("organization")
            .order_by("-claimed_at")
        ),
    }


def preemption_document_visible(*, record: Any, user: Any) -> bool:
    """Who opens a waiver's document: the holder's members and platform staff."""
    from accounts.selectors import member_organization_ids

    if not getattr(user, "is_authenticated", False):
        return False
    return is_staff_reader(user) or record.achievement.holder_id in set(member_organization_ids(user))


def organization_by_code_or_id(text: str) -> int | None:
    """An organization named on a form by its 统一社会信用代码 or its id."""
    from accounts.models import Organization

    text = text.strip().upper()
    if not text:
        return None
    if text.isdigit() and len(text) < 18:
        return int(text)
    return Organization.objects.filter(credit_code=text).values_list("pk", flat=True).first()


def preemption_holder_ids(achievement: Any) -> set[int]:
    """The organizations currently recorded as pre-emption holders of the achievement."""
    from .models import Preemption

    return set(
        Preemption.objects.filter(achievement=achievement, superseded_at=None, waived=False).values_list(
            "holder_organization_id", flat=True
        )
    )
