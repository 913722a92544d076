"""The synthetic corpus, the one generator of the project: deterministic Chinese articles,
the fixed query mix run against them, and the files they are written as.

Articles mix real paragraphs of the bundled corpus (parsed with the compilation rules of
archive.ingest) with
text drawn from jieba's own dictionary by word frequency, so that common and rare
words are spread as in real Chinese text. Titles, authors, 36 publications and 20
years vary, so that filters and facets matter. Records are in the JSON Lines format of
archive.ingest (export_articles), which the archive imports as it is.

Everything here is plain Python (no Django): the peer systems read the same files.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from search import fold, text_segments

BASE_DIR = Path(__file__).resolve().parent.parent
FIXTURE = BASE_DIR / "fixtures" / "grassroots-party-organisations.txt"
DEFAULT_SEED = 20240601
# Body size in UTF-8 bytes, like the bundled corpus (whose articles are 1.4-4.4 KB).
BODY_BYTES = (1500, 4000)
REAL_PARAGRAPH_SHARE = 0.45
TRADITIONAL_SHARE = 0.05
FIRST_YEAR, LAST_YEAR = 2005, 2024
TIMESTAMP = "2024-06-01T00:00:00+00:00"
# Each base query is run in this many variants: without and with a filter, by
# relevance and by date.
VARIANTS = 4

PUBLICATIONS = [
    # The bundled corpus's own, then 31 more of the kind.
    "商情",
    "求知",
    "大东方",
    "新长征·党建版",
    "青年生活",
    "党建研究",
    "支部建设",
    "共产党员",
    "当代党员",
    "党的生活",
    "紫光阁",
    "前线",
    "人民论坛",
    "领导科学",
    "中国党政干部论坛",
    "理论导报",
    "新西部",
    "中外企业家",
    "企业党建",
    "机关党建研究",
    "农村工作通讯",
    "组织人事报",
    "学习时报",
    "光明日报",
    "经济日报",
    "中国青年报",
    "学理论",
    "长江论坛",
    "党政论坛",
    "实践",
    "奋斗",
    "先锋",
    "智库时代",
    "办公室业务",
    "活力",
    "山西青年",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅金凤海波宁晓东雪琳斌"
COLLECTIVE = ["中共{}市委党校课题组", "{}省委组织部调研组", "{}县委组织部", "{}大学马克思主义学院"]
PLACES = ["天津", "河北", "山西", "浙江", "湖南", "四川", "云南", "甘肃", "宁波", "青岛", "大连"]
TITLE_PREFIXES = ["浅谈", "论", "试论", "浅析", "关于", "新时代", "新形势下", "", "", ""]
TITLE_SUFFIXES = ["研究", "探析", "的思考", "的路径", "的实践与探索", "问题与对策", "", ""]
CLAUSE_END = "，，，，、；"
SENTENCE_END = "。。。。！？"


@dataclass
class Dictionary:
    """jieba's dictionary: words, cumulative frequencies for weighted draws, and tags."""

    words: list[str]
    cumulative: list[int]
    tags: list[str]

    @classmethod
    def load(cls) -> Dictionary:
        import jieba

        words, cumulative, tags = [], [], []
        total = 0
        with jieba.get_dict_file() as handle:
            for raw in handle:
                parts = raw.decode("utf-8").split()
                if len(parts) < 2 or not parts[1].isdigit():
                    continue
                total += int(parts[1])
                words.append(parts[0])
                cumulative.append(total)
                tags.append(parts[2] if len(parts) > 2 else "")
        return cls(words, cumulative, tags)

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)

    def frequency(self, index: int) -> int:
        return self.cumulative[index] - (self.cumulative[index - 1] if index else 0)

    def nouns(self, rng: random.Random, k: int) -> list[str]:
        """k nouns of 2-4 characters, drawn by frequency."""
        found: list[str] = []
        top = self.cumulative[-1]
        while len(found) < k:
            index = bisect.bisect_right(self.cumulative, rng.random() * top)
            index = min(index, len(self.words) - 1)
            word = self.words[index]
            if self.tags[index].startswith("n") and 2 <= len(word) <= 4 and word.isalpha():
                found.append(word)
        return found


@dataclass
class Fixture:
    """What the bundled corpus offers: real paragraphs, titles, authors, keywords."""

    paragraphs: list[str]
    titles: list[str]
    authors: list[str]
    keywords: list[str]

    @classmethod
    def load(cls) -> Fixture:
        from archive.ingest import parse_raw_text

        result = parse_raw_text(FIXTURE.read_text(encoding="utf-8"))
        paragraphs = [p.strip() for a in result.articles for p in a.paragraphs if p.strip()]
        return cls(
            paragraphs=paragraphs,
            titles=[a.title for a in result.articles],
            authors=sorted({a.author for a in result.articles if a.author}),
            keywords=sorted({k for a in result.articles for k in a.keywords}),
        )


def searchable_text(record: dict) -> str:
    """What the archive indexes for an article (search.text), one segment per line."""
    segments = text_segments(
        title=record["title"],
        author=record["author"],
        publication=record["publication"] or "",
        abstract=record["abstract"],
        keywords=record["keywords"],
        body="\n".join(record["paragraphs"]),
    )
    return "\n".join(segments)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.dictionary = Dictionary.load()
        self.fixture = Fixture.load()
        rng = self.rng
        self.authors = sorted(
            {
                rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
                for _ in range(700)
            }
        )
        self.authors += self.fixture.authors
        self.authors += [c.format(p) for c in COLLECTIVE for p in PLACES]
        # Zipf-like popularity: a few publications carry most articles.
        self.publication_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(PUBLICATIONS))]
        self.years = list(range(FIRST_YEAR, LAST_YEAR + 1))
        self.year_weights = [1 + index / 4 for index in range(len(self.years))]
        self.keyword_pool = self.fixture.keywords + self.dictionary.nouns(rng, 400)
        import opencc

        self.to_traditional = opencc.OpenCC("s2t")

    def sentence(self) -> str:
        rng = self.rng
        words = self.dictionary.draw(rng, rng.randint(8, 26))
        pieces: list[str] = []
        clause = rng.randint(4, 9)
        for index, word in enumerate(words, 1):
            pieces.append(word)
            if index % clause == 0 and index < len(words):
                pieces.append(rng.choice(CLAUSE_END))
        pieces.append(rng.choice(SENTENCE_END))
        return "".join(pieces)

    def generated_paragraph(self) -> str:
        return "".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def title(self) -> str:
        rng = self.rng
        if rng.random() < 0.2:
            return rng.choice(TITLE_PREFIXES) + rng.choice(self.fixture.titles)
        nouns = self.dictionary.nouns(rng, 3)
        middle = f"{nouns[0]}{nouns[1]}" + (f"的{nouns[2]}" if rng.random() < 0.5 else "")
        return f"{rng.choice(TITLE_PREFIXES)}{middle}{rng.choice(TITLE_SUFFIXES)}" or nouns[0]

    def author(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.1:
            return ""
        if roll < 0.2:
            return " ".join(rng.sample(self.authors, 2))
        return rng.choice(self.authors)

    def article(self, article_id: int) -> dict:
        rng = self.rng
        target = rng.randint(*BODY_BYTES)
        paragraphs: list[str] = []
        size = 0
        while size < target:
            if rng.random() < REAL_PARAGRAPH_SHARE:
                paragraph = rng.choice(self.fixture.paragraphs)
            else:
                paragraph = self.generated_paragraph()
            paragraphs.append(paragraph)
            size += len(paragraph.encode("utf-8")) + 1
        year = (
            rng.choices(self.years, weights=self.year_weights)[0] if rng.random() > 0.04 else None
        )
        month = rng.randint(1, 12) if year and rng.random() < 0.7 else None
        publication = (
            rng.choices(PUBLICATIONS, weights=self.publication_weights)[0]
            if rng.random() > 0.05
            else None
        )
        abstract = self.generated_paragraph()[:200] if rng.random() < 0.35 else ""
        keywords = rng.sample(self.keyword_pool, rng.randint(3, 5)) if rng.random() < 0.4 else []
        title = self.title()
        if rng.random() < TRADITIONAL_SHARE:
            # Scraped archives mix scripts: some articles arrive in traditional characters.
            convert = self.to_traditional.convert
            title, abstract = convert(title), convert(abstract)
            paragraphs = [convert(p) for p in paragraphs]
        return {
            "id": article_id,
            "title": title[:200],
            "author": self.author(),
            "publication": publication,
            "issue_label": f"{year}年第{rng.randint(1, 24)}期" if year else "",
            "year": year,
            "month": month,
            "abstract": abstract,
            "keywords": list(dict.fromkeys(keywords)),
            "paragraphs": paragraphs,
            "source_document": None,
            "source_lines": "",
            "fingerprint": "",
            "created": TIMESTAMP,
            "updated": TIMESTAMP,
        }

    def compilation_article(self, record: dict) -> str:
        """One article as the bundled compilation has them: the title, the title again with its
        author and source run, an abstract and keywords or the first paragraph, paragraphs."""
        rng = self.rng
        title = record["title"]
        author = record["author"].replace(" ", "、") or rng.choice(self.authors)
        publication = record["publication"] or PUBLICATIONS[0]
        issue = ""
        if record["year"]:
            number = rng.randint(1, 24)
            digits = f"{number:02d}" if rng.random() < 0.5 else str(number)
            issue = (" " if rng.random() < 0.2 else "") + f"{record['year']}年第{digits}期"
        head = f"{title}作者:{author}来源:《{publication}》{issue}"
        paragraphs = list(record["paragraphs"])
        lines = [title]
        if record["abstract"]:
            label = "【摘要】" if rng.random() < 0.5 else "摘要:"
            lines.append(f"{head}{label}{record['abstract']}")
            if record["keywords"]:
                lines.append("关键词:" + ";".join(record["keywords"]))
        else:
            lines.append(head + paragraphs.pop(0))
        lines += paragraphs
        return "\n".join(lines) + "\n"


def generate(count: int, *, seed: int = DEFAULT_SEED) -> tuple[list[dict], list[QuerySpec]]:
    """count articles (ids 1..count) and the query mix chosen for them; same seed, same output."""
    generator = Generator(seed)
    records = [generator.article(article_id) for article_id in range(1, count + 1)]
    queries = build_queries(records, generator)
    return records, queries


def generate_records(count: int, *, seed: int = DEFAULT_SEED) -> list[dict]:
    """count articles (ids 1..count), the first ones generate() makes with the same seed."""
    generator = Generator(seed)
    return [generator.article(article_id) for article_id in range(1, count + 1)]


def write_compilation(path: Path, *, articles: int, seed: int = DEFAULT_SEED) -> Path:
    """A raw-text compilation of about `articles` articles, as the bundled corpus has them
    (the compilation rules may read a few as one, or drop a line)."""
    generator = Generator(seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for article_id in range(1, articles + 1):
            handle.write(generator.compilation_article(generator.article(article_id)))
    return path


# -- queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuerySpec:
    """One query of the mix: required strings (all must match), filters and sort.

    `quoted` queries are exact phrases, checked against the substring oracle; unquoted
    ones are timed only (the systems give them different meanings).
    """

    kind: str
    terms: tuple[str, ...]
    quoted: bool = True
    source: str | None = None
    years: tuple[int, int] | None = None
    sort: str = "relevance"  # or "newest"

    @property
    def text(self) -> str:
        """The query as typed into the archive's search box."""
        return " ".join(f'"{t}"' if self.quoted else t for t in self.terms)

    @property
    def label(self) -> str:
        parts = [self.text]
        if self.source:
            parts.append(f"source={self.source}")
        if self.years:
            parts.append(f"year={self.years[0]}-{self.years[1]}")
        parts.append(self.sort)
        return " ".join(parts)

    @property
    def needles(self) -> list[str]:
        """The folded strings an article must contain."""
        return [fold(t) for t in self.terms]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> QuerySpec:
        years = tuple(data["years"]) if data.get("years") else None
        return cls(
            kind=data["kind"],
            terms=tuple(data["terms"]),
            quoted=data["quoted"],
            source=data["source"],
            years=years,
            sort=data["sort"],
        )


@dataclass
class _Base:
    kind: str
    terms: tuple[str, ...]
    quoted: bool = True


def _document_frequency(texts: list[str], needle: str, stop: int) -> int:
    count = 0
    for text in texts:
        if needle in text:
            count += 1
            if count > stop:
                break
    return count


def _pick(candidates: Iterable[str], texts: list[str], low: int, high: int) -> str | None:
    for candidate in candidates:
        if low <= _document_frequency(texts, fold(candidate), high) <= high:
            return candidate
    return None


def build_queries(records: list[dict], generator: Generator) -> list[QuerySpec]:
    """At least 40 queries: each base query without and with a filter, by relevance and date."""
    rng = random.Random(generator.rng.random())
    texts = [fold(searchable_text(r)) for r in records]
    dictionary = generator.dictionary

    # A long phrase from a real paragraph (in many articles) and one from a generated
    # paragraph (in one or a few), both without line breaks.
    real = max(generator.fixture.paragraphs, key=len)
    start = rng.randrange(0, max(1, len(real) - 20))
    long_real = real[start : start + 16]
    sample = rng.choice(records)
    paragraph = max(sample["paragraphs"], key=len)
    start = rng.randrange(0, max(1, len(paragraph) - 14))
    long_generated = paragraph[start : start + 12]

    # Rare: dictionary words of low frequency found in only a handful of articles.
    rare_pool = [
        word
        for index, word in enumerate(dictionary.words)
        if 3 <= len(word) <= 4 and word.isalpha() and 20 <= dictionary.frequency(index) <= 300
    ]
    rng.shuffle(rare_pool)
    rare = _pick(rare_pool[:3000], texts, 1, 8) or rare_pool[0]
    rare_two = [
        w
        for i, w in enumerate(dictionary.words)
        if len(w) == 2 and w.isalpha() and 50 <= dictionary.frequency(i) <= 500
    ]
    rng.shuffle(rare_two)
    rare_pair = _pick(rare_two[:3000], texts, 1, 20) or rare_two[0]
    absent_pair = _pick(["鼒鼐", "龘靐", "齉龖", "爨䨻"], texts, 0, 0) or "鼒鼐"
    absent_long = _pick(["文萃基准测试里没有的句子", "量子纠缠文萃基准"], texts, 0, 0) or "文萃基准"

    bases = [
        _Base("1 char", ("党",)),
        _Base("1 char", ("村",)),
        _Base("2-char word", ("党员",)),
        _Base("2-char word", ("基层",)),
        _Base("2-char word", ("工作",)),
        _Base("2-char word", ("发展",)),
        _Base("4-char phrase", ("战斗堡垒",)),
        _Base("4-char phrase", ("先锋模范",)),
        _Base("4-char phrase", ("三会一课",)),
        _Base("long phrase", (long_real,)),
        _Base("long phrase", (long_generated,)),
        _Base("straddling", ("织战斗堡",)),
        _Base("straddling", ("层党组",)),
        _Base("rare", (rare,)),
        _Base("rare", (rare_pair,)),
        _Base("absent", (absent_pair,)),
        _Base("absent", (absent_long,)),
        _Base("traditional", ("組織",)),
        _Base("traditional", ("黨員",)),
        _Base("traditional", ("戰鬥堡壘",)),
        _Base("several words", ("战斗堡垒", "党支部")),
        _Base("several words", ("疫情", "防控", "基层")),
        _Base("latin/digits", ("2020",)),
        _Base("latin/digits", ("MEC",)),
        _Base("unquoted", ("基层党组织",), quoted=False),
        _Base("unquoted", ("战斗堡垒", "党支部"), quoted=False),
    ]
    popular = PUBLICATIONS[0]
    filters = itertools.cycle(
        [
            {"source": popular},
            {"years": (2015, 2019)},
            {"source": PUBLICATIONS[1], "years": (2018, 2024)},
            {"years": (2020, 2020)},
        ]
    )
    queries: list[QuerySpec] = []
    for base in bases:
        chosen = next(filters)
        for filtered in (False, True):
            for sort in ("relevance", "newest"):
                queries.append(
                    QuerySpec(
                        kind=base.kind,
                        terms=base.terms,
                        quoted=base.quoted,
                        source=chosen.get("source") if filtered else None,
                        years=chosen.get("years") if filtered else None,
                        sort=sort,
                    )
                )
    return queries


# -- files --------------------------------------------------------------------------------


def write_corpus(path: Path, records: Iterable[dict]) -> int:
    """Write records as JSON Lines; returns the number of UTF-8 bytes of searchable text."""
    text_bytes = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            text_bytes += len(searchable_text(record).encode("utf-8"))
    return text_bytes


def read_corpus(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def write_queries(path: Path, queries: list[QuerySpec]) -> None:
    path.write_text(
        json.dumps([q.to_dict() for q in queries], ensure_ascii=False, indent=1), encoding="utf-8"
    )


def read_queries(path: Path) -> list[QuerySpec]:
    return [QuerySpec.from_dict(d) for d in json.loads(path.read_text(encoding="utf-8"))]


# The research tools' figures (text reuse, concordance): a passage made of pieces of corpus
# articles, a common phrase and a common character of the corpus.
REUSE_PASSAGE_CHARACTERS = 5000
REUSE_PIECE_CHARACTERS = 250
CONCORDANCE_PHRASE = "党组织"
CONCORDANCE_CHARACTER = "的"


def reuse_passage(path: Path, *, characters: int = REUSE_PASSAGE_CHARACTERS) -> str:
    """A passage of `characters` characters made of pieces of the corpus file's first
    articles (REUSE_PIECE_CHARACTERS from each one's body): what a reuse check of a compiled
    text meets."""
    pieces: list[str] = []
    length = 0
    for record in read_corpus(path):
        piece = "".join(record["paragraphs"])[100 : 100 + REUSE_PIECE_CHARACTERS]
        pieces.append(piece)
        length += len(piece)
        if length >= characters:
            break
    return "".join(pieces)[:characters]
