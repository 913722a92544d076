"""Citations as pure functions of an article's fields: GB/T 7714-2015, BibTeX, RIS."""

from __future__ import annotations

from datetime import date

import pytest

from archive.citations import bibtex, bibtex_escape, gbt7714, ris
from archive.models import Article, Publication

URL = "https://wencui.example/articles/3/"
ACCESSED = date(2024, 5, 6)


def article(**fields) -> Article:
    """An unsaved article: the citation functions need no database."""
    publication = fields.pop("publication", None)
    result = Article(title=fields.pop("title", "浅议怎样发挥基层党组织的战斗堡垒作用"), **fields)
    if publication:
        result.publication = Publication(name=publication)
    return result


def journal_article(**fields) -> Article:
    defaults = {
        "author": "杨姿姮",
        "publication": "商情",
        "issue_label": "2020年第36期",
        "issue_number": 36,
        "year": 2020,
    }
    return article(**{**defaults, **fields})


# GB/T 7714


def test_gbt7714_journal_article():
    assert (
        gbt7714(journal_article())
        == "杨姿姮. 浅议怎样发挥基层党组织的战斗堡垒作用[J]. 商情, 2020(36)."
    )


def test_gbt7714_ignores_url_for_a_journal_article():
    assert gbt7714(journal_article(), url=URL, accessed=ACCESSED).endswith("商情, 2020(36).")


def test_gbt7714_without_author_starts_with_the_title():
    assert gbt7714(journal_article(author="")) == (
        "浅议怎样发挥基层党组织的战斗堡垒作用[J]. 商情, 2020(36)."
    )


def test_gbt7714_without_issue_or_year():
    assert gbt7714(journal_article(issue_label="", issue_number=None)) == (
        "杨姿姮. 浅议怎样发挥基层党组织的战斗堡垒作用[J]. 商情, 2020."
    )
    assert gbt7714(journal_article(issue_label="", issue_number=None, year=None)) == (
        "杨姿姮. 浅议怎样发挥基层党组织的战斗堡垒作用[J]. 商情."
    )
    assert gbt7714(journal_article(issue_label="第36期", year=None)) == (
        "杨姿姮. 浅议怎样发挥基层党组织的战斗堡垒作用[J]. 商情, (36)."
    )


def test_gbt7714_issue_label_without_a_number_is_left_out():
    cited = gbt7714(journal_article(issue_label="2020年增刊", issue_number=None))
    assert cited.endswith("[J]. 商情, 2020.")


def test_gbt7714_cites_the_stored_issue_number_not_the_label():
    assert gbt7714(journal_article(issue_label="2020年第05期", issue_number=5)).endswith(
        "商情, 2020(5)."
    )


def test_gbt7714_without_publication_is_an_online_source_with_its_address():
    cited = gbt7714(
        journal_article(publication=None, issue_label="", issue_number=None),
        url=URL,
        accessed=ACCESSED,
    )
    assert cited == (
        "杨姿姮. 浅议怎样发挥基层党组织的战斗堡垒作用[EB/OL]. (2020)[2024-05-06]. "
        "https://wencui.example/articles/3/."
    )
    assert "[J]" not in cited


def test_gbt7714_online_source_with_month_and_without_year():
    dated = article(year=2018, month=12)
    assert gbt7714(dated, url=URL, accessed=ACCESSED) == (
        f"浅议怎样发挥基层党组织的战斗堡垒作用[EB/OL]. (2018-12)[2024-05-06]. {URL}."
    )
    assert gbt7714(article(), url=URL) == f"浅议怎样发挥基层党组织的战斗堡垒作用[EB/OL]. {URL}."


def test_gbt7714_without_publication_or_address():
    assert gbt7714(article(year=2020)) == "浅议怎样发挥基层党组织的战斗堡垒作用[Z]. 2020."
    assert gbt7714(article()) == "浅议怎样发挥基层党组织的战斗堡垒作用[Z]."


def test_gbt7714_lists_three_authors_then_et_al():
    assert gbt7714(journal_article(author="张三，李四")).startswith("张三, 李四. ")
    assert gbt7714(journal_article(author="张三、李四、王五、赵六")).startswith(
        "张三, 李四, 王五, 等. "
    )


def test_gbt7714_collective_author_and_title_ending_in_punctuation():
    cited = gbt7714(journal_article(author="中共天津市委党校课题组", title="怎样发挥作用？"))
    assert cited == "中共天津市委党校课题组. 怎样发挥作用？[J]. 商情, 2020(36)."


def test_gbt7714_line_breaks_and_control_characters_become_spaces():
    cited = gbt7714(journal_article(title="第一行\n第二行\x00"))
    assert "\n" not in cited and "\x00" not in cited
    assert "第一行 第二行[J]" in cited


@pytest.mark.django_db
def test_importing_stores_the_issue_number_that_citations_use():
    from io import StringIO

    from django.core.management import call_command

    from tests.conftest import CORPUS

    call_command("import_articles", str(CORPUS), stdout=StringIO(), stderr=StringIO())
    cited = Article.objects.select_related("publication").get(author="杨姿姮")
    assert (cited.issue_label, cited.issue_number) == ("2020年第36期", 36)
    assert gbt7714(cited).endswith("商情, 2020(36).")
    labelled = Article.objects.exclude(issue_label="")
    assert labelled.exists() and not labelled.filter(issue_number=None).exists()


@pytest.mark.django_db
def test_the_exchange_format_keeps_the_issue_number_and_older_files_import_without_it(tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    Article.objects.create(title="期次测试", issue_label="2021年第7期", issue_number=7)
    out = StringIO()
    call_command("export_articles", stdout=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    (record,) = [r for r in records if r["title"] == "期次测试"]
    assert record["issue_number"] == 7
    Article.objects.all().delete()
    exported = tmp_path / "export.jsonl"
    exported.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    call_command("import_articles", str(exported), stdout=StringIO(), stderr=StringIO())
    assert Article.objects.get().issue_number == 7
    Article.objects.all().delete()
    del record["issue_number"]  # written before the field existed
    exported.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    call_command("import_articles", str(exported), stdout=StringIO(), stderr=StringIO())
    assert Article.objects.get().issue_number is None


# BibTeX


def test_bibtex_journal_article():
    entry = bibtex(journal_article(), url=URL, accessed=ACCESSED)
    assert entry.startswith("@article{wencui,\n")
    assert "  title = {浅议怎样发挥基层党组织的战斗堡垒作用},\n" in entry
    assert "  author = {{杨姿姮}},\n" in entry
    assert "  journal = {商情},\n" in entry
    assert "  year = {2020},\n" in entry
    assert "  number = {36},\n" in entry
    assert f"  url = {{{URL}}},\n" in entry
    assert "  urldate = {2024-05-06},\n" in entry
    assert entry.endswith("\n}\n")


def test_bibtex_leaves_unknown_fields_out():
    entry = bibtex(article())
    assert entry.startswith("@misc{wencui,\n")
    for field in ("author", "journal", "year", "number", "url", "keywords", "abstract"):
        assert f"  {field} = " not in entry


def test_bibtex_several_authors_each_in_braces():
    entry = bibtex(journal_article(author="张三; 李四"))
    assert "  author = {{张三} and {李四}},\n" in entry


def test_bibtex_escapes_latex_special_characters():
    entry = bibtex(journal_article(title="50% & {括号} $x_1$ #1 ^~ \\end", author="A&B"))
    assert (
        r"  title = {50\% \& \{括号\} \$x\_1\$ \#1 \^{}\~{} \textbackslash{}end},"
        in entry.splitlines()
    )
    assert r"  author = {{A\&B}}," in entry.splitlines()
    # Braces stay balanced, so no field can end early.
    body = entry.replace(r"\{", "").replace(r"\}", "")
    assert body.count("{") == body.count("}")


def test_bibtex_escape_flattens_lines():
    assert bibtex_escape("一\n二\r\n三") == "一 二 三"


# RIS


def test_ris_journal_article():
    record = ris(journal_article(), url=URL, accessed=ACCESSED)
    lines = record.split("\r\n")
    assert lines[0] == "TY  - JOUR"
    assert "TI  - 浅议怎样发挥基层党组织的战斗堡垒作用" in lines
    assert "AU  - 杨姿姮" in lines
    assert "T2  - 商情" in lines
    assert "PY  - 2020" in lines
    assert "IS  - 36" in lines
    assert f"UR  - {URL}" in lines
    assert lines[-2:] == ["ER  - ", ""]


def test_ris_without_publication_and_unknown_fields():
    record = ris(article())
    assert record.startswith("TY  - ELEC\r\n")
    for tag in ("AU", "T2", "PY", "IS", "UR", "AB"):
        assert f"\r\n{tag}  - " not in record


def test_ris_fields_stay_on_one_line():
    record = ris(journal_article(title="第一行\n第二行", author="张三\r\n李四"))
    assert all(line[:2].isupper() and line[2:6] == "  - " for line in record.split("\r\n")[:-1])
    assert "TI  - 第一行 第二行" in record


@pytest.mark.django_db
def test_articles_stored_before_get_the_issue_number_of_their_label():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("archive.migrations.0004_article_issue_number")
    double = Article.objects.create(title="合刊", issue_label="2019年第1-2期")
    numbered = Article.objects.create(title="外刊", issue_label="Vol. 3, No. 12")
    special = Article.objects.create(title="增刊", issue_label="2020年增刊")
    updated = Article.objects.get(pk=double.pk).updated
    migration.fill_issue_numbers(apps, None)
    assert Article.objects.get(pk=double.pk).issue_number == 1
    assert Article.objects.get(pk=numbered.pk).issue_number == 12
    assert Article.objects.get(pk=special.pk).issue_number is None
    assert Article.objects.get(pk=double.pk).updated == updated  # the index stays current
