"""Sphinx configuration of the book: the spec rendered as one page per exercise.

The pages are generated at build time by the extension ``_ext/specbook.py`` from the spec
modules (into ``_generated/``, not tracked); the figures by ``_ext/specbook_figures.py`` from
the reference implementation.  Math is typeset by MathJax 3, served from the build itself
(the ``sphinx-mathjax-offline`` package copies it into ``_static/mathjax``): no CDN.

Build: ``sphinx-build -W --keep-going -b html docs build/docs/html``.  With a conformance
report: add ``-D specbook_conformance=report.json`` (or set ``SPECBOOK_CONFORMANCE``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
# The project whose spec is rendered; the docs tests build a copy of docs/ against it.
ROOT = Path(os.environ.get("SPECBOOK_ROOT") or DOCS.parent).resolve()
os.environ["SPECBOOK_ROOT"] = str(ROOT)
sys.path[:0] = [str(DOCS / "_ext"), str(ROOT)]

project = "Deep Learning Theory exercises"
author = "the dlt-exercises-spec authors"
copyright = "the dlt-exercises-spec authors"  # noqa: A001 (Sphinx's name)
release = "0.1.0"

extensions = ["sphinx.ext.mathjax", "sphinx-mathjax-offline", "specbook"]

exclude_patterns = ["_build", "tests", "README*"]
smartquotes = False  # the docstrings' quotes and dashes are kept as written
highlight_language = "none"

html_theme = "furo"
html_title = "Deep Learning Theory exercises: the specification as a book"
html_static_path = ["_static"]
html_css_files = ["specbook.css"]
html_show_sourcelink = False
html_copy_source = False

# MathJax 3.2.2 from the sphinx-mathjax-offline package, served from _static/mathjax.
mathjax_path = "mathjax/tex-chtml.js"
# An undefined TeX command is an error (drawn as such, and caught by the browser test), not
# silently shown as red text.
mathjax3_config = {"tex": {"packages": {"[-]": ["noundefined"]}}}
