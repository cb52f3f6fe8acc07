from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .achievements import Achievement


class AchievementAttachment(models.Model):
    """A file shown with an achievement (附件): a patent certificate, a photo, a brochure.

    Achievements are public records, and so are their attachments. The file was checked by
    ``core.files.upload_check`` (kind read from its content, size bounded) and stored under a
    random name; ``name`` is the client's file name, kept only to show and to download as.
    """

    class Role(models.TextChoices):
        CERTIFICATE = "certificate", _("专利证书")
        PHOTO = "photo", _("图片")
        BROCHURE = "brochure", _("宣传册")
        OTHER = "other", _("其他资料")

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="attachments")
    role = models.CharField(_("类别"), max_length=16, choices=Role.choices)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    file = models.FileField(_("文件"), max_length=200)
    name = models.CharField(_("文件名"), max_length=120)
    kind = models.CharField(max_length=8)  # a key of core.files.KINDS
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_size_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.kind in ("png", "jpeg", "webp")
