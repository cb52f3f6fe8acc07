"""The 30-day registration duty (成果登记): the holder records a registration; a daily job tells
holders and operators, once, about fiscally funded achievements registered too late."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notify, notify_organizations
from core.errors import Conflict, InvalidInput
from core.locks import advisory_xact_lock
from listings.models import Achievement

from ..models import AchievementRegistration
from ..rules import market_today
from .entries import HOLDER_ROLES
from .filings import _holder_membership
from .sql import rows

log = logging.getLogger("market.use_first")

REGISTRATION_LOCK = "listings.registration_overdue_run"  # the name runs had before the move


@transaction.atomic
def achievement_registration_record(
    *, achievement: Achievement, actor: User, registration_no: str, registered_on: dt.date
) -> AchievementRegistration:
    """The holder records the achievement's registration in the 科技成果登记系统."""
    _holder_membership(actor=actor, achievement=achievement)
    if not registration_no.strip():
        raise InvalidInput(
            "registration_no_required", _("请填写成果登记号。"), fields={"registration_no": [_("必填。")]}
        )
    if registered_on > market_today():
        raise InvalidInput(
            "registered_on_future",
            _("登记日期不能晚于今天。"),
            fields={"registered_on": [_("不能晚于今天。")]},
        )
    if AchievementRegistration.objects.filter(achievement=achievement).exists():
        raise Conflict("already_registered", _("该成果已登记。"))
    return AchievementRegistration.objects.create(
        achievement=achievement,
        registration_no=registration_no.strip(),
        registered_on=registered_on,
        registered_by=actor,
    )


@dataclass
class RegistrationRunSummary:
    today: dt.date
    newly_overdue: int = 0
    holders_notified: int = 0


@transaction.atomic
def registration_overdue_run(*, today: dt.date | None = None) -> RegistrationRunSummary:
    """The registration duty's daily job: fiscally funded achievements whose project ended more
    than ``REGISTRATION_DUE_DAYS`` days ago and that are not registered. Each is recorded once
    (``RegistrationOverdueNotice``, inserted set-based) and announced once to the holder's admins
    and to the operators; ``registration_overdue`` lists all of them for the pages."""
    today = today or market_today()
    advisory_xact_lock(REGISTRATION_LOCK)
    days = settings.MARKET["REGISTRATION_DUE_DAYS"]
    inserted = rows(
        """
        INSERT INTO conversion_registrationoverduenotice (achievement_id, due_on, notified_on)
        SELECT a.id, a.funding_project_ended_on + %(days)s, %(today)s
        FROM listings_achievement a
        WHERE a.fiscally_funded AND a.funding_project_ended_on IS NOT NULL
          AND a.funding_project_ended_on + %(days)s < %(today)s
          AND NOT EXISTS (
              SELECT 1 FROM conversion_achievementregistration r WHERE r.achievement_id = a.id
          )
        ORDER BY a.id
        ON CONFLICT (achievement_id) DO NOTHING
        RETURNING achievement_id
        """,
        {"days": days, "today": today},
    )
    summary = RegistrationRunSummary(today=today, newly_overdue=len(inserted))
    if inserted:
        by_holder = Counter(
            Achievement.objects.filter(pk__in=[r[0] for r in inserted]).values_list("holder_id", flat=True)
        )
        notify_organizations(
            messages={
                holder: (
                    _("%(n)d 项科技成果逾期未登记") % {"n": n},
                    _("财政资金支持产生的科技成果应在项目结题后 %(days)d 日内完成登记，请尽快登记。")
                    % {"days": days},
                )
                for holder, n in by_holder.items()
            },
            roles=HOLDER_ROLES,
            kind="registration_overdue",
        )
        notify(
            operators=True,
            kind="registration_overdue",
            title=_("%(n)d 项科技成果逾期未登记") % {"n": len(inserted)},
            body=_("涉及 %(h)d 家单位。") % {"h": len(by_holder)},
        )
        summary.holders_notified = len(by_holder)
    log.info("registration_overdue_run done", extra={"summary": asdict(summary)})
    return summary
