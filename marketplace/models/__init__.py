from .deals import CreditEvent, Deal, DealStatusChange
from .ledger import Journal, LedgerAccount, LedgerEntry
from .payments import BankTransfer, Payable, PayableStatusChange
from .results import Result

__all__ = [
    "BankTransfer",
    "CreditEvent",
    "Deal",
    "DealStatusChange",
    "Journal",
    "LedgerAccount",
    "LedgerEntry",
    "Payable",
    "PayableStatusChange",
    "Result",
]
