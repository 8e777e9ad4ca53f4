#!/usr/bin/env python3
"""HTTP/1.1 interop with real peers (Python 3 standard library only).

Run by scripts/interop from the repository root, after it has installed the
peers and built the http-codec examples:

    interop_http.py curl  SERVE ECHO WORKDIR
        curl (and raw sockets) against our server: the `serve` example (files)
        and the `echo` example (echoes request bodies).
    interop_http.py nginx GET FETCH_MANY SERVE WORKDIR
        our client (the `get` and `fetch_many` examples) against nginx, with
        curl's view of the same responses as the reference; nghttp and wrk as
        sanity checks.

Everything listens on 127.0.0.1 only, on ports picked free at start. Every
server is started here and stopped by PID (its process group). Each case
prints what it compared; the run ends with `http_<check>: N/M cases passed`
and exits 1 on any unexpected failure.

Cases listed in KNOWN_BUGS exercise bugs of ours that are reported but not
fixed yet: they still run, and a failure is printed as KNOWN BUG without
failing the check (APPLAYER_INTEROP_STRICT=1 makes them fail it); once one
passes, it is printed as FIXED so that it can be taken off the list.
"""

import gzip
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HOST = "127.0.0.1"
MIB = 1 << 20

# case name -> the bug it shows (see the report in the check's output).
KNOWN_BUGS: dict[str, str] = {}
STRICT = os.environ.get("APPLAYER_INTEROP_STRICT") == "1"


# --- helpers -----------------------------------------------------------------

def sha(data):
    return hashlib.sha256(data).hexdigest()


def short(data, n=200):
    text = data if isinstance(data, str) else data.decode("latin-1")
    return text if len(text) <= n else text[:n] + f"... ({len(text)} chars)"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# The servers running, by PID, also listed in PIDS_FILE (when set) for the
# caller's trap: each leads its own process group.
RUNNING = []
PIDS_FILE = None


def write_pids():
    if PIDS_FILE:
        PIDS_FILE.write_text("".join(f"{p.pid}\n" for p in RUNNING))


def start(cmd, log):
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    RUNNING.append(proc)
    write_pids()
    return proc


def stop(proc, sig=signal.SIGTERM):
    if proc and proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
    if proc in RUNNING:
        RUNNING.remove(proc)
        write_pids()


def on_signal(signum, _frame):
    # Unwind through the `finally` blocks that stop the servers.
    raise SystemExit(f"interrupted by signal {signum}")


def wait_listening(port, proc, what, log_path):
    for _ in range(100):
        if proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode}; see {log_path}:\n"
                     f"{Path(log_path).read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} does not listen on {HOST}:{port}; see {log_path}")


def run(cmd, timeout=60):
    r = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")


def parse_header_blocks(text):
    """curl -D output (or any series of heads): a list of (status, {name: [values]})."""
    blocks = []
    for block in re.split(r"\r?\n\r?\n", text):
        lines = [l for l in re.split(r"\r?\n", block) if l]
        if not lines or not lines[0].startswith("HTTP/"):
            continue
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        blocks.append((status, headers))
    return blocks


def hget(headers, name):
    v = headers.get(name.lower())
    return v[0] if v else None


class Incomplete(Exception):
    pass


def parse_response(buf, method, closed):
    """One HTTP/1.x response from the front of buf: (status, headers, body, rest).
    Interim (1xx) responses are returned like any other. Raises Incomplete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        raise Incomplete
    lines = buf[:end].decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        raise ValueError(f"not a status line: {lines[0]!r}")
    status = int(m.group(1))
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    rest = buf[end + 4:]
    if method == "HEAD" or status < 200 or status in (204, 304):
        return status, headers, b"", rest
    te = ",".join(headers.get("transfer-encoding", [])).lower()
    if "chunked" in te:
        body = b""
        pos = 0
        while True:
            eol = rest.find(b"\r\n", pos)
            if eol < 0:
                raise Incomplete
            size = int(rest[pos:eol].split(b";")[0], 16)
            pos = eol + 2
            if size == 0:
                trailer_end = rest.find(b"\r\n\r\n", pos - 2)
                if trailer_end < 0:
                    raise Incomplete
                return status, headers, body, rest[trailer_end + 4:]
            if len(rest) < pos + size + 2:
                raise Incomplete
            body += rest[pos:pos + size]
            pos += size + 2
    cl = hget(headers, "content-length")
    if cl is not None:
        n = int(cl)
        if len(rest) < n:
            raise Incomplete
        return status, headers, rest[:n], rest[n:]
    if not closed:
        raise Incomplete
    return status, headers, rest, b""


def raw_exchange(port, data, methods, timeout=5.0):
    """Sends data on a new connection and reads len(methods) final responses (1xx
    ones are skipped), then whether the server closed the connection (waiting up to
    1 s once the responses are in). Returns (responses, closed, leftover bytes)."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    s.sendall(data)
    buf = b""
    closed = False
    responses = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            # Parse what we have.
            while len(responses) < len(methods):
                try:
                    status, headers, body, buf = parse_response(buf, methods[len(responses)], closed)
                except Incomplete:
                    break
                if status >= 200:
                    responses.append((status, headers, body))
            if closed:
                break
            if len(responses) == len(methods):
                s.settimeout(1.0)
            else:
                s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                continue
            if not chunk:
                closed = True
                continue
            buf += chunk
    finally:
        s.close()
    return responses, closed, buf


class Cases:
    """Runs named cases; a case returns a list of problems (empty: it passed)."""

    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = []
        self.known = []
        self.fixed = []

    def run(self, name, fn):
        try:
            problems = fn()
        except Exception as e:  # a crash in a case is that case's failure
            problems = [f"{type(e).__name__}: {e}"]
        what = ""
        if isinstance(problems, tuple):
            what, problems = problems
        bug = KNOWN_BUGS.get(name)
        if not problems:
            self.passed += 1
            if bug:
                self.fixed.append(name)
                print(f"  FIXED {name}: {what} (passes now: take it off KNOWN_BUGS once it"
                      " passes every run)")
            else:
                print(f"  ok    {name}: {what}")
        elif bug and not STRICT:
            self.known.append(name)
            print(f"  KNOWN BUG {name}: {bug}")
            for p in problems:
                print(f"        {p}")
        else:
            self.failed.append(name)
            print(f"  FAIL  {name}: {what}")
            for p in problems:
                print(f"        {p}")

    def finish(self):
        total = self.passed + len(self.failed) + len(self.known)
        print(f"{self.label}: {self.passed}/{total} cases passed", end="")
        if self.known:
            print(f", {len(self.known)} known bug(s) still failing: {'; '.join(self.known)}", end="")
        print()
        for name in self.failed:
            print(f"{self.label}: FAILED {name}")
        for name in self.fixed:
            print(f"{self.label}: {name} passes now: remove it from KNOWN_BUGS in {__file__}")
        return not self.failed


def eq(problems, what, got, want):
    if got != want:
        problems.append(f"{what}: got {short(str(got))}, want {short(str(want))}")


# --- curl against our server ---------------------------------------------------

def curl_check(serve_bin, echo_bin, work):
    if work.exists():
        shutil.rmtree(work)
    www = work / "www"
    out = work / "out"
    (www / "sub").mkdir(parents=True)
    out.mkdir()
    index = b"<!doctype html><title>applayer</title><p>hello from applayer interop</p>\n"
    big = os.urandom(MIB)
    secret = b"SECRET-" + os.urandom(8).hex().encode() + b"\n"
    (www / "index.html").write_bytes(index)
    (www / "1m.bin").write_bytes(big)
    (www / "sub" / "a.txt").write_bytes(b"in sub\n")
    (work / "secret.txt").write_bytes(secret)
    os.symlink("../secret.txt", www / "escape.txt")
    upload = work / "upload.bin"
    upload.write_bytes(big)
    small = os.urandom(65536 + 123)
    small_file = work / "small.bin"
    small_file.write_bytes(small)

    sp, ep = free_port(), free_port()
    S, E = f"http://{HOST}:{sp}", f"http://{HOST}:{ep}"
    log_path = work / "servers.log"
    log = open(log_path, "w")
    serve = echo = None
    cases = Cases("http_curl")
    try:
        serve = start([serve_bin, str(www), f"{HOST}:{sp}"], log)
        echo = start([echo_bin, f"{HOST}:{ep}"], log)
        wait_listening(sp, serve, "serve", log_path)
        wait_listening(ep, echo, "echo", log_path)
        counter = iter(range(1, 10**6))

        def curl(*args):
            """One curl run: (rc, [(status, headers)] per transfer, [body] per transfer, stderr).
            Every transfer (split by --next) gets its own -D/-o files."""
            groups = [[]]
            for a in args:
                if a == "--next":
                    groups.append([])
                else:
                    groups[-1].append(a)
            cmd = ["curl", "-sS", "-v", "--max-time", "60"]
            files = []
            for i, g in enumerate(groups):
                n = next(counter)
                h, b = out / f"{n}.headers", out / f"{n}.body"
                files.append((h, b))
                if i:
                    cmd.append("--next")
                cmd += ["-D", str(h), "-o", str(b)] + g
            rc, _, err = run(cmd, timeout=120)
            heads, bodies = [], []
            for h, b in files:
                blocks = parse_header_blocks(h.read_text("latin-1")) if h.exists() else []
                heads.append(blocks[-1] if blocks else (None, {}))
                bodies.append(b.read_bytes() if b.exists() else b"")
            return rc, heads, bodies, err

        def get_file(path, data):
            def case():
                p = []
                rc, heads, bodies, err = curl(S + path)
                eq(p, "curl exit", rc, 0)
                eq(p, "status", heads[0][0], 200)
                eq(p, "body sha256", sha(bodies[0]), sha(data))
                eq(p, "content-length", hget(heads[0][1], "content-length"), str(len(data)))
                return f"{len(data)} bytes, sha256 equal to the file", p
            return case

        cases.run("GET /index.html", get_file("/index.html", index))
        cases.run("GET /1m.bin", get_file("/1m.bin", big))

        def head_case():
            p = []
            rc, heads, bodies, err = curl("-I", S + "/1m.bin")
            eq(p, "curl exit", rc, 0)
            eq(p, "status", heads[0][0], 200)
            eq(p, "content-length", hget(heads[0][1], "content-length"), str(MIB))
            # Over a raw socket: nothing may follow the head.
            rs, closed, left = raw_exchange(
                sp, b"HEAD /1m.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", ["HEAD"])
            eq(p, "raw HEAD responses", len(rs), 1)
            eq(p, "raw HEAD bytes after the head", left, b"")
            if rs:
                eq(p, "raw HEAD content-length", hget(rs[0][1], "content-length"), str(MIB))
            return "content-length 1048576, no body (curl -I and a raw socket)", p
        cases.run("HEAD /1m.bin", head_case)

        def echo_post(name, extra, framing, expect_continue):
            def case():
                p = []
                rc, heads, bodies, err = curl(
                    "--data-binary", f"@{upload}", "-H", "Content-Type: application/octet-stream",
                    *extra, E + "/upload?x=1")
                st, h = heads[0]
                eq(p, "curl exit", rc, 0)
                eq(p, "status", st, 200)
                eq(p, "x-method", hget(h, "x-method"), "POST")
                eq(p, "x-target", hget(h, "x-target"), "/upload?x=1")
                eq(p, "x-framing (how the server saw the body)", hget(h, "x-framing"), framing)
                eq(p, "x-body-length", hget(h, "x-body-length"), str(MIB))
                eq(p, "echoed body sha256", sha(bodies[0]), sha(big))
                eq(p, "x-expect-continue", hget(h, "x-expect-continue"),
                   "yes" if expect_continue else "no")
                got_100 = "< HTTP/1.1 100 Continue" in err
                eq(p, "100 Continue received (curl -v)", got_100, expect_continue)
                if framing == "chunked":
                    eq(p, "curl sent chunked", "> Transfer-Encoding: chunked" in err, True)
                return (f"to echo: body echoed byte-exact, server saw framing {framing}"
                        + (", 100 Continue seen" if expect_continue else "")), p
            return case

        cases.run("POST Content-Length 1 MiB",
                  echo_post("Content-Length", ["-H", "Expect:"], f"length {MIB}", False))
        cases.run("POST chunked 1 MiB",
                  echo_post("chunked", ["-H", "Transfer-Encoding: chunked", "-H", "Expect:"],
                            "chunked", False))
        cases.run("POST Expect: 100-continue 1 MiB",
                  echo_post("Expect: 100-continue", ["-H", "Expect: 100-continue"],
                            f"length {MIB}", True))
        cases.run("POST chunked + Expect: 100-continue",
                  echo_post("chunked, Expect: 100-continue",
                            ["-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue"],
                            "chunked", True))

        def reuse(err, n, p):
            eq(p, "'Re-using existing connection' count", err.count("Re-using existing connection"), n - 1)
            eq(p, "'left intact' count", err.count("left intact"), n)
            eq(p, "connections opened", len(re.findall(r"\* Connected to", err)), 1)

        def next_serve():
            p = []
            rc, heads, bodies, err = curl(
                S + "/index.html", "--next", S + "/1m.bin", "--next", S + "/nope",
                "--next", S + "/sub/a.txt", "--next", S + "/index.html")
            eq(p, "curl exit", rc, 0)
            eq(p, "statuses", [h[0] for h in heads], [200, 200, 404, 200, 200])
            eq(p, "bodies sha256", [sha(b) for b in (bodies[0], bodies[1], bodies[3], bodies[4])],
               [sha(index), sha(big), sha(b"in sub\n"), sha(index)])
            reuse(err, 5, p)
            return "5 GETs with --next on serve: one connection (4 re-used), bodies byte-exact", p
        cases.run("keep-alive: 5 requests, one connection (curl --next)", next_serve)

        def next_echo():
            p = []
            rc, heads, bodies, err = curl(
                "--data-binary", f"@{small_file}", "-H", "Expect:", E + "/a", "--next",
                "--data-binary", f"@{small_file}", "-H", "Transfer-Encoding: chunked", "-H", "Expect:",
                E + "/b", "--next", E + "/c", "--next",
                "--data-binary", f"@{small_file}", "-H", "Expect: 100-continue", E + "/d")
            eq(p, "curl exit", rc, 0)
            eq(p, "statuses", [h[0] for h in heads], [200, 200, 200, 200])
            eq(p, "x-target", [hget(h[1], "x-target") for h in heads], ["/a", "/b", "/c", "/d"])
            eq(p, "x-framing", [hget(h[1], "x-framing") for h in heads],
               [f"length {len(small)}", "chunked", "none", f"length {len(small)}"])
            eq(p, "bodies sha256", [sha(b) for b in bodies], [sha(small), sha(small), sha(b""), sha(small)])
            reuse(err, 4, p)
            return "POST CL, POST chunked, GET, POST+100-continue on echo over one connection", p
        cases.run("keep-alive: request bodies between requests (curl --next)", next_echo)

        def head_then_get():
            p = []
            rc, heads, bodies, err = curl("-I", S + "/index.html", "--next", S + "/index.html")
            eq(p, "curl exit", rc, 0)
            eq(p, "statuses", [h[0] for h in heads], [200, 200])
            eq(p, "GET body", bodies[1], index)
            if "seems to be dead" in err:
                p.append("curl: 'Connection 0 seems to be dead' after the HEAD response "
                         "(the server closed a keep-alive connection without `connection: close`)")
            reuse(err, 2, p)
            return "HEAD then GET: one connection", p
        cases.run("HEAD then GET on one connection (curl --next)", head_then_get)

        def http10():
            p = []
            rc, heads, bodies, err = curl("--http1.0", S + "/index.html")
            eq(p, "curl exit", rc, 0)
            eq(p, "status", heads[0][0], 200)
            eq(p, "body", bodies[0], index)
            eq(p, "curl saw the connection closed", "Closing connection" in err and "left intact" not in err, True)
            rs, closed, left = raw_exchange(sp, b"GET /index.html HTTP/1.0\r\n\r\n", ["GET"])
            eq(p, "raw responses", len(rs), 1)
            eq(p, "raw: server closed after the response", closed, True)
            if rs:
                eq(p, "raw body", rs[0][2], index)
            return "HTTP/1.0 GET: 200, body exact, connection closed after (curl --http1.0, raw)", p
        cases.run("HTTP/1.0", http10)

        def http10_keepalive():
            p = []
            req = b"GET /index.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
            rs, closed, left = raw_exchange(sp, req + req, ["GET", "GET"])
            eq(p, "responses", len(rs), 2)
            eq(p, "connection header", [hget(r[1], "connection") for r in rs], ["keep-alive", "keep-alive"])
            eq(p, "bodies", [r[2] for r in rs], [index, index])
            eq(p, "closed after the second", closed, False)
            return "HTTP/1.0 with Connection: keep-alive: 2 requests on one connection", p
        cases.run("HTTP/1.0 keep-alive", http10_keepalive)

        def not_found():
            p = []
            rc, heads, bodies, err = curl(S + "/no/such/file.html")
            eq(p, "status", heads[0][0], 404)
            return "GET of a missing file: 404", p
        cases.run("404", not_found)

        def method_405():
            p = []
            rc, heads, bodies, err = curl("-X", "DELETE", S + "/index.html", "--next",
                                          "--data-binary", f"@{small_file}", "-H", "Expect:", S + "/index.html",
                                          "--next", S + "/index.html")
            eq(p, "curl exit", rc, 0)
            eq(p, "statuses", [h[0] for h in heads], [405, 405, 200])
            eq(p, "allow", [hget(h[1], "allow") for h in heads[:2]], ["GET, HEAD", "GET, HEAD"])
            eq(p, "GET after the 405s", bodies[2], index)
            return "DELETE and POST (body unread) -> 405 with Allow, then a GET still answered", p
        cases.run("405", method_405)

        def ims():
            p = []
            rc, heads, _, _ = curl("-I", S + "/index.html")
            lm = hget(heads[0][1], "last-modified")
            if not lm:
                return [f"no Last-Modified in {heads}"]
            rc, heads, bodies, err = curl(
                "-H", f"If-Modified-Since: {lm}", S + "/index.html", "--next",
                "-H", "If-Modified-Since: Mon, 01 Jan 1990 00:00:00 GMT", S + "/index.html")
            eq(p, "statuses", [h[0] for h in heads], [304, 200])
            eq(p, "304 body", bodies[0], b"")
            eq(p, "200 body", bodies[1], index)
            reuse(err, 2, p)
            return f"If-Modified-Since: {lm} -> 304 (no body); an older date -> 200", p
        cases.run("If-Modified-Since -> 304", ims)

        for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/..%2fsecret.txt",
                     "/%2e%2e%2fsecret.txt", "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt",
                     "/..%5csecret.txt", "/./../secret.txt", "/escape.txt", "/sub/..%2f..%2fsecret.txt"]:
            def traversal(path=path):
                p = []
                rc, heads, bodies, err = curl("--path-as-is", S + path)
                eq(p, "status", heads[0][0], 404)
                if secret.strip() in bodies[0]:
                    p.append("the body holds the secret file from outside the root!")
                return f"{heads[0][0]}, nothing from outside the root", p
            cases.run(f"path traversal {path}", traversal)

        malformed = [
            ("space in a header name", b"GET /index.html HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n"),
            ("control character in a header name", b"GET /index.html HTTP/1.1\r\nHost: x\r\nBad\x01: v\r\n\r\n"),
            ("whitespace before the colon", b"GET /index.html HTTP/1.1\r\nHost : x\r\n\r\n"),
            ("Content-Length with Transfer-Encoding (smuggling)",
             b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
             b"0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
            ("obs-fold", b"GET /index.html HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"),
            ("two different Content-Lengths",
             b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            ("non-numeric Content-Length", b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n"),
            ("bad chunk size", b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
            ("Transfer-Encoding not ending in chunked",
             b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"),
            ("bare LF line endings", b"GET /index.html HTTP/1.1\nHost: x\n\n"),
        ]
        for name, req in malformed:
            for port, which in ((ep, "echo"), (sp, "serve")):
                def bad(req=req, port=port, which=which):
                    p = []
                    rs, closed, left = raw_exchange(port, req, ["GET"])
                    eq(p, "statuses", [r[0] for r in rs], [400])
                    eq(p, "closed after the 400", closed, True)
                    eq(p, "bytes after the 400 (a smuggled response?)", left, b"")
                    return "400 then close, nothing after", p
                cases.run(f"raw: {name} -> 400 ({which})", bad)

        host_cases = [
            ("raw: HTTP/1.1 request without Host -> 400", b"GET /index.html HTTP/1.1\r\n\r\n"),
            ("raw: HTTP/1.1 request with two Host fields -> 400",
             b"GET /index.html HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            ("raw: invalid Host value -> 400", b"GET /index.html HTTP/1.1\r\nHost: a b\r\n\r\n"),
        ]
        for name, req in host_cases:
            def bad_host(req=req):
                p = []
                rs, closed, left = raw_exchange(sp, req, ["GET"])
                eq(p, "statuses", [r[0] for r in rs], [400])
                eq(p, "closed", closed, True)
                return "400 then close", p
            cases.run(name, bad_host)

        def pipelined(methods):
            def case():
                p = []
                req = b"".join(f"{m} /index.html HTTP/1.1\r\nHost: x\r\n\r\n".encode() for m in methods)
                rs, closed, left = raw_exchange(sp, req, methods)
                eq(p, "statuses", [r[0] for r in rs], [200] * len(methods))
                eq(p, "bodies", [r[2] for r in rs], [b"" if m == "HEAD" else index for m in methods])
                eq(p, "connection still open", closed, False)
                return f"{', '.join(methods)} sent at once: answered in order, connection kept", p
            return case
        cases.run("raw: pipelined GET, GET, GET", pipelined(["GET", "GET", "GET"]))
        cases.run("raw: pipelined GET, HEAD, GET", pipelined(["GET", "HEAD", "GET"]))

        def trailers():
            p = []
            req = (b"POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Check: 1\r\n\r\n")
            rs, closed, left = raw_exchange(ep, req, ["POST"])
            eq(p, "statuses", [r[0] for r in rs], [200])
            if rs:
                eq(p, "body", rs[0][2], b"hello world")
                eq(p, "x-trailers", hget(rs[0][1], "x-trailers"), "x-check")
            eq(p, "connection still open", closed, False)
            return "chunked request with an extension and a trailer: body and trailer name seen", p
        cases.run("raw: chunked request with trailers", trailers)
    finally:
        stop(serve)
        stop(echo)
        log.close()
    return cases.finish()


# --- our client against nginx -------------------------------------------------

NGINX_CONF = """worker_processes 1;
daemon off;
{user}
pid {w}/nginx.pid;
error_log {w}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
  log_format interop '$connection $connection_requests $request_method $request_uri $status $body_bytes_sent';
  access_log {w}/logs/access.log interop;
  client_body_temp_path {w}/tmp/body; proxy_temp_path {w}/tmp/proxy;
  fastcgi_temp_path {w}/tmp/fcgi; uwsgi_temp_path {w}/tmp/uwsgi; scgi_temp_path {w}/tmp/scgi;
  types {{ text/html html; text/plain txt; application/octet-stream bin; }}
  default_type application/octet-stream;
  keepalive_requests 1000;
  keepalive_timeout 30s;
  server {{
    listen 127.0.0.1:{port};
    root {w}/www;
    # sub_filter makes the length unknown: the response goes out chunked.
    location /sub/ {{
      sub_filter_types text/plain;
      sub_filter 'applayer' 'APPLAYER-REPLACED';
      sub_filter_once off;
      add_trailer X-Interop-Trailer "done";
    }}
    location /gz/ {{
      gzip on;
      gzip_types text/plain;
      gzip_min_length 0;
    }}
  }}
  server {{
    listen 127.0.0.1:{h2port} http2;
    root {w}/www;
  }}
}}
"""


def parse_fetch_many(text):
    """fetch_many's output: a list of dicts (method, target, status, headers, length, file,
    trailers, reusable)."""
    out = []
    for line in text.splitlines():
        key, _, rest = line.partition(" ")
        if key == "request":
            _, method, target = rest.split(" ", 2)
            out.append({"method": method, "target": target, "headers": {}, "trailers": {}})
        elif key == "status":
            out[-1]["status"] = int(rest.split()[0])
        elif key in ("header", "trailer"):
            name, _, value = rest.partition(":")
            out[-1][key + "s"].setdefault(name.strip().lower(), []).append(value.strip())
        elif key == "body":
            parts = rest.split(" ", 1)
            out[-1]["length"] = int(parts[0])
            out[-1]["file"] = parts[1] if len(parts) > 1 else None
        elif key == "reusable":
            out[-1]["reusable"] = rest == "yes"
    return out


def nginx_check(get_bin, fetch_bin, serve_bin, work):
    if work.exists():
        shutil.rmtree(work)
    www = work / "www"
    out = work / "out"
    for d in (www / "sub", www / "gz", work / "logs", work / "tmp", out):
        d.mkdir(parents=True)
    for d in (work, www, www / "sub", www / "gz"):
        d.chmod(0o755)
    index = b"<!doctype html><title>nginx</title><p>hello from nginx, applayer interop</p>\n"
    big = os.urandom(MIB)
    text = b"".join(b"line %06d: applayer interop text, applayer again %s\n" % (i, os.urandom(6).hex().encode())
                    for i in range(6000))
    (www / "index.html").write_bytes(index)
    (www / "1m.bin").write_bytes(big)
    (www / "sub" / "text.txt").write_bytes(text)
    (www / "gz" / "text.txt").write_bytes(text)
    post_body = work / "post.bin"
    post_body.write_bytes(os.urandom(65536))
    substituted = text.replace(b"applayer", b"APPLAYER-REPLACED")
    for f in www.rglob("*"):
        f.chmod(0o755 if f.is_dir() else 0o644)

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port, h2port, sport = free_port(), free_port(), free_port()
    N = f"http://{HOST}:{port}"
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(w=work, port=port, h2port=h2port,
                                      user="user root root;" if os.geteuid() == 0 else ""))
    log_path = work / "servers.log"
    access_log = work / "logs" / "access.log"
    log = open(log_path, "w")
    ngx = serve = None
    cases = Cases("http_nginx")
    try:
        rc, o, e = run([nginx, "-t", "-q", "-p", str(work), "-e", str(work / "logs" / "error.log"),
                        "-c", str(conf)])
        if rc != 0:
            sys.exit(f"nginx -t failed:\n{o.decode()}{e}")
        ngx = start([nginx, "-p", str(work), "-e", str(work / "logs" / "error.log"), "-c", str(conf)], log)
        wait_listening(port, ngx, "nginx", log_path)
        wait_listening(h2port, ngx, "nginx (h2c)", log_path)
        serve = start([serve_bin, str(www), f"{HOST}:{sport}"], log)
        wait_listening(sport, serve, "serve", log_path)

        def curl_body(path, *extra):
            rc, body, err = run(["curl", "-sS", "-v", "--max-time", "60", *extra, N + path])
            if rc != 0:
                raise RuntimeError(f"curl {path}: exit {rc}: {err[-500:]}")
            return body, err

        # The reference: what curl makes of nginx's responses.
        ref = {}
        for path, extra in [("/index.html", []), ("/1m.bin", []), ("/sub/text.txt", []),
                            ("/gz/text.txt", ["-H", "Accept-Encoding: gzip"])]:
            ref[path] = curl_body(path, *extra)

        def peer_chunked():
            p = []
            for path, want in [("/sub/text.txt", substituted), ("/gz/text.txt", None)]:
                body, err = ref[path]
                eq(p, f"curl: {path} Transfer-Encoding", bool(re.search(r"< Transfer-Encoding: chunked", err, re.I)), True)
                raw, _ = curl_body(path, "--raw", *(["-H", "Accept-Encoding: gzip"] if want is None else []))
                eq(p, f"curl --raw differs from decoded (chunk framing present) for {path}", raw != body, True)
                if want is not None:
                    eq(p, f"curl: {path} body is the substituted text", sha(body), sha(want))
                else:
                    eq(p, f"curl: gunzip({path})", sha(gzip.decompress(body)), sha(text))
            return "nginx answers /sub/ and /gz/ chunked (curl -v, curl --raw)", p
        cases.run("peer: nginx sends chunked responses", peer_chunked)

        # Last-Modified from a separate HEAD by our client.
        rc, o, e = run([fetch_bin, f"{HOST}:{port}", "-X", "HEAD", "/index.html"])
        first = parse_fetch_many(o.decode())
        lm = first[0]["headers"].get("last-modified", [None])[0] if first and rc == 0 else None

        def head_single():
            p = []
            eq(p, "fetch_many exit", (rc, e.strip()), (0, ""))
            if first:
                eq(p, "status", first[0].get("status"), 200)
                eq(p, "content-length", first[0]["headers"].get("content-length"), [str(len(index))])
                eq(p, "body length", first[0].get("length"), 0)
            eq(p, "last-modified present", lm is not None, True)
            return f"200, content-length {len(index)}, no body, Last-Modified {lm}", p
        cases.run("client: HEAD /index.html", head_single)

        plan = [
            ("GET", "/index.html", [], None),
            ("GET", "/1m.bin", [], None),
            ("HEAD", "/1m.bin", [], None),
            ("GET", "/sub/text.txt", [], None),
            ("GET", "/gz/text.txt", ["Accept-Encoding: gzip"], None),
            ("GET", "/index.html", [f"If-Modified-Since: {lm}"], None),
            ("GET", "/nope.html", [], None),
            ("POST", "/index.html", [], post_body),
            ("GET", "/index.html", [], None),
            ("HEAD", "/sub/text.txt", [], None),
            ("GET", "/1m.bin", ["Connection: close"], None),
        ]
        args = ["--out", str(out / "many"), f"{HOST}:{port}"]
        for method, target, headers, body in plan:
            if method != "GET":
                args += ["-X", method]
            for h in headers:
                args += ["-H", h]
            if body:
                args += ["--data-file", str(body)]
            args.append(target)
        lines_before = len(access_log.read_text().splitlines()) if access_log.exists() else 0
        rc, o, e = run([fetch_bin, *args])
        results = parse_fetch_many(o.decode())
        (out / "fetch_many.out").write_bytes(o)

        def bodies_of(i):
            f = results[i].get("file") if i < len(results) else None
            return Path(f).read_bytes() if f else None

        def one_connection():
            p = []
            eq(p, "fetch_many exit", (rc, e.strip()), (0, ""))
            eq(p, "responses", len(results), len(plan))
            eq(p, "reusable after each", [r.get("reusable") for r in results],
               [True] * (len(plan) - 1) + [False])
            # nginx's own view: one connection, its requests numbered 1..N.
            lines = []
            for _ in range(50):
                lines = access_log.read_text().splitlines()[lines_before:]
                if len(lines) >= len(plan):
                    break
                time.sleep(0.1)
            logged = [l.split() for l in lines]
            eq(p, "access log lines", len(logged), len(plan))
            conns = {l[0] for l in logged}
            eq(p, "distinct $connection values", len(conns), 1)
            eq(p, "$connection_requests", [int(l[1]) for l in logged], list(range(1, len(plan) + 1)))
            eq(p, "requests as nginx logged them", [(l[2], l[3]) for l in logged],
               [(m, t) for m, t, _, _ in plan])
            return (f"{len(plan)} requests on one Connection: nginx logged one $connection"
                    f" ({', '.join(sorted(conns))}), $connection_requests 1..{len(logged)}"), p
        cases.run("client: keep-alive reuse (nginx access log)", one_connection)

        def result_case(i, what, checks):
            def case():
                p = []
                if i >= len(results) or "status" not in results[i]:
                    return [f"no response (fetch_many: exit {rc}, {e.strip()})"]
                checks(results[i], bodies_of(i), p)
                return what, p
            return case

        def c_index(r, b, p):
            eq(p, "status", r["status"], 200)
            eq(p, "body", b, index)
            eq(p, "body = curl's", b, ref["/index.html"][0])
        cases.run("client: GET /index.html", result_case(0, "200, body equal to the file and to curl's", c_index))

        def c_big(r, b, p):
            eq(p, "status", r["status"], 200)
            eq(p, "sha256", sha(b or b""), sha(big))
            eq(p, "sha256 = curl's", sha(b or b""), sha(ref["/1m.bin"][0]))
        cases.run("client: GET /1m.bin", result_case(1, "200, 1 MiB, sha256 equal to the file and to curl's", c_big))

        def c_head(r, b, p):
            eq(p, "status", r["status"], 200)
            eq(p, "content-length", r["headers"].get("content-length"), [str(MIB)])
            eq(p, "body length", r["length"], 0)
        cases.run("client: HEAD /1m.bin", result_case(2, "200, content-length 1048576, no body, connection kept", c_head))

        def c_sub(r, b, p):
            eq(p, "status", r["status"], 200)
            eq(p, "transfer-encoding", r["headers"].get("transfer-encoding"), ["chunked"])
            eq(p, "sha256 vs the expected substitution", sha(b or b""), sha(substituted))
            eq(p, "body = curl's", sha(b or b""), sha(ref["/sub/text.txt"][0]))
            eq(p, "trailers", r["trailers"], {"x-interop-trailer": ["done"]})
        cases.run("client: chunked response (sub_filter) with a trailer",
                  result_case(3, f"chunked, {len(substituted)} bytes decoded = expected substitution"
                                 " = curl's; trailer X-Interop-Trailer: done", c_sub))

        def c_gz(r, b, p):
            eq(p, "status", r["status"], 200)
            eq(p, "transfer-encoding", r["headers"].get("transfer-encoding"), ["chunked"])
            eq(p, "content-encoding", r["headers"].get("content-encoding"), ["gzip"])
            eq(p, "body = curl's", sha(b or b""), sha(ref["/gz/text.txt"][0]))
            eq(p, "gunzip(body) = the file", sha(gzip.decompress(b or b"")), sha(text))
        cases.run("client: chunked gzip response",
                  result_case(4, "chunked gzip, decoded = curl's, gunzips to the file", c_gz))

        def c_304(r, b, p):
            eq(p, "status", r["status"], 304)
            eq(p, "body length", r["length"], 0)
        cases.run("client: If-Modified-Since -> 304", result_case(5, f"If-Modified-Since: {lm} -> 304, no body", c_304))

        def c_404(r, b, p):
            eq(p, "status", r["status"], 404)
            eq(p, "body length = content-length", [str(r["length"])], r["headers"].get("content-length"))
        cases.run("client: 404", result_case(6, "404 with nginx's error page, body length = content-length", c_404))

        def c_post(r, b, p):
            eq(p, "status", r["status"], 405)
        cases.run("client: POST 64 KiB -> 405", result_case(7, "POST with a 64 KiB body to a static file: 405, connection kept", c_post))

        def c_again(r, b, p):
            eq(p, "status", r["status"], 200)
            eq(p, "body", b, index)
        cases.run("client: GET after 404 and 405", result_case(8, "200, body equal", c_again))

        def c_close(r, b, p):
            eq(p, "status", r["status"], 200)
            eq(p, "sha256", sha(b or b""), sha(big))
            eq(p, "reusable", r["reusable"], False)
        def c_head_unknown(r, b, p):
            eq(p, "status", r["status"], 200)
            eq(p, "body length", r["length"], 0)
            eq(p, "reusable", r["reusable"], True)
        # nginx answers it with neither Content-Length nor Transfer-Encoding: a reader
        # that forgot the request was HEAD would read until close.
        cases.run("client: HEAD of a resource of unknown length", result_case(
            9, "HEAD /sub/text.txt (no length in the response): no body read, connection kept",
            c_head_unknown))

        cases.run("client: Connection: close", result_case(10, "last request with Connection: close: 1 MiB exact, connection not reusable after", c_close))

        def get_example(path, want_status, want_body, expect_chunked=False):
            def case():
                p = []
                rc, o, e = run([get_bin, N + path])
                eq(p, "get exit", (rc, e.strip()), (0, ""))
                head, _, body = o.partition(b"\n\n")
                lines = head.decode("latin-1").split("\n")
                eq(p, "status line", lines[0], f"HTTP/1.1 {want_status} {'OK' if want_status == 200 else 'Not Found'}")
                if want_body is not None:
                    eq(p, "body sha256", sha(body), sha(want_body))
                if expect_chunked:
                    eq(p, "transfer-encoding: chunked printed", "transfer-encoding: chunked" in head.decode().lower(), True)
                return f"{lines[0]}, {len(body)} bytes" + (" (equal)" if want_body is not None else ""), p
            return case
        cases.run("get example: /index.html", get_example("/index.html", 200, index))
        cases.run("get example: /1m.bin", get_example("/1m.bin", 200, big))
        cases.run("get example: chunked /sub/text.txt", get_example("/sub/text.txt", 200, substituted, True))
        cases.run("get example: 404", get_example("/nope.html", 404, None))

        def nghttp_sanity():
            p = []
            rc, o, e = run(["nghttp", f"http://{HOST}:{h2port}/index.html"])
            eq(p, "nghttp exit", (rc, e.strip()[-300:]), (0, ""))
            eq(p, "body over h2c", o, index)
            return "peer sanity: nghttp over h2c (prior knowledge) gets index.html from nginx", p
        cases.run("peer: nghttp h2c", nghttp_sanity)

        def wrk_case(url, who):
            def case():
                p = []
                rc, o, e = run(["wrk", "-t1", "-c8", "-d1s", url], timeout=60)
                text = o.decode()
                m = re.search(r"(\d+) requests in", text)
                eq(p, "wrk exit", rc, 0)
                if not m or int(m.group(1)) == 0:
                    p.append(f"no requests completed: {short(text, 500)}")
                if "Socket errors" in text:
                    p.append(re.search(r"Socket errors.*", text).group(0))
                if "Non-2xx" in text:
                    p.append(re.search(r"Non-2xx.*", text).group(0))
                return f"wrk 1 s, 8 keep-alive connections against {who}: {m.group(1) if m else 0} requests, no errors", p
            return case
        cases.run("wrk: nginx", wrk_case(N + "/index.html", "nginx"))
        cases.run("wrk: our serve", wrk_case(f"http://{HOST}:{sport}/index.html", "our serve example"))
    finally:
        stop(serve)
        stop(ngx, signal.SIGTERM)
        log.close()
    return cases.finish()


def main():
    global PIDS_FILE
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    if os.environ.get("APPLAYER_INTEROP_PIDS"):
        PIDS_FILE = Path(os.environ["APPLAYER_INTEROP_PIDS"])
    if len(sys.argv) >= 2 and sys.argv[1] == "curl" and len(sys.argv) == 5:
        ok = curl_check(os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]), Path(sys.argv[4]).absolute())
    elif len(sys.argv) >= 2 and sys.argv[1] == "nginx" and len(sys.argv) == 6:
        ok = nginx_check(*(os.path.abspath(a) for a in sys.argv[2:5]), Path(sys.argv[5]).absolute())
    else:
        sys.exit(__doc__)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
