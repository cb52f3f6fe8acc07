from .agreements import (
    UseFirstAgreement,
    UseFirstAgreementStatusChange,
    UseFirstApplication,
    UseFirstApplicationStatusChange,
)
from .duty import (
    AchievementRegistration,
    Justification,
    JustificationStatusChange,
    RegistrationOverdueNotice,
    SelfImplementation,
    SelfImplementationStatusChange,
    UseFirstEntry,
)

__all__ = [
    "AchievementRegistration",
    "Justification",
    "JustificationStatusChange",
    "RegistrationOverdueNotice",
    "SelfImplementation",
    "SelfImplementationStatusChange",
    "UseFirstAgreement",
    "UseFirstAgreementStatusChange",
    "UseFirstApplication",
    "UseFirstApplicationStatusChange",
    "UseFirstEntry",
]
