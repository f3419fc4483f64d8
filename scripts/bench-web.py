#!/usr/bin/env python3
"""The MES dashboard's web page at scale (run by `ONLY=web scripts/bench`, not a test).

Against a running `atelier serve` whose database holds many orders:
1. the dashboard's HTML (GET /mes, signed in as the operator) over a kept-alive connection,
   beside GET /health/live of the same server in the same run: p50 / p99 and the ratio;
2. the live path: an operator's browser has the dashboard open; a seller's browser approves an
   order; the time until the order's card is in the operator's page (no reload), for N orders.

Environment: ATELIER_URL, RUNS (default 300), LIVE_RUNS (default 10).
"""
import http.client
import json
import os
import statistics
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["ATELIER_URL"].rstrip("/")
HOST = urllib.parse.urlparse(BASE)
RUNS = int(os.environ.get("RUNS", "300"))
LIVE_RUNS = int(os.environ.get("LIVE_RUNS", "10"))
PASSWORD = os.environ.get("ATELIER_DEMO_PASSWORD", "atelier-demo")


# Where a shop order goes: the shop places no order without it.
DELIVERY = {"delivery": {"recipient": "Clara Customer", "phone": "+7 912 345-67-89", "postalCode": "101000", "city": "Moscow", "street": "Tverskaya 7, flat 12"}}

def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def session_cookie(email):
    connection = http.client.HTTPConnection(HOST.hostname, HOST.port)
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD})
    connection.request("POST", "/sign-in", body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    connection.close()
    return cookie


def timed_gets(connection, path, headers):
    times, size = [], 0
    for run in range(RUNS + 20):
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise SystemExit(f"GET {path}: HTTP {response.status}")
        if run >= 20:  # the first ones warm the caches
            times.append(elapsed)
        size = len(body)
    return times, size


def api(method, path, token=None, payload=None):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(payload).encode() if payload is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"]:
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def main():
    operator_cookie = session_cookie("operator@atelier.test")
    connection = http.client.HTTPConnection(HOST.hostname, HOST.port)
    page, page_bytes = timed_gets(connection, "/mes", {"Cookie": operator_cookie})
    fragment, fragment_bytes = timed_gets(connection, "/mes", {"Cookie": operator_cookie, "X-Fragment": "live"})
    trivial, _ = timed_gets(connection, "/health/live", {})
    connection.close()
    print(f"{'request (kept-alive connection, ' + str(RUNS) + ' runs)':52} {'p50 ms':>8} {'p99 ms':>8} {'p50 vs trivial':>15}")
    for name, times in [("GET /health/live (trivial, same server)", trivial),
                        (f"GET /mes: the dashboard page ({page_bytes // 1024} KiB)", page),
                        (f"GET /mes, X-Fragment: live ({fragment_bytes // 1024} KiB)", fragment)]:
        print(f"{name:52} {percentile(times, 0.5):8.2f} {percentile(times, 0.99):8.2f} {statistics.median(times) / statistics.median(trivial):14.1f}x")

    # The live path: a customer's order, priced; a seller approves it in one browser; the operator's
    # browser, with the dashboard open, shows it.
    customer = api("POST", "/api/auth/sign-in", payload={"email": "customer@atelier.test", "password": PASSWORD})["token"]
    operator, seller = browser(), browser()
    delays = []
    try:
        for driver, email in [(operator, "operator@atelier.test"), (seller, "seller@atelier.test")]:
            driver.get(BASE + "/sign-in")
            driver.find_element(By.ID, "email").send_keys(email)
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.ID, "sign-in").click()
            WebDriverWait(driver, 10).until(lambda d: "/sign-in" not in d.current_url)
        operator.get(BASE + "/mes")
        WebDriverWait(operator, 10).until(lambda d: d.find_element(By.ID, "live-state").get_attribute("data-state") == "open")
        operator.execute_script("""
            window.seen = {};
            new MutationObserver(() => {
              for (const card of document.querySelectorAll('#live [data-order]'))
                if (!(card.dataset.order in window.seen)) window.seen[card.dataset.order] = Date.now();
            }).observe(document.getElementById('live'), {childList: true, subtree: true});
            window.notReloaded = true;""")
        for _ in range(LIVE_RUNS):
            order = api("POST", "/api/shop/orders", customer, {"material": "gold-585", "catalogItem": "classic-band"})["id"]
            api("POST", f"/api/shop/orders/{order}/submit", customer, DELIVERY)
            for _ in range(200):
                if api("GET", f"/api/shop/orders/{order}", customer)["order"]["status"] == "PRICE_CALCULATED":
                    break
                time.sleep(0.05)
            seller.get(f"{BASE}/crm/orders/{order}")
            button = seller.find_element(By.ID, "approve")
            clicked = time.time() * 1000
            button.click()
            WebDriverWait(operator, 10, poll_frequency=0.02).until(
                lambda d: d.execute_script("return window.seen[arguments[0]]", order))
            delays.append(operator.execute_script("return window.seen[arguments[0]]", order) - clicked)
        if not operator.execute_script("return window.notReloaded === true"):
            raise SystemExit("the operator's dashboard reloaded")
    finally:
        operator.quit()
        seller.quit()
    print(f"approved in one browser -> on the other's open dashboard ({LIVE_RUNS} orders): "
          f"p50 {statistics.median(delays):.0f} ms, max {max(delays):.0f} ms")


if __name__ == "__main__":
    main()
