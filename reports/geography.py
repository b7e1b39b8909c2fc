"""China's six geographic areas (大区) and the provinces in each.

Partners carry their province as text (`Partner.region`, "上海", "浙江省", "Zhejiang"); reports
group provinces into the areas of the GB/T 2260 code's first digit, the division vendors already
use for their sales regions. A province the table does not know falls under "Other".
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.audience import province_key


class Area(models.TextChoices):
    NORTH = "north", _("North China")
    NORTHEAST = "northeast", _("Northeast")
    EAST = "east", _("East China")
    CENTRAL_SOUTH = "central_south", _("Central and South China")
    SOUTHWEST = "southwest", _("Southwest")
    NORTHWEST = "northwest", _("Northwest")
    HMT = "hmt", _("Hong Kong, Macao and Taiwan")
    OTHER = "other", _("Other")


# (Chinese short name, English name, area) in GB/T 2260 order.
PROVINCES: list[tuple[str, str, str]] = [
    ("北京", "Beijing", Area.NORTH),
    ("天津", "Tianjin", Area.NORTH),
    ("河北", "Hebei", Area.NORTH),
    ("山西", "Shanxi", Area.NORTH),
    ("内蒙古", "Inner Mongolia", Area.NORTH),
    ("辽宁", "Liaoning", Area.NORTHEAST),
    ("吉林", "Jilin", Area.NORTHEAST),
    ("黑龙江", "Heilongjiang", Area.NORTHEAST),
    ("上海", "Shanghai", Area.EAST),
    ("江苏", "Jiangsu", Area.EAST),
    ("浙江", "Zhejiang", Area.EAST),
    ("安徽", "Anhui", Area.EAST),
    ("福建", "Fujian", Area.EAST),
    ("江西", "Jiangxi", Area.EAST),
    ("山东", "Shandong", Area.EAST),
    ("河南", "Henan", Area.CENTRAL_SOUTH),
    ("湖北", "Hubei", Area.CENTRAL_SOUTH),
    ("湖南", "Hunan", Area.CENTRAL_SOUTH),
    ("广东", "Guangdong", Area.CENTRAL_SOUTH),
    ("广西", "Guangxi", Area.CENTRAL_SOUTH),
    ("海南", "Hainan", Area.CENTRAL_SOUTH),
    ("重庆", "Chongqing", Area.SOUTHWEST),
    ("四川", "Sichuan", Area.SOUTHWEST),
    ("贵州", "Guizhou", Area.SOUTHWEST),
    ("云南", "Yunnan", Area.SOUTHWEST),
    ("西藏", "Tibet", Area.SOUTHWEST),
    ("陕西", "Shaanxi", Area.NORTHWEST),
    ("甘肃", "Gansu", Area.NORTHWEST),
    ("青海", "Qinghai", Area.NORTHWEST),
    ("宁夏", "Ningxia", Area.NORTHWEST),
    ("新疆", "Xinjiang", Area.NORTHWEST),
    ("台湾", "Taiwan", Area.HMT),
    ("香港", "Hong Kong", Area.HMT),
    ("澳门", "Macao", Area.HMT),
]

# Long forms partners type that `province_key` does not shorten (autonomous regions).
_ALIASES = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}
_BY_KEY: dict[str, tuple[str, str, str]] = {}
for _row in PROVINCES:
    _BY_KEY[_row[0]] = _row
    _BY_KEY[_row[1].lower()] = _row


def province_of(region: str) -> tuple[str, str, str] | None:
    """(Chinese name, English name, area) of a partner's province text, or None if unknown."""
    text = " ".join(region.split())
    key = province_key(_ALIASES.get(text, text))
    return _BY_KEY.get(key) or _BY_KEY.get(key.lower())


def area_of(region: str) -> str:
    found = province_of(region)
    return found[2] if found else Area.OTHER


def province_label(region: str) -> str:
    """The province's name in the current language; unknown text is shown as typed."""
    from prm.core.bilingual import pick

    found = province_of(region)
    return pick(found[0], found[1]) if found else region


def regions_in_area(area: str, known: list[str]) -> list[str]:
    """Which of the partners' region texts fall in `area` (for filtering Partner.region)."""
    return [r for r in known if area_of(r) == area]
