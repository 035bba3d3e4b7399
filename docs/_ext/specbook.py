"""The book: one page per exercise, generated from the spec modules themselves.

A Sphinx extension.  On ``builder-inited`` it reads every ``spec/lectureLL/test_exL_N_*.py``
with ``ast`` (never importing it), and writes into ``docs/_generated/``:

* ``exL_N.rst`` per exercise: the module docstring's sections (Statement, Assumptions,
  Argument, Errata, References, ...) rendered as reST, the properties (each test function's
  name and one-line docstring, its claim), the contract functions the exercise uses (from the
  registry ``spec.contract``), and the figures of ``specbook_figures`` for that exercise;
* ``contents.inc``: lectures -> exercises, included by ``index.rst``.

The prose of a docstring is plain text written for a terminal: it is escaped so that reST
reads it literally, its indented display lines become preformatted blocks, its numbered and
bulleted items become lists, and only its ``.. math::`` directives are passed through as reST.

Given a conformance JSON (``pytest --conformance-json r.json``), through the config value
``specbook_conformance`` (``sphinx-build -D specbook_conformance=r.json``) or the environment
variable ``SPECBOOK_CONFORMANCE``, every exercise page shows the status of each property and
the index a summary column.  Without one, no status is shown.

Nothing here imports the reference implementation except ``specbook_figures``, which is
imported only when figures are drawn; discovery and rendering are plain functions, checked
without a build by ``spec/meta/test_book.py``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The project whose spec is rendered (conf.py sets SPECBOOK_ROOT; a copy of docs/ may be built).
ROOT = Path(os.environ.get("SPECBOOK_ROOT") or Path(__file__).resolve().parents[2]).resolve()
GENERATED = "_generated"
EXERCISE_FILE = re.compile(r"test_ex(\d+)_(\d+)_\w+\.py$")
TITLE = re.compile(r"^Exercise (\d+\.\d+) — (.*?)\.?$")

#: Lecture topics, for the index (the exercises' own titles come from their docstrings).
LECTURES = {
    1: "Optimization, linear classifiers, cross-entropy and KL",
    2: "Softmax geometry and margin losses",
    3: "Divergences and WGAN-GP",
    4: "Bayes by Backprop and variational autoencoders",
    5: "SGLD and Markov chain Monte Carlo",
    6: "Hierarchical VAEs and diffusion models",
    7: "Adversarial examples",
    9: "Randomized smoothing",
    10: "Lipschitz certificates of smoothed functions",
}


# ----------------------------------------------------------------------------- discovery


@dataclass
class Section:
    header: str
    body: str  # dedented text

    @property
    def key(self) -> str:
        """'statement', 'assumptions', 'argument', ... (the header's first word, lower case)."""
        return re.split(r"[\s:(]", self.header, maxsplit=1)[0].lower()


@dataclass
class Property:
    name: str
    claim: str
    parametrized: bool = False
    tier: str = ""  # claim, numerics or contract (its pytest marker)


#: The tiers of the properties, in reading order, with a heading and what each checks.
TIER_HEADINGS = {
    "claim": (
        "Claims",
        "The exercise's mathematics on its natural range; a correct solution passes them.",
    ),
    "numerics": (
        "Numerics",
        "Accuracy and robustness at extreme inputs, floating-point warnings included.",
    ),
    "contract": (
        "Contract",
        "The interface (errors, types, shapes, conventions) and the reference's choices "
        "among valid answers.",
    ),
}


@dataclass
class ContractUse:
    name: str
    signature: str
    meaning: str
    returns: str
    exercises: tuple[str, ...]
    conventions: tuple[str, ...] = ()


@dataclass
class Exercise:
    number: str  # "3.10"
    path: Path
    title: str
    sections: list[Section]
    properties: list[Property]
    contract: list[ContractUse] = field(default_factory=list)

    @property
    def lecture(self) -> int:
        return int(self.number.split(".")[0])

    @property
    def docname(self) -> str:
        """The page's name inside ``_generated``: 'ex3_10'."""
        return "ex" + self.number.replace(".", "_")

    @property
    def sort_key(self) -> tuple[int, int]:
        lecture, exercise = self.number.split(".")
        return int(lecture), int(exercise)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def relative_path(self) -> str:
        try:
            return self.path.relative_to(ROOT).as_posix()
        except ValueError:
            return self.path.as_posix()


def exercise_files(root: Path = ROOT) -> list[Path]:
    """Every exercise file of the spec, in lecture and exercise order."""
    paths = [
        p for p in (root / "spec").glob("lecture*/test_ex*_*.py") if EXERCISE_FILE.search(p.name)
    ]

    def key(path: Path) -> tuple[int, int]:
        match = EXERCISE_FILE.search(path.name)
        assert match is not None
        return int(match[1]), int(match[2])

    return sorted(paths, key=key)


def parse_docstring(doc: str) -> tuple[str, str, list[Section]]:
    """(exercise number, title, sections) of an exercise module's docstring.

    The first line is 'Exercise L.N — Title.'; every later line at column 0 is a section
    header and the indented lines below it are that section's body.
    """
    lines = doc.expandtabs().splitlines()
    match = TITLE.match(lines[0].strip()) if lines else None
    if match is None:
        raise ValueError(f"docstring does not start with 'Exercise L.N — Title.': {lines[:1]}")
    number, title = match[1], match[2]
    sections: list[Section] = []
    header, body = "", []  # text before the first header goes into an untitled section

    def close() -> None:
        text = textwrap.dedent("\n".join(body)).strip("\n")
        if header or text.strip():
            sections.append(Section(header, text))

    for line in lines[1:]:
        if line.strip() and not line[0].isspace():
            close()
            header, body = line.strip(), []
        else:
            body.append(line)
    close()
    return number, title[:1].upper() + title[1:], sections


def _decorator_names(node: ast.FunctionDef) -> set[str]:
    names = set()
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        names.add(ast.unparse(target))
    return names


def parse_exercise(path: Path) -> Exercise:
    """An exercise read from its spec file with ``ast`` (the module is not imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    number, title, sections = parse_docstring(ast.get_docstring(tree) or "")
    properties = [
        Property(
            node.name,
            " ".join((ast.get_docstring(node) or "").split()),
            any(name.endswith("parametrize") for name in _decorator_names(node)),
            next(
                (tier for tier in TIER_HEADINGS if f"pytest.mark.{tier}" in _decorator_names(node)),
                "",
            ),
        )
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]
    return Exercise(number, path, title, sections, properties)


def discover(root: Path = ROOT) -> list[Exercise]:
    """Every exercise of the spec, with the contract functions it uses."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from spec.contract import CONTRACT

    exercises = [parse_exercise(path) for path in exercise_files(root)]
    for exercise in exercises:
        exercise.contract = [
            ContractUse(
                e.name, e.signature, e.meaning, e.returns, tuple(e.exercises), e.conventions
            )
            for e in CONTRACT.values()
            if exercise.number in e.exercises
        ]
    return exercises


# ----------------------------------------------------------------------------- conformance


def load_conformance(path: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    """The report written by ``pytest --conformance-json``, or None without a path."""
    if not path:
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _function_of(nodeid: str) -> str:
    """'spec/x.py::test_name[param]' -> 'test_name'."""
    return nodeid.split("::")[-1].split("[", 1)[0]


def property_status(report: dict[str, Any], number: str) -> dict[str, list[dict[str, Any]]] | None:
    """Test function name -> its records in the report (one per parametrization), or None
    when the report does not cover the exercise."""
    row = next((r for r in report.get("exercises", []) if r["exercise"] == number), None)
    if row is None:
        return None
    status: dict[str, list[dict[str, Any]]] = {}
    for record in row["properties"]:
        status.setdefault(_function_of(record["test"]), []).append(record)
    return status


def combined_outcome(records: list[dict[str, Any]]) -> str:
    """One outcome for a test function: failed if any case failed, passed if any passed and
    none failed, otherwise skipped."""
    outcomes = {r["outcome"] for r in records}
    for outcome in ("failed", "passed", "skipped"):
        if outcome in outcomes:
            return outcome
    return "skipped"


# ----------------------------------------------------------------------------- reST


def escape(text: str) -> str:
    """Plain text as reST that reads literally; ````literal```` spans are kept."""
    parts = re.split(r"(``[^`]+``)", text)
    return "".join(
        part if part.startswith("``") else re.sub(r"([\\`*_|:\[\]<>])", r"\\\1", part)
        for part in parts
    )


def _escape_start(line: str) -> str:
    """Escape a paragraph's first character so that reST never reads it as block markup
    (an enumerator like 'C. M. Bishop', a bullet, a field or option list)."""
    if line and not line.startswith("``") and not line[0].isspace() and line[0] != "\\":
        return "\\" + line
    return line


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


ITEM = re.compile(r"^(\d+\.|[*•-])\s+")


def _display(lines: list[str]) -> list[str]:
    """Preformatted lines (a displayed formula of the docstring)."""
    text = textwrap.dedent("\n".join(lines)).strip("\n")
    return ["", ".. code-block:: text", "   :class: specbook-display", ""] + [
        f"   {line}" if line.strip() else "" for line in text.splitlines()
    ]


def _paragraph(lines: list[str]) -> list[str]:
    text = [escape(line.strip()) for line in lines]
    text[0] = _escape_start(text[0])
    return ["", *text]


def _prose(lines: list[str]) -> list[str]:
    """One paragraph of a docstring (no blank lines): prose at its base indent, deeper lines
    displayed, items at the base indent (1., *, -) as list items with continuation lines."""
    out: list[str] = []
    base = _indent(lines[0])
    item_indent: int | None = None  # indent of the open item's text
    item: list[str] = []  # the open item's reST lines (unindented)
    run: list[str] = []  # consecutive prose lines
    shown: list[str] = []  # consecutive display lines

    def flush_text(target: list[str]) -> None:
        nonlocal run, shown
        if run:
            target.extend(_paragraph(run))
        if shown:
            target.extend(_display(shown))
        run, shown = [], []

    def close_item() -> None:
        nonlocal item, item_indent
        if item_indent is not None:
            flush_text(item)
            marker, rest = item[0], item[1:]
            width = len(marker) + 1
            out.append("")
            first = True
            for line in rest:
                if first and line.strip():
                    out.append(f"{marker} {line}")
                    first = False
                else:
                    out.append(" " * width + line if line.strip() else "")
        item, item_indent = [], None

    for line in lines:
        indent, text = _indent(line), line.strip()
        match = ITEM.match(text) if indent == base else None
        if match:
            flush_text(item if item_indent is not None else out)
            close_item()
            marker = match[1] if match[1].endswith(".") else "*"
            item = [marker]
            item_indent = indent + len(match[0])
            run = [text[len(match[0]) :]]
            continue
        prose_indent = item_indent if item_indent is not None else base
        if indent > prose_indent:
            if run:
                flush_text(item if item_indent is not None else out)
            shown.append(line)
        else:
            if indent < prose_indent and item_indent is not None:
                close_item()
            if shown:
                flush_text(item if item_indent is not None else out)
            run.append(line)
    flush_text(item if item_indent is not None else out)
    close_item()
    return out


def _references(lines: list[str]) -> list[str]:
    """A References paragraph as a bullet list, one reference per item: a new reference
    starts with an author's initial after a line that ended a sentence."""
    refs: list[list[str]] = []
    for line in lines:
        text = line.strip()
        new = re.match(r"^[A-Z]\.[\s-]", text) and (not refs or refs[-1][-1].rstrip()[-1:] in ".)")
        if new or not refs:
            refs.append([text])
        else:
            refs[-1].append(text)
    out = [""]
    for ref in refs:
        out.append("* " + escape(" ".join(ref)))
    return out


def render_body(body: str, references: bool = False) -> list[str]:
    """A section body (dedented docstring text) as reST lines."""
    lines = body.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.strip().startswith(".. math::"):
            indent = _indent(line)
            block = [line]
            i += 1
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > indent):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out.extend(["", *textwrap.dedent("\n".join(block)).splitlines()])
            continue
        paragraph = []
        while i < len(lines) and lines[i].strip() and not lines[i].strip().startswith(".. math::"):
            paragraph.append(lines[i])
            i += 1
        if _indent(paragraph[0]) > 0:
            out.extend(_display(paragraph))
        elif references:
            out.extend(_references(paragraph))
        else:
            out.extend(_prose(paragraph))
    return out


def heading(text: str, char: str) -> list[str]:
    return [text, char * (2 * len(text) + 4)]


STATUS_MARK = {"passed": "passed", "failed": "failed", "skipped": "skipped"}


def _status_role(outcome: str, count: int | None = None) -> str:
    """A coloured badge: 'failed', or with a count '3 failed'."""
    return f":specbook-status:`{outcome if count is None else f'{count} {outcome}'}`"


def _counts(counts: dict[str, int]) -> str:
    """'3 passed, 1 failed' as badges, leaving out the zeros."""
    return ", ".join(_status_role(k, counts[k]) for k in STATUS_MARK if counts.get(k)) or "none"


def status_block(exercise: Exercise, report: dict[str, Any]) -> list[str]:
    """The conformance of one exercise: totals and, per property, its outcome and why."""
    implementation = report.get("implementation", {})
    name = implementation.get("name") or implementation.get("module") or "?"
    hypothesis = report.get("hypothesis", {})
    status = property_status(report, exercise.number)
    out = ["", ".. topic:: Conformance", "   :class: specbook-status-block", ""]
    facts = [f"implementation ``{name}``"]
    if hypothesis.get("profile"):
        facts.append(f"Hypothesis profile ``{hypothesis['profile']}``")
    if hypothesis.get("seed") is not None:
        facts.append(f"seed ``{hypothesis['seed']}``")
    out.append("   " + ", ".join(facts) + ".")
    if status is None:
        out += ["", "   This exercise was not run in the report."]
        return out
    counts = {k: 0 for k in STATUS_MARK}
    for records in status.values():
        counts[combined_outcome(records)] += 1
    out += ["", f"   {_counts(counts)} of {len(exercise.properties)} properties."]
    for prop in exercise.properties:
        records = status.get(prop.name, [])
        problems = [r for r in records if r["outcome"] == "failed"] + [
            r for r in records if r["outcome"] == "skipped" and r["reason"]
        ]
        if not problems or combined_outcome(records) == "passed":
            continue
        record = problems[0]
        tier = f" ({prop.tier})" if prop.tier else ""
        out += ["", f"   ``{prop.name}``{tier}: {_status_role(record['outcome'])}", ""]
        if record["outcome"] == "skipped":
            out.append("      " + escape(" ".join(record["reason"].split())))
            continue
        out += ["   .. code-block:: text", "      :class: specbook-failure", ""]
        out += [f"      {line}" for line in record["reason"].splitlines()] or ["      (none)"]
        example = record.get("falsifying_example", "")
        if example and example not in record["reason"]:
            out += ["", "   .. code-block:: python", "      :class: specbook-falsifying", ""]
            out += [f"      {line}" for line in example.splitlines()]
    return out


def render_exercise(
    exercise: Exercise,
    figures: list[tuple[str, str]] | tuple[()] = (),
    report: dict[str, Any] | None = None,
) -> str:
    """The reST page of one exercise.  ``figures``: (file name in _generated, caption)."""
    out = [f".. _ex{exercise.docname[2:]}:", ""]
    out += heading(f"{exercise.number}  {escape(exercise.title)}", "=")
    out += [
        "",
        f":Lecture: {exercise.lecture} — {escape(LECTURES.get(exercise.lecture, ''))}",
        f":Spec file: ``{exercise.relative_path}``",
        f":Properties: {len(exercise.properties)} ({_tier_counts(exercise)})",
    ]
    if report is not None:
        out += status_block(exercise, report)
    placed = False
    for section in exercise.sections:
        if section.header:
            out += ["", *heading(escape(section.header), "-")]
        out += render_body(section.body, references=section.key == "references")
        if not placed and section.key in ("statement", ""):
            out += _figures(figures)
            placed = True
    if not placed:
        out += _figures(figures)
    out += ["", *heading("Properties", "-"), ""]
    out += [
        "Each property is a test function of the spec file; its docstring is the claim checked. "
        "They come in three tiers, counted apart in every report.",
        "",
    ]
    status = property_status(report, exercise.number) if report is not None else None
    for tier, (title, meaning) in TIER_HEADINGS.items():
        members = [prop for prop in exercise.properties if prop.tier == tier]
        if members:
            out += _property_table(title, meaning, members, status)
    out += ["", *heading("Contract functions", "-"), ""]
    if exercise.contract:
        out += [
            "The functions of the contract (``spec/contract``) this exercise calls, as an "
            "implementation must provide them.",
            "",
        ]
        for use in exercise.contract:
            others = [e for e in use.exercises if e != exercise.number]
            used = f" Also used by {', '.join(others)}." if others else ""
            out += [
                f"``{use.signature}``",
                f"   {escape(use.meaning)}.  Returns: {escape(use.returns)}.{escape(used)}",
                "",
            ]
            out += [f"   - {escape(text)}" for text in use.conventions]
            out += [""] if use.conventions else []
    else:
        out += ["This exercise calls no contract function.", ""]
    return "\n".join(out).rstrip() + "\n"


def _tier_counts(exercise: Exercise) -> str:
    """'claim 9, numerics 2, contract 5'."""
    counts = {tier: sum(p.tier == tier for p in exercise.properties) for tier in TIER_HEADINGS}
    return ", ".join(f"{tier} {count}" for tier, count in counts.items() if count)


def _property_table(
    title: str,
    meaning: str,
    properties: list[Property],
    status: dict[str, list[dict[str, Any]]] | None,
) -> list[str]:
    """One tier's properties: a heading, what the tier checks, and a table of claims."""
    out = [*heading(title, "~"), "", escape(meaning), ""]
    columns = ["Property", "Claim"] + (["Status"] if status is not None else [])
    widths = "35 65" if status is None else "32 53 15"
    out += [".. list-table::", "   :header-rows: 1", "   :class: specbook-properties"]
    out += [f"   :widths: {widths}", ""]
    out += [f"   {'*' if i == 0 else ' '} - {c}" for i, c in enumerate(columns)]
    for prop in properties:
        name = f"``{prop.name}``" + (" (parametrized)" if prop.parametrized else "")
        out += [f"   * - {name}", f"     - {escape(prop.claim)}"]
        if status is not None:
            records = status.get(prop.name)
            if records:
                counts = len(records)
                suffix = f" ({counts} cases)" if counts > 1 else ""
                out.append(f"     - {_status_role(combined_outcome(records))}{suffix}")
            else:
                out.append("     - not run")
    return [*out, ""]


def _figures(figures: list[tuple[str, str]] | tuple[()]) -> list[str]:
    out: list[str] = []
    for filename, caption in figures:
        out += [
            "",
            f".. figure:: {filename}",
            "   :class: specbook-figure",
            f"   :alt: {escape(caption.split('.')[0])}",
            "",
            f"   {escape(caption)}",
        ]
    return out


def render_contents(exercises: list[Exercise], report: dict[str, Any] | None = None) -> str:
    """Lectures -> exercises with links (and a status column given a report)."""
    out: list[str] = []
    if report is not None:
        implementation = report.get("implementation", {})
        name = implementation.get("name") or implementation.get("module") or "?"
        totals = report.get("totals", {})
        out += [f"Conformance of ``{name}``: {_counts(totals)} test cases.", ""]
    for lecture in sorted({e.lecture for e in exercises}):
        out += heading(f"Lecture {lecture}: {escape(LECTURES.get(lecture, ''))}", "-")
        columns = ["Exercise", "Title", "Properties"]
        if report is not None:
            columns.append("Status of the properties")
        out += ["", ".. list-table::", "   :header-rows: 1", "   :class: specbook-contents"]
        out += ["   :widths: 10 60 10" + (" 20" if report is not None else ""), ""]
        out += [f"   {'*' if i == 0 else ' '} - {c}" for i, c in enumerate(columns)]
        for e in exercises:
            if e.lecture != lecture:
                continue
            out += [
                f"   * - :doc:`{e.number} <{GENERATED}/{e.docname}>`",
                f"     - {escape(e.title)}",
                f"     - {len(e.properties)}",
            ]
            if report is not None:
                status = property_status(report, e.number)
                if status is None:
                    out.append("     - not run")
                else:
                    counts = {k: 0 for k in STATUS_MARK}
                    for records in status.values():
                        counts[combined_outcome(records)] += 1
                    out.append(f"     - {_counts(counts)}")
        out += ["", ".. toctree::", "   :hidden:", f"   :caption: Lecture {lecture}", ""]
        out += [f"   {GENERATED}/{e.docname}" for e in exercises if e.lecture == lecture]
        out.append("")
    return "\n".join(out) + "\n"


def _write(path: Path, text: str) -> None:
    """Write only when the text changed, so that Sphinx rebuilds only changed pages."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(
    srcdir: Path,
    report: dict[str, Any] | None = None,
    draw_figures: bool = True,
    root: Path = ROOT,
) -> list[Exercise]:
    """Write the generated pages (and figures) into ``srcdir/_generated``."""
    out = srcdir / GENERATED
    out.mkdir(parents=True, exist_ok=True)
    exercises = discover(root)
    figures: dict[str, list[tuple[str, str]]] = {}
    if draw_figures:
        import specbook_figures

        figures = specbook_figures.draw_all(out)
    expected = {f"{e.docname}.rst" for e in exercises} | {"contents.inc"}
    for stale in out.glob("*.rst"):
        if stale.name not in expected:
            stale.unlink()
    for exercise in exercises:
        page = render_exercise(exercise, figures.get(exercise.number, []), report)
        _write(out / f"{exercise.docname}.rst", page)
    _write(out / "contents.inc", render_contents(exercises, report))
    return exercises


# ----------------------------------------------------------------------------- Sphinx


def _status_role_function(name, rawtext, text, lineno, inliner, options=None, content=None):
    from docutils import nodes

    outcome = text.split()[-1]
    return [
        nodes.inline(rawtext, text.strip(), classes=["specbook-status", f"specbook-{outcome}"])
    ], []


def _builder_inited(app: Any) -> None:
    path = app.config.specbook_conformance or os.environ.get("SPECBOOK_CONFORMANCE", "")
    report = load_conformance(path) if path else None
    generate(Path(app.srcdir), report, draw_figures=bool(app.config.specbook_figures))


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("specbook_conformance", "", "env", [str])
    app.add_config_value("specbook_figures", True, "env")
    app.add_role("specbook-status", _status_role_function)
    app.connect("builder-inited", _builder_inited)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
