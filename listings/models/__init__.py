from .achievements import Achievement, AchievementConversionChange, IntellectualProperty, Inventor
from .choices import ConversionMethod, ConversionStatus, Field, Rights
from .listing import InternalApproval, Listing, ListingStatusChange

__all__ = [
    "Achievement",
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
