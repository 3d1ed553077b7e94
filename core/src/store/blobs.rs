//! Content-addressed JSON blobs: one row per distinct serialised object.
//!
//! The identity of a blob is the SHA-256 of its canonical bytes — the compact JSON
//! serialisation with the object's own key order, as read — so an unchanged policy is
//! stored once however many captures and baselines hold it. Data is zstd-compressed.

use std::sync::Arc;

use plumbline_wire::{BlobCodec, BlobFrame};
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

use super::StoreError;

/// zstd level: fast to write (the demo writes a quarter-million blobs) yet ~10x smaller.
const ZSTD_LEVEL: i32 = 3;

/// The bytes a blob is stored and hashed as.
pub fn canonical_bytes(value: &serde_json::Value) -> Vec<u8> {
    // A `Value` always serialises: its keys are strings and its numbers finite.
    serde_json::to_vec(value).unwrap_or_default()
}

/// The SHA-256 (lower-case hex) of canonical bytes.
pub fn blob_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores `value` unless an identical blob exists; returns its hash.
pub(crate) async fn put(
    conn: &mut SqliteConnection,
    value: &serde_json::Value,
) -> Result<String, StoreError> {
    let bytes = canonical_bytes(value);
    let hash = blob_hash(&bytes);
    let exists = sqlx::query("SELECT 1 FROM blobs WHERE sha256 = ?")
        .bind(&hash)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if !exists {
        let compressed = compress(&bytes)
            .map_err(|e| StoreError::corrupt(format!("cannot compress a blob: {e}")))?;
        sqlx::query("INSERT INTO blobs (sha256, size, codec, data) VALUES (?, ?, 'zstd', ?)")
            .bind(&hash)
            .bind(bytes.len() as i64)
            .bind(compressed)
            .execute(&mut *conn)
            .await?;
    }
    Ok(hash)
}

/// A blob received from the server: checked against its hash, compressed as it is
/// stored and its JSON decoded, once — work a sync does off the task that writes the
/// database, and that applying the records naming the blob then reuses.
#[derive(Clone, Debug)]
pub struct ReceivedBlob {
    hash: String,
    size: i64,
    compressed: Vec<u8>,
    /// Kept when the blob is applied with the records that came with it (a snapshot);
    /// not for a page of the log, which can name a great many.
    value: Option<Arc<serde_json::Value>>,
}

impl ReceivedBlob {
    /// Checks that a frame from the server decodes to bytes that hash to its SHA-256
    /// and hold JSON; keeps it compressed as it came (a zstd frame is stored as
    /// received, never compressed again), and its decoded JSON when `keep_value`.
    pub fn check(frame: BlobFrame, keep_value: bool) -> Result<Self, StoreError> {
        let hash = frame.sha256;
        let damaged = |what: String| {
            StoreError::Invalid(format!(
                "the server sent blob {hash}, which {what}: the download was damaged, sync again"
            ))
        };
        // No more than the frame says, and no more than any blob may be.
        let size = usize::try_from(frame.size)
            .ok()
            .filter(|s| *s <= plumbline_wire::MAX_BODY_BYTES)
            .ok_or_else(|| damaged(format!("claims {} bytes", frame.size)))?;
        if frame.codec == BlobCodec::Zstd
            && frame.data.len() as u64 > plumbline_wire::max_frame_len(frame.size)
        {
            return Err(damaged(format!(
                "takes {} bytes compressed, more than {size} bytes can",
                frame.data.len()
            )));
        }
        let decoded;
        let bytes: &[u8] = match frame.codec {
            BlobCodec::None => &frame.data,
            BlobCodec::Zstd => {
                decoded = decompress(&frame.data, size)
                    .map_err(|e| damaged(format!("is not a zstd frame of {size} bytes ({e})")))?;
                &decoded
            }
        };
        if bytes.len() != size {
            return Err(damaged(format!(
                "decodes to {} bytes, not {size}",
                bytes.len()
            )));
        }
        if blob_hash(bytes) != hash {
            return Err(damaged("does not hash to it".to_owned()));
        }
        let not_json = |e: serde_json::Error| {
            StoreError::Invalid(format!(
                "the server sent blob {hash}, which is not JSON ({e}): check that it runs the \
                 same version as this app"
            ))
        };
        let value = if keep_value {
            Some(Arc::new(serde_json::from_slice(bytes).map_err(not_json)?))
        } else {
            serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(not_json)?;
            None
        };
        let compressed = match frame.codec {
            BlobCodec::Zstd => frame.data,
            BlobCodec::None => compress(bytes)
                .map_err(|e| StoreError::corrupt(format!("cannot compress a blob: {e}")))?,
        };
        Ok(Self {
            size: size as i64,
            hash,
            compressed,
            value,
        })
    }

    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub(crate) fn value(&self) -> Option<&Arc<serde_json::Value>> {
        self.value.as_ref()
    }
}

/// Stores a received blob unless present.
pub(crate) async fn put_received(
    conn: &mut SqliteConnection,
    blob: &ReceivedBlob,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO blobs (sha256, size, codec, data) VALUES (?, ?, 'zstd', ?) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&blob.hash)
    .bind(blob.size)
    .bind(&blob.compressed)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

thread_local! {
    /// One zstd decompression context per thread: creating one allocates ~100 KiB, which
    /// dominated reading many small blobs.
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

thread_local! {
    /// One zstd compression context per thread, for the same reason (storing the blobs of
    /// a first sync created one per blob).
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

fn compress(data: &[u8]) -> std::io::Result<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let compressor = match slot.as_mut() {
            Some(compressor) => compressor,
            None => slot.insert(zstd::bulk::Compressor::new(ZSTD_LEVEL)?),
        };
        compressor.compress(data)
    })
}

fn decompress(data: &[u8], capacity: usize) -> std::io::Result<Vec<u8>> {
    DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let decompressor = match slot.as_mut() {
            Some(decompressor) => decompressor,
            None => slot.insert(zstd::bulk::Decompressor::new()?),
        };
        decompressor.decompress(data, capacity)
    })
}

/// Decodes a stored blob row (`size`, `codec`, `data`) back to JSON, checking its hash.
pub(crate) fn decode(
    hash: &str,
    size: i64,
    codec: &str,
    data: &[u8],
) -> Result<serde_json::Value, StoreError> {
    let bytes = decode_bytes(hash, size, codec, data)?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::corrupt(format!("blob {hash}: {e}")))
}

/// Decodes a stored blob row to its canonical bytes (those its hash is of), checking the
/// hash.
pub(crate) fn decode_bytes(
    hash: &str,
    size: i64,
    codec: &str,
    data: &[u8],
) -> Result<Vec<u8>, StoreError> {
    let bytes = match codec {
        "zstd" => decompress(data, size.max(0) as usize)
            .map_err(|e| StoreError::corrupt(format!("blob {hash}: {e}")))?,
        "none" => data.to_vec(),
        other => {
            return Err(StoreError::corrupt(format!(
                "blob {hash}: unknown codec {other}"
            )))
        }
    };
    if blob_hash(&bytes) != hash {
        return Err(StoreError::corrupt(format!(
            "blob {hash}: content does not match its hash"
        )));
    }
    Ok(bytes)
}

/// Reads one blob.
pub(crate) async fn get(
    conn: &mut SqliteConnection,
    hash: &str,
) -> Result<serde_json::Value, StoreError> {
    Ok(get_sized(conn, hash).await?.0)
}

/// Reads one blob, with the size of its JSON text in bytes.
pub(crate) async fn get_sized(
    conn: &mut SqliteConnection,
    hash: &str,
) -> Result<(serde_json::Value, usize), StoreError> {
    let row = sqlx::query("SELECT size, codec, data FROM blobs WHERE sha256 = ?")
        .bind(hash)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "blob",
            name: hash.to_owned(),
        })?;
    let size: i64 = row.try_get(0)?;
    let value = decode(
        hash,
        size,
        &row.try_get::<String, _>(1)?,
        &row.try_get::<Vec<u8>, _>(2)?,
    )?;
    Ok((value, usize::try_from(size).unwrap_or(0)))
}
