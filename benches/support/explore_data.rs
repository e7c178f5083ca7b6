//! The 20-column benchmark CSV of `benches/browser_explore.rs`: made-up
//! e-commerce orders, deterministic (a fixed-seed SplitMix64), about 140
//! bytes a row. It is written here rather than in `src/` so the benchmark
//! data can change without touching the app.
//!
//! Columns, chosen so that the app's alerts have something to find:
//! - id-like: `order_id` (`ORD-0000001`, unique);
//! - date: `order_date` (2021-01-01 to 2024-12-31);
//! - categories: `segment` (imbalanced: 83 % Consumer), `region`, `channel`
//!   (5 % missing), `product_line` (8 values);
//! - boolean: `is_returning`;
//! - integers: `quantity` (skewed, 1 to 50), `items_viewed`, `age` (8 %
//!   missing), `support_tickets` (mostly zeros);
//! - floats: `price` (log-normal, skewed), `discount` (mostly zeros, 3 %
//!   missing), `revenue`, `tax` (a fixed share of revenue: highly
//!   correlated), `shipping_cost` (10 % missing), `rating` (35 % missing),
//!   `session_minutes` (exponential, skewed), `latitude`;
//! - free text: `comment` (60 % empty; commas and quotes).

use std::io::Write;

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Picks from `weights` (they need not sum to 1).
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (Howard Hinnant's civil_from_days).
fn date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// 2021-01-01 as days since 1970-01-01.
const JAN_1_2021: i64 = 18_628;
/// 2021-01-01 to 2024-12-31.
const DAYS: usize = 1461;

const SEGMENTS: [&str; 4] = ["Consumer", "Corporate", "Home Office", "Education"];
const SEGMENT_WEIGHTS: [f64; 4] = [0.83, 0.10, 0.05, 0.02];
const REGIONS: [&str; 5] = ["North", "South", "East", "West", "Central"];
const CHANNELS: [&str; 3] = ["web", "app", "store"];
const PRODUCT_LINES: [&str; 8] = [
    "Books",
    "Electronics",
    "Garden",
    "Toys",
    "Grocery",
    "Clothing",
    "Sports",
    "Beauty",
];
const WORDS: [&str; 16] = [
    "fast",
    "delivery",
    "late",
    "box",
    "damaged",
    "great",
    "price",
    "gift",
    "wrapped",
    "again",
    "size",
    "small",
    "colour",
    "as",
    "described",
    "refund",
];

pub const HEADER: &str = "order_id,order_date,segment,region,channel,product_line,is_returning,\
quantity,items_viewed,age,support_tickets,price,discount,revenue,tax,shipping_cost,rating,\
session_minutes,latitude,comment";

/// Writes the header and `rows` rows.
pub fn write_csv(rows: usize, out: &mut impl Write) -> std::io::Result<()> {
    use std::fmt::Write as _;
    let mut rng = Rng(0x20C0_1DA7);
    writeln!(out, "{HEADER}")?;
    let mut line = String::with_capacity(256);
    for i in 0..rows {
        line.clear();
        let day = JAN_1_2021 + rng.below(DAYS) as i64;
        let segment = SEGMENTS[rng.weighted(&SEGMENT_WEIGHTS)];
        let region = REGIONS[rng.below(REGIONS.len())];
        let channel = if rng.chance(0.05) {
            ""
        } else {
            CHANNELS[rng.weighted(&[0.55, 0.35, 0.10])]
        };
        let line_idx = rng.below(PRODUCT_LINES.len());
        let returning = rng.chance(0.38);
        // Skewed: most orders are 1-3 items, a few are bulk.
        let quantity = (1.0 + (-rng.unit().max(1e-12).ln() * 2.2)).min(50.0) as i64;
        let viewed = quantity + rng.below(12) as i64 + (rng.normal().abs() * 6.0) as i64;
        let age = if rng.chance(0.08) {
            String::new()
        } else {
            (18 + rng.below(60) + rng.below(14)).to_string()
        };
        let tickets = if rng.chance(0.86) {
            0
        } else {
            1 + rng.below(4)
        };
        // Log-normal price, a different level per product line.
        let price = ((2.6 + 0.25 * line_idx as f64) + 0.9 * rng.normal()).exp();
        let discount = if rng.chance(0.7) {
            0.0
        } else {
            (rng.unit() * 0.5 * 100.0).round() / 100.0
        };
        let revenue = price * quantity as f64 * (1.0 - discount);
        let tax = revenue * 0.2 * (1.0 + 0.01 * rng.normal());
        let shipping = 3.5 + 0.8 * quantity as f64 + 2.0 * rng.unit();
        let rating = ((1.0 + 4.0 * (1.0 - rng.unit() * rng.unit())) * 10.0).round() / 10.0;
        let session = -rng.unit().max(1e-12).ln() * 7.5;
        let latitude = 35.0 + 20.0 * rng.unit();

        let _ = write!(
            line,
            "ORD-{:07},{},{segment},{region},{channel},{},{returning},{quantity},{viewed},{age},{tickets},{price:.2},",
            i + 1,
            date(day),
            PRODUCT_LINES[line_idx],
        );
        if !rng.chance(0.03) {
            let _ = write!(line, "{discount}");
        }
        let _ = write!(line, ",{revenue:.2},{tax:.2},");
        if !rng.chance(0.10) {
            let _ = write!(line, "{shipping:.2}");
        }
        line.push(',');
        if !rng.chance(0.35) {
            let _ = write!(line, "{rating:.1}");
        }
        let _ = write!(line, ",{session:.3},{latitude:.5},");
        if rng.chance(0.4) {
            let n = 2 + rng.below(7);
            let mut text = String::new();
            for w in 0..n {
                if w > 0 {
                    text.push_str(if rng.chance(0.1) { ", " } else { " " });
                }
                text.push_str(WORDS[rng.below(WORDS.len())]);
            }
            if rng.chance(0.05) {
                text.push_str(" \"as is\"");
            }
            if text.contains([',', '"']) {
                let _ = write!(line, "\"{}\"", text.replace('"', "\"\""));
            } else {
                line.push_str(&text);
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}
