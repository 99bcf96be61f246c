//! A linearizability checker: the Wing–Gong search (Wing & Gong, "Testing and verifying
//! concurrent objects", 1993) with Lowe's memoization of (linearized set, state) pairs (Lowe,
//! "Testing for linearizability", 2017), the algorithm of the Porcupine checker.
//!
//! A history is a set of operations, each with a call time and, if the caller got an answer, a
//! return time and an output. It is *linearizable* (Herlihy & Wing 1990) if some total order
//! of the operations (1) respects real time: an operation that returned before another was
//! called comes first, and (2) is a legal run of the sequential [`Model`] that produces every
//! recorded output. An operation without an answer (a timeout, a client that gave up, a crash)
//! may have taken effect at any time after its call, or never, and any output is accepted for
//! it ([`End::Unknown`]). When the caller knows more — the simulator's client sessions
//! guarantee that an operation its client has settled never takes effect after the client's
//! next operation was applied — the window can be closed with `settled_by`: the operation
//! took effect by then, or never. That bound keeps operations without an answer from being
//! concurrent with the whole rest of a long history, which would make the search exponential
//! in their number.
//!
//! Equal times are read permissively: an operation that returned at the same millisecond as
//! another was called counts as concurrent with it, so a coarse clock can only hide a
//! violation, never invent one.
//!
//! The search is exhaustive, deterministic (no hashing with random keys, no threads, no
//! clock) and bounded by a step budget, so a caller on the browser's main thread stays
//! responsive; the verdict is then [`Verdict::Unknown`].

use std::collections::BTreeSet;

/// A sequential specification of an object.
pub trait Model {
    /// The object's state. `Ord` so that (linearized set, state) pairs can be memoized
    /// deterministically.
    type State: Clone + Ord;
    /// What an operation asks.
    type Input;
    /// What an operation answered.
    type Output;
    /// The state before any operation.
    fn init(&self) -> Self::State;
    /// The state after `input` is applied in `state`, if that can produce `output`; `None` if
    /// it cannot. `output` is `None` for an operation without an answer: then only whether the
    /// operation can be applied at all matters.
    fn step(
        &self,
        state: &Self::State,
        input: &Self::Input,
        output: Option<&Self::Output>,
    ) -> Option<Self::State>;
}

/// How an operation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End<O> {
    /// It returned at this time with this output. A time before the call is read as the call's.
    Returned(u64, O),
    /// No answer: it took effect once at some time after its call and, if `settled_by` is
    /// given, at or before that time; or it never took effect.
    Unknown {
        /// The latest time it can have taken effect, if known.
        settled_by: Option<u64>,
    },
}

/// One operation of a history. Times are in any unit (the simulator's: virtual ms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation<I, O> {
    /// When it was called.
    pub call: u64,
    /// How it ended.
    pub end: End<O>,
    /// What it asked.
    pub input: I,
}

impl<I, O> Operation<I, O> {
    fn output(&self) -> Option<&O> {
        match &self.end {
            End::Returned(_, o) => Some(o),
            End::Unknown { .. } => None,
        }
    }

    /// The time of its return event: the answer, the settled-by bound, or after everything.
    fn return_time(&self) -> u64 {
        let t = match self.end {
            End::Returned(t, _) => t,
            End::Unknown { settled_by } => settled_by.unwrap_or(u64::MAX),
        };
        t.max(self.call)
    }
}

/// Why a history is not linearizable: the deepest point the search reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample<S> {
    /// The longest order found that explains the history up to `stuck` (indexes into the
    /// operations, in linearization order; operations without an answer that were left out
    /// are not listed).
    pub prefix: Vec<usize>,
    /// The state after `prefix`.
    pub state: S,
    /// An operation that had returned by then but cannot be placed next after `prefix`.
    pub stuck: usize,
}

/// The answer of [`check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<S> {
    /// Linearizable; one witness order (indexes into the operations; operations without an
    /// answer that are left out took no effect).
    Linearizable(Vec<usize>),
    /// Not linearizable.
    NotLinearizable(Counterexample<S>),
    /// The step budget ran out before the search finished.
    Unknown {
        /// Steps taken (the budget).
        steps: u64,
    },
}

impl<S> Verdict<S> {
    /// Whether the verdict is [`Verdict::Linearizable`].
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Verdict::Linearizable(_))
    }
}

const NONE: usize = usize::MAX;

/// One call or return event in the doubly linked list the search lifts operations out of.
#[derive(Clone, Copy, Debug)]
struct Event {
    op: usize,
    is_call: bool,
    /// The other event of the same operation: a call's return, a return's call.
    pair: usize,
    prev: usize,
    next: usize,
}

/// The events in time order, as a doubly linked list with a head sentinel at index 0.
struct EventList {
    events: Vec<Event>,
}

impl EventList {
    fn new<I, O>(ops: &[Operation<I, O>]) -> Self {
        // (time, is_return, op): calls before returns at equal times is the permissive
        // reading of ties. An insertion sort (no std sort in the web app's download): the
        // operations come in call order, so only returns move, and not far.
        let mut keys: Vec<(u64, bool, usize)> = Vec::with_capacity(ops.len() * 2);
        for (i, op) in ops.iter().enumerate() {
            for key in [(op.call, false, i), (op.return_time(), true, i)] {
                let mut at = keys.len();
                keys.push(key);
                while at > 0 && keys[at - 1] > key {
                    keys.swap(at - 1, at);
                    at -= 1;
                }
            }
        }
        let head = Event {
            op: NONE,
            is_call: false,
            pair: NONE,
            prev: NONE,
            next: NONE,
        };
        let mut events = vec![head];
        let mut ret_of = vec![NONE; ops.len()];
        let mut call_of = vec![NONE; ops.len()];
        for &(_, is_ret, op) in &keys {
            let idx = events.len();
            if is_ret {
                ret_of[op] = idx;
            } else {
                call_of[op] = idx;
            }
            events.push(Event {
                op,
                is_call: !is_ret,
                pair: NONE,
                prev: idx - 1,
                next: NONE,
            });
            events[idx - 1].next = idx;
        }
        for op in 0..ops.len() {
            events[call_of[op]].pair = ret_of[op];
            events[ret_of[op]].pair = call_of[op];
        }
        EventList { events }
    }

    fn first(&self) -> usize {
        self.events[0].next
    }

    fn unlink(&mut self, i: usize) {
        let Event { prev, next, .. } = self.events[i];
        self.events[prev].next = next;
        if next != NONE {
            self.events[next].prev = prev;
        }
    }

    fn relink(&mut self, i: usize) {
        let Event { prev, next, .. } = self.events[i];
        self.events[prev].next = i;
        if next != NONE {
            self.events[next].prev = i;
        }
    }

    /// Takes a call and its return out of the list.
    fn lift(&mut self, call: usize) {
        self.unlink(call);
        self.unlink(self.events[call].pair);
    }

    /// Puts them back (in the reverse order of [`EventList::lift`]).
    fn unlift(&mut self, call: usize) {
        self.relink(self.events[call].pair);
        self.relink(call);
    }
}

/// One decision of the search, undone when it backtracks.
struct Choice<S> {
    /// The call event lifted out.
    call: usize,
    /// The state before.
    state: S,
    /// Whether the operation was left out (no answer, never took effect) rather than applied.
    left_out: bool,
}

/// Checks `history` against `model`, taking at most `max_steps` search steps (each tries one
/// operation in one state).
///
/// The search linearizes the earliest pending call whose model step accepts its output, and
/// backtracks when it reaches a return event whose operation is not linearized yet; at the
/// return event of an operation without an answer it may instead leave that operation out.
/// A (handled set, state) pair met before is never explored twice (Lowe's memoization).
pub fn check<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    max_steps: u64,
) -> Verdict<M::State> {
    let mut list = EventList::new(history);
    let mut handled = vec![0u64; history.len().div_ceil(64)];
    let mut seen: BTreeSet<(Vec<u64>, M::State)> = BTreeSet::new();
    let mut stack: Vec<Choice<M::State>> = Vec::new();
    let mut state = model.init();
    let mut best: Option<Counterexample<M::State>> = None;
    let mut entry = list.first();
    let mut steps = 0u64;
    let applied = |stack: &[Choice<M::State>], list: &EventList| -> Vec<usize> {
        stack
            .iter()
            .filter(|c| !c.left_out)
            .map(|c| list.events[c.call].op)
            .collect()
    };
    while list.first() != NONE {
        steps += 1;
        if steps > max_steps {
            return Verdict::Unknown { steps: max_steps };
        }
        let ev = list.events[entry];
        let op = &history[ev.op];
        // Try to apply a call, or to leave out an operation without an answer at its return.
        let (call, next, left_out) = if ev.is_call {
            (entry, model.step(&state, &op.input, op.output()), false)
        } else if op.output().is_none() {
            (ev.pair, Some(state.clone()), true)
        } else {
            (NONE, None, false)
        };
        if let Some(next) = next {
            let bit = (ev.op / 64, 1u64 << (ev.op % 64));
            handled[bit.0] |= bit.1;
            if seen.insert((handled.clone(), next.clone())) {
                let state = std::mem::replace(&mut state, next);
                stack.push(Choice {
                    call,
                    state,
                    left_out,
                });
                list.lift(call);
                entry = list.first();
                continue;
            }
            handled[bit.0] &= !bit.1;
        }
        if ev.is_call {
            entry = ev.next;
            continue;
        }
        // This operation's return is reached and nothing explains it: backtrack.
        if op.output().is_some() && best.as_ref().is_none_or(|b| stack.len() > b.prefix.len()) {
            best = Some(Counterexample {
                prefix: applied(&stack, &list),
                state: state.clone(),
                stuck: ev.op,
            });
        }
        // Undo the last choice; a left-out operation had no alternative left, so undo the one
        // before it too.
        loop {
            let Some(choice) = stack.pop() else {
                return match best {
                    Some(c) => Verdict::NotLinearizable(c),
                    // Unreachable: the deepest failure is at an operation with an answer.
                    None => Verdict::Unknown { steps },
                };
            };
            let op = list.events[choice.call].op;
            handled[op / 64] &= !(1u64 << (op % 64));
            state = choice.state;
            list.unlift(choice.call);
            if !choice.left_out {
                entry = list.events[choice.call].next;
                break;
            }
        }
    }
    Verdict::Linearizable(applied(&stack, &list))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A read/write register of small integers, initially 0.
    struct Register;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum Op {
        Write(i32),
        Read,
        /// Compare-and-set: answers whether it swapped.
        Cas(i32, i32),
    }

    impl Model for Register {
        type State = i32;
        type Input = Op;
        type Output = i32;
        fn init(&self) -> i32 {
            0
        }
        fn step(&self, s: &i32, input: &Op, output: Option<&i32>) -> Option<i32> {
            let (next, out) = match *input {
                Op::Write(v) => (v, 0),
                Op::Read => (*s, *s),
                Op::Cas(from, to) if *s == from => (to, 1),
                Op::Cas(..) => (*s, 0),
            };
            output.is_none_or(|o| *o == out).then_some(next)
        }
    }

    fn op(call: u64, ret: u64, input: Op, out: i32) -> Operation<Op, i32> {
        Operation {
            call,
            end: End::Returned(ret, out),
            input,
        }
    }

    fn pending(call: u64, input: Op) -> Operation<Op, i32> {
        Operation {
            call,
            end: End::Unknown { settled_by: None },
            input,
        }
    }

    fn settled(call: u64, by: u64, input: Op) -> Operation<Op, i32> {
        Operation {
            call,
            end: End::Unknown {
                settled_by: Some(by),
            },
            input,
        }
    }

    fn verdict(h: &[Operation<Op, i32>]) -> Verdict<i32> {
        check(&Register, h, 1_000_000)
    }

    #[test]
    fn empty_and_sequential_histories() {
        assert_eq!(verdict(&[]), Verdict::Linearizable(vec![]));
        let h = [
            op(0, 1, Op::Write(1), 0),
            op(2, 3, Op::Read, 1),
            op(4, 5, Op::Write(2), 0),
            op(6, 7, Op::Read, 2),
        ];
        assert_eq!(verdict(&h), Verdict::Linearizable(vec![0, 1, 2, 3]));
    }

    /// Porcupine's README example: a put concurrent with two gets, one seeing the new value and
    /// one the old.
    #[test]
    fn concurrent_reads_may_see_either_value() {
        let h = [
            op(0, 100, Op::Write(100), 0),
            op(10, 30, Op::Read, 100),
            op(40, 90, Op::Read, 0),
        ];
        assert!(!verdict(&h).is_linearizable(), "0 read after 100 was read");
        let h = [
            op(0, 100, Op::Write(100), 0),
            op(10, 30, Op::Read, 0),
            op(40, 90, Op::Read, 100),
        ];
        assert!(verdict(&h).is_linearizable());
    }

    #[test]
    fn a_stale_read_after_a_completed_write_is_caught() {
        let h = [op(0, 10, Op::Write(1), 0), op(20, 30, Op::Read, 0)];
        let Verdict::NotLinearizable(c) = verdict(&h) else {
            panic!("must fail");
        };
        assert_eq!(c.prefix, vec![0]);
        assert_eq!(c.state, 1);
        assert_eq!(c.stuck, 1);
    }

    #[test]
    fn equal_times_count_as_concurrent() {
        // The read is called at the millisecond the write returns: either order is allowed.
        let h = [op(0, 10, Op::Write(1), 0), op(10, 20, Op::Read, 0)];
        assert!(verdict(&h).is_linearizable());
    }

    #[test]
    fn pending_operations_may_take_effect_late_or_never() {
        // The write never answered: it may take effect between the two reads...
        let h = [
            pending(0, Op::Write(7)),
            op(10, 20, Op::Read, 0),
            op(30, 40, Op::Read, 7),
        ];
        assert!(verdict(&h).is_linearizable());
        // ...or never,
        let h = [pending(0, Op::Write(7)), op(30, 40, Op::Read, 0)];
        assert!(verdict(&h).is_linearizable());
        // but not before it was called,
        let h = [op(0, 10, Op::Read, 7), pending(20, Op::Write(7))];
        assert!(!verdict(&h).is_linearizable());
        // and not twice.
        let h = [
            pending(0, Op::Write(7)),
            op(10, 20, Op::Read, 7),
            op(30, 40, Op::Write(1), 0),
            op(50, 60, Op::Read, 7),
        ];
        assert!(!verdict(&h).is_linearizable());
    }

    #[test]
    fn settled_operations_took_effect_by_their_bound_or_never() {
        // Settled by 25: it may land before the first read...
        let h = [
            settled(0, 25, Op::Write(7)),
            op(10, 20, Op::Read, 7),
            op(30, 40, Op::Read, 7),
        ];
        assert!(verdict(&h).is_linearizable());
        // ...or never,
        let h = [settled(0, 25, Op::Write(7)), op(30, 40, Op::Read, 0)];
        assert!(verdict(&h).is_linearizable());
        // but not after its bound.
        let h = [
            settled(0, 25, Op::Write(7)),
            op(30, 40, Op::Read, 0),
            op(50, 60, Op::Read, 7),
        ];
        let Verdict::NotLinearizable(c) = verdict(&h) else {
            panic!("a settled write took effect late");
        };
        assert_eq!(c.stuck, 2);
        // Many unanswered writes, each settled soon after its call: linear work.
        let mut h = Vec::new();
        for i in 0..500u64 {
            h.push(settled(i * 10, i * 10 + 15, Op::Write(i as i32)));
            h.push(op(i * 10 + 5, i * 10 + 8, Op::Read, i as i32));
        }
        assert!(check(&Register, &h, 100_000).is_linearizable());
        // A read of a value overwritten long ago is found out without exploring every way to
        // place the unanswered writes.
        h.push(op(10_000, 10_001, Op::Read, 3));
        assert!(matches!(
            check(&Register, &h, 100_000),
            Verdict::NotLinearizable(_)
        ));
    }

    #[test]
    fn order_matters_for_compare_and_set() {
        // Two concurrent CASes from 0 cannot both succeed.
        let h = [op(0, 10, Op::Cas(0, 1), 1), op(0, 10, Op::Cas(0, 2), 1)];
        assert!(!verdict(&h).is_linearizable());
        let h = [
            op(0, 10, Op::Cas(0, 1), 1),
            op(0, 10, Op::Cas(0, 2), 0),
            op(20, 30, Op::Read, 1),
        ];
        assert_eq!(verdict(&h), Verdict::Linearizable(vec![0, 1, 2]));
    }

    /// A linearizable history by construction: four processes, each running operations
    /// back to back; every operation takes effect at a point inside its interval, and its
    /// output is what the register gave at that point.
    fn generated(n: usize) -> Vec<Operation<Op, i32>> {
        let mut seed = 0x2545_f491_u64;
        let mut rand = move |m: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % m
        };
        let mut free_at = [0u64; 4];
        // (linearization point, call, return, input)
        let mut points = BTreeSet::new();
        for i in 0..n {
            let p = i % 4;
            let call = free_at[p] + rand(5);
            let point = call + 1 + rand(20);
            let ret = point + 1 + rand(20);
            free_at[p] = ret + 1;
            let input = match rand(3) {
                0 => Op::Write(rand(5) as i32),
                1 => Op::Read,
                _ => Op::Cas(rand(5) as i32, rand(5) as i32),
            };
            points.insert((point, i, call, ret, input));
        }
        let mut ops = vec![op(0, 0, Op::Read, 0); n];
        let mut r = 0;
        for (_, i, call, ret, input) in points {
            let out = match input {
                Op::Write(v) => {
                    r = v;
                    0
                }
                Op::Read => r,
                Op::Cas(from, to) if r == from => {
                    r = to;
                    1
                }
                Op::Cas(..) => 0,
            };
            ops[i] = op(call, ret, input, out);
        }
        ops
    }

    #[test]
    fn long_histories_with_bounded_concurrency() {
        let mut h = generated(2_000);
        assert!(check(&Register, &h, 1_000_000).is_linearizable());
        // One wrong read late in the history.
        let last_read = (0..h.len())
            .rev()
            .find(|&i| h[i].input == Op::Read)
            .unwrap();
        if let End::Returned(_, out) = &mut h[last_read].end {
            *out += 10;
        }
        let Verdict::NotLinearizable(c) = check(&Register, &h, 1_000_000) else {
            panic!("a read of a value never written");
        };
        assert!(c.prefix.len() > 1_900, "{}", c.prefix.len());
    }

    #[test]
    fn the_budget_bounds_the_work() {
        let h: Vec<_> = (0..20)
            .map(|i| op(i, 100 + i, Op::Write(i as i32), 0))
            .collect();
        assert_eq!(check(&Register, &h, 3), Verdict::Unknown { steps: 3 });
    }
}
