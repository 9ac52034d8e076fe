"""The HTML report in a real headless Chromium (Debian package): no console error, no request
but the page itself, headline numbers equal to the JSON report's, charts drawn, a screenshot.

Needs /usr/bin/chromium and /usr/bin/chromedriver (.ci/install-services.sh installs them);
skips without them, fails under GOVCLOUD_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcloud.adapters.report_writers import figure_text, write
from govcloud.core.report_model import build_reports
from tests.core.report_fixtures import estate, findings, recommendations
from tests.services.require import unavailable

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        unavailable("chromium / chromium-driver not installed (Debian packages)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1280,900"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _requests(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["capacity", "department"])
def test_html_report_in_chromium(browser: Any, tmp_path: Path, lang: str, kind: str) -> None:
    from selenium.webdriver.common.by import By

    reports = build_reports(kind, estate(300), findings(), recommendations())[:1]
    paths = write(reports, ["html", "json"], tmp_path, lang)
    page = next(p for p in paths if p.suffix == ".html")
    doc = json.loads(next(p for p in paths if p.suffix == ".json").read_text())
    browser.get_log("browser"), browser.get_log("performance")  # drop earlier pages' entries

    browser.get(page.as_uri())

    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    assert set(_requests(browser)) == {page.as_uri()}
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang").startswith(lang)
    shown = {
        el.get_attribute("data-key"): el.text
        for el in browser.find_elements(By.CSS_SELECTOR, "[data-key]")
    }
    by_key = {f["key"]: f for f in doc["figures"]}
    assert shown.keys() == doc["headline"].keys()
    for key, value in doc["headline"].items():
        assert shown[key] == figure_text(value, by_key[key]["unit"], lang)
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert charts
    assert all(c.size["width"] > 0 and c.size["height"] > 0 for c in charts)
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart rect[height]")
    if kind == "department":  # the hostile department name is text, not markup
        assert browser.find_elements(By.TAG_NAME, "script") == []
    shot = tmp_path / f"{kind}-{lang}.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chart_labels_drawn_no_wider_than_the_layout_reserves(
    browser: Any, tmp_path: Path, lang: str
) -> None:
    """The x-axis layout keeps labels apart by the widths it reserves (tests/adapters/
    test_svg_charts.py); here the browser's own font must draw each label within that width,
    CJK check words (配额闲置) and Latin codes alike."""
    from selenium.webdriver.common.by import By

    from govcloud.adapters.report_writers.svg_charts import label_width

    reports = build_reports("audit", estate(300), findings(), recommendations())
    (page,) = write(reports, ["html"], tmp_path, lang)
    browser.get(page.as_uri())

    drawn = browser.execute_script(
        "return [...document.querySelectorAll('svg.chart text.x-label')]"
        ".map(t => [t.lastChild.textContent, t.getComputedTextLength()])"
    )
    assert len(drawn) > 3
    if lang == "zh":
        assert "云主机闲置" in {text for text, _ in drawn}
    assert [(t, px) for t, px in drawn if not 0 < px <= label_width(t)] == []
    chart = browser.find_elements(By.CSS_SELECTOR, "svg.chart")[0]
    shot = tmp_path / f"audit-chart-{lang}.png"
    assert chart.screenshot(str(shot))
