"""Hostile clients against a live Atelier, while a normal customer orders and a monitor watches
/health/live. Python's standard library only.

Attacks, all at once: models made to be slow (three vertices shared by 32,000 faces, a polygon
line of 2 million corners), a 64 MB body in chunks, huge numbers in a price and an auto-approval
limit, webhook endpoints at every private range, and a flood of wrong sign-ins. Passes when
nothing answered 5xx, the process is alive, every attack was refused with a 4xx, the normal
customer's order went through, and /health/live stayed fast. Prints the latencies it measured.
"""
import http.client
import json
import os
import socket
import sys
import threading
import time

PORT = int(os.environ["ATELIER_PORT"])
PARTNER_PORT = int(os.environ["ATELIER_PARTNER_PORT"])
PARTNER_KEY = os.environ["PARTNER_KEY"]
PASSWORD = os.environ.get("ATELIER_DEMO_PASSWORD", "atelier-demo")
HEALTH_P99_LIMIT = float(os.environ.get("HEALTH_P99_LIMIT_SECONDS", "0.5"))

failures = []
five_hundreds = []
lock = threading.Lock()


def fail(message):
    with lock:
        failures.append(message)


def request(method, path, body=None, headers=None, port=PORT, timeout=60):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        if response.status >= 500 and response.status != 503:
            with lock:
                five_hundreds.append(f"{method} {path}: {response.status} {data[:200]!r}")
        return response.status, dict(response.getheaders()), data
    finally:
        connection.close()


def json_request(method, path, payload, token=None, port=PORT):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    status, headers, data = request(method, path, json.dumps(payload).encode(), headers, port=port)
    try:
        return status, json.loads(data or b"{}")
    except ValueError:
        return status, {}


def sign_in(email):
    status, body = json_request("POST", "/api/auth/sign-in", {"email": email, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"sign-in of {email}: {status} {body}")
    return body["token"]


def fan_obj(faces):
    return b"v 0 0 0\nv 10 0 0\nv 0 10 0\n" + b"f 1 2 3\nf 1 3 2\n" * (faces // 2)


def long_polygon(corners):
    return b"v 0 0 0\nv 10 0 0\nv 0 10 0\nf" + b" 1 2 3" * (corners // 3) + b"\n"


def cube_stl():
    return (
        b"solid c\n"
        + b"".join(
            b"facet normal 0 0 0\nouter loop\n" + b"".join(b"vertex %d %d %d\n" % v for v in tri) + b"endloop\nendfacet\n"
            for tri in CUBE
        )
        + b"endsolid c\n"
    )


V = [(0, 0, 0), (10, 0, 0), (10, 10, 0), (0, 10, 0), (0, 0, 10), (10, 0, 10), (10, 10, 10), (0, 10, 10)]
CUBE = [
    tuple(V[i] for i in f)
    for f in [(0, 2, 1), (0, 3, 2), (4, 5, 6), (4, 6, 7), (0, 1, 5), (0, 5, 4), (1, 2, 6), (1, 6, 5), (2, 3, 7), (2, 7, 6), (3, 0, 4), (3, 4, 7)]
]


def expect_refused(what, status):
    if not 400 <= status < 500:
        fail(f"{what}: answered {status}, not a 4xx")


# ---- the attacks ----------------------------------------------------------------------------

def slow_models(token):
    status, order = json_request("POST", "/api/shop/orders", {"material": "gold-585"}, token)
    for name, model in [("fan.obj", fan_obj(32_000)), ("long.obj", long_polygon(2_000_000)), ("fan2.obj", fan_obj(32_000))]:
        status, _, _ = request(
            "PUT", f"/api/shop/orders/{order['id']}/model?filename={name}", model, {"Authorization": f"Bearer {token}"})
        expect_refused(f"the model {name}", status)


def chunked_body():
    with socket.create_connection(("127.0.0.1", PORT), timeout=30) as s:
        s.sendall(b"POST /api/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
        sent = 0
        try:
            for _ in range(1024):  # 64 MB
                s.sendall(chunk)
                sent += 1
        except OSError:
            pass
        answer = s.recv(100).decode(errors="replace")
        status = int(answer.split(" ")[1]) if answer.startswith("HTTP/") else 0
        expect_refused(f"a chunked body (cut after {sent} chunks of 64 KiB)", status)


def huge_numbers(admin):
    status, _ = json_request(
        "PUT", "/api/admin/materials/gold-585",
        {"name": "Gold 585", "densityGPerCM3": 13.0, "pricePerGramMinor": 9_000_000_000_000_000_000, "castingLossPercent": 5.0},
        admin)
    expect_refused("a price of 9e18 minor units", status)
    status, _ = json_request("PUT", "/api/admin/materials/gold-585", {"name": "Gold 585", "densityGPerCM3": 1e300,
                             "pricePerGramMinor": 1, "castingLossPercent": 5.0}, admin)
    expect_refused("a density of 1e300", status)


def private_webhooks():
    hosts = ["127.0.0.1", "[::1]", "0.0.0.0", "169.254.169.254", "10.0.0.1", "192.168.0.1", "172.16.0.1", "100.64.0.1",
             "2130706433", "[fd00::1]", "[::ffff:127.0.0.1]", "metadata.google.internal", "localhost"]
    for host in hosts:
        status, _ = json_request("POST", "/v1/webhook-endpoints", {"url": f"https://{host}/hook"}, PARTNER_KEY, port=PARTNER_PORT)
        expect_refused(f"a webhook to {host}", status)


def sign_in_flood():
    statuses = []

    def one():
        status, _ = json_request("POST", "/api/auth/sign-in", {"email": "admin@atelier.test", "password": "wrong wrong"})
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one) for _ in range(48)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for status in statuses:
        expect_refused("a wrong sign-in", status)
    if 429 not in statuses:
        fail(f"48 wrong sign-ins were never throttled: {sorted(set(statuses))}")


# ---- what must keep working --------------------------------------------------------------------

def monitor(stop, latencies):
    while not stop.is_set():
        started = time.monotonic()
        try:
            status, _, _ = request("GET", "/health/live", timeout=10)
            if status != 200:
                fail(f"/health/live answered {status}")
        except OSError as error:
            fail(f"/health/live: {error}")
        latencies.append(time.monotonic() - started)
        time.sleep(0.05)


def normal_customer(token, timings):
    started = time.monotonic()
    status, order = json_request("POST", "/api/shop/orders", {"material": "gold-585"}, token)
    if status != 201:
        fail(f"the normal order: {status} {order}")
        return
    status, _, body = request("PUT", f"/api/shop/orders/{order['id']}/model?filename=cube.stl", cube_stl(),
                              {"Authorization": f"Bearer {token}"})
    if status != 200:
        fail(f"the normal model upload: {status} {body[:200]!r}")
    delivery = {"recipient": "Normal Customer", "phone": "+7 912 345-67-89", "postalCode": "101000", "city": "Moscow",
                "street": "Tverskaya 7, flat 12"}
    status, _ = json_request("POST", f"/api/shop/orders/{order['id']}/submit", {"delivery": delivery}, token)
    if status not in (200, 201):
        fail(f"the normal submit: {status}")
    timings.append(time.monotonic() - started)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def main():
    customer = sign_in("customer@atelier.test")
    # The attacker has an account of its own, as a real one would.
    json_request("POST", "/api/auth/sign-up", {"email": "mallory@example.com", "name": "Mallory", "password": "violet-anvil-42"})
    status, body = json_request("POST", "/api/auth/sign-in", {"email": "mallory@example.com", "password": "violet-anvil-42"})
    attacker = body["token"]
    admin = sign_in("admin@atelier.test")
    stop = threading.Event()
    latencies, timings = [], []
    watcher = threading.Thread(target=monitor, args=(stop, latencies))
    watcher.start()
    time.sleep(0.5)
    attacks = [threading.Thread(target=f, args=a) for f, a in [
        (slow_models, (attacker,)), (slow_models, (attacker,)), (slow_models, (attacker,)), (chunked_body, ()), (huge_numbers, (admin,)),
        (private_webhooks, ()), (sign_in_flood, ()),
    ]]
    for attack in attacks:
        attack.start()
    time.sleep(0.5)
    for _ in range(5):
        normal_customer(customer, timings)
    for attack in attacks:
        attack.join(timeout=120)
        if attack.is_alive():
            fail("an attack did not end within 2 minutes")
    time.sleep(0.5)
    stop.set()
    watcher.join()
    p50, p99, worst = percentile(latencies, 50), percentile(latencies, 99), max(latencies)
    print(f"hostile: /health/live under attack: {len(latencies)} probes, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"max {worst * 1000:.1f} ms")
    print(f"hostile: a normal customer's order (create, upload, submit) under attack: "
          f"{', '.join(f'{t * 1000:.0f} ms' for t in timings)}")
    if p99 > HEALTH_P99_LIMIT:
        fail(f"/health/live p99 {p99:.3f} s is past {HEALTH_P99_LIMIT} s")
    for line in five_hundreds:
        fail(f"a 5xx: {line}")
    if failures:
        for line in failures:
            print("hostile: FAILED:", line)
        print(f"0 passed, {len(failures)} failed")
        return 1
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
