//! The recipe as SQL in DuckDB's dialect (filled in below).
