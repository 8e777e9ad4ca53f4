//! Send one message over SMTP.
//!
//! ```text
//! cargo run -p smtp-codec --features tokio --example send -- \
//!     --server 127.0.0.1:2525 --from a@example.org --to b@example.net \
//!     --subject "Hello" --body "Hi there"
//! cargo run -p smtp-codec --features tokio --example send -- \
//!     --server 127.0.0.1:2525 --from a@example.org --to b@example.net --to c@example.net \
//!     --file message.eml [--helo client.example] [--auth user:pass] [--no-pipelining] [--no-chunking]
//! ```
//!
//! With `--file` the file is sent as it is (LF line ends become CRLF);
//! otherwise a message is built with From, To, Subject, Date and a
//! Message-ID. Prints each recipient's reply and the final reply; exits
//! non-zero when the message was not accepted.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use smtp_codec::client::{AuthCredentials, ClientConfig, Envelope};
use smtp_codec::message::{Mailbox, MessageBuilder, message_id};
use smtp_codec::tokio::send_mail;

fn usage() -> ExitCode {
    eprintln!(
        "usage: send --server HOST:PORT --from ADDR --to ADDR [--to ADDR...] \
         (--file PATH | [--subject TEXT] [--body TEXT]) [--helo NAME] [--auth USER:PASS] \
         [--no-pipelining] [--no-chunking]"
    );
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let (mut server, mut from, mut to, mut file) = (None, None, Vec::new(), None);
    let (mut subject, mut body) = (String::from("Test"), String::from("Test message\n"));
    let mut config = ClientConfig::new("localhost");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--no-pipelining" => {
                config.pipelining = false;
                continue;
            }
            "--no-chunking" => {
                config.chunking = false;
                continue;
            }
            _ => {}
        }
        let Some(v) = args.next() else { return usage() };
        match a.as_str() {
            "--server" => server = Some(v),
            "--from" => from = Some(v),
            "--to" => to.push(v),
            "--file" => file = Some(v),
            "--subject" => subject = v,
            "--body" => body = v,
            "--helo" => config.helo_name = v,
            "--auth" => match v.split_once(':') {
                Some((u, p)) => {
                    config.auth = Some(AuthCredentials {
                        username: u.into(),
                        password: p.into(),
                    });
                    // This example has no TLS; it is meant for loopback tests.
                    config.allow_plaintext_auth = true;
                }
                None => return usage(),
            },
            _ => return usage(),
        }
    }
    let (Some(server), Some(from)) = (server, from) else {
        return usage();
    };
    if to.is_empty() {
        return usage();
    }
    let message = match file {
        Some(path) => match std::fs::read(&path) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("send: {path}: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let domain = from.rsplit_once('@').map_or("localhost", |(_, d)| d);
            let unique = u128::from(now.as_nanos() as u64) << 32 | u128::from(std::process::id());
            let built = message_id(unique, domain).and_then(|id| {
                let mut b = MessageBuilder::new()
                    .from(Mailbox::new(&from))
                    .subject(&subject)
                    .date(now.as_secs() as i64, 0)
                    .message_id(&id)
                    .body(body.as_bytes());
                for t in &to {
                    b = b.to(Mailbox::new(t));
                }
                b.build()
            });
            match built {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("send: cannot build the message: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    let envelope = Envelope::new(Some(&from), &to);
    match send_mail(server.as_str(), config, envelope, message).await {
        Ok(d) => {
            for r in &d.recipients {
                println!("<{}>: {}", r.address, r.reply);
            }
            println!("{}", d.reply);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("send: {e}");
            if let smtp_codec::tokio::SendError::Smtp(
                smtp_codec::client::ClientError::AllRecipientsRefused(rs),
            ) = &e
            {
                for r in rs {
                    eprintln!("<{}>: {}", r.address, r.reply);
                }
            }
            ExitCode::FAILURE
        }
    }
}
