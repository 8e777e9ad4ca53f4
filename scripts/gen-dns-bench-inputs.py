#!/usr/bin/env python3
"""Writes the DNS benchmark inputs in benches/data/ with dnspython (an independent
implementation, so the bench does not parse bytes our own builder wrote).

    python3 -m venv /tmp/dnspy && /tmp/dnspy/bin/pip install dnspython
    /tmp/dnspy/bin/python scripts/gen-dns-bench-inputs.py

cname-chain.bin: a CDN-style answer, www.microsoft.com A through three CNAMEs (217 bytes).
referral.bin: a root server's referral to com. with 13 NS and their A and AAAA glue.
"""
import dns.message, dns.rrset, dns.flags, dns.edns
from pathlib import Path

out = Path(__file__).resolve().parent.parent / "benches" / "data"
out.mkdir(parents=True, exist_ok=True)

q = dns.message.make_query("www.microsoft.com.", "A", use_edns=0, payload=1232)
q.id = 0x4C2B
r = dns.message.make_response(q)
r.flags |= dns.flags.RA
chain = [
    ("www.microsoft.com.", "CNAME", "www.microsoft.com-c-3.edgekey.net."),
    ("www.microsoft.com-c-3.edgekey.net.", "CNAME", "www.microsoft.com-c-3.edgekey.net.globalredir.akadns.net."),
    ("www.microsoft.com-c-3.edgekey.net.globalredir.akadns.net.", "CNAME", "e13678.dscd2204.akamaiedge.net."),
    ("e13678.dscd2204.akamaiedge.net.", "A", "23.55.161.93"),
]
for owner, rtype, data in chain:
    r.answer.append(dns.rrset.from_text(owner, 3600 if rtype == "CNAME" else 20, "IN", rtype, data))
wire = r.to_wire()
(out / "cname-chain.bin").write_bytes(wire)
print("cname-chain.bin", len(wire))

q = dns.message.make_query("www.example.com.", "A", use_edns=0, payload=4096, want_dnssec=False)
q.flags &= ~dns.flags.RD
q.id = 0x1D2E
r = dns.message.make_response(q)
r.flags &= ~dns.flags.AA
letters = "abcdefghijklm"
v4 = ["192.5.6.30", "192.33.14.30", "192.26.92.30", "192.31.80.30", "192.12.94.30", "192.35.51.30",
      "192.42.93.30", "192.54.112.30", "192.43.172.30", "192.48.79.30", "192.52.178.30", "192.41.162.30", "192.55.83.30"]
v6 = ["2001:503:a83e::2:30", "2001:503:231d::2:30", "2001:503:83eb::30", "2001:500:856e::30", "2001:502:1ca1::30",
      "2001:503:d414::30", "2001:503:eea3::30", "2001:502:8cc::30", "2001:503:39c1::30", "2001:502:7094::30",
      "2001:503:d2d::30", "2001:500:d937::30", "2001:501:b1f9::30"]
r.authority.append(dns.rrset.from_text_list("com.", 172800, "IN", "NS", [f"{l}.gtld-servers.net." for l in letters]))
for l, a, aaaa in zip(letters, v4, v6):
    r.additional.append(dns.rrset.from_text(f"{l}.gtld-servers.net.", 172800, "IN", "A", a))
    r.additional.append(dns.rrset.from_text(f"{l}.gtld-servers.net.", 172800, "IN", "AAAA", aaaa))
wire = r.to_wire()
(out / "referral.bin").write_bytes(wire)
print("referral.bin", len(wire))
