"""A listing leaving the market before a deal: what the marketplace had open on it is withdrawn."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.services import notify
from core.dbclock import db_now
from core.errors import Conflict
from core.locks import intents_lock, notices_lock
from listings import services as listing_services
from listings.models import Listing

from ..models import Deal, Offer, PublicNotice, PurchaseIntent
from .negotiation import notice_transition, offer_transition
from .preemption import claims_lapse


def listing_deal_refuse_exit(*, listing: Listing) -> None:
    """409 ``deal_concluded`` when the listing has a deal that still stands (any status but
    defaulted): it is settled through the deal (payment, default, refund), not by taking the
    listing down."""
    if Deal.objects.filter(listing=listing).exclude(status=Deal.Status.DEFAULTED).exists():
        raise Conflict("deal_concluded", _("该挂牌已成交，不能下架或撤回；后续请在成交中处理。"))


@transaction.atomic
def listing_engagements_withdraw(*, listing: Listing, actor: User | None, reason: str) -> dict[str, int]:
    """Withdraw everything open on a listing that is being taken down (operator) or withdrawn
    (holder): open offers -> ``withdrawn``, the open public notice -> ``stopped`` (its deal does
    not proceed), purchase intents -> ``withdrawn_at`` stamped; every buyer concerned is told,
    with ``reason``. Returns the counts. Called through the auctions service answering the
    ``listing_taken_down`` / ``listing_withdrawn`` seams, before the listing itself moves.

    Lock order as elsewhere: open notices (as ``notice_conclude`` takes them before the listing),
    then the listing, then offers (as ``offer_accept``). 409 ``deal_concluded`` if a deal stands."""
    notices = notices_lock(listing=listing, status=PublicNotice.Status.OPEN)
    locked = listing_services.listing_lock(listing)
    listing_deal_refuse_exit(listing=locked)
    title = _("挂牌已下架或撤回：%(t)s") % {"t": locked.achievement.title}
    link = reverse("listings:detail", args=[locked.pk])
    told: set[int] = set()

    def tell(buyer: Organization, kind: str) -> None:
        if buyer.pk not in told:
            told.add(buyer.pk)
            notify(organization=buyer, kind=kind, title=title, body=reason, link=link)

    for notice in notices:
        notice_transition(notice=notice, to_status=PublicNotice.Status.STOPPED, actor=actor, reason=reason)
        tell(notice.buyer, "notice_stopped")
    offers = list(
        Offer.objects.filter(listing=locked, status=Offer.Status.OPEN).select_related("buyer").order_by("pk")
    )
    for offer in offers:
        offer_transition(offer=offer, to_status=Offer.Status.WITHDRAWN, actor=actor, reason=reason)
        tell(offer.buyer, "offer_withdrawn")
    intents = intents_lock(listing=locked)
    if intents:
        PurchaseIntent.objects.filter(pk__in=[i.pk for i in intents]).update(
            withdrawn_at=db_now(), withdrawal_reason=reason
        )
        for intent in intents:
            tell(intent.buyer, "intent_withdrawn")
    claims_lapse(listing=locked, reason=reason, actor=actor)
    return {"notices": len(notices), "offers": len(offers), "intents": len(intents)}
