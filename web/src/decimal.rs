//! What `text.parse::<f64>()` would say about a text, as far as the input messages need it
//! ([`crate::input`]: "not a number", "not a whole number", or "use digits only, as in
//! 1000"), decided exactly on the decimal digits instead of by parsing: core's float parser
//! and its tables are about 15 KB of the gzipped download, more than all of this app's own
//! input code.
//!
//! The answer is the same as std's because both are exact: std's parser rounds the decimal
//! value correctly (to nearest, ties to even), and [`classify`] works out, with integer
//! arithmetic on the digits, which `f64` that rounding lands on whenever it matters (is it
//! finite, is it whole, and which whole number). The unit tests compare the two on many
//! texts, including every rounding boundary.

/// The `f64` that `text.parse::<f64>()` gives, as [`crate::input`] sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decimal {
    /// An error, NaN or an infinity (`abc`, `inf`, `1e999`).
    NotFinite,
    /// A finite whole number `v`: `Some(format!("{v:.0}"))` when `v.abs() < 1e15`.
    Whole(Option<String>),
    /// A finite number with a fractional part.
    Fraction,
}

/// Saturation point of the exponent, as in std's parser (which stops adding exponent digits
/// once it is at least this large).
const EXPONENT_CAP: i64 = 0x10000;

/// Classifies `text` exactly as `text.parse::<f64>()` would turn out (see [`Decimal`]).
pub fn classify(text: &str) -> Decimal {
    let b = text.as_bytes();
    let (negative, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let digit_count = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
    // std's grammar: digits [. digits] [(e|E) [+|-] digits], with at least one mantissa digit.
    // (It also takes inf, infinity and nan, which are not finite either.)
    let int_len = digit_count(b);
    let mut digits = b[..int_len].to_vec();
    let mut rest = &b[int_len..];
    let mut exp: i64 = 0;
    if let Some((b'.', r)) = rest.split_first() {
        let n = digit_count(r);
        digits.extend_from_slice(&r[..n]);
        exp -= n as i64;
        rest = &r[n..];
    }
    if digits.is_empty() {
        return Decimal::NotFinite;
    }
    if let Some((b'e' | b'E', r)) = rest.split_first() {
        let (exp_negative, r) = match r.first() {
            Some(b'-') => (true, &r[1..]),
            Some(b'+') => (false, &r[1..]),
            _ => (false, r),
        };
        if r.is_empty() || digit_count(r) != r.len() {
            return Decimal::NotFinite;
        }
        let mut e: i64 = 0;
        for c in r {
            if e < EXPONENT_CAP {
                e = 10 * e + i64::from(c - b'0');
            }
        }
        exp += if exp_negative { -e } else { e };
        rest = &[];
    }
    if !rest.is_empty() {
        return Decimal::NotFinite;
    }

    let sign = if negative { "-" } else { "" };
    let whole = |n: u64| Decimal::Whole((n < 1_000_000_000_000_000).then(|| format!("{sign}{n}")));
    // The value is sig * 10^exp, sig without leading or trailing zeros.
    let Some(first) = digits.iter().position(|&c| c != b'0') else {
        return whole(0);
    };
    let last = digits.iter().rposition(|&c| c != b'0').unwrap_or(first);
    exp += (digits.len() - 1 - last) as i64;
    let sig = &digits[first..=last];
    // The value has `magnitude` digits before the point (it is below 10^magnitude).
    let magnitude = sig.len() as i64 + exp;
    if magnitude > 309 {
        return Decimal::NotFinite; // at least 10^309
    }
    if magnitude < -330 {
        return whole(0); // below 10^-330, rounds to zero
    }
    // Integer part and fraction digits; both short now (about 330 digits at most) except
    // for a long mantissa, which only makes `frac` long.
    let (int, frac): (Vec<u8>, Vec<u8>) = if exp >= 0 {
        let mut int = sig.to_vec();
        int.resize(int.len() + exp as usize, b'0');
        (int, Vec::new())
    } else if magnitude > 0 {
        let (i, f) = sig.split_at(magnitude as usize);
        (i.to_vec(), f.to_vec())
    } else {
        let mut frac = vec![b'0'; magnitude.unsigned_abs() as usize];
        frac.extend_from_slice(sig);
        (Vec::new(), frac)
    };
    if int.len() >= 309 && !less(&int, &overflow_threshold()) {
        return Decimal::NotFinite;
    }
    // From 2^52 = 4503599627370496 on, every f64 is whole (and above 1e15).
    let n = if int.len() <= 16 {
        int.iter().fold(0u64, |n, &c| n * 10 + u64::from(c - b'0'))
    } else {
        u64::MAX
    };
    if n >= 1 << 52 {
        return Decimal::Whole(None);
    }
    if frac.is_empty() {
        return whole(n);
    }
    // n < x < n + 1 < 2^52. The f64s around x are 2^(k-52) apart, 2^k <= x < 2^(k+1), and x
    // rounds to a whole number only if it is within half that, 2^(k-53), of n or n + 1 (a tie
    // goes to the whole number, whose last mantissa bit is 0). Below 1 the whole numbers are
    // 0 (reached from at most 2^-1075, half the smallest subnormal) and 1 (f64s 2^-53 apart).
    let (down, up) = if n == 0 {
        let zeros = frac.iter().take_while(|&&c| c == b'0').count();
        // With fewer than 323 leading zeros, x > 10^-323 > 2^-1075.
        (if zeros >= 323 { 1075 } else { 0 }, 54)
    } else {
        let p = 53 - (63 - n.leading_zeros());
        (p, p)
    };
    if down > 0 && at_most_power_of_half(&frac, down) {
        whole(n)
    } else if at_most_power_of_half(&complement(&frac), up) {
        whole(n + 1)
    } else {
        Decimal::Fraction
    }
}

/// Whether `a < b`, for ASCII digit strings without leading zeros.
fn less(a: &[u8], b: &[u8]) -> bool {
    (a.len(), a) < (b.len(), b)
}

/// The smallest decimal that rounds to infinity, `2^1024 - 2^970` (halfway between `f64::MAX`
/// and `2^1024`; the tie goes to the even `2^1024`), as ASCII digits.
fn overflow_threshold() -> Vec<u8> {
    let mut d = digits_le((1u64 << 54) - 1);
    for _ in 0..970 {
        double(&mut d);
    }
    d.iter().rev().map(|&x| b'0' + x).collect()
}

/// Little-endian decimal digits (values 0..=9) of `n`.
fn digits_le(mut n: u64) -> Vec<u8> {
    let mut d = Vec::new();
    while n > 0 {
        d.push((n % 10) as u8);
        n /= 10;
    }
    d
}

/// Doubles a little-endian decimal number in place.
fn double(d: &mut Vec<u8>) {
    let mut carry = 0;
    for x in d.iter_mut() {
        let y = *x * 2 + carry;
        *x = y % 10;
        carry = y / 10;
    }
    if carry > 0 {
        d.push(carry);
    }
}

/// Whether the fraction `0.frac` (ASCII digits) is at most `2^-p`, that is whether
/// `frac * 2^p <= 10^len`.
fn at_most_power_of_half(frac: &[u8], p: u32) -> bool {
    let len = frac.len();
    let mut d: Vec<u8> = frac.iter().rev().map(|&c| c - b'0').collect();
    for _ in 0..p {
        double(&mut d);
        while d.last() == Some(&0) {
            d.pop();
        }
        if d.len() > len + 1 {
            return false;
        }
    }
    while d.last() == Some(&0) {
        d.pop();
    }
    d.len() <= len || (d.len() == len + 1 && d[len] == 1 && d[..len].iter().all(|&x| x == 0))
}

/// The digits of `1 - 0.frac`, as many as `frac` has (`frac` is not all zeros).
fn complement(frac: &[u8]) -> Vec<u8> {
    // 10^len - f = (99...9 - f) + 1.
    let mut out: Vec<u8> = frac.iter().map(|&c| b'9' - (c - b'0')).collect();
    for c in out.iter_mut().rev() {
        if *c == b'9' {
            *c = b'0';
        } else {
            *c += 1;
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What std's parser says, in the same terms.
    fn reference(text: &str) -> Decimal {
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v.fract() == 0.0 => {
                Decimal::Whole((v.abs() < 1e15).then(|| format!("{v:.0}")))
            }
            Ok(v) if v.is_finite() => Decimal::Fraction,
            _ => Decimal::NotFinite,
        }
    }

    fn check(text: &str) {
        assert_eq!(classify(text), reference(text), "{text:?}");
    }

    /// Deterministic pseudo-random numbers (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// The exact decimal digits after the point of 2^-p (there are p of them): 5^p, padded.
    /// Computed in base 10^9, independently of the code under test.
    fn half_power_digits(p: u32) -> String {
        let mut limbs = vec![1u64]; // little-endian, base 10^9
        for _ in 0..p {
            let mut carry = 0;
            for l in limbs.iter_mut() {
                let v = *l * 5 + carry;
                *l = v % 1_000_000_000;
                carry = v / 1_000_000_000;
            }
            if carry > 0 {
                limbs.push(carry);
            }
        }
        let mut s = limbs.last().unwrap().to_string();
        for l in limbs.iter().rev().skip(1) {
            s.push_str(&format!("{l:09}"));
        }
        format!("{}{s}", "0".repeat(p as usize - s.len()))
    }

    /// `digits` (a decimal fraction) plus or minus one unit in a far extra place.
    fn nudged(digits: &str) -> [String; 3] {
        let below = {
            // digits - 10^-(len+12): borrow from the last digit, then 999...
            let mut d: Vec<u8> = digits.bytes().collect();
            let mut i = d.len();
            loop {
                i -= 1;
                if d[i] == b'0' {
                    d[i] = b'9';
                } else {
                    d[i] -= 1;
                    break;
                }
            }
            format!("{}{}", String::from_utf8(d).unwrap(), "9".repeat(12))
        };
        [
            digits.to_string(),
            format!("{digits}{}1", "0".repeat(11)),
            below,
        ]
    }

    #[test]
    fn grammar_matches_std() {
        for text in [
            "",
            "-",
            "+",
            ".",
            "-.",
            "e",
            "e5",
            "1e",
            "1e+",
            "1e-",
            "1E5",
            "1e+5",
            "1e-5",
            "1.",
            "1.e3",
            ".5",
            "-.5",
            "+.5e1",
            "1..2",
            "1.2.3",
            "1e5.5",
            "1e5e5",
            "--1",
            "+-1",
            "-+1",
            "1-",
            "1+",
            " 1",
            "1 ",
            "0x10",
            "inf",
            "-inf",
            "+infinity",
            "Infinity",
            "INF",
            "nan",
            "NaN",
            "-nan",
            "infinit",
            "1_000",
            "1,5",
            "\u{0663}",
            "1\u{0663}",
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.0",
            "00",
            "-000.000e-5",
            "0e99999999999999999999",
            "1e3",
            "1.0",
            "4.0",
            "-1e3",
            "2.5",
            "1e15",
            "1e14",
            "999999999999999",
            "999999999999999.4",
            "999999999999999.5",
            "999999999999999.6",
            "1e16",
            "4503599627370495.5",
            "4503599627370495.75",
            "4503599627370495.8",
            "4503599627370496.5",
            "9007199254740993",
            "1e300",
            "1e308",
            "1e309",
            "-1e309",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e-300",
            "1e-323",
            "1e-324",
            "2e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "3e-324",
            "1e-400",
            "-1e-400",
            "0.5",
            "0.9999",
            "0.99999999999999994",
            "0.99999999999999995",
            "0.9999999999999999444888487687421729788184165954589843749",
            "1e99999999999999999999",
            "1e-99999999999999999999",
            "123.456e2",
            "123.456e3",
            "12345678901234567890123456789",
            "0.000000000000000000000000000000001e33",
        ] {
            check(text);
        }
    }

    #[test]
    fn exponent_saturates_as_in_std() {
        // std stops reading exponent digits at 0x10000, which matters for a long mantissa.
        let zeros = "0".repeat(70_000);
        for text in [
            format!("0.{zeros}1e700000"),
            format!("0.{zeros}1e70000"),
            format!("1{zeros}e-700000"),
            format!("1{zeros}e-70000"),
        ] {
            check(&text);
        }
    }

    #[test]
    fn overflow_boundary_matches_std() {
        let t = String::from_utf8(overflow_threshold()).unwrap();
        assert_eq!(t.len(), 309);
        for s in nudged(&t) {
            // As an integer, and with the point moved and an exponent.
            let int = s.split_at(309).0.to_string();
            check(&int);
            check(&format!("{int}.5"));
            check(&s);
            check(&format!("0.{s}e309"));
            check(&format!("{}.{}e{}", &s[..1], &s[1..], 308));
        }
    }

    #[test]
    fn rounding_boundaries_match_std() {
        // Around n + 2^-p and n + 1 - 2^-p, where 2^-p is half the f64 spacing near n.
        let mut ns: Vec<u64> = vec![0, 1, 2, 3, 5, 7, 10, 99, 1000, 999_999_999_999_999];
        for k in 0..=52 {
            ns.extend([(1u64 << k) - 1, 1 << k, (1 << k) + 1]);
        }
        for n in ns {
            let k = 63 - n.max(1).leading_zeros();
            for p in [52 - k.min(52), 53 - k.min(53), 54 - k.min(54), 54, 55] {
                let tie = half_power_digits(p.max(1));
                for frac in nudged(&tie) {
                    check(&format!("{n}.{frac}"));
                    check(&format!("-{n}.{frac}"));
                    // 1 - frac
                    let up: String = complement(frac.as_bytes())
                        .into_iter()
                        .map(char::from)
                        .collect();
                    check(&format!("{n}.{up}"));
                    check(&format!("{n}{up}e-{}", up.len()));
                }
            }
        }
        // Around 2^-1075, half the smallest subnormal.
        for frac in nudged(&half_power_digits(1075)) {
            check(&format!("0.{frac}"));
            check(&format!("-0.{frac}"));
            check(&format!("{frac}e-{}", frac.len()));
        }
    }

    #[test]
    fn random_texts_match_std() {
        let mut rng = Rng(0x243f_6a88_85a3_08d3);
        for _ in 0..50_000 {
            let mut s = String::new();
            match rng.below(4) {
                0 => s.push('-'),
                1 => s.push('+'),
                _ => {}
            }
            let int_len = rng.below(20) as usize;
            let frac_len = rng.below(25) as usize;
            let zeros = rng.below(3) == 0;
            for _ in 0..int_len {
                s.push(char::from(
                    b'0' + rng.below(if zeros { 2 } else { 10 }) as u8,
                ));
            }
            if rng.below(4) != 0 {
                s.push('.');
            }
            for i in 0..frac_len {
                let nines = zeros && i < frac_len - 1;
                let d = if nines {
                    9 * rng.below(2)
                } else {
                    rng.below(10)
                };
                s.push(char::from(b'0' + d as u8));
            }
            if rng.below(3) == 0 {
                s.push(if rng.below(2) == 0 { 'e' } else { 'E' });
                match rng.below(3) {
                    0 => s.push('-'),
                    1 => s.push('+'),
                    _ => {}
                }
                let max_exp = if rng.below(8) == 0 { 400 } else { 30 };
                s.push_str(&rng.below(max_exp).to_string());
            }
            if rng.below(50) == 0 {
                s.push('x');
            }
            check(&s);
        }
    }
}
