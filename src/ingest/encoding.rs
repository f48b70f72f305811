//! Text encodings of CSV extracts: UTF-8 (Chorus, AIFE), UTF-8 with a BOM and
//! Windows-1252 (files re-saved by Excel on a French desktop). Detected, then reported.

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
    fn windows_1252_decodes_euro_and_accents() {
        let text = Encoding::Windows1252.decode(b"co\xFBts \x80").unwrap();
        assert_eq!(text, "coûts €");
        assert_eq!(Encoding::Utf8.decode(b"ok\xFF"), Err(2));
    }
}
