"""An exported list imports back through the archive's own importers (archive.ingest): BibTeX,
RIS and CSV as records with the same metadata, JSON Lines without any loss."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.ingest import import_paths
from archive.models import Article

pytestmark = pytest.mark.usefixtures("corpus_search")


def metadata(article: Article) -> dict:
    return {
        "title": article.title,
        "author": article.author.replace("，", "、"),
        "publication": article.publication.name if article.publication else None,
        "year": article.year,
        "issue_number": article.issue_number,
        "keywords": article.keyword_names,
    }


def everything(article: Article) -> dict:
    fields = {
        f.attname: getattr(article, f.attname)
        for f in Article._meta.concrete_fields
        if f.attname not in ("publication_id", "source_document_id")
    }
    fields["publication"] = article.publication.name if article.publication else None
    fields["source_document"] = article.source_document.name if article.source_document else None
    fields["keywords"] = article.keyword_names
    return fields


def articles():
    return Article.objects.select_related("publication", "source_document").order_by("id")


def export_then_import_afresh(client, tmp_path: Path, format: str, extension: str) -> None:
    response = client.get("/search/export", {"format": format})
    assert response.status_code == 200
    path = tmp_path / f"export.{extension}"
    path.write_bytes(b"".join(response.streaming_content))
    Article.objects.all().delete()
    summary = import_paths([path])
    [report] = summary.files
    assert not report.error, report.error
    assert Article.objects.count() == 18


@pytest.mark.parametrize(("format", "extension"), [("bibtex", "bib"), ("ris", "ris")])
def test_reference_manager_files_import_back_as_records_with_their_metadata(
    client, tmp_path, format, extension
):
    before = sorted((metadata(a) for a in articles()), key=lambda m: m["title"])
    export_then_import_afresh(client, tmp_path, format, extension)
    after = sorted((metadata(a) for a in articles()), key=lambda m: m["title"])
    assert after == before
    assert all(article.is_record for article in Article.objects.all())


def test_a_csv_list_imports_back_with_its_metadata(client, tmp_path):
    before = sorted((metadata(a) for a in articles()), key=lambda m: m["title"])
    dates = {a.title: (a.year, a.month) for a in articles()}
    export_then_import_afresh(client, tmp_path, "csv", "csv")
    after = sorted((metadata(a) for a in articles()), key=lambda m: m["title"])
    assert after == before
    assert {a.title: (a.year, a.month) for a in articles()} == dates


def test_a_json_lines_list_imports_back_without_loss(client, tmp_path):
    before = [everything(a) for a in articles()]
    export_then_import_afresh(client, tmp_path, "jsonl", "jsonl")
    assert [everything(a) for a in articles()] == before
