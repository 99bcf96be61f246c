//! The reducer's part for the postMessage API: a command from the page around an embedded
//! app (already validated as a message by [`crate::embed::parse_host_message`]) is carried
//! out here, where it can still be refused by the run; refusals and `get-state` replies go to
//! the outbox that [`crate::embed::bridge::Bridge`] posts after the render.

use super::AppState;
use crate::embed::{HostCommand, HostEvent, MAX_SEEK_AHEAD_MS, state_event};
use crate::scenario_view::ScenarioMsg;

impl AppState {
    /// Carries out a host page's command. Nothing it asks can panic or leave the run half
    /// changed: a refused command only queues an `error` event.
    pub(super) fn host(&mut self, command: HostCommand) {
        let result = match command {
            HostCommand::Play => {
                self.playing = true;
                self.last_wall_ms = None;
                Ok(())
            }
            HostCommand::Pause => {
                self.playing = false;
                self.last_wall_ms = None;
                Ok(())
            }
            HostCommand::Seek(t_ms) => self.host_seek(t_ms),
            HostCommand::LoadScenario(id) => self.scenario_msg(ScenarioMsg::Load(id)),
            HostCommand::NextStep | HostCommand::PreviousStep if self.scenario.is_none() => {
                Err("no scenario is loaded (send load-scenario first)".to_string())
            }
            HostCommand::NextStep => self.scenario_msg(ScenarioMsg::Next),
            HostCommand::PreviousStep => self.scenario_msg(ScenarioMsg::Back),
            HostCommand::Action(action) => match self.with_sim(|t| t.apply(action)) {
                Some(Err(e)) => Err(format!("the simulator refused the action: {e}")),
                _ => Ok(()),
            },
            HostCommand::GetState => {
                let event = self
                    .sim()
                    .map(|sim| state_event(&sim, self.playing, self.scenario.as_deref()));
                if let Some(event) = event {
                    self.host_out.push(event);
                }
                Ok(())
            }
        };
        if let Err(reason) = result {
            self.host_out.push(HostEvent::Error { reason });
        }
    }

    /// Moves to `t_ms`: back within the recorded run, or forward up to
    /// [`MAX_SEEK_AHEAD_MS`] past its end (running the simulation). Pauses, like the scrubber.
    fn host_seek(&mut self, t_ms: u64) -> Result<(), String> {
        let horizon = self.timeline().map_or(0, |t| t.horizon_ms());
        let limit = horizon.saturating_add(MAX_SEEK_AHEAD_MS);
        if t_ms > limit {
            return Err(format!(
                "seek: t_ms {t_ms} is too far ahead; the run is recorded up to {horizon} ms and a seek may go at most {MAX_SEEK_AHEAD_MS} ms further"
            ));
        }
        self.playing = false;
        self.last_wall_ms = None;
        self.with_sim(|t| t.seek(t_ms));
        Ok(())
    }
}
