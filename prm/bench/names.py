"""Realistic Chinese and English company names, phones, domains and credit codes for benchmark
data: the same company written differently by two registrants, typos, as partners really type."""

from __future__ import annotations

import random
from dataclasses import dataclass

from partners.credit_code import check_character


def _words(text: str) -> list[str]:
    return text.split()


CORE_CHARS = "".join(
    dict.fromkeys(
        "华腾飞星河恒通达鑫源盛泰宏瑞安康博创新金银龙凤海天中永利佳兴隆昌顺丰和美嘉信诚德正光明"
        "辉煌远航宇宙云峰山川林森泽晨曦阳春秋朗景智慧睿思维聚合汇集联邦万千百亿兆方圆立志高精尖锐"
        "捷迅乐欣悦喜庆福寿禄祥吉麒麟鹏鹰雁鸿鹤豹狮虎象驰骋跃进展拓宽广众民家园城港湾岛洋洲桥梁"
        "航运讯芯屏声能动力池车船器仪表控节水绿色态农牧渔药养妆服饰纺织印染品饮酒茶糖果蔬凯旋铭"
        "宝玉珠翠晶钢铁铜铝锦绣雅韵诺亚奥迪维斯特尔德曼普罗威尼赛克森"
    )
)
CITIES = _words("深圳 广州 东莞 佛山 苏州 杭州 宁波 南京 武汉 成都 西安 合肥 厦门 青岛 长沙 郑州")
PROVINCES = _words("广东 江苏 浙江 山东 湖北 四川 福建 河南 安徽 湖南")
TRADES = _words(
    "智能 数码 网络 软件 电气 机械 医疗器械 物流 能源 环保 建设 装备 传感 自动化 "
    "信息技术 科技 电子 贸易 实业 精密 光电 新材料 生物 半导体"
)
FORMS_ZH = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
CONSONANTS = _words("b c d f g h k l m n p r s t v w z br cr dr gr kr pr st tr")
VOWELS = _words("a e i o u ai ea io")
ENDINGS = ["", "", "n", "r", "s", "x", "l", "th", "ck"]
FORMS_EN = {  # as the first registrant wrote it: as someone else writes it
    "Technology Co., Ltd.": "TECH COMPANY LIMITED",
    "Electronics Limited": "Electronic Ltd",
    "Inc.": "Incorporated",
    "GmbH": "GMBH",
    "Corporation": "Corp.",
    "Trading Co., Ltd.": "Trading Company Limited",
    "Holdings Limited": "Holding Ltd.",
    "Industrial Co., Ltd.": "Industrial Company Limited",
    "Systems Inc.": "SYSTEMS, INC",
}
CITIES_EN = ["Shenzhen", "Shanghai", "Suzhou", "Hangzhou", "Beijing", "Guangzhou"]
AREA_CODES = ["0755", "020", "0769", "0757", "0512", "0571", "0574", "025", "027", "028", "021"]
PUBLIC_MAIL = ["qq.com", "163.com", "126.com", "gmail.com", "foxmail.com"]
TLDS = [".com.cn", ".cn", ".com", ".net"]
CODE_AREAS = ["440300", "310115", "320500", "330100"]


@dataclass(frozen=True)
class Company:
    core: str  # the distinctive part, as written
    zh: bool
    city: str
    trade: str
    form: str

    def name(self) -> str:
        """As the first registrant wrote it."""
        if not self.zh:
            city = f"{self.city} " if self.city else ""
            return f"{city}{self.core} {self.trade}{self.form}".replace("  ", " ")
        if self.city in PROVINCES:
            return f"{self.city}省{self.core}{self.trade}{self.form}"
        if self.city:
            return f"{self.city}市{self.core}{self.trade}{self.form}"
        return f"{self.core}{self.trade}{self.form}"

    def variant(self) -> str:
        """The same company as someone else writes it."""
        if not self.zh:
            return f"{self.core.upper()}  {FORMS_EN[self.form]}"
        city = f"（{self.city}）" if self.city else ""
        form = "股份有限公司" if self.form == "有限公司" else "有限公司"
        return f"{self.core}{self.trade}{city}{form}"

    def typo(self, rng: random.Random) -> str:
        """One wrong character in the distinctive part."""
        at = rng.randrange(0 if self.zh else 1, len(self.core))  # English: keep the capital
        pool = CORE_CHARS if self.zh else "aeioulnrst"
        wrong = rng.choice([c for c in pool if c != self.core[at].lower()])
        return Company(
            self.core[:at] + wrong + self.core[at + 1 :], self.zh, self.city, self.trade, self.form
        ).name()


class Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _word(self) -> str:
        rng = self.rng
        syllables = [rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(rng.randint(2, 3))]
        return ("".join(syllables) + rng.choice(ENDINGS)).capitalize()

    def company(self) -> Company:
        rng = self.rng
        if rng.random() < 0.75:
            core = "".join(rng.choice(CORE_CHARS) for _ in range(rng.choice((2, 2, 3, 3, 4))))
            city = rng.choice([*CITIES, *PROVINCES, "", ""])
            trade = rng.choice([*TRADES, ""])
            return Company(core, True, city, trade, rng.choice(FORMS_ZH))
        core = " ".join(self._word() for _ in range(rng.choice((1, 1, 2))))
        city = rng.choice([*CITIES_EN, "", "", "", ""])
        return Company(core, False, city, "", rng.choice(list(FORMS_EN)))

    def domain(self, company: Company) -> str:
        stem = company.core.lower().replace(" ", "") if not company.zh else self._word().lower()
        return stem + str(self.rng.randint(1, 999)) + self.rng.choice(TLDS)

    def landline(self) -> tuple[str, str]:
        """(as stored, as typed by someone else) for one landline."""
        rng = self.rng
        area = rng.choice(AREA_CODES)
        number = f"{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}"
        typed = rng.choice(  # with the trunk 0, or after +86 without it
            (f"({area}) {number[:4]} {number[4:]}", f"+86 {area[1:]} {number[:4]} {number[4:]}")
        )
        return f"{area}-{number}", typed

    def mobile(self) -> tuple[str, str]:
        number = f"1{self.rng.choice('3456789')}{self.rng.randint(0, 999_999_999):09d}"
        return number, f"+86 {number[:3]} {number[3:7]} {number[7:]}"


def credit_code(n: int, *, kind: str = "91") -> str:
    """A valid unified social credit code, distinct for each n."""
    first17 = f"{kind}{CODE_AREAS[n % len(CODE_AREAS)]}MA{n:07d}"
    return first17 + check_character(first17)
