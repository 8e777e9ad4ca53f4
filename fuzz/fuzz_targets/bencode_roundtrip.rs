//! decode -> encode -> decode: whatever decodes (tolerantly) re-encodes to canonical
//! bencode that decodes strictly to the same meaning, and canonical input re-encodes
//! to itself byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use torrent_codec::bencode::{Decoder, Encode, decode};

fuzz_target!(|data: &[u8]| {
    let Ok(first) = Decoder::tolerant().decode(data) else {
        return;
    };
    let canonical = first.value.to_bencode();
    let owned = first.value.to_owned_value();
    assert_eq!(
        owned.to_bencode(),
        canonical,
        "view and owned encoders agree"
    );
    let second = decode(&canonical).expect("canonical output decodes strictly");
    assert_eq!(second, owned);
    assert_eq!(second.to_bencode(), canonical, "encoding is idempotent");
    if first.tolerated.is_empty() {
        assert_eq!(canonical, data, "canonical input re-encodes byte for byte");
    }
});
