"""A deterministic benchmark corpus: N articles of ~650 words, each marking 10 claims.

Every article and its 10 checks (3 sources each) come from a random generator seeded
with the seed and the article's number only, never the clock, so the same arguments
always give byte-identical files, and the first 100 articles of N=1000 are N=100's.
`make_corpus` builds the model once; `write_corpus` writes it in our format, and
`bench/other_formats.py` writes the same articles for Hugo, MkDocs and Pelican.
"""

from __future__ import annotations

import datetime
import json
import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

CLAIMS_PER_ARTICLE = 10
SOURCES_PER_CHECK = 3
ARTICLE_WORDS = 650
PARAGRAPHS = 8
FIRST_DAY = datetime.date(2022, 1, 3)
VERDICTS = ("true", "mostly-true", "half-true", "mostly-false", "false", "unproven")
STANCES = ("supports", "refutes", "context")

VOCABULARY = """
government minister said report council budget million percent year week city region
police court judge election vote party leader opposition health hospital school
teachers students workers union strike company market prices inflation energy power
water river road bridge railway airport flights border trade exports imports farmers
harvest rain drought flood storm climate emissions targets plan policy law bill
parliament committee inquiry evidence data figures official statement spokesperson
agency office department ministry national local public private new old first last
more less higher lower rising falling record since before after during while across
over under about against between within without according reported announced claimed
denied confirmed promised warned expected estimated increased reduced doubled halved
the a an of to in on for with by from at as and or but that this these those its
their our his her they we it he she was were is are has have had will would could
should may might not no more most many several some every each three four five ten
hundred thousand people families children residents voters patients drivers visitors
"""
WORDS = tuple(VOCABULARY.split())

NAMES = (
    "Amira Haddad",
    "Ben Okafor",
    "Chen Wei",
    "Dana Novak",
    "Elif Demir",
    "Farid Rahman",
    "Grace Mensah",
    "Hugo Lindqvist",
    "Ines Moreau",
    "Jonas Berg",
)
PUBLISHERS = (
    "National Statistics Office",
    "Ministry of Finance",
    "Parliamentary Record",
    "City Council",
    "Health Agency",
    "Energy Regulator",
    "Court Registry",
    "Election Commission",
    "Transport Authority",
    "Weather Service",
)


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    publisher: str
    date: datetime.date
    stance: str


@dataclass(frozen=True)
class Check:
    id: str
    claim: str
    claimant: str
    claim_date: datetime.date
    appearance: str
    verdict: str
    summary: str
    analysis: tuple[str, ...]
    sources: tuple[Source, ...]
    checked_on: datetime.date


Segment = tuple[str, str | None]
"""Words of a paragraph and the id of the check they are marked with (None: plain)."""


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    published: datetime.date
    summary: str
    paragraphs: tuple[tuple[Segment, ...], ...]
    checks: tuple[Check, ...]


def write_corpus(folder: Path, articles: int, seed: int = 0) -> None:
    """Write `articles` articles with their checks and a site.yaml into `folder`."""
    write_files(folder, our_files(make_corpus(articles, seed)))


def write_files(folder: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make_corpus(articles: int, seed: int = 0) -> tuple[Article, ...]:
    return tuple(make_article(index, seed) for index in range(articles))


def our_files(corpus: tuple[Article, ...]) -> dict[str, str]:
    """Every file of the corpus in our format, by path relative to the source folder."""
    files = {"site.yaml": SITE_YAML}
    for article in corpus:
        files[f"content/{article.slug}.md"] = article_markdown(article)
        for check in article.checks:
            files[f"checks/{check.id}.yaml"] = check_yaml(check)
    return files


SITE_YAML = """\
title: Bench Fact Desk
base_url: https://bench.example.org/
language: en
publisher:
  name: Bench Fact Desk
  url: https://bench.example.org/
contact: corrections@bench.example.org
# The Hugo peers draw no share cards and build no search index: those are timed on their
# own (bench/sharecard.py, bench/search.py), so the comparison is of the same job.
share_images: false
search: false
"""


def make_article(index: int, seed: int) -> Article:
    """Article `index`, from its own generator so it never depends on the corpus size."""
    rng = random.Random(f"bench:{seed}:{index}")
    slug = article_slug(index)
    published = FIRST_DAY + datetime.timedelta(days=index)
    claims = [
        (check_id(slug, number), _words(rng, 9, 13)) for number in range(1, CLAIMS_PER_ARTICLE + 1)
    ]
    paragraphs = _paragraphs(rng, claims)
    checks = tuple(_check(rng, slug, published, claim_id, words) for claim_id, words in claims)
    return Article(
        slug,
        _sentence(rng, 6, 10).rstrip("."),
        published,
        _sentence(rng, 25, 35),
        paragraphs,
        checks,
    )


def article_slug(index: int) -> str:
    return f"story-{index + 1:04d}"


def check_id(slug: str, number: int) -> str:
    """The id of the article's check `number`, counting from 1."""
    return f"{slug}-c{number:02d}"


def _paragraphs(rng: random.Random, claims: list[tuple[str, str]]) -> tuple:
    """About ARTICLE_WORDS words in PARAGRAPHS paragraphs, the claims spread among them."""
    claim_words = sum(len(words.split()) for _, words in claims)
    plain_per_paragraph = (ARTICLE_WORDS - claim_words) // PARAGRAPHS
    paragraphs = []
    for number in range(PARAGRAPHS):
        mine = claims[number * len(claims) // PARAGRAPHS : (number + 1) * len(claims) // PARAGRAPHS]
        segments: list[Segment] = [(_sentence(rng, 10, 16), None)]
        for claim_id, words in mine:
            segments.append((words[0].upper() + words[1:], claim_id))
            segments.append((". " + _sentence(rng, 8, 12), None))
        plain = sum(len(text.split()) for text, claim in segments if claim is None)
        segments.append((" " + _text(rng, plain_per_paragraph - plain), None))
        paragraphs.append(tuple(_spaced(segments)))
    return tuple(paragraphs)


def _spaced(segments: list[Segment]) -> list[Segment]:
    """A space between a plain sentence and the marked words after it."""
    return [
        (
            text + " "
            if claim is None and index + 1 < len(segments) and segments[index + 1][1]
            else text,
            claim,
        )
        for index, (text, claim) in enumerate(segments)
    ]


def _check(
    rng: random.Random, slug: str, published: datetime.date, claim_id: str, words: str
) -> Check:
    claim_date = published - datetime.timedelta(days=rng.randint(1, 20))
    sources = tuple(
        Source(
            _sentence(rng, 5, 9).rstrip("."),
            f"https://source{number + 1}.example.org/{claim_id}/record",
            rng.choice(PUBLISHERS),
            claim_date - datetime.timedelta(days=rng.randint(0, 60)),
            STANCES[number],
        )
        for number in range(SOURCES_PER_CHECK)
    )
    analysis = tuple(
        f"{_sentence(rng, 20, 30)} {_sentence(rng, 12, 20)} [{number + 1}]"
        for number in range(SOURCES_PER_CHECK)
    )
    return Check(
        claim_id,
        textwrap.wrap(words[0].upper() + words[1:], 70)[0],
        rng.choice(NAMES),
        claim_date,
        f"https://news.example.com/{slug}",
        rng.choice(VERDICTS),
        _sentence(rng, 12, 18) + " " + _sentence(rng, 10, 16),
        analysis,
        sources,
        published,
    )


def article_markdown(article: Article) -> str:
    """The article in our format: front matter, then paragraphs with claim markers."""
    body = "\n\n".join(
        "".join(f"[{text}]{{claim={claim}}}" if claim else text for text, claim in paragraph)
        for paragraph in article.paragraphs
    )
    return (
        f"---\ntitle: {yaml_string(article.title)}\npublished: {article.published}\n"
        f"summary: {yaml_string(article.summary)}\nsource:\n  publisher: Example News\n"
        f"  url: https://news.example.com/{article.slug}\n"
        f"  published: {article.checks[0].claim_date}\n---\n\n{body}\n"
    )


def check_yaml(check: Check) -> str:
    """One check file in our format (Hugo reads the same text from its data folder)."""
    sources = "".join(
        f"  - title: {yaml_string(source.title)}\n    url: {source.url}\n"
        f"    publisher: {yaml_string(source.publisher)}\n    date: {source.date}\n"
        f"    stance: {source.stance}\n"
        for source in check.sources
    )
    analysis = "\n\n  ".join(check.analysis)
    return (
        f"claim: {yaml_string(check.claim)}\nclaimant: {yaml_string(check.claimant)}\n"
        f"claim_date: {check.claim_date}\nappearance: {check.appearance}\n"
        f"verdict: {check.verdict}\nsummary: {yaml_string(check.summary)}\n"
        f"analysis: |\n  {analysis}\nsources:\n{sources}"
        f"checked_by: Bench Fact Desk\nchecked_on: {check.checked_on}\n"
    )


def plain_text(paragraph: tuple[Segment, ...]) -> str:
    """A paragraph without markers, for tools that do not know claims."""
    return "".join(text for text, _ in paragraph)


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _words(rng: random.Random, shortest: int, longest: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(shortest, longest)))


def _sentence(rng: random.Random, shortest: int, longest: int) -> str:
    words = _words(rng, shortest, longest)
    return words[0].upper() + words[1:] + "."


def _text(rng: random.Random, words: int) -> str:
    """Whole sentences of exactly `words` words in all."""
    sentences = []
    while words > 0:
        length = rng.randint(8, 18)
        length = words if words - length < 4 else length
        sentences.append(_sentence(rng, length, length))
        words -= length
    return " ".join(sentences)
