"""Fixed-price mode: intents during the listing period, resolved when it ends."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.services import notify
from core import seams
from core.dbclock import db_now, db_now_sql
from core.errors import Conflict
from listings import services as listing_services
from listings.models import Listing

from ..models import FixedPriceOutcome, PurchaseIntent
from .deals import deal_conclude
from .negotiation import buyer_for
from .preemption import claim_exercised, claim_open_for, claims_lapse


@transaction.atomic
def intent_declare(
    *, listing: Listing, actor: User, organization: Organization | int | None = None
) -> PurchaseIntent:
    """A verified buyer (not the holder, not related) declares it will buy at the listed price,
    before ``listing_ends_at`` by the database clock. Once per buyer and listing."""
    locked = listing_services.listing_lock(listing)
    buyer = buyer_for(user=actor, listing=locked, organization=organization)
    if locked.mode != Listing.Mode.FIXED_PRICE:
        raise Conflict("wrong_mode", _("该挂牌不是挂牌交易方式。"))
    now = db_now()
    if (
        locked.status != Listing.Status.PUBLISHED
        or locked.listing_ends_at is None
        or now >= locked.listing_ends_at
    ):
        raise Conflict("listing_not_published", _("该挂牌当前不接受意向登记。"))
    if PurchaseIntent.objects.filter(listing=locked, buyer=buyer).exists():
        raise Conflict("intent_exists", _("贵单位已登记意向。"))
    listing_services.listing_mark_engaged(listing=locked)
    intent = PurchaseIntent.objects.create(listing=locked, buyer=buyer, declared_by=actor, declared_at=now)
    notify(
        organization=locked.achievement.holder,
        kind="intent_declared",
        title=_("新的意向受让方：%(t)s") % {"t": locked.achievement.title},
        body=buyer.name,
        link=reverse("listings:detail", args=[locked.pk]),
    )
    return intent


@transaction.atomic
def fixed_price_resolve(*, listing: Listing) -> Listing:
    """When the listing period is over: no intent -> the listing closes as expired; one -> a deal
    at the listed price; two or more -> the ``fixed_price_contested`` seam (auctions opens an
    auction among them). A listing not yet ended or no longer published is left alone, so the
    job may run any number of times."""
    locked = listing_services.listing_lock(listing)
    now = db_now()
    if (
        locked.mode != Listing.Mode.FIXED_PRICE
        or locked.status != Listing.Status.PUBLISHED
        or locked.listing_ends_at is None
        or now < locked.listing_ends_at
        or FixedPriceOutcome.objects.filter(listing=locked).exists()
    ):
        return locked
    buyers = [
        i.buyer
        for i in PurchaseIntent.objects.filter(listing=locked, withdrawn_at=None).select_related("buyer")
    ]
    # A pre-emption holder's claim (at the listed price, within the period): with at most one
    # other intent the claimant takes it at the listed price; with two or more the price is
    # contested, so the claimant joins their auction, where it registers as the pre-emption holder.
    claim = claim_open_for(locked)
    if claim is not None:
        others = [b for b in buyers if b.pk != claim.organization_id]
        buyers = [claim.organization] if len(others) <= 1 else [*others, claim.organization]
    outcome = (
        FixedPriceOutcome.Outcome.EXPIRED
        if not buyers
        else FixedPriceOutcome.Outcome.DEAL
        if len(buyers) == 1
        else FixedPriceOutcome.Outcome.CONTESTED
    )
    FixedPriceOutcome.objects.create(
        listing=locked, outcome=outcome, intent_count=len(buyers), resolved_at=now
    )
    if not buyers:
        listing_services.listing_close(listing=locked, reason=_("挂牌期满，无意向受让方"))
        notify(
            organization=locked.achievement.holder,
            kind="listing_expired",
            title=_("挂牌期满无人受让：%(t)s") % {"t": locked.achievement.title},
            link=reverse("listings:detail", args=[locked.pk]),
        )
    elif len(buyers) == 1:
        assert locked.price is not None  # the database requires it of fixed-price listings
        deal = deal_conclude(
            listing=locked, buyer=buyers[0], price=locked.price, mode=Listing.Mode.FIXED_PRICE
        )
        if claim is not None:
            claim_exercised(claim=claim, deal=deal)
    else:
        if claim is not None:
            claims_lapse(listing=locked, reason=_("多家意向，转为竞价：请以优先购买权人身份登记竞买"))
        seams.call("fixed_price_contested", listing=locked, buyers=buyers)
    locked.refresh_from_db()
    return locked


def fixed_price_due_ids() -> list[int]:
    return list(
        Listing.objects.filter(
            mode=Listing.Mode.FIXED_PRICE,
            status=Listing.Status.PUBLISHED,
            listing_ends_at__lte=db_now_sql(),
            fixed_price_outcome__isnull=True,
        )
        .order_by("listing_ends_at", "id")
        .values_list("id", flat=True)
    )
