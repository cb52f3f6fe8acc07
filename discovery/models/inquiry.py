"""Online inquiry (在线询价): questions and price inquiries on a published listing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from listings.models import Listing


class Question(models.Model):
    """A verified company's question (or price inquiry) on a listing, public or private to the
    holder. Public answered questions show on the listing; the holder answers within
    ``QUESTION_ANSWER_WORKING_DAYS`` working days (``answer_due_at``) or operators see it late."""

    class Status(models.TextChoices):
        OPEN = "open", _("待回答")  # waiting for the holder
        ANSWERED = "answered", _("已回答")  # the holder answered

    class Kind(models.TextChoices):
        QUESTION = "question", _("提问")
        PRICE = "price", _("询价")

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.QUESTION)
    body = models.TextField(_("问题"), max_length=2000)
    private = models.BooleanField(_("仅持有单位可见"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("回答"), max_length=5000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("询价提问")
        verbose_name_plural = _("询价提问")
        indexes = [
            models.Index(fields=["listing", "id"], name="question_listing"),
            models.Index(fields=["status", "answer_due_at"], name="question_status_due"),
            models.Index(fields=["holder", "created_at"], name="question_holder"),
        ]


class QuestionStatusChange(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Question.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Question.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
