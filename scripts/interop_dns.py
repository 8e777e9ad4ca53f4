#!/usr/bin/env python3
"""DNS interop: our authoritative server and nsd serve the same zone on loopback;
dig and kdig ask both the same questions over UDP and TCP, and the answers must agree
record for record (status, AA and TC flags, answer, authority and additional
sections, TTLs included).

Then our stub client (the `dig` example) asks nsd the same questions, and its
answers must equal kdig's (both in RFC 3597 generic form), record for record.

Run by scripts/interop (check_dns_dig_nsd) from the repository root, after it has
installed dig, kdig and nsd and built the `authoritative` and `dig` examples:

    interop_dns.py OUR_SERVER OUR_DIG WORKDIR

Only 127.0.0.0/8 is used. Both servers are started and stopped here, by PID.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

OURS = ("127.0.0.1", 5391)
NSD = ("127.0.0.5", 5392)

ZONE = """$ORIGIN example.test.
$TTL 300
@         IN SOA   ns1 hostmaster 2024010101 1800 900 604800 120
@         IN NS    ns1
@         IN NS    ns2.elsewhere.test.
ns1       IN A     127.0.0.5
@         IN A     127.0.0.10
@         IN MX    10 mail
@         IN MX    20 mail2.elsewhere.test.
@         IN TXT   "hello" "world"
@         IN CAA   0 issue "ca.example.net"
@         IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
www       IN CNAME host
alias     IN CNAME www
host      IN A     127.0.0.10
host      IN AAAA  ::1
host      IN SSHFP 4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789
mail      IN A     127.0.0.11
mail      IN AAAA  2001:db8::11
_sip._tcp IN SRV   10 60 5060 host
_443._tcp.www IN TLSA 3 1 1 2bb183af3e47b0d41bd53ded3de2cd0a6a4d8c8f8e4ad5d7acb6d4f2fa2c6f6e
svc       IN HTTPS 1 . alpn=h2,h3 port=8443 ipv4hint=127.0.0.10
svc2      IN SVCB  0 svc
naptr     IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.test.
10        IN PTR   host
moved     IN DNAME host.example.test.
*.wild    IN A     127.0.0.12
*.wild    IN TXT   "wildcard"
deep.ent  IN A     127.0.0.7
sub       IN NS    ns.sub
sub       IN NS    ns.outside.test.
ns.sub    IN A     127.0.0.13
sub       IN DS    12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE3C8B8DE0C3F2E56E8C3F3A9B
big       IN TXT   "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
big       IN TXT   "111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
big       IN TXT   "222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222"
big       IN TXT   "333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333"
big       IN TXT   "444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444"
big       IN TXT   "555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555"
"""

# (name, type, extra dig options); every record type in the zone, NXDOMAIN, NODATA, a
# referral, wildcards, CNAME and DNAME chains, EDNS, and a truncated answer.
QUERIES = [
    ("example.test", "SOA", []),
    ("example.test", "NS", []),
    ("example.test", "A", []),
    ("example.test", "MX", []),
    ("example.test", "TXT", []),
    ("example.test", "CAA", []),
    ("example.test", "DNSKEY", []),
    ("www.example.test", "A", []),
    ("www.example.test", "CNAME", []),
    ("alias.example.test", "AAAA", []),
    ("host.example.test", "AAAA", []),
    ("host.example.test", "SSHFP", []),
    ("_sip._tcp.example.test", "SRV", []),
    ("_443._tcp.www.example.test", "TLSA", []),
    ("svc.example.test", "HTTPS", []),
    ("svc2.example.test", "SVCB", []),
    ("naptr.example.test", "NAPTR", []),
    ("10.example.test", "PTR", []),
    ("x.moved.example.test", "A", []),
    ("moved.example.test", "DNAME", []),
    ("nope.example.test", "A", []),
    ("host.example.test", "MX", []),
    ("ent.example.test", "A", []),
    ("anything.wild.example.test", "A", []),
    ("a.b.wild.example.test", "TXT", []),
    ("c.wild.example.test", "AAAA", []),
    ("sub.example.test", "A", []),
    ("deep.host.sub.example.test", "AAAA", []),
    ("sub.example.test", "DS", []),
    ("example.test", "A", ["+edns=0", "+bufsize=4096"]),
    ("example.test", "A", ["+noedns"]),
    ("www.other.test", "A", []),
    ("big.example.test", "TXT", ["+noedns", "+ignore"]),
    ("big.example.test", "TXT", ["+noedns"]),
    ("big.example.test", "TXT", ["+bufsize=1232"]),
]

RECORD = re.compile(r"^(\S+)\s+(\d+)\s+(IN|CH|HS|CLASS\d+)\s+(\S+)\s*(.*)$")


def normalise(output):
    """Status, the AA/TC flags and each section's records, sorted (order within a
    section carries no meaning for RRsets)."""
    status = re.search(r"status: (\w+)", output)
    flags = re.search(r"flags:([^;]*);", output, re.IGNORECASE)
    sections = {}
    current = None
    for line in output.splitlines():
        m = re.match(r";; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:", line, re.IGNORECASE)
        if m:
            current = m.group(1).upper()
            sections[current] = []
            continue
        if not line or line.startswith(";"):
            if not line:
                current = None
            continue
        rec = RECORD.match(line)
        if current and rec:
            sections[current].append(" ".join(rec.group(i) for i in range(1, 6)).lower())
    flag_set = set(flags.group(1).split()) if flags else set()
    return {
        "status": status.group(1) if status else None,
        "aa": "aa" in flag_set,
        "tc": "tc" in flag_set,
        "sections": {k: sorted(v) for k, v in sections.items()},
    }


def ask(tool, server, name, rtype, extra, tcp):
    host, port = server
    if tool == "dig":
        cmd = ["dig", f"@{host}", "-p", str(port), name, rtype, "+norecurse", "+time=2",
               "+tries=2", "+nocookie"] + extra + (["+tcp"] if tcp else [])
    else:
        # kdig (3.2) shows a truncated UDP answer as it is; dig's +ignore has no
        # counterpart and is not needed.
        kextra = [e for e in extra if e != "+ignore"]
        kextra = [e for e in kextra if not e.startswith("+edns=")] + (
            ["+edns"] if any(e.startswith("+edns=") for e in extra) else [])
        cmd = ["kdig", f"@{host}", "-p", str(port), name, rtype, "+norecurse", "+time=2",
               "+retry=1", "+nocookie"] + kextra + (["+tcp"] if tcp else [])
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    return out.stdout + out.stderr


def wait_for(server, tries=50):
    for _ in range(tries):
        out = ask("dig", server, "example.test", "SOA", [], False)
        if "status: NOERROR" in out:
            return True
        time.sleep(0.2)
    return False


def start(cmd, log):
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)


def stop(proc):
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main():
    ours_bin, our_dig, work = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    work.mkdir(parents=True, exist_ok=True)
    (work / "nsd").mkdir(exist_ok=True)
    zone_file = work / "example.test.zone"
    zone_file.write_text(ZONE)
    (work / "nsd.conf").write_text(f"""server:
  ip-address: {NSD[0]}@{NSD[1]}
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  rrl-ratelimit: 0
  zonesdir: "{work}"
  database: ""
  zonelistfile: "{work}/nsd/zone.list"
  xfrdfile: "{work}/nsd/xfrd.state"
  xfrdir: "{work}/nsd"
  pidfile: "{work}/nsd.pid"
  logfile: "{work}/nsd.log"
remote-control:
  control-enable: no
zone:
  name: "example.test."
  zonefile: "example.test.zone"
""")
    log = open(work / "servers.log", "w")
    ours = nsd = None
    failures = []
    compared = 0
    try:
        ours = start([ours_bin, "--listen", f"{OURS[0]}:{OURS[1]}", str(zone_file)], log)
        nsd = start(["nsd", "-d", "-c", str(work / "nsd.conf")], log)
        if not wait_for(OURS):
            sys.exit(f"our server did not answer; see {work}/servers.log")
        if not wait_for(NSD):
            sys.exit(f"nsd did not answer; see {work}/servers.log and nsd.log")
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                for name, rtype, extra in QUERIES:
                    if tcp and "+ignore" in extra:
                        continue
                    a = normalise(ask(tool, OURS, name, rtype, extra, tcp))
                    b = normalise(ask(tool, NSD, name, rtype, extra, tcp))
                    compared += 1
                    what = f"{tool} {'TCP' if tcp else 'UDP'} {name} {rtype} {' '.join(extra)}"
                    if a["status"] is None:
                        failures.append(f"{what}: no answer from our server")
                    elif a != b:
                        failures.append(f"{what}:\n    ours: {a}\n    nsd:  {b}")
        # The answers must also be the right ones, not merely the same as nsd's.
        must = [
            (("www.example.test", "A", []), "NOERROR", "www.example.test. 300 in cname host.example.test."),
            (("nope.example.test", "A", []), "NXDOMAIN", None),
            (("anything.wild.example.test", "A", []), "NOERROR", "anything.wild.example.test. 300 in a 127.0.0.12"),
        ]
        for (name, rtype, extra), status, record in must:
            got = normalise(ask("dig", OURS, name, rtype, extra, False))
            if got["status"] != status or (record and record not in got["sections"].get("ANSWER", [])):
                failures.append(f"{name} {rtype}: expected {status} {record or ''}, got {got}")
        tc = normalise(ask("dig", OURS, "big.example.test", "TXT", ["+noedns", "+ignore"], False))
        if not tc["tc"]:
            failures.append(f"big TXT over UDP without EDNS is not truncated: {tc}")
        full = normalise(ask("dig", OURS, "big.example.test", "TXT", ["+noedns"], False))
        if len(full["sections"].get("ANSWER", [])) != 6:
            failures.append(f"big TXT retried over TCP is not complete: {full}")
        badvers = normalise(ask("dig", OURS, "example.test", "A", ["+edns=1", "+noednsneg"], False))
        if badvers["status"] != "BADVERS":
            failures.append(f"EDNS version 1 is not answered BADVERS: {badvers}")
        # Our stub client against nsd, compared with kdig against nsd.
        for name, rtype, extra in QUERIES:
            if extra:
                continue
            for tcp in (False, True):
                host, port = NSD
                theirs = subprocess.run(
                    ["kdig", f"@{host}", "-p", str(port), name, rtype, "+norecurse", "+generic",
                     "+nocookie", "+edns", "+bufsize=1232", "+time=2", "+retry=1"] + (["+tcp"] if tcp else []),
                    capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
                mine = subprocess.run(
                    # +no0x20: nsd compresses RDATA names against the question, so a
                    # mixed-case query would come back with mixed-case RDATA names.
                    [our_dig, f"@{host}:{port}", name, rtype, "+norecurse", "+generic", "+no0x20"]
                    + (["+tcp"] if tcp else []),
                    capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
                a, b = normalise(mine.stdout + mine.stderr), normalise(theirs.stdout)
                compared += 1
                what = f"stub client {'TCP' if tcp else 'UDP'} {name} {rtype} against nsd"
                if a["status"] is None:
                    failures.append(f"{what}: no answer: {mine.stdout}{mine.stderr}")
                elif a != b:
                    failures.append(f"{what}:\n    ours: {a}\n    kdig: {b}")
    finally:
        stop(ours)
        stop(nsd)
        log.close()
    print(f"dns: {compared} queries compared with nsd (dig, kdig and our stub client; UDP and TCP)")
    for f in failures:
        print("MISMATCH", f)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
