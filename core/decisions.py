"""决定 (``Decision``): one vocabulary for every operator or party decision (GLOSSARY.md).

A decision is one of a few words; each kind of decision allows two of them, a yes and a no
(``Choice``). The words are API.md's, so clients keep sending what they send today:

=========================  =========  ==========  ===========================================
decision                   yes        no          reason required on
=========================  =========  ==========  ===========================================
review (organization,      approve    reject      reject
listing, internal approval)
acceptance (justification, accept     reject      both
self-implementation)
objection                  uphold     dismiss     both (the operator explains either way)
refusal appeal             uphold     overturn    both
risk alert (operators)     act        acknowledge act and investigate (the third word)
=========================  =========  ==========  ===========================================

A risk alert allows a third word, ``investigate`` (``Choice.more``): it stays under watch.

A service parses the raw word once with ``decision_parse`` (400 ``invalid_decision`` on a word its
choice does not allow) and checks the reason with ``require_reason``; after that it compares
against ``Decision`` members, never against strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import InvalidInput


class Decision(models.TextChoices):
    APPROVE = "approve", gettext_lazy("通过")  # a review lets the thing in
    REJECT = "reject", gettext_lazy("驳回")  # a review or an acceptance turns it down
    ACCEPT = "accept", gettext_lazy("认可")  # a filing (justification, self-implementation) holds
    UPHOLD = "uphold", gettext_lazy("成立")  # an objection or a refusal stands
    DISMISS = "dismiss", gettext_lazy("不成立")  # an objection falls
    OVERTURN = "overturn", gettext_lazy("推翻")  # a refusal falls
    ACT = "act", gettext_lazy("处置")  # a risk alert was acted on (the action is in the reason)
    ACKNOWLEDGE = "acknowledge", gettext_lazy("知悉")  # a risk alert was seen; nothing to do
    INVESTIGATE = "investigate", gettext_lazy("调查")  # a risk alert is being looked into


@dataclass(frozen=True)
class Choice:
    """The words one kind of decision allows (a yes, a no, and for a few kinds ``more``), and on
    which of them a reason is required."""

    yes: Decision
    no: Decision
    reason_on: frozenset[Decision]
    more: tuple[Decision, ...] = ()

    @property
    def words(self) -> tuple[Decision, ...]:
        return (self.yes, self.no, *self.more)

    @property
    def api_choices(self) -> list[tuple[str, str]]:
        """The two words as a serializer's choices (the API shows the word itself)."""
        return [(word.value, word.value) for word in self.words]

    def form_choices(self, *, yes: Any, no: Any) -> list[tuple[str, Any]]:
        """The two words as a form's choices, with the page's own labels for them."""
        return [(self.yes.value, yes), (self.no.value, no)]


REVIEW = Choice(Decision.APPROVE, Decision.REJECT, frozenset({Decision.REJECT}))
ACCEPTANCE = Choice(Decision.ACCEPT, Decision.REJECT, frozenset({Decision.ACCEPT, Decision.REJECT}))
OBJECTION = Choice(Decision.UPHOLD, Decision.DISMISS, frozenset({Decision.UPHOLD, Decision.DISMISS}))
APPEAL = Choice(Decision.UPHOLD, Decision.OVERTURN, frozenset({Decision.UPHOLD, Decision.OVERTURN}))
RISK_ALERT = Choice(
    Decision.ACT,
    Decision.ACKNOWLEDGE,
    frozenset({Decision.ACT, Decision.INVESTIGATE}),
    more=(Decision.INVESTIGATE,),
)

# The OpenAPI enum of a review's decision (settings.SPECTACULAR_SETTINGS names it by this path).
REVIEW_API_CHOICES = REVIEW.api_choices


def decision_parse(value: Any, *, choice: Choice, detail: str = "") -> Decision:
    """The raw word as a ``Decision`` that ``choice`` allows; 400 ``invalid_decision`` otherwise
    (``detail`` overrides the default text)."""
    if value not in choice.words:
        allowed = (
            _("结论应为 %(words)s 之一。") % {"words": "、".join(w.value for w in choice.words)}
            if choice.more
            else _("结论应为 %(yes)s 或 %(no)s。") % {"yes": choice.yes.value, "no": choice.no.value}
        )
        raise InvalidInput("invalid_decision", detail or allowed, fields={"decision": [_("无效的选项。")]})
    return Decision(value)


def require_reason(
    decision: Decision,
    reason: str | None,
    *,
    choice: Choice,
    detail: str = "",
    field: str = "reason",
    hint: str = "",
) -> str:
    """The stripped reason; 400 ``reason_required`` when ``choice`` requires one for ``decision``
    and none was given (``detail`` overrides the default text, ``field`` names the form field,
    ``hint`` overrides the text shown at the field)."""
    reason = (reason or "").strip()
    if decision in choice.reason_on and not reason:
        raise InvalidInput(
            "reason_required", detail or _("请填写理由。"), fields={field: [hint or _("请填写理由。")]}
        )
    return reason
