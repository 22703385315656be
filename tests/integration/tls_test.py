#!/usr/bin/python3
"""`sluice serve --tls-cert --tls-key`: HTTPS and WSS with real clients on 127.0.0.1 (Python's
ssl, http.client and python3-websockets), against a certificate made here with the openssl
command: the API (with the token, keep-alive), the console page, a `websocket` sink's rows and
the console feed over WSS, a plain-HTTP client refused without hurting the server, SIGTERM with
a WSS client connected (exit 0); refused starts: one flag without the other (2), an unreadable
certificate (1, naming it), a key that is not the certificate's (1).
Usage: tls_test.py PATH_TO_SLUICE"""

import asyncio
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_test  # noqa: E402 - the Serve helper and check() of the HTTP API's test
from server_test import SLUICE, Serve, check  # noqa: E402

DEADLINE = 20


def make_certificate(work, name):
    """A self-signed certificate for 127.0.0.1 and its key (EC P-256: quick to make)."""
    cert, key = os.path.join(work, f"{name}.crt"), os.path.join(work, f"{name}.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def refused_start(*args):
    """Runs `sluice serve` expected to refuse: (exit code, stderr)."""
    r = subprocess.run([SLUICE, "serve", *args, "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=DEADLINE)
    return r.returncode, r.stderr


async def websocket_checks(srv, token, context):
    base = f"wss://127.0.0.1:{srv.port}"
    async with websockets.connect(f"{base}/ws/live?token={token}", ssl=context) as live, \
            websockets.connect(f"{base}/ws/console?token={token}", ssl=context) as console:
        # The sink's channel knows the client once the upgrade is done: push until it gets rows.
        got = []
        end = time.monotonic() + DEADLINE
        n = 0
        while not got and time.monotonic() < end:
            n += 1
            srv.request("POST", "/api/v1/sources/t/rows", json.dumps({"n": n}) + "\n", token)
            try:
                got = json.loads(await asyncio.wait_for(live.recv(), 0.5))["rows"]
            except asyncio.TimeoutError:
                pass
        check("a websocket sink's rows over WSS", len(got) >= 1 and "n" in got[0], str(got))
        snapshot = json.loads(await asyncio.wait_for(console.recv(), DEADLINE))
        check("the console feed over WSS",
              [n["name"] for n in snapshot["graph"]["nodes"]] == ["t", "live"], str(snapshot)[:300])
        # Stop the server with both connected: the TLS close must not hang the drain.
        code = await asyncio.get_running_loop().run_in_executor(None, srv.stop)
        check("SIGTERM with WSS clients connected: exit 0", code == 0, srv.stderr()[-2000:])


def main():
    work = tempfile.mkdtemp(prefix="sluice_tls_test_")
    cert, key = make_certificate(work, "server")
    _, other_key = make_certificate(work, "other")
    token_path = os.path.join(work, "token")
    token = "tls-test-token"
    with open(token_path, "w") as f:
        f.write(token + "\n")
    pipeline = os.path.join(work, "p.sql")
    with open(pipeline, "w") as f:
        f.write("CREATE SOURCE t (n BIGINT);\n"
                "CREATE SINK live FROM t INTO websocket (path = '/ws/live');\n")

    code, err = refused_start("--token-file", token_path, "--tls-cert", cert)
    check("--tls-cert without --tls-key: exit 2", code == 2 and "go together" in err, err)
    missing = os.path.join(work, "missing.crt")
    code, err = refused_start("--token-file", token_path, "--tls-cert", missing, "--tls-key", key)
    check("an unreadable certificate: exit 1, named", code == 1 and missing in err, err)
    code, err = refused_start("--token-file", token_path, "--tls-cert", cert, "--tls-key", other_key)
    check("a key that is not the certificate's: exit 1, named",
          code == 1 and other_key in err and "mismatch" in err, err)

    context = ssl.create_default_context(cafile=cert)  # verifies the chain and 127.0.0.1
    srv = Serve(work, pipeline, "--token-file", token_path, "--tls-cert", cert, "--tls-key", key,
                tls=context)
    try:
        check("it says https", f"listening on https://127.0.0.1:{srv.port}" in srv.stderr())
        status, body, _ = srv.request("GET", "/health")
        check("GET /health over HTTPS", status == 200 and json.loads(body)["status"] == "ok", body)
        status, body, _ = srv.sql("SHOW SINKS", None)
        check("no token over HTTPS: 401", status == 401, body)
        conn = srv.connection()  # keep-alive: two requests, one TLS connection
        answers = []
        for statement in ["SHOW SINKS", "SHOW SOURCES"]:
            conn.request("POST", "/api/v1/sql", json.dumps({"sql": statement}),
                         {"Authorization": f"Bearer {token}"})
            r = conn.getresponse()
            answers.append((r.status, json.loads(r.read())))
        conn.close()
        check("SQL over one kept-alive HTTPS connection",
              [a[0] for a in answers] == [200, 200] and answers[0][1]["rows"][0]["name"] == "live"
              and answers[1][1]["rows"][0]["name"] == "t", str(answers))
        status, body, r = srv.request("GET", "/")
        check("the console page over HTTPS", status == 200 and "console.js" in body)

        # A plain-HTTP client: no HTTP answer (the TLS handshake fails), and only it is closed.
        with socket.create_connection(("127.0.0.1", srv.port), timeout=DEADLINE) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            try:
                while chunk := s.recv(4096):
                    answer += chunk
            except ConnectionResetError:
                pass
        check("plain HTTP on the TLS port gets no HTTP answer", not answer.startswith(b"HTTP/"),
              repr(answer[:100]))
        # A client that does not trust the certificate refuses the server.
        try:
            untrusting = ssl.create_default_context()
            with socket.create_connection(("127.0.0.1", srv.port), timeout=DEADLINE) as raw:
                with untrusting.wrap_socket(raw, server_hostname="127.0.0.1"):
                    verified = True
        except ssl.SSLCertVerificationError:
            verified = False
        check("an unknown certificate is refused by a verifying client", not verified)
        status, _, _ = srv.request("GET", "/health")
        check("the server keeps serving HTTPS", status == 200)

        asyncio.run(asyncio.wait_for(websocket_checks(srv, token, context), 60))
    finally:
        if srv.proc.poll() is None:
            srv.stop()

    print(f"{server_test.checks - server_test.failures}/{server_test.checks} checks passed")
    if server_test.failures:
        print(f"(work dir kept: {work})")
        sys.exit(1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
