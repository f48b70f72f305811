//! The extent of each sheet of an XLS file, read from its bytes before calamine parses it:
//! calamine allocates each sheet as a dense grid spanning its cells' positions, so one
//! damaged cell record at row 65,535 and column 4,500 costs it 9 Gio, and the process
//! aborts. A small reader of the compound file (the sectors and their chains) finds the
//! workbook stream; its cell records give each sheet's bounds.

const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const MAX_REGULAR_ID: u32 = 0xFFFF_FFFA;

/// The largest grid (rows × columns) of the sheets of an XLS file, or why it cannot be
/// read (a French message).
pub fn largest_grid(bytes: &[u8]) -> Result<u64, String> {
    let stream = workbook_stream(bytes).ok_or_else(|| {
        "classeur XLS illisible : sa structure (fichier composé OLE) est abîmée ou tronquée ; ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau".to_string()
    })?;
    Ok(biff_largest_grid(&stream))
}

fn u16_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 2)
        .map(|s| u32::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The compound file's sectors, read leniently (a sector cut by the end of the file is
/// what remains of it, as calamine reads it).
struct Compound<'a> {
    bytes: &'a [u8],
    size: usize,
    fat: Vec<u32>,
}

impl Compound<'_> {
    fn sector(&self, id: u32) -> &[u8] {
        let start = (id as usize + 1).saturating_mul(self.size);
        let end = start.saturating_add(self.size).min(self.bytes.len());
        self.bytes.get(start..end).unwrap_or(&[])
    }

    /// The bytes of the chain starting at `start`, at most `limit` of them; a loop or a
    /// link out of the table ends it.
    fn chain(
        &self,
        mut id: u32,
        table: &[u32],
        read: impl Fn(u32) -> Vec<u8>,
        limit: usize,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut steps = 0;
        while id < MAX_REGULAR_ID && out.len() < limit && steps <= table.len() {
            out.extend(read(id));
            id = table.get(id as usize).copied().unwrap_or(END_OF_CHAIN);
            steps += 1;
        }
        out.truncate(limit);
        out
    }
}

/// Whether the chain from `start` in `table` loops: calamine follows a chain until its
/// end or its declared length (up to 2^64 bytes), so a loop is memory without bound.
fn loops(start: u32, table: &[u32]) -> bool {
    let mut id = start;
    let mut steps = 0;
    while (id as usize) < table.len() && id < MAX_REGULAR_ID {
        steps += 1;
        if steps > table.len() {
            return true;
        }
        id = table[id as usize];
    }
    false
}

/// The `Workbook` (BIFF8) or `Book` (BIFF5) stream; `None` when the compound file cannot
/// be read, or when a chain calamine would follow loops.
fn workbook_stream(bytes: &[u8]) -> Option<Vec<u8>> {
    let header = bytes.get(..512)?;
    let shift = u16_at(header, 0x1E)?;
    if shift != 9 && shift != 12 {
        return None;
    }
    let mut cf = Compound {
        bytes,
        size: 1usize << shift,
        fat: Vec::new(),
    };
    cf.fat = cf.fat_table(header)?;
    let fat = &cf.fat;
    let regular = |id: u32| cf.sector(id).to_vec();
    let dirs = cf.chain(u32_at(header, 0x30)?, fat, regular, bytes.len());
    let root = dirs.get(..128)?;
    let cutoff = u32_at(header, 0x38).unwrap_or(4096) as usize;
    let minifat_start = u32_at(header, 0x3C)?;
    let minifat_bytes = cf.chain(minifat_start, fat, regular, bytes.len());
    let minifat: Vec<u32> = (0..minifat_bytes.len() / 4)
        .filter_map(|k| u32_at(&minifat_bytes, 4 * k))
        .collect();
    let regular_chains = [u32_at(header, 0x30)?, u32_at(root, 0x74)?, minifat_start];
    if regular_chains.iter().any(|s| loops(*s, fat)) || streams_loop(&dirs, fat, &minifat, cutoff)?
    {
        return None;
    }
    let e = workbook_entry(&dirs)?;
    let start = u32_at(e, 0x74)?;
    let len = (u32_at(e, 0x78)? as usize).min(bytes.len());
    if len >= cutoff {
        return Some(cf.chain(start, fat, regular, len));
    }
    // A small stream lives in the mini stream, in 64-byte sectors.
    let mini = cf.chain(u32_at(root, 0x74)?, fat, regular, bytes.len());
    let read_mini = |id: u32| {
        let s = (id as usize).saturating_mul(64);
        mini.get(s..s.saturating_add(64).min(mini.len()))
            .unwrap_or(&[])
            .to_vec()
    };
    Some(cf.chain(start, &minifat, read_mini, len))
}

impl Compound<'_> {
    /// The file allocation table: the entries of the FAT's sectors, listed by the 109 ids
    /// in the header then by the DIFAT chain (bounded by the file's number of sectors).
    fn fat_table(&self, header: &[u8]) -> Option<Vec<u32>> {
        let sectors = self.bytes.len() / self.size + 1;
        let mut difat: Vec<u32> = (0..109)
            .filter_map(|i| u32_at(header, 0x4C + 4 * i))
            .collect();
        let mut next = u32_at(header, 0x44)?;
        let mut hops = 0;
        while next < MAX_REGULAR_ID && hops <= sectors {
            let s = self.sector(next);
            let entries = self.size / 4 - 1;
            difat.extend((0..entries).filter_map(|i| u32_at(s, 4 * i)));
            next = u32_at(s, 4 * entries).unwrap_or(END_OF_CHAIN);
            hops += 1;
        }
        let mut fat = Vec::new();
        for id in difat
            .into_iter()
            .filter(|id| *id < MAX_REGULAR_ID)
            .take(sectors)
        {
            let s = self.sector(id);
            fat.extend((0..s.len() / 4).filter_map(|i| u32_at(s, 4 * i)));
        }
        Some(fat)
    }
}

/// Whether the chain of a directory entry past the root loops, in the FAT for a stream of
/// `cutoff` bytes or more, else in the mini FAT.
fn streams_loop(dirs: &[u8], fat: &[u32], minifat: &[u32], cutoff: usize) -> Option<bool> {
    for e in dirs.chunks_exact(128).skip(1) {
        let (start, len) = (u32_at(e, 0x74)?, u32_at(e, 0x78)? as usize);
        let table = if len >= cutoff { fat } else { minifat };
        if loops(start, table) {
            return Some(true);
        }
    }
    Some(false)
}

/// The first directory entry named `Workbook` or `Book` (any case).
fn workbook_entry(dirs: &[u8]) -> Option<&[u8]> {
    dirs.chunks_exact(128).find(|e| {
        let name = entry_name(e);
        name.eq_ignore_ascii_case("Workbook") || name.eq_ignore_ascii_case("Book")
    })
}

/// A directory entry's name (UTF-16, at most 64 bytes, NUL-padded).
fn entry_name(e: &[u8]) -> String {
    let name_len = (u16_at(e, 0x40).unwrap_or(0) as usize).min(64);
    char::decode_utf16((0..name_len / 2).filter_map(|k| u16_at(e, 2 * k).map(|c| c as u16)))
        .map(|c| c.unwrap_or('?'))
        .collect::<String>()
        .trim_end_matches('\0')
        .to_string()
}

/// Cell records and where their (row, column) is: every one of them starts with both.
const CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];
const MUL_RK: u16 = 0x00BD;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;

/// The largest rows × columns span of the cells of one substream (sheet).
fn biff_largest_grid(stream: &[u8]) -> u64 {
    let mut largest = 0u64;
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    let mut close = |bounds: &mut Option<(u32, u32, u32, u32)>| {
        if let Some((r0, r1, c0, c1)) = bounds.take() {
            largest = largest.max(u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1));
        }
    };
    let mut pos = 0;
    while let (Some(typ), Some(len)) = (u16_at(stream, pos), u16_at(stream, pos + 2)) {
        let data = stream
            .get(pos + 4..(pos + 4 + len as usize).min(stream.len()))
            .unwrap_or(&[]);
        pos += 4 + len as usize;
        let typ = typ as u16;
        let mut cell = |row: u32, col: u32| {
            let b = bounds.get_or_insert((row, row, col, col));
            *b = (b.0.min(row), b.1.max(row), b.2.min(col), b.3.max(col));
        };
        match typ {
            BOF | EOF => close(&mut bounds),
            t if CELL_RECORDS.contains(&t) => {
                if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                    cell(r, c);
                }
            }
            MUL_RK => {
                if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                    let count = (data.len().saturating_sub(6) / 6) as u32;
                    cell(r, c);
                    cell(r, c + count.saturating_sub(1));
                }
            }
            _ => {}
        }
    }
    close(&mut bounds);
    largest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixtures_grid_is_its_used_range() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/conforme-xls-ods/ej_2020.xls"
        );
        let bytes = std::fs::read(path).unwrap();
        let grid = largest_grid(&bytes).unwrap();
        assert!(grid > 10 && grid < 1000, "{grid}");
    }

    #[test]
    fn a_looping_chain_is_refused() {
        assert!(loops(0, &[1, 0]));
        assert!(!loops(0, &[1, END_OF_CHAIN]));
        assert!(!loops(5, &[1, 0]));
    }

    #[test]
    fn a_far_cell_record_widens_the_grid() {
        let record = |typ: u16, data: &[u8]| {
            [
                &typ.to_le_bytes()[..],
                &(data.len() as u16).to_le_bytes(),
                data,
            ]
            .concat()
        };
        let number = |r: u16, c: u16| {
            record(
                0x0203,
                &[&r.to_le_bytes()[..], &c.to_le_bytes(), &[0; 10]].concat(),
            )
        };
        let stream = [
            record(BOF, &[0; 16]),
            number(0, 0),
            number(65_535, 4_500),
            record(EOF, &[]),
        ]
        .concat();
        assert_eq!(biff_largest_grid(&stream), 65_536 * 4_501);
    }
}
