//! Any bytes as a query to an authoritative catalog: never a panic; either no
//! response (not a query) or one that parses, is marked a response, echoes the id and
//! fits the transport's limit.
#![no_main]

use std::sync::OnceLock;

use dns_codec::auth::{Catalog, Transport, Zone};
use dns_codec::wire::Message;
use dns_codec::zone::{ZoneOptions, parse_zone};
use libfuzzer_sys::fuzz_target;

const ZONE: &str = "$ORIGIN example.test.\n$TTL 300\n\
@ SOA ns hm 1 7200 3600 1209600 60\n@ NS ns\n@ MX 10 mail\nns A 192.0.2.53\n\
mail A 192.0.2.25\nwww CNAME web\nweb A 192.0.2.80\n*.w TXT \"wild\"\n\
sub NS ns.sub\nns.sub A 192.0.2.9\nd DNAME web.example.test.\nloop CNAME loop\n";

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| {
        let zone = Zone::new(parse_zone(ZONE, &ZoneOptions::default()).unwrap()).unwrap();
        Catalog::new(vec![zone]).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let mut out = vec![0u8; 65535];
    for (transport, limit) in [(Transport::Udp, 1232), (Transport::Tcp, 65535)] {
        let Some(len) = catalog().answer(data, transport, &mut out) else {
            assert!(
                data.len() < 12 || data[2] & 0x80 != 0,
                "a query went unanswered"
            );
            continue;
        };
        assert!(len <= limit);
        let response = Message::parse(&out[..len]).expect("responses parse");
        let h = response.header();
        assert!(h.qr);
        assert_eq!(h.id, u16::from_be_bytes([data[0], data[1]]));
    }
});
