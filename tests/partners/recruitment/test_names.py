import pytest

from partners.models import Partner
from partners.recruitment.names import name_key_sql, normalize_name
from tests.factories import make_partner

CASES = [
    ("上海华东智能科技有限公司", "华东智能"),
    ("华东智能科技(上海)有限公司", "华东智能"),
    ("华东智能科技\uff08上海\uff09有限公司", "华东智能"),  # full-width brackets
    ("上海市华东智能科技股份有限公司", "华东智能"),
    ("深圳市南山创联科技有限公司", "南山创联"),
    ("深圳南山创联电子贸易有限责任公司", "南山创联"),
    ("北京中关村恒通科技集团有限公司", "中关村恒通"),
    ("广西壮族自治区南宁市八桂电子股份有限公司", "八桂"),
    ("江苏省南京金陵数码贸易有限公司", "金陵数码"),
    ("Shanghai Huadong Smart Tech Co., Ltd.", "huadongsmart"),
    ("Cosmo Trading Co.,Ltd", "cosmo"),
    ("HUADONG  SMART   LIMITED", "huadongsmart"),
    # Nothing distinctive left: the key keeps the whole name instead of becoming empty.
    ("上海科技有限公司", "上海科技"),
    ("", ""),
]


@pytest.mark.parametrize(("name", "key"), CASES)
def test_normalize_name(name, key):
    assert normalize_name(name) == key


@pytest.mark.django_db
def test_database_expression_gives_the_same_keys(in_a):
    """Partners are keyed in SQL, applications in Python: both must agree."""
    names = [name for name, _key in CASES if name]
    for name in names:
        make_partner(name=name)

    keys = dict(
        Partner.objects.filter(name__in=names)
        .annotate(key=name_key_sql("name"))
        .values_list("name", "key")
    )

    assert keys == {name: key for name, key in CASES if name}
