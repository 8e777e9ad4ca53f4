//! Any bytes as one SMTP command line: the first byte picks the parse options
//! (bit 0 SMTPUTF8 in effect, bit 1 a space after `FROM:`/`TO:`, bit 2 lenient
//! HELO), the rest is the line without its CRLF. Parsing never panics; what
//! parses with the default options parses the same with any leniency; a parsed
//! line holds no CR, LF or NUL; and a parsed command writes exactly one line
//! that parses back, with the same options, to the same command.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_codec::address::Domain;
use smtp_codec::command::{Command, CommandOptions};

fn options(bits: u8) -> CommandOptions {
    let mut o = CommandOptions::default();
    o.smtputf8 = bits & 1 != 0;
    o.allow_space_after_colon = bits & 2 != 0;
    o.lenient_helo = bits & 4 != 0;
    o
}

/// Everything a user can read from a command, as plain data.
fn read_all(cmd: &Command<'_>) -> String {
    let mut s = format!("{cmd:?} {cmd} {}", cmd.verb());
    match cmd {
        Command::Mail { from, params } => {
            if let Some(m) = from {
                s += &format!("{m} {} {}", m.local_part(), m.domain());
            }
            for p in params.other.iter() {
                s += &format!(" {}={:?}", p.keyword, p.value);
            }
        }
        Command::Rcpt { to, params } => {
            s += &to.to_string();
            for p in params.other.iter() {
                s += &format!(" {}={:?}", p.keyword, p.value);
            }
        }
        _ => {}
    }
    s
}

fn check(line: &[u8], opts: &CommandOptions) -> Option<String> {
    let cmd = Command::parse_with(line, opts).ok()?;
    assert!(
        !line.iter().any(|&c| matches!(c, b'\r' | b'\n' | 0)),
        "a line with CR, LF or NUL parsed: {cmd:?}"
    );
    let seen = read_all(&cmd);
    // Lenient HELO keeps any printable word as a name, which a client
    // could not send: writing refuses it.
    if let Command::Helo(d @ Domain::Name(_)) | Command::Ehlo(d @ Domain::Name(_)) = &cmd
        && opts.lenient_helo
        && d.validate(true).is_err()
    {
        let mut out = Vec::new();
        assert!(cmd.write(&mut out).is_err() && out.is_empty());
        return Some(seen);
    }
    let mut out = Vec::new();
    cmd.write(&mut out)
        .unwrap_or_else(|e| panic!("{cmd:?} parsed but cannot be written: {e}"));
    let written = out
        .strip_suffix(b"\r\n")
        .expect("a written command ends in CRLF");
    assert!(
        !written.iter().any(|&c| matches!(c, b'\r' | b'\n' | 0)),
        "{cmd:?} wrote more than one line"
    );
    assert_eq!(
        Command::parse_with(written, opts),
        Ok(cmd),
        "written as {:?}",
        String::from_utf8_lossy(written)
    );
    Some(seen)
}

fuzz_target!(|data: &[u8]| {
    let Some((&bits, line)) = data.split_first() else {
        return;
    };
    let strict = check(line, &CommandOptions::default());
    let lenient = check(line, &options(bits));
    if strict.is_some() {
        assert_eq!(
            lenient, strict,
            "a leniency changed what a strict line means"
        );
    }
});
