"""Published transaction results (成交公示 / 成交结果): what the public and API clients read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from listings.models import Achievement, Field, Listing, Rights

from .deals import Deal


class Result(models.Model):
    """The public record of a paid deal, copied from it so that the public list is one indexed
    table. Synced (``core.sync``): the table's trigger sets ``updated_at`` (the writing
    transaction's stamp) and ``sync_xid`` (its id) on every write, so a client syncing by cursor
    or ``updated_since`` never misses or repeats a row, and publishing deals never wait for each other."""

    deal = models.OneToOneField(Deal, on_delete=models.PROTECT, related_name="result")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="+")
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="+")
    listing_title = models.CharField(_("成果名称"), max_length=200)
    field = models.CharField(_("技术领域"), max_length=32, choices=Field.choices)
    mode = models.CharField(_("交易方式"), max_length=16, choices=Listing.Mode.choices)
    rights = models.CharField(_("转化方式"), max_length=32, choices=Rights.choices)
    price = models.DecimalField(_("成交价"), max_digits=14, decimal_places=2)
    seller = models.CharField(_("转让方"), max_length=200)
    buyer = models.CharField(_("受让方"), max_length=200)
    concluded_at = models.DateTimeField(_("成交时间"))
    bid_count = models.PositiveIntegerField(_("出价次数"), default=0)
    contract_registration_no = models.CharField(_("技术合同认定登记号"), max_length=64, blank=True)
    published_at = models.DateTimeField(_("公示时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    sync_xid = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("成交结果")
        verbose_name_plural = _("成交结果")
        indexes = [
            models.Index(fields=["sync_xid", "id"], name="result_sync_xid"),
            models.Index(fields=["mode", "sync_xid", "id"], name="result_mode_sync_xid"),
            models.Index(fields=["field", "sync_xid", "id"], name="result_field_sync_xid"),
            models.Index(fields=["concluded_at"], name="result_concluded"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_title} · {self.price}"
