//! The tokio server over real loopback sockets: UDP, TCP with pipelined queries split
//! across writes, and graceful shutdown.
#![cfg(feature = "tokio")]

use std::sync::Arc;
use std::time::Duration;

use dns_codec::auth::{Catalog, Zone};
use dns_codec::server::{Server, ServerConfig};
use dns_codec::wire::{
    Class, Header, Message, MessageBuilder, Name, RData, Rcode, Rtype, frame_prefix,
};
use dns_codec::zone::{ZoneOptions, parse_zone};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

const ZONE: &str = "$ORIGIN example.test.\n$TTL 60\n@ SOA ns hm 1 7200 3600 1209600 30\n\
@ NS ns\nns A 127.0.0.53\nwww A 127.0.0.80\n";

fn query(id: u16, name: &str, qtype: Rtype) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut b = MessageBuilder::new(&mut buf);
    b.set_header(Header {
        id,
        ..Header::default()
    });
    b.question(name.parse::<Name>().unwrap().as_ref(), qtype, Class::IN)
        .unwrap();
    let n = b.finish();
    buf.truncate(n);
    buf
}

#[tokio::test]
async fn answers_over_udp_and_pipelined_tcp_then_shuts_down() {
    let zone = Zone::new(parse_zone(ZONE, &ZoneOptions::default()).unwrap()).unwrap();
    let catalog = Arc::new(Catalog::new(vec![zone]).unwrap());
    let server = Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        catalog,
        ServerConfig::default(),
    )
    .await
    .unwrap();
    let addr = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));

    // UDP.
    let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    udp.send_to(&query(1, "www.example.test", Rtype::A), addr)
        .await
        .unwrap();
    let mut buf = [0u8; 1500];
    let (n, _) = tokio::time::timeout(Duration::from_secs(5), udp.recv_from(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let msg = Message::parse(&buf[..n]).unwrap();
    assert_eq!(msg.header().id, 1);
    assert_eq!(
        msg.answers().next().unwrap().data(),
        RData::A("127.0.0.80".parse().unwrap())
    );

    // TCP: three queries in one stream, written a few bytes at a time.
    let mut stream = Vec::new();
    for (id, name) in [
        (10, "www.example.test"),
        (11, "nope.example.test"),
        (12, "other.test"),
    ] {
        let q = query(id, name, Rtype::A);
        stream.extend_from_slice(&frame_prefix(q.len()).unwrap());
        stream.extend_from_slice(&q);
    }
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    for chunk in stream.chunks(7) {
        tcp.write_all(chunk).await.unwrap();
        tcp.flush().await.unwrap();
    }
    let mut rcodes = Vec::new();
    for expected_id in [10u16, 11, 12] {
        let mut len = [0u8; 2];
        tokio::time::timeout(Duration::from_secs(5), tcp.read_exact(&mut len))
            .await
            .unwrap()
            .unwrap();
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        tcp.read_exact(&mut body).await.unwrap();
        let msg = Message::parse(&body).unwrap();
        assert_eq!(msg.header().id, expected_id, "answered in order");
        rcodes.push(msg.rcode());
    }
    assert_eq!(rcodes, [Rcode::NOERROR, Rcode::NXDOMAIN, Rcode::REFUSED]);

    // A malformed frame closes the connection.
    tcp.write_all(&[0, 3, 1, 2, 3]).await.unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut rest)).await;
    assert!(
        matches!(closed, Ok(Ok(0))),
        "connection closed without a reply"
    );

    // The tokio stub client, over UDP and (asked for) TCP.
    let name: Name = "www.example.test".parse().unwrap();
    let reply = dns_codec::client::query(addr, &name, Rtype::A)
        .await
        .unwrap();
    assert_eq!(Message::parse(&reply).unwrap().answers().count(), 1);
    let mut config = dns_codec::stub::StubConfig::new(vec![addr]);
    config.start_protocol = dns_codec::stub::Protocol::Tcp;
    let reply = dns_codec::client::query_with(config, &name, Rtype::A)
        .await
        .unwrap();
    assert_eq!(Message::parse(&reply).unwrap().answers().count(), 1);

    // Graceful shutdown: the server returns.
    let idle = TcpStream::connect(addr).await.unwrap();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("server stops promptly, even with an idle connection open")
        .unwrap()
        .unwrap();
    drop(idle);
}
