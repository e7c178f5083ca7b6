//! Sorting a column's values with their rows by radix: each value maps to a
//! `u64` whose unsigned order is the value's order ([`RadixKey`]), and a
//! least-significant-digit radix sort (8 bits a pass, stable, so equal
//! values keep their rows in order) orders the pairs in `O(n)` passes over
//! contiguous memory — a comparison sort needs `log2 n` (20 for a million
//! rows) compares per value. A pass whose byte is the same in every key (the
//! high bytes of small integers, say) is skipped.

/// A value whose order is the unsigned order of a `u64` it maps to, both
/// ways.
pub trait RadixKey: Copy {
    fn key(self) -> u64;
    fn from_key(key: u64) -> Self;
}

impl RadixKey for u64 {
    fn key(self) -> u64 {
        self
    }
    fn from_key(key: u64) -> Self {
        key
    }
}

impl RadixKey for i64 {
    fn key(self) -> u64 {
        (self as u64) ^ (1 << 63)
    }
    fn from_key(key: u64) -> Self {
        (key ^ (1 << 63)) as i64
    }
}

impl RadixKey for i32 {
    fn key(self) -> u64 {
        u64::from((self as u32) ^ (1 << 31))
    }
    fn from_key(key: u64) -> Self {
        ((key as u32) ^ (1 << 31)) as i32
    }
}

impl RadixKey for bool {
    fn key(self) -> u64 {
        u64::from(self)
    }
    fn from_key(key: u64) -> Self {
        key != 0
    }
}

/// `f64::total_cmp`'s order: negative numbers (sign bit set) reversed
/// below the positive ones; -NaN first, -0.0 just before 0.0, NaN last.
impl RadixKey for f64 {
    fn key(self) -> u64 {
        let bits = self.to_bits();
        if bits >> 63 == 1 {
            !bits
        } else {
            bits | (1 << 63)
        }
    }
    fn from_key(key: u64) -> Self {
        f64::from_bits(if key >> 63 == 1 {
            key & !(1 << 63)
        } else {
            !key
        })
    }
}

/// The present values of a column with their rows, sorted by value, then
/// row (as `sort_by(cmp.then(row))` with the value's total order).
pub fn sorted_pairs<T: RadixKey>(values: impl Iterator<Item = Option<T>>) -> Vec<(T, u32)> {
    let mut pairs: Vec<(u64, u32)> = values
        .enumerate()
        .filter_map(|(row, v)| v.map(|v| (v.key(), row as u32)))
        .collect();
    // A column with missing values would keep up to twice its capacity.
    pairs.shrink_to_fit();
    sort_keyed(&mut pairs);
    pairs
        .into_iter()
        .map(|(k, row)| (T::from_key(k), row))
        .collect()
}

/// Rows up to which [`sort_keyed`] sorts by radix, with a second buffer of
/// the pairs (16 bytes a row); past it, in place by comparison (a column
/// of 100 million rows would otherwise ask for 3.2 GB of the 4 GiB wasm32
/// heap).
pub const RADIX_ROWS: usize = 1 << 24;

/// Sorts `(key, row)` pairs by key, stably (rows given in order stay in
/// order among equal keys).
pub fn sort_keyed(pairs: &mut Vec<(u64, u32)>) {
    radix(pairs, |p| p.0);
}

/// Sorts values by their order (`f64::total_cmp`'s for floats), without
/// their rows: 8 bytes a value instead of the pairs' 16.
///
/// Memory: the keys take the values' own block when they are 8 bytes
/// wide (floats, `i64`), and the radix sort a second one.
pub fn sort_values<T: RadixKey>(values: &mut Vec<T>) {
    let mut keys: Vec<u64> = std::mem::take(values).into_iter().map(T::key).collect();
    radix(&mut keys, |&k| k);
    *values = keys.into_iter().map(T::from_key).collect();
}

/// Sorts `items` by `key` (an unsigned order), stably: by radix up to
/// [`RADIX_ROWS`] with a second buffer of the items, past it in place by
/// comparison of key, then the item's own order (for pairs, the row: the
/// stable order).
fn radix<E: Copy + Default + Ord>(items: &mut Vec<E>, key: impl Fn(&E) -> u64) {
    let n = items.len();
    if n < 2 {
        return;
    }
    if n <= 64 || n > RADIX_ROWS {
        items.sort_unstable_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.cmp(b)));
        return;
    }
    // Every byte's counts in one pass.
    let mut counts = [[0u32; 256]; 8];
    for e in items.iter() {
        let k = key(e);
        for (d, c) in counts.iter_mut().enumerate() {
            c[((k >> (8 * d)) & 0xff) as usize] += 1;
        }
    }
    let mut from = std::mem::take(items);
    let mut to: Vec<E> = vec![E::default(); n];
    for (d, c) in counts.iter().enumerate() {
        if c.iter().any(|&m| m as usize == n) {
            continue; // one value of this byte: nothing moves
        }
        let mut at = [0u32; 256];
        let mut sum = 0u32;
        for (a, &m) in at.iter_mut().zip(c) {
            *a = sum;
            sum += m;
        }
        let shift = 8 * d;
        for &e in &from {
            let b = ((key(&e) >> shift) & 0xff) as usize;
            to[at[b] as usize] = e;
            at[b] += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    *items = from;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::Rng;

    fn reference<T: Copy>(
        values: &[Option<T>],
        cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
    ) -> Vec<(T, u32)> {
        let mut pairs: Vec<(T, u32)> = values
            .iter()
            .enumerate()
            .filter_map(|(row, v)| v.map(|v| (v, row as u32)))
            .collect();
        pairs.sort_unstable_by(|a, b| cmp(&a.0, &b.0).then(a.1.cmp(&b.1)));
        pairs
    }

    fn column<T>(rng: &mut Rng, n: usize, mut value: impl FnMut(&mut Rng) -> T) -> Vec<Option<T>> {
        (0..n)
            .map(|_| (rng.below(10) != 0).then(|| value(rng)))
            .collect()
    }

    fn sizes(rng: &mut Rng) -> usize {
        [0, 1, 2, 63, 64, 65, 1000, 5000][rng.below(8)]
    }

    #[test]
    fn keys_round_trip_and_keep_the_order() {
        let floats = [
            f64::from_bits(0xfff8_0000_0000_0001), // -NaN
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE / 2.0,
            -0.0,
            0.0,
            f64::MIN_POSITIVE / 2.0,
            1.0,
            f64::INFINITY,
            f64::NAN,
        ];
        for w in floats.windows(2) {
            assert!(w[0].key() < w[1].key(), "{} < {}", w[0], w[1]);
            assert!(w[0].total_cmp(&w[1]).is_lt());
        }
        for v in floats {
            assert_eq!(f64::from_key(v.key()).to_bits(), v.to_bits());
        }
        for v in [i64::MIN, -1, 0, 1, i64::MAX] {
            assert_eq!(i64::from_key(v.key()), v);
        }
        assert!(i64::MIN.key() < (-1i64).key() && (-1i64).key() < 0i64.key());
        for v in [i32::MIN, -1, 0, 1, i32::MAX] {
            assert_eq!(i32::from_key(v.key()), v);
        }
        assert!(i32::MIN.key() < (-1i32).key() && 0i32.key() < i32::MAX.key());
    }

    /// The radix sort gives what the comparison sort gives, value and row,
    /// for every key type: ties, missing values, -0.0, NaN, infinities,
    /// integers across the sign and across every byte.
    #[test]
    fn equals_the_comparison_sort() {
        let mut rng = Rng::new(42);
        let bits = |a: &[(f64, u32)]| a.iter().map(|p| (p.0.to_bits(), p.1)).collect::<Vec<_>>();
        for case in 0..200 {
            let n = sizes(&mut rng);
            let f = column(&mut rng, n, |r| match case % 3 {
                0 => [-0.0, 0.0, 1.5, -2.0, f64::NAN, f64::INFINITY][r.below(6)],
                1 => (r.unit() - 0.5) * 10f64.powi(r.below(40) as i32 - 20),
                _ => f64::from_bits(r.next_u64()),
            });
            assert_eq!(
                bits(&sorted_pairs(f.iter().copied())),
                bits(&reference(&f, f64::total_cmp)),
                "floats, case {case}"
            );
            // Values alone: the same order.
            let mut alone: Vec<f64> = f.iter().flatten().copied().collect();
            sort_values(&mut alone);
            let want: Vec<u64> = reference(&f, f64::total_cmp)
                .iter()
                .map(|p| p.0.to_bits())
                .collect();
            let got: Vec<u64> = alone.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want, "float values, case {case}");
            let i = column(&mut rng, n, |r| match case % 3 {
                0 => r.below(7) as i64 - 3,
                1 => r.next_u64() as i64 >> r.below(64),
                _ => r.next_u64() as i64,
            });
            assert_eq!(sorted_pairs(i.iter().copied()), reference(&i, i64::cmp));
            let mut ints: Vec<i64> = i.iter().flatten().copied().collect();
            let mut by_cmp = ints.clone();
            by_cmp.sort_unstable();
            sort_values(&mut ints);
            assert_eq!(ints, by_cmp, "i64 values, case {case}");
            let d = column(&mut rng, n, |r| r.next_u64() as i32 >> r.below(32));
            assert_eq!(sorted_pairs(d.iter().copied()), reference(&d, i32::cmp));
            let b = column(&mut rng, n, |r| r.below(2) == 1);
            assert_eq!(sorted_pairs(b.iter().copied()), reference(&b, bool::cmp));
            let h = column(&mut rng, n, |r| r.next_u64() >> (8 * r.below(8)));
            assert_eq!(sorted_pairs(h.iter().copied()), reference(&h, u64::cmp));
        }
    }
}
