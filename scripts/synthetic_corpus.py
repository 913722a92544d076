"""Generate a raw-text compilation of synthetic articles in the style of the demo corpus.

Each article is a title line, then a line echoing the title followed by its metadata
(作者:…来源:《…》2020年第3期) and the first sentences, then paragraphs of sentences ending
in 。. The sentences are recombined from the demo corpus, so word frequencies (and thus
search costs) look like real articles. Deterministic for a given seed.

    python scripts/synthetic_corpus.py --articles 10000 --output /tmp/corpus.txt
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_CORPUS = BASE_DIR / "fixtures" / "grassroots-party-organisations.txt"

PUBLICATIONS = [
    "商情",
    "求知",
    "大东方",
    "新长征·党建版",
    "青年生活",
    "党课参考",
    "企业文明",
    "中国党政干部论坛",
    "理论导报",
    "支部生活",
    "先锋队",
    "党建研究",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉玲红志新宇晨浩然思远"
TOPICS = [
    "基层党组织",
    "党支部",
    "战斗堡垒",
    "先锋模范",
    "党员教育",
    "组织生活",
    "三会一课",
    "基层治理",
    "党建工作",
    "疫情防控",
    "乡村振兴",
    "国有企业",
    "机关党建",
    "群众工作",
    "作风建设",
    "党风廉政",
]
TITLE_PATTERNS = [
    "浅谈{a}在{b}中的作用",
    "新时代{a}与{b}的实践探索",
    "关于加强{a}建设的几点思考",
    "发挥{a}作用推进{b}",
    "{a}视角下的{b}研究",
    "如何做好{a}中的{b}",
    "以{a}引领{b}的路径分析",
    "{a}建设中{b}问题探析",
]
_SENTENCE = re.compile(r"[^。！？]{8,}[。！？]")
_NOISE = re.compile(r"作者|来源|摘要|关键词|下载|文档|\d{4}\.\d")


def demo_sentences() -> list[str]:
    """Sentences of the demo corpus's article bodies, none containing a title (the parser
    would take a line starting with a known title for the start of an article)."""
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    from archive.ingest import parse_raw_text

    parsed = parse_raw_text(DEMO_CORPUS.read_text(encoding="utf-8"))
    titles = [article.title for article in parsed.articles]
    sentences = set()
    for article in parsed.articles:
        for paragraph in article.paragraphs:
            for sentence in _SENTENCE.findall(paragraph):
                sentence = sentence.strip()
                if not _NOISE.search(sentence) and not any(t in sentence for t in titles):
                    sentences.add(sentence)
    return sorted(sentences)


def _chinese_number(n: int) -> str:
    digits = "〇一二三四五六七八九"
    return "".join(digits[int(d)] for d in str(n))


def generate(articles: int, *, seed: int = 0, paragraphs: tuple[int, int] = (3, 8)) -> str:
    """The text of a compilation of `articles` distinct synthetic articles."""
    rng = random.Random(seed)
    sentences = demo_sentences()
    out: list[str] = []
    for number in range(1, articles + 1):
        a, b = rng.sample(TOPICS, 2)
        # The serial number (in Chinese numerals) keeps titles distinct, so that the
        # importer's duplicate detection never merges two synthetic articles.
        title = rng.choice(TITLE_PATTERNS).format(a=a, b=b) + f"之{_chinese_number(number)}"
        author = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        publication = rng.choice(PUBLICATIONS)
        year = rng.randint(2010, 2023)
        issue = rng.randint(1, 36)
        first = "".join(rng.sample(sentences, 2))
        out.append(title)
        out.append(f"{title}作者:{author}来源:《{publication}》{year}年第{issue:02d}期{first}")
        for _ in range(rng.randint(*paragraphs)):
            out.append("".join(rng.sample(sentences, rng.randint(2, 5))))
    return "\n".join(out) + "\n"


def write_corpus(path: Path, articles: int, *, seed: int = 0) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generate(articles, seed=seed), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, required=True)
    options = parser.parse_args(argv)
    write_corpus(options.output, options.articles, seed=options.seed)
    size = options.output.stat().st_size
    sys.stdout.write(f"{options.output}: {options.articles} articles, {size / 1e6:.1f} MB\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
