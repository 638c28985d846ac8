"""Run by the peer venv's Python (playwright lives there, never in the project's venv): drives the
dashboard in headless Debian chromium as a person would and prints what it saw as one JSON line.
Argument: a JSON object with url, key, project, round, labels {item_id: class index}, screenshot."""

import json
import shutil
import sys

from playwright.sync_api import sync_playwright

cfg = json.loads(sys.argv[1])
seen: dict = {}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(cfg["url"] + "/ui/")
    page.fill("#key", cfg["key"])
    page.click("#key-form button")
    page.click(f"tr[data-project='{cfg['project']}']")
    page.wait_for_selector("#budget-text:has-text('spent')")
    page.wait_for_function("document.getElementById('curve').dataset.points === '1'")
    seen["budget_before"] = page.text_content("#budget-text")
    seen["points_before"] = page.eval_on_selector("#curve", "e => e.querySelectorAll('circle.acc').length")
    page.click(f"tr[data-round='{cfg['round']}']")
    page.wait_for_selector(".card img")
    page.wait_for_function(
        "[...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    seen["thumbnails"] = page.eval_on_selector_all(".card img", "els => els.map(e => e.naturalWidth)")
    seen["cards"] = page.eval_on_selector_all(".card", "els => els.map(e => Number(e.dataset.item))")
    seen["predicted"] = page.eval_on_selector_all(".card .predicted", "els => els.map(e => e.textContent)")
    for item, label in cfg["labels"].items():
        page.click(f".card[data-item='{item}'] button[data-class='{label}']")
        page.wait_for_selector(f".card.labeled[data-item='{item}']")
    seen["ledger"] = page.text_content("#round-ledger")
    page.screenshot(path=cfg["screenshot_round"], full_page=True)
    page.click("#back")
    page.wait_for_selector(f"#budget-text:has-text('spent {len(cfg['labels'])},')")
    seen["budget_after"] = page.text_content("#budget-text")
    page.click("#retrain")
    page.wait_for_function("document.getElementById('curve').dataset.points === '2'", timeout=180_000)
    seen["points_after"] = page.eval_on_selector("#curve", "e => e.querySelectorAll('circle.acc').length")
    seen["jobs"] = page.eval_on_selector_all("#job-rows tr", "els => els.map(e => e.dataset.status)")
    page.screenshot(path=cfg["screenshot"], full_page=True)
    seen["session_keys"] = page.evaluate("Object.keys(sessionStorage)")
    seen["local_keys"] = page.evaluate("Object.keys(localStorage)")
    seen["requests_with_key"] = [u for u in requests if cfg["key"] in u]
    seen["page_url"] = page.url
    browser.close()
print(json.dumps(seen))
