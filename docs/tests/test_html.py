"""The built book: a page per exercise, figures that exist, math, and nothing from a CDN."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import specbook
import specbook_figures

MIN_FIGURE_PAGES = 6


class _Tags(HTMLParser):
    """The attributes of every tag of one page, as (tag, {name: value})."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _tags(path: Path) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


def _page(html_dir: Path, exercise: specbook.Exercise) -> Path:
    return html_dir / specbook.GENERATED / f"{exercise.docname}.html"


def test_every_exercise_has_a_page(html_dir, exercises):
    """Each exercise file of the spec has a built page carrying its number and title."""
    assert len(exercises) == len(specbook.exercise_files(specbook.ROOT)) > 0
    for exercise in exercises:
        page = _page(html_dir, exercise)
        assert page.exists(), f"no page for exercise {exercise.number} ({page})"
        text = page.read_text(encoding="utf-8")
        assert exercise.number in text and "Statement" in text, page
        for prop in exercise.properties:
            assert prop.name in text, f"{page.name} does not list {prop.name}"


def test_index_links_every_exercise(html_dir, exercises):
    """The index links every exercise page."""
    hrefs = {a.get("href", "") for tag, a in _tags(html_dir / "index.html") if tag == "a"}
    for exercise in exercises:
        assert f"{specbook.GENERATED}/{exercise.docname}.html" in hrefs, exercise.number


def test_figures_exist_on_at_least_six_pages(html_dir, exercises):
    """At least six exercise pages show figures, every figure file exists and is a PNG."""
    with_figures = set()
    for exercise in exercises:
        page = _page(html_dir, exercise)
        for tag, attrs in _tags(page):
            if tag != "img":
                continue
            image = (page.parent / attrs["src"]).resolve()
            assert image.is_file(), f"{page.name}: missing image {attrs['src']}"
            assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
            with_figures.add(exercise.number)
    assert with_figures >= set(specbook_figures.FIGURES), (
        f"pages without their figure: {sorted(set(specbook_figures.FIGURES) - with_figures)}"
    )
    assert len(with_figures) >= MIN_FIGURE_PAGES, sorted(with_figures)


def test_every_exercise_page_has_math(html_dir, exercises):
    """Every exercise page carries display math (from its docstring's .. math:: block)."""
    for exercise in exercises:
        classes = [a.get("class", "") for _, a in _tags(_page(html_dir, exercise))]
        assert any("math" in c.split() for c in classes), f"no math on {exercise.number}"


def test_no_cdn_and_mathjax_served_from_the_build(html_dir):
    """No page loads a script or stylesheet over the network; MathJax comes from _static."""
    pages = sorted(html_dir.rglob("*.html"))
    assert pages
    mathjax_pages = 0
    for page in pages:
        for tag, attrs in _tags(page):
            url = attrs.get("src") if tag == "script" else None
            if tag == "link" and "stylesheet" in attrs.get("rel", ""):
                url = attrs.get("href")
            if not url:
                continue
            assert not url.startswith(("http:", "https:", "//")), f"{page}: {tag} from {url}"
            if url.split("?")[0].endswith("mathjax/tex-chtml.js"):
                assert (page.parent / url.split("?")[0]).resolve().is_file(), url
                mathjax_pages += 1
    assert mathjax_pages >= 30, f"MathJax is loaded on only {mathjax_pages} pages"


def test_no_status_without_a_report(html_dir):
    """A build without a conformance report shows no status."""
    for page in (html_dir / specbook.GENERATED).glob("*.html"):
        assert "specbook-status" not in page.read_text(encoding="utf-8"), page.name
