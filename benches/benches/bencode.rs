//! Bencode decode throughput: torrent-codec against bendy, serde_bencode and
//! lava_torrent, on the same inputs in one run.
//!
//! The other crates build a value tree. torrent-codec validates in one pass and hands
//! out lazy views, so it is measured twice: `decode` (validate, get the view) and
//! `decode+walk` (validate, then visit every value and key, as building a tree would).

use std::hint::black_box;

use applayer_benches::BENCODE_INPUTS;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use torrent_codec::bencode::{Value, decode};

/// bendy's `Value::from_bencode` allows no nesting at all; its decoder with the same
/// depth limit as ours (100) is the fair equivalent.
fn bendy_decode(input: &[u8]) -> Result<bendy::value::Value<'_>, bendy::decoding::Error> {
    use bendy::decoding::{Decoder, Error, FromBencode};
    let mut decoder = Decoder::new(input).with_max_depth(100);
    let object = decoder
        .next_object()?
        .ok_or_else(|| Error::missing_field("value"))?;
    bendy::value::Value::decode_bencode_object(object)
}

/// Visits every value, summing lengths and integers so the walk cannot be skipped.
fn walk(root: Value<'_>) -> u64 {
    let mut sum = 0u64;
    let mut stack = Vec::with_capacity(16);
    stack.push(root);
    while let Some(v) = stack.pop() {
        match v {
            Value::Integer { value, .. } => sum = sum.wrapping_add(value as u64),
            Value::Bytes { bytes, .. } => sum = sum.wrapping_add(bytes.len() as u64),
            Value::List(l) => stack.extend(l.iter()),
            Value::Dict(d) => {
                for (k, v) in d.iter() {
                    sum = sum.wrapping_add(k.len() as u64);
                    stack.push(v);
                }
            }
        }
    }
    sum
}

fn bencode_decode(c: &mut Criterion) {
    for (name, input) in BENCODE_INPUTS {
        let mut g = c.benchmark_group(format!("bencode decode/{name}"));
        g.throughput(Throughput::Bytes(input.len() as u64));
        // Every crate must accept the input, or the comparison is meaningless.
        decode(input).expect("torrent-codec");
        bendy_decode(input).expect("bendy");
        serde_bencode::from_bytes::<serde_bencode::value::Value>(input).expect("serde_bencode");
        lava_torrent::bencode::BencodeElem::from_bytes(input).expect("lava_torrent");

        g.bench_function("torrent-codec decode", |b| {
            b.iter(|| decode(black_box(input)).map(|v| v.raw().len()))
        });
        g.bench_function("torrent-codec decode+walk", |b| {
            b.iter(|| decode(black_box(input)).map(walk))
        });
        g.bench_function("bendy", |b| {
            b.iter(|| bendy_decode(black_box(input)).is_ok())
        });
        g.bench_function("serde_bencode", |b| {
            b.iter(|| serde_bencode::from_bytes::<serde_bencode::value::Value>(black_box(input)))
        });
        g.bench_function("lava_torrent", |b| {
            b.iter(|| lava_torrent::bencode::BencodeElem::from_bytes(black_box(input)))
        });
        g.finish();
    }
}

criterion_group!(benches, bencode_decode);
criterion_main!(benches);
