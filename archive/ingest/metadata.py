"""Author, source and date written in an article's own lines: bylines, source lines, dates.

Newspapers, web pages and speeches write their metadata in a few shapes, at the head or the
foot of the text: 本报记者 X、Y, 作者：X（单位）, 来源：《X》, 发布时间：2024-06-03, a
signature line with the date under it, a dateline (新华社北京10月7日电). These rules read
those shapes; they never look for particular names of people, papers or sites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.ingest.base import PartialDate
from archive.text import CJK, collapse_space, strip_space

# --- Dates -------------------------------------------------------------------------------

_YEAR = r"(?P<year>(?:19|20)\d{2})"
_MONTH = r"(?P<month>1[0-2]|0?[1-9])"
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])"
_WEEKDAY = r"(?:\s*[（(]?\s*(?:星期|周|礼拜)[一二三四五六日天]\s*[）)]?)"
_CLOCK = r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)"
# 2019年10月8日, 2019-10-08, 2019.10.08, 2019/10/08, 2019年10月
DATE = re.compile(
    rf"{_YEAR}\s*(?:年|[-./／])\s*{_MONTH}"
    rf"(?:\s*(?:月|[-./／])(?:\s*{_DAY}(?!\d)\s*日?)?)?(?![\d.])"
)
# A line that is only a date (with its weekday or time of day).
_DATE_LINE = re.compile(rf"^[（(]?\s*{DATE.pattern}{_WEEKDAY}?{_CLOCK}?\s*[）)]?$")
# A date in a path: 20191008, 2019-10-08, 2019/10/08 (folders), 2019年10月8日.
_PATH_DATE = re.compile(
    rf"(?<!\d){_YEAR}(?:[-_./年]?){_MONTH.replace('0?', '0')}(?:[-_./月]?)"
    rf"{_DAY.replace('0?', '0')}(?!\d)"
)
_PATH_DATE_LOOSE = re.compile(rf"(?<!\d){_YEAR}[-_./年]{_MONTH}(?:[-_./月]{_DAY})?(?!\d)")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# 新华社北京10月7日电, （本报北京10月7日讯）, 本报讯: a dateline gives month and day, not year.
DATELINE = re.compile(
    rf"^[（(]?\s*[{CJK}]{{0,12}}?{_MONTH}\s*月\s*{_DAY}\s*日\s*(?:电|讯|消息)\s*"
    rf"(?:[（(](?P<inner>[^）)]{{1,40}})[）)])?[）)]?\s*"
)


def date_of(match: re.Match[str]) -> PartialDate:
    def number(name: str) -> int | None:
        value = match.groupdict().get(name)
        return int(value) if value else None

    return PartialDate(year=number("year"), month=number("month"), day=number("day"))


def parse_date(text: str) -> PartialDate | None:
    """The first date written in text ("2024-06-03", "2019年10月8日", "2020年"), or None."""
    match = DATE.search(text)
    if match:
        return date_of(match)
    year = _ANY_YEAR.search(text) or re.fullmatch(r"\s*((?:19|20)\d{2})\s*", text)
    return PartialDate(year=int(year.group(1))) if year else None


def date_in_path(path: str) -> PartialDate | None:
    """A date in a file or folder name: 20191008-01-02.txt, 2019/10/08/, 2019-10-08.md."""
    match = _PATH_DATE.search(path) or _PATH_DATE_LOOSE.search(path)
    return date_of(match) if match else None


def year_in_text(text: str) -> int | None:
    match = DATE.search(text) or _ANY_YEAR.search(text)
    return int(match.group(1) if match.re is _ANY_YEAR else match.group("year")) if match else None


# --- People ------------------------------------------------------------------------------

# Common single and compound surnames: a line that is only a name (a signature under a
# speech, an author's name under a title) starts with one. Without them, any short heading
# of two to four characters would be taken for a name.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟"
    "殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游"
    "辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫"
    "费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明"
    "佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝"
    "区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普"
    "阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾"
    "茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
)
# A person's name as bylines write it: two to four characters, spaces allowed between them
# (李　强), a middle dot in minority names (阿依古丽·买买提).
_NAME = rf"[{CJK}](?:[\s\u3000]*[{CJK}]){{1,3}}(?:·[{CJK}]{{1,8}})?"
_NAMES = rf"{_NAME}(?:\s*[、，,\s]\s*{_NAME})*"
_NAME_ONLY = re.compile(rf"^{_NAME}$")


def person_name(text: str) -> str | None:
    """The name if the line is only a person's name (a signature), else None."""
    text = strip_space(text)
    if not _NAME_ONLY.match(text):
        return None
    compact = re.sub(r"[\s\u3000]", "", text)
    if not 2 <= len(compact) <= 4 and "·" not in compact:
        return None
    if compact[0] in _SURNAMES or compact.startswith(_COMPOUND_SURNAMES):
        return compact
    return None


_NAME_SEPARATOR = re.compile(r"\s*[、，,；;]\s*|\s{2,}|\u3000{2,}|(?<=\S)\s(?=\S{2,})")


def _split_names(text: str) -> list[str]:
    """The names of a byline: separated by 、，, or by spaces wider than a name's own."""
    text = strip_space(text)
    parts = [p for p in _NAME_SEPARATOR.split(text) if p]
    names = []
    for part in parts:
        compact = re.sub(r"[\s\u3000]", "", part)
        if compact:
            names.append(compact)
    return names


def join_names(names: list[str]) -> str:
    return "、".join(dict.fromkeys(name for name in names if name))


# --- Keywords and addresses ---------------------------------------------------------------

# Keywords in one field: set apart by semicolons, commas, 、, bars or line breaks, and by
# spaces only where none of those appears ("党建 基层治理").
_KEYWORD_MARKS = re.compile(r"\s*[;；,，、|｜\n]\s*")
KEYWORD_TRIM = " \t\u3000。.;；,，、:：#"
URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def split_keywords(text: str) -> list[str]:
    """The keywords of a keyword field, in order, each once."""
    text = strip_space(text)
    parts = _KEYWORD_MARKS.split(text) if _KEYWORD_MARKS.search(text) else text.split()
    keywords = (strip_space(part).strip(KEYWORD_TRIM) for part in parts)
    return list(dict.fromkeys(keyword for keyword in keywords if keyword))


# --- Metadata lines ----------------------------------------------------------------------

# 本报记者 X、Y  记者 X  通讯员 X  新华社记者 X  特约记者 X  (several roles on one line)
_REPORTER_ROLE = rf"(?:[{CJK}]{{0,8}}?(?:特约|见习|实习)?(?:记者|通讯员))"
_ROLE = re.compile(rf"\s*{_REPORTER_ROLE}\s*")
_BYLINE = re.compile(
    rf"^[（(]?\s*{_REPORTER_ROLE}\s*(?P<names>{_NAMES})"
    rf"(?:\s+{_REPORTER_ROLE}\s*(?P<more>{_NAMES}))?\s*[）)]?$"
)
# 文/X  文｜X  撰文 X
_WRITTEN_BY = re.compile(rf"^(?:文|撰文|文字)\s*[/／|｜:：]\s*(?P<names>{_NAMES})$")
# X摄  记者 X 摄  摄影：X  X/摄
_PHOTO_CREDIT = re.compile(
    rf"^(?:{_REPORTER_ROLE}\s*)?{_NAMES}\s*[/／]?\s*摄(?:影)?$|^(?:摄影|图片|图)\s*[:：/／]"
)
# Labelled fields, several to a line: 来源：人民日报 作者：X 发布时间：2024-06-03 点击数：138 次
_LABEL = re.compile(
    r"(?P<label>来\s*源|出\s*处|作\s*者|文\s*字|撰\s*文|供\s*稿|记\s*者|通\s*讯\s*员|"
    r"发布(?:时间|日期)|发表(?:时间|日期)|更新时间|时\s*间|日\s*期|"
    r"责任编辑|责\s*编|编\s*辑|审\s*核|校\s*对|摄\s*影|点击(?:数|量|率)?|浏览(?:次数|量)?|"
    r"阅读(?:数|量)?|字\s*号|版\s*次|版\s*名|版\s*面|栏\s*目|频\s*道)\s*[:：]\s*"
)
_AUTHOR_LABELS = frozenset({"作者", "文字", "撰文", "供稿", "记者", "通讯员"})
_SOURCE_LABELS = frozenset({"来源", "出处"})
_DATE_LABELS = frozenset(
    {"发布时间", "发布日期", "发表时间", "发表日期", "更新时间", "时间", "日期"}
)
# Fields of a web page that say nothing about the article itself.
_SITE_LABELS = frozenset(
    {
        "责任编辑",
        "责编",
        "编辑",
        "审核",
        "校对",
        "点击",
        "点击数",
        "点击量",
        "点击率",
        "浏览",
        "浏览次数",
        "浏览量",
        "阅读",
        "阅读数",
        "阅读量",
        "字号",
        "摄影",
        "版次",
        "版名",
        "版面",
        "栏目",
        "频道",
    }
)
_UNIT = re.compile(r"\s*[（(][^）)]*[）)]\s*$")
# A metadata line is short; longer lines are text even if they start with a label.
MAX_METADATA_LINE = 120


@dataclass
class LineMetadata:
    """What one line says about its article. `kind` tells what the line was."""

    kind: str  # "byline", "source", "date", "fields", "photo", "signature", "site"
    authors: list[str] = field(default_factory=list)
    publication: str = ""
    date: PartialDate | None = None


def _fields(text: str) -> LineMetadata | None:
    matches = list(_LABEL.finditer(text))
    if not matches or matches[0].start() != 0 and not _DATE_LINE.match(text[: matches[0].start()]):
        return None
    result = LineMetadata(kind="fields")
    head = text[: matches[0].start()].strip()
    if head:
        result.date = parse_date(head)
    for index, match in enumerate(matches):
        label = re.sub(r"\s", "", match.group("label"))
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        # Fields are set apart by spaces or by bars and slashes: 文字：X | 编辑：Y
        value = strip_space(text[match.end() : end]).strip(" |｜/／·•")
        if label in _AUTHOR_LABELS:
            value = _UNIT.sub("", value)
            result.authors.extend(_split_names(value) if value else [])
        elif label in _SOURCE_LABELS:
            result.publication = strip_space(value.strip("《》")).split()[0] if value else ""
        elif label in _DATE_LABELS:
            result.date = parse_date(value) or result.date
        elif label not in _SITE_LABELS:
            return None
    kinds = {re.sub(r"\s", "", m.group("label")) for m in matches}
    if kinds <= _SITE_LABELS:
        result.kind = "site"
    elif kinds <= _SOURCE_LABELS:
        result.kind = "source"
    return result


def read_metadata_line(text: str, *, at_foot: bool = False) -> LineMetadata | None:
    """What the line says if it is a metadata line (byline, source, date, signature)."""
    text = collapse_space(strip_space(text))
    if not text or len(text) > MAX_METADATA_LINE or text.endswith("。"):
        return None
    if _DATE_LINE.match(text):
        return LineMetadata(kind="date", date=parse_date(text))
    if _POST_HEAD.match(text) and DATE.search(text):
        return LineMetadata(kind="site", date=parse_date(text))
    if _PHOTO_CREDIT.match(text):
        return LineMetadata(kind="photo")
    match = _BYLINE.match(text) or _WRITTEN_BY.match(text)
    if match:
        # Every role after the first separates names: 记者 X 通讯员 Y.
        names = _ROLE.sub("、", text[match.start("names") :]).strip("）)")
        return LineMetadata(kind="byline", authors=_split_names(names))
    bracketed = re.fullmatch(r"[（(](.*)[）)]", text)
    found = _fields(bracketed.group(1) if bracketed else text)
    if found is not None:
        return found
    if at_foot:
        name = person_name(text)
        if name:
            return LineMetadata(kind="signature", authors=[name])
    return None


# 标题：X  副标题：X  引题：X — the head of a text saved with its fields labelled.
_TITLE_LABEL = re.compile(
    r"^[【\[［]?\s*(?P<label>标\s*题|题\s*目|篇\s*名|主标题|正\s*题|引\s*题|肩\s*题|副标题|副\s*题)"
    r"\s*[】\]］]?\s*[:：]\s*(?P<value>\S.*)$"
)
_TITLE_ROLES = {
    "标题": "title",
    "题目": "title",
    "篇名": "title",
    "主标题": "title",
    "正题": "title",
}
# A WeChat post's head: 原创 作者 公众号名 2024-06-03 08:30 发表于北京
_POST_HEAD = re.compile(r"^(?:原创|转载)\s.{0,60}$")


def read_title_label(text: str) -> tuple[str, str] | None:
    """("title" or "subtitle", the value) for a labelled head line such as 标题：X."""
    match = _TITLE_LABEL.match(strip_space(text))
    if not match:
        return None
    label = re.sub(r"\s", "", match.group("label"))
    return _TITLE_ROLES.get(label, "subtitle"), strip_space(match.group("value"))


def read_dateline(text: str) -> tuple[PartialDate, list[str], int] | None:
    """(month and day, reporters named in it, its length) if the paragraph opens with a
    dateline such as （新华社北京10月7日电 记者 X）."""
    match = DATELINE.match(text)
    if not match:
        return None
    authors: list[str] = []
    inner = match.group("inner")
    if inner:
        byline = _BYLINE.match(inner.strip())
        if byline:
            authors = _split_names(byline.group("names"))
    date = PartialDate(month=int(match.group("month")), day=int(match.group("day")))
    return date, authors, match.end()
