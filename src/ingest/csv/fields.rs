//! Tokenising one row into fields, on bytes, in either dialect (see the parent module):
//! field bytes go into a scratch buffer and each field's end offset into a list, so that a
//! row costs no allocation of its own. A quoted field left open at the end of a line
//! (standard dialect) is resumed where it stopped once the next line is appended.

use memchr::memchr;

use super::Dialect;

/// How tokenising one physical line (or a run of lines) ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Split {
    Complete,
    /// A quoted field is still open at the end of the text (standard dialect only): its
    /// bytes so far are in `scratch`, and tokenising resumes at `resume` once the next
    /// line is appended (the text is never tokenised again from its start: a long quoted
    /// field spanning lines is read in linear time).
    OpenQuote {
        resume: usize,
    },
}

/// Splits `line` (without its final line terminator) into fields. Field bytes go into
/// `scratch`, the end offset of each field into `ends`.
pub(super) fn split_fields(
    line: &[u8],
    d: Dialect,
    scratch: &mut Vec<u8>,
    ends: &mut Vec<u32>,
) -> Split {
    scratch.clear();
    ends.clear();
    split_from(line, d, scratch, ends, 0, false)
}

/// Goes on tokenising `line` inside the quoted field left open at `at` by
/// [`Split::OpenQuote`], `scratch` and `ends` as they were left.
pub(super) fn resume_fields(
    line: &[u8],
    d: Dialect,
    scratch: &mut Vec<u8>,
    ends: &mut Vec<u32>,
    at: usize,
) -> Split {
    split_from(line, d, scratch, ends, at, true)
}

fn split_from(
    line: &[u8],
    d: Dialect,
    scratch: &mut Vec<u8>,
    ends: &mut Vec<u32>,
    mut i: usize,
    mut in_quote: bool,
) -> Split {
    loop {
        if in_quote || (i < line.len() && line[i] == b'"') {
            if !in_quote {
                i += 1;
            }
            in_quote = false;
            let Some(after) = quoted_field(line, d, scratch, i) else {
                if !d.quote_all {
                    return Split::OpenQuote { resume: line.len() };
                }
                ends.push(scratch.len() as u32);
                return Split::Complete;
            };
            i = after;
            ends.push(scratch.len() as u32);
            // After a closing quote: the separator, or the end of the line.
            if i >= line.len() {
                return Split::Complete;
            }
            i += 1; // the separator
            if i == line.len() {
                ends.push(scratch.len() as u32);
                return Split::Complete;
            }
        } else {
            match plain_field(line, d.separator, scratch, ends, i) {
                Some(next) => i = next,
                None => return Split::Complete,
            }
        }
    }
}

/// Reads an unquoted field from `i` up to the separator: the offset of the next field, or
/// `None` when the row is complete (this was its last field, or the separator ended the
/// line and the empty last field is pushed too).
#[inline]
fn plain_field(
    line: &[u8],
    sep: u8,
    scratch: &mut Vec<u8>,
    ends: &mut Vec<u32>,
    i: usize,
) -> Option<usize> {
    let rest = &line[i..];
    let Some(p) = memchr(sep, rest) else {
        scratch.extend_from_slice(rest);
        ends.push(scratch.len() as u32);
        return None;
    };
    scratch.extend_from_slice(&rest[..p]);
    ends.push(scratch.len() as u32);
    let next = i + p + 1;
    if next == line.len() {
        ends.push(scratch.len() as u32);
        return None;
    }
    Some(next)
}

/// Reads a quoted field's bytes into `scratch` from `i` (just past its opening quote, or
/// where a field left open resumes) up to its closing quote: the offset just past that
/// quote, or `None` when the line ends inside the field (its bytes all copied).
#[inline]
fn quoted_field(line: &[u8], d: Dialect, scratch: &mut Vec<u8>, mut i: usize) -> Option<usize> {
    let start_len = scratch.len();
    loop {
        let Some(q) = memchr(b'"', &line[i..]).map(|p| p + i) else {
            scratch.extend_from_slice(&line[i..]);
            return None;
        };
        scratch.extend_from_slice(&line[i..q]);
        if d.quote_all {
            if quote_all_closes(line, q, d.separator) {
                collapse_doubled_quotes(scratch, start_len);
                return Some(q + 1);
            }
            scratch.push(b'"');
            i = q + 1;
        } else {
            match line.get(q + 1).copied() {
                None => return Some(q + 1),
                Some(b) if b == d.separator => return Some(q + 1),
                Some(b'"') => {
                    scratch.push(b'"');
                    i = q + 2;
                }
                Some(_) => {
                    scratch.push(b'"');
                    i = q + 1;
                }
            }
        }
    }
}

/// In the quote-all dialect, whether the quote at `q` closes its field: it does when
/// followed by the end of the line, or by the separator and then a quote, another
/// separator or the end of the line.
#[inline]
fn quote_all_closes(line: &[u8], q: usize, sep: u8) -> bool {
    match line.get(q + 1) {
        None => true,
        Some(&b) if b == sep => {
            matches!(line.get(q + 2), None | Some(b'"')) || line.get(q + 2) == Some(&sep)
        }
        _ => false,
    }
}

/// In the quote-all dialect, a doubled quote inside a field is an RFC escape.
fn collapse_doubled_quotes(scratch: &mut Vec<u8>, from: usize) {
    let mut w = from;
    let mut r = from;
    while r < scratch.len() {
        scratch[w] = scratch[r];
        if scratch[r] == b'"' && scratch.get(r + 1) == Some(&b'"') {
            r += 1;
        }
        r += 1;
        w += 1;
    }
    scratch.truncate(w);
}
