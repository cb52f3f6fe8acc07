from .achievements import Achievement, AchievementConversionChange, IntellectualProperty, Inventor
from .choices import ConversionStatus, Field, Rights
from .listing import InternalApproval, Listing, ListingStatusChange
from .use_first import Justification, UseFirstEntry

__all__ = [
    "Achievement",
    "AchievementConversionChange",
    "ConversionStatus",
    "Field",
    "IntellectualProperty",
    "InternalApproval",
    "Inventor",
    "Justification",
    "Listing",
    "ListingStatusChange",
    "Rights",
    "UseFirstEntry",
]
