//! RFC 5322 header blocks and their typed values on arbitrary bytes: parsing
//! never panics, under strict and lenient options; every field's value goes
//! through each decoder; a date that parses formats back to the same instant;
//! a subject that decodes to text without controls survives the builder and
//! parses back equal. The first byte picks the options.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_codec::message::{
    HeaderBlock, HeaderLimits, HeaderOptions, MessageBuilder, decode_unstructured, format_date,
    parse_address_list, parse_date, parse_keywords, parse_msg_ids,
};

fuzz_target!(|data: &[u8]| {
    let Some((&head, input)) = data.split_first() else {
        return;
    };
    let mut options = HeaderOptions::default();
    options.lenient_encoded_words = head & 1 != 0;
    options.lenient_addresses = head & 2 != 0;
    options.lenient_message_ids = head & 4 != 0;
    let Ok(block) = HeaderBlock::parse_with(input, &HeaderLimits::default(), options) else {
        return;
    };
    assert!(block.body_offset() <= input.len());
    for field in block.fields() {
        let raw = field.raw_value();
        let _ = field.unfolded();
        let _ = decode_unstructured(raw, options);
        let _ = parse_address_list(raw, options);
        let _ = parse_msg_ids(raw, options);
        let _ = parse_keywords(raw, options);
        if let Ok(date) = parse_date(raw)
            && date.is_valid()
            && let Ok(text) = format_date(date.to_unix(), date.offset_minutes)
        {
            let again = parse_date(text.as_bytes()).expect("a formatted date parses");
            assert_eq!(again.to_unix(), date.to_unix(), "{text}");
        }
    }
    let _ = (
        block.from(),
        block.to(),
        block.cc(),
        block.reply_to(),
        block.date(),
    );
    let _ = (
        block.message_id(),
        block.in_reply_to(),
        block.references(),
        block.keywords(),
    );
    if let Ok(Some(subject)) = block.subject()
        && !subject.chars().any(char::is_control)
        && subject.trim() == subject
        && !subject.contains("  ")
        && let Ok(wire) = MessageBuilder::new().subject(&subject).body("x\n").build()
    {
        let parsed = HeaderBlock::parse(&wire).expect("a built message parses");
        assert_eq!(
            parsed.subject().expect("a built subject decodes"),
            Some(subject)
        );
    }
});
