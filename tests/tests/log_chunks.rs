//! The log keeps its entries in shared chunks (`raft_core::chunked`) so that time-travel
//! checkpoints share them. This checks, with proptest, that it behaves exactly like the plain
//! vector it replaced: the oracle below is the `Vec`-based log as it was, and after every
//! operation of a random sequence (appends, merges with conflicts, truncations, compactions,
//! snapshot installs) every query answers the same on both. Clones taken along the way must
//! not change when the original does.

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use raft_core::{Command, Entry, EntryId, Log, LogIndex, Membership, NodeId, Term};

/// The log as a plain vector: the implementation before chunked storage.
#[derive(Clone, Debug, Default)]
struct VecLog {
    entries: Vec<Entry>,
    snapshot: EntryId,
}

impl VecLog {
    fn first_index(&self) -> LogIndex {
        self.snapshot.index.next()
    }
    fn last_index(&self) -> LogIndex {
        LogIndex(self.snapshot.index.0 + self.entries.len() as u64)
    }
    fn last_term(&self) -> Term {
        self.entries.last().map_or(self.snapshot.term, |e| e.term)
    }
    fn last_id(&self) -> EntryId {
        EntryId {
            term: self.last_term(),
            index: self.last_index(),
        }
    }
    fn get(&self, index: LogIndex) -> Option<&Entry> {
        let i = usize::try_from(index.0.checked_sub(self.first_index().0)?).ok()?;
        self.entries.get(i)
    }
    fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index == self.snapshot.index {
            Some(self.snapshot.term)
        } else {
            self.get(index).map(|e| e.term)
        }
    }
    fn matches(&self, id: EntryId) -> bool {
        self.term_at(id.index) == Some(id.term)
    }
    fn holds(&self, id: EntryId) -> bool {
        id.index <= self.snapshot.index || self.matches(id)
    }
    fn compact_to(&mut self, upto: EntryId) {
        if upto.index <= self.snapshot.index || !self.matches(upto) {
            return;
        }
        let drop = (upto.index.0 - self.snapshot.index.0) as usize;
        self.entries.drain(..drop);
        self.snapshot = upto;
    }
    fn install_snapshot(&mut self, last: EntryId) -> bool {
        if self.matches(last) && last.index >= self.snapshot.index {
            self.compact_to(last);
            true
        } else {
            self.entries.clear();
            self.snapshot = last;
            false
        }
    }
    fn last_config_before(&self, index: LogIndex) -> Option<(LogIndex, &Membership)> {
        let end = usize::try_from(index.0.saturating_sub(self.first_index().0))
            .unwrap_or(usize::MAX)
            .min(self.entries.len());
        self.entries[..end]
            .iter()
            .rev()
            .find_map(|e| match &e.command {
                Command::Config(m) => Some((e.index, m)),
                _ => None,
            })
    }
    fn append_new(&mut self, term: Term, command: Command) -> EntryId {
        let index = self.last_index().next();
        self.entries.push(Entry {
            term,
            index,
            command,
        });
        EntryId { term, index }
    }
    fn merge(&mut self, entries: &[Entry]) -> Option<LogIndex> {
        let mut changed_from = None;
        for entry in entries {
            match self.term_at(entry.index) {
                Some(t) if t == entry.term => continue,
                Some(_) => {
                    self.truncate_from(entry.index);
                    changed_from.get_or_insert(entry.index);
                    self.entries.push(entry.clone());
                }
                None => {
                    changed_from.get_or_insert(entry.index);
                    self.entries.push(entry.clone());
                }
            }
        }
        changed_from
    }
    fn truncate_from(&mut self, index: LogIndex) {
        let keep = index.0.saturating_sub(self.first_index().0);
        if let Ok(keep) = usize::try_from(keep) {
            self.entries.truncate(keep);
        }
    }
    fn replace_suffix(&mut self, from: LogIndex, entries: &[Entry]) {
        self.truncate_from(from);
        self.entries.extend_from_slice(entries);
    }
    fn slice_from(&self, from: LogIndex, max: u64) -> &[Entry] {
        let start = from
            .0
            .saturating_sub(self.first_index().0)
            .min(self.entries.len() as u64) as usize;
        let end = (start as u64)
            .saturating_add(max)
            .min(self.entries.len() as u64) as usize;
        &self.entries[start..end]
    }
    fn first_index_of_term_ending_at(&self, from: LogIndex) -> LogIndex {
        let Some(term) = self.get(from).map(|e| e.term) else {
            return from;
        };
        let mut i = from;
        while i > self.first_index() && self.term_at(i.prev()) == Some(term) {
            i = i.prev();
        }
        i
    }
    fn last_index_of_term(&self, term: Term) -> Option<LogIndex> {
        self.entries
            .iter()
            .rev()
            .skip_while(|e| e.term > term)
            .take_while(|e| e.term == term)
            .map(|e| e.index)
            .next()
            .or_else(|| {
                (self.snapshot.index.0 > 0
                    && self.snapshot.term == term
                    && self.entries.first().is_none_or(|e| e.term > term))
                .then_some(self.snapshot.index)
            })
    }
}

/// One operation, with its parameters as fractions of the log's current range so that most
/// of them hit existing entries.
#[derive(Clone, Debug)]
enum Op {
    /// Append this many new entries in the last term, or the next one.
    Append { n: u8, new_term: bool, config: bool },
    /// Merge entries starting at `at` (per mille of the range), `n` of them, in a term bump
    /// of `bump` over the term at the start (0: the same entries, a no-op merge).
    Merge { at: u16, n: u8, bump: u8 },
    /// Truncate from `at`.
    Truncate { at: u16 },
    /// Replace the suffix from `at` with `n` new entries.
    Replace { at: u16, n: u8 },
    /// Compact up to `at`.
    Compact { at: u16 },
    /// Install a snapshot at `at` (its term: the entry's, or one more, a conflict).
    Install { at: u16, conflict: bool },
    /// Keep a clone of the log as it is now.
    Clone,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (1..40u8, any::<bool>(), prop::bool::weighted(0.1))
            .prop_map(|(n, new_term, config)| Op::Append { n, new_term, config }),
        4 => (0..1200u16, 1..80u8, 0..3u8).prop_map(|(at, n, bump)| Op::Merge { at, n, bump }),
        1 => (0..1100u16).prop_map(|at| Op::Truncate { at }),
        1 => (0..1100u16, 0..70u8).prop_map(|(at, n)| Op::Replace { at, n }),
        1 => (0..1100u16).prop_map(|at| Op::Compact { at }),
        1 => (0..1300u16, any::<bool>()).prop_map(|(at, conflict)| Op::Install { at, conflict }),
        2 => Just(Op::Clone),
    ]
}

/// The index `at` per mille of the way from the first index to just past the last.
fn pick(log: &VecLog, at: u16) -> LogIndex {
    let first = log.first_index().0;
    let span = log.last_index().0 + 1 - first;
    LogIndex(first + span * u64::from(at) / 1000)
}

fn command(i: u64, config: bool) -> Command {
    if config {
        Command::Config(Membership::new((1..=(i % 5 + 1)).map(NodeId)))
    } else {
        Command::Add { a: i as i64, b: 1 }
    }
}

/// Every query answers the same on both logs.
fn same(log: &Log, oracle: &VecLog) -> Result<(), TestCaseError> {
    prop_assert_eq!(log.entries().to_vec(), oracle.entries.clone());
    prop_assert_eq!(log.entries().len(), oracle.entries.len());
    prop_assert!(log.entries().iter().rev().eq(oracle.entries.iter().rev()));
    prop_assert_eq!(log.snapshot_id(), oracle.snapshot);
    prop_assert_eq!(log.first_index(), oracle.first_index());
    prop_assert_eq!(log.last_id(), oracle.last_id());
    let last = oracle.last_index().0;
    let first = oracle.first_index().0;
    let probes = [
        0,
        1,
        first.saturating_sub(1),
        first,
        (first + last) / 2,
        last,
        last + 1,
    ];
    for i in probes.map(LogIndex) {
        prop_assert_eq!(log.get(i), oracle.get(i));
        prop_assert_eq!(log.term_at(i), oracle.term_at(i));
        prop_assert_eq!(log.last_config_before(i), oracle.last_config_before(i));
        prop_assert_eq!(
            log.first_index_of_term_ending_at(i),
            oracle.first_index_of_term_ending_at(i)
        );
        for max in [0, 1, 63, 64, 65, u64::MAX] {
            prop_assert_eq!(
                log.slice_from(i, max).to_vec(),
                oracle.slice_from(i, max).to_vec()
            );
        }
        if let Some(t) = oracle.term_at(i) {
            let id = EntryId { term: t, index: i };
            prop_assert_eq!(log.matches(id), oracle.matches(id));
            prop_assert_eq!(log.holds(id), oracle.holds(id));
            prop_assert_eq!(log.last_index_of_term(t), oracle.last_index_of_term(t));
            let other = EntryId {
                term: t.next(),
                index: i,
            };
            prop_assert_eq!(log.holds(other), oracle.holds(other));
        }
    }
    Ok(())
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut log = Log::new();
    let mut oracle = VecLog::default();
    let mut clones: Vec<(Log, VecLog)> = Vec::new();
    let mut serial = 0u64;
    for op in ops {
        match *op {
            Op::Append {
                n,
                new_term,
                config,
            } => {
                let term = if new_term {
                    oracle.last_term().next()
                } else {
                    oracle.last_term().max(Term(1))
                };
                for k in 0..u64::from(n) {
                    serial += 1;
                    let c = command(serial, config && k == 0);
                    prop_assert_eq!(log.append_new(term, c.clone()), oracle.append_new(term, c));
                }
            }
            Op::Merge { at, n, bump } => {
                // Entries must follow an index the log matches: start within the log (never
                // before its first index) or right after its end.
                let start = pick(&oracle, at.min(1000));
                let base = oracle.term_at(start.prev()).unwrap_or(oracle.snapshot.term);
                let entries: Vec<Entry> = (0..u64::from(n))
                    .map(|k| {
                        let index = LogIndex(start.0 + k);
                        let term = match oracle.get(index) {
                            Some(e) if bump == 0 => e.term,
                            _ => Term(base.0 + u64::from(bump.max(1))),
                        };
                        let command = match oracle.get(index) {
                            Some(e) if e.term == term => e.command.clone(),
                            _ => command(1_000_000 + index.0, false),
                        };
                        Entry {
                            term,
                            index,
                            command,
                        }
                    })
                    .collect();
                prop_assert_eq!(log.merge(&entries), oracle.merge(&entries));
            }
            Op::Truncate { at } => {
                let i = pick(&oracle, at);
                log.truncate_from(i);
                oracle.truncate_from(i);
            }
            Op::Replace { at, n } => {
                let from = pick(&oracle, at.min(1000));
                let term = oracle.last_term().next();
                let entries: Vec<Entry> = (0..u64::from(n))
                    .map(|k| Entry {
                        term,
                        index: LogIndex(from.0 + k),
                        command: command(2_000_000 + from.0 + k, false),
                    })
                    .collect();
                log.replace_suffix(from, &entries);
                oracle.replace_suffix(from, &entries);
            }
            Op::Compact { at } => {
                let index = pick(&oracle, at);
                let upto = EntryId {
                    term: oracle.term_at(index).unwrap_or(Term(0)),
                    index,
                };
                log.compact_to(upto);
                oracle.compact_to(upto);
            }
            Op::Install { at, conflict } => {
                let index = pick(&oracle, at);
                let term = oracle.term_at(index).unwrap_or(oracle.last_term());
                let last = EntryId {
                    term: if conflict { term.next() } else { term },
                    index,
                };
                prop_assert_eq!(log.install_snapshot(last), oracle.install_snapshot(last));
            }
            Op::Clone => clones.push((log.clone(), oracle.clone())),
        }
        same(&log, &oracle)?;
    }
    for (log, oracle) in &clones {
        same(log, oracle)?;
    }
    prop_assert_eq!(
        serde_json::to_string(&log).expect("serialize"),
        format!(
            "{{\"entries\":{},\"snapshot\":{}}}",
            serde_json::to_string(&oracle.entries).expect("serialize"),
            serde_json::to_string(&oracle.snapshot).expect("serialize")
        ),
        "serialized as before"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any sequence of operations leaves the chunked log equal to the vector log, and clones
    /// taken along the way unchanged.
    #[test]
    fn the_chunked_log_behaves_like_a_vector(ops in prop::collection::vec(op(), 1..120)) {
        run(&ops)?;
    }
}
