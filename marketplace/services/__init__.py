"""Every write of the marketplace. Other apps (auctions) call these names; keep them stable."""

from .deals import deal_conclude, deal_transition
from .leaving import listing_engagements_withdraw
from .ledger import account_for, journal_post, journal_reverse
from .payables import deposit_create, deposit_release
from .payments import payable_confirm, payment_receive
from .preemption import preemption_claim, preemption_holder_check, preemption_record
from .receipts import payment_receipt_submit
from .results import result_publish

__all__ = [
    "account_for",
    "deal_conclude",
    "deal_transition",
    "deposit_create",
    "deposit_release",
    "journal_post",
    "journal_reverse",
    "listing_engagements_withdraw",
    "payable_confirm",
    "payment_receive",
    "payment_receipt_submit",
    "preemption_claim",
    "preemption_holder_check",
    "preemption_record",
    "result_publish",
]
