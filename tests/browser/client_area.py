#!/usr/bin/python3
"""The client area in a real browser (Debian's chromium, driven by chromedriver through
python3-selenium): an installation seeded through the CLI, `provisio serve` on a free loopback
port, then what a client does — log in, read the dashboard and an invoice, reset a forgotten
password with the mailed code, see a VoIP service's usage chart and how a call was priced, log
out. Screenshots of each page go to OUTPUT_DIR.

Usage: client_area.py PROVISIO OUTPUT_DIR
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:
    raise SystemExit("python3-selenium is missing: run scripts/setup (it installs chromium, chromium-driver and python3-selenium)")
for needed in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
    if not os.access(needed, os.X_OK):
        raise SystemExit(f"{needed} is missing: run scripts/setup (it installs chromium, chromium-driver and python3-selenium)")

provisio, output = sys.argv[1], sys.argv[2]
shutil.rmtree(output, ignore_errors=True)  # this run's screenshots only
os.makedirs(output)
home = tempfile.mkdtemp(prefix="provisio-browser-")
os.chmod(home, 0o700)
config = os.path.join(home, "provisio.toml")


def cli(*args, stdin=None):
    r = subprocess.run([provisio, "--config", config, *args], input=stdin, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise SystemExit(f"provisio {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


cli("init")
cli("client", "add", "--first-name", "Ada <b>Lovelace</b>", "--last-name", "King", "--email", "ada@example.org")
cli("client", "password", "set", "1", stdin="correct horse battery\n")
cli("product", "add", "--name", "Hosted PBX", "--price", "24.50")
cli("service", "add", "--client", "1", "--product", "Hosted PBX", "--domain", "pbx.example.org", "--next-due", "2026-06-01")
cli("service", "create", "1")
cli("--now", "2026-05-28T12:00:00Z", "invoice", "generate")
contract = os.path.join(home, "contract.pdf")
with open(contract, "wb") as f:
    f.write(b"%PDF-1.4 provisio browser test\n")
cli("client", "file", "add", "1", contract, "--title", "Signed contract")
# A metered VoIP service with two days of calls: the usage page's table, chart and a call's pricing.
rates = os.path.join(home, "rates.csv")
with open(rates, "w") as f:
    f.write("Description,Prefix,RateValue,Increment\nNANP,1,0.012,6\n")
cli("tariff", "import", "Wholesale", rates)
cli("product", "add", "--name", "Metered", "--price", "10")
cli("package", "set", "Metered", "--tariff", "Wholesale")
cli("service", "add", "--client", "1", "--product", "Metered", "--domain", "voice.example.org | 5192229000", "--next-due", "2026-06-01")
cli("service", "create", "2")
cdrs = os.path.join(home, "cdrs.csv")
with open(cdrs, "w") as f:
    f.write("xml_cdr_uuid,direction,caller_id_number,destination_number,start_stamp,answer_stamp,end_stamp,billsec\n")
    for i in range(40):
        day, minute = ("2026-05-10", i) if i < 25 else ("2026-05-12", i - 25)
        f.write(f"call-{i},outbound,2112,5192225555,{day} 10:{minute:02d}:00,{day} 10:{minute:02d}:00,{day} 10:{minute:02d}:{20 + i % 30},{20 + i % 30}\n")
cli("cdr", "import", "--service", "2", cdrs)
downloads = os.path.join(home, "downloads")
os.makedirs(downloads)

port = free_port()
base = f"http://127.0.0.1:{port}"
server = subprocess.Popen([provisio, "--config", config, "serve", "--listen", f"127.0.0.1:{port}"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
driver = None
shots = 0
try:
    for _ in range(100):  # up within 10 s
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        raise SystemExit("provisio serve did not answer /healthz within 10 s")

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(20)

    def shot(name):
        global shots
        shots += 1
        driver.save_screenshot(os.path.join(output, f"{shots:02d}-{name}.png"))

    def expect(condition, what):
        """Waits up to 10 s for `condition` (a function): a click returns before the next page is in."""
        deadline = time.monotonic() + 10
        while True:
            try:
                if condition():
                    return
            except Exception:  # the page changed under the lookup: look again
                pass
            if time.monotonic() > deadline:
                shot("failure")
                raise SystemExit(f"FAILED: {what} (at {driver.current_url})\n{driver.page_source[:3000]}")
            time.sleep(0.1)

    def log_in(password):
        driver.get(base + "/login")
        driver.find_element(By.NAME, "email").send_keys("ada@example.org")
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()

    driver.get(base + "/")
    expect(lambda: driver.current_url.endswith("/login"), "a signed-out visitor is sent to the login page")
    shot("login")

    log_in("wrong password")
    expect(lambda: "Wrong e-mail address or password." in driver.page_source, "a wrong password is said so")
    log_in("correct horse battery")
    expect(lambda: driver.current_url == base + "/", "logging in opens the dashboard")
    expect(lambda: driver.find_element(By.ID, "due").text == "24.50", "the dashboard shows the unpaid total")
    expect(lambda: "Ada <b>Lovelace</b>" in driver.find_element(By.TAG_NAME, "h1").text, "markup in a name is shown as text")
    expect(lambda: not driver.find_elements(By.CSS_SELECTOR, "h1 b"), "markup in a name is not rendered")
    shot("dashboard")

    driver.find_element(By.LINK_TEXT, "#1").click()
    expect(lambda: driver.find_element(By.ID, "balance").text == "24.50", "the invoice shows its balance due")
    shot("invoice")
    driver.find_element(By.LINK_TEXT, "Services").click()
    expect(lambda: "pbx.example.org" in driver.page_source, "the services page lists the service")
    shot("services")

    driver.find_element(By.LINK_TEXT, "Hosted PBX — pbx.example.org").click()
    driver.find_element(By.TAG_NAME, "summary").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=when][value=immediate]").click()
    driver.find_element(By.NAME, "reason").send_keys("Moving to a bigger plan")
    shot("cancellation-form")
    driver.find_element(By.CSS_SELECTOR, "form[action='/services/1/cancel'] button").click()
    expect(lambda: "Cancellation requested on" in driver.find_element(By.ID, "cancellation").text, "the cancellation request is shown")
    expect(lambda: "immediate" in cli("cancellation", "list"), "the operator sees the request")
    shot("cancellation-requested")

    driver.find_element(By.LINK_TEXT, "Files").click()
    driver.find_element(By.LINK_TEXT, "Signed contract").click()
    saved = os.path.join(downloads, "contract.pdf")
    expect(lambda: os.path.exists(saved) and open(saved, "rb").read() == b"%PDF-1.4 provisio browser test\n", "the file downloads whole")
    shot("files")

    # Calls and usage: the per-day table drawn as a chart (Chart.js from libjs-chart.js), then one call's pricing.
    driver.get(base + "/services/2")
    driver.find_element(By.ID, "usage-link").click()
    driver.find_element(By.NAME, "from").clear()
    driver.execute_script("document.querySelector('input[name=from]').value = '2026-05-01';"
                          "document.querySelector('input[name=to]').value = '2026-06-01';")
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    expect(lambda: "from=2026-05-01" in driver.current_url, "the filter form asks for May")
    expect(lambda: driver.find_element(By.ID, "total-calls").text == "40", "the per-day table counts every call")
    expect(lambda: driver.execute_script("return document.documentElement.dataset.usageChart") == "drawn", "the chart is drawn")
    expect(lambda: driver.find_element(By.ID, "usage-chart").size["height"] > 100, "the chart has room")
    shot("usage")
    driver.find_element(By.LINK_TEXT, "How priced").click()
    expect(lambda: "prefix 1 in the tariff Wholesale" in driver.find_element(By.ID, "explanation").text, "a call's pricing is explained")
    shot("call-explained")

    driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
    expect(lambda: driver.current_url.endswith("/login"), "logging out returns to the login page")
    driver.get(base + "/")
    expect(lambda: driver.current_url.endswith("/login"), "after logging out the dashboard needs a login again")

    # A forgotten password: the code arrives by mail (read from the outbox as the operator would).
    driver.find_element(By.LINK_TEXT, "Forgot your password?").click()
    driver.find_element(By.NAME, "email").send_keys("ada@example.org")
    driver.find_element(By.CSS_SELECTOR, "form[action='/password/forgot'] button").click()
    expect(lambda: "a code is on its way" in driver.page_source, "the code is promised")
    shot("reset-code-sent")
    mail = json.loads(cli("--json", "mail", "outbox", "--all"))[-1]
    code = re.search(r"two hours: (\S+)", mail["body"]).group(1)
    driver.find_element(By.NAME, "code").send_keys(code)
    driver.find_element(By.NAME, "password").send_keys("a brand new secret")
    driver.find_element(By.NAME, "again").send_keys("a brand new secret")
    driver.find_element(By.CSS_SELECTOR, "form[action='/password/reset'] button").click()
    expect(lambda: "Your new password is set" in driver.page_source, "the new password is confirmed")
    shot("reset-done")
    log_in("a brand new secret")
    expect(lambda: driver.current_url == base + "/", "the new password logs in")
    driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
    expect(lambda: driver.current_url.endswith("/login"), "logging out again returns to the login page")
    shot("logged-out")
    print(f"ok: {shots} screenshots in {output}")
finally:
    if driver:
        driver.quit()
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    shutil.rmtree(home, ignore_errors=True)
