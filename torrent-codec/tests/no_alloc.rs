//! Decoding into views and walking them allocates nothing (counted with a global
//! allocator that counts per thread).

// The counting allocator is the only unsafe code: GlobalAlloc is an unsafe trait.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use torrent_codec::bencode::{Value, decode};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

enum It<'a> {
    L(torrent_codec::bencode::ListIter<'a>),
    D(torrent_codec::bencode::DictIter<'a>),
}

/// Visits every value without allocating: lists and dictionaries are walked through
/// a fixed-size explicit stack of iterators. Returns (values seen, checksum).
fn walk(root: Value<'_>) -> (usize, u64) {
    let mut stack: [Option<It<'_>>; 128] = [const { None }; 128];
    let mut depth = 0usize;
    let (mut count, mut sum) = (0usize, 0u64);
    let mut next = Some(root);
    loop {
        if let Some(v) = next.take() {
            count += 1;
            match v {
                Value::Integer { value, .. } => sum = sum.wrapping_add(value as u64),
                Value::Bytes { bytes, .. } => sum = sum.wrapping_add(bytes.len() as u64),
                Value::List(l) => {
                    stack[depth] = Some(It::L(l.iter()));
                    depth += 1;
                }
                Value::Dict(d) => {
                    stack[depth] = Some(It::D(d.iter()));
                    depth += 1;
                }
            }
        }
        if depth == 0 {
            return (count, sum);
        }
        next = match stack[depth - 1].as_mut() {
            Some(It::L(it)) => it.next(),
            Some(It::D(it)) => it.next().map(|(k, v)| {
                sum = sum.wrapping_add(k.len() as u64);
                v
            }),
            None => None,
        };
        if next.is_none() {
            depth -= 1;
        }
    }
}

#[test]
fn decoding_and_walking_views_allocates_nothing() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut inputs = Vec::new();
    let mut pending = vec![dir];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "torrent" || e == "bin" || e == "bencode")
            {
                inputs.push(std::fs::read(&path).unwrap());
            }
        }
    }
    inputs.push(b"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe".to_vec());

    let mut decoded = 0;
    for input in &inputs {
        let before = allocations();
        let Ok(value) = decode(input) else { continue };
        let info = value.get(b"info");
        let (count, _) = walk(value);
        let name = info.and_then(|i| i.get(b"name")).and_then(|n| n.as_bytes());
        let after = allocations();
        assert_eq!(
            after - before,
            0,
            "allocated while decoding {count} values (name {name:?})"
        );
        decoded += 1;
    }
    assert!(decoded >= 110, "only {decoded} inputs decoded strictly");

    // Errors allocate nothing either.
    let before = allocations();
    assert!(decode(b"d1:bi1e1:ai2ee").is_err());
    assert!(decode(&[b'l'; 4096]).is_err());
    assert_eq!(allocations() - before, 0);
}
