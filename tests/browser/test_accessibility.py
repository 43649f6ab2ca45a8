"""Text is readable against its background (WCAG 2 contrast) and keyboard focus can be seen, in a real browser.

Contrast is computed in the page from the browser's computed styles: each visible element's own
text (HTML text colour, SVG fill) against the first opaque background among it and its
ancestors, semi-transparent ones blended over it. Normal text needs 4.5:1, large text (24 px, or
bold and 18.66 px) 3:1.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CONTRAST_SCRIPT = r"""
function rgba(value) {
  const m = /rgba?\(([^)]+)\)/.exec(value || "");
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function over(top, under) {  // top blended over an opaque colour
  const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat(1);
}
function luminance(c) {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
}
function background(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let colour = [255, 255, 255, 1];  // the canvas
  for (const layer of layers.reverse()) colour = over(layer, colour);
  return colour;
}
function ownText(el) {
  return Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join("").trim();
}
function visible(el) {
  const style = getComputedStyle(el);
  if (style.visibility !== "visible" || Number(style.opacity) === 0) return false;
  const r = el.getBoundingClientRect();
  if (r.width <= 1 || r.height <= 1) return false;  // e.g. .visually-hidden
  return r.right > 0 && r.bottom > 0 && r.left < document.documentElement.scrollWidth;  // not moved off screen
}
const failures = [];
let checked = 0;
for (const el of document.body.querySelectorAll("*")) {
  const text = ownText(el);
  if (!text || !visible(el)) continue;
  const style = getComputedStyle(el);
  const isSvg = el instanceof SVGElement;
  const fg = rgba(isSvg ? style.fill : style.color);
  if (!fg) continue;
  const bg = background(el);
  const shown = over(fg, bg);
  const [hi, lo] = [luminance(shown), luminance(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const size = parseFloat(style.fontSize) * (isSvg ? el.getScreenCTM().a : 1);
  const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
  const needed = large ? 3 : 4.5;
  checked++;
  if (ratio < needed) {
    const cls = el.getAttribute("class");
    const colours = `${isSvg ? style.fill : style.color} on rgb(${bg.slice(0, 3).join(", ")})`;
    failures.push(`<${el.tagName.toLowerCase()}${cls ? ' class="' + cls + '"' : ""}> "${text.slice(0, 30)}": ` +
      `${ratio.toFixed(2)}:1 < ${needed}:1 (${colours}, ${size.toFixed(1)}px)`);
  }
}
return {checked, failures};
"""


def _pages(site, browser) -> dict[str, str]:
    """The pages to check: home, the first article it lists, a search with results."""
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    article = browser.find_element(By.CSS_SELECTOR, ".article-list a").get_attribute("href")
    return {"home": site + "/", "article": article, "search": site + "/search/?q=东浦街道"}


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_visible_text_has_enough_contrast(site, browser, width):
    from .conftest import WIDTHS

    browser.set_window_size(*WIDTHS[width])
    report = []
    for name, url in _pages(site, browser).items():
        browser.get(url)
        result = browser.execute_script(CONTRAST_SCRIPT)
        assert result["checked"] > 20, f"{name}: only {result['checked']} text elements found"
        distinct = list(dict.fromkeys(result["failures"]))
        report += [f"{name} ({url}): {len(result['failures'])} elements, e.g."] * bool(distinct)
        report += [f"  {line}" for line in distinct[:8]]
    assert not report, "text with too little contrast:\n" + "\n".join(report)


FOCUS_SCRIPT = r"""
const el = document.activeElement, style = getComputedStyle(el), r = el.getBoundingClientRect();
return {
  tag: el.tagName.toLowerCase(), text: el.textContent.trim(), cls: el.getAttribute("class") || "",
  outline: style.outlineStyle === "none" || parseFloat(style.outlineWidth) === 0 ? null
    : `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}`,
  shadow: style.boxShadow === "none" ? null : style.boxShadow,
  onScreen: r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.width > 1,
};
"""


def test_keyboard_focus_is_visible_from_the_skip_link_on(site, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for name, url in _pages(site, browser).items():
        browser.get(url)
        ActionChains(browser).send_keys(Keys.TAB).perform()
        skip = browser.execute_script(FOCUS_SCRIPT)
        assert skip["text"] == "跳到正文" and skip["onScreen"], f"{name}: the skip link is not shown on focus: {skip}"
        assert skip["outline"] or skip["shadow"], f"{name}: the focused skip link has no outline: {skip}"
        ActionChains(browser).send_keys(Keys.TAB).perform()
        first = browser.execute_script(FOCUS_SCRIPT)
        assert first["tag"] == "a" and first["text"] == "地方治理报道档案", f"{name}: focus went to {first}"
        assert first["outline"] or first["shadow"], f"{name}: focus on {first['text']!r} is invisible: {first}"
