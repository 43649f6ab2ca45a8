"""A curator's path through the admin in a real browser: sign in, add a place through the autocomplete,
hide an article, and see each change where readers look (the article page, search)."""

from __future__ import annotations

import pytest

from .conftest import CURATOR
from .test_reading_flow import screenshot

pytestmark = pytest.mark.browser

TITLE = "北海街道党工委召开会议"


def _run_action(browser, site, query: str, action: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(f"{site}/admin/archive/article/?q={query}")
    row = browser.find_element(By.XPATH, f"//tr[.//a[normalize-space()='{TITLE}']]")
    row.find_element(By.NAME, "_selected_action").click()
    Select(browser.find_element(By.NAME, "action")).select_by_value(action)
    browser.find_element(By.NAME, "index").click()
    return browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text


def _public_search(browser, site, query: str) -> list[str]:
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/search/?q={query}")
    return [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".hit h2 a")]


def _sign_in(browser, site) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site + "/admin/login/?next=/admin/")
    browser.find_element(By.NAME, "username").send_keys(CURATOR[0])
    browser.find_element(By.NAME, "password").send_keys(CURATOR[1])
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    assert "/admin/" in browser.current_url and "login" not in browser.current_url


def test_saving_an_article_without_edits_leaves_its_paragraphs_and_history(site, browser):
    """Chromium posts the body's textarea with CRLF line ends, as every browser does."""
    from selenium.webdriver.common.by import By

    _sign_in(browser, site)
    browser.get(site + "/admin/archive/article/?q=媒体聚焦")
    browser.find_element(By.PARTIAL_LINK_TEXT, "【媒体聚焦】").click()
    change_url = browser.current_url
    public_url = browser.find_element(By.CSS_SELECTOR, "a.viewsitelink").get_attribute("href")
    browser.get(public_url)
    paragraphs = [p.text for p in browser.find_elements(By.CSS_SELECTOR, "main .body p")]
    assert len(paragraphs) > 5

    browser.get(change_url)
    browser.find_element(By.NAME, "_continue").click()
    assert browser.find_elements(By.CSS_SELECTOR, "ul.messagelist .success")

    browser.get(public_url)
    assert [p.text for p in browser.find_elements(By.CSS_SELECTOR, "main .body p")] == paragraphs
    browser.get(change_url + "history/")
    assert not browser.find_elements(By.CSS_SELECTOR, "#change-history tbody tr")  # no field history recorded


def test_curator_adds_a_place_and_hides_an_article(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    _sign_in(browser, site)

    # Find the article by a phrase inside its title (no spaces in Chinese) and open it.
    browser.get(site + "/admin/archive/article/?q=党工委")
    browser.find_element(By.LINK_TEXT, TITLE).click()
    screenshot(browser, "admin-article")

    # Add 东浦街道 (越城区) through the place autocomplete: the options say where each place is.
    browser.find_element(By.CSS_SELECTOR, "#place_links-group .add-row a").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#place_links-group tr.form-row.dynamic-place_links")
    rows[-1].find_element(By.CSS_SELECTOR, ".select2-selection").click()
    search = browser.find_element(By.CSS_SELECTOR, ".select2-container--open .select2-search__field")
    search.send_keys("东浦街道")
    wait = WebDriverWait(browser, 10)
    option = wait.until(
        ec.element_to_be_clickable(
            (By.XPATH, "//li[contains(@class,'select2-results__option') and contains(., '越城区')]")
        )
    )
    assert option.text.startswith("东浦街道 · 乡级")
    option.click()
    browser.find_element(By.NAME, "_continue").click()
    assert browser.find_elements(By.CSS_SELECTOR, "ul.messagelist .success")
    saved = browser.find_element(By.ID, "place_links-group").text
    assert "东浦街道" in saved

    # Readers see the place on the article page at once.
    browser.find_element(By.CSS_SELECTOR, "a.viewsitelink").click()
    assert "东浦街道" in browser.find_element(By.TAG_NAME, "main").text

    # Hide it: gone from the public search; publish it again: back.
    assert TITLE in _public_search(browser, site, "党工委")
    message = _run_action(browser, site, "党工委", "hide")
    assert "已隐藏：1 篇有变化。" in message
    screenshot(browser, "admin-hidden")
    # The worker writes the index a moment after the commit: the search follows within seconds.
    wait.until(lambda _: TITLE not in _public_search(browser, site, "党工委"))
    assert "已发布：1 篇有变化。" in _run_action(browser, site, "党工委", "publish")
    wait.until(lambda _: TITLE in _public_search(browser, site, "党工委"))
