//! The client history as plain data: one bar per recent operation, one row per client, over
//! virtual time; and the linearizability verdict, recomputed only when the history changes.
//!
//! Coordinates are whole numbers in a fixed viewBox, so no float is formatted (see
//! `num.rs` for why that matters to the download size).

use raft_core::ApplyOutput;
use raft_core::sim::{HistoryOp, Outcome, Simulation};
use std::rc::Rc;

/// Operations the chart shows (the most recent).
pub const HISTORY_BARS: usize = 40;
/// Search steps the app allows the checker (a few tens of ms of wasm at worst; histories of
/// the app's size need far fewer).
pub const APP_CHECK_STEPS: u64 = 500_000;
/// Width of the chart's viewBox.
pub const CHART_W: u64 = 600;
/// Height of one client's row in the viewBox.
pub const ROW_H: u64 = 14;

/// One operation as a bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// Request number.
    pub id: u64,
    /// Row (client id − 1).
    pub row: u64,
    /// Left edge and width in viewBox units (width at least 2).
    pub x: u64,
    /// Width.
    pub w: u64,
    /// `ok`, `error`, `pending` or `failed` (no answer: it may or may not have taken effect).
    pub outcome: &'static str,
    /// Tooltip: the request, the client, the operation and its outcome.
    pub title: String,
}

/// The chart: bars and the number of rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryChart {
    /// One row per client.
    pub rows: u64,
    /// The bars, oldest first.
    pub bars: Vec<Bar>,
}

fn outcome(op: &HistoryOp) -> &'static str {
    match &op.outcome {
        Outcome::Pending => "pending",
        Outcome::Returned {
            output: ApplyOutput::Failed(_),
            ..
        }
        | Outcome::Rejected { .. } => "error",
        Outcome::Returned { .. } => "ok",
        Outcome::GaveUp { .. } => "failed",
    }
}

/// The chart of the last [`HISTORY_BARS`] operations, from the first one's invocation to now.
pub fn history_chart(sim: &Simulation) -> HistoryChart {
    let ops = sim.history().ops();
    let recent = ops.slice(ops.len().saturating_sub(HISTORY_BARS)..);
    let now = sim.now_ms();
    let start = recent.first().map_or(now, |op| op.invoked_at_ms);
    let span = now.saturating_sub(start).max(1);
    let x_of = |t: u64| t.saturating_sub(start).min(span) * CHART_W / span;
    let bars = recent
        .iter()
        .map(|op| {
            let end = op.ended_at_ms().unwrap_or(now);
            let x = x_of(op.invoked_at_ms);
            let class = outcome(op);
            Bar {
                id: op.request.0,
                row: op.client.0.saturating_sub(1),
                x,
                w: x_of(end).saturating_sub(x).max(2),
                outcome: class,
                title: format!(
                    "#{} client {}: {} ({class})",
                    op.request.0, op.client, op.command
                ),
            }
        })
        .collect();
    HistoryChart {
        rows: sim.config().client.clients,
        bars,
    }
}

/// How many syncs (animation frames) pass between two looks at the history: about four a
/// second. Checking on every operation that ends cost whole frames under heavy client load
/// (the search can take tens of milliseconds on a long history).
pub const CHECK_EVERY: u32 = 15;

/// The verdict on the whole history, kept until the history changes; looked at again every
/// [`CHECK_EVERY`] syncs.
#[derive(Clone, Debug, Default)]
pub struct HistoryCache {
    /// (operations, operations ended) when the verdict was computed.
    key: Option<(usize, usize)>,
    /// Syncs since the history was last looked at.
    since_look: u32,
    /// Whether the history is linearizable.
    pub ok: bool,
    /// `linearizable`, or the explanation.
    pub text: Rc<String>,
}

impl HistoryCache {
    /// Every [`CHECK_EVERY`]-th call (and on the first): re-checks the history if an
    /// operation was invoked or ended since the last check.
    pub fn sync(&mut self, sim: &Simulation) {
        if self.key.is_some() {
            self.since_look += 1;
            if self.since_look < CHECK_EVERY {
                return;
            }
        }
        self.since_look = 0;
        let ops = sim.history().ops();
        let key = (
            ops.len(),
            ops.iter().filter(|o| o.ended_at_ms().is_some()).count(),
        );
        if self.key == Some(key) {
            return;
        }
        self.key = Some(key);
        let verdict = sim.history().check_brief(APP_CHECK_STEPS);
        self.ok = verdict.is_linearizable();
        self.text = Rc::new(verdict.text());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::sim::{Action, ClientConfig, SimConfig};
    use raft_core::{ClientId, Command, RegisterOp};

    #[test]
    fn bars_and_verdict() {
        let mut sim = Simulation::new(SimConfig {
            client: ClientConfig {
                clients: 3,
                ..ClientConfig::default()
            },
            ..SimConfig::default()
        })
        .expect("valid");
        let mut cache = HistoryCache::default();
        cache.sync(&sim);
        assert!(cache.ok);
        assert_eq!(*cache.text, "linearizable");
        assert_eq!(history_chart(&sim).bars, vec![]);
        assert!(sim.run_until(120_000, |s| s.leader().is_some()));
        for (client, op) in [(1, RegisterOp::Set(4)), (3, RegisterOp::Div(0))] {
            sim.apply(Action::SubmitFrom {
                client: ClientId(client),
                command: Command::Register(op),
            })
            .expect("submitted");
        }
        sim.run_for(1);
        let chart = history_chart(&sim);
        assert_eq!(chart.rows, 3);
        assert_eq!(chart.bars.len(), 2);
        assert_eq!((chart.bars[1].row, chart.bars[1].outcome), (2, "pending"));
        assert!(sim.run_until(200_000, |s| s.client().requests().all(|r| r.is_finished())));
        let chart = history_chart(&sim);
        assert_eq!(chart.bars[0].outcome, "ok");
        assert_eq!(chart.bars[1].outcome, "error");
        assert_eq!(chart.bars[0].title, "#1 client 1: r := 4 (ok)");
        assert!(chart.bars.iter().all(|b| b.x + b.w <= CHART_W + 2));
        // The verdict is looked at again within CHECK_EVERY syncs, not on every one.
        let before = cache.key;
        cache.sync(&sim);
        assert_eq!(cache.key, before, "the next sync does not re-check");
        for _ in 1..CHECK_EVERY {
            cache.sync(&sim);
        }
        assert_ne!(cache.key, before, "re-checked within {CHECK_EVERY} syncs");
        assert!(cache.ok, "{}", cache.text);
    }
}
