//! The marks a drawing leaves for the pointer: where each bar, cell,
//! point or period lies (in the chart's CSS pixels) and its exact values,
//! so the page can read out what is under the pointer and open what a
//! click names.

use crate::core::format;

/// One value of a mark.
#[derive(Clone, Debug, PartialEq)]
pub enum Reading {
    Num(f64),
    Text(String),
    /// Undefined (a heatmap cell without a value, a group without one).
    Missing,
}

/// What a click on a mark opens.
#[derive(Clone, Debug, PartialEq)]
pub enum Pick {
    /// A heatmap cell: the row's column and the column's column.
    Pair { row: String, col: String },
    /// A bar of values or groups: its label.
    Bar { label: String },
}

/// A drawn mark: its box (left, top, right, bottom) and its values in the
/// order they read.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub area: (i32, i32, i32, i32),
    pub values: Vec<(String, Reading)>,
    pub pick: Option<Pick>,
}

impl Mark {
    pub fn new((x0, y0): (i32, i32), (x1, y1): (i32, i32), values: Vec<(String, Reading)>) -> Mark {
        Mark {
            area: (x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)),
            values,
            pick: None,
        }
    }

    /// A point's mark: `r` pixels around it.
    pub fn point((x, y): (i32, i32), r: i32, values: Vec<(String, Reading)>) -> Mark {
        Mark::new((x - r, y - r), (x + r, y + r), values)
    }

    /// The values as a JSON object (numbers stay numbers; undefined is
    /// null), in reading order.
    pub fn json(&self) -> String {
        let fields: Vec<String> = self
            .values
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Reading::Num(x) if x.is_finite() => {
                        serde_json::to_string(x).unwrap_or_else(|_| "null".into())
                    }
                    Reading::Text(t) => serde_json::to_string(t).unwrap_or_default(),
                    Reading::Num(_) | Reading::Missing => "null".into(),
                };
                format!("{}:{value}", serde_json::to_string(k).unwrap_or_default())
            })
            .collect();
        format!("{{{}}}", fields.join(","))
    }

    /// The values in words: "channel: Meta · revenue: 1,234.5".
    pub fn text(&self) -> String {
        self.values
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Reading::Num(x) => format::num(*x),
                    Reading::Text(t) => t.clone(),
                    Reading::Missing => "—".into(),
                };
                format!("{k}: {v}")
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    fn contains(&self, x: f64, y: f64) -> bool {
        let (x0, y0, x1, y1) = self.area;
        x >= f64::from(x0) && x <= f64::from(x1) && y >= f64::from(y0) && y <= f64::from(y1)
    }

    fn distance(&self, x: f64, y: f64) -> f64 {
        let (x0, y0, x1, y1) = self.area;
        let (cx, cy) = (f64::from(x0 + x1) / 2.0, f64::from(y0 + y1) / 2.0);
        (cx - x).hypot(cy - y)
    }
}

/// The mark under (x, y): of those whose box holds it, the one whose
/// centre is nearest (a point among overlapping points).
pub fn hit(marks: &[Mark], x: f64, y: f64) -> Option<usize> {
    marks
        .iter()
        .enumerate()
        .filter(|(_, m)| m.contains(x, y))
        .min_by(|a, b| a.1.distance(x, y).total_cmp(&b.1.distance(x, y)))
        .map(|(i, _)| i)
}

/// `(key, number)` as a reading.
pub fn num(key: &str, v: f64) -> (String, Reading) {
    (key.to_string(), Reading::Num(v))
}

/// `(key, text)` as a reading.
pub fn text(key: &str, v: impl Into<String>) -> (String, Reading) {
    (key.to_string(), Reading::Text(v.into()))
}

/// `(key, number or undefined)` as a reading.
pub fn maybe(key: &str, v: Option<f64>) -> (String, Reading) {
    (key.to_string(), v.map_or(Reading::Missing, Reading::Num))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_as_json_and_words() {
        let m = Mark::new(
            (10, 20),
            (0, 0),
            vec![
                text("channel", "Meta \"ads\""),
                num("revenue", 1234.5),
                maybe("spend", None),
                num("bad", f64::NAN),
            ],
        );
        assert_eq!(m.area, (0, 0, 10, 20));
        assert_eq!(
            m.json(),
            r#"{"channel":"Meta \"ads\"","revenue":1234.5,"spend":null,"bad":null}"#
        );
        assert_eq!(
            m.text(),
            "channel: Meta \"ads\" · revenue: 1,234.5 · spend: — · bad: NaN"
                .replace("NaN", &format::num(f64::NAN))
        );
    }

    #[test]
    fn the_nearest_mark_under_the_pointer() {
        let marks = vec![
            Mark::point((10, 10), 5, vec![num("x", 1.0)]),
            Mark::point((13, 10), 5, vec![num("x", 2.0)]),
            Mark::new((0, 0), (100, 100), vec![num("x", 3.0)]),
        ];
        assert_eq!(hit(&marks, 9.0, 10.0), Some(0));
        assert_eq!(hit(&marks, 14.0, 10.0), Some(1));
        assert_eq!(hit(&marks, 60.0, 50.0), Some(2));
        assert_eq!(hit(&marks, 200.0, 50.0), None);
    }
}
