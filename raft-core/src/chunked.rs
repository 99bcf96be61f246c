//! A growable sequence stored in immutable shared chunks, so that copies share what they have
//! in common.
//!
//! Time travel keeps up to 32 copies of the simulation (see [`crate::sim::Timeline`]), and
//! most of a simulation is histories that only grow at the end: every node's log (twice: the
//! running node's and its stable storage's), the client's requests and the operation
//! history. In a `ChunkedVec` the elements sit in full chunks of [`CHUNK`] elements behind
//! an [`Arc`] plus one short tail vector, so cloning copies a pointer per full chunk and the
//! elements of the tail only. Writing to an element of a chunk that a copy shares copies that
//! chunk first ([`Arc::make_mut`]), so a copy never sees a later change: a clone behaves as a
//! deep copy.
//!
//! [`ChunkedSlice`] is the read-only view callers get instead of `&[T]`: the elements are not
//! contiguous in memory.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

/// log2 of [`CHUNK`].
const SHIFT: u32 = 6;
/// Elements per shared chunk. Small enough that the unshared tail of each copy is a few
/// kilobytes, large enough that the pointers to the chunks are a small fraction of the data.
pub const CHUNK: usize = 1 << SHIFT;
const MASK: usize = CHUNK - 1;

/// A vector whose full chunks are shared between clones. See the module documentation.
///
/// Element `i` sits at position `q = skip + i`: in `chunks[q / CHUNK]` if that chunk exists,
/// else in `tail` at `q - chunks.len() * CHUNK`.
#[derive(Clone)]
pub(crate) struct ChunkedVec<T> {
    /// Full chunks, each exactly [`CHUNK`] long.
    chunks: Vec<Arc<[T]>>,
    /// The elements after the last full chunk (fewer than [`CHUNK`]).
    tail: Vec<T>,
    /// Elements removed from the front of `chunks[0]` (0 when there is no chunk).
    skip: usize,
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec {
            chunks: Vec::new(),
            tail: Vec::new(),
            skip: 0,
        }
    }
}

impl<T> ChunkedVec<T> {
    /// Number of elements.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        (self.chunks.len() << SHIFT) - self.skip + self.tail.len()
    }

    /// Element `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        let q = i.checked_add(self.skip)?;
        let sealed = self.chunks.len() << SHIFT;
        if q >= sealed {
            // The tail: where most reads (the newest entries) land.
            self.tail.get(q - sealed)
        } else {
            self.chunks.get(q >> SHIFT).and_then(|c| c.get(q & MASK))
        }
    }

    /// The last element.
    pub(crate) fn last(&self) -> Option<&T> {
        self.tail
            .last()
            .or_else(|| self.chunks.last().and_then(|c| c.last()))
    }

    /// Appends an element; a tail that becomes full becomes a shared chunk.
    #[inline]
    pub(crate) fn push(&mut self, value: T) {
        self.tail.push(value);
        if self.tail.len() == CHUNK {
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.chunks.push(Arc::from(full));
        }
    }

    /// Removes every element.
    pub(crate) fn clear(&mut self) {
        self.chunks.clear();
        self.tail.clear();
        self.skip = 0;
    }

    /// Removes the first `n` elements (all of them if `n` is larger).
    pub(crate) fn drop_front(&mut self, n: usize) {
        let q = self.skip + n.min(self.len());
        let sealed = self.chunks.len() << SHIFT;
        if q >= sealed {
            self.tail.drain(..q - sealed);
            self.chunks.clear();
            self.skip = 0;
        } else {
            self.chunks.drain(..q >> SHIFT);
            self.skip = q & MASK;
        }
    }

    /// A view of every element.
    #[inline]
    pub(crate) fn as_slice(&self) -> ChunkedSlice<'_, T> {
        ChunkedSlice {
            vec: self,
            start: 0,
            end: self.len(),
        }
    }

    /// The longest contiguous run of elements starting at `start` and ending at or before
    /// `end` (`start < end <= len`).
    fn run_from(&self, start: usize, end: usize) -> &[T] {
        let q = start + self.skip;
        let q_end = end + self.skip;
        let c = q >> SHIFT;
        match self.chunks.get(c) {
            Some(chunk) => &chunk[q & MASK..(q_end - (c << SHIFT)).min(CHUNK)],
            None => {
                let base = self.chunks.len() << SHIFT;
                &self.tail[q - base..q_end - base]
            }
        }
    }

    /// The longest contiguous run of elements ending at `end` (exclusive) and starting at or
    /// after `start` (`start < end <= len`).
    fn run_to(&self, start: usize, end: usize) -> &[T] {
        let q = start + self.skip;
        let q_end = end + self.skip;
        let c = (q_end - 1) >> SHIFT;
        let chunk_start = c << SHIFT;
        match self.chunks.get(c) {
            Some(chunk) => &chunk[q.max(chunk_start) - chunk_start..q_end - chunk_start],
            None => {
                let base = self.chunks.len() << SHIFT;
                &self.tail[q.max(base) - base..q_end - base]
            }
        }
    }
}

impl<T: PartialEq> ChunkedVec<T> {
    /// Number of full (shared) chunks.
    pub(crate) fn full_chunks(&self) -> usize {
        self.chunks.len()
    }

    /// Makes this vector's full chunks from number `from` on share the memory of `other`'s
    /// chunks that hold equal elements at the same place, where this vector's element `i` is
    /// `other`'s element `i + shift`. Chunks aligned differently are left alone. Costs one
    /// comparison of each chunk looked at.
    pub(crate) fn share_from(&mut self, other: &ChunkedVec<T>, shift: i64, from: usize) {
        let delta = other.skip as i64 + shift - self.skip as i64;
        if delta.rem_euclid(CHUNK as i64) != 0 {
            return;
        }
        let k = delta.div_euclid(CHUNK as i64);
        for c in from..self.chunks.len() {
            let Ok(theirs) = usize::try_from(c as i64 + k) else {
                continue;
            };
            let Some(theirs) = other.chunks.get(theirs) else {
                break;
            };
            let mine = &mut self.chunks[c];
            if !Arc::ptr_eq(mine, theirs) && **mine == **theirs {
                *mine = Arc::clone(theirs);
            }
        }
    }
}

impl<T: Clone> ChunkedVec<T> {
    /// Element `i`, to change it: a chunk shared with a copy is copied first.
    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        let q = i.checked_add(self.skip)?;
        let base = self.chunks.len() << SHIFT;
        match self.chunks.get_mut(q >> SHIFT) {
            Some(chunk) => Arc::make_mut(chunk).get_mut(q & MASK),
            None => self.tail.get_mut(q - base),
        }
    }

    /// Keeps the first `len` elements. Cutting into a shared chunk copies its kept part into
    /// the tail.
    pub(crate) fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        let q = self.skip + len;
        let c = q >> SHIFT;
        if c >= self.chunks.len() {
            self.tail.truncate(q - (self.chunks.len() << SHIFT));
            return;
        }
        let start = if c == 0 { self.skip } else { 0 };
        let mut tail = Vec::with_capacity(CHUNK);
        tail.extend_from_slice(&self.chunks[c][start..q & MASK]);
        self.tail = tail;
        self.chunks.truncate(c);
        if c == 0 {
            self.skip = 0;
        }
    }
}

impl<T> FromIterator<T> for ChunkedVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut v = ChunkedVec::default();
        for x in iter {
            v.push(x);
        }
        v
    }
}

impl<T: PartialEq> PartialEq for ChunkedVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for ChunkedVec<T> {}

impl<T: fmt::Debug> fmt::Debug for ChunkedVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

/// Serialized as a sequence, like the `Vec` it replaced.
impl<T: Serialize> Serialize for ChunkedVec<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.as_slice())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ChunkedVec<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<T>::deserialize(d)?.into_iter().collect())
    }
}

/// A read-only view of consecutive elements of a sequence stored in shared chunks (a log's
/// entries, the operation history): what a `&[T]` is for a vector. Indexes are relative to
/// the start of the view.
pub struct ChunkedSlice<'a, T> {
    vec: &'a ChunkedVec<T>,
    start: usize,
    end: usize,
}

impl<T> Clone for ChunkedSlice<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ChunkedSlice<'_, T> {}

impl<'a, T> ChunkedSlice<'a, T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the view is empty.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Element `i` of the view.
    pub fn get(&self, i: usize) -> Option<&'a T> {
        if i < self.len() {
            self.vec.get(self.start + i)
        } else {
            None
        }
    }

    /// The first element.
    pub fn first(&self) -> Option<&'a T> {
        self.get(0)
    }

    /// The last element.
    pub fn last(&self) -> Option<&'a T> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// The elements in order (double-ended, exact size).
    pub fn iter(&self) -> Iter<'a, T> {
        Iter {
            vec: self.vec,
            front: [].iter(),
            back: [].iter(),
            start: self.start,
            end: self.end,
        }
    }

    /// The sub-view of the elements in `range` (relative to this view), clamped to it.
    pub fn slice(&self, range: impl RangeBounds<usize>) -> ChunkedSlice<'a, T> {
        let len = self.len();
        let from = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s.saturating_add(1),
            Bound::Unbounded => 0,
        }
        .min(len);
        let to = match range.end_bound() {
            Bound::Included(&e) => e.saturating_add(1),
            Bound::Excluded(&e) => e,
            Bound::Unbounded => len,
        }
        .clamp(from, len);
        ChunkedSlice {
            vec: self.vec,
            start: self.start + from,
            end: self.start + to,
        }
    }

    /// Copies the elements into a vector.
    pub fn to_vec(&self) -> Vec<T>
    where
        T: Clone,
    {
        if self.is_empty() {
            return Vec::new();
        }
        // Most copies (entries to send, to persist, to apply) lie within one chunk or the tail.
        let first = self.vec.run_from(self.start, self.end);
        if first.len() == self.len() {
            return first.to_vec();
        }
        let mut out = Vec::with_capacity(self.len());
        let (mut at, end) = (self.start, self.end);
        while at < end {
            let run = self.vec.run_from(at, end);
            out.extend_from_slice(run);
            at += run.len();
        }
        out
    }

    /// Whether the view begins with the elements of `prefix`.
    pub fn starts_with(&self, prefix: &[T]) -> bool
    where
        T: PartialEq,
    {
        prefix.len() <= self.len() && self.iter().zip(prefix).all(|(a, b)| a == b)
    }
}

/// The element at `i`; panics if `i` is out of range, like slice indexing.
impl<T> std::ops::Index<usize> for ChunkedSlice<'_, T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        match self.get(i) {
            Some(x) => x,
            None => panic!(
                "index {i} out of range for a view of {} elements",
                self.len()
            ),
        }
    }
}

impl<T: PartialEq> PartialEq for ChunkedSlice<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: PartialEq> PartialEq<[T]> for ChunkedSlice<'_, T> {
    fn eq(&self, other: &[T]) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for ChunkedSlice<'_, T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        *self == other[..]
    }
}

impl<T: fmt::Debug> fmt::Debug for ChunkedSlice<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T> IntoIterator for ChunkedSlice<'a, T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &ChunkedSlice<'a, T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// Iterator over a [`ChunkedSlice`]: walks each contiguous run as a slice.
pub struct Iter<'a, T> {
    vec: &'a ChunkedVec<T>,
    /// The run being read from the front.
    front: std::slice::Iter<'a, T>,
    /// The run being read from the back.
    back: std::slice::Iter<'a, T>,
    /// The elements in neither run yet: `start..end`.
    start: usize,
    end: usize,
}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter {
            vec: self.vec,
            front: self.front.clone(),
            back: self.back.clone(),
            start: self.start,
            end: self.end,
        }
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        if let Some(x) = self.front.next() {
            return Some(x);
        }
        if self.start < self.end {
            let run = self.vec.run_from(self.start, self.end);
            self.start += run.len();
            self.front = run.iter();
            return self.front.next();
        }
        self.back.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.front.len() + self.back.len() + (self.end - self.start);
        (n, Some(n))
    }
}

impl<T> DoubleEndedIterator for Iter<'_, T> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        if let Some(x) = self.back.next_back() {
            return Some(x);
        }
        if self.start < self.end {
            let run = self.vec.run_to(self.start, self.end);
            self.end -= run.len();
            self.back = run.iter();
            return self.back.next_back();
        }
        self.front.next_back()
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<T> std::iter::FusedIterator for Iter<'_, T> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies the same operations to a `ChunkedVec` and a `Vec` and compares them after each.
    #[test]
    fn behaves_like_a_vec_and_clones_do_not_see_later_changes() {
        let mut rng = 0x1234_5678_9abc_def0u64;
        let mut next = move |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        let mut c: ChunkedVec<u32> = ChunkedVec::default();
        let mut v: Vec<u32> = Vec::new();
        let mut copies: Vec<(ChunkedVec<u32>, Vec<u32>)> = Vec::new();
        for step in 0..20_000u32 {
            match next(100) {
                0..=69 => {
                    c.push(step);
                    v.push(step);
                }
                70..=74 => {
                    let keep = v.len() - next(v.len().min(150) + 1);
                    c.truncate(keep);
                    v.truncate(keep);
                }
                75..=77 => {
                    let n = next(v.len().min(100) + 1);
                    c.drop_front(n);
                    v.drain(..n);
                }
                78..=89 if !v.is_empty() => {
                    let i = next(v.len());
                    *c.get_mut(i).expect("in range") += 1_000_000;
                    v[i] += 1_000_000;
                }
                90 => {
                    c.clear();
                    v.clear();
                }
                91..=93 => copies.push((c.clone(), v.clone())),
                _ => {}
            }
            assert_eq!(c.len(), v.len());
            assert_eq!(c.last(), v.last());
            assert!(c.tail.len() < CHUNK);
            assert!(!c.chunks.is_empty() || c.skip == 0);
            if step % 97 == 0 {
                let s = c.as_slice();
                assert_eq!(s.to_vec(), v);
                assert!(s.iter().eq(v.iter()));
                assert!(s.iter().rev().eq(v.iter().rev()));
                assert_eq!(s.iter().len(), v.len());
                let (a, b) = (next(v.len() + 1), next(v.len() + 1));
                let (a, b) = (a.min(b), a.max(b));
                assert_eq!(s.slice(a..b).to_vec(), v[a..b]);
                assert_eq!(s.slice(a..).iter().rev().count(), v.len() - a);
                // Both ends at once.
                let mut it = s.slice(a..b).iter();
                let mut both = Vec::new();
                while let Some(x) = it.next() {
                    both.push(*x);
                    if let Some(y) = it.next_back() {
                        both.push(*y);
                    }
                }
                let mut expect = Vec::new();
                let (mut i, mut j) = (a, b);
                while i < j {
                    expect.push(v[i]);
                    i += 1;
                    if i < j {
                        j -= 1;
                        expect.push(v[j]);
                    }
                }
                assert_eq!(both, expect);
                for i in [0, v.len() / 2, v.len().saturating_sub(1), v.len()] {
                    assert_eq!(c.get(i), v.get(i));
                }
            }
        }
        assert!(copies.len() > 100);
        for (c, v) in &copies {
            assert_eq!(
                c.as_slice().to_vec(),
                *v,
                "a copy changed after it was taken"
            );
        }
    }

    #[test]
    fn clones_share_full_chunks() {
        let c: ChunkedVec<u64> = (0..(3 * CHUNK as u64 + 5)).collect();
        let copy = c.clone();
        assert_eq!(copy.chunks.len(), 3);
        assert!(
            c.chunks
                .iter()
                .zip(&copy.chunks)
                .all(|(a, b)| Arc::ptr_eq(a, b))
        );
        let mut changed = copy.clone();
        *changed.get_mut(1).expect("in range") = 99;
        assert!(!Arc::ptr_eq(&changed.chunks[0], &c.chunks[0]));
        assert!(Arc::ptr_eq(&changed.chunks[1], &c.chunks[1]));
        assert_eq!(c.get(1), Some(&1));
    }

    #[test]
    fn equal_chunks_at_the_same_place_are_shared() {
        let a: ChunkedVec<u64> = (0..(4 * CHUNK as u64)).collect();
        // Built separately: equal content, separate memory.
        let mut b: ChunkedVec<u64> = (0..(4 * CHUNK as u64 + 3)).collect();
        *b.get_mut(CHUNK + 1).expect("in range") = 7;
        b.share_from(&a, 0, 0);
        let shared: Vec<bool> = (0..4)
            .map(|c| Arc::ptr_eq(&a.chunks[c], &b.chunks[c]))
            .collect();
        assert_eq!(
            shared,
            [true, false, true, true],
            "a differing chunk is kept"
        );
        assert_eq!(b.get(CHUNK + 1), Some(&7));
        // `c` starts 2 chunks + 5 elements later in `a`'s numbering, after dropping its first
        // elements: its element i is a's element i + 2 * CHUNK + 5.
        let mut c: ChunkedVec<u64> = (0..(4 * CHUNK as u64)).collect();
        c.drop_front(2 * CHUNK + 5);
        let mut d: ChunkedVec<u64> = c.as_slice().to_vec().into_iter().collect();
        d.share_from(&c, 0, 0);
        assert!(
            d.chunks
                .iter()
                .all(|x| !c.chunks.iter().any(|y| Arc::ptr_eq(x, y))),
            "misaligned chunks are not shared"
        );
        let mut e: ChunkedVec<u64> = (0..(4 * CHUNK as u64)).collect();
        e.drop_front(2 * CHUNK + 5);
        e.share_from(&a, 2 * CHUNK as i64 + 5, 0);
        assert!(Arc::ptr_eq(&e.chunks[0], &a.chunks[2]));
        assert!(Arc::ptr_eq(&e.chunks[1], &a.chunks[3]));
        assert_eq!(
            e.as_slice().to_vec(),
            a.as_slice().slice(2 * CHUNK + 5..).to_vec()
        );
    }

    #[test]
    fn serializes_as_a_sequence() {
        let c: ChunkedVec<u32> = (0..100).collect();
        let json = serde_json::to_string(&c).expect("serialize");
        let v: Vec<u32> = (0..100).collect();
        assert_eq!(json, serde_json::to_string(&v).expect("serialize"));
        let back: ChunkedVec<u32> = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, c);
        assert_eq!(format!("{c:?}"), format!("{v:?}"));
    }
}
