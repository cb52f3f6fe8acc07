"""Push (信息推送): saved searches whose new matches reach the subscriber, batched, at most once a
day per subscription; and the periodic publications (成果月报、季度发布、年度榜单)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notify
from core.dbclock import db_now
from core.errors import Forbidden, InvalidInput
from core.sync import WATERMARK_SQL
from listings.models import Field, Listing, Rights
from listings.selectors import CatalogueFilters, catalogue_list
from marketplace.working_days import SHANGHAI

from ..models import Publication, Subscription
from ..selectors.demands import demand_catalogue
from ..selectors.publications import period_bounds, publication_figures

BATCH_ITEMS = 20  # items listed in one message


def _watermark() -> tuple[int, int | None]:
    """``core.sync``'s watermark (every transaction below it has ended) and this transaction's id
    (its own writes are final to itself)."""
    with connection.cursor() as cursor:
        cursor.execute(WATERMARK_SQL)
        watermark, own = cursor.fetchone()
        return int(watermark), own


def _resume_xid() -> int:
    """Where a new pass starts: the watermark, or this transaction's own id when lower (its own
    writes are not in its snapshot's running list)."""
    watermark, own = _watermark()
    return min(watermark, own) if own is not None else watermark


@transaction.atomic
def subscription_create(
    *,
    user: User,
    target: str,
    q: str = "",
    field: str = "",
    mode: str = "",
    rights: str = "",
    email: bool = True,
) -> Subscription:
    """A signed-in user saves a search of the catalogue (``listings``) or of the demands."""
    if not getattr(user, "is_authenticated", False):
        raise Forbidden("not_signed_in", _("请先登录。"))
    fields: dict[str, list[str]] = {}
    if target not in Subscription.Target.values:
        fields["target"] = [_("应为 listings 或 demands。")]
    if field and field not in Field.values:
        fields["field"] = [_("无效的选项。")]
    if mode and mode not in Listing.Mode.values:
        fields["mode"] = [_("无效的选项。")]
    elif mode and target == Subscription.Target.DEMANDS:
        fields["mode"] = [_("技术需求没有交易方式，请选“全部”。")]
    if rights and rights not in Rights.values:
        fields["rights"] = [_("无效的选项。")]
    if fields:
        raise InvalidInput("invalid_subscription", _("订阅条件有误，请检查标出的字段。"), fields=fields)
    return Subscription.objects.create(
        user=user,
        target=target,
        q=(q or "").strip(),
        field=field,
        mode=mode,
        rights=rights,
        email=email,
        seen_until=db_now(),
        seen_xid=_resume_xid(),
    )


@transaction.atomic
def subscription_delete(*, user: User, subscription: Subscription) -> None:
    if subscription.user_id != user.pk:
        raise Forbidden("not_yours", _("只能取消自己的订阅。"))
    subscription.delete()


def _new_items(sub: Subscription, *, watermark: int, own: int | None) -> list[Any]:
    since = sub.seen_until - dt.timedelta(days=1)
    if sub.target == Subscription.Target.LISTINGS:
        qs: Any = catalogue_list(
            filters=CatalogueFilters(
                q=sub.q or None, field=sub.field or None, mode=sub.mode or None, rights=sub.rights or None
            )
        )
    else:
        qs = demand_catalogue(q=sub.q or None, field=sub.field or None)
        if sub.rights:
            qs = qs.filter(rights=sub.rights)
    final = Q(sync_xid__lt=watermark) | (Q(sync_xid=own) if own is not None else Q(pk__in=[]))
    qs = qs.filter(final, sync_xid__gte=sub.seen_xid, published_at__gt=since).exclude(
        pk__in=sub.last_ids or []
    )
    return list(qs.order_by("published_at", "id")[: BATCH_ITEMS + 1])


def _title(item: Any) -> str:
    return item.achievement.title if isinstance(item, Listing) else item.title


def _link(sub: Subscription) -> str:
    return (
        reverse("listings:catalogue")
        if sub.target == Subscription.Target.LISTINGS
        else reverse("discovery:demands")
    )


def subscriptions_send() -> int:
    """The batch job (hourly): each subscription not served within ``SUBSCRIPTION_INTERVAL_HOURS``
    gets one message (in-app, and e-mail when it asked) listing the items published since its last
    batch; then its position moves on. Safe to run twice at once (a row lock per subscription,
    skipped when another run holds it). Returns how many messages went out."""
    interval = dt.timedelta(hours=settings.MARKET["SUBSCRIPTION_INTERVAL_HOURS"])
    sent = 0
    due_ids = list(
        Subscription.objects.filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=db_now() - interval))
        .order_by("id")
        .values_list("id", flat=True)
    )
    for sub_id in due_ids:
        with transaction.atomic():
            sub = (
                Subscription.objects.select_for_update(skip_locked=True)
                .select_related("user")
                .filter(pk=sub_id)
                .first()
            )
            now = db_now()
            if sub is None or (sub.last_sent_at is not None and sub.last_sent_at > now - interval):
                continue
            watermark, own = _watermark()
            items = _new_items(sub, watermark=watermark, own=own)
            if items:
                shown = items[:BATCH_ITEMS]
                more = len(items) > BATCH_ITEMS
                body = "\n".join(f"· {_title(item)}" for item in shown) + ("\n……" if more else "")
                notify(
                    users=[sub.user],
                    kind="subscription_batch",
                    title=_("您订阅的%(target)s有 %(n)s%(more)s 条新信息")
                    % {"target": sub.get_target_display(), "n": len(shown), "more": "+" if more else ""},
                    body=body,
                    link=_link(sub),
                    mail=sub.email,
                )
                sub.last_sent_at = now
                sub.last_ids = [item.pk for item in shown]
                sent += 1
            sub.seen_until = now
            sub.seen_xid = min(watermark, own) if own is not None else watermark
            sub.save(update_fields=["seen_until", "seen_xid", "last_ids", "last_sent_at"])
    return sent


def _previous_periods(today: dt.date) -> list[tuple[str, dt.date]]:
    """The start of the latest finished month, quarter and year before ``today``."""
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter = (quarter_start - dt.timedelta(days=1)).replace(day=1)
    last_quarter = dt.date(last_quarter.year, 3 * ((last_quarter.month - 1) // 3) + 1, 1)
    return [
        (Publication.Period.MONTH, month),
        (Publication.Period.QUARTER, last_quarter),
        (Publication.Period.YEAR, dt.date(today.year - 1, 1, 1)),
    ]


def publications_publish(*, today: dt.date | None = None) -> list[Publication]:
    """The scheduled job (daily): publish the latest finished month's, quarter's and year's
    figures if not yet published. A publication is written once and never changes (the table's
    trigger refuses it); running twice, or twice at once, publishes each period once."""
    today = today or db_now().astimezone(SHANGHAI).date()
    made = []
    for period, starts_on in _previous_periods(today):
        if Publication.objects.filter(period=period, starts_on=starts_on).exists():
            continue
        ends_on = period_bounds(period, starts_on)[1]
        try:
            with transaction.atomic():
                made.append(
                    Publication.objects.create(
                        period=period,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        published_at=db_now(),
                        figures=publication_figures(starts_on=starts_on, ends_on=ends_on),
                    )
                )
        except IntegrityError:  # another run published it first
            continue
    return made
