//! Serves zone files authoritatively over UDP and TCP.
//!
//! ```text
//! cargo run -p dns-codec --features tokio --example authoritative -- [--listen ADDR] [--udp-workers N] ZONEFILE...
//! ```
//!
//! ADDR defaults to 127.0.0.1:5300; N (tasks reading the UDP socket) to the CPU count. `$INCLUDE` is allowed for files in the same
//! directory as the zone file that names them (never outside it). Ctrl-C stops the
//! server gracefully.

use std::net::SocketAddr;
use std::path::{Component, Path};
use std::process::ExitCode;
use std::sync::Arc;

use dns_codec::auth::{Catalog, Zone};
use dns_codec::server::{Server, ServerConfig};
use dns_codec::zone::{ZoneOptions, parse_zone_with_includes};

fn load(path: &Path) -> Result<Zone, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut include = |file: &str| -> Result<String, String> {
        let rel = Path::new(file);
        if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err("only files beside the zone file may be included".into());
        }
        std::fs::read_to_string(dir.join(rel)).map_err(|e| e.to_string())
    };
    let records = parse_zone_with_includes(&text, &ZoneOptions::default(), &mut include)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Zone::new(records).map_err(|e| format!("{}: {e}", path.display()))
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut listen: SocketAddr = "127.0.0.1:5300".parse().expect("valid default");
    let mut zones = Vec::new();
    let mut config = ServerConfig::default();
    while let Some(arg) = args.next() {
        if arg == "--udp-workers" {
            match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => config.udp_workers = n,
                None => {
                    eprintln!("authoritative: --udp-workers needs a number");
                    return ExitCode::from(2);
                }
            }
            continue;
        }
        if arg == "--listen" {
            match args.next().map(|a| a.parse()) {
                Some(Ok(addr)) => listen = addr,
                _ => {
                    eprintln!("authoritative: --listen needs ADDR:PORT");
                    return ExitCode::from(2);
                }
            }
        } else {
            match load(Path::new(&arg)) {
                Ok(zone) => zones.push(zone),
                Err(e) => {
                    eprintln!("authoritative: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    if zones.is_empty() {
        eprintln!("usage: authoritative [--listen ADDR] ZONEFILE...");
        return ExitCode::from(2);
    }
    let names: Vec<String> = zones.iter().map(|z| z.apex().to_string()).collect();
    let catalog = match Catalog::new(zones) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("authoritative: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = match Server::bind(listen, catalog, config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("authoritative: bind {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "serving {} on {} (UDP and TCP)",
        names.join(" "),
        server.local_addr()
    );
    let stopped = server
        .run_until(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match stopped {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("authoritative: {e}");
            ExitCode::FAILURE
        }
    }
}
