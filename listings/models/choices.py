from django.db import models
from django.utils.translation import gettext_lazy as _


class Field(models.TextChoices):
    """Technology fields: the eight areas of 国家重点支持的高新技术领域, plus agriculture and other."""

    ELECTRONICS = "electronics", _("电子信息")
    BIOMEDICINE = "biomedicine", _("生物与新医药")
    AEROSPACE = "aerospace", _("航空航天")
    NEW_MATERIALS = "new_materials", _("新材料")
    TECH_SERVICES = "tech_services", _("高技术服务")
    NEW_ENERGY = "new_energy", _("新能源与节能")
    ENVIRONMENT = "environment", _("资源与环境")
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("先进制造与自动化")
    AGRICULTURE = "agriculture", _("现代农业")
    OTHER = "other", _("其他")


class Rights(models.TextChoices):
    """What the buyer gets (转化方式)."""

    TRANSFER = "transfer", _("转让")
    LICENSE_EXCLUSIVE = "license_exclusive", _("独占许可")
    LICENSE_SOLE = "license_sole", _("排他许可")
    LICENSE_GENERAL = "license_general", _("普通许可")
    EQUITY = "equity", _("作价投资")
    USE_FIRST = "use_first", _("先用后转")


class ConversionMethod(models.TextChoices):
    """How an achievement was converted (``Achievement.conversion_method``): what a buyer got, or
    the holder's own implementation, which a listing can never offer (hence not a ``Rights``)."""

    TRANSFER = "transfer", _("转让")
    LICENSE_EXCLUSIVE = "license_exclusive", _("独占许可")
    LICENSE_SOLE = "license_sole", _("排他许可")
    LICENSE_GENERAL = "license_general", _("普通许可")
    EQUITY = "equity", _("作价投资")
    USE_FIRST = "use_first", _("先用后转")
    SELF_IMPLEMENTATION = (
        "self_implementation",
        _("自行实施"),
    )  # declared by the holder, accepted by an operator


class ConversionStatus(models.TextChoices):
    UNCONVERTED = "unconverted", _("未转化")  # no deal, no accepted self-implementation
    CONVERTING = "converting", _("转化中")  # a deal or use-first agreement is under way
    CONVERTED = "converted", _("已转化")  # a concluded deal, or self-implementation accepted
