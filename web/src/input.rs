//! Parsing of everything the user types or puts in the URL. Pure functions: every failure is
//! a message for the user, never a panic.

use crate::decimal::{self, Decimal};
use raft_core::sim::MAX_NODES;

/// Default seed when the URL names none (or a bad one).
pub const DEFAULT_SEED: u64 = 1;
/// Default cluster size.
pub const DEFAULT_NODES: u64 = 5;
/// Smallest cluster the app offers.
pub const MIN_NODES: u64 = 3;
/// Largest cluster the app offers (the simulator's limit).
pub const MAX_APP_NODES: u64 = MAX_NODES;

/// A run's starting parameters, after validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunParams {
    /// The simulation seed.
    pub seed: u64,
    /// The number of nodes, in `MIN_NODES..=MAX_APP_NODES`.
    pub nodes: u64,
}

impl Default for RunParams {
    fn default() -> Self {
        RunParams {
            seed: DEFAULT_SEED,
            nodes: DEFAULT_NODES,
        }
    }
}

/// What is wrong with a text that should be an integer but did not parse as one.
#[derive(Clone, Debug, PartialEq, Eq)]
enum IntegerProblem {
    /// Nothing but spaces.
    Empty,
    /// Only digits (and a sign), but too big or too small for the type.
    OutOfRange,
    /// A whole number, but not written as plain digits (`1e3`, `1.0`, `1,000`): the plain
    /// form, if it is short enough to suggest.
    NotPlain(Option<String>),
    /// A number with a fractional part (`2.5`).
    NotWhole,
    /// Not a number at all.
    NotANumber,
}

/// Tells why `t` (already trimmed) is not an integer of the wanted type.
fn integer_problem(t: &str) -> IntegerProblem {
    if t.is_empty() {
        return IntegerProblem::Empty;
    }
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if all_digits(unsigned) {
        return IntegerProblem::OutOfRange;
    }
    // Digit groups: 1,000 or 1_000 or 1 000 or 1'000.
    let ungrouped: String = t
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' ' | '\''))
        .collect();
    if all_digits(ungrouped.strip_prefix(['-', '+']).unwrap_or(&ungrouped))
        && unsigned.starts_with(|c: char| c.is_ascii_digit())
    {
        return IntegerProblem::NotPlain(Some(ungrouped));
    }
    // As `t.parse::<f64>()` would see it; the digits are suggested only below 1e15, while
    // f64 holds the value exactly.
    match decimal::classify(t) {
        Decimal::Whole(plain) => IntegerProblem::NotPlain(plain),
        Decimal::Fraction => IntegerProblem::NotWhole,
        Decimal::NotFinite => IntegerProblem::NotANumber,
    }
}

/// The "use digits only" advice for [`IntegerProblem::NotPlain`].
fn digits_only(plain: Option<&String>) -> String {
    match plain {
        Some(p) => format!("use digits only, as in {p}"),
        None => "use digits only".to_string(),
    }
}

/// Parses a seed: a whole number from 0 to 2^64 − 1, written in plain digits (surrounding
/// spaces and a leading `+` are fine).
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if let Ok(v) = t.parse::<u64>() {
        return Ok(v);
    }
    let range = format!("it must be a whole number from 0 to {}", u64::MAX);
    let shown = shorten(t);
    Err(match integer_problem(t) {
        IntegerProblem::Empty => "the seed is empty: enter a whole number such as 1".to_string(),
        IntegerProblem::OutOfRange => {
            format!("the seed \u{201c}{shown}\u{201d} is out of range: {range}")
        }
        IntegerProblem::NotPlain(p) => format!(
            "the seed \u{201c}{shown}\u{201d} is not written as a plain integer: {}",
            digits_only(p.as_ref())
        ),
        IntegerProblem::NotWhole => {
            format!("the seed \u{201c}{shown}\u{201d} is not a whole number: {range}")
        }
        IntegerProblem::NotANumber => {
            format!("the seed \u{201c}{shown}\u{201d} is not a number: {range}")
        }
    })
}

/// Parses a cluster size in `MIN_NODES..=MAX_APP_NODES`.
pub fn parse_nodes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    match t.parse::<u64>() {
        Ok(n) if (MIN_NODES..=MAX_APP_NODES).contains(&n) => Ok(n),
        _ => Err(format!(
            "the number of nodes \u{201c}{}\u{201d} is not valid: it must be a whole number from {MIN_NODES} to {MAX_APP_NODES}",
            shorten(t)
        )),
    }
}

/// Validates the URL's `seed` and `nodes` parameters (each `None` when absent). Bad values
/// fall back to the defaults; each one gives a message naming the parameter.
pub fn parse_url_params(seed: Option<&str>, nodes: Option<&str>) -> (RunParams, Vec<String>) {
    let mut params = RunParams::default();
    let mut errors = Vec::new();
    if let Some(s) = seed {
        match parse_seed(s) {
            Ok(v) => params.seed = v,
            Err(e) => errors.push(format!(
                "URL parameter \u{201c}seed\u{201d} ignored: {e}. Using the default seed {DEFAULT_SEED}."
            )),
        }
    }
    if let Some(n) = nodes {
        match parse_nodes(n) {
            Ok(v) => params.nodes = v,
            Err(e) => errors.push(format!(
                "URL parameter \u{201c}nodes\u{201d} ignored: {e}. Using the default of {DEFAULT_NODES} nodes."
            )),
        }
    }
    (params, errors)
}

/// Parses one operand of the client's `Add`: a whole number that fits in a signed 64-bit
/// integer, in plain digits (surrounding spaces and a leading `+` are fine). `name` ("a" or
/// "b") appears in the message.
pub fn parse_operand(name: &str, text: &str) -> Result<i64, String> {
    let t = text.trim();
    if let Ok(v) = t.parse::<i64>() {
        return Ok(v);
    }
    let shown = shorten(t);
    Err(match integer_problem(t) {
        IntegerProblem::Empty => format!("Enter a whole number for {name}."),
        IntegerProblem::OutOfRange => format!(
            "{name} = {shown} is out of range: it must be between {} and {}.",
            i64::MIN,
            i64::MAX
        ),
        IntegerProblem::NotPlain(p) => format!(
            "{name} = \u{201c}{shown}\u{201d} is not written as a plain integer: {}.",
            digits_only(p.as_ref())
        ),
        IntegerProblem::NotWhole => {
            format!("{name} = \u{201c}{shown}\u{201d} is not a whole number.")
        }
        IntegerProblem::NotANumber => format!("{name} = \u{201c}{shown}\u{201d} is not a number."),
    })
}

/// Cuts long user input so that a message stays readable.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}\u{2026}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_defaults_when_absent() {
        assert_eq!(parse_url_params(None, None), (RunParams::default(), vec![]));
    }

    #[test]
    fn url_accepts_good_values() {
        let (p, e) = parse_url_params(Some("42"), Some("9"));
        assert_eq!(p, RunParams { seed: 42, nodes: 9 });
        assert!(e.is_empty());
        let (p, _) = parse_url_params(Some("18446744073709551615"), Some("3"));
        assert_eq!(p.seed, u64::MAX);
        assert_eq!(p.nodes, 3);
    }

    #[test]
    fn url_bad_values_fall_back_and_name_the_parameter() {
        let (p, e) = parse_url_params(Some("abc"), Some("99"));
        assert_eq!(p, RunParams::default());
        assert_eq!(e.len(), 2);
        assert!(e[0].contains("\u{201c}seed\u{201d}") && e[0].contains("abc"));
        assert!(e[1].contains("\u{201c}nodes\u{201d}") && e[1].contains("99"));
        for bad in ["", "-1", "1.5", "2", "10", "0x5"] {
            let (p, e) = parse_url_params(None, Some(bad));
            assert_eq!(p.nodes, DEFAULT_NODES, "{bad}");
            assert_eq!(e.len(), 1, "{bad}");
        }
        for bad in ["", "-3", "1e3", "99999999999999999999999"] {
            let (p, e) = parse_url_params(Some(bad), None);
            assert_eq!(p.seed, DEFAULT_SEED, "{bad}");
            assert_eq!(e.len(), 1, "{bad}");
        }
    }

    #[test]
    fn seeds() {
        assert_eq!(parse_seed(" +42 "), Ok(42));
        assert_eq!(parse_seed("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_seed(&u64::MAX.to_string()), Ok(u64::MAX));
        let cases = [
            ("", "is empty"),
            ("   ", "is empty"),
            ("18446744073709551616", "out of range"),
            ("-3", "out of range"),
            (
                "1e3",
                "not written as a plain integer: use digits only, as in 1000",
            ),
            ("1.0", "not written as a plain integer"),
            ("1_000", "as in 1000"),
            ("1e300", "not written as a plain integer: use digits only"),
            ("2.5", "not a whole number"),
            ("abc", "not a number"),
            ("0x10", "not a number"),
            ("inf", "not a number"),
            ("NaN", "not a number"),
            ("e3", "not a number"),
        ];
        for (text, wanted) in cases {
            let e = parse_seed(text).unwrap_err();
            assert!(e.contains(wanted), "{text:?}: {e}");
        }
    }

    #[test]
    fn operands() {
        assert_eq!(parse_operand("a", " 5 "), Ok(5));
        assert_eq!(parse_operand("a", "-7"), Ok(-7));
        assert_eq!(parse_operand("b", &i64::MAX.to_string()), Ok(i64::MAX));
        assert!(
            parse_operand("a", "")
                .unwrap_err()
                .contains("Enter a whole number for a")
        );
        assert!(
            parse_operand("b", "2.5")
                .unwrap_err()
                .contains("not a whole number")
        );
        assert!(
            parse_operand("a", "9223372036854775808")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(
            parse_operand("a", "-99999999999999999999")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(
            parse_operand("a", "e")
                .unwrap_err()
                .contains("not a number")
        );
        assert_eq!(parse_operand("a", "+5"), Ok(5));
        assert_eq!(parse_operand("b", "\t-0012 \n"), Ok(-12));
        let e = parse_operand("a", "1e3").unwrap_err();
        assert!(
            e.contains("not written as a plain integer") && e.contains("1000"),
            "{e}"
        );
        let e = parse_operand("b", "-1,000").unwrap_err();
        assert!(e.contains("plain integer") && e.contains("-1000"), "{e}");
        assert!(
            parse_operand("a", "4.0")
                .unwrap_err()
                .contains("plain integer")
        );
        let long = "x".repeat(500);
        assert!(parse_operand("a", &long).unwrap_err().len() < 120);
    }
}
