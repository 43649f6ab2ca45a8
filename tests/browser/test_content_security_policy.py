"""Every kind of page works under the site's Content-Security-Policy, in a real browser.

Chromium writes each refusal ("Applying inline style violates the following Content Security
Policy directive 'style-src 'self''. … The action has been blocked.") to the console, which the
driver collects. After each page
a probe adds an inline style and an inline script: both must be refused, so a page served
without the policy (or a console that is not collected) fails instead of passing unseen.
"""

from __future__ import annotations

import pytest

from .conftest import CURATOR, SUPERUSER

pytestmark = pytest.mark.browser

PROBE = r"""
const div = document.createElement("div");
div.setAttribute("style", "display: none");
document.body.append(div);
const script = document.createElement("script");
script.textContent = "window.inlineScriptRan = true;";
document.head.append(script);
const result = {style: getComputedStyle(div).display === "none", script: window.inlineScriptRan === true};
div.remove();
script.remove();
return result;
"""


class Pages:
    """Open pages in the browser and note every CSP refusal on them."""

    def __init__(self, browser, site):
        self.browser, self.site, self.problems, self.seen = browser, site, [], []

    def open(self, name: str, url: str) -> None:
        self.browser.get(url if url.startswith("http") else self.site + url)
        self.check(name)

    def check(self, name: str) -> None:
        """Note the refusals since the last check, then probe that the policy is enforced here."""
        url = self.browser.current_url
        self.seen.append(name)
        for entry in self.browser.get_log("browser"):
            if "Content Security Policy" in entry["message"]:
                self.problems.append(f"{name} ({url}): {entry['message']}")
        probe = self.browser.execute_script(PROBE)
        refused = [e for e in self.browser.get_log("browser") if "Content Security Policy" in e["message"]]
        if probe["style"] or probe["script"] or len(refused) < 2:
            self.problems.append(f"{name} ({url}): no policy enforced ({probe}, {len(refused)} refusals)")

    def submit(self, element) -> None:
        """Click ``element`` and wait for the page it leads to."""
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        element.click()
        WebDriverWait(self.browser, 10).until(ec.staleness_of(element))

    def href(self, css: str) -> str:
        from selenium.webdriver.common.by import By

        return self.browser.find_element(By.CSS_SELECTOR, css).get_attribute("href")

    def sign_in(self, username: str, password: str) -> None:
        from selenium.webdriver.common.by import By

        self.open("admin login", "/admin/login/?next=/admin/")
        self.browser.find_element(By.NAME, "username").send_keys(username)
        self.browser.find_element(By.NAME, "password").send_keys(password)
        self.submit(self.browser.find_element(By.CSS_SELECTOR, "input[type=submit]"))
        assert "login" not in self.browser.current_url
        self.check(f"admin index ({username})")

    def sign_out(self) -> None:
        from selenium.webdriver.common.by import By

        self.submit(self.browser.find_element(By.CSS_SELECTOR, "#logout-form button"))
        self.check("signed out")


def _reading_pages(pages: Pages) -> None:
    from selenium.webdriver.common.by import By

    pages.open("home", "/")
    article = pages.href(".article-list a")
    pages.open("article", article)
    pages.open("month", pages.href("a[href*='/archive/']"))
    pages.open("year", "/archive/2021/")
    pages.open("places", "/places/")
    pages.open("place", "/places/330602/")
    pages.open("sources", "/sources/")
    pages.open("source", pages.href("table.sources a"))
    pages.open("browse", "/search/")
    pages.open("search", "/search/?q=东浦街道")
    pages.submit(pages.browser.find_element(By.CSS_SELECTOR, ".facet[data-facet=street] li a"))
    pages.check("search narrowed by a facet")
    pages.open("not found", "/articles/999999/")
    return article


def _curator_pages(pages: Pages, article: str, broken) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser = pages.browser
    pages.sign_in(*CURATOR)
    pages.open("raw record", article + "raw/")
    pages.open("article changelist", "/admin/archive/article/?q=街道")
    change = pages.href("#result_list tbody th a")
    pages.open("article change form", change)
    # The place autocomplete (select2) builds its list in the page: open it and let it answer.
    browser.find_element(By.CSS_SELECTOR, "#place_links-group .add-row a").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#place_links-group tr.form-row.dynamic-place_links")
    rows[-1].find_element(By.CSS_SELECTOR, ".select2-selection").click()
    browser.find_element(By.CSS_SELECTOR, ".select2-container--open .select2-search__field").send_keys("东浦")
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".select2-results__option")))
    pages.check("article change form with the place autocomplete open")
    pages.open("article history", change + "history/")
    # The merge confirmation: two articles selected, the merge action run (and then not confirmed).
    pages.open("article changelist", "/admin/archive/article/?q=街道")
    for box in browser.find_elements(By.NAME, "_selected_action")[:2]:
        box.click()
    Select(browser.find_element(By.NAME, "action")).select_by_value("merge")
    pages.submit(browser.find_element(By.NAME, "index"))
    assert browser.find_element(By.ID, "merge-choices")
    pages.check("merge confirmation")
    pages.open("source changelist", "/admin/archive/source/")
    source = pages.href("#result_list tbody th a")
    pages.open("source change form", source)
    pages.open("source history", source + "history/")
    pages.open("regeotag confirmation", source.replace("/change/", "/regeotag/"))
    pages.open("place changelist", "/admin/archive/place/?q=越城区")
    pages.open("place change form", pages.href("#result_list tbody th a"))
    pages.open("ingest runs", "/admin/archive/ingestrun/")
    # Upload a file whose one record is broken: its run's page lists a rejection to retry.
    pages.open("upload", "/admin/archive/ingestrun/upload/")
    browser.find_element(By.NAME, "file").send_keys(str(broken))
    pages.submit(browser.find_element(By.CSS_SELECTOR, "input[type=submit]"))
    pages.check("the upload's background task")
    pages.open("background tasks", "/admin/django_tasks_database/dbtaskresult/")

    # The worker ingests the upload a moment later: then its rejection is listed.
    def rejection_listed(b) -> bool:
        b.get(pages.site + "/admin/archive/ingestrejection/")
        return bool(b.find_elements(By.CSS_SELECTOR, "#result_list tbody a"))

    WebDriverWait(browser, 30, poll_frequency=0.5).until(rejection_listed)
    pages.open("rejections", "/admin/archive/ingestrejection/")
    pages.open("rejection (retry)", pages.href("#result_list tbody a"))
    pages.open("password change", "/admin/password_change/")
    pages.sign_out()


def _superuser_pages(pages: Pages) -> None:
    pages.sign_in(*SUPERUSER)
    pages.open("users", "/admin/auth/user/")
    pages.open("user change form", pages.href("#result_list tbody th a"))
    pages.open("user add form", "/admin/auth/user/add/")
    pages.open("groups", "/admin/auth/group/")
    pages.open("login attempts", "/admin/axes/accessattempt/")
    pages.open("login log", "/admin/axes/accesslog/")
    pages.sign_out()


def _lockout_page(pages: Pages) -> None:
    from selenium.webdriver.common.by import By

    for _ in range(5):  # a name nobody has: locks only that name from this address
        pages.browser.get(pages.site + "/admin/login/")
        pages.browser.find_element(By.NAME, "username").send_keys("nobody-at-all")
        pages.browser.find_element(By.NAME, "password").send_keys("wrong")
        pages.submit(pages.browser.find_element(By.CSS_SELECTOR, "input[type=submit]"))
    assert "登录失败次数过多" in pages.browser.find_element(By.TAG_NAME, "main").text
    pages.check("login lockout")


def test_no_page_breaks_the_content_security_policy(site, browser, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "断了的记录", \n', encoding="utf-8")
    pages = Pages(browser, site)
    article = _reading_pages(pages)
    _curator_pages(pages, article, broken)
    _superuser_pages(pages)
    _lockout_page(pages)
    assert len(pages.seen) > 35
    assert not pages.problems, "\n".join(pages.problems)
