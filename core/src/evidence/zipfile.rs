//! Deterministic ZIP files: entries in the order given (callers sort them), deflate at a
//! fixed level, the DOS epoch (1980-01-01) as every timestamp, fixed permissions, no extra
//! fields. The same entries always give the same bytes, on any number of cores.
//!
//! Deflate is most of a pack's build time, so the entries are compressed in contiguous
//! runs on all cores, each run into its own archive, and the runs are then merged raw
//! (without recompressing) in order. Each entry's compressed bytes and headers depend
//! only on the entry, so the result is the archive a single writer would have made.

use std::io::{Cursor, Read, Write};

use super::EvidenceError;

fn zip_error(e: zip::result::ZipError) -> EvidenceError {
    EvidenceError::Zip(e.to_string())
}

/// Writes `entries` (path, bytes) in order.
pub fn write(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, EvidenceError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    write_in_runs(entries, cores.min(8))
}

/// [`write`] with the entries compressed in `runs` parallel runs.
fn write_in_runs(entries: &[(String, Vec<u8>)], runs: usize) -> Result<Vec<u8>, EvidenceError> {
    if runs <= 1 || entries.len() < 2 {
        return write_run(entries);
    }
    // Contiguous runs of about equal size, so every core has as much to compress.
    let total: usize = entries.iter().map(|(_, bytes)| bytes.len()).sum();
    let share = total.div_ceil(runs).max(1);
    let mut bounds = vec![0];
    let mut filled = 0;
    for (i, (_, bytes)) in entries.iter().enumerate() {
        filled += bytes.len();
        if filled >= share * bounds.len() && i + 1 < entries.len() {
            bounds.push(i + 1);
        }
    }
    bounds.push(entries.len());
    bounds.dedup();
    let parts: Vec<Result<Vec<u8>, EvidenceError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|w| {
                let run = &entries[w[0]..w[1]];
                scope.spawn(move || write_run(run))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(EvidenceError::Zip("a compression thread failed".into()))
                })
            })
            .collect()
    });
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for part in parts {
        let archive = zip::ZipArchive::new(Cursor::new(part?)).map_err(zip_error)?;
        writer.merge_archive(archive).map_err(zip_error)?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

/// One writer over `entries`, in order.
fn write_run(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, EvidenceError> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        // Level 1: on `bench pack` a 6% larger pack (10.5 against 9.9 MiB) for 2.6x
        // faster compression (0.42 against 1.07 s on a 2-core machine).
        .compression_level(Some(1))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (path, bytes) in entries {
        writer
            .start_file(path.as_str(), options)
            .map_err(zip_error)?;
        writer.write_all(bytes)?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

/// Reads every entry of a ZIP file: (path, bytes) in the file's order. Directories are
/// skipped; a damaged entry (bad CRC, bad compressed data) is an error naming it.
pub fn read(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a readable ZIP file: {e}"))?;
    let mut entries = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut file = archive
            .by_index(index)
            .map_err(|e| format!("entry {index} of the ZIP file is damaged: {e}"))?;
        if file.is_dir() {
            continue;
        }
        let name = file
            .name()
            .map_err(|e| format!("entry {index} of the ZIP file has a bad name: {e}"))?
            .into_owned();
        let mut content =
            Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0).min(1 << 28));
        file.read_to_end(&mut content)
            .map_err(|e| format!("{name}: the entry is damaged: {e}"))?;
        entries.push((name, content));
    }
    Ok(entries)
}

/// Where `bytes` first differs from the archive [`write`] makes of `entries` (the
/// entries [`read`] found, in the file's order), or `None` when they are the same bytes.
///
/// A pack is made by [`write`], so any other byte anywhere in the file (a header field
/// no reader looks at, padding bits after a compressed stream, data after the archive)
/// is a change after it was made, even when every entry still reads the same. Entries
/// written in another order are still [`write`]'s output, so reordering is no change.
pub fn first_difference(
    bytes: &[u8],
    entries: &[(String, Vec<u8>)],
) -> Result<Option<String>, EvidenceError> {
    let canonical = write(entries)?;
    let at = bytes
        .iter()
        .zip(&canonical)
        .position(|(a, b)| a != b)
        .or_else(|| (bytes.len() != canonical.len()).then(|| bytes.len().min(canonical.len())));
    Ok(at.map(|at| format!("byte {at}, {}", region(&canonical, at as u64))))
}

/// Names the part of the archive `canonical` that holds byte `at`.
fn region(canonical: &[u8], at: u64) -> String {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(canonical)) else {
        return "in the archive".to_owned();
    };
    let mut central: Vec<(u64, String)> = Vec::new();
    for index in 0..archive.len() {
        let Ok(file) = archive.by_index_raw(index) else {
            continue;
        };
        let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
        let data = file.data_start().unwrap_or(file.header_start());
        if (file.header_start()..data).contains(&at) {
            return format!("in the local header of {name}");
        }
        if (data..data + file.compressed_size()).contains(&at) {
            return format!("in the compressed data of {name}");
        }
        central.push((file.central_header_start(), name));
    }
    central.sort();
    match central.iter().rev().find(|(start, _)| *start <= at) {
        Some((_, name)) if at < canonical.len() as u64 - 22 => {
            format!("in the central directory entry of {name}")
        }
        _ if at >= canonical.len() as u64 => "after the end of the archive".to_owned(),
        _ => "in the end-of-central-directory record".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes must not depend on how many cores compressed them.
    #[test]
    fn any_number_of_runs_gives_the_same_archive() {
        let entries: Vec<(String, Vec<u8>)> = (0..40)
            .map(|i| {
                let text = format!("entry {i} ").repeat(50 + i * 37);
                (format!("dir/{i:03}.txt"), text.into_bytes())
            })
            .chain([("empty.txt".to_owned(), Vec::new())])
            .collect();
        let single = write_in_runs(&entries, 1).expect("one run");
        for runs in [2, 3, 7, 64] {
            let parallel = write_in_runs(&entries, runs).expect("runs");
            assert!(parallel == single, "{runs} runs gave other bytes");
        }
        let back = read(&single).expect("read");
        assert_eq!(back, entries);
    }

    /// `pack verify` compares a pack with the archive this writer makes of its entries,
    /// so the writer's bytes (headers and deflate output) must never change for the
    /// same entries: packs made by an older Plumbline would then fail verification. A
    /// dependency update that changes them fails here first.
    #[test]
    fn the_archive_bytes_are_pinned() {
        let entries: Vec<(String, Vec<u8>)> = (0..3)
            .map(|i| {
                let text = format!(
                    "{{\"setting\": {i}, \"value\": \"{}\"}}\n",
                    "ab".repeat(i * 300)
                );
                (format!("captures/{i}.json"), text.into_bytes())
            })
            .collect();
        let bytes = write(&entries).expect("write");
        assert_eq!(
            crate::store::blob_hash(&bytes),
            "c83a1652ac74c218aab1ea19d958a983c1d89e03c0063d0e8938d92feaf07c33",
            "the ZIP writer's output changed: older packs would no longer verify"
        );
    }

    /// A byte no reader looks at still differs from what `write` makes, and the place is
    /// named.
    #[test]
    fn first_difference_names_where_the_file_was_changed() {
        let entries: Vec<(String, Vec<u8>)> = ["a.txt", "b.txt"]
            .iter()
            .map(|name| ((*name).to_owned(), name.repeat(200).into_bytes()))
            .collect();
        let bytes = write(&entries).expect("write");
        assert_eq!(first_difference(&bytes, &entries).expect("compare"), None);
        let at = |offset: usize| {
            let mut changed = bytes.clone();
            changed[offset] ^= 0x01;
            first_difference(&changed, &entries).expect("compare")
        };
        // "Version needed to extract" of the first local header: no reader minds it.
        let mut changed = bytes.clone();
        changed[4] ^= 0x01;
        assert_eq!(read(&changed).expect("still reads"), entries);
        assert_eq!(at(4), Some("byte 4, in the local header of a.txt".into()));
        let last = bytes.len() - 1;
        assert_eq!(
            at(last - 10),
            Some(format!(
                "byte {}, in the end-of-central-directory record",
                last - 10
            ))
        );
        let mut longer = bytes.clone();
        longer.extend_from_slice(b"x");
        assert_eq!(
            first_difference(&longer, &entries).expect("compare"),
            Some(format!(
                "byte {}, after the end of the archive",
                bytes.len()
            ))
        );
    }
}
