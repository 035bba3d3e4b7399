"""The built book in a real browser: headless Chromium typesets the math and loads every figure.

Each page is served by a local ``http.server`` bound to 127.0.0.1 (MathJax's web fonts are
not loaded from file:// URLs) and opened in headless Chromium through Selenium with Debian's
chromedriver (``/usr/bin/chromedriver``, so Selenium Manager downloads nothing).  Every
host name other than 127.0.0.1 resolves to nothing, so a page that needed a CDN would fail.
A screenshot of every page goes to ``build/docs/screenshots/``.

Without Chromium, chromedriver or Selenium the tests are skipped with the reason; under
``CI=true`` they fail instead, so that CI cannot pass by skipping them.
"""

from __future__ import annotations

import base64
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
import specbook

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SPECBOOK_SCREENSHOTS") or ROOT / "build/docs/screenshots")
TIMEOUT_S = 30
MAX_SCREENSHOT_HEIGHT = 12000

PAGES = ["index"] + [f"{specbook.GENERATED}/{e.docname}" for e in specbook.discover(ROOT)]


def _missing_browser() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (python -m pip install -e '.[docs]')"
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return f"{program} is not installed (Debian: apt-get install chromium chromium-driver)"
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def server(html_dir):
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    reason = _missing_browser()
    if reason is not None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"browser test cannot run under CI: {reason}")
        pytest.skip(f"no headless browser: {reason}")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        # Every host but the local server resolves to nothing: a CDN could not be reached.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(TIMEOUT_S)
    driver.set_script_timeout(TIMEOUT_S)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
const settle = () => document.fonts.ready.then(() => done("ok"));
if (!window.MathJax) { done("no MathJax"); return; }
const start = Date.now();
(function poll() {
  if (MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(settle, (e) => done("MathJax error: " + e));
  } else if (Date.now() - start > 20000) {
    done("MathJax did not start");
  } else {
    setTimeout(poll, 50);
  }
})();
"""

WAIT_FOR_IMAGES = """
const done = arguments[arguments.length - 1];
Promise.all(Array.from(document.images).map((img) => img.complete ? null :
  new Promise((resolve) => { img.onload = img.onerror = resolve; }))).then(() => done("ok"));
"""

INSPECT = """
const fonts = [];
document.fonts.forEach((f) => { if (f.status === "loaded") fonts.push(f.family); });
return {
  hasMathJax: !!(window.MathJax && window.MathJax.version),
  mathElements: document.querySelectorAll(".math").length,
  typeset: document.querySelectorAll("mjx-container").length,
  typesetText: Array.from(document.querySelectorAll("mjx-container"))
    .map((c) => c.textContent).join(" "),
  errors: Array.from(document.querySelectorAll("mjx-merror"))
    .map((e) => e.getAttribute("data-mjx-error") || e.textContent),
  text: document.body.innerText,
  images: Array.from(document.images).map((img) => ({
    src: img.getAttribute("src"), complete: img.complete, width: img.naturalWidth})),
  mathFonts: fonts.filter((f) => /^MJX/.test(f.replace(/["']/g, ""))),
  overflowing: Array.from(document.querySelectorAll('mjx-container[display="true"]'))
    .map((c) => [c.textContent.slice(0, 60), c.firstElementChild.getBoundingClientRect().width,
                 c.parentElement.clientWidth])
    .filter(([, width, room]) => width > room + 2),
  height: document.documentElement.scrollHeight,
};
"""


def _screenshot(driver, name: str, height: int) -> Path:
    height = min(max(height, 600), MAX_SCREENSHOT_HEIGHT)
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1},
        },
    )
    path = SCREENSHOTS / f"{name.replace('/', '__')}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_math_and_figures(browser, server, page):
    """The page typesets all its math (no raw TeX left, no MathJax error, MathJax's own
    fonts loaded, no display wider than the text), every image loads, and the console
    reports no failed resource."""
    browser.get_log("browser")  # drop what earlier pages left in the console log
    browser.get(f"{server}/{page}.html")
    assert browser.execute_async_script(WAIT_FOR_IMAGES) == "ok"
    state = browser.execute_script(INSPECT)
    if state["mathElements"]:
        assert state["hasMathJax"], f"{page}: math on the page but MathJax is not loaded"
        assert browser.execute_async_script(WAIT_FOR_MATHJAX) == "ok"
        state = browser.execute_script(INSPECT)
        assert state["typeset"] >= state["mathElements"] > 0, (
            f"{page}: {state['typeset']} typeset of {state['mathElements']} math elements"
        )
        assert not state["errors"], f"{page}: MathJax errors {state['errors']}"
        assert "\\" not in state["typesetText"], f"{page}: a TeX command was not typeset"
        assert state["mathFonts"], f"{page}: MathJax's fonts did not load"
        assert not state["overflowing"], f"{page}: display math wider than the page"
    for raw in ("$$", "\\(", "\\)", "\\[", "\\]"):
        assert raw not in state["text"], f"{page}: raw TeX {raw!r} left in the rendered text"
    for image in state["images"]:
        assert image["complete"] and image["width"] > 0, f"{page}: image did not load {image}"
    failures = [
        entry["message"]
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
    ]
    assert not failures, f"{page}: console errors {failures}"
    shot = _screenshot(browser, page, state["height"])
    assert shot.stat().st_size > 10_000, f"{page}: screenshot {shot} looks empty"
