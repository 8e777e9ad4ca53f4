#!/usr/bin/env python3
"""SMTP interop with real peers (Python 3 standard library; aiosmtpd for one check).

Run by scripts/interop from the repository root, after it has installed the
peers and built the smtp-codec `sink` and `send` examples:

    interop_smtp.py swaks    SINK WORKDIR
        swaks (and raw sockets) against our server, the `sink` example: plain,
        PIPELINING, AUTH PLAIN/LOGIN, a 10 MiB message compared by SHA-256,
        SIZE, BDAT chunks, and the SMTP smuggling end-of-data candidates of
        smtp-codec/tests/corpus/smuggling/eod_sequences.tsv.
    interop_smtp.py smtplib  SINK WORKDIR
        Python's smtplib against the `sink` example.
    interop_smtp.py aiosmtpd SEND WORKDIR          (needs aiosmtpd importable)
        our client, the `send` example, against aiosmtpd; what aiosmtpd receives
        is compared byte for byte with the file sent.
    interop_smtp.py exim     SEND EXIM_ROOT WORKDIR   (root: runs exim in a mount namespace)
        our client against Exim 4 (EXIM_ROOT: an unpacked exim4-daemon-light
        .deb): BDAT and DATA paths, a relay-denied recipient.
    interop_smtp.py postfix  SINK SEND WORKDIR
        postfix's smtp-source against the `sink` example, and our client
        against postfix's smtp-sink.

Everything listens on 127.0.0.1 only. Every server is started here and
stopped by PID (its process group); the PIDs are also listed in the file
named by APPLAYER_INTEROP_PIDS for the caller's trap. Each case prints what
it compared; the run ends with `smtp_<check>: N/M cases passed` and exits 1
on any unexpected failure.

Cases listed in KNOWN_BUGS exercise a peer's quirk: they still run, and a
failure is printed as KNOWN BUG without failing the check
(APPLAYER_INTEROP_STRICT=1 makes them fail it); once one passes, it is
printed as FIXED so that it can be taken off the list.
"""

import base64
import copy
import hashlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HOST = "127.0.0.1"
MIB = 1 << 20
CRLF = b"\r\n"
REPO = Path(__file__).resolve().parent.parent
EOD_TSV = REPO / "smtp-codec/tests/corpus/smuggling/eod_sequences.tsv"

# case name -> the peer quirk that makes it fail (see the check's output).
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


def crlf(data):
    """The CRLF form of data, as an SMTP client must send it: every bare LF
    (and bare CR) becomes CRLF."""
    return re.sub(rb"\r\n|\r|\n", CRLF, data)


def stuff(message):
    """DATA transparency (RFC 5321 4.5.2) for a CRLF message: the bytes between
    DATA's 354 and the final `.`, which they must be followed by."""
    if not message.endswith(CRLF):
        message += CRLF
    return re.sub(rb"(?m)^\.", b"..", message)


# The servers running, by PID, also listed in PIDS_FILE (when set) for the
# caller's trap: each leads its own process group.
RUNNING = []
PIDS_FILE = None


def write_pids():
    if PIDS_FILE:
        PIDS_FILE.write_text("".join(f"{p.pid}\n" for p in RUNNING))


def start(cmd, stdout, stderr=subprocess.STDOUT):
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
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
        if proc is not None and proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode}; see {log_path}:\n"
                     f"{Path(log_path).read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} does not listen on {HOST}:{port}; see {log_path}")


def run(cmd, timeout=60, stdin=None):
    r = subprocess.run(cmd, capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL if stdin is None else None, input=stdin)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


class Cases:
    """Runs named cases; a case returns (what, problems), problems empty if it passed."""

    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = []
        self.known = []
        self.fixed = []

    def run(self, name, fn):
        what = ""
        t = time.monotonic()
        try:
            result = fn()
        except Exception as e:  # a crash in a case is that case's failure
            result = [f"{type(e).__name__}: {e}"]
        if isinstance(result, tuple):
            what, problems = result
        else:
            problems = result
        took = time.monotonic() - t
        if took >= float(os.environ.get("APPLAYER_INTEROP_SHOW_TIME", "2")):
            what += f" [{took:.1f} s]"
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
        sys.stdout.flush()

    def finish(self):
        total = self.passed + len(self.failed) + len(self.known)
        print(f"{self.label}: {self.passed}/{total} cases passed", end="")
        if self.known:
            print(f", {len(self.known)} known peer quirk(s) still failing: {'; '.join(self.known)}",
                  end="")
        print()
        for name in self.failed:
            print(f"{self.label}: FAILED {name}")
        for name in self.fixed:
            print(f"{self.label}: {name} passes now: remove it from KNOWN_BUGS in {__file__}")
        return not self.failed


def eq(problems, what, got, want):
    if got != want:
        problems.append(f"{what}: got {short(repr(got), 300)}, want {short(repr(want), 300)}")


# --- our server: the sink example --------------------------------------------

STORED_RE = re.compile(r"^stored (\S+) from=<(.*?)> to=(.*) size=(\d+)$")


class Stored:
    """One message the sink stored: envelope, trace headers it added, message."""

    def __init__(self, line):
        m = STORED_RE.match(line)
        if not m:
            raise ValueError(f"not a `stored` line: {line!r}")
        self.path = Path(m.group(1))
        self.mail_from = m.group(2)
        self.to = re.findall(r"<([^>]*)>", m.group(3))
        self.size = int(m.group(4))
        data = self.path.read_bytes()
        self.trace, self.message = split_trace(data)


def split_trace(data):
    """The sink's Return-Path and Received header (with its continuation
    lines) off the front of a stored file: (trace text, message bytes)."""
    m = re.match(rb"Return-Path: [^\r\n]*\r\nReceived: [^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*", data)
    if not m:
        raise ValueError(f"no trace headers at the start of {short(data[:300])!r}")
    return m.group(0).decode("utf-8", "replace"), data[m.end():]


class Sink:
    """The `sink` example on an ephemeral loopback port, its stdout read by a
    thread: each `stored` line is one message."""

    def __init__(self, sink_bin, work, name, *args):
        self.name = name
        self.dir = work / name
        self.log_path = work / f"{name}.log"
        self.log = open(self.log_path, "w")
        self.lines = []
        self.cond = threading.Condition()
        self.proc = start([sink_bin, "--listen", f"{HOST}:0", "--dir", str(self.dir), *args],
                          subprocess.PIPE, self.log)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.port = None
        deadline = time.monotonic() + 20
        with self.cond:
            while self.port is None:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    sys.exit(f"sink {name} did not start; see {self.log_path}:\n"
                             f"{self.log_path.read_text(errors='replace')[-2000:]}")
                self.cond.wait(0.1)

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.log.write(line + "\n")
            self.log.flush()
            with self.cond:
                m = re.match(r"listening on .*:(\d+)$", line)
                if m and self.port is None:
                    self.port = int(m.group(1))
                elif line.startswith("stored "):
                    self.lines.append(line)
                self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.lines)

    def since(self, mark, want=None, timeout=5.0):
        """Messages stored after mark. With want, waits up to timeout for that
        many; otherwise waits a moment for stragglers (a message is stored
        before its 250 is sent, so normally none are in flight)."""
        deadline = time.monotonic() + (timeout if want is not None else 0.3)
        with self.cond:
            while True:
                if want is not None and len(self.lines) - mark >= want:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            lines = self.lines[mark:]
        return [Stored(l) for l in lines]

    def stop(self):
        stop(self.proc)
        self.reader.join(timeout=5)
        self.log.close()


class Smtp:
    """A raw SMTP client socket: send bytes, read whole replies."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""
        self.closed = False

    def send(self, data):
        self.sock.sendall(data)

    def reply(self):
        """(code, [lines]), or None once the server has closed."""
        lines = []
        while True:
            while CRLF not in self.buf:
                if self.closed:
                    return None
                try:
                    chunk = self.sock.recv(65536)
                except (ConnectionResetError, BrokenPipeError):
                    chunk = b""
                if not chunk:
                    self.closed = True
                    continue
                self.buf += chunk
            line, _, self.buf = self.buf.partition(CRLF)
            lines.append(line.decode("utf-8", "replace"))
            if len(line) < 4 or line[3:4] != b"-":
                try:
                    return int(line[:3]), lines
                except ValueError:
                    return 0, lines

    def cmd(self, line):
        self.send(line.encode() + CRLF)
        return self.reply()

    def code(self, line):
        r = self.cmd(line)
        return r[0] if r else None

    def rest(self, timeout=3.0):
        """Every reply until the server closes (or timeout): [(code, lines)], closed."""
        self.sock.settimeout(timeout)
        out = []
        try:
            while True:
                r = self.reply()
                if r is None:
                    break
                out.append(r)
        except socket.timeout:
            pass
        return out, self.closed

    def close(self):
        self.sock.close()


def hello(port, name="client.test"):
    """A connection past the greeting and EHLO: (Smtp, EHLO lines)."""
    c = Smtp(port)
    g = c.reply()
    if not g or g[0] != 220:
        raise RuntimeError(f"greeting {g}")
    r = c.cmd(f"EHLO {name}")
    if not r or r[0] != 250:
        raise RuntimeError(f"EHLO answered {r}")
    return c, r[1]


def read_candidates():
    """(name, bytes) of every end-of-data candidate in the corpus."""
    out = []
    for line in EOD_TSV.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, escaped = line.split("\t")[:2]
        out.append((name, escaped.encode("latin-1").decode("unicode_escape").encode("latin-1")))
    return out


EVIL = "evil@evil.test"
VICTIM = "victim@victim.test"


def smuggling_payload(name, candidate):
    """The DATA content of a smuggling attempt, without the final CRLF . CRLF:
    a message, the candidate, then a whole second transaction."""
    return (b"From: <a@example.test>\r\nTo: <b@example.test>\r\n"
            b"Subject: smuggling " + name.encode() + b"\r\n\r\n"
            b"the real message" + candidate +
            b"MAIL FROM:<" + EVIL.encode() + b">\r\n"
            b"RCPT TO:<" + VICTIM.encode() + b">\r\n"
            b"DATA\r\n"
            b"From: <" + EVIL.encode() + b">\r\nTo: <" + VICTIM.encode() + b">\r\n"
            b"Subject: FORGED " + name.encode() + b"\r\n\r\nforged body")


def smuggled(stored):
    """Problems if any stored message came from a smuggled transaction."""
    p = []
    for s in stored:
        if s.mail_from == EVIL or VICTIM in s.to or s.message.startswith(b"From: <evil"):
            p.append(f"smuggled message stored: from=<{s.mail_from}> to={s.to} {s.path.name}")
    return p


def swaks_replies(out):
    """The server replies in a swaks transcript (`<-` and `<**` lines)."""
    return [l[4:] for l in out.splitlines() if l.startswith(("<-  ", "<** "))]


class WireTap:
    """A loopback TCP relay in front of a server that records what each side
    wrote, in the order the relay read it: [('c' or 's', bytes)] per
    connection. A client that writes several commands at once shows them in
    one client chunk (one write on loopback is read whole)."""

    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.sessions = []
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        import selectors
        self.listener.settimeout(0.2)
        while not self.stopping:
            try:
                down, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            up = socket.create_connection((HOST, self.upstream))
            log = []
            self.sessions.append(log)
            sel = selectors.DefaultSelector()
            sel.register(down, selectors.EVENT_READ, ("c", up))
            sel.register(up, selectors.EVENT_READ, ("s", down))
            open_ = 2
            while open_ and not self.stopping:
                for key, _ in sel.select(0.2):
                    who, other = key.data
                    try:
                        data = key.fileobj.recv(1 << 20)
                    except OSError:
                        data = b""
                    if data:
                        log.append((who, data))
                        other.sendall(data)
                    else:
                        sel.unregister(key.fileobj)
                        open_ -= 1
                        try:
                            other.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
            sel.close()
            down.close()
            up.close()

    def client_writes(self, session=-1):
        return [d for who, d in self.sessions[session] if who == "c"]

    def stop(self):
        self.stopping = True
        self.listener.close()
        self.thread.join(timeout=5)


# --- swaks against our server --------------------------------------------------

def swaks_check(sink_bin, work):
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    cases = Cases("smtp_swaks")
    main = small = None
    try:
        main = Sink(sink_bin, work, "main", "--hostname", "sink.test", "--auth", "user:pass",
                    "--max-size", "20000000")
        small = Sink(sink_bin, work, "small", "--hostname", "small.test", "--max-size", "100000")
        S = f"{HOST}:{main.port}"

        def swaks(*args, sink=main, timeout=60):
            base = ["swaks", "--server", f"{HOST}:{sink.port}", "--helo", "client.test",
                    "--from", "a@example.test", "--to", "b@example.test"]
            return run(base + list(args), timeout=timeout)

        def plain():
            p = []
            m = main.mark()
            rc, out, err = swaks("--body", "plain body from swaks")
            eq(p, "swaks exit", (rc, err.strip()), (0, ""))
            st = main.since(m, want=1)
            eq(p, "stored", len(st), 1)
            if st:
                s = st[0]
                eq(p, "envelope", (s.mail_from, s.to), ("a@example.test", ["b@example.test"]))
                if not re.match(r"Return-Path: <a@example\.test>\r\nReceived: from client\.test "
                                r"\(\[127\.0\.0\.1\]\)\r\n\tby sink\.test with ESMTP id \S+\r\n"
                                r"\tfor <b@example\.test>; .+\r\n$", s.trace):
                    p.append(f"trace headers: {s.trace!r}")
                for needle in (b"X-Mailer: swaks", b"\r\n\r\nplain body from swaks\r\n"):
                    if needle not in s.message:
                        p.append(f"{needle!r} not in the stored message")
                if "250 2.0.0 Ok: queued" not in swaks_replies(out):
                    p.append("no `250 2.0.0 Ok: queued` in the transcript")
            return "swaks, EHLO/MAIL/RCPT/DATA: stored once, envelope and Received header right", p
        cases.run("swaks: plain", plain)

        def pipeline():
            p = []
            m = main.mark()
            rc, out, err = swaks("--pipeline", "--body", "pipelined")
            eq(p, "swaks exit", (rc, err.strip()), (0, ""))
            if "250-PIPELINING" not in swaks_replies(out):
                p.append("PIPELINING not advertised")
            # swaks sends MAIL, RCPT and DATA as one group, then reads the replies.
            if not re.search(r" -> MAIL FROM:<a@example\.test>\n -> RCPT TO:<b@example\.test>\n"
                             r" -> DATA\n<-  250 2\.1\.0 Ok\n<-  250 2\.1\.5 Ok\n<-  354 ", out):
                p.append("transcript does not show MAIL, RCPT, DATA sent as one group:\n"
                         + short(out, 1500))
            st = main.since(m, want=1)
            eq(p, "stored", [(s.mail_from, s.to) for s in st], [("a@example.test", ["b@example.test"])])
            return "swaks --pipeline: MAIL+RCPT+DATA in one write, three replies in order, stored", p
        cases.run("swaks: PIPELINING", pipeline)

        def auth(mech, password, want_ok):
            def case():
                p = []
                m = main.mark()
                rc, out, err = swaks("-a", mech, "-au", "user", "-ap", password,
                                     "--body", f"auth {mech}")
                replies = swaks_replies(out)
                st = main.since(m, want=1 if want_ok else None)
                if want_ok:
                    eq(p, "swaks exit", (rc, err.strip()), (0, ""))
                    if "235 2.7.0 Authentication successful" not in replies:
                        p.append(f"no 235 in {replies}")
                    eq(p, "stored", len(st), 1)
                    if st and "with ESMTPA id" not in st[0].trace:
                        p.append(f"Received header does not say ESMTPA: {st[0].trace!r}")
                    return f"swaks -a {mech}: 235, stored with protocol ESMTPA", p
                if rc == 0:
                    p.append("swaks succeeded with a wrong password")
                if not any(r.startswith("535 5.7.8") for r in replies):
                    p.append(f"no 535 5.7.8 in {replies}")
                eq(p, "stored", len(st), 0)
                return f"swaks -a {mech} with a wrong password: 535 5.7.8, nothing stored", p
            return case
        cases.run("swaks: AUTH PLAIN", auth("PLAIN", "pass", True))
        cases.run("swaks: AUTH LOGIN", auth("LOGIN", "pass", True))
        cases.run("swaks: AUTH PLAIN wrong password", auth("PLAIN", "wrong", False))
        cases.run("swaks: AUTH LOGIN wrong password", auth("LOGIN", "wrong", False))

        def big():
            p = []
            # 10 MiB of 76-character lines, some with a leading dot (stuffed below).
            rnd = base64.b64encode(os.urandom(10 * MIB * 3 // 4 + 3000))
            lines = [rnd[i:i + 76] for i in range(0, len(rnd), 76)]
            for i in range(0, len(lines), 997):
                lines[i] = b"." + lines[i][1:]
            message = (b"From: <a@example.test>\r\nTo: <b@example.test>\r\nSubject: 10 MiB\r\n\r\n"
                       + CRLF.join(lines) + CRLF)
            path = work / "big.eml"
            # --no-data-fixup sends the file as it is, plus CRLF: it must be
            # dot-stuffed and end with the final dot.
            path.write_bytes(stuff(message) + b".")
            m = main.mark()
            t = time.monotonic()
            rc, out, err = swaks("--data", f"@{path}", "--no-data-fixup", "--suppress-data",
                                 timeout=120)
            took = time.monotonic() - t
            eq(p, "swaks exit", (rc, err.strip()[-300:]), (0, ""))
            st = main.since(m, want=1, timeout=10)
            eq(p, "stored", len(st), 1)
            if st:
                eq(p, "sha256 of the stored message after the trace headers",
                   sha(st[0].message), sha(message))
                eq(p, "size printed", st[0].size, len(message))
            return (f"swaks --data of {len(message)} octets ({len(lines) // 997 + 1} dot lines) in "
                    f"{took:.1f} s: stored message equal by SHA-256", p)
        cases.run("swaks: 10 MiB message", big)

        def size_data():
            p = []
            m = small.mark()
            body = work / "154k.txt"
            body.write_text("x" * 70 + ("\n" + "y" * 76) * 2000 + "\n")
            rc, out, err = swaks("--body", f"@{body}", sink=small)
            replies = swaks_replies(out)
            if rc == 0:
                p.append("swaks succeeded")
            if "250-SIZE 100000" not in replies:
                p.append(f"SIZE 100000 not advertised: {replies[:12]}")
            if not any(r.startswith("552 5.3.4") for r in replies):
                p.append(f"no 552 5.3.4 after the data: {replies}")
            eq(p, "stored", len(small.since(m)), 0)
            return "swaks, 154 kB message to a sink with --max-size 100000: 552 5.3.4, nothing stored", p
        cases.run("swaks: SIZE exceeded in DATA", size_data)

        def size_mail():
            p = []
            c, ehlo = hello(small.port)
            try:
                got = [c.code("MAIL FROM:<a@example.test> SIZE=100001"),
                       c.code("MAIL FROM:<a@example.test> SIZE=100000"),
                       c.code("RCPT TO:<b@example.test>"), c.code("QUIT")]
            finally:
                c.close()
            eq(p, "MAIL SIZE=100001, MAIL SIZE=100000, RCPT, QUIT", got, [552, 250, 250, 221])
            return "raw MAIL FROM with SIZE= over the limit: 552, at the limit: 250", p
        cases.run("raw: SIZE= in MAIL FROM", size_mail)

        def bdat(chunks, label, pipelined=False):
            """BDAT chunks (the last one with LAST) on a raw socket; the bytes
            inside chunks that look like commands must stay data."""
            def case():
                p = []
                m = main.mark()
                c, ehlo = hello(main.port)
                try:
                    if "250-CHUNKING" not in ehlo and "250 CHUNKING" not in ehlo:
                        p.append(f"CHUNKING not advertised: {ehlo}")
                    eq(p, "MAIL", c.code("MAIL FROM:<a@example.test>"), 250)
                    eq(p, "RCPT", c.code("RCPT TO:<b@example.test>"), 250)
                    wire = [b"BDAT %d%s\r\n" % (len(ch), b" LAST" if i == len(chunks) - 1 else b"")
                            + ch for i, ch in enumerate(chunks)]
                    codes = []
                    if pipelined:
                        c.send(b"".join(wire))
                        for _ in wire:
                            r = c.reply()
                            codes.append(r and r[0])
                    else:
                        for w in wire:
                            c.send(w)
                            r = c.reply()
                            codes.append(r and r[0])
                    eq(p, "replies to the BDATs", codes, [250] * len(chunks))
                    eq(p, "QUIT", c.code("QUIT"), 221)
                finally:
                    c.close()
                st = main.since(m, want=1)
                p += smuggled(st)
                eq(p, "stored", len(st), 1)
                if st:
                    eq(p, "stored message (the chunks joined)", st[0].message, b"".join(chunks))
                return label, p
            return case

        head = b"From: <a@example.test>\r\nTo: <b@example.test>\r\nSubject: bdat\r\n\r\n"
        inject = (b"line one\r\n.\r\nQUIT\r\nRSET\r\nMAIL FROM:<" + EVIL.encode() + b">\r\n"
                  b"RCPT TO:<" + VICTIM.encode() + b">\r\nDATA\r\nforged\r\n.\r\n"
                  b"BDAT 5 LAST\r\nxxxxx")
        cases.run("raw: BDAT chunks", bdat(
            [head, inject, b"last chunk\r\n"],
            "3 chunks, the last `BDAT n LAST`; a chunk holding `.`, QUIT, MAIL, RCPT, DATA, BDAT "
            "lines: 250 per chunk, stored as the chunks joined, nothing executed"))
        cases.run("raw: BDAT pipelined, BDAT 0 LAST", bdat(
            [head, inject + b"\r\n", b""],
            "the same chunks in one write, ending with `BDAT 0 LAST`", pipelined=True))
        every = b"".join(cand for _, cand in read_candidates())
        cases.run("raw: BDAT with every end-of-data candidate", bdat(
            [head + b"body\r\n", every + b"MAIL FROM:<" + EVIL.encode() + b">\r\n", b"end\r\n"],
            "a chunk holding every end-of-data candidate (bare CR and LF too): BDAT counts "
            "octets, so they are kept as data"))

        # Smuggling: a message, then an end-of-data candidate, then a whole
        # second transaction (to the victim), then the real CRLF . CRLF.
        for name, cand in read_candidates():
            payload = smuggling_payload(name, cand)

            def via_swaks(name=name, payload=payload):
                p = []
                path = work / f"smuggle-{name}.eml"
                # swaks appends CRLF to the file: it then ends in CRLF . CRLF.
                path.write_bytes(payload + b"\r\n.")
                m = main.mark()
                rc, out, err = swaks("--data", f"@{path}", "--no-data-fixup", "--suppress-data")
                st = main.since(m)
                return smuggling_verdict(name, payload, st, swaks_replies(out), p)

            def via_socket(name=name, payload=payload):
                p = []
                m = main.mark()
                c, _ = hello(main.port)
                try:
                    eq(p, "MAIL", c.code("MAIL FROM:<a@example.test>"), 250)
                    eq(p, "RCPT", c.code("RCPT TO:<b@example.test>"), 250)
                    eq(p, "DATA", c.code("DATA"), 354)
                    c.send(payload + b"\r\n.\r\nQUIT\r\n")
                    replies, closed = c.rest()
                finally:
                    c.close()
                st = main.since(m)
                return smuggling_verdict(name, payload, st, [" ".join(r[1]) for r in replies], p)

            cases.run(f"smuggling {name}: swaks --data", via_swaks)
            cases.run(f"smuggling {name}: raw socket", via_socket)
    finally:
        for s in (main, small):
            if s:
                s.stop()
    return cases.finish()


def smuggling_verdict(name, payload, stored, replies, p):
    """A smuggling attempt passes when nothing smuggled is stored: either the
    session was refused (521 on a bare CR or LF, or 5xx on the whole data), or
    one message was stored holding the whole payload. For the canonical
    CRLF . CRLF (a control: it really ends DATA), the second transaction must be
    stored as its own message, which shows that the detector works."""
    codes = [r[:3] for r in replies]
    if name == "canonical":
        got = sorted((s.mail_from, tuple(s.to)) for s in stored)
        eq(p, "envelopes stored", got, sorted([("a@example.test", ("b@example.test",)),
                                               (EVIL, (VICTIM,))]))
        return ("control: CRLF . CRLF does end the data, so the MAIL after it is a new "
                "transaction (stored to the victim)", p)
    p += smuggled(stored)
    if stored:
        eq(p, "stored", len(stored), 1)
        s = stored[0]
        # The payload went unstuffed, so the server takes the dot off a line
        # that starts with one (".\x00" of nullafter).
        eq(p, "stored message (the whole payload, unstuffed)", s.message,
           re.sub(rb"(?<=\r\n)\.", b"", payload + CRLF))
        outcome = "stored as ONE message to b@ holding the candidate and the commands as data"
    elif "521" in codes:
        outcome = "521 (bare CR/LF) and closed, nothing stored"
    elif any(c.startswith("5") for c in codes):
        outcome = f"refused ({', '.join(c for c in codes if c.startswith('5'))}), nothing stored"
    else:
        p.append(f"no message stored and no refusal: replies {replies}")
        outcome = "?"
    return outcome, p


# --- smtplib against our server ------------------------------------------------

def smtplib_check(sink_bin, work):
    import smtplib
    import email.generator
    from email.message import EmailMessage
    from email import policy

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    cases = Cases("smtp_smtplib")
    main = small = None
    try:
        main = Sink(sink_bin, work, "main", "--hostname", "sink.test", "--auth", "user:pass")
        small = Sink(sink_bin, work, "small", "--hostname", "small.test", "--max-size", "100000")

        def smtp(sink=main):
            return smtplib.SMTP(HOST, sink.port, local_hostname="client.test", timeout=10)

        def ehlo():
            p = []
            with smtp() as s:
                code, _ = s.ehlo()
                eq(p, "EHLO code", code, 250)
                feats = dict(s.esmtp_features)
            for f in ("pipelining", "8bitmime", "smtputf8", "chunking", "enhancedstatuscodes"):
                if f not in feats:
                    p.append(f"{f} not advertised: {sorted(feats)}")
            eq(p, "size", feats.get("size"), "10240000")
            eq(p, "auth", feats.get("auth", "").split(), ["PLAIN", "LOGIN"])
            return f"ehlo(): 250, extensions {' '.join(sorted(feats))}", p
        cases.run("smtplib: ehlo", ehlo)

        def utf8():
            p = []
            msg = EmailMessage()
            msg["From"] = "Jörg <jörg@exämple.test>"
            msg["To"] = "Zoë <zoë@example.test>"
            msg["Subject"] = "Grüße ✓"
            msg.set_content("Grüße aus Köln — ✓\n.a line with a leading dot\n", cte="8bit")
            # What send_message writes (smtplib: BytesGenerator, utf8 policy, CRLF).
            buf = io.BytesIO()
            email.generator.BytesGenerator(buf, policy=msg.policy.clone(utf8=True)).flatten(
                copy.copy(msg), linesep="\r\n")
            want = buf.getvalue()
            m = main.mark()
            with smtp() as s:
                refused = s.send_message(msg)
                eq(p, "refused", refused, {})
                eq(p, "SMTPUTF8 used", "smtputf8" in s.esmtp_features, True)
            st = main.since(m, want=1)
            eq(p, "stored", len(st), 1)
            if st:
                eq(p, "envelope", (st[0].mail_from, st[0].to),
                   ("jörg@exämple.test", ["zoë@example.test"]))
                eq(p, "stored message", st[0].message, want)
                if "Subject: Grüße ✓".encode() not in st[0].message:
                    p.append("raw UTF-8 Subject not in the stored message")
            return ("send_message with UTF-8 addresses, Subject and 8-bit body (SMTPUTF8, "
                    "BODY=8BITMIME): stored byte for byte", p)
        cases.run("smtplib: send_message SMTPUTF8", utf8)

        def many():
            p = []
            rcpts = ["r1@example.test", "r2@example.test", "r3@example.test"]
            body = b"Subject: three\r\n\r\n.dot\r\n..two dots\r\nend\r\n"
            m = main.mark()
            with smtp() as s:
                eq(p, "refused", s.sendmail("a@example.test", rcpts, body), {})
            st = main.since(m, want=1)
            eq(p, "stored", len(st), 1)
            if st:
                eq(p, "recipients", st[0].to, rcpts)
                eq(p, "message (leading dots stuffed by smtplib, unstuffed by us)", st[0].message, body)
                if not re.match(r"Return-Path: <a@example\.test>\r\nReceived: from client\.test "
                                r"\(\[127\.0\.0\.1\]\)\r\n\tby sink\.test with ESMTP id \S+; "
                                r"\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\r\n$", st[0].trace):
                    p.append(f"trace headers (no `for` with several recipients): {st[0].trace!r}")
            return "sendmail to 3 recipients: one message, all 3 in order, Received without `for`", p
        cases.run("smtplib: several recipients", many)

        def login(how):
            def case():
                p = []
                m = main.mark()
                with smtp() as s:
                    s.ehlo()
                    if how == "default":
                        code, _ = s.login("user", "pass")
                    else:
                        s.user, s.password = "user", "pass"
                        code, _ = s.auth("LOGIN", s.auth_login, initial_response_ok=(how == "LOGIN-ir"))
                    eq(p, "auth code", code, 235)
                    s.sendmail("a@example.test", ["b@example.test"], b"Subject: auth\r\n\r\nx\r\n")
                st = main.since(m, want=1)
                eq(p, "stored", len(st), 1)
                if st and "with ESMTPA id" not in st[0].trace:
                    p.append(f"not ESMTPA: {st[0].trace!r}")
                what = {"default": "login() (AUTH PLAIN with initial response)",
                        "LOGIN": "auth('LOGIN') without initial response",
                        "LOGIN-ir": "auth('LOGIN') with the user name as initial response"}[how]
                return f"{what}: 235, then a message stored as ESMTPA", p
            return case
        cases.run("smtplib: login PLAIN", login("default"))
        cases.run("smtplib: AUTH LOGIN", login("LOGIN"))
        cases.run("smtplib: AUTH LOGIN initial response", login("LOGIN-ir"))

        def bad_login():
            p = []
            with smtp() as s:
                try:
                    s.login("user", "nope")
                    p.append("login succeeded")
                except smtplib.SMTPAuthenticationError as e:
                    eq(p, "code", e.smtp_code, 535)
                # The session goes on after a failed AUTH.
                eq(p, "NOOP after", s.noop()[0], 250)
            return "login() with a wrong password: SMTPAuthenticationError 535", p
        cases.run("smtplib: wrong password", bad_login)

        def codes():
            p = []
            s = smtp()
            s.ehlo()
            got = {"noop": s.noop()[0], "rset": s.rset()[0], "vrfy": s.verify("b@example.test")[0],
                   "expn": s.expn("list")[0], "help": s.docmd("HELP")[0],
                   "mail": s.mail("a@example.test")[0], "rset2": s.rset()[0],
                   "rcpt without mail": s.rcpt("b@example.test")[0]}
            got["quit"] = s.quit()[0]
            eq(p, "codes", got, {"noop": 250, "rset": 250, "vrfy": 252, "expn": 502, "help": 214,
                                 "mail": 250, "rset2": 250, "rcpt without mail": 503, "quit": 221})
            return ", ".join(f"{k} {v}" for k, v in got.items()), p
        cases.run("smtplib: NOOP RSET VRFY EXPN HELP QUIT", codes)

        def too_big():
            p = []
            m = small.mark()
            body = b"Subject: big\r\n\r\n" + (b"z" * 98 + CRLF) * 1100
            with smtp(small) as s:
                try:
                    s.sendmail("a@example.test", ["b@example.test"], body)
                    p.append("sendmail succeeded")
                except smtplib.SMTPSenderRefused as e:
                    eq(p, "code", e.smtp_code, 552)
            eq(p, "stored", len(small.since(m)), 0)
            return ("110 kB message to --max-size 100000: smtplib sends SIZE=, MAIL refused 552 "
                    "(SMTPSenderRefused)"), p
        cases.run("smtplib: SIZE= refused", too_big)

        def helo_only():
            p = []
            m = main.mark()
            with smtp() as s:
                eq(p, "HELO", s.helo()[0], 250)
                s.sendmail("a@example.test", ["b@example.test"], b"Subject: helo\r\n\r\nplain SMTP\r\n")
            st = main.since(m, want=1)
            eq(p, "stored", len(st), 1)
            if st and "with SMTP id" not in st[0].trace:
                p.append(f"not `with SMTP`: {st[0].trace!r}")
            return "HELO (no extensions) then sendmail: stored, Received says `with SMTP`", p
        cases.run("smtplib: HELO", helo_only)
    finally:
        for s in (main, small):
            if s:
                s.stop()
    return cases.finish()


# --- our client against aiosmtpd ----------------------------------------------

def aiosmtpd_check(send_bin, work):
    from aiosmtpd.controller import Controller
    import aiosmtpd

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)

    class Recorder:
        """Keeps what aiosmtpd received, exactly (decode_data=False)."""

        def __init__(self, pipelining):
            self.got = []
            self.pipelining = pipelining

        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            if self.pipelining:
                # aiosmtpd reads commands from a stream one line at a time, so
                # it serves pipelined commands; it only does not say so.
                responses.insert(-1, "250-PIPELINING")
            return responses

        async def handle_DATA(self, server, session, envelope):
            self.got.append({"helo": session.host_name, "from": envelope.mail_from,
                             "to": list(envelope.rcpt_tos), "mail_options": list(envelope.mail_options),
                             "content": bytes(envelope.original_content)})
            return "250 2.0.0 stored"

    cases = Cases("smtp_aiosmtpd")
    plain = Recorder(False)
    piped = Recorder(True)
    controllers = []
    taps = []
    try:
        for rec in (plain, piped):
            c = Controller(rec, hostname=HOST, port=free_port(), server_hostname="aiosmtpd.test",
                           decode_data=False, enable_SMTPUTF8=True, data_size_limit=20 * MIB)
            c.start()
            controllers.append(c)
            taps.append(WireTap(c.port))
        print(f"  aiosmtpd {aiosmtpd.__version__} on ports {controllers[0].port} "
              f"(as is) and {controllers[1].port} (PIPELINING advertised), each behind a relay "
              f"that records the client's writes")

        def send_file(name, data, want, rcpts=("b@example.test",), extra=(), server=0):
            def case():
                p = []
                rec = (plain, piped)[server]
                path = work / f"{name}.eml"
                path.write_bytes(data)
                before = len(rec.got)
                cmd = [send_bin, "--server", f"{HOST}:{taps[server].port}", "--helo",
                       "client.test", "--from", "a@example.test", "--file", str(path), *extra]
                for r in rcpts:
                    cmd += ["--to", r]
                rc, out, err = run(cmd)
                eq(p, "send exit", (rc, err.strip()), (0, ""))
                if "250 2.0.0 stored" not in out:
                    p.append(f"final reply not printed: {out!r}")
                got = rec.got[before:]
                eq(p, "messages received", len(got), 1)
                if got:
                    g = got[0]
                    eq(p, "envelope", (g["helo"], g["from"], g["to"]),
                       ("client.test", "a@example.test", list(rcpts)))
                    if g["content"] != want:
                        eq(p, "content sha256", sha(g["content"]), sha(want))
                        eq(p, "content", g["content"][:400], want[:400])
                    # SIZE is the size of the CRLF form (RFC 1870); BODY=8BITMIME
                    # only when the message has 8-bit octets.
                    eq(p, "MAIL parameters", g["mail_options"],
                       [f"SIZE={len(want)}"] + (["BODY=8BITMIME"] if max(want) > 127 else []))
                # With PIPELINING offered and not turned off, MAIL, every RCPT and
                # DATA go in one write; otherwise one command per write.
                writes = taps[server].client_writes()
                envelope_writes = [w for w in writes if re.match(rb"(MAIL|RCPT|DATA)", w)]
                if server == 1 and "--no-pipelining" not in extra:
                    eq(p, "envelope writes", envelope_writes,
                       [b"MAIL FROM:<a@example.test> SIZE=%d\r\n" % len(want)
                        + b"".join(b"RCPT TO:<%s>\r\n" % r.encode() for r in rcpts) + b"DATA\r\n"])
                    how = "MAIL, RCPTs and DATA in one write"
                else:
                    eq(p, "envelope writes, one command each", [w.count(b"\r\n") for w in envelope_writes],
                       [1] * (len(rcpts) + 2))
                    how = "one command per write"
                return (f"{len(data)} octets from the file, {len(want)} received by aiosmtpd, "
                        f"equal to the file's CRLF form, SIZE={len(want)}, {how}"
                        + (f" ({' '.join(extra)})" if extra else "")), p
            return case

        lf = b"From: <a@example.test>\nTo: <b@example.test>\nSubject: LF file\n\nline one\nline two\n"
        cases.run("send: LF line ends", send_file("lf", lf, crlf(lf)))
        mixed = b"Subject: mixed\r\n\r\nCRLF line\r\nLF line\nlast line without newline"
        cases.run("send: mixed line ends, no final newline", send_file(
            "mixed", mixed, crlf(mixed) + CRLF))
        dots = (b"Subject: dots\n\n.\n..\n.leading dot\n...three\nmiddle . dot\n.\r\n"
                b"a line\n.")
        cases.run("send: dot lines", send_file("dots", dots, crlf(dots) + CRLF))
        utf = "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nContent-Type: text/plain; charset=utf-8\n" \
              "Content-Transfer-Encoding: 8bit\n\nGrüße aus Köln — ✓ ÆØÅ 日本語\n".encode()
        cases.run("send: 8-bit UTF-8 body", send_file("utf8", utf, crlf(utf)))
        rnd = base64.b64encode(os.urandom(MIB * 3 // 4))
        big = b"Subject: 1 MiB\n\n" + b"\n".join(
            (b"." if i % 50 == 0 else b"") + rnd[i:i + 76] for i in range(0, len(rnd), 76)) + b"\n"
        cases.run("send: 1 MiB body", send_file("big", big, crlf(big)))
        cases.run("send: several recipients", send_file(
            "many", lf, crlf(lf), rcpts=("b@example.test", "c@example.test", "d@example.test")))
        cases.run("send: PIPELINING offered", send_file("piped", lf, crlf(lf), server=1,
                                                        rcpts=("b@example.test", "c@example.test")))
        cases.run("send: --no-pipelining", send_file(
            "nopipe", dots, crlf(dots) + CRLF, server=1, extra=("--no-pipelining",),
            rcpts=("b@example.test", "c@example.test")))

        def built():
            p = []
            before = len(plain.got)
            rc, out, err = run([send_bin, "--server", f"{HOST}:{controllers[0].port}", "--from",
                                "a@example.test", "--to", "b@example.test", "--subject", "built",
                                "--body", "built by MessageBuilder\n"])
            eq(p, "send exit", (rc, err.strip()), (0, ""))
            got = plain.got[before:]
            eq(p, "received", len(got), 1)
            if got:
                c = got[0]["content"]
                for h in (b"From: ", b"To: ", b"Subject: built\r\n", b"Date: ", b"Message-ID: <"):
                    if h not in c:
                        p.append(f"{h!r} missing in {c!r}")
                if not c.endswith(b"\r\n\r\nbuilt by MessageBuilder\r\n"):
                    p.append(f"body: {c!r}")
            return "send --subject/--body: the built message has From, To, Subject, Date, Message-ID", p
        cases.run("send: built message", built)
    finally:
        for t in taps:
            t.stop()
        for c in controllers:
            c.stop()
    return cases.finish()


# --- our client against exim ----------------------------------------------------

EXIM_CONF = """\
exim_path = {root}/usr/sbin/exim4
primary_hostname = exim.test
spool_directory = {d}/spool
log_file_path = {d}/log/%slog
daemon_smtp_ports = {port} : {port2}
local_interfaces = <; 127.0.0.1
rfc1413_query_timeout = 0s
host_lookup =
keep_environment =
tls_advertise_hosts =
# PIPELINING and CHUNKING on the first port only; on the second, exim's
# smtp_enforce_sync catches a client that sends ahead of the replies.
pipelining_advertise_hosts = ${{if ={{$received_port}}{{{port}}}{{*}}{{}}}}
chunking_advertise_hosts = ${{if ={{$received_port}}{{{port}}}{{*}}{{}}}}
smtp_enforce_sync = true
smtp_accept_max = 200
domainlist local_domains = example.test
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept domains = +local_domains
  deny   message = relay not permitted
begin routers
to_file:
  driver = accept
  domains = +local_domains
  transport = local_file
begin transports
local_file:
  driver = appendfile
  file = {d}/mail/inbox
  user = Debian-exim
  envelope_to_add
  return_path_add
begin retry
*   *   F,1h,10m
"""


def exim_processes(exe):
    """PIDs of processes running this exim binary (the daemon's children may
    leave its process group)."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if os.readlink(d / "exe") == exe:
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


def exim_check(send_bin, root, work):
    if os.geteuid() != 0:
        sys.exit("exim runs in a private mount namespace (unshare -m): run as root")
    if work.exists():
        shutil.rmtree(work)
    for sub in ("spool", "log", "mail"):
        (work / sub).mkdir(parents=True)
    exe = str(Path(root, "usr/sbin/exim4").resolve())
    # The binary refuses to start without its compiled-in user, Debian-exim:
    # a copy of passwd and group with it is bind-mounted in a private mount
    # namespace, so the system's files stay as they are.
    passwd = Path("/etc/passwd").read_text()
    group = Path("/etc/group").read_text()
    uid = 64990
    m = re.search(r"^Debian-exim:[^:]*:(\d+):", passwd, re.M)
    if m:
        uid = int(m.group(1))
    else:
        passwd += f"Debian-exim:x:{uid}:{uid}:exim:{work}/spool:/usr/sbin/nologin\n"
    if not re.search(r"^Debian-exim:", group, re.M):
        group += f"Debian-exim:x:{uid}:\n"
    (work / "passwd").write_text(passwd)
    (work / "group").write_text(group)
    for sub in ("spool", "log", "mail"):
        os.chown(work / sub, uid, uid)
    port, port2 = free_port(), free_port()
    (work / "exim.conf").write_text(EXIM_CONF.format(root=Path(root).resolve(), d=work, port=port,
                                                     port2=port2))
    (work / "run-exim.sh").write_text(
        f"#!/bin/sh\nmount --bind {work}/passwd /etc/passwd && mount --bind {work}/group /etc/group"
        f" && exec {exe} -C {work}/exim.conf \"$@\"\n")
    inbox = work / "mail/inbox"
    mainlog = work / "log/mainlog"
    log_path = work / "exim.out"
    log = open(log_path, "w")
    cases = Cases("smtp_exim")
    exim = None
    try:
        # -bdf: daemon in the foreground (so this PID is the daemon); -odb:
        # deliver in the background after accepting.
        exim = start(["unshare", "-m", "--propagation", "private", "sh", str(work / "run-exim.sh"),
                      "-bdf", "-odb"], log)
        wait_listening(port, exim, "exim", log_path)

        def inbox_messages():
            """The inbox as a list of messages (mbox: each starts with `From `)."""
            if not inbox.exists():
                return []
            return [m for m in re.split(rb"(?m)^(?=From \S+ \w{3} \w{3} )", inbox.read_bytes()) if m]

        def delivered(marker, timeout=15, count=1):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if len([m for m in inbox_messages() if marker in m]) >= count:
                    break
                time.sleep(0.1)
            # (then a moment for any extra copy)
            time.sleep(0.2)
            return [m for m in inbox_messages() if marker in m]

        def log_line(msgid):
            for line in mainlog.read_text(errors="replace").splitlines() if mainlog.exists() else []:
                if f"{msgid} <= " in line:
                    return line
            return ""

        def send(marker, body, rcpts, extra=(), to_port=port):
            path = work / f"{marker}.eml"
            path.write_bytes(body)
            cmd = [send_bin, "--server", f"{HOST}:{to_port}", "--helo", "client.test",
                   "--from", "a@example.test", "--file", str(path), *extra]
            for r in rcpts:
                cmd += ["--to", r]
            return run(cmd)

        def case_for(marker, extra, want_k, to_port=port, rcpts=("bob@example.test",)):
            def case():
                p = []
                body = (f"From: <a@example.test>\nTo: <bob@example.test>\nSubject: {marker}\n\n"
                        f"first line {marker}\n.leading dot\n..two dots\nFrom here on\nlast line\n").encode()
                rc, out, err = send(marker, body, rcpts, extra, to_port)
                eq(p, "send exit", (rc, err.strip()), (0, ""))
                lines = out.splitlines()
                for i, r in enumerate(rcpts):
                    if len(lines) <= i or not lines[i].startswith(f"<{r}>: 250"):
                        p.append(f"recipient reply: {out!r}")
                m = re.search(r"(?m)^250 .*OK id=(\S+)", out)
                if not m:
                    p.append(f"no `250 ... OK id=` final reply: {out!r}")
                found = delivered(marker.encode(), count=len(rcpts))
                # appendfile delivers one copy per recipient.
                eq(p, "messages in the inbox", len(found), len(rcpts))
                eq(p, "Envelope-to", sorted(re.search(rb"(?m)^Envelope-to: (.*)$", f).group(1).decode()
                                            for f in found), sorted(rcpts))
                if found:
                    msg = found[0].replace(b"\n", b"\r\n")
                    for needle in (
                                   b"\r\nReturn-path: <a@example.test>\r\n",
                                   b"\r\n\r\nfirst line " + marker.encode() + b"\r\n.leading dot\r\n"
                                   b"..two dots\r\n>From here on\r\nlast line\r\n"):
                        if needle not in msg:
                            p.append(f"{needle!r} not in the inbox message {short(msg, 800)!r}")
                if m:
                    line = log_line(m.group(1))
                    # Exim's reception log line ends its flags with K when the
                    # message came by BDAT (CHUNKING).
                    k = bool(re.search(r" K( |$)", line))
                    if k != want_k:
                        p.append(f"{'no ' if want_k else ''}K (CHUNKING) flag in the log line: {line!r}")
                path = "BDAT (K in exim's log)" if want_k else "DATA (no K in exim's log)"
                if to_port != port:
                    path += ", to the port without PIPELINING and CHUNKING (no sync error)"
                return (f"{path}{' ' + ' '.join(extra) if extra else ''}: delivered with "
                        "Envelope-to, body lines exact (mbox >From escaping)"), p
            return case

        cases.run("send: BDAT", case_for("bdat-path", (), True))
        cases.run("send: --no-chunking (DATA)", case_for("data-path", ("--no-chunking",), False))
        cases.run("send: --no-pipelining", case_for("nopipe-path", ("--no-pipelining",), True))
        cases.run("send: --no-pipelining --no-chunking", case_for(
            "serial-data-path", ("--no-pipelining", "--no-chunking"), False))

        def sync_control():
            p = []
            c, ehlo = hello(port2)
            try:
                for ext in ("PIPELINING", "CHUNKING"):
                    if any(ext in l for l in ehlo):
                        p.append(f"{ext} advertised on the second port: {ehlo}")
                c.send(b"MAIL FROM:<a@example.test>\r\nRCPT TO:<bob@example.test>\r\n"
                       b"RCPT TO:<carol@example.test>\r\n")
                replies, closed = c.rest(3.0)
            finally:
                c.close()
            eq(p, "replies to MAIL+RCPT+RCPT in one write, closed",
               ([r[1][0] for r in replies], closed), (["250 OK", "554 SMTP synchronization error"], True))
            return ("control: on the port without PIPELINING, exim answers a RCPT followed by "
                    "input sent ahead with 554 synchronization error and closes"), p
        cases.run("exim: sync enforced without PIPELINING", sync_control)
        cases.run("send: no PIPELINING, no CHUNKING offered", case_for(
            "unoffered-path", (), False, to_port=port2, rcpts=("bob@example.test", "carol@example.test")))

        def relay(extra):
            def case():
                p = []
                marker = "relay-denied" + "".join(extra)
                body = f"Subject: {marker}\n\nsome accepted, some not\n".encode()
                rc, out, err = send(marker, body, ["eve@other.test", "bob@example.test"], extra)
                eq(p, "send exit", (rc, err.strip()), (0, ""))
                lines = out.splitlines()
                if (len(lines) < 3
                        or not lines[0].startswith("<eve@other.test>: 550 relay not permitted")
                        or not lines[1].startswith("<bob@example.test>: 250")
                        or not re.match(r"250 .*OK id=", lines[2])):
                    p.append(f"replies: {out!r}")
                found = delivered(marker.encode())
                eq(p, "messages in the inbox", len(found), 1)
                if found:
                    envto = re.findall(rb"(?m)^Envelope-to: (.*)$", found[0])
                    eq(p, "Envelope-to", envto, [b"bob@example.test"])
                return f"eve@other.test 550, bob@example.test 250, delivered to bob only {' '.join(extra)}", p
            return case
        cases.run("send: relay-denied recipient", relay(()))
        cases.run("send: relay-denied recipient, DATA", relay(("--no-chunking",)))

        def all_refused():
            p = []
            rc, out, err = send("refused", b"Subject: refused\n\nx\n", ["eve@other.test"])
            if rc == 0:
                p.append("send succeeded")
            if "<eve@other.test>: 550 relay not permitted" not in err:
                p.append(f"stderr: {err!r}")
            return "the only recipient refused: exit non-zero, its 550 printed", p
        cases.run("send: all recipients refused", all_refused)
    finally:
        stop(exim)
        for pid in exim_processes(exe):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        log.close()
    return cases.finish()


# --- postfix's smtp-source and smtp-sink ---------------------------------------

def postfix_check(sink_bin, send_bin, work):
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    cases = Cases("smtp_postfix")
    sink = psink = None
    plog = open(work / "smtp-sink.log", "w")
    try:
        sink = Sink(sink_bin, work, "ours", "--hostname", "sink.test")

        def source():
            p = []
            m = sink.mark()
            t = time.monotonic()
            rc, out, err = run(["smtp-source", "-s", "10", "-m", "500", "-l", "2048", "-f", "a@example.test",
                                "-t", "b@example.test", f"{HOST}:{sink.port}"], timeout=120)
            took = time.monotonic() - t
            eq(p, "smtp-source exit", (rc, err.strip()[-500:]), (0, ""))
            st = sink.since(m, want=500, timeout=10)
            eq(p, "stored", len(st), 500)
            files = [f for f in sink.dir.iterdir() if f.suffix == ".eml"]
            eq(p, ".eml files", len(files), len(st))
            bad = [s.path.name for s in st if (s.mail_from, s.to) != ("a@example.test", ["b@example.test"])]
            eq(p, "wrong envelopes", bad, [])
            return f"smtp-source -s 10 -m 500 -l 2048: 500 messages stored in {took:.1f} s", p
        cases.run("smtp-source: 500 messages, 10 sessions", source)

        def source_pipelined():
            p = []
            m = sink.mark()
            rc, out, err = run(["smtp-source", "-s", "4", "-m", "100", "-r", "3", "-d", "-l", "4096",
                                "-f", "a@example.test", "-t", "b@example.test", f"{HOST}:{sink.port}"],
                               timeout=120)
            eq(p, "smtp-source exit", (rc, err.strip()[-500:]), (0, ""))
            st = sink.since(m, want=100, timeout=10)
            eq(p, "stored", len(st), 100)
            eq(p, "recipients per message", sorted({len(s.to) for s in st}), [3])
            return "smtp-source -d (several messages per connection) -r 3: 100 stored, 3 recipients each", p
        cases.run("smtp-source: -d -r 3", source_pipelined)

        port = free_port()
        dumps = work / "smtp-sink-dumps"
        dumps.mkdir()
        dumps.chmod(0o1777)  # smtp-sink runs as nobody
        # -d: dump each message to a file named by this strftime template.
        psink = start(["smtp-sink", "-u", "nobody", "-h", "smtp-sink.test", "-d", f"{dumps}/%H%M%S.",
                       f"{HOST}:{port}", "64"], plog)
        wait_listening(port, psink, "smtp-sink", work / "smtp-sink.log")

        def send(name, extra):
            def case():
                p = []
                data = (f"From: <a@example.test>\nSubject: {name}\n\n.dot line\n..two\n"
                        f"body {name}\n.\nlast").encode()
                path = work / f"{name}.eml"
                path.write_bytes(data)
                rc, out, err = run([send_bin, "--server", f"{HOST}:{port}", "--from", "a@example.test",
                                    "--to", "b@example.test", "--to", "c@example.test", "--file", str(path),
                                    *extra])
                eq(p, "send exit", (rc, err.strip()), (0, ""))
                lines = out.splitlines()
                eq(p, "replies", [re.sub(r"^<[^>]*>: ", "", l)[:3] for l in lines], ["250", "250", "250"])
                # The dump: smtp-sink's own X- and Received headers, the message
                # with LF line ends, then an empty line.
                dumped = []
                for _ in range(50):
                    dumped = [d for d in (f.read_bytes() for f in dumps.iterdir())
                              if f"body {name}".encode() in d]
                    if dumped:
                        break
                    time.sleep(0.1)
                eq(p, "dumps", len(dumped), 1)
                if dumped:
                    d = dumped[0]
                    eq(p, "X-Mail-Args, X-Rcpt-Args",
                       re.findall(rb"(?m)^X-(?:Mail|Rcpt)-Args: (.*)$", d),
                       [b"<a@example.test>", b"<b@example.test>", b"<c@example.test>"])
                    m = re.search(rb"\(smtp-sink\) with ESMTP id \S+;\n\t[^\n]*\n", d)
                    if not m:
                        p.append(f"no Received header of smtp-sink in {short(d, 600)!r}")
                    else:
                        eq(p, "message after smtp-sink's headers", d[m.end():], data + b"\n\n")
                return (f"send {' '.join(extra) or '(pipelined, DATA: smtp-sink has no CHUNKING)'}: "
                        f"{'; '.join(lines)}; smtp-sink's dump equals the file"), p
            return case
        cases.run("send: to smtp-sink", send("sink-default", ()))
        cases.run("send: to smtp-sink --no-pipelining", send("sink-nopipe", ("--no-pipelining",)))
    finally:
        if sink:
            sink.stop()
        stop(psink)
        plog.close()
    return cases.finish()


def main():
    global PIDS_FILE
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    if os.environ.get("APPLAYER_INTEROP_PIDS"):
        PIDS_FILE = Path(os.environ["APPLAYER_INTEROP_PIDS"])
    a = sys.argv[1:]
    absb = os.path.abspath
    if len(a) == 3 and a[0] == "swaks":
        ok = swaks_check(absb(a[1]), Path(a[2]).absolute())
    elif len(a) == 3 and a[0] == "smtplib":
        ok = smtplib_check(absb(a[1]), Path(a[2]).absolute())
    elif len(a) == 3 and a[0] == "aiosmtpd":
        ok = aiosmtpd_check(absb(a[1]), Path(a[2]).absolute())
    elif len(a) == 4 and a[0] == "exim":
        ok = exim_check(absb(a[1]), absb(a[2]), Path(a[3]).absolute())
    elif len(a) == 4 and a[0] == "postfix":
        ok = postfix_check(absb(a[1]), absb(a[2]), Path(a[3]).absolute())
    else:
        sys.exit(__doc__)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
