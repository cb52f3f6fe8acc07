from .brokers import BrokerPoints, BrokerProfile, Mandate, MandateStatusChange
from .data_room import DataRoom, DataRoomAccess, DataRoomAccessStatusChange, DataRoomEvent, DataRoomFile
from .deals import ContractRegistrationChange, CreditEvent, Deal, DealConfirmation, DealStatusChange
from .intents import FixedPriceOutcome, PurchaseIntent
from .ledger import Journal, LedgerAccount, LedgerEntry
from .negotiation import (
    NoticeStatusChange,
    Objection,
    ObjectionStatusChange,
    Offer,
    OfferStatusChange,
    PublicNotice,
)
from .payments import BankTransfer, Payable, PayableStatusChange, PaymentReceipt
from .preemption import Preemption, PreemptionClaim, PreemptionClaimStatusChange
from .results import Result
from .settlement import ReconciliationRun, ReconciliationRunStatusChange, Settlement, SettlementPolicy

__all__ = [
    "BrokerPoints",
    "BrokerProfile",
    "Mandate",
    "MandateStatusChange",
    "BankTransfer",
    "ContractRegistrationChange",
    "CreditEvent",
    "DataRoom",
    "DataRoomAccess",
    "DataRoomAccessStatusChange",
    "DataRoomEvent",
    "DataRoomFile",
    "Deal",
    "DealConfirmation",
    "DealStatusChange",
    "FixedPriceOutcome",
    "Journal",
    "LedgerAccount",
    "LedgerEntry",
    "NoticeStatusChange",
    "Objection",
    "ObjectionStatusChange",
    "Offer",
    "OfferStatusChange",
    "Payable",
    "PayableStatusChange",
    "PaymentReceipt",
    "Preemption",
    "PreemptionClaim",
    "PreemptionClaimStatusChange",
    "PublicNotice",
    "PurchaseIntent",
    "ReconciliationRun",
    "ReconciliationRunStatusChange",
    "Result",
    "Settlement",
    "SettlementPolicy",
]
