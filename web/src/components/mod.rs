//! The app's components. Each takes `Properties` deriving `PartialEq` (plain data from
//! [`crate::views`]), so an unchanged part of the page skips re-rendering; events go up as
//! `Callback`s named `on<verb>`.

pub mod banner;
pub mod chunk;
pub mod client_panel;
pub mod cluster;
pub mod controls;
pub mod embed_bar;
pub mod event_log;
pub mod help;
pub mod inspector;
pub mod legend;
pub mod log_view;
pub mod message;
pub mod network_panel;
pub mod node;
pub mod node_inspector;
pub mod node_menu;
pub mod scenario_panel;
pub mod scene_tools;
pub mod spacetime;
pub mod timeline_bar;
pub mod why_committed;
