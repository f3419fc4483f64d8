#!/usr/bin/env python3
"""The whole journey of an order through Atelier's web pages, in headless Chromium.

A customer uploads a model and orders it with a delivery address, a seller (who sees who ordered
and the price) approves it, the customer sees the promised delivery day, an operator (whose
dashboard is already open) sees it arrive without a reload, takes it, downloads its model,
completes, packs and ships it to the address shown, the carrier's message closes it and the
customer's open order page shows CLOSED by itself; the customer's e-mails of each step arrive at
the real SMTP server. Another customer signs up, builds a ring in the constructor, orders it, and
sets a new password with the e-mailed link. The journey runs in one language (ATELIER_LANG, `en`
or `ru`: the browsers ask for it, and in Russian the people also use the switch); every page is
checked for labelled fields and script errors, and a screenshot of each is saved, then again at a
phone's width (390 px), where no page may be wider than the screen.

Environment: ATELIER_URL (a running `atelier serve` with the demo data), ATELIER_CARRIER_SECRET,
ATELIER_SCREENSHOTS (a folder), ATELIER_MAILBOX (the folder the SMTP server writes messages to),
ATELIER_LANG, ATELIER_DEMO_PASSWORD (optional).
"""
import base64
import email
import email.policy
import json
import math
import os
import pathlib
import re
import struct
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ["ATELIER_URL"].rstrip("/")
SECRET = os.environ["ATELIER_CARRIER_SECRET"]
SHOTS = pathlib.Path(os.environ["ATELIER_SCREENSHOTS"])
PASSWORD = os.environ.get("ATELIER_DEMO_PASSWORD", "atelier-demo")
MAILBOX = pathlib.Path(os.environ["ATELIER_MAILBOX"])
LANG = os.environ.get("ATELIER_LANG", "en")
# What the pages and e-mails say in each language, where the journey reads them.
WORDS = {
    "en": {
        "phone": "phone number", "gold750": "Yellow gold 750", "shipped": "Shipped", "thanks": "Sign in with your e-mail",
        "range": "between 41 and 76", "platinum": "Platinum 950", "engraving": "Engraving", "cube": "1.728 cm³",
        "designed": "Designed in the constructor: Ring, EU size 58", "size_bad": "90", "size_good": "58",
        "reset_sent": "a link that sets a new password is on its way", "new_password_set": "Your new password is set",
        "subjects": ["We have your order", "costs", "is going into production", "is on its way", "has been delivered"],
        "welcome": "Confirm your e-mail address", "reset": "Set a new password", "months": r"[A-Z][a-z]+ \d{4}",
    },
    "ru": {
        "phone": "номер телефона", "gold750": "Жёлтое золото 750", "shipped": "Отправлен", "thanks": "Войдите, указав адрес",
        "range": "от 13 до 24", "platinum": "Платина 950", "engraving": "Гравировка", "cube": "1,728 см³",
        "designed": "Создано в конструкторе: кольцо, размер 18 (RU", "size_bad": "30", "size_good": "18",
        "reset_sent": "отправлена ссылка для нового пароля", "new_password_set": "Новый пароль задан",
        "subjects": ["принят", "стоит", "передан в производство", "в пути", "доставлен"],
        "welcome": "Подтвердите адрес электронной почты", "reset": "Новый пароль", "months": r"\d{4}\sг\.",
    },
}[LANG]
SHOTS.mkdir(parents=True, exist_ok=True)
shot_number = 0
checked_pages = []


def torus_stl(path, major=9.0, minor=1.3, segments=72, sides=18):
    """A ring as binary STL, in millimetres: what a customer's CAD program would export."""
    def point(i, j):
        u, v = 2 * math.pi * (i % segments) / segments, 2 * math.pi * (j % sides) / sides
        r = major + minor * math.cos(v)
        return (r * math.cos(u), r * math.sin(u), minor * math.sin(v))
    triangles = []
    for i in range(segments):
        for j in range(sides):
            a, b, c, d = point(i, j), point(i + 1, j), point(i + 1, j + 1), point(i, j + 1)
            triangles += [(a, b, c), (a, c, d)]
    with open(path, "wb") as out:
        out.write(b"journey ring".ljust(80, b" "))
        out.write(struct.pack("<I", len(triangles)))
        for triangle in triangles:
            out.write(struct.pack("<3f", 0, 0, 0))
            for corner in triangle:
                out.write(struct.pack("<3f", *corner))
            out.write(b"\0\0")


def browser(language=LANG):
    """A headless Chromium whose Accept-Language asks for `language`."""
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1100",
                     "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--ignore-gpu-blocklist",
        f"--lang={language}", f"--accept-lang={language}"]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.implicitly_wait(0)
    return driver


def wait(driver, condition, what, seconds=15):
    def asked(d):
        try:
            return condition(d)
        except WebDriverException as error:
            # Chromium's way of saying the element went with the page it was on, as a stale one.
            if "does not belong to the document" in str(error) or "No node with given id" in str(error):
                return False
            raise
    try:
        # A page being replaced by the next one is no failure; the condition is asked again.
        return WebDriverWait(driver, seconds, poll_frequency=0.05, ignored_exceptions=(
            NoSuchElementException, StaleElementReferenceException)).until(asked)
    except TimeoutException:
        shot(driver, "FAILED-" + what.replace(" ", "-")[:40])
        raise AssertionError(f"timed out waiting for {what} on {driver.current_url}")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


UNLABELLED = """
return Array.from(document.querySelectorAll('input, select, textarea')).filter(e => {
  if (e.type === 'hidden' || e.closest('[hidden]')) return false;
  if (e.getAttribute('aria-label')) return false;
  if (e.id && document.querySelector('label[for="' + e.id + '"]')) return false;
  return !e.closest('label');
}).map(e => e.outerHTML.slice(0, 120));
"""


def shot(driver, name):
    """A screenshot of the whole page; also checks that its fields have labels and no script failed,
    and that the page is in the journey's language."""
    global shot_number
    shot_number += 1
    picture = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    (SHOTS / f"{shot_number:02d}-{name}.png").write_bytes(base64.b64decode(picture["data"]))
    if name.startswith("FAILED"):
        return
    language = driver.execute_script("return document.documentElement.lang")
    check(language == LANG, f"{name}: the page is in {language}, not {LANG}")
    unlabelled = driver.execute_script(UNLABELLED)
    check(not unlabelled, f"{name}: fields without a label: {unlabelled}")
    # Refusals (4xx) the page shows are expected; script exceptions and server errors are not.
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
              and not re.search(r"status of 4\d\d", entry["message"])]
    check(not errors, f"{name}: script errors: {errors}")
    checked_pages.append(name)


def open_page(driver, path, name=None):
    driver.get(BASE + path)
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete", f"{path} to load")
    if name:
        shot(driver, name)


def sign_in(driver, email, password=PASSWORD):
    """Signs in with the keyboard: type, tab, type, enter."""
    open_page(driver, "/sign-in")
    driver.find_element(By.ID, "email").send_keys(email, Keys.TAB)
    driver.switch_to.active_element.send_keys(password, Keys.ENTER)
    wait(driver, lambda d: "/sign-in" not in d.current_url, f"{email} to be signed in")


def plain(value):
    """Text as a reader compares it: the no-break spaces of amounts (`1 234,56 €`) as spaces."""
    return (value or "").replace("\u00a0", " ").replace("\u202f", " ")


def text(driver, selector):
    return plain(driver.find_element(By.CSS_SELECTOR, selector).text)


def viewer_ready(driver, selector):
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector).get_attribute("data-state") == "ready",
         f"the 3D preview {selector}")
    triangles = int(driver.find_element(By.CSS_SELECTOR, selector).get_attribute("data-triangles"))
    check(triangles > 0, f"{selector} shows triangles")
    return triangles


def mails(to):
    """The messages the SMTP server took for `to`: (subject, plain text), oldest first."""
    found = []
    for path in sorted(MAILBOX.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if to in str(message["To"]):
            found.append((str(message["Subject"]), message.get_body(("plain",)).get_content()))
    return found


def wait_mail(to, condition, what, seconds=20):
    """The first message to `to` for which condition(subject, text) holds, waiting for it to arrive."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for subject, body in mails(to):
            if condition(subject, body):
                return subject, body
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {to}: {what}; the mailbox has {[subject for subject, _ in mails(to)]}")


def choose_language(driver):
    """The switch in the page's header, when the page is in another language (the customer's
    browser asks for English: in Russian, the customer chooses it, and it is kept on the account)."""
    if driver.execute_script("return document.documentElement.lang") != LANG:
        driver.find_element(By.ID, f"lang-{LANG}").click()
        wait(driver, lambda d: d.execute_script("return document.documentElement.lang") == LANG, "the switch to " + LANG)


def phone_pages(driver, pages):
    """The pages again at a phone's width: a screenshot of each, and nothing wider than the screen."""
    driver.set_window_size(390, 844)
    for path, name in pages:
        open_page(driver, path)
        wide = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(wide <= 1, f"{path} is {wide} px wider than a 390 px phone")
        shot(driver, name + "-phone")
    driver.set_window_size(1280, 1100)


def fill_delivery(driver, phone="8 (912) 345-67-89"):
    """The checkout's delivery fields, typed as a customer would."""
    for field, value in [("recipient", "Clara Customer"), ("phone", phone), ("street", "Tverskaya 7, flat 12"),
                         ("postalCode", "101000"), ("city", "Moscow")]:
        element = driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="atelier-journey-"))
    ring, broken, charm = work / "my-ring.stl", work / "broken.stl", work / "charm.obj"
    torus_stl(ring)
    # A 12 mm cube charm as OBJ, quads and all.
    charm.write_text("\n".join(["# charm"] + [f"v {x} {y} {z}" for x in (0, 12) for y in (0, 12) for z in (0, 12)] + [
        "f 1 2 4 3", "f 5 7 8 6", "f 1 5 6 2", "f 3 4 8 7", "f 1 3 7 5", "f 2 6 8 4"]) + "\n")
    broken.write_text("solid broken\n  facet normal 0 0 1\n    outer loop\n      vertex 0 0 0\n")
    # A 125 MB file (sparse: nothing is written) is past the 100 MB limit.
    huge = work / "huge.stl"
    with open(huge, "wb") as handle:
        handle.truncate(125 * 1024 * 1024)

    customer, seller, operator = browser("en"), browser(), browser()
    try:
        # ---- the customer: catalog, sign-in, design your own
        open_page(customer, "/")
        choose_language(customer)
        shot(customer, "shop-catalog")
        images = customer.find_elements(By.CSS_SELECTOR, ".catalog img")
        check(len(images) >= 3, "the catalog shows its pieces")
        wait(customer, lambda d: all(d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i) for i in images),
             "the catalog's pictures")
        customer.find_element(By.CSS_SELECTOR, ".catalog a").click()
        viewer_ready(customer, "figure[data-viewer]")
        shot(customer, "shop-piece")

        sign_in(customer, "customer@atelier.test")
        open_page(customer, "/orders", "shop-my-orders")
        open_page(customer, "/design")
        # A file past the limit is refused at once, with the limit, and never drawn or sent.
        customer.find_element(By.ID, "model").send_keys(str(huge))
        wait(customer, lambda d: d.find_element(By.ID, "design-error").is_displayed(), "the refusal of a 125 MB file")
        refusal = text(customer, "#design-error")
        check("125" in refusal and "100" in refusal, f"the refusal says the size and the limit: {refusal!r}")
        check(customer.find_element(By.ID, "upload-viewer").get_attribute("data-state") in (None, ""), "the refused file is not drawn")
        check(not customer.find_element(By.ID, "order-model").is_enabled(), "a file past the limit cannot be ordered")
        shot(customer, "shop-design-too-large")
        customer.find_element(By.ID, "model").send_keys(str(broken))
        wait(customer, lambda d: d.find_element(By.ID, "design-error").is_displayed(), "the refusal of a broken file")
        refusal = text(customer, "#design-error")
        check("triangle" in refusal.lower() or "stl" in refusal.lower(), f"the refusal gives the server's reason: {refusal!r}")
        check(not customer.find_element(By.ID, "order-model").is_enabled(), "a refused model cannot be ordered")
        shot(customer, "shop-design-refused")

        customer.find_element(By.ID, "model").send_keys(str(charm))
        check(viewer_ready(customer, "#upload-viewer") == 12, "the OBJ's six quads are twelve triangles in the preview")
        wait(customer, lambda d: d.find_element(By.ID, "estimate").get_attribute("data-total"), "the price of the OBJ")
        check(WORDS["cube"] in text(customer, "#estimate-facts"), f"the server measured the cube: {text(customer, '#estimate-facts')}")
        shot(customer, "shop-design-obj")

        customer.find_element(By.ID, "model").send_keys(str(ring))
        uploaded = viewer_ready(customer, "#upload-viewer")
        check(uploaded == 72 * 18 * 2, f"the preview shows every triangle of the file ({uploaded})")
        wait(customer, lambda d: d.find_element(By.ID, "estimate").get_attribute("data-total"), "the price of the model")
        check(not customer.find_element(By.ID, "design-error").is_displayed(), "the refusal is gone")
        Select(customer.find_element(By.ID, "material")).select_by_value("gold-750")
        wait(customer, lambda d: d.find_element(By.ID, "estimate").get_attribute("data-total")
             and WORDS["gold750"] in text(d, "#estimate-lines"), "the price in 18k gold")
        # The preview turns with the keyboard.
        canvas = customer.find_element(By.CSS_SELECTOR, "#upload-viewer canvas")
        frames = int(customer.find_element(By.ID, "upload-viewer").get_attribute("data-frames") or 0)
        canvas.send_keys(Keys.ARROW_LEFT, Keys.ARROW_UP, "+")
        wait(customer, lambda d: int(d.find_element(By.ID, "upload-viewer").get_attribute("data-frames") or 0) > frames,
             "the preview to turn with the arrow keys")
        shot(customer, "shop-design-priced")
        estimated = plain(customer.find_element(By.ID, "estimate").get_attribute("data-total"))

        customer.find_element(By.ID, "order-model").click()
        wait(customer, lambda d: "/orders/" in d.current_url, "the new order's page")
        order_url = customer.current_url
        order_id = order_url.rstrip("/").split("/")[-1]
        viewer_ready(customer, "figure[data-viewer]")
        check(customer.find_element(By.ID, "order-status").get_attribute("data-status") == "FILE_UPLOADED", "the order has its model")
        shot(customer, "shop-order-started")
        fill_delivery(customer, phone="12")
        customer.find_element(By.ID, "submit-order").click()
        wait(customer, lambda d: d.find_elements(By.ID, "page-error") and WORDS["phone"] in text(d, "#page-error"),
             "a phone number that is not one to be refused, with the reason")
        check(customer.find_element(By.ID, "street").get_attribute("value") == "Tverskaya 7, flat 12", "the checkout keeps what was typed")
        shot(customer, "shop-checkout-refused")
        fill_delivery(customer)
        customer.find_element(By.ID, "submit-order").click()
        wait(customer, lambda d: d.find_element(By.ID, "order-status").get_attribute("data-status") == "PRICE_CALCULATED",
             "the order to be priced (the page follows it by itself)")
        total = text(customer, "#quote-total")
        check(total == estimated, f"the order's price {total} is the estimate {estimated}")
        shot(customer, "shop-order-priced")
        # Can it be cast: the verdict under the quote, and the walls coloured on the model.
        check(customer.find_elements(By.ID, "casting"), "the page says whether the piece can be cast")
        viewer_ready(customer, "figure[data-viewer]")
        customer.find_element(By.ID, "show-thickness").click()
        wait(customer, lambda d: d.find_element(By.CSS_SELECTOR, "figure[data-viewer]").get_attribute("data-colouring") == "thickness",
             "the model coloured by its wall thickness")
        check(customer.find_element(By.ID, "thickness-legend").is_displayed(), "the legend names the alloy's wall")
        shot(customer, "shop-order-thickness")

        # ---- the operator's dashboard is open before the seller approves
        sign_in(operator, "operator@atelier.test")
        check(operator.current_url.endswith("/mes"), "an operator starts on the dashboard")
        choose_language(operator)
        wait(operator, lambda d: d.find_element(By.ID, "live-state").get_attribute("data-state") == "open", "the live connection")
        operator.execute_script("window.notReloaded = true")
        check(not operator.find_elements(By.CSS_SELECTOR, f'[data-order="{order_id}"]'), "the order is not on the dashboard yet")

        # ---- the seller
        sign_in(seller, "seller@atelier.test")
        choose_language(seller)
        shot(seller, "crm-orders")
        search = seller.find_element(By.ID, "q")
        search.send_keys(order_id[:8], Keys.ENTER)
        wait(seller, lambda d: "q=" in d.current_url and len(d.find_elements(By.CSS_SELECTOR, "#orders tbody tr[data-order]")) == 1,
             "the search to find the order")
        row = seller.find_element(By.CSS_SELECTOR, f'#orders tr[data-order="{order_id}"]')
        check("Clara Customer" in plain(row.find_element(By.CSS_SELECTOR, ".customer").text), "the seller's list says who ordered")
        check(plain(row.find_element(By.CSS_SELECTOR, ".price").text) == total, f"the seller's list shows the price {total}")
        seller.find_element(By.CSS_SELECTOR, f'a[href="/crm/orders/{order_id}"]').click()
        viewer_ready(seller, "figure[data-viewer]")
        check(text(seller, "#quote-total") == total, "the seller sees the quote")
        shot(seller, "crm-order")
        seller.find_element(By.ID, "note-body").send_keys("Customer asked for a mirror polish.")
        seller.find_element(By.ID, "add-note").click()
        wait(seller, lambda d: "mirror polish" in d.find_element(By.CSS_SELECTOR, ".notes").text, "the note")
        seller.find_element(By.ID, "approve").click()
        wait(seller, lambda d: d.find_element(By.ID, "order-status").get_attribute("data-status") == "MANUFACTURING_APPROVED", "approval")
        approved_at = time.monotonic()
        customer.get(order_url)
        wait(customer, lambda d: d.find_elements(By.ID, "promised"), "the promised delivery day on the customer's order")
        promised = text(customer, "#promised")
        check(re.search(WORDS["months"], promised), f"the promised day is written in the language: {promised!r}")

        # ---- the operator sees it arrive, takes it, and moves it on
        card = f'#live [data-order="{order_id}"]'
        wait(operator, lambda d: d.find_elements(By.CSS_SELECTOR, card), "the approved order to appear on the open dashboard", seconds=5)
        print(f"journey: the approved order appeared on the open dashboard after {time.monotonic() - approved_at:.2f} s")
        check(operator.execute_script("return window.notReloaded === true"), "the dashboard updated without a reload")
        shot(operator, "mes-dashboard")
        operator.find_element(By.CSS_SELECTOR, card + " button.take").click()
        wait(operator, lambda d: d.current_url.endswith("/mes/my"), "my work")
        shot(operator, "mes-my-work")
        link = operator.find_element(By.CSS_SELECTOR, f'a.download[href="/files/orders/{order_id}/model.stl"]')
        downloaded = operator.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0]).then(r => r.arrayBuffer().then(b => done([r.status, b.byteLength, new DataView(b).getUint32(80, true)])))",
            link.get_attribute("href"))
        check(downloaded[0] == 200 and downloaded[1] == 84 + 50 * downloaded[2] and downloaded[2] == uploaded,
              f"the operator downloads the model as binary STL with every triangle: {downloaded}")
        for step, then in [("complete", "package"), ("package", "ship")]:
            operator.find_element(By.CSS_SELECTOR, f'form[action="/mes/orders/{order_id}/{step}"] button').click()
            wait(operator, lambda d: d.find_elements(By.CSS_SELECTOR, f'form[action="/mes/orders/{order_id}/{then}"]'), f"the {step} step")
        tracking = f"TRK-{order_id[:8].upper()}"
        ship_to = text(operator, f"#ship-to-{order_id}")
        check("Tverskaya 7, flat 12" in ship_to and "+79123456789" in ship_to, f"the shipping step shows where the parcel goes: {ship_to}")
        operator.find_element(By.ID, f"label-{order_id}").click()
        wait(operator, lambda d: d.find_elements(By.ID, "label-to"), "the parcel's label")
        check("Tverskaya 7, flat 12" in text(operator, "#label-to"), "the label has the address")
        shot(operator, "mes-parcel-label")
        operator.back()
        wait(operator, lambda d: d.find_elements(By.ID, f"tracking-{order_id}"), "my work again")
        operator.find_element(By.ID, f"tracking-{order_id}").send_keys(tracking)
        shot(operator, "mes-ship")
        operator.find_element(By.CSS_SELECTOR, f'form[action="/mes/orders/{order_id}/ship"] button').click()
        wait(operator, lambda d: WORDS["shipped"] in d.find_element(By.ID, "flash").text, "shipping")
        open_page(operator, f"/mes/orders/{order_id}", "mes-order")

        # ---- the carrier delivers; the customer's open page follows
        customer.get(order_url)
        wait(customer, lambda d: d.find_element(By.ID, "order-status").get_attribute("data-status") == "SHIPPED", "the customer to see SHIPPED")
        check(text(customer, "#tracking") == tracking, "the customer sees the tracking number")
        request = urllib.request.Request(
            BASE + "/api/carrier/deliveries", data=json.dumps({"trackingNumber": tracking}).encode(), method="POST",
            headers={"Content-Type": "application/json", "X-Carrier-Secret": SECRET})
        with urllib.request.urlopen(request, timeout=10) as response:
            delivered = json.load(response)
        check(delivered["order"]["status"] == "CLOSED", f"the carrier's message closes the order: {delivered}")
        wait(customer, lambda d: d.find_element(By.ID, "order-status").get_attribute("data-status") == "CLOSED",
             "the customer's page to show CLOSED by itself")
        shot(customer, "shop-order-closed")
        short = order_id[:8]
        for subject in WORDS["subjects"]:
            wait_mail("customer@atelier.test", lambda s, b: short in s and subject in s, f"{subject!r} for order {short}")
        _, shipped_mail = wait_mail("customer@atelier.test", lambda s, b: short in s and WORDS["subjects"][3] in s, "shipped")
        check(tracking in shipped_mail, "the shipping e-mail has the tracking number")
        print(f"journey: the customer's five e-mails of order {short} arrived at the SMTP server ({LANG})")
        open_page(customer, "/orders", "shop-my-orders")

        # ---- the rest of the staff pages
        open_page(seller, f"/crm/orders/{order_id}", "crm-order-closed")
        open_page(seller, "/crm?status=CLOSED", "crm-orders-closed")
        open_page(seller, "/crm/customers", "crm-customers")
        open_page(seller, "/crm/partners", "crm-partners")
        open_page(seller, "/crm/stalled", "crm-stalled")
        open_page(operator, "/mes?status=CLOSED", "mes-dashboard-closed")
        open_page(seller, "/mes/my")
        check(seller.find_elements(By.ID, "problem-detail") and text(seller, "#problem-detail"), "a seller cannot use the operators' pages")
        shot(seller, "error-forbidden")

        # ---- another customer: sign up, the constructor
        other = customer
        other.delete_all_cookies()
        open_page(other, "/sign-up")
        bruno = f"bruno-{LANG}@atelier.test"
        choose_language(other)
        other.find_element(By.ID, "name").send_keys("Bruno Buyer")
        other.find_element(By.ID, "email").send_keys(bruno)
        other.find_element(By.ID, "password").send_keys("bruno-password")
        other.find_element(By.ID, "confirm").send_keys("bruno-password")
        shot(other, "shop-sign-up")
        other.find_element(By.ID, "sign-up").click()
        # Sign-up tells nobody whether an e-mail was taken, so it does not sign in by itself.
        wait(other, lambda d: d.find_elements(By.ID, "flash") and WORDS["thanks"] in d.find_element(By.ID, "flash").text,
             "the thank-you")
        wait_mail(bruno, lambda s, b: WORDS["welcome"] in s, "the link that confirms the address, in the language of the sign-up")
        sign_in(other, bruno, "bruno-password")
        open_page(other, "/constructor")
        viewer_ready(other, "#constructor-viewer")
        first = other.find_element(By.ID, "constructor-viewer").get_attribute("data-triangles")
        size = other.find_element(By.ID, "size")
        size.clear()
        size.send_keys(WORDS["size_bad"])
        wait(other, lambda d: d.find_element(By.ID, "design-error").is_displayed(), "an impossible size to be refused")
        check(WORDS["range"] in text(other, "#design-error"), f"the refusal names the range: {text(other, '#design-error')}")
        shot(other, "shop-constructor-refused")
        size.clear()
        size.send_keys(WORDS["size_good"])
        Select(other.find_element(By.ID, "profile")).select_by_value("court")
        Select(other.find_element(By.ID, "setting")).select_by_value("bezel")
        other.find_element(By.ID, "engraving").send_keys("B + L")
        Select(other.find_element(By.ID, "material")).select_by_value("platinum-950")
        wait(other, lambda d: not d.find_element(By.ID, "design-error").is_displayed()
             and d.find_element(By.ID, "estimate").get_attribute("data-total")
             and WORDS["platinum"] in text(d, "#estimate-lines") and WORDS["engraving"] in text(d, "#estimate-lines")
             and d.find_element(By.ID, "constructor-viewer").get_attribute("data-triangles") != first, "the ring with its bezel, priced")
        shot(other, "shop-constructor")
        other.find_element(By.ID, "order-design").click()
        wait(other, lambda d: "/orders/" in d.current_url, "the designed ring's order")
        viewer_ready(other, "figure[data-viewer]")
        check(WORDS["designed"] in other.page_source, "the order says what was designed")
        fill_delivery(other)
        other.find_element(By.ID, "submit-order").click()
        wait(other, lambda d: d.find_element(By.ID, "order-status").get_attribute("data-status") == "PRICE_CALCULATED", "the ring's price")
        shot(other, "shop-constructor-order")
        bruno_order = other.current_url
        phone_pages(other, [("/", "shop-catalog"), ("/orders", "shop-my-orders"), (bruno_order.replace(BASE, ""), "shop-order"),
                            ("/constructor", "shop-constructor"), ("/account", "shop-account")])
        phone_pages(seller, [("/crm", "crm-orders"), (f"/crm/orders/{order_id}", "crm-order")])
        phone_pages(operator, [("/mes", "mes-dashboard"), ("/mes/my", "mes-my-work")])

        # ---- a forgotten password: the e-mailed link sets a new one
        other.find_element(By.ID, "sign-out").click()
        open_page(other, "/sign-in")
        other.find_element(By.ID, "forgot-password").click()
        other.find_element(By.ID, "email").send_keys(bruno)
        shot(other, "shop-password-reset")
        other.find_element(By.ID, "send-reset").click()
        wait(other, lambda d: d.find_elements(By.ID, "flash") and WORDS["reset_sent"] in text(d, "#flash"), "the reset link to be sent")
        _, reset_mail = wait_mail(bruno, lambda s, b: WORDS["reset"] in s and "/password-reset/" in b, "the reset link")
        link = re.search(r"https?://\S+/password-reset/[A-Za-z0-9_-]+", reset_mail).group(0)
        other.get(link)
        other.find_element(By.ID, "password").send_keys("bruno-new-password")
        other.find_element(By.ID, "confirm").send_keys("bruno-new-password")
        shot(other, "shop-new-password")
        other.find_element(By.ID, "set-password").click()
        wait(other, lambda d: d.find_elements(By.ID, "flash") and WORDS["new_password_set"] in text(d, "#flash"), "the new password")
        sign_in(other, bruno, "bruno-new-password")
        other.get(link)
        wait(other, lambda d: d.find_elements(By.ID, "page-error"), "a used link to say it does not work")
        shot(other, "shop-reset-link-used")

        # ---- the admin
        admin = seller
        admin.delete_all_cookies()
        sign_in(admin, "admin@atelier.test")
        choose_language(admin)
        shot(admin, "admin-users")
        open_page(admin, "/admin/materials", "admin-materials")
        print(f"journey: passed in {LANG}; {len(checked_pages)} pages checked, screenshots in {SHOTS}")
    finally:
        for driver in (customer, seller, operator):
            driver.quit()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"journey: FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
