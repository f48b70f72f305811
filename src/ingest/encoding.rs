//! Text encodings of CSV extracts: UTF-8 (Chorus, AIFE), UTF-8 with a BOM and
//! Windows-1252 (files re-saved by Excel on a French desktop). Detected on the whole file
//! (not on its first bytes: a first accent may come late), then reported.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Encoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    /// Decodes one field. Only UTF-8 can fail (invalid bytes in a UTF-8 file).
    pub fn decode<'a>(self, bytes: &'a [u8]) -> Result<std::borrow::Cow<'a, str>, usize> {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => std::str::from_utf8(bytes)
                .map(std::borrow::Cow::Borrowed)
                .map_err(|e| e.valid_up_to()),
            Encoding::Windows1252 => Ok(encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0),
        }
    }
}

/// What the first bytes of a file say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Text(Encoding),
    /// Invalid UTF-8 among valid multi-byte UTF-8: a damaged UTF-8 file, not Windows-1252.
    BrokenUtf8,
    Utf16,
}

pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decides the encoding from a sample of the file's first bytes.
pub fn sniff(sample: &[u8]) -> Sniffed {
    if sample.starts_with(UTF8_BOM) {
        return Sniffed::Text(Encoding::Utf8Bom);
    }
    if sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF") {
        return Sniffed::Utf16;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => Sniffed::Text(Encoding::Utf8),
        // The sample may end inside a multi-byte character.
        Err(e) if e.error_len().is_none() => Sniffed::Text(Encoding::Utf8),
        Err(e) => {
            let valid = &sample[..e.valid_up_to()];
            if valid.iter().any(|b| *b >= 0x80) {
                Sniffed::BrokenUtf8
            } else {
                Sniffed::Text(Encoding::Windows1252)
            }
        }
    }
}

/// Decides the encoding from the whole file, read once as a stream: UTF-8 when every
/// byte is valid UTF-8; Windows-1252 when no valid multi-byte UTF-8 sequence appears
/// anywhere; a file holding both is damaged UTF-8 (read as UTF-8, so that the first row
/// and column at fault are named rather than the UTF-8 text read as mojibake).
pub fn decide(mut reader: impl std::io::Read) -> std::io::Result<Sniffed> {
    let mut buf = vec![0u8; 1 << 16];
    let mut first = true;
    // An incomplete sequence at the end of a read, completed by the next.
    let mut carry: Vec<u8> = Vec::with_capacity(4);
    let mut scan = Utf8Scan::default();
    loop {
        let n = match reader.read(&mut buf[carry.len()..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let len = carry.len() + n;
        buf[..carry.len()].copy_from_slice(&carry);
        carry.clear();
        if first && len > 0 {
            first = false;
            match sniff(&buf[..len.min(4)]) {
                Sniffed::Utf16 => return Ok(Sniffed::Utf16),
                Sniffed::Text(Encoding::Utf8Bom) => {
                    // A BOM says UTF-8: damaged rows are named as they are read.
                    return Ok(Sniffed::Text(Encoding::Utf8Bom));
                }
                _ => {}
            }
        }
        let eof = n == 0;
        scan.read(&buf[..len], eof, &mut carry);
        if (scan.multibyte && scan.invalid) || eof {
            break;
        }
    }
    Ok(match (scan.invalid, scan.multibyte) {
        (false, _) => Sniffed::Text(Encoding::Utf8),
        (true, false) => Sniffed::Text(Encoding::Windows1252),
        (true, true) => Sniffed::BrokenUtf8,
    })
}

/// What a file's bytes held so far, read as UTF-8.
#[derive(Default)]
struct Utf8Scan {
    /// A valid multi-byte UTF-8 sequence was seen.
    multibyte: bool,
    /// A byte was not valid UTF-8.
    invalid: bool,
}

impl Utf8Scan {
    /// Reads one chunk; an incomplete sequence at its end goes to `carry` (completed by the
    /// next chunk), or is invalid at the end of the file (`eof`).
    fn read(&mut self, mut data: &[u8], eof: bool, carry: &mut Vec<u8>) {
        while !data.is_empty() {
            match std::str::from_utf8(data) {
                Ok(text) => {
                    self.multibyte |= !text.is_ascii();
                    break;
                }
                Err(e) => {
                    self.multibyte |= !data[..e.valid_up_to()].is_ascii();
                    match e.error_len() {
                        Some(bad) => {
                            self.invalid = true;
                            data = &data[e.valid_up_to() + bad..];
                        }
                        None if eof => {
                            self.invalid = true;
                            break;
                        }
                        None => {
                            carry.extend_from_slice(&data[e.valid_up_to()..]);
                            break;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_encoding() {
        let cases: [(&[u8], Sniffed); 6] = [
            (b"Programme;Montant\n", Sniffed::Text(Encoding::Utf8)),
            (
                "Centre de coûts;€\n".as_bytes(),
                Sniffed::Text(Encoding::Utf8),
            ),
            (b"\xEF\xBB\xBFProgramme\n", Sniffed::Text(Encoding::Utf8Bom)),
            (
                b"Centre de co\xFBts;\x80\n",
                Sniffed::Text(Encoding::Windows1252),
            ),
            (b"Co\xC3\xBBts;co\xFBts\n", Sniffed::BrokenUtf8),
            (b"\xFF\xFEP\x00", Sniffed::Utf16),
        ];
        for (bytes, expected) in cases {
            assert_eq!(sniff(bytes), expected, "{bytes:?}");
        }
        // A sample cut in the middle of « é » is still UTF-8.
        assert_eq!(sniff(b"caf\xC3"), Sniffed::Text(Encoding::Utf8));
    }

    #[test]
    fn the_whole_file_decides() {
        let ascii = "Programme;Montant\n".repeat(10_000);
        let late_1252 = [ascii.as_bytes(), b"co\xFBts\n"].concat();
        assert_eq!(
            decide(late_1252.as_slice()).unwrap(),
            Sniffed::Text(Encoding::Windows1252)
        );
        let late_utf8 = [ascii.as_bytes(), "coûts\n".as_bytes()].concat();
        assert_eq!(
            decide(late_utf8.as_slice()).unwrap(),
            Sniffed::Text(Encoding::Utf8)
        );
        // Windows-1252 first, UTF-8 far later: never read as mojibake.
        let mixed = [b"co\xFBts\n", ascii.as_bytes(), "coûts\n".as_bytes()].concat();
        assert_eq!(decide(mixed.as_slice()).unwrap(), Sniffed::BrokenUtf8);
        // A character cut between two reads is whole.
        let cut = [vec![b'a'; (1 << 16) - 1], "é".as_bytes().to_vec()].concat();
        assert_eq!(
            decide(cut.as_slice()).unwrap(),
            Sniffed::Text(Encoding::Utf8)
        );
    }

    #[test]
    fn windows_1252_decodes_euro_and_accents() {
        let text = Encoding::Windows1252.decode(b"co\xFBts \x80").unwrap();
        assert_eq!(text, "coûts €");
        assert_eq!(Encoding::Utf8.decode(b"ok\xFF"), Err(2));
    }
}
