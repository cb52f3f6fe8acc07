"""Registration for an auction (竞买登记) and its deposit obligation."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.selectors import membership_for_action, organization_tied_to, person_tied_to
from accounts.services import notify
from core.dbclock import db_now
from core.errors import Conflict, DomainError, Forbidden
from core.locks import auction_lock
from listings.services import listing_mark_engaged
from marketplace.models import Payable
from marketplace.services import deposit_create, preemption_holder_check

from ..events import publish_after_commit
from ..models import Auction, ProxyBid, Registration

FINAL_STATUSES = (Auction.Status.SOLD, Auction.Status.UNSOLD, Auction.Status.CANCELLED)


def _new_bidder_no() -> str:
    """Six random digits: tells nobody how many registered or in which order (no sequence)."""
    return f"{secrets.randbelow(900000) + 100000}"


def registration_deposit_frozen(registration: Registration) -> bool:
    """Whether the registration's deposit is frozen in escrow (the marketplace's payable says so;
    a deposit of zero is frozen at once). The bid engine reads the same column in its standing
    (``auction_bidder_standing``, auctions/sql/0004_bid_engine.sql)."""
    return (
        registration.payment is not None
        and registration.payment.deposit_status == Payable.DepositStatus.FROZEN
    )


@transaction.atomic
def registration_create(
    *,
    auction_id: int,
    actor: User,
    organization_id: int | None = None,
    preemptive: bool = False,
    address: str | None = None,
    device: str = "",
) -> Registration:
    """Register the actor's verified company for the auction, before it ends, and open its deposit
    obligation in escrow (``marketplace.deposit_create``: pay it quoting ``payment_reference``).

    Refused (``related_party``) for the holder and its related parties, for any person who is a
    member of the holder or of an organization related to it (whatever organization they register),
    and for an organization with such a member; for companies outside a
    restricted auction's buyers (``not_an_allowed_buyer``), after the end (``registration_closed``)
    and twice (``already_registered``, 409). Takes the auction lock so that it cannot interleave with
    the close.

    ``preemptive``: the organization registers as the recorded pre-emption holder of the lot's
    achievement (marketplace ``Preemption``; 422 ``not_a_preemption_holder``, or
    ``preemption_not_applicable`` for a licence): its deposit is as everyone's, its bid EQUAL to the
    current price takes the lead (the bid engine), and the auction shows only
    ``preemptive_registered``.

    ``address`` and ``device`` (the adapter's ``client_address`` and ``client_device``) are kept
    as evidence for the operators' risk alerts."""
    membership = membership_for_action(user=actor, organization=organization_id)
    organization = membership.organization
    auction = auction_lock(auction_id)
    now = db_now()
    if auction.is_final or now >= auction.ends_at:
        raise DomainError("registration_closed", _("拍卖已结束，不能再登记竞买。"))
    if person_tied_to(user=actor, holder=auction.holder_id) or organization_tied_to(
        organization=organization, holder=auction.holder_id
    ):
        raise DomainError("related_party", _("成果持有单位及其关联方（含其成员）不能参与竞买。"))
    if auction.restricted and not auction.allowed_buyers.filter(pk=organization.pk).exists():
        raise Forbidden("not_an_allowed_buyer", _("本场竞价仅限该挂牌的意向受让方参加。"))
    if Registration.objects.filter(auction=auction, organization=organization).exists():
        raise Conflict("already_registered", _("贵单位已登记竞买本场拍卖。"))
    if preemptive:
        preemption_holder_check(listing=auction.listing, organization=organization)
    payment = deposit_create(
        payer=organization,
        listing=auction.listing,
        amount=auction.deposit,
        idempotency_key=f"auction:{auction.pk}:deposit:{organization.pk}",
    )
    for _attempt in range(10):
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    auction=auction,
                    organization=organization,
                    registered_by=actor,
                    bidder_no=_new_bidder_no(),
                    deposit=auction.deposit,
                    payment=payment,
                    preemptive=preemptive,
                    client_address=address or None,
                    client_device=device[:32],
                )
                break
        except IntegrityError:
            continue  # a bidder_no drawn twice in one auction: draw again
    else:  # pragma: no cover - ten collisions in a million
        raise RuntimeError("could not draw a unique bidder_no")
    listing_mark_engaged(listing=auction.listing)  # the holder can no longer withdraw it
    if preemptive and not auction.preemptive_registered:
        auction.preemptive_registered = True
        auction.save(update_fields=["preemptive_registered", "updated_at"])
        publish_after_commit(  # watchers reload and see that a pre-emption holder is registered
            auction_id=auction.pk,
            first=auction.bid_count + 1,
            last=auction.bid_count,
            events=[{"type": "reload"}],
        )
        notify(
            organization=auction.holder,
            kind="preemptive_registered",
            title=_("优先购买权人已登记竞买：%(t)s") % {"t": auction.listing.achievement.title},
            body=_("其出价与当前价相同即可成为最高出价者。"),
            link=reverse("auctions:live", args=[auction.pk]),
        )
    return registration


def registrations_suspend_tied(*, organization_ids: list[int]) -> int:
    """The ``ties_changed`` seam's answer: people or relations changed around ``organization_ids``
    (a person joined one of them; two of them were declared related). Every registration of these
    organizations in an auction not yet final whose organization is now tied to the holder
    (``accounts_organization_tied_to``) is suspended: the bid engine's standing refuses its bids
    and proxy ceilings from now on (``related_party``), its standing proxy ceiling is withdrawn here
    (the engine's proxy step does not read standings), and its admins and the operators are told,
    on record. Returns how many registrations that suspends."""
    suspended = [
        r
        for r in Registration.objects.filter(organization_id__in=organization_ids)
        .exclude(auction__status__in=FINAL_STATUSES)
        .select_related("auction__listing__achievement", "organization")
        if organization_tied_to(organization=r.organization_id, holder=r.auction.holder_id)
    ]
    for registration in suspended:
        ProxyBid.objects.filter(registration=registration).delete()
        title = _("竞买资格已暂停：%(title)s") % {
            "title": registration.auction.listing.achievement.title[:60]
        }
        body = _(
            "贵单位现与成果持有单位存在关联（含成员关联），不能再参与本场竞价，代理出价已撤销（related_party）。"
        )
        link = reverse("auctions:live", args=[registration.auction_id])
        notify(
            organization=registration.organization,
            roles=[Membership.Role.ADMIN],
            kind="related_party",
            title=title,
            body=body,
            link=link,
        )
        notify(
            operators=True,
            kind="related_party",
            title=title,
            body=f"{registration.organization.name}：{body}",
            link=link,
        )
    return len(suspended)
