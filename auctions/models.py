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
    # A recorded pre-emption holder (优先购买权人, Civil Code Art. 847) registered as such: the only
    # thing the public learns of it (never who). Set under the auction lock by registration_create.
    preemptive_registered = models.BooleanField(_("优先购买权人已登记"), default=False)
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
    # Registered as the recorded pre-emption holder (marketplace ``Preemption``): its bid EQUAL to
    # the current price takes the lead (auctions/sql/0008_preemptive_bid.sql).
    preemptive = models.BooleanField(_("优先购买权人"), default=False)
    # Where the registration came from (the client's address, a digest of its browser or program):
    # evidence for the operators' risk alerts (portal.risk), never shown to other bidders.
    client_address = models.GenericIPAddressField(_("登记地址"), null=True, blank=True)
    client_device = models.CharField(_("登记设备"), max_length=32, blank=True)
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


class Checkpoint(models.Model):
    """存证检查点: the market's Ed25519 signature over an auction record's state at one moment
    (the close, each transition of its deal): the chain's head and count and the outcome.

    ``payload`` is exactly what was signed (canonical JSON, ``core.signing``); the other columns
    repeat its facts for queries. Never updated or deleted."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="checkpoints")
    deal = models.ForeignKey(
        "marketplace.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    event = models.CharField(_("事件"), max_length=32)
    count = models.PositiveIntegerField(_("出价数"))
    head = models.CharField(_("链头哈希"), max_length=64)
    outcome = models.CharField(_("结果"), max_length=32)
    payload = models.JSONField()
    signature = models.CharField(max_length=128)
    key_id = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("存证检查点")
        verbose_name_plural = _("存证检查点")
        ordering = ("auction", "id")


class BestOfferWindow(models.Model):
    """流拍后择优报价: after an unsold close the holder may open a window in which registered
    bidders send one sealed offer each; the holder accepts one (a deal) or lets it lapse."""

    class Status(models.TextChoices):
        OPEN = "open", _("报价中")  # offers are sealed until closes_at; the holder may accept one
        ACCEPTED = "accepted", _("已择优成交")  # the holder accepted an offer: a deal was made
        LAPSED = "lapsed", _("已失效")  # closed with no offer accepted; deposits released

    auction = models.OneToOneField(Auction, on_delete=models.PROTECT, related_name="best_offer_window")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField(_("截止时间"))
    deal = models.ForeignKey(
        "marketplace.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("择优报价窗口")
        verbose_name_plural = _("择优报价窗口")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opened_at")), name="best_offer_window_ends"),
        ]


class BestOfferWindowStatusChange(models.Model):
    window = models.ForeignKey(BestOfferWindow, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class BestOffer(models.Model):
    """One registered bidder's sealed offer in a best-offer window, with a deposit of its own (the
    auction's were released at the close): the holder accepts only an offer whose deposit is frozen."""

    class Status(models.TextChoices):
        SEALED = (
            "sealed",
            _("已密封"),
        )  # sent; only its bidder and, after closes_at or to accept, the holder see it
        ACCEPTED = "accepted", _("已接受")  # the deal was made with it; its deposit applied
        DECLINED = "declined", _("未获接受")  # another offer was accepted, or the window lapsed

    window = models.ForeignKey(BestOfferWindow, on_delete=models.PROTECT, related_name="offers")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="best_offers")
    amount = models.DecimalField(_("报价"), max_digits=14, decimal_places=2)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SEALED)
    payment = models.OneToOneField(
        "marketplace.Payable", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("择优报价")
        verbose_name_plural = _("择优报价")
        constraints = [
            models.UniqueConstraint(fields=["window", "registration"], name="best_offer_one_per_bidder"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="best_offer_amount_positive"),
        ]


class BestOfferStatusChange(models.Model):
    offer = models.ForeignKey(BestOffer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class RunnerUpOffer(models.Model):
    """顺位受让: after the winner's default, the holder offers the lot to the runner-up (the other
    bidder with the highest bid) at that bid; it accepts within 3 working days or declines."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")  # waiting for the runner-up until expires_at
        ACCEPTED = "accepted", _("已接受")  # a deal was made with the runner-up
        DECLINED = "declined", _("已放弃")  # the runner-up declined, without penalty
        LAPSED = "lapsed", _("已逾期")  # no answer by expires_at; the holder may relist

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="runner_up_offers")
    defaulted_deal = models.OneToOneField(
        "marketplace.Deal", on_delete=models.PROTECT, related_name="runner_up_offer"
    )
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="runner_up_offers")
    amount = models.DecimalField(_("价格"), max_digits=14, decimal_places=2)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    # The deposit applied at acceptance: the runner-up's own if still frozen, else a new one.
    payment = models.ForeignKey(
        "marketplace.Payable", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("答复截止"))
    deal = models.ForeignKey(
        "marketplace.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("顺位受让")
        verbose_name_plural = _("顺位受让")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="runner_up_amount_positive"),
        ]


class RunnerUpOfferStatusChange(models.Model):
    offer = models.ForeignKey(RunnerUpOffer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
