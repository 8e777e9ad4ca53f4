//! Any bytes: parsing never panics, hangs or recurses; whatever parses can be read
//! completely (names, typed RDATA, EDNS) without panicking.
#![no_main]

use dns_codec::wire::{Limits, Message, RData, SvcParam};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for limits in [
        Limits::default(),
        Limits::default()
            .allow_trailing_bytes(true)
            .max_pointer_hops(4),
    ] {
        let Ok(msg) = Message::parse_with(data, &limits) else {
            continue;
        };
        let _ = (msg.header(), msg.rcode(), msg.counts());
        for q in msg.questions() {
            assert!(q.name.wire_len() <= 255);
            let _ = q.name.to_string();
        }
        for r in msg.answers().chain(msg.authority()).chain(msg.additional()) {
            assert!(r.name.wire_len() <= 255);
            let data = r.data();
            assert_eq!(data.rtype(), r.rtype);
            if let RData::Svcb(s) | RData::Https(s) = data {
                for p in s.params.iter() {
                    let _ = matches!(p, SvcParam::Port(_));
                }
            }
            let _ = format!("{data:?}");
        }
        if let Some(edns) = msg.edns() {
            let _ = edns.options.iter().count();
        }
    }
});
