"""Development mail: each e-mail as one readable UTF-8 text file under ``var/mail/`` (the subject
and the addresses decoded, the body as written), instead of raw MIME on the console, where the
demo data's few hundred messages drowned the run's output. ``python3 dev.py run`` says where they
are; production sets ``EMAIL_BACKEND`` to its SMTP backend."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from .display import SHANGHAI

_counter = itertools.count(1)
_lock = threading.Lock()


def mailbox_dir() -> Path:
    return Path(getattr(settings, "EMAIL_FILE_PATH", None) or Path(settings.BASE_DIR) / "var" / "mail")


class MailboxBackend(BaseEmailBackend):
    """Writes every message to ``EMAIL_FILE_PATH`` (default ``var/mail/``), one file each, named by
    the Asia/Shanghai time of sending and a counter, so ``ls`` lists them in order."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = mailbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            now = dt.datetime.now(SHANGHAI)
            with _lock:
                number = next(_counter)
            path = folder / f"{now:%Y%m%d-%H%M%S}-{number:05d}.txt"
            path.write_text(self._text(message, now), encoding="utf-8")
            sent += 1
        return sent

    @staticmethod
    def _text(message: EmailMessage, now: Any) -> str:
        return (
            f"时间: {now:%Y-%m-%d %H:%M:%S}\n"
            f"发件人: {message.from_email}\n"
            f"收件人: {', '.join(message.to)}\n"
            f"主题: {message.subject}\n\n{message.body}\n"
        )
