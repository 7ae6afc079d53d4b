"""Milliseconds per share card: the median over many different cards, per script; and,
with --builds, cold builds of a generated site with share cards on and off.

    .venv/bin/python bench/sharecard.py [--cards N] [--builds N --articles 1000]

Every card's claim has its words in another order (a seeded shuffle), so no line of one
card is a line of another and nothing is reused between draws but the opened fonts and
what every card of a site shares (publisher, verdict chip), as in a build. The first card
of each language, which opens the fonts, is timed apart. KiB is the median card's size.

A cold build is `build.py build` as a whole process under GNU time (wall and CPU seconds
of the process tree) into a fresh folder with no cache; builds with cards and without
take turns, after one untimed build that fills the disk cache, so that other work on a
shared machine hits both alike.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from bench.timing import Timing, run_timed  # noqa: E402
from factcheck import pipeline, sharecard  # noqa: E402

CARDS = {
    "en": sharecard.Card(
        "The United States is closing in on an agreement with Islamabad to use Pakistani "
        "airspace for military and intelligence operations in Afghanistan",
        "Lloyd Austin",
        "Mostly false",
        "cross",
        "#bc4c00",
        "Example Fact Desk",
        "Fact checks",
        "en",
        "ltr",
    ),
    "ar": sharecard.Card(
        "الولايات المتحدة تقترب من اتفاق مع إسلام آباد لاستخدام المجال الجوي الباكستاني "
        "في عمليات عسكرية واستخباراتية في أفغانستان",
        "لويد أوستن",
        "غير صحيح في الغالب",
        "cross",
        "#bc4c00",
        "مكتب التحقق",
        "Fact checks",
        "ar",
        "rtl",
    ),
    "ur": sharecard.Card(
        "امریکہ افغانستان میں کارروائیوں کے لیے پاکستانی فضائی حدود استعمال کرنے کے معاہدے "
        "کے قریب ہے",
        "لائیڈ آسٹن",
        "زیادہ تر غلط",
        "cross",
        "#bc4c00",
        "فیکٹ ڈیسک",
        "",
        "ur",
        "rtl",
    ),
    "hi": sharecard.Card(
        "अमेरिका अफ़ग़ानिस्तान में सैन्य कार्रवाई के लिए पाकिस्तानी हवाई क्षेत्र के इस्तेमाल पर समझौते के क़रीब है",
        "लॉयड ऑस्टिन",
        "ज़्यादातर ग़लत",
        "cross",
        "#bc4c00",
        "तथ्य जाँच",
        "",
        "hi",
        "ltr",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=200, help="cards per language")
    parser.add_argument("--langs", default=",".join(CARDS), help="comma-separated")
    parser.add_argument("--builds", type=int, default=0, help="cold builds of each kind")
    parser.add_argument("--articles", type=int, default=1000, help="articles in the site built")
    args = parser.parse_args()
    sharecard.check_ready(args.langs.split(","))
    per_card(args)
    if args.builds:
        cold_builds(args.articles, args.builds)


def per_card(args: argparse.Namespace) -> None:
    print(f"{'lang':6}{'first ms':>10}{'median ms':>11}{'p90 ms':>8}{'KiB':>7}")
    for lang in args.langs.split(","):
        card = CARDS[lang]
        first = _timed(card)[0]
        timed = [_timed(replace(card, claim=shuffled(card.claim, n))) for n in range(args.cards)]
        times = [ms for ms, _ in timed]
        size = statistics.median(size for _, size in timed)
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"{lang:6}{first:10.1f}{statistics.median(times):11.1f}{p90:8.1f}{size / 1024:7.0f}")


def shuffled(text: str, seed: int) -> str:
    """The words of `text` in an order of their own: the same for the same seed."""
    words = text.split()
    random.Random(seed).shuffle(words)
    return " ".join(words)


def cold_builds(articles: int, runs: int) -> None:
    """Cold builds of the generated site (its site.yaml has a base_url) with share cards on
    and off, search off in both, taking turns; medians of wall and CPU seconds."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sites = {"on": work / "on", "off": work / "off"}
        for cards, src in sites.items():
            write_corpus(src, articles)
            set_setting(src / "site.yaml", "search", "false")
            set_setting(src / "site.yaml", "share_images", "true" if cards == "on" else "false")
        cold_build(sites["on"], work / "warm-up")
        timed: dict[str, list[Timing]] = {"on": [], "off": []}
        for n in range(runs):
            for cards in ("on", "off") if n % 2 == 0 else ("off", "on"):
                found = cold_build(sites[cards], work / f"{cards}-{n}")
                timed[cards].append(found)
                print(
                    f"  cards {cards}, run {n + 1}: {found.seconds:.1f} s, "
                    f"CPU {found.cpu_seconds:.1f} s",
                    flush=True,
                )
    median = statistics.median
    for cards, found in timed.items():
        wall = median(t.seconds or 0.0 for t in found)
        cpu = median(t.cpu_seconds for t in found)
        print(f"cold build, {articles} articles, cards {cards}: {wall:.1f} s, CPU {cpu:.1f} s")


def set_setting(site: Path, key: str, value: str) -> None:
    """Give one top-level key of a site.yaml this value, whatever the corpus gave it."""
    lines = site.read_text("utf-8").splitlines()
    kept = [line for line in lines if not line.startswith(f"{key}:")]
    site.write_text("\n".join([*kept, f"{key}: {value}", ""]), "utf-8")


def cold_build(src: Path, parent: Path) -> Timing:
    """A build into a new folder alone in a new parent, with the source's cache removed."""
    shutil.rmtree(pipeline.cache_folder(src), ignore_errors=True)
    parent.mkdir()
    argv = [sys.executable, str(ROOT / "build.py"), "build", "--src", str(src)]
    return run_timed([*argv, "--out", str(parent / "site")], cwd=ROOT)


def _timed(card: sharecard.Card) -> tuple[float, int]:
    start = time.perf_counter()
    data = sharecard.draw(card)
    return (time.perf_counter() - start) * 1000, len(data)


if __name__ == "__main__":
    main()
