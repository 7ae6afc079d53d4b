"""Share cards: what a reader sees in the PNG, drawn with the fonts `make system-deps` installs."""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops, features

from factcheck import sharecard
from factcheck.sharecard import (
    BADGE,
    CHIP_HEIGHT,
    CHIP_PAD,
    CHIP_TOP,
    CLAIM_TOP,
    DISC,
    FONT_DIRS,
    HEADER_TOP,
    MARGIN,
    Card,
    Fonts,
    FontsMissing,
    Paragraph,
)
from factcheck.validate import DEFAULT_SCALE

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = Path(__file__).resolve().parent / "output"
NOTO = FONT_DIRS[0]
CHIP_BAND = (0, CHIP_TOP, 1200, CHIP_TOP + CHIP_HEIGHT)
DISC_TOP = CHIP_TOP + (CHIP_HEIGHT - DISC) // 2
DISC_BOX = (MARGIN + CHIP_PAD, DISC_TOP, MARGIN + CHIP_PAD + DISC, DISC_TOP + DISC)  # ltr
BADGE_BOX = (MARGIN, HEADER_TOP, MARGIN + BADGE, HEADER_TOP + BADGE)

ENGLISH = Card(
    claim="The United States is closing in on an agreement with Islamabad to use Pakistani "
    "airspace for operations in Afghanistan",
    claimant="Lloyd Austin",
    verdict_label="Mostly false",
    symbol="cross",
    color="#bc4c00",
    publisher="Example Fact Desk",
    site_title="Fact checks",
)
ARABIC = Card(
    claim="الولايات المتحدة تقترب من اتفاق مع إسلام آباد لاستخدام المجال الجوي الباكستاني "
    "في عام 2024 (بنسبة 50%) مع NATO",
    claimant="لويد أوستن",
    verdict_label="غير صحيح في الغالب",
    symbol="cross",
    color="#bc4c00",
    publisher="مكتب التحقق",
    site_title="Fact checks",
    lang="ar",
    dir="rtl",
)
URDU = Card(
    claim="امریکہ افغانستان میں کارروائیوں کے لیے پاکستانی فضائی حدود استعمال کرنے کے "
    "معاہدے کے قریب ہے",
    claimant="لائیڈ آسٹن",
    verdict_label="زیادہ تر غلط",
    symbol="half",
    color="#9a6700",
    publisher="فیکٹ ڈیسک",
    lang="ur",
    dir="rtl",
)
HINDI = Card(
    claim="अमेरिका अफ़ग़ानिस्तान में कार्रवाई के लिए पाकिस्तानी हवाई क्षेत्र के इस्तेमाल पर समझौते के क़रीब है",
    claimant="लॉयड ऑस्टिन",
    verdict_label="अप्रमाणित",
    symbol="question",
    color="#6e7781",
    publisher="तथ्य जाँच",
    lang="hi",
)


def picture(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def ink(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The bounding box (in card coordinates) of everything not paper inside `box`."""
    region = image.crop(box)
    found = ImageChops.difference(region, Image.new("RGB", region.size, "white")).getbbox()
    assert found, f"nothing is drawn in {box}"
    return found[0] + box[0], found[1] + box[1], found[2] + box[0], found[3] + box[1]


def first_line(image: Image.Image) -> tuple[int, int, int, int]:
    """The ink of the claim's first line: the top band of the claim's box."""
    return ink(image, (0, CLAIM_TOP, 1200, CLAIM_TOP + 75))


def chunks(png: bytes) -> list[bytes]:
    names, at = [], 8
    while at < len(png):
        length, name = struct.unpack(">I4s", png[at : at + 8])
        names.append(name)
        at += 12 + length
    return names


def test_the_engine_can_shape_text():
    assert features.check("raqm"), "Pillow's raqm layout engine is missing (make system-deps)"
    assert features.version("fribidi"), "FriBiDi is missing: apt-get install libfribidi0"


def test_a_card_is_a_1200_by_630_palette_png_without_metadata():
    png = sharecard.draw(ENGLISH)
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "P")
    assert chunks(png) == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]  # no time, text or profile


def test_text_keeps_smooth_edges_in_the_palette():
    """The palette has 47 shades of each ink on its ground, so the claim's edges are not
    cut to ink or paper."""
    first = picture(sharecard.draw(ENGLISH)).crop((0, CLAIM_TOP, 1200, CLAIM_TOP + 75))
    assert len(first.getcolors(4096)) > 40


def test_the_same_card_gives_the_same_bytes_in_another_process():
    script = (
        "import sys; from factcheck.sharecard import Card, cache_key, draw; "
        f"card = {ARABIC!r}; "
        "sys.stdout.buffer.write(draw(card) + cache_key(card).encode())"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed in ("1", "2")
    ]
    here = sharecard.draw(ARABIC) + sharecard.cache_key(ARABIC).encode()
    assert runs[0].stdout == runs[1].stdout == here


def test_each_verdict_of_the_default_scale_looks_different():
    best, worst = 5, 1
    chips = []
    for verdict in DEFAULT_SCALE:
        card = replace(
            ENGLISH,
            verdict_label=verdict.label,
            color=verdict.color,
            symbol=sharecard.symbol_for(verdict.rating, best, worst),
        )
        chips.append(picture(sharecard.draw(card)).crop(CHIP_BAND).tobytes())
    assert len(set(chips)) == len(DEFAULT_SCALE)


@pytest.mark.parametrize("symbol", ["check", "cross", "half", "question"])
def test_the_symbol_is_drawn_so_the_verdict_never_rests_on_colour(symbol):
    """Two cards that differ only in the symbol differ where it is; the symbol's pixels
    are the chip's colour cut out of the disc beside the label."""
    plain = picture(
        sharecard.draw(replace(ENGLISH, symbol="check" if symbol != "check" else "cross"))
    )
    marked = picture(sharecard.draw(replace(ENGLISH, symbol=symbol)))
    assert ImageChops.difference(plain.crop(DISC_BOX), marked.crop(DISC_BOX)).getbbox()
    left, top, right, bottom = DISC_BOX
    inside = marked.crop((left + 12, top + 12, right - 12, bottom - 12))
    counts = {colour: n for n, colour in inside.getcolors(4096)}
    assert counts.get((0xBC, 0x4C, 0x00), 0) > 40, "no mark inside the disc"


def test_symbols_follow_the_scale():
    assert [sharecard.symbol_for(v.rating, 5, 1) for v in DEFAULT_SCALE] == [
        "check",
        "check",
        "half",
        "cross",
        "cross",
        "question",
    ]
    assert [sharecard.symbol_for(r, 3, 1) for r in (3, 2, 1)] == ["check", "half", "cross"]


def test_text_contrasts_with_its_background_at_least_4_5_to_1():
    paper = sharecard.rgb(sharecard.PAPER)
    for color in (sharecard.INK, sharecard.MUTED):
        assert sharecard.contrast(sharecard.rgb(color), paper) >= 4.5
    for color in [v.color for v in DEFAULT_SCALE] + ["#ffd33d", "#0969da", "#000000", "#777777"]:
        background = sharecard.rgb(color)
        assert sharecard.contrast(sharecard.text_color_on(background), background) >= 4.5, color


def test_the_label_is_drawn_in_its_contrasting_colour():
    for color, text in (
        ("#1a7f37", (255, 255, 255)),
        ("#ffd33d", (0x1F, 0x23, 0x28)),
        ("#4c8a16", (0, 0, 0)),
    ):
        chip = picture(sharecard.draw(replace(ENGLISH, color=color))).crop(CHIP_BAND)
        counts = {c: n for n, c in chip.getcolors(65536)}
        assert counts.get(text, 0) > 500


def test_arabic_letters_are_joined():
    """Zero-width non-joiners between the letters force their unjoined forms: shaped
    text is then much wider. Without shaping both would look the same."""
    word = "يستخدمون"
    joined = first_line(picture(sharecard.draw(replace(ARABIC, claim=word))))
    apart = first_line(picture(sharecard.draw(replace(ARABIC, claim="\u200c".join(word)))))
    assert joined[2] - joined[0] < 0.85 * (apart[2] - apart[0])


def test_arabic_runs_right_to_left_from_the_right_margin():
    right_margin = 1200 - MARGIN
    short = picture(sharecard.draw(replace(ARABIC, claim="من")))
    word = first_line(short)
    assert right_margin - 6 <= word[2] <= right_margin + 2
    assert word[0] > 600
    # The first word of a longer claim stands where it stood alone: at the right.
    longer = picture(sharecard.draw(replace(ARABIC, claim="من المستشفيات")))
    assert short.crop(word).tobytes() == longer.crop(word).tobytes()
    assert first_line(longer)[0] < word[0] - 100


def test_latin_words_and_numbers_in_arabic_keep_their_order():
    chain = Fonts().chain("ar")
    line = Paragraph("قال 50% من NATO عام 2024", chain, rtl=True).whole(40)
    texts = [run.text.strip() for run in line.runs]  # left to right on the card
    words = [text for text in texts if text not in ("", "%")]
    assert words == ["2024", "عام", "NATO", "من", "50", "قال"]
    assert texts.index("%") == texts.index("50") - 1  # '%50', as the bidi algorithm says
    assert {run.font.face for run in line.runs if run.text in ("NATO", "%")} == {
        sharecard.NOTO_LATIN
    }


def test_bidi_levels_of_mixed_text():
    assert sharecard.bidi_levels("abc אבג", rtl=False) == [0, 0, 0, 0, 1, 1, 1]
    assert sharecard.bidi_levels("אבג abc", rtl=True) == [1, 1, 1, 1, 2, 2, 2]
    assert sharecard.bidi_levels("אב 1.5", rtl=True) == [1, 1, 1, 2, 2, 2]
    assert sharecard.visual_order([1, 1, 1, 2, 2]) == [3, 4, 2, 1, 0]


def test_devanagari_conjuncts_are_formed():
    """A non-joiner after each virama forces the half forms apart: conjuncts are narrower."""
    word = "क्षत्रिय स्त्री प्रधानमंत्री"
    formed = first_line(picture(sharecard.draw(replace(HINDI, claim=word))))
    apart = first_line(
        picture(sharecard.draw(replace(HINDI, claim=word.replace("\u094d", "\u094d\u200c"))))
    )
    assert formed[2] - formed[0] < 0.9 * (apart[2] - apart[0])


def test_urdu_is_set_in_nastaliq():
    assert Fonts().chain("ur").primary == sharecard.NOTO_NASTALIQ


@pytest.mark.parametrize("card", [ENGLISH, ARABIC, URDU, HINDI], ids=lambda c: c.lang)
def test_a_long_claim_wraps_and_ends_in_an_ellipsis_inside_the_card(card):
    claim = " ".join([card.claim] * 6)
    chain = Fonts().chain(card.lang)
    lines = sharecard.claim_lines(Paragraph(claim, chain, card.dir == "rtl"), chain.primary)
    assert 3 <= len(lines) <= 6
    assert all(line.width <= 1200 - 2 * MARGIN for line in lines)
    ends = [run.text for run in lines[-1].runs]
    assert sharecard.ELLIPSIS in (ends[0] if card.dir == "rtl" else ends[-1])
    image = picture(sharecard.draw(replace(card, claim=claim)))
    drawn = ink(image, (0, CLAIM_TOP, 1200, CHIP_TOP))
    assert drawn[0] >= MARGIN - 4 and drawn[2] <= 1200 - MARGIN + 4


def test_a_word_longer_than_a_line_is_cut_to_fit():
    claim = "See https://example.org/" + "a" * 120
    chain = Fonts().chain("en")
    lines = sharecard.claim_lines(Paragraph(claim, chain, rtl=False), chain.primary)
    assert len(lines) >= 2
    assert all(line.width <= 1200 - 2 * MARGIN for line in lines)


def test_missing_fonts_fail_before_anything_is_drawn(tmp_path):
    empty = Fonts([tmp_path])
    with pytest.raises(FontsMissing) as raised:
        sharecard.check_ready(["en", "ar"], empty)
    message = str(raised.value)
    assert "Arabic" in message and "fonts-noto-core" in message and str(tmp_path) in message
    with pytest.raises(FontsMissing):
        sharecard.draw(ENGLISH, empty)


def test_a_missing_script_is_named_and_urdu_falls_back_to_naskh(tmp_path):
    for name in ("NotoSans", "NotoNaskhArabic"):
        for weight in ("Regular", "Bold"):
            shutil.copy(NOTO / f"{name}-{weight}.ttf", tmp_path)
    fonts = Fonts([tmp_path])
    sharecard.check_ready(["en", "ar", "ur"], fonts)
    assert fonts.chain("ur").primary == sharecard.NOTO_NASKH
    with pytest.raises(FontsMissing, match="Devanagari text \\('hi'\\)"):
        sharecard.check_ready(["hi"], fonts)


def test_a_character_no_font_has_is_an_error_naming_it():
    with pytest.raises(FontsMissing, match="U\\+4E2D CJK UNIFIED IDEOGRAPH-4E2D"):
        sharecard.draw(replace(ENGLISH, claim="The word 中 is Chinese"))


def test_every_script_in_the_table_has_its_first_font_installed():
    fonts = Fonts()
    sharecard.check_ready(["en", "el", "ru", *sharecard.LANGUAGE_SCRIPTS], fonts)
    for lang, script in sharecard.LANGUAGE_SCRIPTS.items():
        assert fonts.chain(lang).primary == sharecard.SCRIPT_FACES[script][0], lang


def test_a_language_whose_lines_do_not_break_at_spaces_is_refused():
    with pytest.raises(sharecard.ShareCardsUnavailable, match="Thai text \\('th'\\)"):
        sharecard.check_ready(["en", "th"])


def test_missing_raqm_is_reported(monkeypatch):
    monkeypatch.setattr(features, "check", lambda name: name != "raqm")
    with pytest.raises(sharecard.RaqmMissing, match="libfribidi0"):
        sharecard.check_ready(["en"], Fonts())


def test_the_cache_key_changes_with_what_is_drawn(tmp_path):
    key = sharecard.cache_key(ENGLISH)
    assert key == sharecard.cache_key(replace(ENGLISH))
    for changed in (
        replace(ENGLISH, claim="Another claim"),
        replace(ENGLISH, logo=b"\x89PNG"),
        replace(ENGLISH, color="#1a7f37"),
    ):
        assert sharecard.cache_key(changed) != key
    for weight in ("Regular", "Bold"):
        shutil.copy(FONT_DIRS[1] / f"DejaVuSans{'-Bold' if weight == 'Bold' else ''}.ttf", tmp_path)
    assert sharecard.cache_key(ENGLISH, Fonts([tmp_path])) != key  # other fonts


def test_a_favicon_shows_the_initial_on_a_rounded_square():
    for size in sharecard.FAVICON_SIZES:
        png = sharecard.favicon("Example Fact Desk", size)
        icon = Image.open(io.BytesIO(png))
        assert (icon.size, icon.mode) == ((size, size), "RGBA")
        assert icon.getpixel((0, 0))[3] == 0  # a rounded corner
        assert icon.getpixel((size // 2, size // 8))[:3] == (0x1F, 0x23, 0x28)
        assert png == sharecard.favicon("Example Fact Desk", size)
    letters = [sharecard.favicon(name, 180) for name in ("Example", "Fact", "مكتب", "तथ्य")]
    assert len(set(letters)) == 4


def test_a_favicon_from_a_local_logo_keeps_its_shape():
    wide = io.BytesIO()
    Image.new("RGB", (200, 100), "#ff0000").save(wide, "PNG")
    icon = Image.open(io.BytesIO(sharecard.favicon("Desk", 32, logo=wide.getvalue())))
    assert icon.getpixel((16, 16)) == (255, 0, 0, 255)
    assert icon.getpixel((16, 2))[3] == 0  # letterboxed, not stretched
    with pytest.raises(sharecard.LogoUnreadable, match="PNG, JPEG"):
        sharecard.favicon("Desk", 32, logo=b"<svg/>")


def test_a_card_shows_a_local_logo():
    logo = io.BytesIO()
    Image.new("RGB", (64, 64), "#0000ff").save(logo, "PNG")
    image = picture(sharecard.draw(replace(ENGLISH, logo=logo.getvalue())))
    left, top, right, bottom = BADGE_BOX
    assert image.getpixel(((left + right) // 2, (top + bottom) // 2)) == (0, 0, 255)


def test_pictures_for_a_person_to_look_at():
    """tests/output/sharecard-*.png: look at them after changing the drawing."""
    OUTPUT.mkdir(exist_ok=True)
    for card in (ENGLISH, ARABIC, URDU, HINDI):
        (OUTPUT / f"sharecard-{card.lang}.png").write_bytes(sharecard.draw(card))
    long_arabic = replace(ARABIC, claim=" ".join([ARABIC.claim] * 3))
    (OUTPUT / "sharecard-ar-long.png").write_bytes(sharecard.draw(long_arabic))
    (OUTPUT / "favicon-180.png").write_bytes(sharecard.favicon("مكتب التحقق", 180))
