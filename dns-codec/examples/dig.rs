//! Asks a DNS server one question and prints the response, in dig's layout.
//!
//! ```text
//! cargo run -p dns-codec --features tokio --example dig -- [@SERVER[:PORT]] NAME [TYPE] [+tcp] [+norecurse] [+generic] [+no0x20]
//! ```
//!
//! SERVER defaults to 127.0.0.1, PORT to 53, TYPE to A. `+tcp` asks over TCP from the
//! start (otherwise UDP, then TCP if the answer is truncated); `+generic` prints every
//! RDATA in the RFC 3597 form (`\# LENGTH HEX`), as `kdig +generic` does; `+no0x20`
//! sends the name in its own case instead of a random mix (servers that compress
//! answers against the question carry that case into names inside RDATA).

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use dns_codec::client::query_with;
use dns_codec::stub::{Protocol, StubConfig};
use dns_codec::wire::{Message, Name, RData, Record, Rtype};

fn rdata_text(r: &Record<'_>, generic: bool) -> String {
    let data = r.data();
    if generic {
        let wire = data.to_wire();
        let hex: String = wire.iter().map(|b| format!("{b:02X}")).collect();
        return format!("\\# {} {hex}", wire.len());
    }
    match data {
        RData::A(a) => a.to_string(),
        RData::Aaaa(a) => a.to_string(),
        RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) | RData::Dname(n) => n.to_string(),
        RData::Mx(mx) => format!("{} {}", mx.preference, mx.exchange),
        RData::Soa(s) => format!(
            "{} {} {} {} {} {} {}",
            s.mname, s.rname, s.serial, s.refresh, s.retry, s.expire, s.minimum
        ),
        RData::Srv(s) => format!("{} {} {} {}", s.priority, s.weight, s.port, s.target),
        RData::Txt(t) => t
            .iter()
            .map(|s| format!("\"{}\"", s.escape_ascii()))
            .collect::<Vec<_>>()
            .join(" "),
        other => format!("{other:?}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut server: IpAddr = [127, 0, 0, 1].into();
    let mut port = 53u16;
    let mut name = None;
    let mut rtype = Rtype::A;
    let (mut tcp, mut recurse, mut generic, mut mix_case) = (false, true, false, true);
    for arg in std::env::args().skip(1) {
        if let Some(s) = arg.strip_prefix('@') {
            let parsed = s
                .parse::<SocketAddr>()
                .map(|a| (a.ip(), a.port()))
                .or_else(|_| s.parse::<IpAddr>().map(|ip| (ip, 53)));
            match parsed {
                Ok((ip, p)) => (server, port) = (ip, p),
                Err(_) => {
                    eprintln!("dig: bad server {s}");
                    return ExitCode::from(2);
                }
            }
        } else if arg == "+tcp" {
            tcp = true;
        } else if arg == "+norecurse" {
            recurse = false;
        } else if arg == "+generic" {
            generic = true;
        } else if arg == "+no0x20" {
            mix_case = false;
        } else if name.is_none() {
            match arg.parse::<Name>() {
                Ok(n) => name = Some(n),
                Err(e) => {
                    eprintln!("dig: bad name {arg}: {e}");
                    return ExitCode::from(2);
                }
            }
        } else {
            let t = Rtype::from_mnemonic(&arg).or_else(|| {
                arg.strip_prefix("TYPE")
                    .and_then(|n| n.parse().ok())
                    .map(Rtype)
            });
            match t {
                Some(t) => rtype = t,
                None => {
                    eprintln!("dig: unknown type {arg}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    let Some(name) = name else {
        eprintln!(
            "usage: dig [@SERVER[:PORT]] NAME [TYPE] [+tcp] [+norecurse] [+generic] [+no0x20]"
        );
        return ExitCode::from(2);
    };
    let target = SocketAddr::new(server, port);
    let mut config = StubConfig::new(vec![target]);
    config.recursion_desired = recurse;
    config.case_randomization = mix_case;
    if tcp {
        config.start_protocol = Protocol::Tcp;
    }
    let response = match query_with(config, &name, rtype).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("dig: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Ok(msg) = Message::parse(&response) else {
        eprintln!("dig: the response does not parse");
        return ExitCode::FAILURE;
    };
    let h = msg.header();
    println!(
        ";; ->>HEADER<<- opcode: {}; status: {}; id: {}",
        h.opcode,
        msg.rcode(),
        h.id
    );
    let flags: Vec<&str> = [
        (h.qr, "qr"),
        (h.aa, "aa"),
        (h.tc, "tc"),
        (h.rd, "rd"),
        (h.ra, "ra"),
        (h.ad, "ad"),
        (h.cd, "cd"),
    ]
    .into_iter()
    .filter_map(|(on, f)| on.then_some(f))
    .collect();
    let c = msg.counts();
    println!(
        ";; Flags: {}; QUERY: {}; ANSWER: {}; AUTHORITY: {}; ADDITIONAL: {}",
        flags.join(" "),
        c[0],
        c[1],
        c[2],
        c[3]
    );
    if let Some(e) = msg.edns() {
        println!(
            ";; EDNS: version {}; udp: {}",
            e.version, e.udp_payload_size
        );
    }
    for (title, records) in [
        ("ANSWER", msg.answers()),
        ("AUTHORITY", msg.authority()),
        ("ADDITIONAL", msg.additional()),
    ] {
        let records: Vec<_> = records.filter(|r| r.rtype != Rtype::OPT).collect();
        if records.is_empty() {
            continue;
        }
        println!("\n;; {title} SECTION:");
        for r in records {
            let rtype = if generic {
                format!("TYPE{}", r.rtype.0)
            } else {
                r.rtype.to_string()
            };
            println!(
                "{}\t{}\t{}\t{}\t{}",
                r.name,
                r.ttl,
                r.class,
                rtype,
                rdata_text(&r, generic)
            );
        }
    }
    ExitCode::SUCCESS
}
