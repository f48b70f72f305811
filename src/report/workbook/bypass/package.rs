//! The workbook's package (an XLSX is a zip of XML parts). rust_xlsxwriter writes every
//! part, but leaves the data rows out of table sheets (a `Fill` each); this module copies
//! its parts as they are and adds those rows, written and compressed in chunks on the
//! pool's threads, then streamed out in order.
//!
//! A chunk is compressed alone (raw deflate ending on a byte boundary, as `pigz` does), so
//! the chunks of a sheet are one deflate stream put end to end, and their checksums
//! combine into the part's. The chunks are a fixed number of rows: the bytes do not depend
//! on the number of threads.

use std::io::{Read, Write};
use std::ops::Range;

use flate2::{Compress, Compression, FlushCompress, Status};
use rayon::prelude::*;
use rust_xlsxwriter::XlsxError;

use super::rows::Xf;
use crate::report::workbook::grid::HEADER_ROW;
use crate::report::workbook::table::Fill;

/// Chunks compressed side by side before they are written out: enough to keep every
/// thread busy, few enough that only a few megabytes wait in memory.
const CHUNKS_PER_THREAD: usize = 4;

thread_local! {
    /// The XML of a chunk of rows, before it is compressed: each thread keeps its buffer
    /// from chunk to chunk (a few megabytes that would otherwise be allocated and grown
    /// again for every chunk).
    static ROWS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Writes the workbook: the parts of `skeleton` (the zip rust_xlsxwriter made) in its
/// order, each table sheet of `fills` with its data rows.
pub(in crate::report::workbook) fn write(
    skeleton: &[u8],
    fills: &[Fill],
    xf: &Xf,
    level: u32,
    out: &mut dyn Write,
) -> Result<(), XlsxError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(skeleton))?;
    let mut zip = ZipOut::new(out);
    for index in 0..archive.len() {
        let name = archive
            .name_for_index(index)
            .transpose()?
            .unwrap_or_default()
            .to_string();
        let fill = fills
            .iter()
            .find(|f| name == format!("xl/worksheets/sheet{}.xml", f.number));
        match fill {
            Some(fill) => {
                let mut xml = String::new();
                archive.by_index(index)?.read_to_string(&mut xml)?;
                zip.start(&name, METHOD_DEFLATE)?;
                let (crc, size) = fill_sheet(&mut zip, &xml, fill, xf, level)?;
                zip.end(crc, size)?;
            }
            None => {
                let mut part = archive.by_index_raw(index)?;
                let method = match part.compression() {
                    zip::CompressionMethod::Stored => METHOD_STORED,
                    _ => METHOD_DEFLATE,
                };
                let (crc, size) = (part.crc32(), part.size());
                let mut raw = Vec::with_capacity(part.compressed_size() as usize);
                part.read_to_end(&mut raw)?;
                zip.start(&name, method)?;
                zip.data(&raw)?;
                zip.end(crc, size)?;
            }
        }
    }
    zip.finish()
}

/// Writes a table sheet's part: rust_xlsxwriter's sheet, its data rows after the header
/// row, its links before the print options. Returns the part's checksum and size.
fn fill_sheet(
    zip: &mut ZipOut,
    xml: &str,
    fill: &Fill,
    xf: &Xf,
    level: u32,
) -> Result<(u32, u64), XlsxError> {
    let (head, tail) = split_sheet(xml, fill.dimension.as_deref())?;
    let mut crc = crc32fast::Hasher::new();
    let mut add = |zip: &mut ZipOut, chunk: Deflated| -> Result<(), XlsxError> {
        zip.data(&chunk.bytes)?;
        crc.combine(&chunk.crc);
        Ok(())
    };
    add(zip, deflate(head.as_bytes(), level, false))?;
    let mut hyperlinks = Vec::new();
    let chunks = fill.chunks();
    let window = rayon::current_num_threads().max(1) * CHUNKS_PER_THREAD;
    for start in (0..chunks).step_by(window) {
        let batch: Vec<(Deflated, Vec<u8>)> = (start..(start + window).min(chunks))
            .into_par_iter()
            .map(|chunk| {
                // Nothing in here waits on the pool: a thread never takes up another chunk
                // while its buffer is borrowed.
                ROWS.with_borrow_mut(|rows| {
                    rows.clear();
                    let mut links = Vec::new();
                    fill.write_chunk(chunk, xf, rows, &mut links);
                    (deflate(rows, level, false), links)
                })
            })
            .collect();
        for (chunk, links) in batch {
            add(zip, chunk)?;
            hyperlinks.extend(links);
        }
    }
    let mut end = Vec::with_capacity(tail.len() + hyperlinks.len() + 32);
    let (before, after) = tail.split_at(links_at(tail));
    end.extend_from_slice(before.as_bytes());
    if !hyperlinks.is_empty() {
        end.extend_from_slice(b"<hyperlinks>");
        end.extend_from_slice(&hyperlinks);
        end.extend_from_slice(b"</hyperlinks>");
    }
    end.extend_from_slice(after.as_bytes());
    add(zip, deflate(&end, level, true))?;
    let size = crc.total_len();
    Ok((crc.finalize(), size))
}

/// Splits a sheet rust_xlsxwriter wrote (caption and header rows, maybe a total row, no
/// data rows) where the data rows go: after the header row. `dimension`, when given,
/// replaces the used range it gives (the data rows extend it).
fn split_sheet<'x>(xml: &'x str, dimension: Option<&str>) -> Result<(String, &'x str), XlsxError> {
    let unexpected = || XlsxError::ParameterError("feuille de tableau inattendue".into());
    let data = xml.find("<sheetData>").ok_or_else(unexpected)?;
    // The header's row, 1-based, as rust_xlsxwriter numbers it.
    let header = format!("<row r=\"{}\"", HEADER_ROW + 1);
    let header_at = xml[data..].find(&header).ok_or_else(unexpected)? + data;
    let header_end =
        xml[header_at..].find("</row>").ok_or_else(unexpected)? + header_at + "</row>".len();
    if xml.contains("<hyperlinks>") {
        // The caption, header and total rows have no links: the sheet's links are all added here.
        return Err(unexpected());
    }
    let mut head = xml[..header_end].to_string();
    if let Some(dimension) = dimension {
        let range = |s: &str| -> Option<Range<usize>> {
            let start = s.find("<dimension ref=\"")? + "<dimension ref=\"".len();
            let len = s[start..].find('"')?;
            Some(start..start + len)
        };
        let range = range(&head).ok_or_else(unexpected)?;
        head.replace_range(range, dimension);
    }
    Ok((head, &xml[header_end..]))
}

/// Where the `<hyperlinks>` element goes in what follows the rows: before the print
/// options, or before the page margins (always written), as rust_xlsxwriter places it.
fn links_at(tail: &str) -> usize {
    tail.find("<printOptions")
        .or_else(|| tail.find("<pageMargins"))
        .unwrap_or(tail.len())
}

/// A piece of a part, compressed, with the checksum and size of what it holds.
struct Deflated {
    bytes: Vec<u8>,
    crc: crc32fast::Hasher,
}

/// Compresses `data` as raw deflate. Every piece but the last ends on a byte boundary
/// without closing the stream, so that the next can follow it.
fn deflate(data: &[u8], level: u32, last: bool) -> Deflated {
    let mut crc = crc32fast::Hasher::new();
    crc.update(data);
    let mut bytes = Vec::with_capacity(data.len() / 6 + 64);
    if data.is_empty() && !last {
        return Deflated { bytes, crc };
    }
    let mut compress = Compress::new(Compression::new(level), false);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    loop {
        let read = compress.total_in() as usize;
        let status = compress
            .compress_vec(&data[read..], &mut bytes, flush)
            .expect("deflate takes any input");
        let done = match status {
            Status::StreamEnd => true,
            // A flush is complete once it leaves room in the output.
            _ => {
                !last
                    && compress.total_in() as usize == data.len()
                    && bytes.len() < bytes.capacity()
            }
        };
        if done {
            return Deflated { bytes, crc };
        }
        bytes.reserve(bytes.capacity().max(64 * 1024));
    }
}

const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;

/// One part of the zip, as the central directory lists it.
struct Entry {
    name: String,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    offset: u64,
}

/// A zip written as a stream: each part's checksum and sizes follow its data (a data
/// descriptor), as in the files rust_xlsxwriter writes. No ZIP64: as with
/// rust_xlsxwriter's default, a part past 4 GiB is an error.
struct ZipOut<'w> {
    out: &'w mut dyn Write,
    written: u64,
    entries: Vec<Entry>,
}

/// Unix, zip 2.0: what rust_xlsxwriter writes.
const VERSION_MADE_BY: u16 = 0x0314;
const VERSION_NEEDED: u16 = 20;
/// Bit 3: sizes and checksum in the data descriptor.
const FLAGS: u16 = 0x0008;
/// 1980-01-01 00:00 (DOS date and time): the files carry no clock time.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = 0x21;
/// A regular file, read-write for its owner.
const EXTERNAL_ATTRIBUTES: u32 = 0o100600 << 16;

impl<'w> ZipOut<'w> {
    fn new(out: &'w mut dyn Write) -> Self {
        ZipOut {
            out,
            written: 0,
            entries: Vec::new(),
        }
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), XlsxError> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn start(&mut self, name: &str, method: u16) -> Result<(), XlsxError> {
        let offset = self.written;
        let mut header = Vec::with_capacity(30 + name.len());
        header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        header.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
        header.extend_from_slice(&FLAGS.to_le_bytes());
        header.extend_from_slice(&method.to_le_bytes());
        header.extend_from_slice(&DOS_TIME.to_le_bytes());
        header.extend_from_slice(&DOS_DATE.to_le_bytes());
        header.extend_from_slice(&[0; 12]); // checksum and sizes: in the descriptor
        header.extend_from_slice(&u16_of(name.len())?.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(name.as_bytes());
        self.put(&header)?;
        self.entries.push(Entry {
            name: name.to_string(),
            method,
            crc: 0,
            compressed: 0,
            size: 0,
            offset,
        });
        Ok(())
    }

    fn data(&mut self, bytes: &[u8]) -> Result<(), XlsxError> {
        self.put(bytes)?;
        if let Some(entry) = self.entries.last_mut() {
            entry.compressed += bytes.len() as u64;
        }
        Ok(())
    }

    fn end(&mut self, crc: u32, size: u64) -> Result<(), XlsxError> {
        let entry = self.entries.last_mut().expect("a part was started");
        entry.crc = crc;
        entry.size = size;
        let (compressed, size) = (u32_of(entry.compressed)?, u32_of(size)?);
        let mut descriptor = Vec::with_capacity(16);
        descriptor.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        descriptor.extend_from_slice(&crc.to_le_bytes());
        descriptor.extend_from_slice(&compressed.to_le_bytes());
        descriptor.extend_from_slice(&size.to_le_bytes());
        self.put(&descriptor)
    }

    fn finish(mut self) -> Result<(), XlsxError> {
        let start = self.written;
        let mut directory = Vec::new();
        for e in &self.entries {
            directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            directory.extend_from_slice(&VERSION_MADE_BY.to_le_bytes());
            directory.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
            directory.extend_from_slice(&FLAGS.to_le_bytes());
            directory.extend_from_slice(&e.method.to_le_bytes());
            directory.extend_from_slice(&DOS_TIME.to_le_bytes());
            directory.extend_from_slice(&DOS_DATE.to_le_bytes());
            directory.extend_from_slice(&e.crc.to_le_bytes());
            directory.extend_from_slice(&u32_of(e.compressed)?.to_le_bytes());
            directory.extend_from_slice(&u32_of(e.size)?.to_le_bytes());
            directory.extend_from_slice(&u16_of(e.name.len())?.to_le_bytes());
            directory.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
            directory.extend_from_slice(&EXTERNAL_ATTRIBUTES.to_le_bytes());
            directory.extend_from_slice(&u32_of(e.offset)?.to_le_bytes());
            directory.extend_from_slice(e.name.as_bytes());
        }
        let count = u16_of(self.entries.len())?;
        let mut end = Vec::with_capacity(22);
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        end.extend_from_slice(&[0; 4]); // this disk, the directory's disk
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&u32_of(directory.len() as u64)?.to_le_bytes());
        end.extend_from_slice(&u32_of(start)?.to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.put(&directory)?;
        self.put(&end)?;
        self.out.flush()?;
        Ok(())
    }
}

fn too_large() -> XlsxError {
    XlsxError::IoError(std::io::Error::other(
        "classeur trop volumineux pour un fichier zip sans ZIP64 (plus de 4 Gio)",
    ))
}

fn u32_of(n: u64) -> Result<u32, XlsxError> {
    u32::try_from(n).map_err(|_| too_large())
}

fn u16_of(n: usize) -> Result<u16, XlsxError> {
    u16::try_from(n).map_err(|_| too_large())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::{deflate, split_sheet};

    #[test]
    fn pieces_compressed_apart_read_as_one_stream_with_one_checksum() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("<c r=\"A{i}\"><v>{}</v></c>", i * 7 % 1000).into_bytes())
            .collect();
        let pieces = [
            &text[..10],
            &text[10..10],
            &text[10..100_000],
            &text[100_000..],
        ];
        let mut stream = Vec::new();
        let mut crc = crc32fast::Hasher::new();
        for (i, piece) in pieces.iter().enumerate() {
            let d = deflate(piece, 2, i + 1 == pieces.len());
            stream.extend_from_slice(&d.bytes);
            crc.combine(&d.crc);
        }
        let mut back = Vec::new();
        flate2::read::DeflateDecoder::new(stream.as_slice())
            .read_to_end(&mut back)
            .unwrap();
        assert!(back == text, "the stream reads back whole");
        assert_eq!(crc.total_len(), text.len() as u64);
        assert_eq!(crc.finalize(), crc32fast::hash(&text));
    }

    #[test]
    fn rows_go_after_the_header_and_the_range_is_replaced() {
        let xml = r#"<worksheet><dimension ref="A1:C2"/><sheetData><row r="1"><c/></row><row r="2"><c/></row><row r="9"><c/></row></sheetData><autoFilter ref="A2:C9"/><printOptions gridLines="1"/><pageMargins/></worksheet>"#;
        let (head, tail) = split_sheet(xml, Some("A1:C9")).unwrap();
        assert_eq!(
            head,
            r#"<worksheet><dimension ref="A1:C9"/><sheetData><row r="1"><c/></row><row r="2"><c/></row>"#,
            "after the caption and the header"
        );
        assert!(tail.starts_with(r#"<row r="9">"#));
        assert!(tail[super::links_at(tail)..].starts_with("<printOptions"));
        let no_header = r#"<worksheet><sheetData><row r="1"><c/></row></sheetData></worksheet>"#;
        assert!(split_sheet(no_header, None).is_err());
        assert!(split_sheet("<worksheet/>", None).is_err());
    }
}
