"""A reader's path through the served archive, in a real browser (Debian's chromium, driven by Selenium).

The archive is served from a fresh DATA_DIR holding the test corpus (``conftest.py``). Screenshots
at phone and desktop widths are saved in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import pytest

from .conftest import REPO, WIDTHS

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.browser


def screenshot(driver, name: str) -> None:
    """Save the page at phone and desktop widths (full height)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        driver.set_window_size(width, height)
        full = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(full, height), 4000))
        assert driver.save_screenshot(str(SCREENSHOTS / f"{name}-{label}.png"))
    driver.set_window_size(*WIDTHS["desktop"])


def test_search_narrow_open_and_follow_related(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(site + "/")
    assert "地方治理报道档案" in browser.title
    screenshot(browser, "home")

    # Search from the header box for a term of the seed record.
    box = browser.find_element(By.ID, "home-q")
    box.send_keys("东浦街道", Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: "/search/" in d.current_url)
    marks = browser.find_elements(By.CSS_SELECTOR, ".hit .snippet mark")
    assert marks and all(m.text == "东浦街道" for m in marks)
    count = int(browser.find_element(By.CSS_SELECTOR, ".result-count strong").text)
    screenshot(browser, "search")

    # Narrow by a street facet: the count shrinks to the facet's number, the filter shows.
    facet = browser.find_element(By.CSS_SELECTOR, ".facet[data-facet=street] li a")
    facet_count = int(facet.find_element(By.XPATH, "..").find_element(By.CSS_SELECTOR, ".count").text)
    street_name = facet.text
    facet.click()
    assert "street=" in browser.current_url
    narrowed = int(browser.find_element(By.CSS_SELECTOR, ".result-count strong").text)
    assert narrowed == facet_count <= count
    assert street_name in browser.find_element(By.CSS_SELECTOR, ".active-filters").text

    # Open the first article; it names the street among its places.
    first = browser.find_element(By.CSS_SELECTOR, ".hit h2 a")
    title = first.text
    first.click()
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    assert street_name.split("（")[0] in browser.find_element(By.CSS_SELECTOR, ".place-levels").text
    screenshot(browser, "article")

    # Follow a related report.
    related = browser.find_element(By.CSS_SELECTOR, ".related a")
    related_title = related.text
    related.click()
    assert browser.find_element(By.TAG_NAME, "h1").text == related_title != title


def test_script_in_a_title_is_shown_as_text(site, browser):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    browser.get(site + "/search/?q=会议纪要")
    link = browser.find_element(By.CSS_SELECTOR, ".hit h2 a")
    assert link.text == "<script>alert(1)</script>会议纪要"
    link.click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "<script>alert(1)</script>会议纪要"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - reading it is the check that no alert opened
    assert browser.execute_script("return document.querySelectorAll('main script').length") == 0
    screenshot(browser, "xss-record")


def test_browse_by_place_down_to_an_article(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site + "/places/")
    browser.find_element(By.LINK_TEXT, "浙江省").click()
    browser.find_element(By.LINK_TEXT, "绍兴市").click()
    browser.find_element(By.LINK_TEXT, "越城区").click()
    crumbs = browser.find_element(By.CSS_SELECTOR, ".breadcrumb").text
    assert "浙江省" in crumbs and "绍兴市" in crumbs
    assert browser.find_element(By.CSS_SELECTOR, "svg.chart")
    screenshot(browser, "place")
    article = browser.find_element(By.CSS_SELECTOR, ".article-list a")
    title = article.text
    article.click()
    assert browser.find_element(By.TAG_NAME, "h1").text == title
