"""What people read: times in Asia/Shanghai and money as the pages write it, for every text built
outside a template (notifications, e-mails, documents, messages). Templates use the ``market``
filters, which call these, so a page and the e-mail about it say the same thing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware moment as a reader in China writes it (Asia/Shanghai, whatever the process's
    current time zone); ``—`` for none."""
    if moment is None:
        return "—"
    return moment.astimezone(SHANGHAI).strftime(fmt)


def local_date(moment: dt.datetime | None) -> str:
    return local_time(moment, "%Y-%m-%d")
