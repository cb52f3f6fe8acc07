"""A payer says "I have paid": the bank receipt of an offline transfer, for the finance operator."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import ACTING_ROLES, membership_for_action
from accounts.services import notify
from core import files
from core.errors import Conflict, InvalidInput
from core.inputs import FieldErrors, text
from core.locks import payable_lock

from ..models import Payable, PaymentReceipt

RECEIPT_KINDS = files.DOCUMENTS  # a PDF from online banking, or a photo of the paper slip
RECEIPT_MAX_BYTES = 10 * files.MB


@transaction.atomic
def payment_receipt_submit(*, payable: Payable, actor: User, upload: Any, note: Any = "") -> PaymentReceipt:
    """The payer's member uploads the bank receipt of a deposit or balance it transferred.

    Money moves only when the bank's notification arrives or a finance operator confirms the
    transfer; the receipt tells the operator where to look, and the payer's page says it was sent.
    """
    membership_for_action(user=actor, organization=payable.payer_id, roles=ACTING_ROLES, verified=False)
    errors = FieldErrors()
    note = text(note, errors=errors, field="note", max_length=200, required=False)
    checked = files.upload_check(upload, kinds=RECEIPT_KINDS, max_bytes=RECEIPT_MAX_BYTES, errors=errors)
    if errors or checked is None:
        raise InvalidInput("invalid_receipt", _("回单未能上传，请按提示修改。"), fields=dict(errors))
    locked = payable_lock(payable)
    if not locked.is_incoming or locked.status != Payable.Status.PENDING:
        raise Conflict("payable_not_pending", _("该款项已付清或已取消，无需上传回单。"))
    receipt = PaymentReceipt.objects.create(
        payable=locked,
        file=files.upload_store(checked, prefix=f"receipts/{locked.pk}"),
        name=checked.display_name,
        kind=checked.kind.name,
        size=checked.size,
        sha256=checked.sha256,
        note=note,
        uploaded_by=actor,
    )
    notify(
        operators=True,
        kind="payment_receipt_submitted",
        title=_("%(org)s 上传了%(what)s付款回单") % {"org": locked.payer.name, "what": locked.purpose_label},
        body=_("付款识别码 %(ref)s，请核对到账后确认。") % {"ref": locked.payment_reference},
        link=reverse("marketplace:console_payments") + "?state=receipt",
    )
    return receipt
