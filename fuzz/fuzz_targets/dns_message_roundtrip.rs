//! parse -> build -> parse: every message that parses is re-emitted by the builder
//! (names re-compressed) into a message that parses to the same header, questions,
//! records and EDNS.
#![no_main]

use dns_codec::wire::{Message, MessageBuilder, Record, Rtype, Section};
use libfuzzer_sys::fuzz_target;

fn records<'a>(m: &Message<'a>) -> Vec<Record<'a>> {
    m.answers()
        .chain(m.authority())
        .chain(m.additional())
        .filter(|r| r.rtype != Rtype::OPT)
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(msg) = Message::parse(data) else {
        return;
    };
    let mut buf = vec![0u8; 65535];
    let mut b = MessageBuilder::new(&mut buf);
    b.set_header(msg.header());
    if let Some(e) = msg.edns() {
        b.set_edns(&e).expect("EDNS fits an empty message");
    }
    for q in msg.questions() {
        b.question(q.name, q.qtype, q.qclass)
            .expect("question fits");
    }
    for (section, records) in [
        (Section::Answer, msg.answers()),
        (Section::Authority, msg.authority()),
        (Section::Additional, msg.additional()),
    ] {
        for r in records.filter(|r| r.rtype != Rtype::OPT) {
            // Uncompressed names can make a re-emitted record larger than its source;
            // a full 64 KiB message may then not fit, which must be reported, not lost.
            if b.copy(section, &r).is_err() {
                assert!(b.truncated());
                return;
            }
        }
    }
    let len = b.finish();
    let again = Message::parse(&buf[..len]).expect("builder output parses");
    assert_eq!(again.header(), msg.header());
    assert!(again.questions().eq(msg.questions()));
    assert_eq!(records(&again), records(&msg));
    assert_eq!(
        again
            .edns()
            .map(|e| (e.udp_payload_size, e.dnssec_ok, e.options)),
        msg.edns()
            .map(|e| (e.udp_payload_size, e.dnssec_ok, e.options))
    );
});
