//! The ordered queue of bytes a connection has to send.

use alloc::collections::VecDeque;

use bytes::{Bytes, BytesMut};

/// Small writes are coalesced into `tail`; large body chunks are queued as
/// they are, without copying.
#[derive(Debug, Default)]
pub(crate) struct OutQueue {
    queue: VecDeque<Bytes>,
    tail: BytesMut,
    queued: usize,
}

/// Bodies at least this large are queued by reference rather than copied.
const COPY_BELOW: usize = 4096;

impl OutQueue {
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.tail.extend_from_slice(bytes);
        self.queued += bytes.len();
    }

    pub(crate) fn push(&mut self, bytes: Bytes) {
        if bytes.len() < COPY_BELOW {
            self.extend(&bytes);
            return;
        }
        if !self.tail.is_empty() {
            self.queue.push_back(self.tail.split().freeze());
        }
        self.queued += bytes.len();
        self.queue.push_back(bytes);
    }

    pub(crate) fn pop(&mut self) -> Option<Bytes> {
        let b = match self.queue.pop_front() {
            Some(b) => b,
            None if !self.tail.is_empty() => self.tail.split().freeze(),
            None => return None,
        };
        self.queued -= b.len();
        Some(b)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queued == 0
    }

    /// Bytes waiting to be sent.
    pub(crate) fn len(&self) -> usize {
        self.queued
    }
}
