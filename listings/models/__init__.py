from .achievements import Achievement, AchievementConversionChange, IntellectualProperty, Inventor
from .choices import ConversionMethod, ConversionStatus, Field, Rights
from .listing import InternalApproval, Listing, ListingStatusChange
from .use_first import (
    AchievementRegistration,
    Justification,
    RegistrationOverdueNotice,
    SelfImplementation,
    UseFirstEntry,
)

__all__ = [
    "Achievement",
    "AchievementConversionChange",
    "AchievementRegistration",
    "ConversionMethod",
    "ConversionStatus",
    "Field",
    "IntellectualProperty",
    "InternalApproval",
    "Inventor",
    "Justification",
    "Listing",
    "ListingStatusChange",
    "RegistrationOverdueNotice",
    "Rights",
    "SelfImplementation",
    "UseFirstEntry",
]
