//! raftlab's browser app: a Yew (client-side rendered) view of `raft_core::sim`.
//!
//! `main` only mounts [`app::App`]. The reducer in [`state`] owns the simulation; pure
//! modules ([`layout`], [`geometry`], [`glyph`], [`lanes`], [`views`], [`log_grid`],
//! [`status`], [`client_view`], [`trace_cache`], [`input`], [`speed`], [`actions`],
//! [`shortcuts`], [`node_fields`], [`why_commit`], [`narration`]) turn it into plain data
//! that the [`components`] draw, and are unit-tested natively.

#![forbid(unsafe_code)]

mod actions;
mod app;
mod client_view;
mod components;
mod decimal;
mod embed;
mod geometry;
mod glyph;
mod history_view;
mod input;
mod lanes;
mod layout;
mod log_grid;
mod math;
mod narration;
mod network_view;
mod node_fields;
mod num;
mod panels;
mod scenario_view;
mod scene_io;
mod session;
mod shortcuts;
mod spacetime;
mod speed;
mod startup;
mod state;
mod status;
mod trace_cache;
mod url;
mod views;
mod why_commit;

fn main() {
    yew::Renderer::<app::App>::new().render();
}

/// Benchmark hook, not part of the UI (scripts/bench.mjs calls it as
/// `window.wasmBindings.bench_sim`): runs the default simulation (5 nodes, seed 1) for
/// `virtual_ms` of virtual time with a client operation every `op_every_ms`, the workload of
/// `raftlab_bench::sim_speed`, and returns the number of events processed.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_sim(virtual_ms: f64, op_every_ms: f64) -> f64 {
    use raft_core::Command;
    use raft_core::sim::{Action, SimConfig, Simulation};
    let Ok(mut sim) = Simulation::new(SimConfig::default()) else {
        return 0.0;
    };
    let (end, every) = (virtual_ms as u64, (op_every_ms as u64).max(1));
    let mut t = 0;
    while t < end {
        let _ = sim.apply(Action::Submit(Command::Add { a: t as i64, b: 1 }));
        t = (t + every).min(end);
        sim.advance_to(t);
    }
    sim.events_processed() as f64
}

/// Browser tests: `cargo test --target wasm32-unknown-unknown -p web` runs them in headless
/// Chromium. Natively they are compiled out.
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests {
    use super::app::App;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn app_renders_the_cluster_and_the_controls() {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .expect("a document");
        let root = document.create_element("div").expect("create root");
        document
            .body()
            .expect("a body")
            .append_child(&root)
            .expect("append root");

        let _app = yew::Renderer::<App>::with_root(root.clone()).render();
        // Yew renders on its scheduler; wait until it has drained.
        yew::scheduler::flush().await;

        let nodes = root
            .query_selector_all("svg [data-node-id]")
            .expect("valid selector");
        assert_eq!(nodes.length(), 5, "five nodes by default");
        for sel in [
            "[data-testid=play-pause]",
            "[data-testid=speed]",
            "[data-testid=event-log]",
            "[data-testid=client-summary]",
            "[data-testid=virtual-time]",
        ] {
            assert!(
                root.query_selector(sel).expect("valid selector").is_some(),
                "{sel} is rendered"
            );
        }
    }

    /// Same seed, same run, on wasm32 too: the reference run's trace digest equals the golden
    /// value that the native suite (`tests/tests/determinism.rs`) checks on x86_64.
    #[wasm_bindgen_test]
    fn reference_run_digest_matches_the_native_golden() {
        let sim = raftlab_tests::reference_run();
        let digest = format!("{:016x}", sim.trace().digest());
        assert_eq!(digest, raftlab_tests::REFERENCE_DIGEST.trim());
    }
}
