"""The migration report's HTML in a real headless Chromium: no console error, no request but the
page itself, every headline number equal to the JSON report's, the charts drawn with a size, the
pool that runs out highlighted, and a screenshot kept for a person to look at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govcloud.adapters.report_writers import figure_text, write
from govcloud.core.report_migration import migration_report
from tests.core.report_migration_fixtures import HOSTILE, plan
from tests.integration import test_report_browser as base

browser = base.browser  # the module-scoped Chromium of the other report tests


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_migration_report_in_chromium(browser: Any, tmp_path: Path, lang: str) -> None:
    from selenium.webdriver.common.by import By

    paths = write([migration_report(plan())], ["html", "json"], tmp_path, lang)
    page = next(p for p in paths if p.suffix == ".html")
    doc = json.loads(next(p for p in paths if p.suffix == ".json").read_text())
    browser.get_log("browser"), browser.get_log("performance")  # drop earlier pages' entries

    browser.get(page.as_uri())

    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert set(base._requests(browser)) == {page.as_uri()}
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang").startswith(lang)
    shown = {
        el.get_attribute("data-key"): el.text
        for el in browser.find_elements(By.CSS_SELECTOR, "[data-key]")
    }
    units = {f["key"]: f["unit"] for f in doc["figures"]}
    assert shown.keys() == doc["headline"].keys()
    for key, value in doc["headline"].items():
        assert shown[key] == figure_text(value, units[key], lang)
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == sum(len(s["charts"]) for s in doc["sections"]) == 7
    assert all(c.size["width"] > 0 and c.size["height"] > 0 for c in charts)
    bars = browser.find_elements(By.CSS_SELECTOR, "#adoption svg.chart rect title")
    assert bars  # the 上云率 chart has its bars
    assert browser.find_elements(By.CSS_SELECTOR, "#waves svg.chart polyline")
    flagged = browser.find_elements(By.CSS_SELECTOR, "table[data-table=pools] tr.flag")
    assert len(flagged) == 1
    cell = flagged[0].find_element(By.TAG_NAME, "td")
    assert cell.value_of_css_property("background-color") == "rgba(253, 232, 231, 1)"
    assert browser.find_elements(By.TAG_NAME, "script") == []  # the hostile name stayed text
    assert HOSTILE in browser.find_element(By.ID, "hosts").text
    heading = browser.find_element(By.CSS_SELECTOR, "#adoption h2").text
    assert heading == ("上云率" if lang == "zh" else "Cloud adoption")
    shot = tmp_path / f"migration-{lang}.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
