//! Per-link network settings: latency, loss and duplication as exact integer ratios.
//!
//! Raft assumes an asynchronous network that may delay, drop, duplicate and reorder messages
//! (paper §5.1: "RPCs ... may be lost ... \[servers\] retry RPCs if they do not receive a
//! response"). The simulator models each *directed* link between two nodes separately, so a
//! link can be cut in one direction only. Probabilities are integer ratios, never floats, so a
//! seed replays identically on every platform.

use super::settings::SimError;
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A probability as an exact fraction `num / den` (for example loss 1/10).
///
/// Invariant (checked by [`Ratio::new`] and by [`LinkSettings::validate`]): `den > 0` and
/// `num <= den`. `0/d` never happens and `d/d` always happens, and neither draws from the RNG,
/// so turning a fault off leaves the rest of a run's random choices unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ratio {
    /// Numerator: how many outcomes out of `den` trigger the fault.
    pub num: u32,
    /// Denominator, at least 1.
    pub den: u32,
}

impl Default for Ratio {
    fn default() -> Self {
        Ratio::NEVER
    }
}

impl Ratio {
    /// Probability 0.
    pub const NEVER: Ratio = Ratio { num: 0, den: 1 };
    /// Probability 1.
    pub const ALWAYS: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den`.
    ///
    /// # Errors
    /// [`SimError::InvalidRatio`] if `den` is 0 or `num > den`.
    pub fn new(num: u32, den: u32) -> Result<Ratio, SimError> {
        let r = Ratio { num, den };
        r.check()?;
        Ok(r)
    }

    /// A whole percentage, `percent / 100`.
    ///
    /// # Errors
    /// [`SimError::InvalidRatio`] if `percent > 100`.
    pub fn percent(percent: u32) -> Result<Ratio, SimError> {
        Ratio::new(percent, 100)
    }

    fn check(self) -> Result<(), SimError> {
        if self.den == 0 || self.num > self.den {
            Err(SimError::InvalidRatio {
                num: self.num,
                den: self.den,
            })
        } else {
            Ok(())
        }
    }

    /// Whether the probability is 0.
    pub fn is_never(self) -> bool {
        self.num == 0
    }

    /// The probability in thousandths, rounded down (for display: 1/3 → 333).
    pub fn per_mille(self) -> u32 {
        if self.den == 0 {
            return 0;
        }
        let v = u64::from(self.num) * 1000 / u64::from(self.den);
        u32::try_from(v).unwrap_or(u32::MAX)
    }

    /// Draws one outcome. Never touches the RNG when the outcome is certain.
    pub(crate) fn sample(self, rng: &mut Xoshiro256PlusPlus) -> bool {
        if self.num == 0 || self.den == 0 {
            false
        } else if self.num >= self.den {
            true
        } else {
            rng.random_range(0..self.den) < self.num
        }
    }
}

impl fmt::Display for Ratio {
    /// A percentage when it is a whole one (`0%`, `25%`, `100%`), else the fraction (`1/3`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (num, den) = (u64::from(self.num), u64::from(self.den));
        if den > 0 && (num * 100).is_multiple_of(den) {
            write!(f, "{}%", num * 100 / den)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// How one directed link treats the messages sent over it (unless the link is cut).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkSettings {
    /// Smallest one-way latency (inclusive), in virtual ms.
    pub latency_ms_min: u64,
    /// Largest one-way latency (inclusive), in virtual ms. Each message draws its own latency
    /// from the range, so messages overtake each other when the range is wide enough.
    pub latency_ms_max: u64,
    /// Chance that a message is lost. A lost message still travels (and is drawn) but is
    /// dropped when it arrives instead of being delivered.
    pub loss: Ratio,
    /// Chance that a message is delivered twice: the network sends a second copy with its own
    /// latency.
    pub duplicate: Ratio,
}

impl Default for LinkSettings {
    /// The simulator's default latency (1.8–2.4 s, see [`super::SimConfig`]), no loss, no
    /// duplication.
    fn default() -> Self {
        LinkSettings {
            latency_ms_min: 1_800,
            latency_ms_max: 2_400,
            loss: Ratio::NEVER,
            duplicate: Ratio::NEVER,
        }
    }
}

impl LinkSettings {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`SimError::LatencyRange`] if the minimum latency exceeds the maximum,
    /// [`SimError::InvalidRatio`] if a ratio has a zero denominator or exceeds 1.
    pub fn validate(&self) -> Result<(), SimError> {
        if self.latency_ms_min > self.latency_ms_max {
            return Err(SimError::LatencyRange {
                min_ms: self.latency_ms_min,
                max_ms: self.latency_ms_max,
            });
        }
        self.loss.check()?;
        self.duplicate.check()
    }

    /// Whether the link loses or duplicates messages.
    pub fn is_faulty(&self) -> bool {
        !self.loss.is_never() || !self.duplicate.is_never()
    }

    /// Draws one message's latency in virtual ms.
    pub(crate) fn draw_latency(&self, rng: &mut Xoshiro256PlusPlus) -> u64 {
        rng.random_range(self.latency_ms_min..=self.latency_ms_max)
    }
}

/// The state of the undirected link between nodes `a < b`, as the app draws it
/// (`data-link-state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// Both directions deliver, with no loss or duplication.
    Up,
    /// Both directions are cut.
    Cut,
    /// Only the direction from `a` to `b` is cut: `b` can still reach `a`.
    CutAToB,
    /// Only the direction from `b` to `a` is cut: `a` can still reach `b`.
    CutBToA,
    /// Both directions deliver, but at least one loses or duplicates messages.
    Lossy,
}

impl LinkState {
    /// `up`, `cut`, `cut-a-b`, `cut-b-a` or `lossy`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Up => "up",
            LinkState::Cut => "cut",
            LinkState::CutAToB => "cut-a-b",
            LinkState::CutBToA => "cut-b-a",
            LinkState::Lossy => "lossy",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ratio_validation() {
        assert!(Ratio::new(0, 1).is_ok());
        assert!(Ratio::new(3, 3).is_ok());
        assert_eq!(
            Ratio::new(1, 0),
            Err(SimError::InvalidRatio { num: 1, den: 0 })
        );
        assert_eq!(
            Ratio::new(4, 3),
            Err(SimError::InvalidRatio { num: 4, den: 3 })
        );
        assert!(Ratio::percent(101).is_err());
        assert_eq!(Ratio::percent(25).map(Ratio::per_mille), Ok(250));
    }

    #[test]
    fn certain_outcomes_do_not_draw() {
        let mut a = Xoshiro256PlusPlus::seed_from_u64(9);
        let b = a.clone();
        assert!(!Ratio::NEVER.sample(&mut a));
        assert!(Ratio::ALWAYS.sample(&mut a));
        assert!(Ratio { num: 5, den: 5 }.sample(&mut a));
        assert_eq!(a, b, "no random number was consumed");
    }

    #[test]
    fn sampling_matches_the_ratio() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let r = Ratio { num: 1, den: 4 };
        let hits = (0..40_000).filter(|_| r.sample(&mut rng)).count();
        assert!((9_000..11_000).contains(&hits), "{hits} of 40000 at 1/4");
    }

    #[test]
    fn link_settings_validation() {
        let ok = LinkSettings::default();
        assert!(ok.validate().is_ok());
        let bad = LinkSettings {
            latency_ms_min: 5,
            latency_ms_max: 4,
            ..ok
        };
        assert!(matches!(bad.validate(), Err(SimError::LatencyRange { .. })));
        let bad = LinkSettings {
            loss: Ratio { num: 2, den: 1 },
            ..ok
        };
        assert!(matches!(bad.validate(), Err(SimError::InvalidRatio { .. })));
        assert_eq!(ratio_text(Ratio { num: 1, den: 10 }), "10%");
        assert_eq!(ratio_text(Ratio { num: 1, den: 3 }), "1/3");
        assert_eq!(ratio_text(Ratio::NEVER), "0%");
        assert_eq!(ratio_text(Ratio::ALWAYS), "100%");
    }

    fn ratio_text(r: Ratio) -> String {
        r.to_string()
    }
}
