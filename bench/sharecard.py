"""Milliseconds per share card: the median over many different cards, per script.

    .venv/bin/python bench/sharecard.py [--cards N]

Every card differs (its claim ends in its number), so nothing is reused between draws
but the opened fonts, as in a build. The first card of each language, which opens the
fonts, is timed apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from factcheck import sharecard

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
    args = parser.parse_args()
    sharecard.check_ready(args.langs.split(","))
    print(f"{'lang':6}{'first ms':>10}{'median ms':>11}{'p90 ms':>8}{'KiB':>7}")
    for lang in args.langs.split(","):
        card = CARDS[lang]
        first, size = _timed(card)
        times = [_timed(replace(card, claim=f"{card.claim} {n}"))[0] for n in range(args.cards)]
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"{lang:6}{first:10.1f}{statistics.median(times):11.1f}{p90:8.1f}{size / 1024:7.0f}")


def _timed(card: sharecard.Card) -> tuple[float, int]:
    start = time.perf_counter()
    data = sharecard.draw(card)
    return (time.perf_counter() - start) * 1000, len(data)


if __name__ == "__main__":
    main()
