//! Parsing a message and walking every record, name and typed RDATA allocates nothing
//! (counted with a per-thread counting global allocator).

// The counting allocator is the only unsafe code: GlobalAlloc is an unsafe trait.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use dns_codec::wire::{Message, RData};

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

/// Touches everything a message holds; returns a checksum so nothing is skipped.
fn walk(msg: &Message<'_>) -> usize {
    let mut sum = 0usize;
    for q in msg.questions() {
        sum += q.name.labels().map(<[u8]>::len).sum::<usize>() + usize::from(q.qtype.0);
    }
    for r in msg.answers().chain(msg.authority()).chain(msg.additional()) {
        sum += r.name.label_count() + r.ttl as usize;
        sum += match r.data() {
            RData::A(a) => a.octets().iter().map(|&b| usize::from(b)).sum(),
            RData::Aaaa(a) => a.octets().iter().map(|&b| usize::from(b)).sum(),
            RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) | RData::Dname(n) => n.wire_len(),
            RData::Mx(mx) => mx.exchange.wire_len(),
            RData::Soa(s) => s.mname.wire_len() + s.rname.wire_len() + s.serial as usize,
            RData::Txt(t) => t.iter().map(<[u8]>::len).sum(),
            RData::Rrsig(s) => s.signer.wire_len() + s.signature.len(),
            RData::Nsec(n) => n.next.wire_len() + n.types.iter().count(),
            RData::Nsec3(n) => n.types.iter().count() + n.salt.len(),
            RData::Opt(o) => o.iter().count(),
            RData::Svcb(s) | RData::Https(s) => s.params.iter().count(),
            other => other.rtype().0 as usize,
        };
    }
    if let Some(e) = msg.edns() {
        sum += e.options.iter().count();
    }
    sum
}

#[test]
fn parsing_and_walking_messages_allocates_nothing() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut inputs = Vec::new();
    let mut pending = vec![dir];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                inputs.push(std::fs::read(&path).unwrap());
            }
        }
    }
    // The bench inputs too: a CNAME chain and a referral written by dnspython.
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/data");
    for f in ["cname-chain.bin", "referral.bin"] {
        inputs.push(std::fs::read(data.join(f)).unwrap());
    }

    let mut parsed = 0;
    let mut checksum = 0;
    for input in &inputs {
        let before = allocations();
        let Ok(msg) = Message::parse(input) else {
            continue;
        };
        checksum += walk(&msg);
        assert_eq!(
            allocations() - before,
            0,
            "allocated while walking a message"
        );
        parsed += 1;
    }
    assert!(parsed >= 2, "only {parsed} messages parsed");
    assert!(checksum > 0);
    // Errors allocate nothing either.
    let before = allocations();
    assert!(Message::parse(&[0u8; 11]).is_err());
    assert!(Message::parse(b"\0\0\0\0\0\x01\0\0\0\0\0\0\xc0\x0c\0\x01\0\x01").is_err());
    assert_eq!(allocations() - before, 0);
}
