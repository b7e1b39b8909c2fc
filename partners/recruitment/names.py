"""Company-name keys for duplicate search: the distinctive core of a name, without the region and
legal-form words every company shares ("上海华东智能科技有限公司" and "华东智能科技(上海)有限公司"
both become "华东智能").

The same steps exist twice: `normalize_name` in Python (stored on applications as `name_key`) and
`name_key_sql` as a database expression (for partners, whose table has no key column). Every step
is a regular expression written so that Python's `re` and PostgreSQL's ARE engine agree: literal
alternatives sorted longest first (first match in Python = longest match in PostgreSQL), fixed-width
look-arounds, and one character class spelled per dialect. A test checks both give the same keys.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Func, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Lower, NullIf


def _words(text: str) -> list[str]:
    return text.split()


PROVINCES = _words(
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 "
    "江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 "
    "台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
)
PROVINCE_SUFFIXES = _words("省 市 自治区 壮族自治区 回族自治区 维吾尔自治区 特别行政区")
CITIES = _words(
    "深圳 广州 东莞 佛山 珠海 中山 惠州 汕头 南京 苏州 无锡 常州 南通 "
    "扬州 徐州 杭州 宁波 温州 绍兴 嘉兴 金华 台州 合肥 芜湖 福州 厦门 "
    "泉州 南昌 济南 青岛 烟台 潍坊 郑州 洛阳 武汉 宜昌 襄阳 长沙 株洲 "
    "成都 绵阳 贵阳 昆明 西安 兰州 西宁 南宁 桂林 海口 三亚 拉萨 银川 "
    "乌鲁木齐 呼和浩特 包头 太原 石家庄 唐山 保定 沈阳 大连 长春 哈尔滨 "
    "大庆"
)
LEGAL_FORMS_ZH = _words(
    "股份有限公司 有限责任公司 有限公司 分公司 总公司 公司 集团 控股 股份 "
    "科技 技术 信息 贸易 商贸 工贸 电子 实业 发展 国际 中国"
)
# Whole words only: "co" must not eat the start of "cosmo".
WORDS_EN = _words(
    "co company corp corporation inc incorporated ltd limited llc plc gmbh group holding "
    "holdings technology technologies tech trading trade electronics electronic international "
    "intl industrial the china beijing tianjin shanghai chongqing hebei shanxi liaoning jilin "
    "heilongjiang jiangsu zhejiang anhui fujian jiangxi shandong henan hubei hunan guangdong "
    "hainan sichuan guizhou yunnan shaanxi gansu qinghai guangxi xizang tibet ningxia "
    "xinjiang hongkong macau macao shenzhen guangzhou dongguan foshan zhuhai zhongshan "
    "huizhou nanjing suzhou wuxi changzhou nantong hangzhou ningbo wenzhou hefei fuzhou "
    "xiamen quanzhou nanchang jinan qingdao zhengzhou wuhan changsha chengdu guiyang kunming "
    "lanzhou nanning haikou shenyang dalian changchun harbin taiyuan shijiazhuang"
)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


_ZH_AFFIXES = (
    [p + s for p in PROVINCES for s in PROVINCE_SUFFIXES]
    + PROVINCES
    + [c + "市" for c in CITIES]
    + CITIES
    + LEGAL_FORMS_ZH
)
_EN_WORDS = _alternation(WORDS_EN)

# (python pattern, postgresql pattern, replacement), applied in order after NFKC + lower case.
PUNCTUATION = (r"[\W_]+", r"[^[:alnum:]]+", " ")
STEPS = [
    PUNCTUATION,
    (rf"(?<![0-9a-z])(?:{_EN_WORDS})(?![0-9a-z])",) * 2 + ("",),
    (f"(?:{_alternation(_ZH_AFFIXES)})",) * 2 + ("",),
    (r"\s+", r"\s+", ""),
]
_COMPILED = [(re.compile(py), repl) for py, _pg, repl in STEPS]
_PUNCT = re.compile(PUNCTUATION[0])
LEGAL_SUFFIX = "(?:股份有限公司|有限责任公司|有限公司|分公司|总公司|公司)$"  # same in both dialects
_LEGAL_SUFFIX = re.compile(LEGAL_SUFFIX)


def normalize_name(name: str) -> str:
    """The duplicate-search key of a company name; never empty for a name with letters in it."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    key = text
    for pattern, repl in _COMPILED:
        key = pattern.sub(repl, key)
    if key:
        return key
    # A name made only of affixes ("上海科技有限公司") keeps its words but its legal form
    # ("上海科技"): it matches itself and "上海科技股份有限公司", not every other all-affix name.
    bare = _PUNCT.sub("", text)
    return _LEGAL_SUFFIX.sub("", bare) or bare


class _RegexpReplace(Func):
    function = "regexp_replace"

    def __init__(self, expression: Combinable, pattern: str, replacement: str) -> None:
        super().__init__(expression, Value(pattern), Value(replacement), Value("g"))


class _Nfkc(Func):
    template = "normalize(%(expressions)s, NFKC)"


def name_key_sql(field: str) -> Combinable:
    """`normalize_name` as a database expression over a name column."""
    from django.db.models import F

    text = Lower(_Nfkc(F(field)))
    key: Combinable = text
    for _py, pg, repl in STEPS:
        key = _RegexpReplace(key, pg, repl)
    bare = _RegexpReplace(text, PUNCTUATION[1], "")
    fallback = Coalesce(NullIf(_RegexpReplace(bare, LEGAL_SUFFIX, ""), Value("")), bare)
    return Coalesce(NullIf(key, Value("")), fallback)
