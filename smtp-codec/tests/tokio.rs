//! The tokio server and client over loopback TCP.
#![cfg(feature = "tokio")]

use std::sync::{Arc, Mutex};

use smtp_codec::client::{AuthCredentials, ClientConfig, ClientError, Envelope};
use smtp_codec::reply::{EnhancedCode, OwnedReply, ReplyCode};
use smtp_codec::sasl::Credentials;
use smtp_codec::server::{AuthMechanism, MailRequest, RcptRequest, ServerConfig, Transaction};
use smtp_codec::tokio::{Client, Decision, Handler, SendError, SessionInfo, send_mail, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Default)]
struct Collect {
    messages: Arc<Mutex<Vec<Transaction>>>,
}

impl Handler for Collect {
    async fn rcpt(&self, rcpt: &RcptRequest, _mail: &MailRequest, _info: &SessionInfo) -> Decision {
        if rcpt.to.starts_with("nobody@") {
            Decision::Reject(OwnedReply {
                code: ReplyCode::new(550).unwrap(),
                enhanced: Some(EnhancedCode::new(5, 1, 1)),
                lines: vec!["No such user here".into()],
            })
        } else {
            Decision::Accept
        }
    }

    async fn auth(&self, _m: AuthMechanism, c: &Credentials, _info: &SessionInfo) -> bool {
        c.username == "user" && c.password == "pw"
    }

    async fn message(&self, tx: Transaction, _info: &SessionInfo) -> Decision {
        self.messages.lock().unwrap().push(tx);
        Decision::Accept
    }
}

async fn start(config: ServerConfig) -> (std::net::SocketAddr, Collect) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let h = Collect::default();
    let h2 = h.clone();
    tokio::spawn(async move { serve(listener, config, h2).await });
    (addr, h)
}

#[tokio::test]
async fn several_messages_over_one_connection() {
    let (addr, h) = start(ServerConfig::new("mx.test")).await;
    let mut c = Client::connect(addr, ClientConfig::new("client.test"))
        .await
        .unwrap();
    assert!(c.capabilities().pipelining && c.capabilities().chunking);
    let big: Vec<u8> = (0..200_000)
        .flat_map(|i| format!(".line {i}\r\n").into_bytes())
        .collect();
    let d = c
        .send(
            Envelope::new(
                Some("a@example.org"),
                ["b@example.net", "nobody@example.net"],
            ),
            big.clone(),
        )
        .await
        .unwrap();
    assert!(d.recipients[0].accepted());
    assert_eq!(
        d.recipients[1].reply.to_string(),
        "550 5.1.1 No such user here"
    );
    match c
        .send(
            Envelope::new(Some("a@example.org"), ["nobody@example.net"]),
            b"x\r\n".to_vec(),
        )
        .await
    {
        Err(SendError::Smtp(ClientError::AllRecipientsRefused(rs))) => assert_eq!(rs.len(), 1),
        other => panic!("{other:?}"),
    }
    c.send(
        Envelope::new(None, ["c@example.net"]),
        b"bounce\r\n".to_vec(),
    )
    .await
    .unwrap();
    c.quit().await.unwrap();
    let m = h.messages.lock().unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].body, big);
    assert_eq!(m[1].mail.from, None);
}

#[tokio::test]
async fn data_path_and_auth() {
    let mut config = ServerConfig::new("mx.test");
    config.capabilities.chunking = false;
    config.capabilities.auth = ["PLAIN", "LOGIN"].into();
    config.auth_requires_tls = false;
    config.require_auth = true;
    let (addr, h) = start(config).await;
    let mut cc = ClientConfig::new("client.test");
    cc.auth = Some(AuthCredentials {
        username: "user".into(),
        password: "pw".into(),
    });
    cc.allow_plaintext_auth = true;
    send_mail(
        addr,
        cc.clone(),
        Envelope::new(Some("a@example.org"), ["b@example.net"]),
        b".\r\n..\r\n".to_vec(),
    )
    .await
    .unwrap();
    cc.auth = Some(AuthCredentials {
        username: "user".into(),
        password: "bad".into(),
    });
    match send_mail(
        addr,
        cc,
        Envelope::new(Some("a@example.org"), ["b@example.net"]),
        Vec::new(),
    )
    .await
    {
        Err(SendError::Smtp(ClientError::Auth(r))) => assert_eq!(r.code.get(), 535),
        other => panic!("{other:?}"),
    }
    let m = h.messages.lock().unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].body, b".\r\n..\r\n");
    assert_eq!(m[0].authenticated.as_deref(), Some("user"));
}

/// A raw client smuggling a second transaction behind a bare-LF "end".
#[tokio::test]
async fn smuggled_end_of_data_is_refused_over_tcp() {
    let (addr, h) = start(ServerConfig::new("mx.test")).await;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"EHLO x.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n\
          hello\n.\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nforged\r\n.\r\nQUIT\r\n",
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("521 5.5.2"), "{text}");
    assert!(h.messages.lock().unwrap().is_empty());
}
