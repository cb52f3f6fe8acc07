"""Reads of the portal: the operators' risk alerts, and the 待办 of a party."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.selectors import member_organization_ids
from auctions.models import Auction, Registration
from conversion.models import UseFirstApplication
from conversion.selectors import agreements as agreement_selectors
from listings import selectors as listing_selectors
from marketplace import selectors as mk_selectors

from .models import RiskAlert


def risk_alerts(*, status: str | None = None, rule: str | None = None) -> QuerySet[RiskAlert]:
    """Alerts, newest first; ``status`` and ``rule`` narrow them. The console tile counts the open ones."""
    alerts = RiskAlert.objects.prefetch_related("status_changes__actor").order_by("-id")
    if status:
        alerts = alerts.filter(status=status)
    if rule:
        alerts = alerts.filter(rule=rule)
    return alerts


def todo_items(user: Any) -> list[dict[str, Any]]:
    """What waits on ``user`` as a party, each with the page where it is done: its side of each
    open deal (sign, pay, register the contract), deposits to pay, listings waiting for its
    approval (安心屋), use-first applications to answer. Items: group, title, what, url, due."""
    items: list[dict[str, Any]] = []
    orgs = set(member_organization_ids(user))
    if orgs:
        deals = mk_selectors.deals_visible_to(user).filter(
            Q(buyer_id__in=orgs) | Q(seller_id__in=orgs),
            status__in=("awaiting_payment", "paid", "contract_registered"),
        )
        for deal in deals.order_by("payment_due_at", "id")[:100]:
            side = "buyer" if deal.buyer_id in orgs else "seller"
            title = deal.listing.achievement.title
            for step in mk_selectors.deal_steps(deal):
                if step["waiting"] and step["on"] == side:
                    url = reverse(
                        "marketplace:deal_confirmation"
                        if step["key"].endswith("_signs")
                        else "marketplace:deal",
                        args=[deal.pk],
                    )
                    due = deal.payment_due_at if step["key"] == "pay" else None
                    items.append(
                        {"group": _("成交"), "title": step["label"], "what": title, "url": url, "due": due}
                    )
        deposits = Registration.objects.filter(
            organization_id__in=orgs,
            payment__deposit_status="pending",
            auction__status__in=(Auction.Status.SCHEDULED, Auction.Status.LIVE),
        ).select_related("auction__listing__achievement", "payment")
        for reg in deposits.order_by("auction__starts_at")[:50]:
            state, label = mk_selectors.deposit_state(reg.payment)
            items.append(
                {
                    "group": _("拍卖"),
                    "title": _("缴纳保证金") if state == "pending" else label,
                    "what": reg.auction.listing.achievement.title,
                    "url": reverse("auctions:register", args=[reg.auction_id]),
                    "due": reg.auction.starts_at,
                }
            )
        for listing in listing_selectors.listings_internal_queue(user=user)[:50]:
            items.append(
                {
                    "group": _("安心屋"),
                    "title": _("审批挂牌"),
                    "what": listing.achievement.title,
                    "url": reverse("listings:approval_decide", args=[listing.pk]),
                    "due": None,
                }
            )
        for app in agreement_selectors.use_first_applications_for(
            user=user, status=UseFirstApplication.Status.PENDING
        ):
            if app.entry.holder_id in orgs:
                items.append(
                    {
                        "group": _("先用后转"),
                        "title": _("答复 %(c)s 的申请") % {"c": app.applicant.name},
                        "what": app.entry.achievement.title,
                        "url": reverse("marketplace:my_use_first"),
                        "due": app.respond_by,
                    }
                )
    return items
