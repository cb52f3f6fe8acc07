"""资料室 (``DataRoom``): a listing's confidential documents behind the holder's NDA, the companies'
access to them, and the log of every look (GLOSSARY.md: ``DataRoom`` / ``nda_version``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from listings.models import Listing


class DataRoom(models.Model):
    """A listing's data room. ``nda_version`` goes up each time the holder changes the NDA text, so
    an acceptance names exactly the text that was accepted."""

    listing = models.OneToOneField(Listing, on_delete=models.PROTECT, related_name="data_room")
    nda_text = models.TextField(_("保密协议"))
    nda_version = models.PositiveIntegerField(_("保密协议版本"), default=1)
    requires_approval = models.BooleanField(
        _("查阅须经本单位同意"),
        default=False,
        help_text=_("开启后，受让方接受保密协议后还须经本单位同意才能查阅。"),
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("资料室")
        verbose_name_plural = _("资料室")


class DataRoomFile(models.Model):
    """A document in the data room, checked by ``core.files`` and stored under a random name; it is
    served only through a short-lived signed link to an organization with access."""

    room = models.ForeignKey(DataRoom, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("文件"), max_length=200)
    name = models.CharField(_("文件名"), max_length=120)
    kind = models.CharField(max_length=8)  # a key of core.files.KINDS
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="data_room_file_size_positive")]

    def __str__(self) -> str:
        return self.name


class DataRoomAccess(models.Model):
    """A company's access to a data room: the NDA it accepted (version, time, person, address) and
    the holder's answer where the holder approves each request."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待同意")  # NDA accepted; the holder approves each request
        GRANTED = "granted", _("可查阅")  # may open the files
        REJECTED = "rejected", _("未同意")  # the holder said no (it may still grant later)
        REVOKED = "revoked", _("已撤销")  # the holder ended the access; links stop at once

    room = models.ForeignKey(DataRoom, on_delete=models.PROTECT, related_name="accesses")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="data_room_accesses"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    nda_version = models.PositiveIntegerField(_("接受的保密协议版本"))
    nda_accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nda_accepted_at = models.DateTimeField(_("接受时间"))
    nda_accepted_from = models.GenericIPAddressField(_("接受时的地址"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("资料室查阅权限")
        verbose_name_plural = _("资料室查阅权限")
        constraints = [
            models.UniqueConstraint(fields=["room", "organization"], name="data_room_access_once"),
        ]


class DataRoomAccessStatusChange(models.Model):
    access = models.ForeignKey(DataRoomAccess, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class DataRoomEvent(models.Model):
    """One look into a data room, never changed: the file list opened (``view``, the links handed
    out) or a file fetched through its link (``download``)."""

    class Action(models.TextChoices):
        VIEW = "view", _("查看目录")
        DOWNLOAD = "download", _("下载文件")

    room = models.ForeignKey(DataRoom, on_delete=models.PROTECT, related_name="events")
    access = models.ForeignKey(DataRoomAccess, on_delete=models.PROTECT, related_name="events")
    file = models.ForeignKey(
        DataRoomFile, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    address = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-id",)
        indexes = [models.Index(fields=["room", "-id"], name="data_room_event_room")]
