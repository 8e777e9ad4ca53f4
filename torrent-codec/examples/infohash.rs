//! Prints the info-hashes of torrent files, read as libtorrent reads them.
//!
//! ```text
//! cargo run -p torrent-codec --example infohash -- FILE.torrent...
//! ```
//!
//! One line per file, tab-separated: path, v1 info-hash (SHA-1 of the raw `info` span,
//! or `-` when the torrent has no v1 `pieces`), v2 info-hash (SHA-256, or `-` when
//! `meta version` is not 2), and what the tolerant decoder let through (or `-`).
//! A file that does not decode prints `error: ...` in the second column.

use sha1::{Digest, Sha1};
use sha2::Sha256;
use torrent_codec::bencode::Decoder;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() {
    for path in std::env::args().skip(1) {
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) => {
                println!("{path}\terror: {e}");
                continue;
            }
        };
        let decoded = match Decoder::tolerant().decode(&data) {
            Ok(d) => d,
            Err(e) => {
                println!("{path}\terror: {e}");
                continue;
            }
        };
        let Some(info) = decoded.value.get(b"info").and_then(|i| i.as_dict()) else {
            println!("{path}\terror: no info dictionary");
            continue;
        };
        let v1 = if info.get_bytes(b"pieces").is_some() {
            hex(&Sha1::digest(info.raw()))
        } else {
            "-".into()
        };
        let v2 = if info.get_int(b"meta version") == Some(2) {
            hex(&Sha256::digest(info.raw()))
        } else {
            "-".into()
        };
        let tolerated: Vec<String> = decoded.tolerated.iter().map(|t| t.to_string()).collect();
        let tolerated = if tolerated.is_empty() {
            "-".into()
        } else {
            tolerated.join("; ")
        };
        println!("{path}\t{v1}\t{v2}\t{tolerated}");
    }
}
