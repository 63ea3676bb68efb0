//! The redb store's journal: each group commit of saves and epoch claims is appended here as one
//! checksummed frame and flushed (one contiguous write and one `fdatasync`), and redb's file
//! takes it only at the next checkpoint. redb's copy-on-write tree rewrites several scattered
//! pages per commit, and on cloud disks every scattered page costs about as much as a flush. A
//! checkpoint (a durable redb commit) makes the journal's frames redundant; each bumps the
//! generation, and only frames of the current generation are replayed when the file opens.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// The journal's size, written in full when it is created so that appending never changes the
/// file's length (a flush then writes no metadata). A batch that does not fit is checkpointed.
pub const JOURNAL_BYTES: u64 = 8 * 1024 * 1024;
/// A frame's header: payload length (u32), CRC-32 of generation and payload (u32), generation.
const HEADER: usize = 16;
const SAVED: u8 = 1;
const CLAIMED: u8 = 2;

/// One write the journal holds: the value it left, so replaying it twice changes nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum Record {
    /// A grain's state was saved with this etag.
    Saved { key: String, etag: u64, bytes: Vec<u8> },
    /// A grain's epoch was claimed.
    Claimed { key: String, epoch: u64 },
}

/// The records of one batch, encoded as they are applied.
#[derive(Default)]
pub struct Frame {
    payload: Vec<u8>,
}

impl Frame {
    /// Records that `key`'s state is now `bytes` at `etag`.
    pub fn saved(&mut self, key: &str, etag: u64, bytes: &[u8]) {
        self.key(SAVED, key);
        self.payload.extend_from_slice(&etag.to_le_bytes());
        self.payload.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        self.payload.extend_from_slice(bytes);
    }

    /// Records that `key`'s epoch is now `epoch`.
    pub fn claimed(&mut self, key: &str, epoch: u64) {
        self.key(CLAIMED, key);
        self.payload.extend_from_slice(&epoch.to_le_bytes());
    }

    fn key(&mut self, tag: u8, key: &str) {
        self.payload.push(tag);
        self.payload.extend_from_slice(&(key.len() as u32).to_le_bytes());
        self.payload.extend_from_slice(key.as_bytes());
    }

    /// Whether it records nothing.
    pub fn is_empty(&self) -> bool {
        self.payload.is_empty()
    }

    /// Its bytes on disk, header included.
    fn encode(&self, generation: u64) -> Vec<u8> {
        let mut crc = crc32fast::Hasher::new();
        crc.update(&generation.to_le_bytes());
        crc.update(&self.payload);
        let mut bytes = Vec::with_capacity(HEADER + self.payload.len());
        bytes.extend_from_slice(&(self.payload.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&crc.finalize().to_le_bytes());
        bytes.extend_from_slice(&generation.to_le_bytes());
        bytes.extend_from_slice(&self.payload);
        bytes
    }
}

/// The journal file and where the next frame goes.
pub struct Journal {
    file: File,
    end: u64,
    generation: u64,
}

impl Journal {
    /// Opens (or creates, at full size) the journal at `path`; frames go from its start, of
    /// `generation`. Whatever it held is forgotten: replay it with [`replay`] first.
    pub fn open(path: &Path, generation: u64) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
        if file.metadata()?.len() < JOURNAL_BYTES {
            file.write_all_at(&vec![0; JOURNAL_BYTES as usize], 0)?;
            file.sync_all()?;
        }
        Ok(Journal { file, end: 0, generation })
    }

    /// Whether a frame of `frame`'s size fits after the frames already written.
    pub fn fits(&self, frame: &Frame) -> bool {
        self.end + (HEADER + frame.payload.len()) as u64 <= JOURNAL_BYTES
    }

    /// The generation its frames are written in.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether any frame was written since the last checkpoint.
    pub fn holds_frames(&self) -> bool {
        self.end > 0
    }

    /// Writes `frame` after the others, into the page cache; returns its length. Until
    /// [`Journal::keep`] is called with it, the next frame overwrites it.
    pub fn write(&self, frame: &Frame) -> io::Result<u64> {
        if !self.fits(frame) {
            return Err(io::Error::other("the batch does not fit in the journal"));
        }
        let bytes = frame.encode(self.generation);
        self.file.write_all_at(&bytes, self.end)?;
        Ok(bytes.len() as u64)
    }

    /// Waits until every frame written is on disk (one `fdatasync`: the file's length never
    /// changes, so no metadata goes with it).
    pub fn flush(&self) -> io::Result<()> {
        self.file.sync_data()
    }

    /// Keeps the frame just written, of `length` bytes: the next one goes after it.
    pub fn keep(&mut self, length: u64) {
        self.end += length;
    }

    /// After a checkpoint recorded `generation` durably: the frames written so far are no
    /// longer needed, and the next one goes to the start.
    pub fn restart(&mut self, generation: u64) {
        self.generation = generation;
        self.end = 0;
    }
}

/// The records of the journal at `path` written in `generation`, in order: the frames from the
/// start up to the first that is torn, of another generation or absent.
pub fn replay(path: &Path, generation: u64) -> io::Result<Vec<Record>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut records = Vec::new();
    let mut at = 0;
    while let Some((payload, next)) = frame_at(&bytes, at, generation) {
        decode(payload, &mut records).map_err(|e| io::Error::other(format!("journal frame at {at}: {e}")))?;
        at = next;
    }
    Ok(records)
}

/// The payload of the intact frame of `generation` at `at`, and where the next one starts.
fn frame_at(bytes: &[u8], at: usize, generation: u64) -> Option<(&[u8], usize)> {
    let header = bytes.get(at..at + HEADER)?;
    let length = u32::from_le_bytes(header[0..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..8].try_into().ok()?);
    let written_in = u64::from_le_bytes(header[8..16].try_into().ok()?);
    let payload = bytes.get(at + HEADER..at + HEADER + length)?;
    let mut check = crc32fast::Hasher::new();
    check.update(&written_in.to_le_bytes());
    check.update(payload);
    (length > 0 && written_in == generation && check.finalize() == crc).then_some((payload, at + HEADER + length))
}

/// Reads a checksummed payload's records.
fn decode(mut payload: &[u8], records: &mut Vec<Record>) -> Result<(), String> {
    while let Some((&tag, rest)) = payload.split_first() {
        payload = rest;
        let key = String::from_utf8(take_sized(&mut payload)?.to_vec()).map_err(|e| e.to_string())?;
        let number = u64::from_le_bytes(take(&mut payload, 8)?.try_into().map_err(|_| "short number")?);
        records.push(match tag {
            SAVED => Record::Saved { key, etag: number, bytes: take_sized(&mut payload)?.to_vec() },
            CLAIMED => Record::Claimed { key, epoch: number },
            other => return Err(format!("unknown record tag {other}")),
        });
    }
    Ok(())
}

fn take<'a>(payload: &mut &'a [u8], length: usize) -> Result<&'a [u8], String> {
    if payload.len() < length {
        return Err("a record runs past its frame".into());
    }
    let (taken, rest) = payload.split_at(length);
    *payload = rest;
    Ok(taken)
}

fn take_sized<'a>(payload: &mut &'a [u8]) -> Result<&'a [u8], String> {
    let length = u32::from_le_bytes(take(payload, 4)?.try_into().map_err(|_| "short length")?) as usize;
    take(payload, length)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(records: &[(&str, u64)]) -> Frame {
        let mut frame = Frame::default();
        for (key, number) in records {
            frame.saved(key, *number, key.as_bytes());
            frame.claimed(key, number + 100);
        }
        frame
    }

    fn written(journal: &mut Journal, frame: &Frame) {
        let length = journal.write(frame).expect("write");
        journal.flush().expect("flush");
        journal.keep(length);
    }

    #[test]
    fn replays_the_frames_of_its_generation_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.journal");
        let mut journal = Journal::open(&path, 7).expect("open");
        written(&mut journal, &frame(&[("counter/a", 1), ("counter/b", 2)]));
        written(&mut journal, &frame(&[("counter/a", 3)]));
        let records = replay(&path, 7).expect("replay");
        assert_eq!(records.len(), 6);
        assert_eq!(records[0], Record::Saved { key: "counter/a".into(), etag: 1, bytes: b"counter/a".to_vec() });
        assert_eq!(records[1], Record::Claimed { key: "counter/a".into(), epoch: 101 });
        assert_eq!(records[5], Record::Claimed { key: "counter/a".into(), epoch: 103 });
        assert!(replay(&path, 8).expect("replay").is_empty(), "another generation's frames are not replayed");
    }

    #[test]
    fn stops_at_a_torn_frame_and_at_the_frames_of_an_older_generation() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.journal");
        let mut journal = Journal::open(&path, 1).expect("open");
        written(&mut journal, &frame(&[("counter/old", 1), ("counter/older", 2)]));
        written(&mut journal, &frame(&[("counter/old", 3)]));
        journal.restart(2);
        written(&mut journal, &frame(&[("counter/new", 4)]));
        let records = replay(&path, 2).expect("replay");
        assert_eq!(records.len(), 2, "only the new generation's frame: {records:?}");

        let unkept = journal.write(&frame(&[("counter/unkept", 5)])).expect("write");
        written(&mut journal, &frame(&[("counter/kept", 6)]));
        let keys: Vec<_> = replay(&path, 2)
            .expect("replay")
            .into_iter()
            .filter_map(|record| match record {
                Record::Saved { key, .. } => Some(key),
                Record::Claimed { .. } => None,
            })
            .collect();
        assert_eq!(keys, ["counter/new", "counter/kept"], "a frame not kept is overwritten ({unkept} bytes)");

        let mut bytes = std::fs::read(&path).expect("read");
        bytes[HEADER + 3] ^= 0xff;
        std::fs::write(&path, &bytes).expect("tear the first frame");
        assert!(replay(&path, 2).expect("replay").is_empty(), "nothing after a torn frame is replayed");
    }

    #[test]
    fn a_batch_that_does_not_fit_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let journal = Journal::open(&dir.path().join("state.journal"), 1).expect("open");
        let mut huge = Frame::default();
        huge.saved("counter/huge", 1, &vec![7; JOURNAL_BYTES as usize]);
        assert!(!journal.fits(&huge));
        assert!(journal.write(&huge).is_err());
        assert!(!journal.holds_frames());
    }
}
