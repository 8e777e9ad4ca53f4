#!/usr/bin/env python3
"""Derives llhttp-cases.tsv from llhttp-cases.jsonl (run from this folder).

Each jsonl line is one llhttp test case (see ../SOURCES.txt). This script reduces
llhttp's expected callback log to the outcome tests/llhttp.rs compares against, in a
tab-separated format the test reads without a JSON parser. Columns:

  id        file:line of the case in llhttp's test/*.md (unique)
  name      the case's heading (tabs replaced by spaces)
  kind      http | url
  type      meta.type (request, response, request-lenient-headers, ...); "url" for url cases
  flags     comma-separated: skipBody, noScan, pause=<callback>; "-" for none
  input     the exact input bytes, standard base64
  outcome   idle       input ends between messages, no error
            incomplete input ends inside a message, no error
            upgrade    llhttp paused for CONNECT/Upgrade (code 22) or PRI (code 23)
            close      data after a message with Connection: close (code 5)
            error      any other error code
            (url cases: ok | error)
  code      llhttp error code, "-" when none
  offset    offset of the error, "-" when none
  messages  number of "message complete" events
  bodies    hex of each completed message's body (span[body] bytes, taken from the
            input at the logged offsets), joined with ","; "-" when no message completed
  partial   hex of the body bytes of a message begun but not completed; "-" when none
  finish    for *-finish types: the state llhttp_finish reported (0 safe, 1 safe and
            completes the message, 2 unsafe); "-" otherwise
"""
import base64
import json
import re

out = [
    "# Derived from llhttp-cases.jsonl by convert.py; see that script for the columns.",
    "# id\tname\tkind\ttype\tflags\tinput\toutcome\tcode\toffset\tmessages\tbodies\tpartial\tfinish",
]
seen = set()
for line in open("llhttp-cases.jsonl", encoding="utf-8"):
    case = json.loads(line)
    raw = base64.b64decode(case["input_b64"])
    meta = case["meta"]
    ident = "%s:%d" % (case["file"], case["line"])
    assert ident not in seen, ident
    seen.add(ident)
    flags = []
    if meta.get("skipBody"):
        flags.append("skipBody")
    if meta.get("noScan"):
        flags.append("noScan")
    if "pause" in meta:
        flags.append("pause=" + meta["pause"])
    bodies, current, error, finish = [], None, None, "-"
    for entry in case["expected_log"]:
        m = re.match(r"off=(\S+) (.*)$", entry)
        assert m, entry
        off, rest = m.groups()
        if rest == "message begin":
            current = b""
        elif rest == "message complete":
            bodies.append(current if current is not None else b"")
            current = None
        elif rest.startswith("error code="):
            code = int(re.match(r"error code=(\d+)", rest).group(1))
            error = (code, int(off))
        elif rest.startswith("finish="):
            finish = rest[len("finish="):]
        else:
            span = re.match(r"len=(\d+) span\[body\]", rest)
            if span:
                start, length = int(off), int(span.group(1))
                current = (current or b"") + raw[start:start + length]
    if case["kind"] == "url":
        kind_type = "url"
        outcome = "error" if error else "ok"
    else:
        kind_type = meta["type"]
        if error is None:
            outcome = "incomplete" if current is not None else "idle"
        elif error[0] in (22, 23):
            outcome = "upgrade"
        elif error[0] == 5:
            outcome = "close"
        else:
            outcome = "error"
    partial = current.hex() if (current is not None and outcome == "incomplete") else "-"
    fields = [
        ident,
        case["name"].replace("\t", " "),
        case["kind"],
        kind_type,
        ",".join(flags) or "-",
        base64.b64encode(raw).decode(),
        outcome,
        str(error[0]) if error else "-",
        str(error[1]) if error else "-",
        str(len(bodies)),
        ",".join(b.hex() for b in bodies) if bodies else "-",
        partial,
        finish,
    ]
    out.append("\t".join(fields))

with open("llhttp-cases.tsv", "w", encoding="utf-8", newline="\n") as f:
    f.write("\n".join(out) + "\n")
print("wrote %d cases" % (len(out) - 2))
