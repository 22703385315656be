#!/usr/bin/python3
"""The console page of `sluice serve` (GET /) in a real browser: Debian's headless Chromium,
driven over the DevTools protocol (a WebSocket, with python3-websockets), all on 127.0.0.1.
The page's files are served without a token (they hold no data) and the live feed /ws/console
refuses a client without one; in the browser the page draws the pipeline's nodes and edges,
a sink's row counter increases (and its rows/s is shown), a statement run from the SQL box
creates a stream that then appears in the graph, a SELECT shows rows, a bad one its error with
line and column, and a wrong token brings back the login form; over HTTPS (--tls-cert) the
page's live feed comes over WSS. A screenshot is saved as SCREENSHOT_DIR/console.png. Usage: console_test.py PATH_TO_SLUICE SCREENSHOT_DIR"""

import asyncio
import base64
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_test  # noqa: E402 - the Serve helper and check() of the HTTP API's test
from server_test import Serve, check  # noqa: E402
from tls_test import make_certificate  # noqa: E402

SCREENSHOTS = os.path.abspath(sys.argv[2])
DEADLINE = 30  # seconds for any one wait in the browser (it shares 2 cores with the build)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Browser:
    """A headless Chromium child with a profile of its own; its DevTools endpoint on a free
    port of 127.0.0.1 (read from the profile's DevToolsActivePort file)."""

    def __init__(self, work):
        profile = os.path.join(work, "chromium-profile")
        self.log = open(os.path.join(work, "chromium.log"), "w")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--ignore-certificate-errors",  # the HTTPS part's certificate is made by the test
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"],
            stdout=self.log, stderr=self.log)
        port_file = os.path.join(profile, "DevToolsActivePort")
        end = time.monotonic() + 60
        self.port = None
        while time.monotonic() < end and self.proc.poll() is None:
            if os.path.exists(port_file):
                lines = open(port_file).read().split()
                if lines:
                    self.port = int(lines[0])
                    break
            time.sleep(0.1)
        if self.port is None:
            self.close()
            raise RuntimeError("chromium did not start (see chromium.log)")

    def page_socket(self):
        end = time.monotonic() + 30
        while time.monotonic() < end:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10) as r:
                pages = [t for t in json.load(r) if t["type"] == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            time.sleep(0.1)
        raise RuntimeError("chromium has no page")

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Page:
    """The DevTools protocol over one page's WebSocket: commands by id, events ignored."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    async def call(self, method, **params):
        self.next_id += 1
        mine = self.next_id
        await self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), DEADLINE))
            if message.get("id") == mine:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    async def eval(self, expression):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                                 awaitPromise=True)
        if "exceptionDetails" in result:  # (a page still loading, an element missing): a falsy value
            return None
        return result["result"].get("value")

    async def wait_for(self, expression, what):
        """Polls `expression` until it is truthy; returns its value, or None after DEADLINE."""
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            value = await self.eval(expression)
            if value:
                return value
            await asyncio.sleep(0.1)
        print(f"     (timed out waiting for {what})")
        return None


NODES = """JSON.stringify([...document.querySelectorAll('#graph g.node')]
                   .map(g => [g.dataset.node, g.dataset.kind]))"""
EDGES = """JSON.stringify([...document.querySelectorAll('#graph path.edge')]
                   .map(e => [e.dataset.from, e.dataset.to]))"""


def sink_cell(name, cls):
    return f"""(document.querySelector('#sinks tr[data-sink="{name}"] .{cls}') || {{}}).textContent"""


async def drive(url, srv, token):
    browser_url = url
    page = None
    async with websockets.connect(BROWSER.page_socket(), max_size=64 << 20) as ws:
        page = Page(ws)
        await page.call("Page.enable")
        await page.call("Page.navigate", url=browser_url)

        # The graph: the pipeline's nodes, each with its kind, and its arrows.
        want = {("ticks", "source"), ("positive", "stream"), ("out", "sink")}
        nodes = await page.wait_for(
            f"(() => {{ const n = {NODES}; return n.includes('out') ? n : ''; }})()", "the graph")
        got = {tuple(n) for n in json.loads(nodes or "[]")}
        check("the graph shows the pipeline's nodes", want <= got, str(got))
        edges = {tuple(e) for e in json.loads(await page.eval(EDGES) or "[]")}
        check("the graph's arrows: ticks -> positive -> out",
              {("ticks", "positive"), ("positive", "out")} <= edges, str(edges))

        # The sink's counter, live over /ws/console: it increases.
        first = await page.wait_for(f"Number({sink_cell('out', 'rows')}) > 0 && {sink_cell('out', 'rows')}",
                                    "the sink's first rows")
        first = int(first or 0)
        later = await page.wait_for(
            f"Number({sink_cell('out', 'rows')}) > {first} && {sink_cell('out', 'rows')}",
            "the sink's counter to increase")
        check("a sink's row counter increases", first > 0 and int(later or 0) > first,
              f"{first} then {later}")
        rate = await page.wait_for(f"Number({sink_cell('out', 'rate')}) > 0 && {sink_cell('out', 'rate')}",
                                   "rows/s")
        check("the sink's rows/s is shown", rate is not None and float(rate) > 0, str(rate))
        check("the feed says it is live",
              await page.eval("document.getElementById('connection').dataset.state") == "open")

        # The SQL box: a statement, then the same stream seen by the API and in the graph.
        async def run_sql(sql):
            await page.eval("document.getElementById('sql-result').replaceChildren(), "
                            "delete document.getElementById('sql-result').dataset.status")
            await page.eval(f"document.getElementById('sql-input').value = {json.dumps(sql)}")
            await page.eval("document.getElementById('sql-run').click()")
            return await page.wait_for("document.getElementById('sql-result').dataset.status",
                                       f"the answer to {sql}")

        status = await run_sql("CREATE STREAM doubled AS SELECT id, v * 2 AS v2 FROM ticks")
        message = await page.eval("(document.querySelector('#sql-result .message') || {}).textContent")
        check("the SQL box runs a statement", status == "200" and message == "CREATE STREAM doubled",
              f"{status} {message}")
        code, body, _ = srv.sql("SHOW STREAMS", token)
        check("the statement reached the database",
              code == 200 and "doubled" in [r["name"] for r in json.loads(body)["rows"]], body)
        shown = await page.wait_for(
            f"(() => {{ const n = {NODES}; return n.includes('doubled') ? n : ''; }})()",
            "the new stream in the graph")
        check("the new stream appears in the graph", shown is not None and
              ["doubled", "stream"] in json.loads(shown), str(shown))

        status = await run_sql("SHOW SINKS")
        cells = await page.eval("JSON.stringify([...document.querySelectorAll('#sql-result td')]"
                                ".map(td => td.textContent))")
        check("a query's rows shown as a table", status == "200" and "out" in json.loads(cells or "[]"),
              str(cells))
        status = await run_sql("CREATE STREAM bad AS SELECT id,\n  nope FROM ticks")
        error = await page.eval("(document.querySelector('#sql-result .sql-error') || {}).textContent")
        check("an error with its code, line and column",
              status == "400" and error and error.startswith("SLC-") and "line 2, column 3" in error,
              f"{status} {error}")

        # Wait for a snapshot after the SQL so the screenshot shows the live page.
        await page.wait_for(f"Number({sink_cell('out', 'rows')}) > {int(later or 0)}", "another snapshot")
        shot = await page.call("Page.captureScreenshot", format="png")
        png = base64.b64decode(shot["data"])
        os.makedirs(SCREENSHOTS, exist_ok=True)
        path = os.path.join(SCREENSHOTS, "console.png")
        with open(path, "wb") as f:
            f.write(png)
        check(f"screenshot saved ({path})", png.startswith(b"\x89PNG") and len(png) > 10000,
              f"{len(png)} bytes")

        # A wrong token: the login form, not the console.
        await page.call("Page.navigate", url="about:blank")
        await page.call("Page.navigate", url=browser_url.split("#")[0] + "#token=wrong")
        login = await page.wait_for("!document.getElementById('login').hidden", "the login form")
        check("a wrong token brings the login form back", login is True)


async def drive_tls(url):
    async with websockets.connect(BROWSER.page_socket(), max_size=64 << 20) as ws:
        page = Page(ws)
        await page.call("Page.navigate", url="about:blank")
        await page.call("Page.navigate", url=url)
        nodes = await page.wait_for(
            f"(() => {{ const n = {NODES}; return n.includes('out') ? n : ''; }})()", "the graph")
        check("over HTTPS: the graph", nodes is not None and ["out", "sink"] in json.loads(nodes))
        live = await page.wait_for(
            "document.getElementById('connection').dataset.state === 'open' && "
            f"Number({sink_cell('out', 'rows')}) > 0", "the feed over WSS")
        check("over HTTPS: the live feed comes over WSS", live is True)


def upgrade_status(port, path):
    """The HTTP status a WebSocket upgrade of `path` gets (raw socket: no library retries)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = s.recv(4096).decode(errors="replace")
    return int(head.split()[1]) if head.startswith("HTTP/1.1") else 0


BROWSER = None


def main():
    global BROWSER
    work = tempfile.mkdtemp(prefix="sluice_console_test_")
    pipeline = os.path.join(work, "p.sql")
    with open(pipeline, "w") as f:
        f.write("CREATE SOURCE ticks (id BIGINT, v BIGINT) WITH (connector = 'datagen', rate = '500');\n"
                "CREATE STREAM positive AS SELECT id, v FROM ticks WHERE v > 0;\n"
                "CREATE SINK out FROM positive INTO blackhole;\n")
    token_path = os.path.join(work, "token")
    with open(token_path, "w") as f:
        f.write("console-test-token\n")
    srv = Serve(work, pipeline, "--token-file", token_path)
    token = "console-test-token"
    try:
        status, body, r = srv.request("GET", "/")
        check("GET / without a token: the page", status == 200 and
              r.getheader("Content-Type").startswith("text/html") and "/console/console.js" in body,
              f"{status} {body[:200]}")
        for name, kind in [("console.js", "text/javascript"), ("console.css", "text/css")]:
            status, body, r = srv.request("GET", f"/console/{name}")
            check(f"GET /console/{name}", status == 200 and r.getheader("Content-Type").startswith(kind))
        status, _, _ = srv.request("GET", "/console/nothing.js")
        check("an unknown console file needs the token like any unknown path", status == 401)
        check("/ws/console without a token: 401", upgrade_status(srv.port, "/ws/console") == 401)
        check("/ws/console with a wrong token: 401",
              upgrade_status(srv.port, "/ws/console?token=wrong") == 401)
        code, body, _ = srv.sql("CREATE SINK s FROM ticks INTO websocket (path = '/ws/console')", token)
        check("a websocket sink cannot take /ws/console", code == 400 and "/ws/console" in body, body)

        BROWSER = Browser(work)
        try:
            asyncio.run(asyncio.wait_for(
                drive(f"http://127.0.0.1:{srv.port}/#token={token}", srv, token), 150))
        except asyncio.TimeoutError:
            check("the browser's checks end within 150 s", False)
        check("the server keeps serving", srv.request("GET", "/health")[0] == 200)
        code = srv.stop()
        check("SIGTERM: exit 0", code == 0, srv.stderr()[-2000:])

        # The same page over HTTPS: its feed then comes over WSS.
        cert, key = make_certificate(work, "server")
        srv = Serve(work, pipeline, "--token-file", token_path, "--tls-cert", cert, "--tls-key", key,
                    tls=ssl.create_default_context(cafile=cert))
        try:
            asyncio.run(asyncio.wait_for(drive_tls(f"https://127.0.0.1:{srv.port}/#token={token}"), 60))
        except asyncio.TimeoutError:
            check("the HTTPS checks end within 60 s", False)
    finally:
        if BROWSER is not None:
            BROWSER.close()
        if srv.proc.poll() is None:
            srv.stop()

    print(f"{server_test.checks - server_test.failures}/{server_test.checks} checks passed")
    if server_test.failures:
        print(f"(work dir kept: {work})")
        sys.exit(1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
