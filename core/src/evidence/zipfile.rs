//! Deterministic ZIP files: entries in the order given (callers sort them), deflate at a
//! fixed level, the DOS epoch (1980-01-01) as every timestamp, fixed permissions, no extra
//! fields. The same entries always give the same bytes.

use std::io::{Cursor, Read, Write};

use super::EvidenceError;

fn zip_error(e: zip::result::ZipError) -> EvidenceError {
    EvidenceError::Zip(e.to_string())
}

/// Writes `entries` (path, bytes) in order.
pub fn write(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, EvidenceError> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6))
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
