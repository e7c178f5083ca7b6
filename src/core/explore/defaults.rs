//! The charts drawn before the user picks anything: which columns a
//! trend, a group-by and a scatter plot start from (used by the page and
//! by the report).

use crate::core::explore::aggregate::Agg;
use crate::core::explore::correlate::Correlations;
use crate::core::explore::groupby::{DatePart, Dimension, Measure};
use crate::core::explore::Query;
use crate::core::model::{ColumnType, DatasetProfile};

/// Words in a column's name that mean amounts to add up.
const ADDITIVE: [&str; 16] = [
    "revenue", "sales", "amount", "total", "cost", "price", "qty", "quantity", "units", "count",
    "profit", "income", "spend", "orders", "volume", "value",
];

/// Sum for amounts (revenue, units…), mean for measurements (temperature…).
pub fn default_agg(column: &str) -> Agg {
    let lower = column.to_lowercase();
    if ADDITIVE.iter().any(|w| lower.contains(w)) {
        Agg::Sum
    } else {
        Agg::Mean
    }
}

/// Numeric columns that measure something (not row numbers or codes).
pub fn measure_columns(p: &DatasetProfile) -> Vec<String> {
    p.column_profiles
        .iter()
        .filter(|c| c.dtype.is_numeric() && c.count > 0)
        .filter(|c| !(c.dtype == ColumnType::Integer && c.distinct == c.count && c.count > 20))
        .map(|c| c.name.clone())
        .collect()
}

pub fn date_columns(p: &DatasetProfile) -> Vec<String> {
    p.column_profiles
        .iter()
        .filter(|c| matches!(c.dtype, ColumnType::Date | ColumnType::Datetime) && c.count > 0)
        .map(|c| c.name.clone())
        .collect()
}

/// Columns to group by: text and booleans with few values.
pub fn category_columns(p: &DatasetProfile) -> Vec<String> {
    p.column_profiles
        .iter()
        .filter(|c| matches!(c.dtype, ColumnType::String | ColumnType::Boolean))
        .filter(|c| c.distinct >= 2 && c.distinct <= 1000 && c.distinct < c.count)
        .map(|c| c.name.clone())
        .collect()
}

pub fn default_trend(p: &DatasetProfile) -> Option<Query> {
    let date = date_columns(p).into_iter().next()?;
    let value = measure_columns(p).into_iter().next();
    let agg = value.as_deref().map_or(Agg::Count, default_agg);
    Some(Query::Trend {
        date,
        value,
        agg,
        granularity: None,
    })
}

pub fn default_group(p: &DatasetProfile) -> Option<Query> {
    let by = p
        .column_profiles
        .iter()
        .filter(|c| category_columns(p).contains(&c.name))
        .min_by_key(|c| c.distinct)
        .map(|c| Dimension::Column {
            name: c.name.clone(),
        })
        .or_else(|| {
            date_columns(p)
                .into_iter()
                .next()
                .map(|name| Dimension::DatePart {
                    name,
                    part: DatePart::Month,
                })
        })?;
    let mut measures = vec![Measure::rows()];
    if let Some(m) = measure_columns(p).into_iter().next() {
        measures.push(Measure::of(default_agg(&m), &m));
    }
    let sort = Some((measures.len() - 1, true));
    Some(Query::Group {
        dims: vec![by],
        measures,
        sort,
    })
}

/// Columns that can go on a scatter axis (numbers, dates).
pub fn axis_columns(p: &DatasetProfile) -> Vec<String> {
    p.column_profiles
        .iter()
        .filter(|c| {
            c.dtype.is_numeric() || matches!(c.dtype, ColumnType::Date | ColumnType::Datetime)
        })
        .filter(|c| c.count > 0)
        .map(|c| c.name.clone())
        .collect()
}

/// The scatter plot shown first: the most correlated numeric pair.
pub fn default_scatter(p: &DatasetProfile, c: &Correlations) -> Option<Query> {
    let pair = c.top.iter().find(|p| p.method == "pearson");
    let (x, y) = match pair {
        Some(pair) => (pair.a.clone(), pair.b.clone()),
        None => {
            let cols = axis_columns(p);
            (cols.first()?.clone(), cols.get(1)?.clone())
        }
    };
    Some(Query::Scatter { x, y, colour: None })
}
