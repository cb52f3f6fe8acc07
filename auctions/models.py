"""Auctions, registrations (竞买登记), bids and proxy bids: tables and the invariants the database keeps.

The auction row is the aggregate root: the bid engine locks it, reads every rule from it, and moves
``current_price``, ``leader``, ``bid_count`` (which is also the ``seq`` of the last bid) and
``ends_at`` in the same transaction that inserts the bid. See ``auctions.services.bidding``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from .chain import GENESIS_HASH


class Auction(models.Model):
    """An ascending live auction of one auction listing (拍卖).

    The terms are copied from the listing when the auction opens, so the auction is self-contained
    and the engine reads everything it decides on from this one locked row.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("即将开拍")  # opened from a published listing; waits for starts_at
        LIVE = "live", _("竞价中")  # accepting bids until ends_at (which bids in the last window push back)
        SOLD = "sold", _("已成交")  # closed with a leader meeting the reserve: a deal was concluded
        UNSOLD = "unsold", _("流拍")  # closed without a bid, or below the reserve
        CANCELLED = "cancelled", _("已取消")  # stopped by an operator, with a reason; deposits released

    FINAL = (Status.SOLD, Status.UNSOLD, Status.CANCELLED)

    listing = models.OneToOneField("listings.Listing", on_delete=models.PROTECT, related_name="auction")
    # The seller, copied from the listing's achievement: the engine refuses its related parties.
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    # Terms, copied from the listing at open.
    start_price = models.DecimalField(_("起拍价"), max_digits=14, decimal_places=2)
    increment = models.DecimalField(_("加价幅度"), max_digits=14, decimal_places=2)
    reserve_price = models.DecimalField(_("保留价"), max_digits=14, decimal_places=2, null=True, blank=True)
    deposit = models.DecimalField(_("保证金"), max_digits=14, decimal_places=2)
    starts_at = models.DateTimeField(_("开拍时间"))
    ends_at = models.DateTimeField(_("结束时间"))  # moved by bids inside the extension window
    scheduled_ends_at = models.DateTimeField(_("原定结束时间"))  # as listed, never moved
    extension_seconds = models.PositiveIntegerField(_("延时周期（秒）"))
    # Contested fixed-price listings: only these buyers may register (empty when ``restricted`` is off).
    restricted = models.BooleanField(_("限定竞买人"), default=False)
    allowed_buyers = models.ManyToManyField(Organization, blank=True, related_name="+")
    # The state the engine moves.
    current_price = models.DecimalField(_("当前价"), max_digits=14, decimal_places=2, null=True, blank=True)
    leader = models.ForeignKey(
        "auctions.Registration", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bid_count = models.PositiveIntegerField(_("出价次数"), default=0)  # = seq of the last accepted bid
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)  # hash of the bid with seq = bid_count
    proxy_count = models.PositiveIntegerField(default=0)  # lets the engine skip the proxy read when 0
    deal = models.ForeignKey(
        "marketplace.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The close was refused by the marketplace (e.g. ``related_party``: the leader was declared
    # related to the holder after its last bid). Recorded once with the refusal's code and the
    # database clock; operators are told once; the close task and the sweeper then leave the
    # auction alone until an operator decides (``auction_cancel``). Blank: never blocked.
    close_blocked_code = models.CharField(_("无法成交原因"), max_length=64, blank=True, default="")
    close_blocked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("拍卖")
        verbose_name_plural = _("拍卖")
        indexes = [models.Index(fields=["status", "ends_at"], name="auction_status_ends")]
        constraints = [
            models.CheckConstraint(condition=Q(start_price__gt=0), name="auction_start_price_positive"),
            models.CheckConstraint(condition=Q(increment__gt=0), name="auction_increment_positive"),
            models.CheckConstraint(condition=Q(deposit__gte=0), name="auction_deposit_nonneg"),
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="auction_starts_before_end"),
            models.CheckConstraint(
                condition=Q(reserve_price__isnull=True) | Q(reserve_price__gte=F("start_price")),
                name="auction_reserve_at_least_start",
            ),
            # No bid: no price and no leader; a bid: both, and the price at least the start price.
            models.CheckConstraint(
                condition=(Q(bid_count=0, current_price__isnull=True, leader__isnull=True))
                | Q(bid_count__gt=0, current_price__gte=F("start_price"), leader__isnull=False),
                name="auction_price_leader_bids",
            ),
            models.CheckConstraint(
                condition=~Q(status="sold") | Q(deal__isnull=False, bid_count__gt=0),
                name="auction_sold_has_deal",
            ),
        ]

    def __str__(self) -> str:
        return f"拍卖（{self.listing.achievement.title}）"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


class AuctionStatusChange(models.Model):
    """Every move of an auction's status, with who (null: the system's clock) and why."""

    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Auction.Status.choices)
    to_status = models.CharField(max_length=16, choices=Auction.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()  # the database clock at the transition

    class Meta:
        ordering = ("created_at", "id")


class Registration(models.Model):
    """A company's registration for one auction (竞买登记), its pseudonym and its deposit."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="registrations")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The public pseudonym (竞买号): random, so it tells nobody how many registered or who came first.
    bidder_no = models.CharField(_("竞买号"), max_length=8)
    deposit = models.DecimalField(_("保证金"), max_digits=14, decimal_places=2)
    # The deposit obligation in escrow (marketplace): pending -> frozen -> released | applied | forfeited.
    # Always set by ``registration_create`` (null only so that the column could be added).
    payment = models.OneToOneField(
        "marketplace.Payable", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("竞买登记")
        verbose_name_plural = _("竞买登记")
        constraints = [
            models.UniqueConstraint(fields=["auction", "organization"], name="registration_one_per_org"),
            models.UniqueConstraint(fields=["auction", "bidder_no"], name="registration_bidder_no_unique"),
            models.CheckConstraint(condition=Q(deposit__gte=0), name="registration_deposit_nonneg"),
        ]

    def __str__(self) -> str:
        return self.bidder_no


class Bid(models.Model):
    """An accepted bid (出价), manual or placed by the engine for a proxy; never updated or deleted.

    ``hash`` chains each bid to the one before it (see ``auctions.chain``), so anyone holding the
    public bid list can check offline that no bid was altered, dropped or inserted afterwards.
    """

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bids")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="bids")
    seq = models.PositiveIntegerField()
    amount = models.DecimalField(_("出价"), max_digits=14, decimal_places=2)
    placed_at = models.DateTimeField()  # the database clock at the decision
    # The client's idempotency key; empty for bids the engine placed for a proxy.
    key = models.CharField(max_length=200, blank=True)
    is_proxy = models.BooleanField(default=False)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ("auction", "seq")
        constraints = [
            models.UniqueConstraint(fields=["auction", "seq"], name="bid_seq_unique"),
            models.UniqueConstraint(
                fields=["auction", "registration", "key"], condition=~Q(key=""), name="bid_key_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bid_amount_positive"),
            models.CheckConstraint(condition=Q(seq__gt=0), name="bid_seq_positive"),
        ]


class BidRefusal(models.Model):
    """A refused bid that carried a key: the first outcome a retry with the same key gets again.

    Only refusals decided on the auction's state under its lock are kept (see ``bid_place``); the
    text is composed from ``code`` (and ``minimum``) when the refusal is told, in the reader's language."""

    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    code = models.CharField(max_length=64)
    # below_minimum: the least acceptable bid at the time, which the refusal's text names.
    minimum = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["auction", "registration", "key"], name="bid_refusal_key_unique"),
        ]


class ProxyBid(models.Model):
    """A secret ceiling (代理出价): the engine bids for the registration by whole increments up to it.

    ``set_at`` (the database clock when the ceiling was last raised) breaks ties: at equal ceilings
    the earlier one wins."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="proxy_bid")
    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="proxy_bids")
    max_amount = models.DecimalField(_("最高出价"), max_digits=14, decimal_places=2)
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(max_amount__gt=0), name="proxy_bid_max_positive"),
        ]
