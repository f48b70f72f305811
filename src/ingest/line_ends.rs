//! Line ends as text editors see them: LF (Unix), CRLF (Windows) and CR alone (Excel for
//! old Macs, some exports). The CSV tokeniser splits on LF only, so every CR becomes an LF
//! here and the LF of a CRLF is dropped: a CR-only file is read line by line, not as one
//! line, and a quoted field spanning lines holds the same text however reads return.

use std::io::{self, Read};

use memchr::memchr;

/// A reader giving `inner`'s bytes with every line end written as a single LF.
pub struct LineEnds<R> {
    inner: R,
    /// The last byte given was a CR (written as an LF): an LF right after it is dropped.
    after_cr: bool,
}

impl<R> LineEnds<R> {
    pub fn new(inner: R) -> Self {
        LineEnds {
            inner,
            after_cr: false,
        }
    }

    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let data = &mut buf[..n];
            // The common case: no CR, and no LF owed to a CR of the previous read.
            if memchr(b'\r', data).is_none() && !(self.after_cr && data[0] == b'\n') {
                self.after_cr = false;
                return Ok(n);
            }
            let mut w = 0;
            for r in 0..n {
                let b = data[r];
                if self.after_cr && b == b'\n' {
                    self.after_cr = false;
                    continue;
                }
                self.after_cr = b == b'\r';
                data[w] = if b == b'\r' { b'\n' } else { b };
                w += 1;
            }
            if w > 0 {
                return Ok(w);
            }
            // The read held only the LF of a CRLF: read on.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `input` through the adapter, `chunk` bytes at a time.
    fn through(input: &[u8], chunk: usize) -> Vec<u8> {
        struct Chunked<'a>(&'a [u8], usize);
        impl Read for Chunked<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        LineEnds::new(Chunked(input, chunk))
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn every_line_end_becomes_one_lf_whatever_the_reads() {
        let cases: [(&[u8], &[u8]); 5] = [
            (b"a\nb\n", b"a\nb\n"),
            (b"a\r\nb\r\n", b"a\nb\n"),
            (b"a\rb\rc", b"a\nb\nc"),
            (b"a\r\r\nb", b"a\n\nb"),
            (b"\r\n\r\n", b"\n\n"),
        ];
        for (input, expected) in cases {
            for chunk in 1..=4 {
                assert_eq!(through(input, chunk), expected, "{input:?} by {chunk}");
            }
        }
    }
}
