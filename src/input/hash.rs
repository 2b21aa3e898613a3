//! Fast hashing for the streaming path: FxHash for maps keyed by small
//! integers and short byte strings, and 64-bit fingerprints of ids for
//! memory-light duplicate detection.

use std::hash::{BuildHasherDefault, Hasher};

/// The FxHash word mix (as in rustc): fast, fine for keys nobody crafts
/// against us, never used where a collision could change a result.
#[derive(Clone, Copy, Debug, Default)]
pub struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        // Hash tables take their bucket from the low bits, which a product
        // fills only from the low bits of its input: mix the high bits down,
        // or names such as `p00001`, `p00002` all land in one bucket.
        let h = (self.0 ^ (self.0 >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut word = [0u8; 8];
        let rest = chunks.remainder();
        if let Some(dst) = word.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        self.add(u64::from_le_bytes(word) ^ (rest.len() as u64) << 56);
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

/// A `HashMap` / `HashSet` hasher builder using [`FxHasher`].
pub type FxBuild = BuildHasherDefault<FxHasher>;

/// A well-mixed 64-bit fingerprint of an id (FNV-1a, then the murmur3
/// finaliser). Two different ids share one with a chance of about 2^-64;
/// duplicate detection confirms every shared fingerprint by comparing the
/// ids themselves.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}
