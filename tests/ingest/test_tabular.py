"""Tests for the JSON and CSV parsers and the paragraph rules of text fields."""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

import pytest

from archive.ingest.base import (
    REASON_EMPTY_RECORD,
    REASON_NOT_OBJECT,
    REASON_UNREADABLE_CHARS,
    ImportFailed,
    ParsedArticle,
    ParseOptions,
    ParseResult,
    PartialDate,
)
from archive.ingest.formats.tabular import CsvParser, JsonParser, parse_date
from archive.ingest.importer import remove_unstorable
from archive.ingest.paragraphs import split_paragraphs
from archive.ingest.sources import SourceFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "tabular"
REPORTS = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "corpus"
    / "real"
    / "government_work_reports.jsonl"
)
# Zero-width spaces count as whitespace: wikis leave them where nothing is written.
_INVISIBLE = re.compile(r"[\s\u200b\ufeff]+")


def parse_file(name: str, **field_map: str) -> ParseResult:
    source = SourceFile.from_path(FIXTURES / name)
    parser = JsonParser() if source.suffix in JsonParser.extensions else CsvParser()
    return parser.parse(source, ParseOptions(field_map=field_map))


def parse_json(name: str, text: str, encoding: str = "utf-8", **field_map: str) -> ParseResult:
    source = SourceFile.from_bytes(name, text.encode(encoding))
    return JsonParser().parse(source, ParseOptions(field_map=field_map))


def parse_csv(name: str, data: bytes, **field_map: str) -> ParseResult:
    source = SourceFile.from_bytes(name, data)
    return CsvParser().parse(source, ParseOptions(field_map=field_map))


def only(result: ParseResult) -> ParsedArticle:
    assert len(result.articles) == 1, [article.title for article in result.articles]
    return result.articles[0]


# --- split_paragraphs ----------------------------------------------------------------------


def test_blank_lines_separate_paragraphs() -> None:
    text = "第一段说的是开头。\n\n第二段说的是经过。\n\n\n第三段说的是结尾。"
    assert split_paragraphs(text) == [
        "第一段说的是开头。",
        "第二段说的是经过。",
        "第三段说的是结尾。",
    ]


def test_wiki_link_breaks_inside_a_block_are_joined() -> None:
    text = "会议决定制定《\n公司法\n》，并于年底前提交\n审议\n。\n\n下一段。"
    assert split_paragraphs(text) == ["会议决定制定《公司法》，并于年底前提交审议。", "下一段。"]


def test_break_after_a_sentence_is_joined_in_a_block_of_long_lines() -> None:
    long_line = "这一年里，我们面对许多前所未有的困难，仍然完成了年初确定的主要目标任务。"
    text = f"{long_line}\n习近平\n总书记指出，发展是第一要务。\n\n下一段。"
    assert split_paragraphs(text) == [
        f"{long_line}习近平总书记指出，发展是第一要务。",
        "下一段。",
    ]


def test_short_line_block_keeps_breaks_after_sentences() -> None:
    text = "床前明月光，\n疑是地上霜。\n举头望明月，\n低头思故乡。\n\n第二首诗。"
    assert split_paragraphs(text) == [
        "床前明月光，疑是地上霜。",
        "举头望明月，低头思故乡。",
        "第二首诗。",
    ]


def test_short_line_block_breaks_after_a_closing_quote_that_ends_a_sentence() -> None:
    text = "他说：“明天见。”\n我点了点头\n没有说话。\n\n第二段。"
    assert split_paragraphs(text) == ["他说：“明天见。”", "我点了点头没有说话。", "第二段。"]


def test_without_blank_lines_each_line_is_a_paragraph() -> None:
    text = "一、总体要求\n今年的工作要稳中求进。\n二、主要任务\n抓好粮食生产。"
    assert split_paragraphs(text) == [
        "一、总体要求",
        "今年的工作要稳中求进。",
        "二、主要任务",
        "抓好粮食生产。",
    ]


def test_without_blank_lines_a_line_starting_with_closing_punctuation_continues() -> None:
    text = "他们读了《\n公司法\n》这本书\n。后来的事大家都知道。"
    assert split_paragraphs(text) == ["他们读了《公司法》这本书。后来的事大家都知道。"]


def test_without_blank_lines_a_line_after_a_comma_or_opening_quote_continues() -> None:
    text = "去年夏天，桥面出现了裂缝，\n文物部门决定修缮。\n他问：“\n什么时候完工？”"
    assert split_paragraphs(text) == [
        "去年夏天，桥面出现了裂缝，文物部门决定修缮。",
        "他问：“什么时候完工？”",
    ]


def test_a_text_whose_lines_end_sentences_despite_a_blank_line_is_read_line_by_line() -> None:
    text = "标题在这里\n\n第一段写完了。\n第二段也写完了。\n第三段同样写完了。"
    assert split_paragraphs(text) == [
        "标题在这里",
        "第一段写完了。",
        "第二段也写完了。",
        "第三段同样写完了。",
    ]


def test_joined_chinese_takes_no_space_and_latin_words_one() -> None:
    text = "我们用的是 open\nsource 的方案，\n效果很好。\n\n下一段。"
    assert split_paragraphs(text) == ["我们用的是 open source 的方案，效果很好。", "下一段。"]


def test_full_width_indents_are_stripped() -> None:
    text = "\u3000\u3000第一段。\n\u3000\u3000第二段。"
    assert split_paragraphs(text) == ["第一段。", "第二段。"]


def test_a_zero_width_line_inside_a_sentence_is_not_a_paragraph_break() -> None:
    text = "交出一份人\n\u200b\n民满意的答卷。\n\n下一段。"
    assert split_paragraphs(text) == ["交出一份人民满意的答卷。", "下一段。"]


def test_windows_line_ends_are_line_breaks() -> None:
    assert split_paragraphs("第一段。\r\n\r\n第二段。\r\n") == ["第一段。", "第二段。"]


def test_blank_text_has_no_paragraphs() -> None:
    assert split_paragraphs(" \n\u3000\n\n") == []


# --- Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2024-06-03",
        "2024年6月3日",
        "2024/6/3",
        "2024.06.03",
        "20240603",
        20240603,
        "2024-06-03T10:15:00+08:00",
        "2024-06-03 10:15",
        1717372800,
        1717372800000,
    ],
)
def test_date_forms_give_year_month_and_day(value: object) -> None:
    assert parse_date(value) == PartialDate(2024, 6, 3)


def test_a_bare_year_is_a_date_with_a_year_only() -> None:
    assert parse_date("2024") == PartialDate(2024)
    assert parse_date(2024) == PartialDate(2024)


def test_an_impossible_day_keeps_year_and_month() -> None:
    assert parse_date("2023-02-30") == PartialDate(2023, 2)


def test_text_that_is_no_date_gives_none() -> None:
    assert parse_date("不详") is None


# --- Recognising the formats ---------------------------------------------------------------


def test_json_parser_recognises_objects_and_arrays_of_objects_by_content() -> None:
    parser = JsonParser()
    assert parser.by_content
    assert parser.accepts(b'{"title": "x"}\n')
    assert parser.accepts('\ufeff  [\n  {"标题": "x"}]'.encode())
    assert parser.accepts('{"title": "x"}'.encode("utf-16"))


def test_json_parser_refuses_text_that_opens_with_a_brace() -> None:
    assert not JsonParser().accepts("{编者按}今天的文章……".encode())
    assert not JsonParser().accepts(b"[1] Reference list")


def test_parsers_declare_their_extensions() -> None:
    assert JsonParser.extensions == frozenset({".json", ".jsonl", ".ndjson"})
    assert CsvParser.extensions == frozenset({".csv", ".tsv"})
    assert not CsvParser.by_content


# --- CSV -----------------------------------------------------------------------------------


def test_excel_csv_with_chinese_headers_and_bom() -> None:
    result = parse_file("excel_chinese_headers.csv")
    first, second = result.articles
    assert first.title == "老城区的早市"
    assert (first.author, first.publication) == ("林晓舟", "城市晚报")
    assert (first.year, first.month, first.day) == (2023, 11, 5)
    assert first.keywords == ["早市", "老城区", "烟火气"]
    assert first.paragraphs == [
        "天还没亮，老城区的早市就热闹起来了。卖豆腐的老人把摊子摆在巷口，一摆就是三十年。"
    ]
    assert second.title == "山村小学的图书角：从一个纸箱开始"
    assert (second.year, second.month, second.day) == (2023, 12, 1)
    assert second.keywords == ["阅读", "乡村教育"]


def test_csv_source_lines_are_the_row_and_its_line() -> None:
    result = parse_file("excel_chinese_headers.csv")
    number, text = result.articles[1].source_lines[0]
    assert number == 3
    assert text.startswith('2,"山村小学的图书角')
    assert result.line_count == 3


def test_gb18030_csv_with_year_and_issue() -> None:
    article = only(parse_file("gb18030.csv"))
    assert article.title == "稻田养鱼的经济账"
    assert (article.author, article.publication) == ("陈立新", "农村经济参考")
    assert article.year == 2023
    assert (article.issue_label, article.issue_number) == ("2023年第4期", 4)
    assert article.abstract == "以三个村的账本算一算稻田养鱼的收益。"
    assert article.paragraphs == [
        "去年春天，村里有十二户人家试着在稻田里放了鱼苗。秋收时一算账，每亩多收了六百多元。"
    ]


def test_tsv_with_english_headers() -> None:
    article = only(parse_file("articles.tsv"))
    assert article.title == "河口湿地的候鸟"
    assert (article.author, article.publication) == ("王海燕", "自然笔记")
    assert (article.year, article.month, article.day) == (2022, 10, 8)
    assert article.paragraphs == ["每年十月，成群的候鸟落在河口湿地。"]


def test_csv_cell_over_several_lines_gives_paragraphs() -> None:
    result = parse_file("multiline_cell.csv")
    article = result.articles[0]
    assert article.title == "楼下的社区菜园"
    assert (article.year, article.month, article.day) == (2024, 4, 2)
    assert article.paragraphs == [
        "社区菜园建在一块闲置了多年的空地上，居民们自己动手翻土、搭架子。",
        '负责人说："我们用的是 open source 的灌溉方案，图纸谁都能看。"',
        "如今菜园里种着二十多种蔬菜。",
    ]


def test_csv_row_after_a_multi_line_cell_keeps_its_line_number() -> None:
    result = parse_file("multiline_cell.csv")
    first, second = result.articles
    assert first.source_lines[0][0] == 2
    assert first.source_lines[0][1].count("\n") == 6
    assert second.source_lines == [
        (9, "楼顶的光伏板,吴朗,2024-05,屋顶装上光伏板后，整栋楼的公共照明不再交电费。")
    ]
    assert (second.year, second.month, second.day) == (2024, 5, None)


def test_semicolon_separated_csv() -> None:
    data = "标题;作者;正文\n海边的灯塔;许晴;灯塔的光每十秒闪一次。\n".encode()
    article = only(parse_csv("灯塔.csv", data))
    assert (article.title, article.author) == ("海边的灯塔", "许晴")
    assert article.paragraphs == ["灯塔的光每十秒闪一次。"]


def test_utf16_tab_separated_table_as_excel_saves_unicode_text() -> None:
    data = codecs.BOM_UTF16_LE + "标题\t正文\r\n雪后的操场\t操场上堆起了三个雪人。\r\n".encode(
        "utf-16-le"
    )
    article = only(parse_csv("雪.csv", data))
    assert article.title == "雪后的操场"
    assert article.paragraphs == ["操场上堆起了三个雪人。"]


def test_csv_row_of_empty_cells_is_dropped_and_blank_lines_are_ignored() -> None:
    data = "标题,正文\n\n,\n小巷,巷子很窄。\n".encode()
    result = parse_csv("巷.csv", data)
    assert [article.title for article in result.articles] == ["小巷"]
    assert [(line.number, line.reason) for line in result.dropped] == [(3, REASON_EMPTY_RECORD)]
    assert result.articles[0].source_lines[0][0] == 4


def test_csv_without_a_title_or_body_column_fails_naming_its_columns() -> None:
    with pytest.raises(ImportFailed) as error:
        parse_file("needs_map.csv")
    message = str(error.value)
    assert "needs_map.csv" in message
    assert "headline、story、writer、outlet、published" in message


def test_field_map_reads_fields_from_the_files_names() -> None:
    result = parse_file(
        "needs_map.csv",
        title="headline",
        body="story",
        author="writer",
        publication="outlet",
        date="published",
    )
    article = only(result)
    assert (article.title, article.author, article.publication) == (
        "港口的清晨",
        "冯波",
        "海滨日报",
    )
    assert (article.year, article.month, article.day) == (2023, 8, 21)
    assert article.paragraphs == ["天刚亮，第一艘渔船靠岸了。"]


def test_field_map_naming_a_missing_column_fails_listing_the_columns() -> None:
    with pytest.raises(ImportFailed) as error:
        parse_file("needs_map.csv", title="headline", body="正文")
    message = str(error.value)
    assert "“正文”" in message
    assert "headline、story、writer、outlet、published" in message


def test_field_map_with_an_unknown_field_of_ours_fails_listing_the_files_fields() -> None:
    with pytest.raises(ImportFailed) as error:
        parse_file("needs_map.csv", headline="title")
    message = str(error.value)
    assert "“headline”" in message
    assert "headline、story、writer、outlet、published" in message


# --- JSON ----------------------------------------------------------------------------------


def test_json_lines_with_english_keys_give_all_metadata() -> None:
    article = parse_file("english_keys.jsonl").articles[0]
    assert article.title == "社区食堂开张记"
    assert (article.author, article.publication) == ("赵青", "晨报")
    assert (article.year, article.month, article.day) == (2024, 3, 18)
    assert article.keywords == ["社区", "养老"]
    assert article.url == "https://example.com/a/1"
    assert article.paragraphs == [
        "社区食堂开张第一天，来吃饭的老人排起了长队。",
        "一荤两素十二元，八十岁以上的老人再打八折。",
    ]


def test_json_lines_source_lines_are_the_record_and_its_line() -> None:
    result = parse_file("english_keys.jsonl")
    number, text = result.articles[1].source_lines[0]
    assert number == 3  # line 2 is blank
    assert json.loads(text)["title"] == "城市书房夜读"


def test_json_lists_and_numbers_are_converted() -> None:
    article = parse_file("english_keys.jsonl").articles[1]
    assert article.author == "孙一、钱二"
    assert (article.year, article.month, article.day) == (2024, 4, 2)
    assert (article.issue_label, article.issue_number) == ("2024年第7期", 7)
    assert article.keywords == ["阅读", "公共文化", "夜间经济"]
    assert article.paragraphs == [
        "晚上九点，城市书房里仍然坐满了人。",
        "书房开到夜里十一点，刷身份证就能进门。",
    ]


def test_record_without_title_takes_the_first_sentence_of_its_body() -> None:
    article = parse_file("english_keys.jsonl").articles[2]
    assert article.title == "没有标题的一篇短文"
    assert article.paragraphs == ["没有标题的一篇短文。它的标题取自第一句。"]


def test_derived_title_is_cut_to_forty_characters() -> None:
    body = "这是一句很长很长的话" * 6 + "。"
    article = only(parse_json("长.jsonl", json.dumps({"content": body}, ensure_ascii=False)))
    assert article.title == body[:40]
    assert article.paragraphs == [body]


def test_record_without_title_and_body_is_dropped() -> None:
    dropped = parse_file("english_keys.jsonl").dropped
    assert [(line.number, line.reason) for line in dropped if line.number == 5] == [
        (5, REASON_EMPTY_RECORD)
    ]


def test_record_that_is_not_an_object_is_dropped() -> None:
    dropped = parse_file("english_keys.jsonl").dropped
    assert [(line.number, line.text, line.reason) for line in dropped if line.number == 6] == [
        (6, '["不是", "对象"]', REASON_NOT_OBJECT)
    ]


def test_field_names_are_recognised_whatever_their_case() -> None:
    article = parse_file("english_keys.jsonl").articles[3]
    assert article.title == "只有标题和摘要的记录"
    assert article.abstract == "这是一条文献记录，没有正文。"
    assert (article.year, article.month, article.day) == (2024, 5, 6)


def test_record_with_title_but_no_body_is_a_bibliographic_record() -> None:
    result = parse_file("english_keys.jsonl")
    assert [article.is_record for article in result.articles] == [False, False, False, True]


def test_json_array_with_chinese_keys() -> None:
    result = parse_file("chinese_keys.json")
    first, second = result.articles
    assert first.title == "一座桥的七十年"
    assert first.subtitle == "——记城东老石桥的修缮"
    assert (first.author, first.publication) == ("郑远", "古建通讯")
    assert (first.year, first.month, first.day) == (2024, 6, 3)
    assert first.keywords == ["石桥", "修缮", "古建筑"]
    assert first.paragraphs == [
        "城东的老石桥建于上世纪五十年代。",
        "去年夏天，桥面出现了裂缝，文物部门决定对它进行修缮。",
        "修缮用的石料取自原来的采石场。",
    ]
    assert second.title == "夜市里的修鞋摊"
    assert (second.year, second.month, second.day) == (2024, 6, 3)
    assert second.paragraphs == ["修鞋的师傅在夜市摆摊已经十年了。"]


def test_json_array_numbers_records_by_position() -> None:
    result = parse_file("chinese_keys.json")
    assert [article.source_lines[0][0] for article in result.articles] == [1, 2]
    assert [(line.number, line.text, line.reason) for line in result.dropped] == [
        (3, "42", REASON_NOT_OBJECT)
    ]


def test_json_object_wrapping_a_list_gives_the_lists_records() -> None:
    result = parse_file("wrapped_list.json")
    assert [article.title for article in result.articles] == ["雨后的山路", "村口的老槐树"]
    first = result.articles[0]
    assert first.publication == "山野杂志"
    assert (first.year, first.month, first.day) == (2024, 1, 5)
    assert first.paragraphs == ["雨停了，山路上满是落叶。"]
    assert result.dropped == []


def test_one_json_object_is_one_record() -> None:
    text = json.dumps(
        {"标题": "一篇", "正文": "只有一篇。", "作者": "甲"}, ensure_ascii=False, indent=2
    )
    article = only(parse_json("一篇.json", text))
    assert (article.title, article.author, article.paragraphs) == ("一篇", "甲", ["只有一篇。"])


def test_title_keeps_its_punctuation_and_a_number_becomes_text() -> None:
    text = (
        '{"title": "问答：为什么？（上）", "content": "正文。"}\n'
        '{"title": 2049, "content": "正文。"}\n'
    )
    result = parse_json("问答.jsonl", text)
    assert [article.title for article in result.articles] == ["问答：为什么？（上）", "2049"]


def test_field_map_takes_the_body_from_the_named_key() -> None:
    text = (
        '{"title": "甲", "content": "编者按。", "text": "正文在这里。"}\n'
        '{"title": "乙", "text": "二。"}\n'
    )
    result = parse_json("甲.jsonl", text, body="text")
    assert [article.paragraphs for article in result.articles] == [["正文在这里。"], ["二。"]]


def test_json_field_map_naming_a_missing_key_fails_listing_the_keys() -> None:
    text = '{"title": "甲", "content": "一。"}\n{"title": "乙", "content": "二。"}\n'
    with pytest.raises(ImportFailed) as error:
        parse_json("甲.jsonl", text, body="正文")
    assert "title、content" in str(error.value)


def test_json_without_a_title_or_body_field_fails_naming_its_fields() -> None:
    text = '[{"headline": "甲", "story": "一。"}]'
    with pytest.raises(ImportFailed) as error:
        parse_json("甲.json", text)
    assert "headline、story" in str(error.value)


def test_malformed_json_fails_with_line_and_column() -> None:
    with pytest.raises(ImportFailed) as error:
        parse_file("malformed.json")
    assert str(error.value) == "malformed.json: 不是有效的 JSON：第 3 行第 3 列：缺少逗号"


def test_malformed_json_lines_fail_with_the_files_line() -> None:
    with pytest.raises(ImportFailed) as error:
        parse_file("malformed.jsonl")
    assert "第 3 行第 31 列：字符串没有结束的引号" in str(error.value)


def test_gb18030_json() -> None:
    text = json.dumps([{"标题": "茶山", "正文": "茶山上雾很大。"}], ensure_ascii=False)
    article = only(parse_json("茶.json", text, encoding="gb18030"))
    assert (article.title, article.paragraphs) == ("茶山", ["茶山上雾很大。"])


def test_characters_no_database_can_store_are_removed_by_the_importer_and_noted() -> None:
    result = parse_json("坏.jsonl", '{"title": "坏\\u0000字", "content": "正文\\ud800。"}')
    remove_unstorable(result)
    article = only(result)
    assert (article.title, article.paragraphs) == ("坏字", ["正文。"])
    assert [(line.number, line.text, line.reason) for line in article.dropped] == [
        (1, "\\u0000\\ud800", REASON_UNREADABLE_CHARS)
    ]


# --- A real collection: the government work reports, as scraped from a wiki ----------------


@pytest.fixture(scope="module")
def reports() -> tuple[list[dict], ParseResult]:
    assert REPORTS.is_file(), f"the real collection is missing: {REPORTS}"
    records = [
        json.loads(line) for line in REPORTS.read_text(encoding="utf-8").splitlines() if line
    ]
    result = JsonParser().parse(SourceFile.from_path(REPORTS), ParseOptions())
    return records, result


def test_government_reports_all_records_come_in_with_their_titles(reports) -> None:
    records, result = reports
    assert len(records) == 72
    assert [article.title for article in result.articles] == [record["title"] for record in records]
    assert result.dropped == []


def test_government_reports_years_are_the_records_own(reports) -> None:
    records, result = reports
    years = [article.year for article in result.articles]
    assert years == [int(record["year"]) if record["year"] else None for record in records]
    assert sum(year is not None for year in years) == 52


def test_government_reports_keep_every_character_of_their_text(reports) -> None:
    records, result = reports
    for article, record in zip(result.articles, records, strict=True):
        assert _INVISIBLE.sub("", "".join(article.paragraphs)) == _INVISIBLE.sub(
            "", record["content"]
        ), article.title


def test_government_reports_sentences_broken_by_links_are_joined(reports) -> None:
    _, result = reports
    broken = [
        paragraph
        for article in result.articles
        for paragraph in article.paragraphs
        if paragraph[0] in "，。、；：！？）》」』”" or paragraph.endswith("《")
    ]
    assert broken == []


def test_government_reports_keep_paragraphs_and_urls(reports) -> None:
    records, result = reports
    report = result.articles[2]
    assert report.paragraphs[:4] == [
        "政府工作报告",
        "——2024年3月5日在第十四届全国人民代表大会第二次会议上",
        "国务院总理李\u3000强",
        "各位代表：",
    ]
    assert [article.url for article in result.articles] == [record["url"] for record in records]


def test_title_broken_over_lines_is_joined_without_a_space() -> None:
    article = only(parse_json("报告.jsonl", '{"title": "政府工作报\\n告", "content": "正文。"}'))
    assert article.title == "政府工作报告"


def test_labels_written_into_author_and_source_values_are_removed() -> None:
    text = '{"title": "甲", "content": "一。", "author": "作者：李四", "source": "来源：晚报"}'
    article = only(parse_json("甲.jsonl", text))
    assert (article.author, article.publication) == ("李四", "晚报")


def test_a_source_field_holding_an_address_gives_the_url() -> None:
    text = '{"title": "甲", "content": "一。", "source": "https://example.com/news/1"}'
    article = only(parse_json("甲.jsonl", text))
    assert (article.publication, article.url) == ("", "https://example.com/news/1")


def test_json_array_without_objects_fails() -> None:
    with pytest.raises(ImportFailed) as error:
        parse_json("数.json", '["甲", "乙"]')
    assert "不是对象" in str(error.value)


def test_json_lines_saved_as_json_are_read_line_by_line() -> None:
    text = '{"title": "甲", "content": "一。"}\n\n{"title": "乙", "content": "二。"}\n'
    result = parse_json("导出.json", text)
    assert [(article.title, article.source_lines[0][0]) for article in result.articles] == [
        ("甲", 1),
        ("乙", 3),
    ]
