//! Generated data: the bundled "Try sample data" file and benchmark CSVs.
//! Both are deterministic (a fixed-seed SplitMix64 generator), so the same
//! bytes come out on every machine and in every build.

use std::fmt::Write as _;
use std::io::Write;

use crate::core::infer::{format_date, format_datetime};
use crate::core::rng::Rng;

/// File name shown for the bundled sample.
pub const SAMPLE_FILE_NAME: &str = "sample-marketing.csv";

/// 2024-01-01 as days since 1970-01-01.
const JAN_1_2024: i32 = 19_723;

/// Made-up data from the core's generator ([`Rng`]); its own `below`
/// (scaled from `unit`) keeps the generated files as they were.
struct Gen(Rng);

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen(Rng::new(seed))
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        self.0.unit()
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Multiplicative noise around 1 (±spread).
    fn noise(&mut self, spread: f64) -> f64 {
        1.0 + spread * (2.0 * self.unit() - 1.0)
    }
}

struct Channel {
    name: &'static str,
    campaigns: [&'static str; 2],
    daily_spend: f64,
    cost_per_click: f64,
    conversion: f64,
    order_value: f64,
}

const CHANNELS: [Channel; 5] = [
    Channel {
        name: "Search",
        campaigns: ["Brand Search", "Generic Search"],
        daily_spend: 420.0,
        cost_per_click: 1.10,
        conversion: 0.045,
        order_value: 96.0,
    },
    Channel {
        name: "Social",
        campaigns: ["Spring Promo", "Retargeting"],
        daily_spend: 260.0,
        cost_per_click: 0.65,
        conversion: 0.018,
        order_value: 74.0,
    },
    Channel {
        name: "Email",
        campaigns: ["Newsletter", "Winback"],
        daily_spend: 45.0,
        cost_per_click: 0.08,
        conversion: 0.032,
        order_value: 88.0,
    },
    Channel {
        name: "Display",
        campaigns: ["Prospecting", "Remarketing"],
        daily_spend: 150.0,
        cost_per_click: 0.45,
        conversion: 0.009,
        order_value: 70.0,
    },
    Channel {
        name: "Affiliate",
        campaigns: ["Partners", "Coupons"],
        daily_spend: 110.0,
        cost_per_click: 0.90,
        conversion: 0.038,
        order_value: 81.0,
    },
];

const COUNTRIES: [&str; 8] = ["US", "GB", "DE", "FR", "CA", "AU", "NL", "ES"];

/// The bundled sample: about 1,000 rows of daily marketing data for the
/// first half of 2024, with a few realistic flaws (missing spend/revenue as
/// empty or `N/A`, some exact duplicate rows, a few lowercase country
/// codes, one outlier spend).
pub fn marketing_csv() -> String {
    let mut rng = Gen::new(0x5EED_2024);
    let mut rows: Vec<String> = Vec::with_capacity(1100);
    for day in 0..182 {
        let date = format_date(JAN_1_2024 + day);
        let weekday = (day + 1) % 7; // 2024-01-01 was a Monday: 0 = Sunday.
        let weekend = if weekday == 0 || weekday == 6 {
            0.7
        } else {
            1.0
        };
        let trend = 1.0 + day as f64 / 365.0;
        let extra = if rng.chance(0.5) {
            rng.below(5)
        } else {
            usize::MAX
        };
        for (ci, ch) in CHANNELS.iter().enumerate() {
            let repeats = if ci == extra { 2 } else { 1 };
            for r in 0..repeats {
                let campaign = ch.campaigns[(r + day as usize / 30) % 2];
                let country = COUNTRIES[rng.below(COUNTRIES.len())];
                let country = if rng.chance(0.012) {
                    country.to_ascii_lowercase()
                } else {
                    country.to_string()
                };
                let mut spend = ch.daily_spend * weekend * trend * rng.noise(0.35);
                let clicks = (spend / ch.cost_per_click * rng.noise(0.25)).round();
                let customers = (clicks * ch.conversion * rng.noise(0.5)).round();
                let revenue = customers * ch.order_value * rng.noise(0.3);
                if rows.len() == 517 {
                    spend *= 40.0; // One fat-finger outlier in spend only.
                }
                let spend_text = if rng.chance(0.02) {
                    String::new()
                } else if rng.chance(0.01) {
                    "N/A".to_string()
                } else {
                    format!("{spend:.2}")
                };
                let revenue_text = if rng.chance(0.015) {
                    if rng.chance(0.5) {
                        "N/A".to_string()
                    } else {
                        String::new()
                    }
                } else {
                    format!("{revenue:.2}")
                };
                rows.push(format!(
                    "{date},{},{campaign},{country},{spend_text},{},{},{revenue_text}",
                    ch.name, clicks as i64, customers as i64
                ));
            }
        }
    }
    // A handful of exact duplicates (an export that ran twice).
    for _ in 0..6 {
        let i = rng.below(rows.len());
        let copy = rows[i].clone();
        rows.insert(i + 1, copy);
    }
    let mut out =
        String::from("date,channel,campaign,country,spend,clicks,new_customers,revenue\n");
    for row in rows {
        out.push_str(&row);
        out.push('\n');
    }
    out
}

const CATEGORIES: [&str; 8] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
];
const REGIONS: [&str; 5] = ["North", "South", "East", "West", "Central"];
const WORDS: [&str; 12] = [
    "fast", "blue", "order", "late", "returned", "gift", "bulk", "promo", "new", "repeat",
    "urgent", "fragile",
];

/// Writes a deterministic 12-column CSV of `rows` rows (about 100 bytes per
/// row): integers, floats, dates, datetimes, booleans, categories, free text
/// with quotes and commas, and some missing values.
pub fn bench_csv(rows: usize, out: &mut impl Write) -> std::io::Result<()> {
    let mut rng = Gen::new(0xBE_4C_11);
    writeln!(
        out,
        "id,created_at,ship_date,amount,quantity,discount,is_member,category,region,score,note,sku"
    )?;
    let start_micros = i64::from(JAN_1_2024) * 86_400_000_000;
    let mut line = String::with_capacity(160);
    for id in 0..rows {
        line.clear();
        let created = start_micros + (rng.unit() * 365.0 * 86_400.0) as i64 * 1_000_000;
        let ship = JAN_1_2024 + rng.below(400) as i32;
        let amount = (rng.unit() * rng.unit() * 2000.0 * 100.0).round() / 100.0;
        let quantity = 1 + rng.below(20);
        let _ = write!(
            line,
            "{id},{},{},{amount:.2},{quantity},",
            format_datetime(created).replace('T', " "),
            format_date(ship)
        );
        if rng.chance(0.05) {
            line.push_str("NA");
        } else {
            let _ = write!(line, "{:.4}", rng.unit() * 0.3);
        }
        let member = if rng.chance(0.4) { "true" } else { "false" };
        let _ = write!(
            line,
            ",{member},{},{},",
            CATEGORIES[rng.below(CATEGORIES.len())],
            REGIONS[rng.below(REGIONS.len())]
        );
        if !rng.chance(0.03) {
            let _ = write!(line, "{}", rng.below(101));
        }
        line.push(',');
        match rng.below(4) {
            0 => {}
            1 => {
                let _ = write!(
                    line,
                    "{} {} item",
                    WORDS[rng.below(WORDS.len())],
                    WORDS[rng.below(WORDS.len())]
                );
            }
            2 => {
                let _ = write!(
                    line,
                    "\"{}, {} and {}\"",
                    WORDS[rng.below(WORDS.len())],
                    WORDS[rng.below(WORDS.len())],
                    WORDS[rng.below(WORDS.len())]
                );
            }
            _ => {
                let _ = write!(
                    line,
                    "\"said \"\"{}\"\", then {}\"",
                    WORDS[rng.below(WORDS.len())],
                    WORDS[rng.below(WORDS.len())]
                );
            }
        }
        let _ = writeln!(
            line,
            ",{}-{:05}",
            (b'A' + rng.below(26) as u8) as char,
            rng.below(100_000)
        );
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::read_bytes;
    use crate::core::model::ColumnType;
    use crate::core::profile::profile;

    #[test]
    fn sample_is_deterministic_and_typed() {
        let text = marketing_csv();
        assert_eq!(text, marketing_csv());
        let ds = read_bytes(SAMPLE_FILE_NAME, text.as_bytes()).unwrap();
        assert!((950..1100).contains(&ds.height()), "{}", ds.height());
        assert_eq!(
            ds.types,
            vec![
                ColumnType::Date,
                ColumnType::String,
                ColumnType::String,
                ColumnType::String,
                ColumnType::Float,
                ColumnType::Integer,
                ColumnType::Integer,
                ColumnType::Float
            ]
        );
        let p = profile(&ds);
        assert!(p.duplicate_rows >= 5);
        assert!(p.column_profiles[4].missing > 0);
    }

    #[test]
    fn bench_data_shape() {
        let mut out = Vec::new();
        bench_csv(2000, &mut out).unwrap();
        let per_row = out.len() / 2000;
        assert!((80..=120).contains(&per_row), "{per_row} bytes per row");
        let ds = read_bytes("bench.csv", &out).unwrap();
        assert_eq!(ds.width(), 12);
        assert_eq!(ds.height(), 2000);
        assert_eq!(ds.types[1], ColumnType::Datetime);
        assert_eq!(ds.types[2], ColumnType::Date);
        assert_eq!(ds.types[6], ColumnType::Boolean);
    }
}
