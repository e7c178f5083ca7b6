//! The `transform` operation: a skewed measure made more symmetric with
//! log(1 + x) or a Yeo-Johnson power transform (the transform, its fit,
//! and its DuckDB SQL in one place).
//!
//! The Yeo-Johnson λ is fitted when the step is proposed (maximum
//! likelihood, as scipy's `yeojohnson_normmax` and scikit-learn's
//! `PowerTransformer` fit it) and stored in the step, so a recipe replays
//! the same transform on new data, as a fitted scikit-learn transformer
//! does. A step written without λ (an added step, a hand-written recipe)
//! fits it on the data it runs on ([`Transform::fit`]).

use serde::{Deserialize, Serialize};

/// Which transform.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Transform {
    /// ln(1 + x), for values above -1.
    Log1p,
    /// Yeo-Johnson with parameter `lambda`, for any number; without one,
    /// λ is fitted on the data the step runs on.
    YeoJohnson {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lambda: Option<f64>,
    },
}

/// |λ| (or |λ - 2|) below this counts as 0 (2): scipy's `np.spacing(1.)`.
pub const LAMBDA_EPS: f64 = f64::EPSILON;

impl Transform {
    /// Yeo-Johnson with λ.
    pub fn yeo_johnson(lambda: f64) -> Transform {
        Transform::YeoJohnson {
            lambda: Some(lambda),
        }
    }

    /// This transform with its λ fitted on `xs` when it has none; None
    /// when there is none to fit (fewer than two distinct values).
    pub fn fit(self, xs: &[f64]) -> Option<Transform> {
        match self {
            Transform::YeoJohnson { lambda: None } => {
                fit_yeo_johnson(xs).map(Transform::yeo_johnson)
            }
            other => Some(other),
        }
    }

    /// The transformed value of `x` (λ 1, no change, until fitted).
    /// Written as the SQL of [`Self::sql`] computes it (`pow` and `ln`), so
    /// DuckDB gives the same numbers.
    pub fn of(self, x: f64) -> f64 {
        match self {
            Transform::Log1p => (1.0 + x).ln(),
            Transform::YeoJohnson { lambda } => {
                let l = lambda.unwrap_or(1.0);
                if x >= 0.0 {
                    if l.abs() < LAMBDA_EPS {
                        (x + 1.0).ln()
                    } else {
                        ((x + 1.0).powf(l) - 1.0) / l
                    }
                } else if (l - 2.0).abs() < LAMBDA_EPS {
                    -(1.0 - x).ln()
                } else {
                    -((1.0 - x).powf(2.0 - l) - 1.0) / (2.0 - l)
                }
            }
        }
    }

    /// Why the transform cannot take `x`, if it cannot (a value it cannot
    /// take, or a result too large for a number).
    pub fn refuses(self, x: f64) -> Option<String> {
        if let Transform::YeoJohnson { lambda: Some(l) } = self {
            if !l.is_finite() {
                return Some(format!("λ must be a number, not {l}"));
            }
            if x.is_finite() && !self.of(x).is_finite() {
                return Some(format!(
                    "{} is too large for λ = {} (the result overflows); a λ nearer 1 keeps it",
                    super::step::trim_number(x),
                    crate::core::format::short(l)
                ));
            }
        }
        match self {
            Transform::Log1p if x <= -1.0 => Some(format!(
                "log(1 + x) needs values above -1, and {} is not; the Yeo-Johnson transform takes any number",
                super::step::trim_number(x)
            )),
            _ if !x.is_finite() => Some(format!("{x} cannot be transformed")),
            _ => None,
        }
    }

    /// The transform of the (quoted) column `c` as a DuckDB expression
    /// (fitted first: λ 1 until then), numbers written by `lit` (exact
    /// doubles: a bare literal is a DECIMAL in DuckDB).
    pub fn sql(self, c: &str, lit: impl Fn(f64) -> String) -> String {
        let x = format!("CAST({c} AS DOUBLE)");
        match self {
            Transform::Log1p => format!("ln(1 + {x})"),
            Transform::YeoJohnson { lambda } => {
                let l = lambda.unwrap_or(1.0);
                let pos = if l.abs() < LAMBDA_EPS {
                    format!("ln({x} + 1)")
                } else {
                    format!("(pow({x} + 1, {l}) - 1) / {l}", l = lit(l))
                };
                let neg = if (l - 2.0).abs() < LAMBDA_EPS {
                    format!("-ln(1 - {x})")
                } else {
                    let m = 2.0 - l;
                    format!("-(pow(1 - {x}, {m}) - 1) / {m}", m = lit(m))
                };
                format!("CASE WHEN {x} >= 0 THEN {pos} ELSE {neg} END")
            }
        }
    }

    /// In words: "log(1 + x)", "Yeo-Johnson (λ = 0.27)".
    pub fn describe(self) -> String {
        match self {
            Transform::Log1p => "log(1 + x)".to_string(),
            Transform::YeoJohnson { lambda: Some(l) } => {
                format!("Yeo-Johnson (λ = {})", crate::core::format::short(l))
            }
            Transform::YeoJohnson { lambda: None } => {
                "Yeo-Johnson (λ fitted on the data)".to_string()
            }
        }
    }
}

/// The Yeo-Johnson profile log-likelihood of `xs` at λ (scipy's
/// `yeojohnson_llf`): -n/2 · ln(variance of the transformed values) +
/// (λ - 1) · Σ sign(x) ln(|x| + 1). `jacobian` is that last sum (it does
/// not depend on λ, so the search computes it once); `scratch` holds the
/// transformed values, each computed once per λ.
fn log_likelihood(xs: &[f64], jacobian: f64, lambda: f64, scratch: &mut Vec<f64>) -> f64 {
    let t = Transform::yeo_johnson(lambda);
    let n = xs.len() as f64;
    scratch.clear();
    scratch.extend(xs.iter().map(|&x| t.of(x)));
    let mean = scratch.iter().sum::<f64>() / n;
    let var = scratch.iter().map(|&y| (y - mean).powi(2)).sum::<f64>() / n;
    let llf = -n / 2.0 * var.ln() + (lambda - 1.0) * jacobian;
    if llf.is_finite() {
        llf
    } else {
        f64::NEG_INFINITY
    }
}

/// The λ that makes `xs` (finite numbers) closest to normal by maximum
/// likelihood, searched within scipy's bounds (those that keep 20 times the
/// largest value from overflowing); None for fewer than two distinct
/// values.
///
/// Bound: golden-section search to 1e-9, about 50 evaluations, each
/// linear in the values (one transform of each value).
pub fn fit_yeo_johnson(xs: &[f64]) -> Option<f64> {
    let first = *xs.first()?;
    if xs.iter().any(|x| !x.is_finite()) || xs.iter().all(|&x| x == first) {
        return None;
    }
    let max_abs = xs.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let log1p_max = (20.0 * max_abs).ln_1p();
    let log_eps = f64::EPSILON.ln();
    let lo_float = (f64::MIN_POSITIVE.ln() - log_eps) / 2.0;
    let hi_float = (f64::MAX.ln() + log_eps) / 2.0;
    let (mut lo, mut hi) = (lo_float / log1p_max, hi_float / log1p_max);
    if xs.iter().all(|&x| x < 0.0) {
        (lo, hi) = (2.0 - hi, 2.0 - lo);
    } else if xs.iter().any(|&x| x < 0.0) {
        (lo, hi) = (lo.max(2.0 - hi), hi.min(2.0 - lo));
    }
    // The log-likelihood is concave in λ: golden-section search.
    let golden = (5f64.sqrt() - 1.0) / 2.0;
    let jacobian: f64 = xs.iter().map(|&x| x.signum() * x.abs().ln_1p()).sum();
    let mut scratch = Vec::with_capacity(xs.len());
    let mut f = |l: f64| -log_likelihood(xs, jacobian, l, &mut scratch);
    let (mut a, mut b) = (lo, hi);
    let mut c = b - golden * (b - a);
    let mut d = a + golden * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    while (b - a).abs() > 1e-9 * (1.0 + c.abs()) {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - golden * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + golden * (b - a);
            fd = f(d);
        }
    }
    let l = (a + b) / 2.0;
    l.is_finite().then_some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yeo_johnson_matches_its_definition_on_both_sides() {
        let t = Transform::yeo_johnson(0.5);
        assert!((t.of(3.0) - (2.0 * (4f64.sqrt() - 1.0))).abs() < 1e-12);
        assert!((t.of(-3.0) - (-(4f64.powf(1.5) - 1.0) / 1.5)).abs() < 1e-12);
        assert_eq!(Transform::yeo_johnson(0.0).of(0.0), 0.0);
        assert!((Transform::yeo_johnson(0.0).of(1.0) - 2f64.ln()).abs() < 1e-15);
        assert!((Transform::yeo_johnson(2.0).of(-1.0) + 2f64.ln()).abs() < 1e-15);
        assert!(Transform::Log1p.refuses(-1.0).is_some());
        assert!(Transform::Log1p.refuses(-0.5).is_none());
        // λ = 1 leaves the values as they are.
        let id = Transform::yeo_johnson(1.0);
        for x in [-2.5, 0.0, 7.25] {
            assert!((id.of(x) - x).abs() < 1e-12);
        }
    }

    #[test]
    fn the_fit_brings_a_skewed_sample_towards_symmetry() {
        let xs: Vec<f64> = (1..=200).map(|i| (i as f64 / 20.0).exp()).collect();
        let l = fit_yeo_johnson(&xs).unwrap();
        // Exponential growth: a log-like transform (λ near 0).
        assert!(l.abs() < 0.3, "λ {l}");
        assert_eq!(fit_yeo_johnson(&[3.0, 3.0]), None);
        assert_eq!(fit_yeo_johnson(&[]), None);
    }
}
