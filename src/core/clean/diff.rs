//! The cleaned data beside the raw data: each cell of a window of a
//! recipe's result with what it was (the page's grid of the cleaned data
//! marks the cells the recipe changed).

use serde::{Deserialize, Serialize};

use super::recipe::Lineage;
use crate::core::ingest::Dataset;
use crate::core::table::ColumnData;

/// A cell of the result, as display text (empty: missing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub text: String,
    pub mark: Mark,
}

/// How a cell compares with the raw data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "was", rename_all = "snake_case")]
pub enum Mark {
    Same,
    /// Changed by the recipe: the raw cell's text.
    Changed(String),
    /// In a column a step made (one-hot, date parts, flags).
    Added,
}

/// Rows `offset..offset + limit` of `out` (the result of a recipe on `raw`
/// with `lineage`), each cell compared with the raw cell it came from.
///
/// Bound: linear in the cells of the window (text of both cells).
pub fn compare(
    raw: &Dataset,
    out: &Dataset,
    lineage: &Lineage,
    offset: usize,
    limit: usize,
) -> Vec<Vec<Cell>> {
    let sides = Sides::new(raw, out, lineage);
    let end = offset.saturating_add(limit).min(out.height());
    (offset.min(end)..end)
        .map(|r| (0..sides.columns.len()).map(|j| sides.cell(r, j)).collect())
        .collect()
}

/// The first row at or after `from` with a cell the recipe changed (for
/// the grid's "next change").
///
/// Bound: linear in the cells of the rows it passes (at worst the whole
/// result, once per click).
pub fn next_change(raw: &Dataset, out: &Dataset, lineage: &Lineage, from: usize) -> Option<usize> {
    let sides = Sides::new(raw, out, lineage);
    (from..out.height()).find(|&r| {
        (0..sides.columns.len()).any(|j| matches!(sides.cell(r, j).mark, Mark::Changed(_)))
    })
}

/// Each column of the result with the raw column it came from.
struct Sides<'a> {
    columns: Vec<(Option<ColumnData<'a>>, Option<ColumnData<'a>>)>,
    rows: &'a [u32],
}

impl<'a> Sides<'a> {
    fn new(raw: &'a Dataset, out: &'a Dataset, lineage: &'a Lineage) -> Sides<'a> {
        let columns = (0..out.width())
            .map(|j| {
                let from = lineage.columns.get(j).copied().flatten();
                (
                    ColumnData::of(out, j),
                    from.and_then(|k| ColumnData::of(raw, k)),
                )
            })
            .collect();
        Sides {
            columns,
            rows: &lineage.rows,
        }
    }

    /// Cell `j` of result row `r`, compared with its raw cell.
    fn cell(&self, r: usize, j: usize) -> Cell {
        let (now, was) = &self.columns[j];
        let raw_row = self.rows.get(r).map(|&x| x as usize);
        let text = now.as_ref().map(|c| c.text(r)).unwrap_or_default();
        let mark = match (was, raw_row) {
            (Some(was), Some(rr)) => {
                let before = was.text(rr);
                if before == text || same_number(&before, &text) {
                    Mark::Same
                } else {
                    Mark::Changed(before)
                }
            }
            _ => Mark::Added,
        };
        Cell { text, mark }
    }
}

/// Two texts of one number ("254.50" read as 254.5): a change of type,
/// not of value, as the steps count it.
fn same_number(a: &str, b: &str) -> bool {
    // Untrimmed: spaces around a number are a change (trim counts them).
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clean::recipe::{run_traced, Recipe};

    /// After a recipe that removes rows, renames and adds columns, each
    /// cell is compared with the raw cell it came from.
    #[test]
    fn cells_are_compared_with_the_raw_cell_they_came_from() {
        let raw =
            crate::core::read_bytes("d.csv", b"Name,Amount,kind\n a ,1,x\nb,,y\nb,,y\nc,3,x\n")
                .unwrap();
        let recipe = Recipe::from_json(
            r#"{"schema_version": 2, "steps": [
                {"op": "drop_duplicates"},
                {"op": "trim"},
                {"op": "fill_missing", "column": "Amount", "fill": {"method": "constant", "value": "0"}},
                {"op": "normalise_names"},
                {"op": "one_hot", "column": "kind", "max_categories": 5}]}"#,
        )
        .unwrap();
        let (out, _, lineage) = run_traced(&raw, &recipe.steps).unwrap();
        assert_eq!(lineage.rows, [0, 1, 3]);
        assert_eq!(&lineage.columns[..2], &[Some(0), Some(1)]);
        let cells = compare(&raw, &out, &lineage, 0, 10);
        assert_eq!(cells.len(), 3);
        // " a " trimmed; the gap in row "b" filled; "c" untouched.
        assert_eq!(cells[0][0].mark, Mark::Changed(" a ".into()));
        assert_eq!(cells[0][0].text, "a");
        assert_eq!(cells[1][1].mark, Mark::Changed(String::new()));
        assert_eq!(cells[2][0].mark, Mark::Same);
        assert_eq!(cells[2][1].mark, Mark::Same);
        // The one-hot columns are new.
        assert!(cells[0][2..].iter().all(|c| c.mark == Mark::Added));
        assert!(same_number("254.50", "254.5") && !same_number("254.50", "254.6"));
        assert!(!same_number("", "0") && !same_number(" 12", "12"));
        // A window past the end is empty.
        assert!(compare(&raw, &out, &lineage, 5, 10).is_empty());
        // The next change from each row: row 2 ("c", 3, x) has none.
        assert_eq!(next_change(&raw, &out, &lineage, 0), Some(0));
        assert_eq!(next_change(&raw, &out, &lineage, 1), Some(1));
        assert_eq!(next_change(&raw, &out, &lineage, 2), None);
    }
}
