"""Every language: catalogues complete and current, pages in their language (words, plural
forms, dates, verdict labels), a site's own catalogue, `translate`, and versions joined by
translation_of (switchers, hreflang, the index, structured data, the errors)."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from conftest import write_tree
from factcheck import i18n, pipeline, sources
from factcheck.options import BuildOptions

SWAHILI = (
    "---\ntitle: Habari\npublished: 2024-03-01\nlang: sw\n---\n"
    "Maneno [kweli]{claim=river-length}.\n"
)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sites"
SHIPPED = ("ar", "de", "en", "es", "fr", "hi", "pt", "ur")
BASE = "https://example.org/site/"


def catalogue(name: str):
    return read_po(io.StringIO(sources.shipped_path(name).read_text("utf-8")))


def built(name: str, tmp_path: Path, **options) -> dict[str, bytes]:
    src = tmp_path / name
    shutil.copytree(FIXTURES / name, src)
    return pipeline.render_all(src, BuildOptions(**options)).files


def text_of(page: bytes) -> str:
    """What a reader gets of a page: its text and the attributes read out or shown."""
    source = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", "", page.decode())
    shown = re.findall(r'(?:aria-label|placeholder|label|title|alt|content)="([^"]*)"', source)
    return html.unescape(" ".join([re.sub(r"<[^>]+>", " ", source), *shown]))


# --- the catalogues ----------------------------------------------------------------------


def test_the_generator_ships_every_language_it_promises():
    assert sources.shipped() == SHIPPED


def test_messages_pot_is_current_with_the_templates():
    """A template's new or changed message must reach messages.pot (python -m factcheck.i18n)."""
    current = {i18n.key_of(m) for m in i18n.template_catalogue() if m.id}
    pot = read_po(io.StringIO((sources.SHIPPED_LOCALES / i18n.TEMPLATE).read_text("utf-8")))
    assert {i18n.key_of(m) for m in pot if m.id} == current
    assert len(current) > 150


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_catalogue_is_complete_with_cldr_plural_forms(name):
    expected = {i18n.key_of(m): m for m in i18n.template_catalogue() if m.id}
    found = catalogue(name)
    forms = len(i18n.plural_categories(name))
    assert found.num_plurals == forms
    messages = {i18n.key_of(m): m for m in found if m.id}
    assert messages.keys() == expected.keys()
    for key, message in messages.items():
        assert not message.fuzzy, key
        strings = message.string if message.pluralizable else (message.string,)
        assert len(strings) == (forms if message.pluralizable else 1), key
        for text in strings:
            assert text, f"{name}: untranslated {key}"
            assert not i18n.placeholder_problem(key[1], message.id, text), (name, key, text)
            if name != "en":
                assert text.count("<") == key[1].count("<") or message.pluralizable, key


def test_arabic_has_six_plural_forms_and_each_is_used():
    speaker = i18n.translator("ar", catalogue_of("ar"))
    forms = {
        n: speaker.ngettext("%(count)s claim", "%(count)s claims", n) for n in (0, 1, 2, 3, 11, 100)
    }
    assert i18n.plural_categories("ar") == ("zero", "one", "two", "few", "many", "other")
    assert len(set(forms.values())) == 6
    assert forms[1] == "ادعاء واحد" and forms[2] == "ادعاءان"
    assert forms[3] == "%(count)s ادعاءات" and forms[11] == "%(count)s ادعاءً"


def catalogue_of(name: str) -> i18n.Catalogue:
    return i18n.catalogue(name, catalogue(name), None)


def test_french_counts_zero_and_one_alike_and_a_million_in_digits_takes_the_plural():
    """CLDR's 'many' of es, fr and pt is for 'un millón de', a word; a count in digits
    is plural like any other ('1.000.000 afirmaciones', never '1.000.000 de')."""
    french = i18n.translator("fr", catalogue_of("fr"))
    one, plural = "%(count)s claim", "%(count)s claims"
    assert french.ngettext(one, plural, 0) == french.ngettext(one, plural, 1)
    for tag, seven in (("es", "7 afirmaciones"), ("fr", "7 affirmations"), ("pt", "7 alegações")):
        speaker = i18n.translator(tag, catalogue_of(tag))
        assert speaker.ngettext(one, plural, 7) % {"count": 7} == seven
        million = speaker.ngettext(one, plural, 1_000_000) % {"count": speaker.number(1_000_000)}
        assert million == seven.replace("7", speaker.number(1_000_000)), million


def test_dates_and_numbers_as_babel_writes_them_for_each_language():
    day = dt.date(2021, 11, 1)
    said = {
        tag: i18n.translator(tag, catalogue_of(i18n.negotiate(tag, SHIPPED))).date(day)
        for tag in ("en", "es", "de", "ar", "ur", "hi", "pt-BR")
    }
    assert said["en"] == "1 November 2021"
    assert said["es"] == "1 de noviembre de 2021"
    assert said["de"] == "1. November 2021"
    assert said["ar"] == "1 نوفمبر 2021"
    assert said["ur"] == "1 نومبر، 2021"
    assert said["hi"] == "1 नवंबर 2021"
    assert said["pt-BR"] == "1 de novembro de 2021"
    assert i18n.translator("hi", catalogue_of("hi")).number(1234567) == "12,34,567"


# --- pages in their language -------------------------------------------------------------


def english_fragments() -> set[str]:
    """Runs of words of every message, single words of four letters or more included
    ('Home', 'Sources', 'Sorry'), as they would show if left in English."""
    found = set()
    for message in i18n.template_catalogue():
        for text in message.id if message.pluralizable else [message.id]:
            for run in re.split(r"%\(\w+\)s|<[^>]+>|[.:;,()\u2013\u2014\u201c\u201d]", text or ""):
                words = run.strip()
                if len(words) >= 4:
                    found.add(words)
    return found - {"schema.org ClaimReview", "ClaimReview structured data"}


def site_names(name: str) -> str:
    """The site's title and publisher: the editor's words, on every page whatever its
    language ('Two-Language Desk' is no template text left in English)."""
    settings = yaml.safe_load((FIXTURES / name / "site.yaml").read_text("utf-8"))
    return " ".join([settings.get("title", ""), settings.get("publisher", {}).get("name", "")])


@pytest.mark.parametrize("site", ["spanish", "arabic", "bilingual"])
def test_no_english_template_text_on_pages_in_another_language(site, tmp_path):
    files = built(site, tmp_path, base_url=BASE)
    fragments = {f for f in english_fragments() if f not in site_names(site)}
    checked = 0
    for path, data in files.items():
        lang = re.search(rb'<html lang="([^"]+)"', data) if path.endswith(".html") else None
        if lang is None or lang[1].startswith(b"en"):
            continue
        checked += 1
        text = re.sub(r"https?://\S+", " ", text_of(data))  # 'site' in a URL is no word
        left = sorted(f for f in fragments if re.search(rf"\b{re.escape(f)}\b", text))
        assert not left, f"{path} ({lang[1].decode()}) shows English: {left}"
    assert checked >= {"spanish": 14, "arabic": 16, "bilingual": 5}[site]


def test_the_default_texts_are_the_messages_templates_translate():
    from factcheck.validate import DEFAULT_ABOUT, DEFAULT_CORRECTIONS, DEFAULT_METHODOLOGY

    messages = {i18n.key_of(m)[1] for m in i18n.template_catalogue()}
    assert {DEFAULT_ABOUT, DEFAULT_CORRECTIONS, DEFAULT_METHODOLOGY} <= messages


def test_a_spanish_site_speaks_spanish(tmp_path):
    files = built("spanish", tmp_path, base_url=BASE)
    article = files["agua-del-rio/index.html"].decode()
    assert '<html lang="es" dir="ltr">' in article
    assert 'Publicado el <time datetime="2024-03-05">5 de marzo de 2024</time>' in article
    assert (
        'Por <bdi class="author">Ana Gómez</bdi> y <bdi class="author">Luis Pérez</bdi>' in article
    )
    assert "Los veredictos de un vistazo" in article and "Mayormente falso" in article
    index = files["index.html"].decode()
    assert "3 afirmaciones verificadas:" in index
    review = json.loads(files["claims.json"])[0]
    assert review["inLanguage"] == "es" and review["datePublished"] == "2024-03-05"
    assert review["reviewRating"]["alternateName"] in {
        "Mayormente falso",
        "Verdadero",
        "Sin pruebas",
    }
    claim = files["agua-del-rio/rio-contaminado/index.html"].decode()
    assert "Actualizado" in claim and "Solicitudes de comentarios" in claim


def test_an_arabic_site_isolates_names_in_the_other_direction(tmp_path):
    files = built("arabic", tmp_path)
    article = files["tasrihat-alwazir/index.html"].decode()
    assert '<html lang="ar" dir="rtl">' in article
    assert "مصدر الادعاء: <a" in article and "<bdi>Lloyd Austin</bdi></a>" in article
    assert "تحققنا من 3 ادعاءات:" in files["index.html"].decode()
    claim = files["tasrihat-alwazir/aqd-qarib/index.html"].decode()
    assert 'class="source-title" href="https://example.org/dawn/air-access" dir="auto">' in claim
    assert '<h2 id="verdict-title" class="panel-label">حكمنا</h2>' in claim
    assert "1 نوفمبر 2021" in claim


def test_an_english_page_isolates_urdu_text_in_it(tmp_path):
    """An Urdu source, publisher or claim on an English page keeps its own direction, so
    the English punctuation and the chip beside it stay where an English reader expects."""
    files = built("bilingual", tmp_path)
    claim = files["flood-relief/relief-amount/index.html"].decode()
    assert '<html lang="en" dir="ltr">' in claim
    assert 'href="https://example.org/jang/fund" dir="auto">سیلاب فنڈ کا اجرا</a>' in claim
    assert "<bdi>روزنامہ جنگ</bdi>" in claim
    claimant = files["claimants/minister-asad-khan/index.html"].decode()
    assert '<html lang="en"' in claimant
    assert (
        '<a href="../../flood-relief-ur/relief-week-ur/index.html" lang="ur" dir="rtl">'
        "سیلاب کی امداد ایک ہفتے میں ہر متاثرہ ضلع تک پہنچ گئی</a>" in claimant
    )
    topic = files["topics/sylb/index.html"].decode()
    assert 'href="../../flood-relief-ur/index.html" lang="ur" dir="rtl">' in topic


def test_a_page_in_a_language_without_a_catalogue_falls_back_to_english(make_site, tmp_path):
    src = make_site({"content/demo.md": SWAHILI})
    result = pipeline.render_all(src)
    said = [str(d) for d in result.report.warnings]
    assert any(
        "no catalogue for language 'sw' (Swahili): its pages are in English" in s
        and s.startswith("content/demo.md:4:7:")
        for s in said
    ), said
    assert any("verdict 'false' has no label in 'sw' (Swahili)" in s for s in said), said
    page = result.files["demo/index.html"].decode()
    assert '<html lang="sw"' in page and "Claims checked in this article" in page


@pytest.mark.parametrize("name", SHIPPED)
def test_the_default_scale_speaks_every_shipped_language(name, make_site):
    """The methodology page of a site in each language shows the default scale's own
    words for it (labels and descriptions), with no warning about a missing label."""
    from factcheck.validate import DEFAULT_SCALE

    src = make_site({"site.yaml": f"language: {name}\n"})
    result = pipeline.render_all(src)
    assert not any("has no label" in str(d) for d in result.report.items)
    page = html.unescape(result.files["methodology/index.html"].decode())
    for verdict in DEFAULT_SCALE:
        label, description = dict(verdict.labels)[name], dict(verdict.descriptions)[name]
        assert label in page and description in page, (name, verdict.key)
        if name != "en":
            assert label != verdict.label and description != verdict.description
    labels = [dict(v.labels)[name] for v in DEFAULT_SCALE]
    assert len(set(labels)) == len(labels)


def test_a_custom_scale_gives_labels_per_language_and_warns_where_one_is_missing(make_site):
    src = make_site(
        {
            "site.yaml": (
                "verdicts:\n  false: {label: {en: Wrong, es: Equivocado}, rating: 1}\n"
                "  fine: {label: Fine, rating: 2}\n"
            ),
            "content/extra.md": (
                "---\ntitle: Otro\npublished: 2024-03-02\nlang: es\n---\n"
                "Texto [dicho]{claim=other} y [río]{claim=river-length}.\n"
            ),
            "checks/other.yaml": (
                "claim: Dicho\nclaimant: Alguien\nverdict: fine\nsummary: Bien.\nsources:\n"
                "  - title: Fuente\n    url: https://example.org/f\n"
                "checked_on: 2024-03-02\nanalysis: Sí [1].\n"
            ),
        }
    )
    result = pipeline.render_all(src)
    said = [str(d) for d in result.report.warnings]
    assert any(
        s.startswith(
            "content/extra.md:4:7: warning: verdict 'fine' has no label in 'es' (Spanish): "
            "its pages show 'Fine'"
        )
        for s in said
    ), said
    assert not any("verdict 'false' has no label" in s for s in said)
    assert "Equivocado</a>" in result.files["extra/index.html"].decode()
    assert "Wrong</a>" in result.files["demo/index.html"].decode()


# --- a site's own catalogue ----------------------------------------------------------------


OVERRIDE = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=3; plural=(n == 1 ? 0 : 2);\\n"

msgid "Verdicts at a glance"
msgstr "De un vistazo"

msgid "No longer a message"
msgstr "Viejo"

#, fuzzy
msgid "Claims checked in this article"
msgstr "Afirmaciones"

msgid "Read the full check<span class=\\"visually-hidden\\"> of the claim: %(claim)s</span>"
msgstr "Leer %(claimm)s"
"""


def test_a_site_catalogue_overrides_and_check_reports_what_is_wrong_with_its_line(make_site, run):
    src = make_site({"site.yaml": "language: es\n", "locales/es.po": OVERRIDE})
    status, _, errors = run("check", "--src", src)
    assert status == 1
    assert (
        "locales/es.po:9:1: warning: stale entry: 'No longer a message' is no longer a message of "
        "the templates (run python build.py translate es to update the catalogue, or remove it)"
        in errors
    )
    assert any(
        e.startswith(
            "locales/es.po:13:1: warning: fuzzy: 'Claims checked in this article' needs review"
        )
        for e in errors
    ), errors
    assert any(
        e.startswith("locales/es.po:16:1: error: ") and "%(claimm)s is not in the English text" in e
        for e in errors
    ), errors
    write_tree(src, {"locales/es.po": OVERRIDE.rsplit('\nmsgid "Read', 1)[0] + "\n"})
    result = pipeline.render_all(src)
    page = result.files["demo/index.html"].decode()
    assert "De un vistazo" in page  # the site's own word
    assert "Afirmaciones verificadas en este artículo" in page  # fuzzy: the generator's


def test_a_control_character_in_a_catalogue_is_an_error_at_its_place(make_site, run):
    text = OVERRIDE.replace('msgstr "De un vistazo"', 'msgstr "De un\x01 vistazo"')
    src = make_site({"site.yaml": "language: es\n", "locales/es.po": text})
    status, _, errors = run("build", "--src", src, "--out", src / "out")
    assert status == 1 and not (src / "out").exists()
    assert (
        "locales/es.po:7:14: error: the control character U+0001 is not allowed (remove it)"
        in errors
    ), errors


def test_translate_writes_a_starter_catalogue_and_brings_it_up_to_date(make_site, run):
    src = make_site()
    status, printed, _ = run("translate", "ar", "--src", src)
    assert status == 0 and "wrote locales/ar.po" in printed
    text = (src / "locales" / "ar.po").read_text()
    assert "Plural-Forms: nplurals=6;" in text and "#. [4] many (11, 12, 13, ...)" in text
    assert text.count('msgstr[5] ""') >= 3
    assert "ادعاء واحد | ادعاءان" in text and "#. the generator's: " in text
    edited = text.replace(
        'msgid "Verdicts at a glance"\nmsgstr ""', 'msgid "Verdicts at a glance"\nmsgstr "لمحة"'
    )
    (src / "locales" / "ar.po").write_text(edited)
    assert run("translate", "ar", "--src", src)[0] == 0
    assert 'msgstr "لمحة"' in (src / "locales" / "ar.po").read_text()
    status, _, errors = run("translate", "xx-nope", "--src", src)
    assert status == 2 and "'xx-nope' is not a language tag CLDR knows" in errors[0]


def test_a_site_adds_a_language_of_its_own(make_site, run):
    src = make_site({"content/demo.md": SWAHILI})
    run("translate", "sw", "--src", src)
    po = (src / "locales" / "sw.po").read_text()
    (src / "locales" / "sw.po").write_text(
        po.replace(
            'msgid "Claims checked in this article"\nmsgstr ""',
            'msgid "Claims checked in this article"\nmsgstr "Madai tuliyoyakagua"',
        )
    )
    result = pipeline.render_all(src)
    assert "Madai tuliyoyakagua" in result.files["demo/index.html"].decode()
    assert not any("no catalogue" in str(d) for d in result.report.items)
    lines = (src / "locales" / "sw.po").read_text().split("\n")
    first = lines.index('msgid "Page not found"') + 1  # check shows the first few of a kind
    status, _, errors = run("check", "--src", src)
    assert status == 0
    assert (
        f"locales/sw.po:{first}:1: warning: untranslated: 'Page not found' (pages in Swahili "
        "show the English text until it is translated)" in errors
    ), errors
    assert not any("'Claims checked in this article'" in e for e in errors)


def test_editing_a_catalogue_renders_again_exactly_the_pages_in_its_language(tmp_path):
    src = tmp_path / "bilingual"
    shutil.copytree(FIXTURES / "bilingual", src)
    out = tmp_path / "out"
    pipeline.build(src, out)
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    write_tree(
        src,
        {
            "locales/ur.po": (
                'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                'msgid "Our verdict"\nmsgstr "ہمارا حتمی فیصلہ"\n'
            )
        },
    )
    pipeline.build(src, out)
    changed = sorted(
        p.relative_to(out).as_posix() for p, data in before.items() if p.read_bytes() != data
    )
    assert changed == [  # the Urdu pages that say "Our verdict", and nothing else
        "flood-relief-ur/relief-amount-ur/index.html",
        "flood-relief-ur/relief-week-ur/index.html",
    ], changed
    assert "ہمارا حتمی فیصلہ" in (out / "flood-relief-ur/relief-week-ur/index.html").read_text()
    assert (
        pipeline.render_all(src).files["flood-relief-ur/relief-week-ur/index.html"]
        == (out / "flood-relief-ur/relief-week-ur/index.html").read_bytes()
    )


# --- versions joined by translation_of ------------------------------------------------------


def test_versions_link_each_other_and_the_index_lists_each_article_once(tmp_path):
    files = built("bilingual", tmp_path, base_url=BASE)
    urdu = files["flood-relief-ur/index.html"].decode()
    assert f'<link rel="alternate" hreflang="en" href="{BASE}flood-relief/">' in urdu
    assert f'<link rel="alternate" hreflang="ur" href="{BASE}flood-relief-ur/">' in urdu
    assert (
        '<a href="../flood-relief/index.html" hreflang="en" lang="en" dir="ltr">English</a>' in urdu
    )
    assert 'aria-current="page" lang="ur" dir="rtl">اردو</span>' in urdu
    data = [json.loads(m) for m in re.findall(r'ld\+json">(.*?)</script>', urdu)]
    assert data[0]["inLanguage"] == "ur" and data[0]["translationOfWork"] == {
        "@id": f"{BASE}flood-relief/"
    }
    english = files["flood-relief/index.html"].decode()
    assert f'"workTranslation": [{{"@id": "{BASE}flood-relief-ur/"}}]' in english
    claim = files["flood-relief-ur/relief-week-ur/index.html"].decode()
    assert f'hreflang="en" href="{BASE}flood-relief/relief-week/"' in claim
    assert '"alternateName": "گمراہ کن"' in claim and '"inLanguage": "ur"' in claim
    index = files["index.html"].decode()
    assert index.count('class="article-card"') == 1
    assert (
        'Also in: <a href="flood-relief-ur/index.html" hreflang="ur" lang="ur" dir="rtl">اردو</a>'
        in index
    )
    feed, sitemap = files["feed.xml"].decode(), files["sitemap.xml"].decode()
    for path in ("flood-relief/", "flood-relief-ur/"):
        assert f"<id>{BASE}{path}</id>" in feed and f"<loc>{BASE}{path}</loc>" in sitemap
    assert 'xml:lang="ur"' in feed and 'label="درست"' in feed


def versions_site(make_site, articles: dict[str, str], checks: dict[str, str] | None = None):
    files = {f"content/{slug}.md": text for slug, text in articles.items()}
    files.update({f"checks/{i}.yaml": text for i, text in (checks or {}).items()})
    return make_site(files)


def article(lang: str, of: str = "", claim: str = "river-length") -> str:
    link = f"translation_of: {of}\n" if of else ""
    front = f"---\ntitle: T {lang}\npublished: 2024-03-02\nlang: {lang}\n{link}---\n"
    return front + f"X [y]{{claim={claim}}}.\n"


CHECK_ES = """\
claim: El río mide diez millas
claimant: El orador
verdict: {verdict}
summary: Mide cuatro.
sources:
  - title: Estudio
    url: https://example.org/e
checked_on: 2024-03-02
analysis: Sí [1].
translation_of: {of}
"""


@pytest.mark.parametrize(
    "articles, message",
    [
        (
            {"es": article("es", "demmo", "rio")},
            "content/es.md:5:17: error: translation_of: no article 'demmo' (did you mean 'demo'?)",
        ),
        (
            {"es": article("es", "fr", "rio"), "fr": article("fr", "es", "rio")},
            "content/es.md:5:17: error: translation_of goes round in a circle: es → fr → es",
        ),
        (
            {"es": article("en", "demo", "rio")},
            "content/es.md:5:17: error: 'es' and 'demo' are two versions of one article in one "
            "language ('en')",
        ),
    ],
)
def test_translation_of_errors(make_site, articles, message):
    src = versions_site(
        make_site, articles, {"rio": CHECK_ES.format(verdict="false", of="river-length")}
    )
    with pytest.raises(pipeline.BuildError) as failed:
        pipeline.render_all(src)
    said = [str(d) for d in failed.value.report.items]
    assert any(s.startswith(message) for s in said), said


@pytest.mark.parametrize(
    "checks, message",
    [
        (
            {"rio": CHECK_ES.format(verdict="false", of="river-lenght")},
            "checks/rio.yaml:10:17: error: translation_of: no check 'river-lenght' "
            "(did you mean 'river-length'?)",
        ),
        (
            {
                "rio": CHECK_ES.format(verdict="false", of="rio2"),
                "rio2": CHECK_ES.format(verdict="false", of="rio"),
            },
            "checks/rio.yaml:10:17: error: translation_of goes round in a circle: rio → rio2 → rio",
        ),
        (
            {
                "rio": CHECK_ES.format(verdict="false", of="river-length"),
                "rio2": CHECK_ES.format(verdict="false", of="river-length"),
            },
            "checks/rio2.yaml:10:17: error: 'rio2' and 'rio' are two versions of one check in "
            "one language ('es')",
        ),
    ],
)
def test_translation_of_errors_in_checks(make_site, checks, message):
    articles = {"es": article("es", "demo", "rio"), "es2": article("es", "", "rio2")}
    with pytest.raises(pipeline.BuildError) as failed:
        pipeline.render_all(versions_site(make_site, articles, checks))
    said = [str(d) for d in failed.value.report.items]
    assert any(s.startswith(message) for s in said), said


def test_a_check_translation_with_another_verdict_is_a_warning(make_site):
    src = versions_site(
        make_site,
        {"es": article("es", "demo", "rio")},
        {"rio": CHECK_ES.format(verdict="mostly-false", of="river-length")},
    )
    said = [str(d) for d in pipeline.render_all(src).report.warnings]
    assert any(
        s.startswith(
            "checks/rio.yaml:10:17: warning: verdict 'mostly-false' differs from 'false', "
            "the verdict of 'river-length', which this check translates"
        )
        for s in said
    ), said


def test_the_example_ships_a_spanish_version(tmp_path):
    root = Path(__file__).resolve().parent.parent
    result = pipeline.render_all(root, BuildOptions(base_url=BASE))
    spanish = result.files["us-pakistan-airspace-talks-es/index.html"].decode()
    assert '<html lang="es"' in spanish and 'hreflang="en"' in spanish
    claims = [
        p
        for p in result.files
        if p.startswith("us-pakistan-airspace-talks-es/")
        and p.endswith("/index.html")
        and "embed" not in p
    ]
    assert len(claims) >= 4  # the article and at least three checks
    assert result.files["index.html"].decode().count('class="article-card"') == 1


def test_a_catalogue_is_data_its_plural_expression_is_never_run(make_site, tmp_path):
    pwned = tmp_path / "pwned"
    evil = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f"\"Plural-Forms: nplurals=2; plural=__import__('os').system('touch {pwned}');\\n\"\n\n"
        'msgid "%(count)s claim checked:"\nmsgid_plural "%(count)s claims checked:"\n'
        'msgstr[0] "%(count)s madai:"\nmsgstr[1] "madai %(count)s:"\n'
    )
    src = make_site({"site.yaml": "language: sw\n", "locales/sw.po": evil})
    result = pipeline.render_all(src)
    assert not pwned.exists()
    assert "1 madai:" in result.files["index.html"].decode()  # CLDR's rule: 1 is 'one'


def test_a_catalogue_that_is_a_link_is_refused(make_site, tmp_path):
    secret = tmp_path / "secret.po"
    secret.write_text('msgid "Home"\nmsgstr "s3cr3t"\n')
    src = make_site()
    (src / "locales").mkdir()
    (src / "locales" / "es.po").symlink_to(secret)
    with pytest.raises(pipeline.BuildError) as failed:
        pipeline.render_all(src)
    said = [str(d) for d in failed.value.report.items]
    assert any(s.startswith("locales/es.po:1:1: error: is a symbolic link") for s in said), said
