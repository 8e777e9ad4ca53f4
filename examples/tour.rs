//! A tour of applayer: each protocol crate shows its main job on real data.
//!
//! ```text
//! cargo run --release --example tour              # uses examples/data/sample.torrent
//! cargo run --release --example tour -- FILE.torrent
//! ```
//!
//! Sections:
//! 1. BitTorrent: read a `.torrent` file (tolerant bencode, as libtorrent reads them),
//!    print its name, files, piece count and info-hash(es).
//! 2. DNS: load a small zone, start the authoritative server on loopback, ask it a few
//!    questions with the stub client over UDP and TCP, and print the answers.
//! 3. HTTP/1.1: serve a small page on loopback and fetch it, and a missing page, over
//!    one persistent connection, printing each response's status.
//! 4. Mail: start an SMTP sink on loopback that stores each message as an `.eml` file,
//!    send it a message with the SMTP client, and print the stored message's headers.

use std::path::PathBuf;
use std::process::ExitCode;

use applayer::torrent_codec::bencode::{Decoder, Dict, Value};
use sha1::{Digest, Sha1};
use sha2::Sha256;

fn main() -> ExitCode {
    let torrent = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/data/sample.torrent")
        });
    if let Err(e) = torrent_section(&torrent) {
        eprintln!("tour: {}: {e}", torrent.display());
        return ExitCode::FAILURE;
    }
    println!();
    if let Err(e) = dns_section() {
        eprintln!("tour: DNS: {e}");
        return ExitCode::FAILURE;
    }
    println!();
    if let Err(e) = http_section() {
        eprintln!("tour: HTTP: {e}");
        return ExitCode::FAILURE;
    }
    println!();
    if let Err(e) = mail_section() {
        eprintln!("tour: mail: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Section 4: an SMTP sink on loopback storing `.eml` files, the SMTP client
/// sending it a message, and the stored headers read back.
fn mail_section() -> Result<(), String> {
    use applayer::smtp_codec::client::{ClientConfig, Envelope};
    use applayer::smtp_codec::message::{
        HeaderBlock, Mailbox, MessageBuilder, format_date, message_id,
    };
    use applayer::smtp_codec::server::{ServerConfig, Transaction};
    use applayer::smtp_codec::tokio::{Decision, Handler, SessionInfo, send_mail, serve};
    use applayer::smtp_codec::trace::trace_headers;
    use std::io::Write;
    use std::time::{SystemTime, UNIX_EPOCH};

    /// Stores each message with its trace fields, synced before the 250.
    struct Sink {
        dir: PathBuf,
    }
    impl Handler for Sink {
        async fn message(&self, tx: Transaction, info: &SessionInfo) -> Decision {
            let unix = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let date = format_date(unix, 0).unwrap_or_default();
            let head = trace_headers(&tx, Some(info.peer.ip()), "sink.tour.test", "1", &date);
            let stored = std::fs::File::create(self.dir.join("1.eml")).and_then(|mut f| {
                f.write_all(head.as_bytes())?;
                f.write_all(&tx.body)?;
                f.sync_all()
            });
            match stored {
                Ok(()) => Decision::Accept,
                Err(_) => Decision::Refuse,
            }
        }
    }

    println!("== Mail: an SMTP sink on loopback, a message sent to it, its stored headers ==");
    let dir = std::env::temp_dir().join(format!("applayer-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let result = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let server = tokio::spawn(serve(
            listener,
            ServerConfig::new("sink.tour.test"),
            Sink { dir: dir.clone() },
        ));
        println!("sink on smtp://{addr}, storing into {}", dir.display());
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let id = message_id(
            u128::from(std::process::id()) << 64 | unix as u128,
            "tour.test",
        )
        .map_err(|e| e.to_string())?;
        let message = MessageBuilder::new()
            .from(Mailbox::with_name("Tour Guide", "guide@tour.test"))
            .to(Mailbox::new("reader@tour.test"))
            .subject("Grüße from the applayer tour")
            .date(unix, 0)
            .message_id(&id)
            .body("Hello!\n.A line that starts with a dot survives dot-stuffing.\n")
            .build()
            .map_err(|e| e.to_string())?;
        let delivery = send_mail(
            addr,
            ClientConfig::new("client.tour.test"),
            Envelope::new(Some("guide@tour.test"), ["reader@tour.test"]),
            message,
        )
        .await
        .map_err(|e| e.to_string())?;
        println!("sent: {}", delivery.reply);
        server.abort();
        Ok::<(), String>(())
    });
    let stored = result.and_then(|()| {
        std::fs::read(dir.join("1.eml")).map_err(|e| format!("reading the stored message: {e}"))
    });
    let _ = std::fs::remove_dir_all(&dir);
    let stored = stored?;
    let block = HeaderBlock::parse(&stored).map_err(|e| e.to_string())?;
    println!("stored message headers:");
    for field in block.fields() {
        let value = String::from_utf8_lossy(field.raw_value());
        println!(
            "  {}: {}",
            field.name(),
            value.trim().replace("\r\n\t", "\n      ")
        );
    }
    let subject = block
        .subject()
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    println!("decoded subject: {subject}");
    println!("body: {:?}", String::from_utf8_lossy(block.body()));
    Ok(())
}

/// Section 3: an HTTP/1.1 server on loopback and one keep-alive client connection.
fn http_section() -> Result<(), String> {
    use applayer::http_codec::client::Connection;
    use applayer::http_codec::server::{Request, Response, ServeConfig, serve_with};

    println!("== HTTP/1.1: a page served on loopback, fetched over one connection ==");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_with(
            listener,
            ServeConfig::default(),
            |req: Request| async move {
                match req.head().target() {
                    "/" | "/index.html" => Response::new(200)
                        .header("content-type", "text/html; charset=utf-8")
                        .body(
                            "<!doctype html><title>applayer</title><p>Hello from http-codec.</p>\n",
                        ),
                    _ => Response::new(404)
                        .header("content-type", "text/plain")
                        .body("not found\n"),
                }
            },
            async {
                let _ = stopped.await;
            },
        ));
        println!("server on http://{addr}");
        let mut conn = Connection::connect(&addr.to_string())
            .await
            .map_err(|e| e.to_string())?;
        for path in ["/", "/missing", "/index.html"] {
            let response = conn
                .fetch("GET", path, &[], Default::default())
                .await
                .map_err(|e| e.to_string())?;
            let reason = String::from_utf8_lossy(response.head.reason()).into_owned();
            println!(
                "GET {path:<12} -> {} {reason} ({} bytes), connection reusable: {}",
                response.head.status(),
                response.body.len(),
                conn.is_reusable()
            );
        }
        let _ = stop.send(());
        server
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    })
}

const TOUR_ZONE: &str = r#"
$ORIGIN tour.test.
$TTL 300
@     SOA   ns hostmaster 2026112201 7200 3600 1209600 60
@     NS    ns
@     MX    10 mail
ns    A     127.0.0.53
mail  A     127.0.0.25
www   CNAME web
web   A     127.0.0.80
web   AAAA  ::1
*.dev TXT   "any name under dev answers"
"#;

/// Section 2: an authoritative server on loopback, queried over UDP and TCP.
fn dns_section() -> Result<(), String> {
    use std::sync::Arc;

    use applayer::dns_codec::auth::{Catalog, Zone};
    use applayer::dns_codec::client::query_with;
    use applayer::dns_codec::server::{Server, ServerConfig};
    use applayer::dns_codec::stub::{Protocol, StubConfig};
    use applayer::dns_codec::wire::{Message, Name, RData, Rtype};
    use applayer::dns_codec::zone::{ZoneOptions, parse_zone};

    println!("== DNS: authoritative server for tour.test. on loopback ==");
    let records = parse_zone(TOUR_ZONE, &ZoneOptions::default()).map_err(|e| e.to_string())?;
    let zone = Zone::new(records).map_err(|e| e.to_string())?;
    let catalog = Arc::new(Catalog::new(vec![zone]).map_err(|e| e.to_string())?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let server = Server::bind(
            "127.0.0.1:0".parse().expect("address"),
            catalog,
            ServerConfig::default(),
        )
        .await
        .map_err(|e| e.to_string())?;
        let addr = server.local_addr();
        println!("listening:   {addr} (UDP and TCP)");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(server.run_until(async {
            let _ = stopped.await;
        }));

        let show =
            |transport: &str, name: &str, qtype: Rtype, reply: &[u8]| -> Result<(), String> {
                let msg = Message::parse(reply).map_err(|e| e.to_string())?;
                let h = msg.header();
                println!(
                    "{transport} {name} {qtype}: {}{}",
                    msg.rcode(),
                    if h.aa { ", authoritative" } else { "" }
                );
                for r in msg.answers().chain(msg.authority()) {
                    let data = match r.data() {
                        RData::A(a) => a.to_string(),
                        RData::Aaaa(a) => a.to_string(),
                        RData::Cname(n) | RData::Ns(n) => n.to_string(),
                        RData::Mx(mx) => format!("{} {}", mx.preference, mx.exchange),
                        RData::Soa(s) => format!("{} {} serial {}", s.mname, s.rname, s.serial),
                        RData::Txt(t) => t
                            .iter()
                            .map(|s| format!("{:?}", String::from_utf8_lossy(s)))
                            .collect::<Vec<_>>()
                            .join(" "),
                        other => format!("{other:?}"),
                    };
                    println!(
                        "    {:<28} {:>5} {:<6} {data}",
                        r.name.to_string(),
                        r.ttl,
                        r.rtype.to_string()
                    );
                }
                Ok(())
            };

        // The stub client: random id and letter case (0x20), answers matched by id,
        // question and server, retransmission with backoff, TCP when asked or after
        // a truncated answer.
        let questions = [
            ("www.tour.test", Rtype::A, Protocol::Udp),
            ("tour.test", Rtype::MX, Protocol::Udp),
            ("anything.dev.tour.test", Rtype::TXT, Protocol::Udp),
            ("missing.tour.test", Rtype::A, Protocol::Udp),
            ("web.tour.test", Rtype::AAAA, Protocol::Tcp),
        ];
        for (name, qtype, protocol) in questions {
            let mut config = StubConfig::new(vec![addr]);
            config.start_protocol = protocol;
            let qname: Name = name.parse().map_err(|e| format!("{e}"))?;
            let reply = query_with(config, &qname, qtype)
                .await
                .map_err(|e| e.to_string())?;
            let transport = if protocol == Protocol::Tcp {
                "TCP"
            } else {
                "UDP"
            };
            show(transport, name, qtype, &reply)?;
        }

        let _ = stop.send(());
        running
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        println!("server stopped");
        Ok(())
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Text from a torrent for the terminal: invalid UTF-8 replaced, control characters
/// escaped (names in the wild carry NULs and escape sequences).
fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Section 1: a torrent file's name, files, piece count and info-hash.
fn torrent_section(path: &std::path::Path) -> Result<(), String> {
    println!("== BitTorrent: {} ==", path.display());
    let data = std::fs::read(path).map_err(|e| e.to_string())?;
    let decoded = Decoder::tolerant()
        .decode(&data)
        .map_err(|e| e.to_string())?;
    for t in &decoded.tolerated {
        println!("tolerated:   {t}");
    }
    let root = decoded
        .value
        .as_dict()
        .ok_or("the top level is not a dictionary")?;
    let info = root.get_dict(b"info").ok_or("no 'info' dictionary")?;
    let meta_version = info.get_int(b"meta version").unwrap_or(1);
    if meta_version >= 2 && !decoded.tolerated.is_empty() {
        // libtorrent refuses any bencode deviation inside a v2 torrent.
        return Err(format!(
            "v2 torrent with non-canonical bencode: {}",
            decoded.tolerated[0]
        ));
    }

    let name = info.get_bytes(b"name").ok_or("no 'name' in info")?;
    println!("name:        {}", printable(name));
    if let Some(tracker) = root.get_bytes(b"announce") {
        println!("announce:    {}", printable(tracker));
    }
    let piece_length = info
        .get_int(b"piece length")
        .ok_or("no 'piece length' in info")?;
    println!("piece size:  {piece_length} bytes");

    let files = list_files(&info)?;
    let total: i64 = files.iter().map(|(_, len)| len).sum();
    println!("files:       {} ({} bytes)", files.len(), total);
    for (file, len) in files.iter().take(20) {
        println!("  {len:>12}  {file}");
    }
    if files.len() > 20 {
        println!("  ... and {} more", files.len() - 20);
    }

    let pieces = match info.get_bytes(b"pieces") {
        Some(p) => p.len() / 20,
        // v2-only: each file has its own pieces.
        None => files
            .iter()
            .map(|(_, len)| (len + piece_length - 1) / piece_length.max(1))
            .sum::<i64>() as usize,
    };
    println!("pieces:      {pieces}");

    // The info-hash is over the exact bytes of the info dictionary, as they are in the file.
    if info.get_bytes(b"pieces").is_some() {
        println!(
            "info-hash:   {} (v1, SHA-1)",
            hex(&Sha1::digest(info.raw()))
        );
    }
    if meta_version >= 2 {
        println!(
            "info-hash:   {} (v2, SHA-256)",
            hex(&Sha256::digest(info.raw()))
        );
    }
    Ok(())
}

/// `(path, length)` of each file: single-file, v1 `files` list, or v2 `file tree`.
fn list_files(info: &Dict<'_>) -> Result<Vec<(String, i64)>, String> {
    let name = printable(info.get_bytes(b"name").unwrap_or_default());
    if let Some(files) = info.get_list(b"files") {
        let mut out = Vec::new();
        for file in files {
            let file = file
                .as_dict()
                .ok_or("a 'files' entry is not a dictionary")?;
            let len = file.get_int(b"length").ok_or("a file has no 'length'")?;
            let parts: Vec<String> = file
                .get_list(b"path")
                .ok_or("a file has no 'path'")?
                .iter()
                .map(|p| printable(p.as_bytes().unwrap_or_default()))
                .collect();
            out.push((format!("{name}/{}", parts.join("/")), len));
        }
        return Ok(out);
    }
    if let Some(tree) = info.get_dict(b"file tree") {
        // Walk the nested directories with an explicit stack; a file is a dictionary
        // whose only key is the empty string.
        let mut out = Vec::new();
        let mut stack: Vec<(String, Dict<'_>)> = vec![(name, tree)];
        while let Some((prefix, dir)) = stack.pop() {
            for (key, child) in dir.iter().collect::<Vec<_>>().into_iter().rev() {
                let Value::Dict(child) = child else { continue };
                let path = format!("{prefix}/{}", printable(key));
                if key.is_empty() {
                    let len = child.get_int(b"length").unwrap_or(0);
                    out.push((prefix.clone(), len));
                } else {
                    stack.push((path, child));
                }
            }
        }
        return Ok(out);
    }
    let len = info
        .get_int(b"length")
        .ok_or("info has neither 'length' nor 'files'")?;
    Ok(vec![(name, len)])
}
