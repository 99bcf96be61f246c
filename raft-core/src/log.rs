//! The replicated log: append, conflict search and the up-to-date comparison (§5.3, §5.4.1).

use crate::chunked::{ChunkedSlice, ChunkedVec};
use crate::command::Command;
use crate::types::{EntryId, LogIndex, Term};
use serde::{Deserialize, Serialize};

/// One log entry: the command and the term in which a leader received it (Figure 2, "log[]").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Term of the leader that created the entry.
    pub term: Term,
    /// Position in the log, from 1.
    pub index: LogIndex,
    /// The state machine command.
    pub command: Command,
}

impl Entry {
    /// The `(term, index)` pair identifying this entry.
    pub fn id(&self) -> EntryId {
        EntryId {
            term: self.term,
            index: self.index,
        }
    }
}

/// An in-memory Raft log. Without compaction its first entry has index 1; after a snapshot
/// (§7) the entries up to [`Log::snapshot_id`] are gone and the log starts right after it.
///
/// Invariant: `entries[i].index == snapshot.index + i + 1` and terms never decrease along the
/// log (nor below the snapshot's term).
///
/// The entries are kept in shared chunks ([`ChunkedSlice`] is their view): a clone of a log
/// (a time-travel checkpoint) shares every full chunk of 64 entries with the original instead
/// of copying it; a change to a shared part copies it first, so clones stay independent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Log {
    entries: ChunkedVec<Entry>,
    /// The last entry the snapshot replaced (index 0, term 0 when nothing was compacted).
    #[serde(default)]
    snapshot: EntryId,
}

impl Log {
    /// An empty log.
    pub fn new() -> Self {
        Log::default()
    }

    /// The entries still in the log, in index order: entry `i` is at position
    /// `i - first_index()` (position `i - 1` when nothing was compacted).
    pub fn entries(&self) -> ChunkedSlice<'_, Entry> {
        self.entries.as_slice()
    }

    /// The id of the last entry replaced by a snapshot (§7: lastIncludedIndex and
    /// lastIncludedTerm), or index 0, term 0 if the log was never compacted.
    pub fn snapshot_id(&self) -> EntryId {
        self.snapshot
    }

    /// Index of the first entry still in the log (1 without compaction).
    pub fn first_index(&self) -> LogIndex {
        self.snapshot.index.next()
    }

    /// Index of the last entry (the snapshot's last included index if no entry follows it),
    /// or `LogIndex(0)` when empty.
    pub fn last_index(&self) -> LogIndex {
        LogIndex(self.snapshot.index.0 + self.entries.len() as u64)
    }

    /// Term of the last entry (or of the snapshot's last included entry), or `Term(0)` when
    /// empty.
    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(self.snapshot.term, |e| e.term)
    }

    /// Whether the log holds the entry `id`, counting entries replaced by the snapshot as held:
    /// only committed entries are ever compacted, and every log that holds a committed entry's
    /// index holds that entry (Log Matching with Leader Completeness). Used by the checkers.
    pub fn holds(&self, id: EntryId) -> bool {
        id.index <= self.snapshot.index || self.matches(id)
    }

    /// Drops every entry up to and including `upto` after a snapshot of them was taken
    /// (§7). Entries after it stay. Does nothing if `upto` is not in the log or is already
    /// compacted.
    pub fn compact_to(&mut self, upto: EntryId) {
        if upto.index <= self.snapshot.index || !self.matches(upto) {
            return;
        }
        let drop = (upto.index.0 - self.snapshot.index.0) as usize;
        self.entries.drop_front(drop);
        self.snapshot = upto;
    }

    /// Installs a snapshot that ends at `last` (Figure 13, InstallSnapshot receiver rules 6
    /// and 7): if the log holds `last`, the entries after it are kept; otherwise the whole log
    /// is discarded. Returns whether the log's suffix was kept.
    pub fn install_snapshot(&mut self, last: EntryId) -> bool {
        if self.matches(last) && last.index >= self.snapshot.index {
            self.compact_to(last);
            true
        } else {
            self.entries.clear();
            self.snapshot = last;
            false
        }
    }

    /// Number of full chunks of entries (see [`crate::chunked`]).
    pub(crate) fn full_chunks(&self) -> usize {
        self.entries.full_chunks()
    }

    /// Makes this log's full chunks of entries from number `from` on share the memory of the
    /// equal chunks of `other` (a copy of the same log: a node's stable storage and its running
    /// state), so the two hold each entry once. Changes nothing that can be observed.
    pub(crate) fn share_chunks_from(&mut self, other: &Log, from: usize) {
        let shift = self.snapshot.index.0 as i64 - other.snapshot.index.0 as i64;
        self.entries.share_from(&other.entries, shift, from);
    }

    /// `(last_term, last_index)`.
    pub fn last_id(&self) -> EntryId {
        EntryId {
            term: self.last_term(),
            index: self.last_index(),
        }
    }

    /// The last configuration entry ([`Command::Config`]) strictly before `index`, with its
    /// index, if the log holds one (dissertation §4.1). Scans backwards from `index - 1`.
    pub fn last_config_before(
        &self,
        index: LogIndex,
    ) -> Option<(LogIndex, &crate::membership::Membership)> {
        let end =
            usize::try_from(index.0.saturating_sub(self.first_index().0)).unwrap_or(usize::MAX);
        self.entries
            .as_slice()
            .slice(..end)
            .iter()
            .rev()
            .find_map(|e| match &e.command {
                Command::Config(m) => Some((e.index, m)),
                _ => None,
            })
    }

    /// The entry at `index`, if present (`None` for index 0, a compacted index, or beyond the
    /// end).
    pub fn get(&self, index: LogIndex) -> Option<&Entry> {
        let i = usize::try_from(index.0.checked_sub(self.first_index().0)?).ok()?;
        self.entries.get(i)
    }

    /// Term of the entry at `index`: `Some(Term(0))` for index 0 (the empty prefix matches
    /// everything), the snapshot's term at its last included index, `None` for an index
    /// compacted away or beyond the end.
    pub fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index == self.snapshot.index {
            Some(self.snapshot.term)
        } else {
            self.get(index).map(|e| e.term)
        }
    }

    /// Whether this log contains an entry with `id` (the AppendEntries consistency check,
    /// Figure 2 receiver rule 2).
    pub fn matches(&self, id: EntryId) -> bool {
        self.term_at(id.index) == Some(id.term)
    }

    /// Appends a new entry at the end with the given term and returns its id.
    pub fn append_new(&mut self, term: Term, command: Command) -> EntryId {
        let index = self.last_index().next();
        self.entries.push(Entry {
            term,
            index,
            command,
        });
        EntryId { term, index }
    }

    /// Merges `entries` (which must directly follow an index this log already matches) into the
    /// log, following Figure 2 receiver rules 3 and 4: an existing entry that conflicts with a
    /// new one (same index, different term) is deleted together with all that follow it; entries
    /// already present are kept (so a stale, reordered AppendEntries never truncates anything);
    /// new entries are appended.
    ///
    /// Returns the index from which the log changed (for persistence), or `None` if nothing
    /// changed.
    ///
    /// # Panics
    /// Panics if `entries` are not consecutive or do not start at or before `last_index() + 1`:
    /// that is a bug in the caller, not bad input from the network (callers check the
    /// consistency of `prev_log_index` first).
    pub fn merge(&mut self, entries: &[Entry]) -> Option<LogIndex> {
        let mut changed_from = None;
        for entry in entries {
            match self.term_at(entry.index) {
                Some(t) if t == entry.term => continue,
                Some(_) => {
                    // A real conflict: drop this entry and everything after it.
                    self.truncate_from(entry.index);
                    changed_from.get_or_insert(entry.index);
                    self.push_checked(entry.clone());
                }
                None => {
                    changed_from.get_or_insert(entry.index);
                    self.push_checked(entry.clone());
                }
            }
        }
        changed_from
    }

    fn push_checked(&mut self, entry: Entry) {
        assert_eq!(
            entry.index,
            self.last_index().next(),
            "log entries must be appended consecutively"
        );
        self.entries.push(entry);
    }

    /// Removes the entry at `index` and every entry after it (no-op if beyond the end; the
    /// snapshot itself is never removed, so an index at or below it empties the entries).
    pub fn truncate_from(&mut self, index: LogIndex) {
        let keep = index.0.saturating_sub(self.first_index().0);
        if let Ok(keep) = usize::try_from(keep) {
            self.entries.truncate(keep);
        }
    }

    /// Replaces the suffix starting at `from` with `entries` (the persistence counterpart of
    /// [`Log::merge`]).
    pub fn replace_suffix(&mut self, from: LogIndex, entries: &[Entry]) {
        self.truncate_from(from);
        for e in entries {
            self.push_checked(e.clone());
        }
    }

    /// Up to `max` entries starting at `from` (empty if `from` is past the end; from the first
    /// entry if `from` was compacted away).
    pub fn slice_from(&self, from: LogIndex, max: u64) -> ChunkedSlice<'_, Entry> {
        let start = from
            .0
            .saturating_sub(self.first_index().0)
            .min(self.entries.len() as u64) as usize;
        let end = (start as u64)
            .saturating_add(max)
            .min(self.entries.len() as u64) as usize;
        self.entries.as_slice().slice(start..end)
    }

    /// The first index holding an entry of `term`, searching backwards from `from` while the
    /// term stays the same (the follower's side of the conflict hint, §5.3's optimization).
    pub fn first_index_of_term_ending_at(&self, from: LogIndex) -> LogIndex {
        let Some(term) = self.get(from).map(|e| e.term) else {
            return from;
        };
        let mut i = from;
        while i > self.first_index() && self.term_at(i.prev()) == Some(term) {
            i = i.prev();
        }
        i
    }

    /// The last index holding an entry of `term`, if the log has any (the leader's side of the
    /// conflict hint).
    pub fn last_index_of_term(&self, term: Term) -> Option<LogIndex> {
        self.entries
            .as_slice()
            .iter()
            .rev()
            .skip_while(|e| e.term > term)
            .take_while(|e| e.term == term)
            .map(|e| e.index)
            .next()
            .or_else(|| {
                (self.snapshot.index.0 > 0
                    && self.snapshot.term == term
                    && self.entries.get(0).is_none_or(|e| e.term > term))
                .then_some(self.snapshot.index)
            })
    }

    /// §5.4.1's election restriction: a candidate's log (ending at `candidate_last`) is at least
    /// as up to date as this one if its last term is higher, or equal with an index at least as
    /// large.
    pub fn candidate_is_up_to_date(&self, candidate_last: EntryId) -> bool {
        let mine = self.last_id();
        candidate_last.term > mine.term
            || (candidate_last.term == mine.term && candidate_last.index >= mine.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_with_terms(terms: &[u64]) -> Log {
        let mut log = Log::new();
        for &t in terms {
            log.append_new(Term(t), Command::Noop);
        }
        log
    }

    fn entry(term: u64, index: u64) -> Entry {
        Entry {
            term: Term(term),
            index: LogIndex(index),
            command: Command::Noop,
        }
    }

    #[test]
    fn term_at_and_matches() {
        let log = log_with_terms(&[1, 1, 2]);
        assert_eq!(log.term_at(LogIndex(0)), Some(Term(0)));
        assert_eq!(log.term_at(LogIndex(3)), Some(Term(2)));
        assert_eq!(log.term_at(LogIndex(4)), None);
        assert!(log.matches(EntryId {
            term: Term(1),
            index: LogIndex(2)
        }));
        assert!(!log.matches(EntryId {
            term: Term(2),
            index: LogIndex(2)
        }));
    }

    #[test]
    fn merge_keeps_matching_entries_and_truncates_only_on_conflict() {
        let mut log = log_with_terms(&[1, 1, 2, 2]);
        // A stale AppendEntries carrying entries 2..3 that we already have: nothing changes,
        // and entry 4 (not covered by the message) is kept.
        assert_eq!(log.merge(&[entry(1, 2), entry(2, 3)]), None);
        assert_eq!(log.last_index(), LogIndex(4));
        // A conflict at 3: 3 and 4 go, the new entry is appended.
        assert_eq!(log.merge(&[entry(1, 2), entry(3, 3)]), Some(LogIndex(3)));
        assert_eq!(log.last_index(), LogIndex(3));
        assert_eq!(log.last_term(), Term(3));
    }

    #[test]
    fn merge_appends_new_entries() {
        let mut log = log_with_terms(&[1]);
        assert_eq!(log.merge(&[entry(1, 2), entry(2, 3)]), Some(LogIndex(2)));
        assert_eq!(log.last_id().index, LogIndex(3));
    }

    #[test]
    fn conflict_search_helpers() {
        let log = log_with_terms(&[1, 1, 2, 2, 2, 4]);
        assert_eq!(log.first_index_of_term_ending_at(LogIndex(5)), LogIndex(3));
        assert_eq!(log.first_index_of_term_ending_at(LogIndex(2)), LogIndex(1));
        assert_eq!(log.last_index_of_term(Term(2)), Some(LogIndex(5)));
        assert_eq!(log.last_index_of_term(Term(3)), None);
        assert_eq!(log.last_index_of_term(Term(4)), Some(LogIndex(6)));
    }

    #[test]
    fn up_to_date_rule() {
        let log = log_with_terms(&[1, 2, 2]);
        let id = |t, i| EntryId {
            term: Term(t),
            index: LogIndex(i),
        };
        assert!(log.candidate_is_up_to_date(id(3, 1)));
        assert!(log.candidate_is_up_to_date(id(2, 3)));
        assert!(!log.candidate_is_up_to_date(id(2, 2)));
        assert!(!log.candidate_is_up_to_date(id(1, 9)));
    }

    #[test]
    fn compaction_keeps_indexes_and_the_snapshot_term() {
        let mut log = log_with_terms(&[1, 1, 2, 2, 3]);
        let id = |t, i| EntryId {
            term: Term(t),
            index: LogIndex(i),
        };
        log.compact_to(id(2, 3));
        assert_eq!(log.snapshot_id(), id(2, 3));
        assert_eq!(log.first_index(), LogIndex(4));
        assert_eq!(log.last_id(), id(3, 5));
        assert_eq!(log.entries().len(), 2);
        assert_eq!(log.term_at(LogIndex(3)), Some(Term(2)));
        assert_eq!(log.term_at(LogIndex(2)), None, "compacted");
        assert!(log.get(LogIndex(3)).is_none());
        assert_eq!(log.get(LogIndex(4)).map(|e| e.index), Some(LogIndex(4)));
        assert!(log.holds(id(1, 1)) && log.holds(id(3, 5)) && !log.holds(id(2, 5)));
        assert_eq!(log.slice_from(LogIndex(1), 10).len(), 2);
        assert_eq!(log.first_index_of_term_ending_at(LogIndex(4)), LogIndex(4));
        assert_eq!(log.last_index_of_term(Term(2)), Some(LogIndex(4)));
        let mut only_snapshot_has_it = log.clone();
        only_snapshot_has_it.compact_to(id(2, 4));
        assert_eq!(
            only_snapshot_has_it.last_index_of_term(Term(2)),
            Some(LogIndex(4)),
            "the snapshot's own term counts"
        );
        // Appending continues after the last index; merging and truncating work on indexes.
        assert_eq!(log.append_new(Term(3), Command::Noop), id(3, 6));
        assert_eq!(log.merge(&[entry(3, 5), entry(4, 6)]), Some(LogIndex(6)));
        log.truncate_from(LogIndex(5));
        assert_eq!(log.last_index(), LogIndex(4));
    }

    #[test]
    fn installing_a_snapshot_keeps_a_matching_suffix_or_discards_the_log() {
        let id = |t, i| EntryId {
            term: Term(t),
            index: LogIndex(i),
        };
        let mut log = log_with_terms(&[1, 1, 2, 2]);
        assert!(log.install_snapshot(id(1, 2)), "rule 6: the suffix is kept");
        assert_eq!(log.last_id(), id(2, 4));
        let mut log = log_with_terms(&[1, 1, 2, 2]);
        assert!(
            !log.install_snapshot(id(3, 3)),
            "rule 7: a conflicting log goes"
        );
        assert_eq!(log.last_id(), id(3, 3));
        assert!(log.entries().is_empty());
        let mut log = log_with_terms(&[1]);
        assert!(!log.install_snapshot(id(2, 9)), "a short log goes too");
        assert_eq!(log.last_index(), LogIndex(9));
        assert_eq!(log.append_new(Term(2), Command::Noop), id(2, 10));
    }

    #[test]
    fn slice_from_is_bounded() {
        let log = log_with_terms(&[1, 1, 1, 1]);
        assert_eq!(log.slice_from(LogIndex(2), 2).len(), 2);
        assert_eq!(log.slice_from(LogIndex(4), 10).len(), 1);
        assert!(log.slice_from(LogIndex(5), 10).is_empty());
    }
}
