//! Prints the INFO trace of a simulated run: `cargo run -p raft-core --example run -- [seed] [virtual seconds]`.
use raft_core::sim::{Action, Level, SimConfig, Simulation};
use raft_core::{Command, NodeId};

fn main() {
    let mut args = std::env::args().skip(1);
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let secs: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(120);
    let Ok(mut sim) = Simulation::new(SimConfig {
        seed,
        ..SimConfig::default()
    }) else {
        eprintln!("invalid configuration");
        return;
    };
    sim.run_for(40_000);
    let _ = sim.apply(Action::Submit(Command::Add { a: 5, b: 3 }));
    sim.run_for(20_000);
    if let Some(l) = sim.leader() {
        let _ = sim.apply(Action::Crash(l));
    }
    sim.run_for(secs.saturating_sub(60) * 1000);
    let _ = sim.apply(Action::Restart(NodeId(1)));
    sim.run_for(30_000);
    for e in sim
        .trace()
        .events()
        .iter()
        .filter(|e| e.level() == Level::Info)
    {
        println!("{}", e.line());
    }
    println!(
        "digest {:016x}, events {}",
        sim.trace().digest(),
        sim.events_processed()
    );
}
