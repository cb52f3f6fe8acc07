from .achievements import Achievement, AchievementConversionChange, IntellectualProperty, Inventor
from .attachments import AchievementAttachment
from .choices import ConversionMethod, ConversionStatus, Field, Rights
from .listing import InternalApproval, Listing, ListingStatusChange

__all__ = [
    "Achievement",
    "AchievementAttachment",
    "AchievementConversionChange",
    "ConversionMethod",
    "ConversionStatus",
    "Field",
    "IntellectualProperty",
    "InternalApproval",
    "Inventor",
    "Listing",
    "ListingStatusChange",
    "Rights",
]
