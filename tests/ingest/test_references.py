"""Reference-manager exports: RIS, EndNote, RefWorks, NoteExpress and BibTeX records as articles."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
import rispy

from archive.citations import bibtex, ris
from archive.ingest.base import (
    REASON_EMPTY_RECORD,
    REASON_OUTSIDE_RECORD,
    DroppedLine,
    ImportFailed,
    ParsedArticle,
    ParseOptions,
    ParseResult,
)
from archive.ingest.formats.references import (
    BibTexParser,
    EndNoteParser,
    NoteExpressParser,
    RefWorksParser,
    RisParser,
)
from archive.ingest.registry import parser_for
from archive.ingest.sources import SourceFile
from archive.models import Article, Publication
from archive.text import squeeze

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "references"
PARSERS = {
    "ris": RisParser(),
    "endnote": EndNoteParser(),
    "refworks": RefWorksParser(),
    "noteexpress": NoteExpressParser(),
    "bibtex": BibTexParser(),
}
# Each fixture and the format it is in.
FILES = {
    "cnki.ris": "ris",
    "endnote-gb18030.txt": "endnote",
    "refworks.txt": "refworks",
    "noteexpress.txt": "noteexpress",
    "references.bib": "bibtex",
}


def fixture(name: str) -> SourceFile:
    return SourceFile.from_path(FIXTURES / name)


def parse(name: str, format: str | None = None) -> ParseResult:
    parser = PARSERS[format or FILES[name]]
    return parser.parse(fixture(name), ParseOptions())


def parse_bytes(format: str, data: bytes, name: str = "导出.txt") -> ParseResult:
    return PARSERS[format].parse(SourceFile.from_bytes(name, data), ParseOptions())


def fields(article: ParsedArticle) -> dict:
    """What a record says, without the lines it came from."""
    return {
        "title": article.title,
        "author": article.author,
        "publication": article.publication,
        "year": article.year,
        "month": article.month,
        "day": article.day,
        "issue_label": article.issue_label,
        "issue_number": article.issue_number,
        "abstract": article.abstract,
        "keywords": article.keywords,
        "url": article.url,
    }


def accepting(head: bytes) -> list[str]:
    return [format for format, parser in PARSERS.items() if parser.accepts(head)]


# --- Every field of every record, per format -------------------------------------------------


def test_ris_records_give_every_field():
    assert [fields(article) for article in parse("cnki.ris").articles] == [
        {
            "title": "新时代基层党组织组织力提升的实践路径",
            "author": "王晓明；李红梅",
            "publication": "党建研究",
            "year": 2021,
            "month": 5,
            "day": 15,
            "issue_label": "2021年第5期",
            "issue_number": 5,
            "abstract": "提升组织力是新时代加强基层党组织建设的重点。本文从政治引领、队伍建设、"
            "制度保障三个方面分析了基层党组织组织力提升面临的问题，并提出了相应的对策建议。",
            "keywords": ["基层党组织", "组织力", "实践路径"],
            "url": "https://kns.cnki.net/kcms/detail/detail.aspx?dbname=CJFD2021&filename=DJYJ202105008",
        },
        {
            "title": "以高质量党建引领乡村振兴的若干思考",
            "author": "陈志远",
            "publication": "中国党政干部论坛",
            "year": 2020,
            "month": None,
            "day": None,
            "issue_label": "2020年第11期",
            "issue_number": 11,
            "abstract": "乡村振兴离不开坚强有力的农村基层党组织。文章结合东部某县的调研，"
            "总结了以党建引领产业发展、人才培养和乡风文明建设的做法。",
            "keywords": ["乡村振兴", "党建引领"],
            "url": "https://doi.org/10.12345/j.cnki.zgdz.2020.11.004",
        },
        {
            "title": "让党建活力转化为发展动力",
            "author": "刘静；赵磊",
            "publication": "学习时报",
            "year": 2019,
            "month": 7,
            "day": 1,
            "issue_label": "",
            "issue_number": None,
            "abstract": "党建工作做实了就是生产力。某开发区党工委把支部建在项目上，"
            "项目推进到哪里，党的工作就跟进到哪里。",
            "keywords": ["党建", "发展动力"],
            "url": "",
        },
    ]


def test_endnote_records_give_every_field():
    assert [fields(article) for article in parse("endnote-gb18030.txt").articles] == [
        {
            "title": "高校学生党支部“三会一课”制度落实情况调查",
            "author": "张建国；黄敏",
            "publication": "党建研究",
            "year": 2022,
            "month": None,
            "day": None,
            "issue_label": "2022年第3期",
            "issue_number": 3,
            "abstract": "通过对五所高校学生党支部的问卷调查，了解“三会一课”制度的落实情况，"
            "分析存在的形式化问题，并就增强组织生活实效提出建议。",
            "keywords": ["学生党支部", "“三会一课”", "制度落实"],
            "url": "https://kns.cnki.net/kcms/detail/detail.aspx?dbname=CJFD2022&filename=DJYJ202203012",
        },
        {
            "title": "社区党建“网格化”的新探索",
            "author": "吴晓峰",
            "publication": "学习时报",
            "year": 2021,
            "month": 6,
            "day": 15,
            "issue_label": "",
            "issue_number": None,
            "abstract": "某市以网格为单元组织党员、服务群众，形成了“党建＋网格”的社区治理新模式。",
            "keywords": ["社区党建", "网格化管理"],
            "url": "",
        },
        {
            "title": "新时代国有企业党建与生产经营深度融合研究",
            "author": "郑宇",
            "publication": "某某师范大学",
            "year": 2020,
            "month": None,
            "day": None,
            "issue_label": "",
            "issue_number": None,
            "abstract": "本文以三家国有企业为例，考察党建工作与生产经营相互促进的机制，"
            "提出以目标、组织、考核三个方面的融合为抓手。",
            "keywords": ["国有企业", "党建", "深度融合"],
            "url": "",
        },
    ]


def test_refworks_records_give_every_field():
    assert [fields(article) for article in parse("refworks.txt").articles] == [
        {
            "title": "党员教育管理数字化平台建设探析",
            "author": "何小平；马丽娟；欧阳明",
            "publication": "党建研究",
            "year": 2023,
            "month": None,
            "day": None,
            "issue_label": "2023年第2期",
            "issue_number": 2,
            "abstract": "数字化平台为党员教育管理提供了新的手段。本文梳理了平台建设的主要做法，"
            "指出了数据共享不足等问题。",
            "keywords": ["党员教育", "数字化", "平台建设"],
            "url": "https://kns.cnki.net/kcms/detail/detail.aspx?dbname=CJFD2023&filename=DJYJ202302015",
        },
        {
            "title": "基层党建工作创新的几点思考",
            "author": "林海",
            "publication": "第五届全国党建理论研讨会论文集",
            "year": 2018,
            "month": 10,
            "day": 20,
            "issue_label": "",
            "issue_number": None,
            "abstract": "基层党建工作创新要坚持问题导向，从群众最关心的事情做起。",
            "keywords": ["基层党建", "工作创新"],
            "url": "",
        },
        {
            "title": "智慧党建建设中的新技术应用",
            "author": "田野",
            "publication": "中国党政干部论坛",
            "year": 2022,
            "month": None,
            "day": None,
            "issue_label": "2022年第7期",
            "issue_number": 7,
            "abstract": "本文讨论了新技术在党建工作中的应用，"
            "认为 AI 技术可以提高党建工作的精准性。",
            "keywords": ["智慧党建", "人工智能"],
            "url": "https://doi.org/10.12345/zgdzgblt.2022.07.010",
        },
    ]


def test_noteexpress_records_give_every_field():
    assert [fields(article) for article in parse("noteexpress.txt").articles] == [
        {
            "title": "党内法规制度执行力的影响因素与提升对策",
            "author": "罗振华；邱慧",
            "publication": "党建研究",
            "year": 2020,
            "month": None,
            "day": None,
            "issue_label": "2020年第12期",
            "issue_number": 12,
            "abstract": "制度的生命力在于执行。本文从认知、激励和监督三个维度分析了影响党内法规"
            "执行力的因素。",
            "keywords": ["党内法规", "制度执行力", "影响因素"],
            "url": "",
        },
        {
            "title": "高校基层党组织组织力建设研究",
            "author": "韩雪",
            "publication": "某某理工大学",
            "year": 2021,
            "month": None,
            "day": None,
            "issue_label": "",
            "issue_number": None,
            "abstract": "论文在梳理组织力概念的基础上，构建了高校基层党组织组织力的评价指标体系。",
            "keywords": ["高校", "基层党组织", "组织力"],
            "url": "",
        },
        {
            "title": "把支部建在网格上",
            "author": "曹阳",
            "publication": "学习时报",
            "year": 2022,
            "month": 3,
            "day": 8,
            "issue_label": "",
            "issue_number": None,
            "abstract": "某街道把党支部建在网格上，党员就近编入网格，群众有事找得到人。",
            "keywords": ["网格党支部", "基层治理"],
            "url": "",
        },
    ]


def test_bibtex_entries_give_every_field():
    assert [fields(article) for article in parse("references.bib").articles] == [
        {
            "title": "党员先锋岗在疫情防控中的作用研究",
            "author": "姜涛；白雪梅",
            "publication": "党建研究",
            "year": 2021,
            "month": 3,
            "day": None,
            "issue_label": "2021年第4期",
            "issue_number": 4,
            "abstract": "疫情防控中，党员先锋岗发挥了示范带头作用。本文总结了设岗定责、亮身份、"
            "比贡献三个环节的做法，受访群众满意度在 85% 以上。",
            "keywords": ["党员先锋岗", "疫情防控", "基层治理"],
            "url": "https://kns.cnki.net/kcms/detail/detail.aspx?dbname=CJFD2021&filename=DJYJ202104005",
        },
        {
            "title": "新中国成立以来党的组织建设思想研究",
            "author": "徐文博",
            "publication": "某某大学",
            "year": 2019,
            "month": None,
            "day": None,
            "issue_label": "",
            "issue_number": None,
            "abstract": "论文按历史分期梳理了党的组织建设思想的发展脉络。",
            "keywords": ["组织建设", "党的建设", "思想史"],
            "url": "",
        },
        {
            "title": "“两学一做”学习教育常态化制度化的实践与思考",
            "author": "宋佳；潘立；杜鹏",
            "publication": "全国党建研究会年会论文集",
            "year": 2020,
            "month": 11,
            "day": 5,
            "issue_label": "",
            "issue_number": None,
            "abstract": "",
            "keywords": [],
            "url": "https://doi.org/10.12345/djyjh.2020.033",
        },
    ]


# --- What every record is --------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_records_are_marked_as_records_without_paragraphs(name):
    articles = parse(name).articles
    assert len(articles) == 3
    assert all(article.is_record and article.paragraphs == [] for article in articles)


@pytest.mark.parametrize("name", FILES)
def test_complete_exports_drop_nothing(name):
    result = parse(name)
    assert result.dropped == []
    assert result.notes == []
    assert all(article.dropped == [] for article in result.articles)


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("cnki.ris", 44),
        ("endnote-gb18030.txt", 34),
        ("refworks.txt", 40),
        ("noteexpress.txt", 34),
        ("references.bib", 31),
    ],
)
def test_line_count_is_the_lines_read(name, lines):
    assert parse(name).line_count == lines


def test_source_lines_are_the_records_own_lines():
    second = parse("noteexpress.txt").articles[1]
    assert second.source_lines == [
        (15, "{Reference Type}: Thesis"),
        (16, "{Title}: 高校基层党组织组织力建设研究"),
        (17, "{Author}: 韩雪"),
        (18, "{Tertiary Author}: 孟祥林"),
        (19, "{Publisher}: 某某理工大学"),
        (20, "{Year}: 2021"),
        (21, "{Keywords}: 高校;基层党组织;组织力"),
        (
            22,
            "{Abstract}: 论文在梳理组织力概念的基础上，构建了高校基层党组织组织力的评价指标体系。",
        ),
        (23, "{Type of Work}: 博士"),
        (24, "{Database Provider}: CNKI"),
    ]


def test_ris_source_lines_run_from_type_to_end_tag():
    first = parse("cnki.ris").articles[0]
    assert first.source_lines[0] == (1, "TY  - JOUR")
    assert first.source_lines[-1] == (19, "ER  - ")
    assert len(first.source_lines) == 19


def test_bibtex_source_lines_start_at_the_entry():
    first = parse("references.bib").articles[0]
    assert first.source_lines[0] == (3, "@article{jiang2021,")
    assert first.source_lines[-1] == (14, "}")


# --- Reading the fields -----------------------------------------------------------------------


def test_authors_in_one_field_are_joined_with_a_full_width_semicolon():
    result = parse_bytes("endnote", "%0 Journal Article\n%T 标题\n%A 张三;李四；王五;\n".encode())
    assert result.articles[0].author == "张三；李四；王五"


def test_keywords_in_one_field_are_split_on_either_semicolon_or_comma():
    data = "%0 Journal Article\n%T 标题\n%K 党建;组织力；基层治理，网格,党员\n".encode()
    assert parse_bytes("endnote", data).articles[0].keywords == [
        "党建",
        "组织力",
        "基层治理",
        "网格",
        "党员",
    ]


def test_ris_field_continues_on_an_untagged_line():
    abstract = parse("cnki.ris").articles[1].abstract
    assert "调研，总结了" in abstract


def test_refworks_line_that_looks_like_an_unknown_tag_continues_the_field():
    # "AI 技术…" is two capitals and a space, but AI is no RefWorks tag.
    assert (
        parse("refworks.txt")
        .articles[2]
        .abstract.endswith("认为 AI 技术可以提高党建工作的精准性。")
    )


def test_doi_becomes_the_url_when_there_is_none():
    data = b"TY  - JOUR\nTI  - x\nDO  - doi:10.1000/abc\nER  - \n"
    assert parse_bytes("ris", data, "a.ris").articles[0].url == "https://doi.org/10.1000/abc"


def test_url_is_preferred_to_doi():
    data = b"TY  - JOUR\nTI  - x\nDO  - 10.1000/abc\nUR  - https://example.org/a\nER  - \n"
    assert parse_bytes("ris", data, "a.ris").articles[0].url == "https://example.org/a"


def test_thesis_institution_is_the_publication():
    assert parse("endnote-gb18030.txt").articles[2].publication == "某某师范大学"


def test_publisher_of_a_journal_article_is_not_the_publication():
    data = "%0 Journal Article\n%T 标题\n%I 某某出版社\n".encode()
    assert parse_bytes("endnote", data).articles[0].publication == ""


def test_book_title_marks_around_a_publication_are_removed():
    data = "{Reference Type}: Journal Article\n{Title}: 标题\n{Journal}: 《党建研究》\n".encode()
    assert parse_bytes("noteexpress", data).articles[0].publication == "党建研究"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2020-06-15", (2020, 6, 15)),
        ("2020/06/15/", (2020, 6, 15)),
        ("2020///", (2020, None, None)),
        ("2020", (2020, None, None)),
        ("2020/06", (2020, 6, None)),
        ("2020年6月15日", (2020, 6, 15)),
        ("2020-13-40", (2020, None, None)),
    ],
)
def test_date_field_gives_year_month_and_day(date, expected):
    data = f"TY  - JOUR\nTI  - x\nDA  - {date}\nER  - \n".encode()
    article = parse_bytes("ris", data, "a.ris").articles[0]
    assert (article.year, article.month, article.day) == expected


def test_month_and_day_come_from_a_fuller_date_of_the_same_year():
    data = b"TY  - JOUR\nTI  - x\nPY  - 2020\nDA  - 2020/06/15/\nER  - \n"
    article = parse_bytes("ris", data, "a.ris").articles[0]
    assert (article.year, article.month, article.day) == (2020, 6, 15)


@pytest.mark.parametrize(
    ("issue", "label", "number"),
    [
        ("06", "2020年第6期", 6),
        ("第36期", "2020年第36期", 36),
        ("5-6", "2020年第5-6期", 5),
        ("Z1", "2020年Z1期", None),
    ],
)
def test_issue_label_is_built_from_year_and_issue(issue, label, number):
    data = f"TY  - JOUR\nTI  - x\nPY  - 2020\nIS  - {issue}\nER  - \n".encode()
    article = parse_bytes("ris", data, "a.ris").articles[0]
    assert (article.issue_label, article.issue_number) == (label, number)


def test_issue_without_year_has_a_label_without_year():
    data = b"TY  - JOUR\nTI  - x\nIS  - 4\nER  - \n"
    assert parse_bytes("ris", data, "a.ris").articles[0].issue_label == "第4期"


def test_unknown_tags_are_not_errors():
    data = b"TY  - JOUR\nTI  - x\nZZ  - something new\nQ9  - more\nER  - \n"
    result = parse_bytes("ris", data, "a.ris")
    assert [article.title for article in result.articles] == ["x"]
    assert result.dropped == []


def test_bibtex_latex_escapes_and_braces_are_decoded():
    data = (
        "@article{k,\n  title = {{CNKI} 党建 \\& 治理：50\\% 的支部},\n"
        "  author = {{上海市委组织部课题组} and 李四},\n}\n"
    ).encode()
    article = parse_bytes("bibtex", data, "a.bib").articles[0]
    assert (article.title, article.author) == (
        "CNKI 党建 & 治理：50% 的支部",
        "上海市委组织部课题组；李四",
    )


def test_bibtex_month_name_gives_the_month():
    assert parse("references.bib").articles[0].month == 3


# --- Lines that make no article ---------------------------------------------------------------


def test_record_without_title_drops_each_of_its_lines():
    result = parse("untitled.ris", "ris")
    assert [d for d in result.dropped if d.reason == REASON_EMPTY_RECORD] == [
        DroppedLine(3, "TY  - JOUR", REASON_EMPTY_RECORD),
        DroppedLine(4, "AU  - 孙明", REASON_EMPTY_RECORD),
        DroppedLine(5, "JO  - 党建研究", REASON_EMPTY_RECORD),
        DroppedLine(6, "PY  - 2022", REASON_EMPTY_RECORD),
        DroppedLine(7, "ER  - ", REASON_EMPTY_RECORD),
    ]
    assert result.notes == ["1 条记录没有标题，未导入"]


def test_record_without_title_does_not_stop_the_next_one():
    articles = parse("untitled.ris", "ris").articles
    assert [(a.title, a.author, a.issue_label) for a in articles] == [
        ("党支部标准化建设的几点体会", "周丽", "2022年第3期")
    ]


def test_lines_outside_any_record_are_dropped():
    result = parse("untitled.ris", "ris")
    assert [d for d in result.dropped if d.reason == REASON_OUTSIDE_RECORD] == [
        DroppedLine(1, "中国知网题录导出", REASON_OUTSIDE_RECORD),
        DroppedLine(16, "共 2 条", REASON_OUTSIDE_RECORD),
    ]


def test_tagged_record_without_its_type_line_is_still_read():
    data = "%T 标题一\n%A 张三\n\n%0 Journal Article\n%T 标题二\n".encode()
    assert [a.title for a in parse_bytes("endnote", data).articles] == ["标题一", "标题二"]


def test_bibtex_entry_without_title_drops_its_lines():
    data = b"@article{a,\n  author = {x},\n}\n\n@article{b,\n  title = {t},\n}\n"
    result = parse_bytes("bibtex", data, "a.bib")
    assert [a.title for a in result.articles] == ["t"]
    assert result.dropped == [
        DroppedLine(1, "@article{a,", REASON_EMPTY_RECORD),
        DroppedLine(2, "  author = {x},", REASON_EMPTY_RECORD),
        DroppedLine(3, "}", REASON_EMPTY_RECORD),
    ]


def test_bibtex_text_between_entries_is_dropped_but_comments_are_not():
    data = b"% JabRef comment\n@article{a,\n  title = {t},\n}\nstray words\n"
    assert parse_bytes("bibtex", data, "a.bib").dropped == [
        DroppedLine(5, "stray words", REASON_OUTSIDE_RECORD)
    ]


def test_bibtex_entry_that_cannot_be_parsed_is_dropped_and_the_rest_read():
    data = b"@article{a,\n  title = {t},\n}\n@article{b,\n  title = {unclosed\n"
    result = parse_bytes("bibtex", data, "a.bib")
    assert [a.title for a in result.articles] == ["t"]
    assert [(d.number, d.reason) for d in result.dropped] == [
        (4, REASON_OUTSIDE_RECORD),
        (5, REASON_OUTSIDE_RECORD),
    ]


def test_bibtex_entries_with_a_repeated_key_or_field_are_read():
    data = (
        b"@article{a,\n  title = {t1},\n  keywords = {x},\n  keywords = {y},\n}\n"
        b"@article{b,\n  title = {t2},\n}\n@article{b,\n  title = {t3},\n}\n"
    )
    result = parse_bytes("bibtex", data, "a.bib")
    assert [(a.title, a.keywords) for a in result.articles] == [
        ("t1", ["x"]),
        ("t2", []),
        ("t3", []),
    ]
    assert result.dropped == []


# --- Encodings and line ends ------------------------------------------------------------------


def test_gb18030_file_is_read():
    assert fixture("endnote-gb18030.txt").read_bytes().decode("gb18030").startswith("%0 ")
    assert (
        parse("endnote-gb18030.txt").articles[0].title == "高校学生党支部“三会一课”制度落实情况调查"
    )


def test_crlf_line_ends_leave_no_carriage_returns():
    assert b"\r\n" in fixture("cnki.ris").read_bytes()
    articles = parse("cnki.ris").articles
    assert not any("\r" in text for a in articles for _, text in a.source_lines)
    assert not any("\r" in a.title + a.author + a.abstract + a.url for a in articles)


def test_utf16_file_with_bom_is_read():
    data = codecs.BOM_UTF16_LE + "RT Journal Article\nT1 标题\nA1 张三\n".encode("utf-16-le")
    assert [a.title for a in parse_bytes("refworks", data).articles] == ["标题"]


# --- Recognising the formats ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "format"), FILES.items())
def test_each_export_is_accepted_by_its_own_parser_only(name, format):
    assert accepting(fixture(name).head(8192)) == [format]


@pytest.mark.parametrize(("name", "format"), FILES.items())
def test_registry_picks_the_parser_of_each_export(name, format):
    assert parser_for(fixture(name)).format == format


@pytest.mark.parametrize(
    ("name", "format"),
    [
        ("endnote-gb18030.txt", "endnote"),
        ("refworks.txt", "refworks"),
        ("noteexpress.txt", "noteexpress"),
    ],
)
def test_registry_recognises_txt_exports_by_content(name, format):
    assert fixture(name).suffix == ".txt"
    assert parser_for(fixture(name)).format == format


def test_registry_recognises_an_export_under_another_extension():
    source = SourceFile.from_bytes("导出.dat", fixture("cnki.ris").read_bytes())
    assert parser_for(source).format == "ris"


def test_prose_is_accepted_by_no_reference_parser():
    assert accepting(fixture("prose.txt").head(8192)) == []


def test_registry_gives_prose_to_no_reference_parser():
    assert parser_for(fixture("prose.txt")).format not in PARSERS


def test_gb18030_head_is_recognised():
    head = "{Reference Type}: Journal Article\n{Title}: 标题\n{Author}: 张三\n".encode("gb18030")
    assert accepting(head) == ["noteexpress"]


def test_utf16_head_is_recognised():
    head = codecs.BOM_UTF16_LE + "%0 Journal Article\n%T 标题\n%A 张三\n".encode("utf-16-le")
    assert accepting(head) == ["endnote"]


def test_head_cut_inside_a_character_is_recognised():
    head = "TY  - JOUR\nTI  - 标题\nAU  - 张三\nAB  - 摘要".encode()[:-1]
    assert accepting(head) == ["ris"]


def test_prose_that_mentions_a_tag_is_not_an_export():
    head = (
        "学习心得\n\nTY 县的经验值得推广。\n%5 的党员参加了培训。\n@所有人 请按时参会。\n".encode()
    )
    assert accepting(head) == []


def test_one_tagged_line_is_not_an_export():
    assert accepting("RT 转发：基层党建好做法\n".encode()) == []


def test_short_export_is_recognised():
    assert accepting(b"TY  - JOUR\nTI  - x") == ["ris"]


# --- Files that are not exports ---------------------------------------------------------------


def test_ris_without_record_structure_fails_naming_the_file():
    data = "基层党建工作总结\n\n一年来，我们坚持抓党建促发展。\n".encode()
    with pytest.raises(ImportFailed, match=r"^坏文件\.ris: 不是有效的 RIS 文件"):
        RisParser().parse(SourceFile.from_bytes("坏文件.ris", data), ParseOptions())


def test_ris_tags_without_a_type_line_fail():
    data = "TI  - 标题\nAU  - 张三\nER  - \n".encode()
    with pytest.raises(ImportFailed, match=r"^无类型\.ris: .*TY"):
        RisParser().parse(SourceFile.from_bytes("无类型.ris", data), ParseOptions())


def test_bibtex_without_any_entry_fails_naming_the_file():
    data = "@article{a,\n  title = {未闭合的标题,\n".encode()
    with pytest.raises(ImportFailed, match=r"^坏文件\.bib: 不是有效的 BibTeX 文件：第 1 行起"):
        BibTexParser().parse(SourceFile.from_bytes("坏文件.bib", data), ParseOptions())


@pytest.mark.parametrize("format", ["endnote", "refworks", "noteexpress"])
def test_tagged_file_without_any_tag_fails_naming_the_file(format):
    with pytest.raises(ImportFailed, match=r"^散文\.txt: 不是有效的"):
        parse_bytes(format, fixture("prose.txt").read_bytes(), "散文.txt")


def test_empty_export_fails_naming_the_file():
    with pytest.raises(ImportFailed, match=r"^空\.ris: 文件是空的"):
        RisParser().parse(SourceFile.from_bytes("空.ris", b""), ParseOptions())


# --- Agreement with another reader -------------------------------------------------------------


def test_rispy_reads_the_ris_fixture_the_same_way():
    text = fixture("cnki.ris").read_bytes().decode("utf-8")
    theirs = rispy.loads(text)
    ours = parse("cnki.ris").articles
    assert [entry["title"] for entry in theirs] == [article.title for article in ours]
    assert ["；".join(entry["authors"]) for entry in theirs] == [a.author for a in ours]
    assert [squeeze(entry["abstract"]) for entry in theirs] == [squeeze(a.abstract) for a in ours]
    assert [int(entry["year"]) for entry in theirs] == [a.year for a in ours]
    assert [entry.get("journal_name") or entry.get("secondary_title") for entry in theirs] == [
        a.publication for a in ours
    ]
    their_keywords = [
        [k for keyword in entry["keywords"] for k in keyword.split(";")] for entry in theirs
    ]
    assert their_keywords == [a.keywords for a in ours]


# --- The archive's own citation exports read back ------------------------------------------


def cited_article() -> Article:
    """An unsaved article, as the archive's own citation export writes it (no database)."""
    article = Article(
        title="浅议怎样发挥基层党组织的战斗堡垒作用",
        author="杨姿姮、李明",
        issue_label="2020年第36期",
        issue_number=36,
        year=2020,
        month=9,
        abstract="基层党组织是党在社会基层组织中的战斗堡垒。",
    )
    article.publication = Publication(name="商情")
    return article


def test_the_archives_own_ris_citation_reads_back():
    data = ris(cited_article(), url="https://wencui.example/articles/3/").encode()
    article = parse_bytes("ris", data, "引用.ris").articles[0]
    assert fields(article) == {
        "title": "浅议怎样发挥基层党组织的战斗堡垒作用",
        "author": "杨姿姮；李明",
        "publication": "商情",
        "year": 2020,
        "month": 9,
        "day": None,
        "issue_label": "2020年第36期",
        "issue_number": 36,
        "abstract": "基层党组织是党在社会基层组织中的战斗堡垒。",
        "keywords": [],
        "url": "https://wencui.example/articles/3/",
    }


def test_the_archives_own_bibtex_citation_reads_back():
    data = bibtex(cited_article(), url="https://wencui.example/articles/3/").encode()
    article = parse_bytes("bibtex", data, "引用.bib").articles[0]
    assert fields(article) == {
        "title": "浅议怎样发挥基层党组织的战斗堡垒作用",
        "author": "杨姿姮；李明",
        "publication": "商情",
        "year": 2020,
        "month": 9,
        "day": None,
        "issue_label": "2020年第36期",
        "issue_number": 36,
        "abstract": "基层党组织是党在社会基层组织中的战斗堡垒。",
        "keywords": [],
        "url": "https://wencui.example/articles/3/",
    }
