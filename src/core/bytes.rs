//! Short byte slices copied and compared at wasm's speed: a copy or a
//! comparison whose length is known only when running is, in wasm, a
//! call — `memory.copy` (which V8 runs as a call into the engine) or
//! `memcmp` (a byte at a time) — which costs more than the work for the
//! few bytes of a cell. These do it with fixed-size loads and stores, 8
//! bytes at a time.

/// `bytes` (up to 16) as a little-endian number (the first byte lowest,
/// the bytes past the end zero); None when longer. Made in registers from
/// two overlapping loads — not through 16 bytes of memory, which stores
/// of 8 bytes then a load of 16 make slow (the processor cannot pass the
/// stores on to the wider load).
#[inline]
pub fn padded(bytes: &[u8]) -> Option<u128> {
    let n = bytes.len();
    // The first and the last `W` bytes, as numbers.
    fn ends<const W: usize>(bytes: &[u8]) -> Option<([u8; W], [u8; W])> {
        Some((*bytes.first_chunk::<W>()?, *bytes.last_chunk::<W>()?))
    }
    Some(match n {
        17.. => return None,
        8.. => {
            let (head, tail) = ends::<8>(bytes)?;
            // The tail's bytes past the head's, moved down to their place.
            let rest = u64::from_le_bytes(tail)
                .checked_shr(8 * (16 - n) as u32)
                .unwrap_or(0);
            u128::from(u64::from_le_bytes(head)) | u128::from(rest) << 64
        }
        4.. => {
            let (head, tail) = ends::<4>(bytes)?;
            let rest = u32::from_le_bytes(tail)
                .checked_shr(8 * (8 - n) as u32)
                .unwrap_or(0);
            u128::from(u32::from_le_bytes(head)) | u128::from(rest) << 32
        }
        _ => bytes
            .iter()
            .take(3)
            .rev()
            .fold(0u128, |word, &b| word << 8 | u128::from(b)),
    })
}

/// Appends `bytes` to `out`: a short slice as 16 zero bytes, its first
/// and last words copied over them, then cut to its length.
// Inlined: as a call, once a cell, the raw text's appends took 153–237 ms
// of a part worker's read against 116–138 ms inlined (Chromium CPU
// profiles, one run each, a busy machine).
#[inline(always)]
pub fn append(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    if n > 16 {
        out.extend_from_slice(bytes);
        return;
    }
    let start = out.len();
    out.extend_from_slice(&[0u8; 16]);
    // The first and the last `W` bytes, each copied as one word.
    fn put<const W: usize>(dst: &mut [u8], bytes: &[u8]) {
        let n = bytes.len();
        if let (Some(head), Some(tail)) = (bytes.first_chunk::<W>(), bytes.last_chunk::<W>()) {
            if let Some(d) = dst.first_chunk_mut::<W>() {
                *d = *head;
            }
            if let Some(d) = dst.get_mut(n - W..).and_then(|d| d.first_chunk_mut::<W>()) {
                *d = *tail;
            }
        }
    }
    if let Some(dst) = out.get_mut(start..) {
        match n {
            8.. => put::<8>(dst, bytes),
            4.. => put::<4>(dst, bytes),
            _ => {
                for (d, &b) in dst.iter_mut().zip(bytes).take(3) {
                    *d = b;
                }
            }
        }
    }
    out.truncate(start + n);
}

/// Whether `a` and `b` are equal (`==` on bytes is `memcmp`: a fifth of
/// the profile of a worker's text columns once, each cell compared with
/// its value's first).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n <= 16 {
        return padded(a) == padded(b);
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..)
            .and_then(|s| s.first_chunk::<8>())
            .map_or(0, |w| u64::from_le_bytes(*w))
    };
    let mut at = 0;
    while at + 8 <= n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last bytes, in a word that ends at the end.
    at == n || word(a, n - 8) == word(b, n - 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length to 40, a byte changed at every place: `same` is `==`,
    /// `padded` and `append` keep the bytes.
    #[test]
    fn short_copies_and_comparisons_are_exact() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert!(same(&a, &a.clone()));
            for at in 0..n {
                for flip in [1u8, 0x80, 0xFF] {
                    let mut b = a.clone();
                    b[at] ^= flip;
                    assert!(
                        !same(&a, &b) && !same(&b, &a),
                        "{n} bytes, byte {at} ^ {flip}"
                    );
                }
            }
            let mut longer = a.clone();
            longer.push(0);
            assert!(!same(&a, &longer) && !same(&longer, &a));
            match padded(&a) {
                Some(p) => {
                    assert!(n <= 16);
                    let p = p.to_le_bytes();
                    assert_eq!(&p[..n], &a[..], "length {n}");
                    assert!(p[n..].iter().all(|&b| b == 0), "length {n}");
                }
                None => assert!(n > 16),
            }
            let mut out = vec![7u8; 3];
            append(&mut out, &a);
            append(&mut out, b"xy");
            assert_eq!(out.len(), 3 + n + 2);
            assert_eq!(&out[3..3 + n], &a[..]);
            assert_eq!(&out[3 + n..], b"xy");
        }
        assert!(!same(b"\0", b""));
    }
}
