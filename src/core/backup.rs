//! A client's backup as one file: its record, every dataset's record and raw
//! bytes, and every kept model's bytes.
//!
//! The file is `MAGIC`, the format version (u32 LE), the payload's length
//! (u64 LE) and its FNV-1a 64 checksum (u64 LE), then the payload in CBOR.
//! Records are carried as the JSON text the page stores, so this module
//! does not know their fields; it checks what makes a backup whole: the
//! header, the length, the checksum, unique dataset ids and that every model
//! belongs to one of the datasets. A file that fails any check is refused
//! as a whole ([`BackupError`]), so an import is all or nothing.

use serde::{Deserialize, Serialize};

/// The first bytes of every backup.
pub const MAGIC: &[u8] = b"PLAINSIGHT-BACKUP\n";
/// The format this build writes and the newest it reads.
pub const VERSION: u32 = 1;
/// The largest backup written or read: a backup is built and read whole in
/// the page's memory (like a file being loaded, at most 1 GiB).
pub const MAX_BYTES: u64 = 1 << 30;
const HEADER: usize = MAGIC.len() + 4 + 8 + 8;

/// One dataset: its id (as in the records), its stored record (JSON) and
/// the raw bytes of its file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetEntry {
    pub id: String,
    pub record: String,
    #[serde(with = "serde_bytes")]
    pub file: Vec<u8>,
}

/// One kept model: its storage key (`<dataset id>/v<version>/<model>`) and
/// its bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelEntry {
    pub key: String,
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

/// What a backup holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    /// The client's record (JSON).
    pub client: String,
    pub datasets: Vec<DatasetEntry>,
    pub models: Vec<ModelEntry>,
}

/// Why a file is not a backup this build can import.
#[derive(Clone, Debug, PartialEq)]
pub enum BackupError {
    /// It does not start like a backup.
    NotABackup,
    /// Written by a newer Plainsight.
    NewerVersion { found: u32, supported: u32 },
    /// It ends early (or goes on past its end): `expected` payload bytes.
    WrongLength { expected: u64, found: u64 },
    /// The checksum does not match: the bytes changed since it was written.
    Damaged,
    /// The payload cannot be read.
    Malformed(String),
    /// It reads, but does not hang together (a model of no dataset in it,
    /// a dataset twice).
    Inconsistent(String),
    /// Larger than [`MAX_BYTES`].
    TooLarge { bytes: u64 },
}

impl std::fmt::Display for BackupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BackupError::NotABackup => write!(f, "not a Plainsight backup"),
            BackupError::NewerVersion { found, supported } => {
                write!(f, "backup format {found}, newer than {supported}")
            }
            BackupError::WrongLength { expected, found } => {
                write!(f, "payload of {found} bytes, {expected} expected")
            }
            BackupError::Damaged => write!(f, "checksum mismatch"),
            BackupError::Malformed(why) => write!(f, "unreadable payload: {why}"),
            BackupError::Inconsistent(why) => write!(f, "inconsistent backup: {why}"),
            BackupError::TooLarge { bytes } => write!(f, "{bytes} bytes, over {MAX_BYTES}"),
        }
    }
}

impl std::error::Error for BackupError {}

/// FNV-1a, 64 bits.
fn checksum(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Backup {
    /// Checks that the backup hangs together (what [`Backup::read`] checks
    /// after the bytes).
    pub fn check(&self) -> Result<(), BackupError> {
        let mut ids = std::collections::HashSet::new();
        for d in &self.datasets {
            if d.id.is_empty() || d.id.contains('/') {
                return Err(BackupError::Inconsistent(format!(
                    "dataset id {:?} is not an id",
                    d.id
                )));
            }
            if !ids.insert(d.id.as_str()) {
                return Err(BackupError::Inconsistent(format!(
                    "dataset {} appears twice",
                    d.id
                )));
            }
        }
        let mut keys = std::collections::HashSet::new();
        for m in &self.models {
            let owner = m.key.split('/').next().unwrap_or_default();
            if !ids.contains(owner) {
                return Err(BackupError::Inconsistent(format!(
                    "model {} belongs to no dataset in the backup",
                    m.key
                )));
            }
            if !keys.insert(m.key.as_str()) {
                return Err(BackupError::Inconsistent(format!(
                    "model {} appears twice",
                    m.key
                )));
            }
        }
        Ok(())
    }

    /// The backup as one file.
    pub fn write(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        ciborium::into_writer(self, &mut payload).expect("writing to a Vec cannot fail");
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&checksum(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Reads a backup file, refusing it as a whole unless every check holds.
    pub fn read(bytes: &[u8]) -> Result<Backup, BackupError> {
        if bytes.len() as u64 > MAX_BYTES {
            return Err(BackupError::TooLarge {
                bytes: bytes.len() as u64,
            });
        }
        if bytes.len() < HEADER || !bytes.starts_with(MAGIC) {
            return Err(BackupError::NotABackup);
        }
        let word = |at: usize, n: usize| {
            let mut b = [0u8; 8];
            b[..n].copy_from_slice(&bytes[at..at + n]);
            u64::from_le_bytes(b)
        };
        let version = word(MAGIC.len(), 4) as u32;
        if version > VERSION || version == 0 {
            return Err(BackupError::NewerVersion {
                found: version,
                supported: VERSION,
            });
        }
        let expected = word(MAGIC.len() + 4, 8);
        let sum = word(MAGIC.len() + 12, 8);
        let payload = &bytes[HEADER..];
        if payload.len() as u64 != expected {
            return Err(BackupError::WrongLength {
                expected,
                found: payload.len() as u64,
            });
        }
        if checksum(payload) != sum {
            return Err(BackupError::Damaged);
        }
        let backup: Backup =
            ciborium::from_reader(payload).map_err(|e| BackupError::Malformed(e.to_string()))?;
        backup.check()?;
        Ok(backup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Backup {
        Backup {
            client: r#"{"id":"c-1","name":"Acme"}"#.into(),
            datasets: vec![
                DatasetEntry {
                    id: "d-1".into(),
                    record: "{}".into(),
                    file: b"a,b\n1,2\n".to_vec(),
                },
                DatasetEntry {
                    id: "d-2".into(),
                    record: "{}".into(),
                    file: vec![0, 255, 10],
                },
            ],
            models: vec![ModelEntry {
                key: "d-2/v1/Ridge".into(),
                bytes: vec![1, 2, 3],
            }],
        }
    }

    #[test]
    fn round_trips() {
        let b = sample();
        assert_eq!(Backup::read(&b.write()), Ok(b));
    }

    #[test]
    fn every_damage_is_refused() {
        let bytes = sample().write();
        assert_eq!(Backup::read(b"a,b\n1,2\n"), Err(BackupError::NotABackup));
        assert_eq!(Backup::read(&[]), Err(BackupError::NotABackup));
        for cut in [HEADER, HEADER + 1, bytes.len() - 1] {
            assert!(
                matches!(
                    Backup::read(&bytes[..cut]),
                    Err(BackupError::WrongLength { .. })
                ),
                "cut at {cut}"
            );
        }
        // Any flipped payload byte breaks the checksum.
        for at in HEADER..bytes.len() {
            let mut b = bytes.clone();
            b[at] ^= 0x20;
            assert_eq!(Backup::read(&b), Err(BackupError::Damaged), "byte {at}");
        }
        let mut newer = bytes.clone();
        newer[MAGIC.len()] = 9;
        assert_eq!(
            Backup::read(&newer),
            Err(BackupError::NewerVersion {
                found: 9,
                supported: VERSION
            })
        );
    }

    #[test]
    fn inconsistent_backups_are_refused() {
        let mut b = sample();
        b.models[0].key = "d-9/v1/Ridge".into();
        assert!(matches!(
            Backup::read(&b.write()),
            Err(BackupError::Inconsistent(_))
        ));
        let mut b = sample();
        b.datasets[1].id = "d-1".into();
        assert!(matches!(
            Backup::read(&b.write()),
            Err(BackupError::Inconsistent(_))
        ));
    }
}
