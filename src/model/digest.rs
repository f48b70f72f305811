//! Fingerprints as the reports show them: lowercase hexadecimal, one way for every file
//! (inputs, the convention).

use std::fmt::Write;

/// `[0xab, 0x01]` -> `"ab01"`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(super::hex(&[0xab, 0x01, 0x00]), "ab0100");
    }
}
