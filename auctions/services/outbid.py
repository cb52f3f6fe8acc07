"""出价被超越: the organization that led before a batch of bids hears that it no longer leads.

Told from a Celery task (``auctions.outbid``), never in the bid's own request: the bid path stays
one database call, and a mail server's pace cannot slow a live room. The task is sent after the
bid commits without retrying, so a broker that is down costs the bid nothing (the bidder still
sees the room; only the notice is lost)."""

from __future__ import annotations

import logging

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.services import notify
from core.effects import after_commit, broker_send
from core.money import money_display

from ..models import Auction, Bid

log = logging.getLogger("market.auctions")


def outbid_announce(*, auction_id: int, first_seq: int, last_seq: int) -> None:
    """After commit, ask a worker to tell the former leader (``auction_outbid_notify``)."""

    def send() -> None:
        from celery import current_app

        current_app.send_task(
            "auctions.outbid", args=(auction_id, first_seq, last_seq), retry=False, ignore_result=True
        )

    after_commit(lambda: broker_send(send, what="auctions.outbid"))


def auction_outbid_notify(*, auction_id: int, first_seq: int, last_seq: int) -> int:
    """The leader before bid ``first_seq`` (the bid ``first_seq - 1``), when bid ``last_seq`` went
    to another organization, gets ``outbid`` with the price now and a link to the room.
    Returns how many people were told (0: nobody led before, or the lead stayed with it).
    Idempotent enough for a retried task: a second run tells again, harmlessly."""
    if first_seq <= 1:
        return 0
    bids = {
        b.seq: b
        for b in Bid.objects.filter(auction_id=auction_id, seq__in=(first_seq - 1, last_seq)).select_related(
            "registration__organization", "auction__listing__achievement"
        )
    }
    before, now = bids.get(first_seq - 1), bids.get(last_seq)
    if before is None or now is None:
        return 0
    if before.registration.organization_id == now.registration.organization_id:
        return 0
    auction: Auction = now.auction
    title = _("您的出价已被超越：%(t)s") % {"t": auction.listing.achievement.title}
    body = _("竞买号 %(no)s 的出价 %(mine)s 已被超越，当前价 %(now)s。如需继续竞价，请尽快进入会场出价。") % {
        "no": before.registration.bidder_no,
        "mine": money_display(before.amount),
        "now": money_display(now.amount),
    }
    return notify(
        organization=before.registration.organization,
        kind="outbid",
        title=title,
        body=body,
        link=reverse("auctions:live", args=[auction_id]),
    )
