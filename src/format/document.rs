//! Document content objects: how long the padded plaintext of a document is.
//!
//! A document's content is stored as the plaintext of its own age file: the
//! file's bytes exactly as given, then zero bytes up to [`content_len`] of
//! its size. The record (docs/FORMAT.md §6.6) holds the real size and the
//! BLAKE3 hash of those bytes, so a reader keeps the first `size` bytes and
//! checks the hash. The padding hides a document's exact size from whoever
//! sees the vault's files: see docs/FORMAT.md §16.

/// Up to this size, a content object's plaintext is padded to a power of two.
pub const POWER_OF_TWO_UP_TO: u64 = 1 << 20;

/// The padded plaintext length of a document of `size` bytes.
///
/// - at most 1 KiB: 1 KiB;
/// - at most 1 MiB: the smallest power of two at least `size`;
/// - larger: Padmé rounding (Nikitin et al., PETS 2019): with `e` the
///   position of the highest set bit of `size` (`floor(log2 size)`) and `s`
///   the number of bits of `e` (`floor(log2 e) + 1`), the low `e - s` bits are
///   rounded up, so at most `s` significant bits remain. The overhead is at
///   most 2^-s of the size: under 3.2 % from 1 MiB to 4 GiB, under 1.6 % above.
pub fn content_len(size: u64) -> u64 {
    if size <= 1024 {
        return 1024;
    }
    if size <= POWER_OF_TWO_UP_TO {
        return size.next_power_of_two();
    }
    let e = 63 - u64::from(size.leading_zeros());
    let s = 64 - u64::from(e.leading_zeros());
    let mask = (1u64 << (e - s)) - 1;
    // Cannot overflow for any size below 2^63, which no file reaches.
    size.saturating_add(mask) & !mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sizes_go_to_powers_of_two() {
        assert_eq!(content_len(0), 1024);
        assert_eq!(content_len(1024), 1024);
        assert_eq!(content_len(1025), 2048);
        assert_eq!(content_len(1 << 20), 1 << 20);
    }

    #[test]
    fn large_sizes_keep_few_significant_bits_and_little_overhead() {
        for size in [
            (1u64 << 20) + 1,
            3_000_000,
            268_435_456,
            268_435_457,
            1 << 30,
            5_000_000_007,
        ] {
            let p = content_len(size);
            assert!(p >= size);
            let e = 63 - u64::from(size.leading_zeros());
            let s = 64 - u64::from(e.leading_zeros());
            assert!(u64::from(p.trailing_zeros()) >= e - s, "{size} -> {p}");
            assert!((p - size) as f64 <= size as f64 / 31.0, "{size} -> {p}");
        }
        // Exactly 256 MiB is already on a bucket.
        assert_eq!(content_len(1 << 28), 1 << 28);
        // 1 MiB + 1 rounds up to the next multiple of 2^(20-5) = 32 KiB.
        assert_eq!(content_len((1 << 20) + 1), (1 << 20) + (1 << 15));
    }
}
