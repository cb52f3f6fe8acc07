"""Attachments of an achievement (专利证书, 图片, 宣传册): added and removed by the holder's editors."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import membership_for_action
from core import files
from core.effects import after_commit
from core.errors import Conflict, InvalidInput
from core.inputs import FieldErrors, choice, text
from core.locks import achievement_lock

from ..models import Achievement, AchievementAttachment
from ..selectors import HOLDER_EDITOR_ROLES

Role = AchievementAttachment.Role

# What each kind of attachment may be, and how large: photos are pictures, a brochure is a PDF.
ATTACHMENT_KINDS: dict[str, tuple[str, ...]] = {
    Role.CERTIFICATE: files.DOCUMENTS,
    Role.PHOTO: files.IMAGES,
    Role.BROCHURE: ("pdf",),
    Role.OTHER: files.DOCUMENTS,
}
IMAGE_MAX_BYTES = 5 * files.MB
PDF_MAX_BYTES = 20 * files.MB
ATTACHMENTS_MAX = 20


def attachment_add(
    *, achievement: Achievement, actor: User, upload: Any, role: Any, caption: Any = ""
) -> AchievementAttachment:
    """Check the file (kind from its content, size by kind) and keep it with the achievement.

    Attachments may be added while the achievement is listed: they illustrate it, they are not
    the terms on offer.
    """
    membership_for_action(user=actor, organization=achievement.holder_id, roles=HOLDER_EDITOR_ROLES)
    errors = FieldErrors()
    role = choice(role, errors=errors, field="role", choices=Role)
    caption = text(caption, errors=errors, field="caption", max_length=100, required=False)
    checked = None
    if role:
        kinds = ATTACHMENT_KINDS[role]
        limit = PDF_MAX_BYTES if "pdf" in kinds else IMAGE_MAX_BYTES
        checked = files.upload_check(upload, kinds=kinds, max_bytes=limit, errors=errors, field="file")
        if checked and checked.kind.is_image and checked.size > IMAGE_MAX_BYTES:
            errors.add("file", _("图片不能超过 5 MB。"))
    if errors or checked is None:
        raise InvalidInput("invalid_attachment", _("附件未能上传，请按提示修改。"), fields=dict(errors))
    with transaction.atomic():
        locked = achievement_lock(achievement)
        if AchievementAttachment.objects.filter(achievement=locked).count() >= ATTACHMENTS_MAX:
            raise Conflict(
                "attachments_full",
                _("每项成果最多 %(n)s 个附件，请先删除不需要的。") % {"n": ATTACHMENTS_MAX},
            )
        stored = files.upload_store(checked, prefix=f"achievements/{locked.pk}")
        attachment = AchievementAttachment.objects.create(
            achievement=locked,
            role=role,
            caption=caption,
            file=stored,
            name=checked.display_name,
            kind=checked.kind.name,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
    return attachment


def attachment_remove(*, attachment: AchievementAttachment, actor: User) -> None:
    """The holder's editors remove an attachment; its stored file goes after commit."""
    membership_for_action(
        user=actor, organization=attachment.achievement.holder_id, roles=HOLDER_EDITOR_ROLES
    )
    name = attachment.file.name or ""
    storage = attachment.file.storage
    with transaction.atomic():
        achievement_lock(attachment.achievement_id)
        AchievementAttachment.objects.filter(pk=attachment.pk).delete()
        after_commit(lambda: storage.delete(name))
