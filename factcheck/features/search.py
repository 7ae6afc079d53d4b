"""Search: every article and check found in the browser by Pagefind, one index per language.

The index is built in queries, from the models (never from the written pages, whose bytes
the build does not keep): a *record* per page holds exactly what search shows and filters
by, so an edit that changes no record (a source, the analysis, a template) leaves the
index alone, and an edit that changes one rebuilds only the part of the index (the
*bundle*) holding it. Each language has its own bundles, of SHARD_SIZE records at most,
since Pagefind builds an index whole: a bundle of a thousand pages takes about a second.
Pagefind's binary (the `pagefind_bin` package) builds each bundle in memory; its files,
and Pagefind's own script, worker and components, are output files like any page, under
search/pagefind/<language>/<n>/. The search page loads the first bundle of the site's
language and merges the others into it, so one search finds every page in every
language, and the language filter narrows it.

Pagefind leaves the order of filter values and names to hash maps, so its bundles differ
from run to run; `canonical` sorts them and names those files by their content again.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .. import paths, render, urls
from ..errors import FactcheckError
from ..graph import Feature, Graph
from ..memo import Reads
from ..validate import RTL_LANGUAGES

FILTERS = ("verdict", "claimant", "topic", "language")
"""What search narrows by, in the order the page offers them."""
LANGUAGE_NAMES = {
    "ar": "العربية",
    "de": "Deutsch",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "hi": "हिन्दी",
    "pt": "Português",
    "ur": "اردو",
}
"""Languages by their own names, as language pickers show them; others by their tag."""
ENGINE = ("pagefind.js", "pagefind-worker.js")
COMPONENTS = ("pagefind-component-ui.js", "pagefind-component-ui.css")
DATA_FOLDERS = ("index/", "fragment/", "filter/")
ENTRY = "pagefind-entry.json"
SIGNATURE = b"pagefind_dcd"
PAGE_FILES = ("search.js", "search.css")
"""The page's own script and style, from templates/search/."""
SHARD_SIZE = 1000
"""Records per bundle at most: an edit rebuilds one bundle, of about this many."""


class SearchUnavailable(FactcheckError):
    """Pagefind could not build the index; the message says why and what to do."""


@dataclass(frozen=True)
class Record:
    """What the index holds of one page: the words it is found by, and its filters.

    Pagefind finds a page by its content (the summary, which results quote) and by every
    field of its metadata (title, verdict, claimant, topics), which results show.
    """

    url: str
    language: str
    title: str
    content: str
    verdict: str = ""
    verdict_key: str = ""
    claimant: str = ""
    topics: tuple[str, ...] = ()

    def filters(self) -> dict[str, list[str]]:
        found = {
            "verdict": [self.verdict] if self.verdict else [],
            "claimant": [self.claimant] if self.claimant else [],
            "topic": list(self.topics),
            "language": [language_name(self.language)],
        }
        return {name: values for name, values in found.items() if values}

    def meta(self) -> dict[str, str]:
        found = {
            "title": self.title,
            "verdict": self.verdict,
            "verdict_key": self.verdict_key,
            "claimant": self.claimant,
            "topics": ", ".join(self.topics),
        }
        return {name: value for name, value in found.items() if value}


@dataclass(frozen=True)
class Catalogue:
    """Which records each bundle holds (a bundle is `<language>/<n>`), and which
    filters any record has."""

    bundles: dict[str, tuple[str, ...]]
    filters: tuple[str, ...]


def language_name(tag: str) -> str:
    return LANGUAGE_NAMES.get(tag.lower(), LANGUAGE_NAMES.get(tag.lower().split("-")[0], tag))


def _catalogue_facets(catalogue: Catalogue) -> dict[str, tuple[str, ...]]:
    """A facet per bundle (its records), so a bundle is rebuilt only for its own."""
    return {
        "bundles": tuple(catalogue.bundles),
        "filters": catalogue.filters,
        **{f"in:{bundle}": keys for bundle, keys in catalogue.bundles.items()},
    }


class Search(Feature):
    """The search page, its script and style, and every file of every language's index."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        q = graph.queries
        self.check_record = q.define("search-check", Record | None, self._check_record)
        self.article_record = q.define("search-article", Record | None, self._article_record)
        self.catalogue = q.define(
            "search-catalogue",
            Catalogue,
            self._catalogue,
            facets=_catalogue_facets,
            facet_kind=tuple[str, ...],
        )
        self.bundle = q.define(
            "search-bundle",
            dict[str, str],
            self._bundle,
            stored=False,
            facets=_bundle_facets,
            facet_kind=str | tuple[str, ...],
        )

    # --- the records -------------------------------------------------------------------

    def _check_record(self, reads: Reads, claim_id: str) -> Record | None:
        g = self.graph
        check = reads.get(g.check, claim_id)
        placement = reads.facet(g.homes, "", claim_id)
        if check is None or placement is None:
            return None
        home = reads.facet(g.article, placement.home, "heading")
        verdict = reads.get(g.config).verdict(check.verdict)
        return Record(
            paths.claim(placement.home, claim_id),
            home.lang,
            check.claim,
            check.summary,
            verdict.label_for(home.lang),
            verdict.key,
            check.claimant,
            check.topics,
        )

    def _article_record(self, reads: Reads, slug: str) -> Record | None:
        article = reads.get(self.graph.article, slug)
        if article is None:
            return None
        return Record(
            paths.article(slug),
            article.lang,
            article.title,
            article.summary or article.title,
            topics=article.topics,
        )

    def _record(self, reads: Reads, key: str) -> Record | None:
        kind, _, name = key.partition(":")
        return reads.get(self.check_record if kind == "check" else self.article_record, name)

    def _catalogue(self, reads: Reads, _: str) -> Catalogue:
        """Every record's key by bundle (articles in home order, then claims by id)."""
        if not reads.get(self.graph.config).search:
            return Catalogue({}, ())
        keys = [f"article:{slug}" for slug in reads.get(self.graph.order)]
        keys += [f"check:{claim_id}" for claim_id in sorted(reads.get(self.graph.homes).placements)]
        languages: dict[str, list[str]] = {}
        used: set[str] = set()
        for key in keys:
            record = self._record(reads, key)
            if record is not None:
                languages.setdefault(bundle_name(record.language), []).append(key)
                used.update(record.filters())
        bundles = {
            f"{tag}/{n}": shard
            for tag, keys in sorted(languages.items())
            for n, shard in enumerate(shards(keys))
        }
        return Catalogue(bundles, tuple(name for name in FILTERS if name in used))

    def _bundle(self, reads: Reads, bundle: str) -> dict[str, str]:
        """One bundle: every file Pagefind made of its records, by path, base64-encoded."""
        keys = reads.facet(self.catalogue, "", f"in:{bundle}") or ()
        records = [r for r in (self._record(reads, key) for key in keys) if r is not None]
        files = canonical(build_bundle(records))
        return {path: base64.b64encode(data).decode("ascii") for path, data in files.items()}

    # --- the pages ---------------------------------------------------------------------

    def pages(self, reads: Reads) -> list[tuple[str, str, str]]:
        if not reads.get(self.graph.config).search:
            return []
        found = [(paths.SEARCH, "search-page", "")]
        found += [(paths.search(name), "search-own", name) for name in PAGE_FILES]
        bundles = reads.facet(self.catalogue, "", "bundles")
        first = self._first(reads, bundles)
        for bundle in bundles:
            for name in reads.facet(self.bundle, bundle, "names") or ():
                if published(name, bundle == first):
                    path = paths.search_bundle(bundle, name)
                    found.append((path, "search-file", f"{bundle}|{name}"))
        return found

    def _first(self, reads: Reads, bundles: tuple[str, ...]) -> str:
        """The bundle the page loads first: one of the site's language, else any."""
        site = bundle_name(reads.facet(self.graph.config, "", "language"))
        own = [bundle for bundle in bundles if bundle.partition("/")[0] == site]
        return (own or list(bundles) or [""])[0]

    def renderers(self) -> dict[str, Callable[[Reads, str], bytes]]:
        return {
            "search-page": self._page,
            "search-own": self._own_file,
            "search-file": self._bundle_file,
        }

    def _bundle_file(self, reads: Reads, arg: str) -> bytes:
        bundle, _, name = arg.partition("|")
        return base64.b64decode(reads.facet(self.bundle, bundle, f"file:{name}"))

    def _own_file(self, reads: Reads, name: str) -> bytes:
        path = self.graph.templates[f"search/{name}"]
        return reads.file(f"tmpl:search/{name}", path.read_bytes)

    def _page(self, reads: Reads, _: str) -> bytes:
        g = self.graph
        config, assets = reads.get(g.config), reads.get(g.assets)
        bundles = reads.facet(self.catalogue, "", "bundles")
        first = self._first(reads, bundles)
        ordered = [first, *(bundle for bundle in bundles if bundle != first)] if first else []
        links = urls.Links(paths.SEARCH, config.base_url)
        rtl = config.language.split("-")[0].lower() in RTL_LANGUAGES
        page = render.Page(paths.SEARCH, "Search", links, config.language, "rtl" if rtl else "ltr")
        return g.renderer.page(
            reads,
            config,
            assets,
            page,
            "search.html",
            None,
            search=_view(links, ordered, reads.facet(self.catalogue, "", "filters")),
        )


def _bundle_facets(files: dict[str, str]) -> dict[str, str | tuple[str, ...]]:
    """The names of a bundle's files, and a facet per file: a file is written again only
    when it changed, and the bundle's thousand files are never read whole. Only the
    facets are stored: nothing reads a bundle but through them."""
    return {"names": tuple(files), **{f"file:{name}": data for name, data in files.items()}}


def _view(links: urls.Links, bundles: list[str], filters: tuple[str, ...]) -> dict[str, Any]:
    """What search.html needs: the bundles to load (the first one first) with their
    languages, and the filters."""
    first = bundles[0] if bundles else ""
    return {
        "root": links(paths.HOME),
        "languages": [bundle.partition("/")[0] for bundle in bundles],
        "bundles": [links(paths.search_bundle(bundle, "")) for bundle in bundles],
        "filters": filters,
        "script": links(paths.search_bundle(first, COMPONENTS[0])) if first else "",
        "style": links(paths.search_bundle(first, COMPONENTS[1])) if first else "",
        "own_script": links(paths.search(PAGE_FILES[0])),
        "own_style": links(paths.search(PAGE_FILES[1])),
    }


def bundle_name(tag: str) -> str:
    """A language's folder of bundles: its tag in lower case, as Pagefind names its index."""
    return tag.lower()


def shards(keys: list[str]) -> list[tuple[str, ...]]:
    """One language's records in bundles of about SHARD_SIZE, each record always in the
    same one (by a hash of its key) while the number of bundles stays the same."""
    count = max(1, -(-len(keys) // SHARD_SIZE))
    found: list[list[str]] = [[] for _ in range(count)]
    for key in keys:
        found[
            int(hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest(), 16) % count
        ].append(key)
    return [tuple(shard) for shard in found if shard]


def published(name: str, primary: bool) -> bool:
    """Whether a file Pagefind made goes on the site: every bundle's index data, and in
    the bundle the page loads first, the script, worker, WebAssembly and components."""
    if name == ENTRY or name.endswith(".pf_meta") or name.startswith(DATA_FOLDERS):
        return True
    return primary and (name in ENGINE or name in COMPONENTS or name.startswith("wasm."))


# --- Pagefind's service ----------------------------------------------------------------


def executable() -> Path:
    """The Pagefind binary that the pinned `pagefind-bin` package ships."""
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]

        found: Path = get_executable()
    except (ImportError, FileNotFoundError) as exc:
        raise SearchUnavailable(
            f"search needs Pagefind's binary, which is not installed ({exc}): run "
            "`pip install -r requirements.txt`, or set search: false in site.yaml"
        ) from None
    return found


def build_bundle(records: Iterable[Record]) -> dict[str, bytes]:
    """Pagefind's files for these records, from one run of its binary in service mode.

    Pagefind's own Python package waits a tenth of a second before reading each answer,
    which makes 10,000 records take minutes; this speaks its protocol (base64 JSON
    messages, each ended by a comma) directly, writing from a thread while reading.
    """
    with tempfile.TemporaryFile() as errors, _Service(errors) as service:
        index = service.ask({"type": "NewIndex", "config": {"keep_index_url": True}})["index_id"]
        requests = [{"type": "AddRecord", "index_id": index, **_fields(r)} for r in records]
        requests.append({"type": "GetFiles", "index_id": index})
        answers = service.ask_all(requests)
    files = {f["path"]: base64.b64decode(f["content"]) for f in answers[-1]["files"]}
    languages = json.loads(files[ENTRY])["languages"].values()
    wasm = {f"wasm.{language['wasm']}.pagefind" for language in languages}
    return {path: data for path, data in files.items() if _kept(path, wasm)}


def _kept(path: str, wasm: set[str]) -> bool:
    """The files a bundle needs: its index and WebAssembly, Pagefind's script and worker,
    the components."""
    return (
        path == ENTRY
        or path.endswith(".pf_meta")
        or path.startswith(DATA_FOLDERS)
        or path in wasm
        or path in ENGINE
        or path in COMPONENTS
    )


def _fields(record: Record) -> dict[str, Any]:
    return {
        "url": record.url,
        "content": record.content,
        "language": record.language.lower(),
        "meta": record.meta(),
        "filters": record.filters(),
        "sort": None,
    }


class _Service:
    """`pagefind --service`: requests on its stdin, answers on its stdout, in order."""

    def __init__(self, errors: IO[bytes]) -> None:
        self.errors, self.buffer, self.sent = errors, b"", 0
        try:
            self.process = subprocess.Popen(
                [str(executable()), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError as exc:
            raise SearchUnavailable(f"cannot run Pagefind ({exc})") from None

    def __enter__(self) -> _Service:
        return self

    def __exit__(self, *_: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.ask_all([payload])[0]

    def ask_all(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send every request (from a thread, so neither pipe fills), read every answer."""
        first = self.sent + 1
        self.sent += len(payloads)
        writer = threading.Thread(target=self._write, args=(payloads, first), daemon=True)
        writer.start()
        answers = [self._answer() for _ in payloads]
        writer.join()
        for n, answer in enumerate(answers, start=first):
            if answer.get("message_id") != n or answer["payload"].get("type") == "Error":
                raise SearchUnavailable(f"Pagefind failed: {self._why(answer)}")
        return [answer["payload"] for answer in answers]

    def _write(self, payloads: list[dict[str, Any]], first: int) -> None:
        assert self.process.stdin is not None
        try:
            for n, payload in enumerate(payloads, start=first):
                message = json.dumps({"message_id": n, "payload": payload}).encode("utf-8")
                self.process.stdin.write(base64.b64encode(message) + b",")
            self.process.stdin.flush()
        except OSError:
            pass  # the binary stopped: reading its answers says why

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        while b"," not in self.buffer:
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                raise SearchUnavailable(f"Pagefind stopped: {self._stderr() or 'no message'}")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b",")
        answer: dict[str, Any] = json.loads(base64.b64decode(message))
        return answer

    def _why(self, answer: Mapping[str, Any]) -> str:
        payload = answer.get("payload", {})
        return str(payload.get("message") or payload) + (
            f" ({self._stderr()})" if self._stderr() else ""
        )

    def _stderr(self) -> str:
        self.errors.seek(0)
        return self.errors.read().decode("utf-8", "replace").strip()[-500:]


# --- the same bundle from the same records --------------------------------------------


def canonical(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with its filter files' values, and the metadata's filter list, sorted;
    those files named again from their content, as Pagefind names them, and every
    reference to them (the metadata's, the entry's) made to follow."""
    renamed: dict[str, str] = {}
    out: dict[str, bytes] = {}
    for path, data in files.items():
        if path.startswith("filter/"):
            value = cbor_loads(_unpack(data))
            value[1].sort(key=lambda item: item[0])
            path, data = _named(path, cbor_dumps(value), renamed, 7)
        out[path] = data
    for path, data in list(out.items()):
        if path.endswith(".pf_meta"):
            del out[path]
            meta = _renamed(cbor_loads(_unpack(data)), renamed)
            _sort_filter_lists(meta, set(renamed.values()))
            path, data = _named(path, cbor_dumps(meta), renamed, 10)
            out[path] = data
    entry = out[ENTRY].decode("utf-8")
    for old, new in renamed.items():
        entry = entry.replace(f'"{old}"', f'"{new}"')
    out[ENTRY] = entry.encode("utf-8")
    return dict(sorted(out.items()))


def _unpack(data: bytes) -> bytes:
    plain = data if data.startswith(SIGNATURE) else gzip.decompress(data)
    return plain[len(SIGNATURE) :]


def _named(path: str, body: bytes, renamed: dict[str, str], length: int) -> tuple[str, bytes]:
    """A file's new name from its content: `<folder>/<lang>_<hash>.<ext>`, its hash
    recorded in `renamed` under the old one."""
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    prefix, _, old = stem.rpartition("_")
    head = prefix.rpartition(".")[0] + "." if "." in prefix else ""
    lang = prefix.rpartition(".")[2]
    new = f"{lang}_{hashlib.sha256(body).hexdigest()[:length]}"
    renamed[f"{lang}_{old}"] = new
    data = gzip.compress(SIGNATURE + body, compresslevel=9, mtime=0)
    return f"{folder + '/' if folder else ''}{head}{new}{dot}{ext}", data


def _renamed(value: Any, renamed: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return renamed.get(value, value)
    if isinstance(value, list):
        return [_renamed(item, renamed) for item in value]
    if isinstance(value, dict):
        return {key: _renamed(item, renamed) for key, item in value.items()}
    return value


def _sort_filter_lists(value: Any, filter_hashes: set[str]) -> None:
    """Sort, by name, every list of (filter name, filter file) pairs."""
    if not isinstance(value, list):
        return
    pairs = [
        i
        for i in value
        if isinstance(i, list) and len(i) == 2 and isinstance(i[1], str) and i[1] in filter_hashes
    ]
    if pairs and len(pairs) == len(value):
        value.sort(key=lambda pair: pair[0])
    for item in value:
        _sort_filter_lists(item, filter_hashes)


# --- CBOR, as much of it as Pagefind writes ---------------------------------------------


def cbor_loads(data: bytes) -> Any:
    value, end = _cbor_item(data, 0)
    if end != len(data):
        raise SearchUnavailable("Pagefind wrote an index file this version cannot read")
    return value


def _cbor_item(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 31
    if major == 7:  # simple values and floats: kept as their bytes
        size = {20: 0, 21: 0, 22: 0, 23: 0, 24: 1, 25: 2, 26: 4, 27: 8}[info]
        return _Raw(data[at : at + 1 + size]), at + 1 + size
    number, at = _cbor_head(data, at, info)
    if major in (0, 1):
        return (number if major == 0 else -1 - number), at
    if major in (2, 3):
        chunk = data[at : at + number]
        return (bytes(chunk) if major == 2 else chunk.decode("utf-8")), at + number
    items = []
    for _ in range(number * (2 if major == 5 else 1)):
        item, at = _cbor_item(data, at)
        items.append(item)
    if major == 4:
        return items, at
    return dict(zip(items[::2], items[1::2], strict=True)), at


def _cbor_head(data: bytes, at: int, info: int) -> tuple[int, int]:
    if info < 24:
        return info, at + 1
    size = 1 << (info - 24)
    return int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


@dataclass(frozen=True)
class _Raw:
    data: bytes


def cbor_dumps(value: Any) -> bytes:
    if isinstance(value, _Raw):
        return value.data
    if isinstance(value, bool):
        raise SearchUnavailable("unexpected boolean in a Pagefind index file")
    if isinstance(value, int):
        return _cbor_head_bytes(0, value) if value >= 0 else _cbor_head_bytes(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head_bytes(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _cbor_head_bytes(3, len(encoded)) + encoded
    if isinstance(value, list):
        return _cbor_head_bytes(4, len(value)) + b"".join(map(cbor_dumps, value))
    pairs = b"".join(cbor_dumps(k) + cbor_dumps(v) for k, v in value.items())
    return _cbor_head_bytes(5, len(value)) + pairs


def _cbor_head_bytes(major: int, number: int) -> bytes:
    """The shortest head for a number, as Pagefind (serde) writes it."""
    if number < 24:
        return bytes([major << 5 | number])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | info]) + number.to_bytes(size, "big")
    raise SearchUnavailable("a number too large for a Pagefind index file")
