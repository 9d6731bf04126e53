"""Chinese person names and their pinyin initials.

``name_initials`` is what the roster searches by ("zxm" finds 张晓明).  pypinyin picks
a character's most common reading, which is wrong for many surnames (曾 is "zeng" as a
surname, pypinyin says "ceng"), and counter staff type whichever reading they hear, so
surnames with several readings keep every reading: 曾晓明 → "zxm cxm".

pypinyin is slow (tens of microseconds a call) and the demo seeder builds a million
names, so each distinct character is looked up once and cached.
"""

from __future__ import annotations

from functools import cache

from pypinyin import Style, lazy_pinyin

# Compound surnames (复姓) are matched before single ones; their readings are fixed.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "欧阳": ("oy",),
    "司马": ("sm",),
    "诸葛": ("zg",),
    "上官": ("sg",),
    "东方": ("df",),
    "皇甫": ("hf",),
    "令狐": ("lh",),
    "慕容": ("mr",),
    "尉迟": ("yc", "wc"),
    "长孙": ("zs", "cs"),
    "夏侯": ("xh",),
    "公孙": ("gs",),
    "司徒": ("st",),
    "端木": ("dm",),
    "宇文": ("yw",),
    "万俟": ("mq", "wq"),
    "澹台": ("tt", "dt"),
    "呼延": ("hy",),
    "独孤": ("dg",),
    "南宫": ("ng",),
    "轩辕": ("xy",),
    "西门": ("xm",),
}

# Single surnames read differently as a surname, or commonly misread: the surname
# reading first, then the everyday reading people also type.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("z", "c"),  # zeng / ceng
    "单": ("s", "d"),  # shan / dan
    "解": ("x", "j"),  # xie / jie
    "仇": ("q", "c"),  # qiu / chou
    "朴": ("p",),  # piao / pu: one initial
    "查": ("z", "c"),  # zha / cha
    "区": ("o", "q"),  # ou / qu
    "覃": ("q", "t"),  # qin / tan
    "乐": ("y", "l"),  # yue / le
    "召": ("s", "z"),  # shao / zhao
    "繁": ("p", "f"),  # po / fan
    "句": ("g", "j"),  # gou / ju
    "秘": ("b", "m"),  # bi / mi
    "翟": ("z", "d"),  # zhai / di
    "宓": ("m", "f"),  # mi / fu
    "隗": ("w", "k"),  # wei / kui
    "种": ("c", "z"),  # chong / zhong
    "折": ("s", "z"),  # she / zhe
    "尉": ("w", "y"),  # wei / yu
    "长": ("c", "z"),  # chang / zhang
    "藏": ("z", "c"),  # zang / cang
    "盖": ("g",),  # ge / gai: one initial
    "员": ("y",),  # yun / yuan: one initial
}


@cache
def char_initial(char: str) -> str:
    """The lowercase first letter of ``char``'s usual reading; '' for punctuation."""
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    if not char.isalnum():  # 阿不都·热合曼: the middle dot is not a letter
        return ""
    letters = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return letters[0][:1].lower() if letters and letters[0] else ""


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name); compound surnames recognised, otherwise the first character."""
    name = name.strip()
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


@cache
def surname_initials(surname: str) -> tuple[str, ...]:
    """Every reading's initials of ``surname``, the surname reading first."""
    if surname in COMPOUND_SURNAMES:
        return COMPOUND_SURNAMES[surname]
    if surname in SURNAME_READINGS:
        return SURNAME_READINGS[surname]
    return ("".join(char_initial(c) for c in surname),)


def given_initials(given: str) -> str:
    return "".join(char_initial(c) for c in given)


def name_initials(name: str) -> str:
    """张晓明 → "zxm"; 曾晓明 → "zxm cxm" (every reading of the surname, space separated)."""
    if not name.strip():
        return ""
    if name.isascii():  # "Tom Li": a foreign guest's name, one initial per word
        return "".join(char_initial(word[0]) for word in name.split())
    surname, given = split_surname(name)
    rest = given_initials(given)
    variants: list[str] = []
    for head in surname_initials(surname):
        variant = head + rest
        if variant and variant not in variants:
            variants.append(variant)
    return " ".join(variants)


# Surnames with weights in tenths of a percent of the population, roughly as the 2020
# census ranks them; the rare ones (compound, several readings) keep a small weight so a
# demo roster shows a handful of each.
SURNAME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("王", 71.0), ("李", 70.0), ("张", 67.0), ("刘", 54.0), ("陈", 46.0),
    ("杨", 31.0), ("黄", 25.0), ("赵", 23.0), ("吴", 20.0), ("周", 19.0),
    ("徐", 15.0), ("孙", 15.0), ("马", 13.0), ("朱", 12.0), ("胡", 12.0),
    ("郭", 11.0), ("何", 11.0), ("林", 10.0), ("高", 10.0), ("罗", 9.0),
    ("郑", 9.0), ("梁", 8.0), ("谢", 7.0), ("宋", 6.0), ("唐", 6.0),
    ("许", 6.0), ("韩", 6.0), ("冯", 5.0), ("邓", 5.0), ("曹", 5.0),
    ("彭", 5.0), ("曾", 5.0), ("肖", 5.0), ("田", 4.0), ("董", 4.0),
    ("袁", 4.0), ("潘", 4.0), ("于", 4.0), ("蒋", 4.0), ("蔡", 4.0),
    ("余", 4.0), ("杜", 4.0), ("叶", 4.0), ("程", 4.0), ("苏", 3.0),
    ("魏", 3.0), ("吕", 3.0), ("丁", 3.0), ("任", 3.0), ("沈", 3.0),
    ("姚", 3.0), ("卢", 3.0), ("姜", 3.0), ("崔", 3.0), ("钟", 3.0),
    ("谭", 3.0), ("陆", 3.0), ("汪", 3.0), ("范", 3.0), ("金", 3.0),
    ("石", 3.0), ("廖", 3.0), ("贾", 2.5), ("夏", 2.5), ("韦", 2.5),
    ("付", 2.5), ("方", 2.5), ("白", 2.5), ("邹", 2.5), ("孟", 2.5),
    ("熊", 2.5), ("秦", 2.5), ("邱", 2.5), ("江", 2.5), ("尹", 2.5),
    ("薛", 2.0), ("闫", 2.0), ("段", 2.0), ("雷", 2.0), ("侯", 2.0),
    ("龙", 2.0), ("史", 2.0), ("陶", 2.0), ("黎", 2.0), ("贺", 2.0),
    ("顾", 2.0), ("毛", 2.0), ("郝", 2.0), ("龚", 2.0), ("邵", 2.0),
    ("万", 2.0), ("钱", 2.0), ("严", 2.0), ("覃", 1.5), ("武", 1.5),
    ("戴", 1.5), ("莫", 1.5), ("孔", 1.5), ("向", 1.5), ("汤", 1.5),
    ("常", 1.2), ("温", 1.2), ("康", 1.2), ("施", 1.2), ("文", 1.2),
    ("牛", 1.2), ("樊", 1.2), ("葛", 1.2), ("邢", 1.2), ("安", 1.0),
    ("齐", 1.0), ("易", 1.0), ("乔", 1.0), ("伍", 1.0), ("庞", 1.0),
    ("颜", 1.0), ("倪", 1.0), ("庄", 1.0), ("聂", 1.0), ("章", 1.0),
    ("鲁", 0.9), ("岳", 0.9), ("翟", 0.9), ("殷", 0.9), ("詹", 0.9),
    ("申", 0.9), ("欧", 0.9), ("耿", 0.9), ("关", 0.9), ("兰", 0.9),
    ("焦", 0.8), ("俞", 0.8), ("左", 0.8), ("柳", 0.8), ("甘", 0.8),
    ("祝", 0.8), ("包", 0.8), ("宁", 0.8), ("尚", 0.8), ("符", 0.8),
    ("舒", 0.7), ("阮", 0.7), ("柯", 0.7), ("纪", 0.7), ("梅", 0.7),
    ("童", 0.7), ("凌", 0.7), ("毕", 0.7), ("单", 0.6), ("解", 0.4),
    ("仇", 0.3), ("朴", 0.3), ("查", 0.3), ("区", 0.2), ("乐", 0.3),
    ("缪", 0.2), ("冼", 0.2), ("欧阳", 0.5), ("司马", 0.1), ("诸葛", 0.05),
    ("上官", 0.08), ("东方", 0.05), ("皇甫", 0.05), ("令狐", 0.03), ("慕容", 0.03),
    ("尉迟", 0.02), ("长孙", 0.02), ("夏侯", 0.03), ("公孙", 0.03), ("司徒", 0.08),
    ("端木", 0.02), ("宇文", 0.02),
)  # fmt: skip

# Given-name characters, as parents actually pick them; a given name is one character
# (about a quarter of adults) or a first and a second character.
MALE_FIRST = (
    "伟志建国俊文明永海晓子浩宇家一天嘉思博振德立世春新兴玉金德成雨泽昊睿明鹏俊宏少泽子云旭辰瑞宏"
)
MALE_SECOND = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳峰亮成东"
    "博晨轩睿涵然航铭豪诚哲川翔杨栋彬锋斌楠森"
)
FEMALE_FIRST = "晓丽秀美雅思欣佳雨诗梦紫可嘉婉慧静春玉小晶海月若子一紫梓心语欣怡依梦雪文淑凤桂"
FEMALE_SECOND = (
    "芳娜敏静丽艳娟霞秀玲婷雪慧颖倩琳晶洁燕红梅莉萍兰英华玉丹欣怡悦佳雨涵琪"
    "馨雅婉月彤妍萱瑶璐蕾薇蓉菲岚琦"
)


def _unique(chars: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(chars))


def double_names(first: str, second: str) -> tuple[str, ...]:
    """Every first+second pair of distinct characters."""
    return tuple(a + b for a in _unique(first) for b in _unique(second) if a != b)


MALE_SINGLE = _unique(MALE_SECOND)
MALE_DOUBLE = double_names(MALE_FIRST, MALE_SECOND)
FEMALE_SINGLE = _unique(FEMALE_SECOND)
FEMALE_DOUBLE = double_names(FEMALE_FIRST, FEMALE_SECOND)
