"""The documentation site, built offline (`verified_collapse.tools.docs.build_docs`), opened in headless Chromium.

Starting at index.html the test follows the sidebar to every chapter; on each page: it loaded (title, h1), the sidebar
is sidebar.yml's (sections, chapters, the current page marked), every image decoded, MathJax typeset the maths
(pages whose notebook has `$`), and no request failed or left the machine. The site is built with a fake published
run of the theory experiment, so its run page (the executed notebook's figure, the claims) follows its chapter, which
links to it. Chromium and its WebDriver are Debian's (`apt-get install chromium chromium-driver`, run here when they
are missing); Selenium drives them through /usr/bin/chromedriver, so Selenium Manager never runs (it would try to
download a driver)."""
import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from conftest import REPO

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
NBS = REPO / "nbs"
SCREENSHOT = REPO / "runs" / "docs_screenshot.png"
RUN_CHAPTER, RUN_PAGE = "11_theory_experiment.html", "11_theory_experiment_cpu.html"  # the fake published run's pages
RUN_TITLE = "Theory: Gaussian mixture, verifiers and p*: the cpu run"


def sidebar_pages(entries, section=None):
    "sidebar.yml's contents as (section, page) pairs, in order."
    out = []
    for e in entries:
        if isinstance(e, dict) and "section" in e: out += sidebar_pages(e.get("contents", []), e["section"])
        else: out.append((section, e if isinstance(e, str) else e["href"]))
    return out


def html_name(nb): return "index.html" if nb == "index.ipynb" else nb.replace(".ipynb", ".html")


def has_maths(page):
    "Whether the notebook behind `page` (an .html name) has `$` maths in its markdown (the fake run page has)."
    if page == RUN_PAGE: return True
    import nbformat
    nb = nbformat.read(str(NBS / ("index.ipynb" if page == "index.html" else page.replace(".html", ".ipynb"))), 4)
    import re
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    text = re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", text, flags=re.S))  # code is not maths ($VCOLLAPSE_RUNS)
    return re.search(r"\$[^$\n]+\$", text) is not None


@pytest.fixture(scope="session")
def chromium_driver():
    "Debian's chromium and chromium-driver: installed with apt when missing (needs root and the apt lists)."
    if shutil.which("chromium") is None or not Path(CHROMEDRIVER).exists():
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        cmd = ["apt-get", "install", "-y", "chromium", "chromium-driver"]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
        if r.returncode != 0:  # stale package lists: refresh once and retry
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
            r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
        assert r.returncode == 0, f"could not install chromium with apt (run as root?):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    assert Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()
    return CHROMEDRIVER


def fake_figure():
    "A small figure, 160 x 100 pixels: a PNG's bytes."
    import io
    from PIL import Image
    img = Image.new("RGB", (160, 100), "white")
    for x in range(20, 140):
        for y in (80 - (x - 20) // 2, 81 - (x - 20) // 2): img.putpixel((x, y), (39, 128, 227))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def fake_cpu_run(runs):
    "A cpu run with one small figure and a claims table."
    figs = runs / "cpu" / "theory" / "figures"
    figs.mkdir(parents=True)
    (figs / "headline.png").write_bytes(fake_figure())
    (runs / "cpu" / "REPORT.md").write_text("# Report\n\nRun folder `cpu`; report written in the test.\n\n## Claims\n\n"
                                            "| part | claim | verdict |\n|---|---|---|\n| theory | a fake claim | held |\n")


def fake_published(results):
    """A published results folder (as `vcollapse publish` makes) with the theory part: its executed notebook (maths, a
    figure as an image/png output), claims.json and run.json."""
    import nbformat
    part = results / "theory"
    part.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    fig = nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(fake_figure()).decode(),
                                                       "text/plain": "<Figure size 160x100>"})
    nb.cells = [nbformat.v4.new_markdown_cell("# Theory experiment, as it ran\n\n> Its breakdown point $p^*$."),
                nbformat.v4.new_code_cell("#| hide\nsetup = 1"), nbformat.v4.new_code_cell("plot()", outputs=[fig])]
    nbformat.write(nb, str(part / "theory.ipynb"))
    claim = dict(id="a", claim="A fake claim", measured="0.10 vs 0.00", estimate=0.1, lo=0.05, hi=0.15, side="greater")
    (part / "claims.json").write_text(json.dumps([claim]))
    (part / "run.json").write_text(json.dumps({"key": "theory", "preset": "cpu", "seconds": 90.0, "status": "ok"}))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    "The site built offline from nbs/, with a fake cpu run under $VCOLLAPSE_RUNS and a fake published run."
    from verified_collapse.tools.docs import build_docs
    tmp = tmp_path_factory.mktemp("docs")
    fake_cpu_run(tmp / "runs")
    fake_published(tmp / "results" / "cpu")
    old = os.environ.get("VCOLLAPSE_RUNS")
    os.environ["VCOLLAPSE_RUNS"] = str(tmp / "runs")
    try:
        t0 = time.perf_counter()
        index = build_docs(tmp / "site", quarto=False, results=tmp / "results" / "cpu")
        print(f"offline site built in {time.perf_counter() - t0:.1f} s")
    finally:
        if old is None: os.environ.pop("VCOLLAPSE_RUNS")
        else: os.environ["VCOLLAPSE_RUNS"] = old
    assert index == tmp / "site" / "index.html" and index.is_file() and (index.parent / RUN_PAGE).is_file()
    return index.parent


@pytest.fixture(scope="module")
def served(site):
    "The site on a local HTTP server thread: its base URL."
    handler = functools.partial(type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None}),
                                directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown(); server.server_close()


@pytest.fixture(scope="module")
def browser(chromium_driver):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
              "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-component-update",
              "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]:  # nothing but the local server resolves
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromium_driver), options=opts)
    driver.set_page_load_timeout(60); driver.set_script_timeout(60)
    yield driver
    driver.quit()


def failed_requests(driver, base):
    """Requests since the last call that failed (HTTP >= 400, network error) or went anywhere but the local server.
    MathJax's own font probe is left out: `@font-face MathJax_Blank {src: url('about:blank')}`, which Chromium refuses
    before sending (the only non-http request a page makes here)."""
    urls, bad = {}, []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        p = msg.get("params", {})
        if msg["method"] == "Network.requestWillBeSent":
            url = urls[p["requestId"]] = p["request"]["url"]
            if not url.startswith((base, "data:", "about:blank")): bad.append((url, "not local"))
        elif msg["method"] == "Network.responseReceived" and p["response"]["status"] >= 400:
            bad.append((p["response"]["url"], p["response"]["status"]))
        elif msg["method"] == "Network.loadingFailed" and not p.get("canceled"):
            url = urls.get(p["requestId"], "")
            if url.startswith("about:blank") or p.get("corsErrorStatus", {}).get("corsError") == "CorsDisabledScheme": continue
            bad.append((url or p["requestId"], p["errorText"]))
    return bad


def check_page(driver, base, page, site_title, sections):
    "Every check of one page, once it and MathJax's typesetting have finished."
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.readyState") == "complete")
    mathjax = driver.execute_async_script("""const done = arguments[arguments.length - 1];
        if (!window.MathJax || !MathJax.Hub) return done("no MathJax");
        // a hook that returned the queued callback would make MathJax wait for it: deadlock
        MathJax.Hub.Register.StartupHook("End", () => { MathJax.Hub.Queue(() => done("typeset")); });""")
    assert urlparse(driver.current_url).path.lstrip("/") == page
    assert site_title in driver.title and (page == "index.html" or driver.title != site_title), f"{page}: title {driver.title!r}"
    h1 = driver.find_elements(By.CSS_SELECTOR, "main h1")
    assert h1 and h1[0].is_displayed() and h1[0].text.strip(), f"{page}: no title heading"
    assert [a.get_attribute("href").rsplit("/", 1)[-1] for a in driver.find_elements(By.CSS_SELECTOR, "#vc-sidebar a.active")] \
        == [page], f"{page}: not the one marked current in the sidebar"
    assert [s.text for s in driver.find_elements(By.CSS_SELECTOR, "#vc-sidebar .vc-section-title")] == sections
    broken = driver.execute_script("return [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
    assert broken == [], f"{page}: images that did not load: {broken}"
    if has_maths(page):
        assert mathjax == "typeset", f"{page}: MathJax did not run ({mathjax})"
        n = driver.execute_script("return document.querySelectorAll('main .MathJax, main .MathJax_Display, main mjx-container').length")
        assert n > 0, f"{page}: has maths but MathJax rendered none"
    bad = failed_requests(driver, base)
    assert bad == [], f"{page}: failed or external requests: {bad}"
    return driver.find_elements(By.CSS_SELECTOR, "main img")


def test_no_cdn_in_the_built_site(site):
    "No page loads a script, stylesheet or image from anywhere but the site."
    from bs4 import BeautifulSoup
    pages = sorted(site.glob("*.html"))
    assert len(pages) >= len(sidebar_pages(yaml.safe_load((NBS / "sidebar.yml").read_text())["website"]["sidebar"]["contents"]))
    for p in pages:
        soup = BeautifulSoup(p.read_text(), "html.parser")
        remote = [t.get(a) for t, a in [(t, "src") for t in soup.find_all(["script", "img"])] + [(t, "href") for t in soup.find_all("link")]
                  if t.get(a) and (urlparse(t.get(a)).scheme not in ("", "data") or t.get(a).startswith("//"))]
        assert remote == [], f"{p.name} loads {remote}"
    assert (site / "mathjax" / "MathJax.js").is_file()


def site_layout():
    "The site's title, its pages in sidebar order (sidebar.yml's, the fake run page after its chapter), its sections."
    cfg = yaml.safe_load((NBS / "nbdev.yml").read_text())["website"]
    order = sidebar_pages(yaml.safe_load((NBS / "sidebar.yml").read_text())["website"]["sidebar"]["contents"])
    pages, sections = [html_name(p) for _, p in order], list(dict.fromkeys(s for s, _ in order if s))
    pages.insert(pages.index(RUN_CHAPTER) + 1, RUN_PAGE)
    return cfg["title"], pages, sections


def test_site_in_chromium(site, served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    title, pages, sections = site_layout()
    assert "10_theory.html" in pages and has_maths("10_theory.html")

    browser.get(served + "index.html")
    imgs = check_page(browser, served, "index.html", title, sections)
    assert [a.get_attribute("href").rsplit("/", 1)[-1] for a in browser.find_elements(By.CSS_SELECTOR, "#vc-sidebar li a")] == pages
    assert browser.find_element(By.CSS_SELECTOR, "#vc-sidebar .vc-site-title").text == title
    run_imgs = [i for i in imgs if "/runs/cpu/theory/figures/headline.png" in i.get_attribute("src")]
    assert len(run_imgs) == 1 and browser.execute_script("return arguments[0].naturalWidth", run_imgs[0]) == 160
    assert any("Latest cpu run" in h.text for h in browser.find_elements(By.CSS_SELECTOR, "main h2"))
    assert [c.text for c in browser.find_elements(By.CSS_SELECTOR, "main table td")][-3:] == ["theory", "a fake claim", "held"]
    w, h = browser.execute_script("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                              "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}})
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.write_bytes(base64.b64decode(shot["data"]))  # the whole landing page

    for page in pages:  # follow the sidebar from each page to the next
        if page == "index.html": continue
        link = browser.find_element(By.CSS_SELECTOR, f'#vc-sidebar li a[href="{page}"]')
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
        WebDriverWait(browser, 30).until(lambda d: urlparse(d.current_url).path.endswith("/" + page))
        check_page(browser, served, page, title, sections)


def test_experiment_run_page_in_chromium(site, served, browser):
    """The chapter of an experiment links, under its summary, to its run page: the executed notebook's figure decoded,
    the claims table, the sidebar entry after the chapter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    title, pages, sections = site_layout()
    browser.get(served + RUN_CHAPTER)
    check_page(browser, served, RUN_CHAPTER, title, sections)
    first = browser.find_element(By.CSS_SELECTOR, "main .jp-MarkdownCell")  # the title, the summary, the link
    link = first.find_element(By.CSS_SELECTOR, f'a[href="{RUN_PAGE}"]')
    assert "See this chapter run on the cpu preset" in first.text and link.text == RUN_TITLE
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    WebDriverWait(browser, 30).until(lambda d: urlparse(d.current_url).path.endswith("/" + RUN_PAGE))
    imgs = check_page(browser, served, RUN_PAGE, title, sections)
    assert browser.find_element(By.CSS_SELECTOR, "main h1").text.rstrip("¶").strip() == RUN_TITLE
    figs = [i for i in imgs if i.get_attribute("src").startswith("data:image/png;base64,")]
    assert len(figs) == 1, f"{RUN_PAGE}: {len(figs)} figures from the executed notebook"
    assert browser.execute_script("return [arguments[0].naturalWidth, arguments[0].naturalHeight]", figs[0]) == [160, 100]
    head = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "main table th")]
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in browser.find_elements(By.CSS_SELECTOR, "main table tbody tr")]
    assert head[:4] == ["claim", "this run", "estimate [95% interval]", "verdict"], head
    assert ["A fake claim", "0.10 vs 0.00", "+0.100 [+0.050, +0.150]", "held"] in rows, rows
    active = browser.find_element(By.CSS_SELECTOR, "#vc-sidebar a.active")
    hrefs = [a.get_attribute("href").rsplit("/", 1)[-1] for a in browser.find_elements(By.CSS_SELECTOR, "#vc-sidebar li a")]
    assert active.text == "↳ the cpu run" and hrefs[hrefs.index(RUN_PAGE) - 1] == RUN_CHAPTER
