//! The logs of all nodes, one row per node and one column per log index (the most recent
//! indexes only). Entries a node knows to be committed are solid, the others dashed and faded;
//! a gold line marks the leader's commit index. Once a node has compacted its log (§7), its
//! row starts with a snapshot block (`data-testid="snapshot"`) and the indexes it covers are
//! drawn as compacted. The row labels and snapshot blocks stay in view (sticky) when the grid
//! scrolls sideways. A cell not known to be committed is a button: pressing it opens "Why
//! isn't this committed?" ([`why_committed`]) under the grid.

use super::why_committed::{focus_why, why_committed};
use crate::log_grid::{LogCell, LogGrid, LogRow};
use crate::status::log_caption;
use crate::why_commit::WhyView;
use raft_core::RoleKind;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`LogView`].
#[derive(Properties, PartialEq)]
pub struct LogViewProps {
    /// The grid to show (compared by pointer first: unchanged between refreshes).
    pub grid: Rc<LogGrid>,
    /// An uncommitted cell was pressed: `(node, index)`.
    pub onexplain: Callback<(u64, u64)>,
    /// The open commit explanation, if any.
    pub why: Option<WhyView>,
    /// The explanation's close button was pressed.
    pub onclosewhy: Callback<()>,
}

/// What a cell needs besides its contents.
struct CellCtx<'a> {
    node: u64,
    index: u64,
    commit_edge: bool,
    compacted: bool,
    /// Whether its explanation is open.
    explained: bool,
    onexplain: &'a Callback<(u64, u64)>,
}

/// The snapshot column of a row: the block, or an empty slot keeping the columns aligned.
fn snapshot_block(r: &LogRow) -> Html {
    let s = r.snapshot;
    if s.index.0 == 0 {
        return html! { <div class="snapshot-slot"></div> };
    }
    let n = s.index.0;
    let title = format!(
        "Node {}'s snapshot (\u{a7}7): it replaced entries 1\u{2013}{n} (the last one of term {}) with the state machine's state after applying them, the client sessions and the configuration. Click the node for its contents.",
        r.node, s.term
    );
    html! {
        <div class="snapshot-slot snapshot" data-testid="snapshot"
             data-last-index={n.to_string()} data-last-term={s.term.0.to_string()} {title}>
            <span class="snap-top">{ format!("snapshot \u{2264} {n}") }</span>
            <span class="snap-sub">{ format!("t{} \u{b7} {n} entr{}", s.term, if n == 1 { "y" } else { "ies" }) }</span>
        </div>
    }
}

fn cell(c: Option<&LogCell>, x: &CellCtx<'_>) -> Html {
    let (index, compacted) = (x.index, x.compacted);
    let edge = x.commit_edge.then_some("commit-edge");
    match c {
        None if compacted => html! {
            <div class={classes!("cell", "compacted", edge)}
                 title={format!("Index {index}: compacted into this node's snapshot")}></div>
        },
        None => html! { <div class={classes!("cell", "empty", edge)}></div> },
        Some(c) => {
            let state = if c.committed {
                "committed"
            } else {
                "uncommitted"
            };
            let what = match &c.config {
                Some(m) => format!(
                    "configuration {m}: a server uses the newest one in its log, committed or not"
                ),
                None => c.text.clone(),
            };
            let title = format!(
                "Index {index}, term {}: {what} ({})",
                c.term,
                if c.committed {
                    "committed, as far as this node knows"
                } else {
                    "not known to be committed by this node: press for why"
                }
            );
            if !c.committed {
                // A button, named by its contents: "Index 4, t2 5+3, not committed: why?".
                let onclick = {
                    let (cb, key) = (x.onexplain.clone(), (x.node, index));
                    Callback::from(move |_: MouseEvent| cb.emit(key))
                };
                return html! {
                    <button type="button"
                            class={classes!("cell", state, format!("term-{}", c.term % 6), edge, c.config.is_some().then_some("config"), x.explained.then_some("explained"))}
                            data-config-entry={c.config.clone()} data-index={index.to_string()}
                            aria-expanded={x.explained.to_string()} {title} {onclick}>
                        <span class="sr-only">{ format!("Index {index}, ") }</span>
                        <span class="cell-term">{ format!("t{}", c.term) }</span>
                        { " " }
                        <span class="cell-cmd">{ c.text.clone() }</span>
                        <span class="sr-only">{ ", not committed: why?" }</span>
                    </button>
                };
            }
            html! {
                <div class={classes!("cell", state, format!("term-{}", c.term % 6), edge, c.config.is_some().then_some("config"))}
                     data-config-entry={c.config.clone()} {title}>
                    <span class="cell-term">{ format!("t{}", c.term) }</span>
                    <span class="cell-cmd">{ c.text.clone() }</span>
                </div>
            }
        }
    }
}

fn row(
    r: &LogRow,
    g: &LogGrid,
    leader_commit: Option<u64>,
    explained: Option<(u64, u64)>,
    onexplain: &Callback<(u64, u64)>,
) -> Html {
    let (first, snapshots) = (g.first, g.any_snapshot);
    let badge = if !r.member.is_empty() && r.role != RoleKind::Leader {
        r.member
    } else if r.crashed {
        "crashed"
    } else {
        match r.role {
            RoleKind::Leader => "leader",
            RoleKind::PreCandidate => "pre-candidate",
            RoleKind::Candidate => "candidate",
            RoleKind::Follower => "",
        }
    };
    let title = if r.crashed {
        format!(
            "Node {}: crashed; this is the log saved on its disk (up to index {})",
            r.node, r.last_index
        )
    } else {
        format!(
            "Node {}: log up to index {}, committed up to index {}",
            r.node, r.last_index, r.commit_index
        )
    };
    html! {
        <div class={classes!("log-row", r.crashed.then_some("crashed"), badge.to_string())} key={r.node}
             data-log-node={r.node.to_string()} data-last-index={r.last_index.to_string()}
             data-commit-index={r.commit_index.to_string()}>
            <div class="row-label" {title}>
                <span>{ format!("Node {}", r.node) }</span>
                if !badge.is_empty() {
                    <span class={classes!("badge", badge)}>
                        { match badge {
                            "pre-candidate" => "pre-vote",
                            "leader" if r.stale => "old leader",
                            other => other,
                        } }
                    </span>
                }
            </div>
            if snapshots {
                { snapshot_block(r) }
            }
            { for r.cells.iter().enumerate().map(|(i, c)| {
                let index = first + i as u64;
                cell(c.as_ref(), &CellCtx {
                    node: r.node,
                    index,
                    commit_edge: leader_commit == Some(index),
                    compacted: r.compacted(index),
                    explained: explained == Some((r.node, index)),
                    onexplain,
                })
            }) }
        </div>
    }
}

/// The per-node log grid.
#[function_component(LogView)]
pub fn log_view(props: &LogViewProps) -> Html {
    let g = &props.grid;
    // Keep the newest index in sight: scroll to the right end when the longest log grows.
    let scroller = use_node_ref();
    {
        let scroller = scroller.clone();
        use_effect_with(g.last, move |_| {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                el.set_scroll_left(el.scroll_width());
            }
        });
    }
    // The explanation takes the focus when it opens for another entry.
    use_effect_with(props.why.as_ref().map(|w| (w.node, w.index)), |open| {
        if open.is_some() {
            focus_why();
        }
    });
    let leader_commit = g.leader.map(|(_, c)| c).filter(|c| *c >= g.first);
    let explained = props.why.as_ref().map(|w| (w.node, w.index));
    let body = if g.last == 0 {
        html! {
            <p class="empty-note">
                { "No log entries yet. A newly elected leader first appends a no-op entry; each client request adds one more." }
            </p>
        }
    } else {
        html! {
            <div class="log-grid">
                <div class="log-row header">
                    <div class="row-label">
                        { if g.first > 1 { format!("index (1\u{2013}{} hidden)", g.first - 1) } else { "index".to_string() } }
                    </div>
                    if g.any_snapshot {
                        <div class="snapshot-slot head">{ "snapshot" }</div>
                    }
                    { for (g.first..=g.last).map(|i| html! {
                        <div class={classes!("cell", "index", (leader_commit == Some(i)).then_some("commit-edge"))}>
                            { i }
                        </div>
                    }) }
                </div>
                { for g.rows.iter().map(|r| row(r, g, leader_commit, explained, &props.onexplain)) }
            </div>
        }
    };
    let caption = log_caption(g);
    // Reserved even when empty, so that the panel does not change height every heartbeat.
    let hint = if g.lagging {
        "Followers learn the commit index from the leader\u{2019}s next AppendEntries (heartbeat)."
    } else {
        ""
    };
    html! {
        // Focusable: in embed mode the panel scrolls, and keyboard users must be able to scroll it.
        <section class="panel log-view" aria-label="Logs" tabindex="0">
            <div class="panel-head">
                <h2>{ "Logs" }</h2>
                <span class="muted log-caption" title={caption.clone()}>{ caption }</span>
            </div>
            <div class="log-scroll" ref={scroller}>{ body }</div>
            if let Some(view) = &props.why {
                { why_committed(view, &props.onclosewhy) }
            }
            <div class="log-foot">
                <span class="log-key muted" title="tN in a cell is the term in which a leader created the entry. Each node learns which entries are committed from the leader, so a follower (or a restarted node) may not know yet.">
                    <span class="cell committed term-1 sample"><span class="cell-cmd">{ "t1" }</span></span>
                    { "committed (as far as this node knows)" }
                    <span class="cell uncommitted term-1 sample"><span class="cell-cmd">{ "t1" }</span></span>
                    { "not known to be committed by this node (press it to see why)" }
                    <span class="cell committed term-1 sample config"><span class="cell-cmd">{ "C" }</span></span>
                    { "configuration (hover it)" }
                    if g.any_snapshot {
                        <span class="cell compacted sample"></span>
                        { "compacted into the node\u{2019}s snapshot" }
                    }
                </span>
                <span class="log-hint" data-testid="commit-hint" aria-live="polite">{ hint }</span>
            </div>
        </section>
    }
}
