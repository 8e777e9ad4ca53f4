//! Any text as a zone file: the parser never panics or hangs, and every record it
//! returns has an absolute owner within limits and RDATA valid for its type.
#![no_main]

use dns_codec::wire::{Name, RData};
use dns_codec::zone::{ZoneOptions, parse_zone, parse_zone_with_includes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let origin: Name = "example.test.".parse().unwrap();
    let options = ZoneOptions::default()
        .with_origin(origin)
        .with_default_ttl(300);
    let check = |records: &[dns_codec::zone::ZoneRecord]| {
        for r in records {
            assert!(r.owner.as_wire().len() <= 255);
            let data = RData::from_wire(r.rtype, &r.rdata).expect("parser output is valid RDATA");
            assert_eq!(data.rtype(), r.rtype);
        }
    };
    match parse_zone(text, &options) {
        Ok(records) => check(&records),
        Err(e) => assert!(e.line >= 1 && e.column >= 1, "{e}"),
    }
    // Includes resolve to the same text: recursion stops at the depth limit.
    if let Ok(records) = parse_zone_with_includes(text, &options, &mut |_| Ok(text.to_string())) {
        check(&records);
    }
});
