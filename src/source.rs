//! Source files and byte spans. Every finding points at bytes of a file the user can open.

use std::path::{Path, PathBuf};

/// Index of a file in the [`SourceMap`].
pub type FileId = u32;

/// A byte range inside one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One loaded input: its path as given, its text and a line index.
///
/// After a file is loaded its text is released (the model keeps what the rules need) and read
/// again only if a report shows an excerpt of it: holding every input's text for the whole run
/// would cost as much memory as the corpus itself.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path to show the user (relative where possible, `-` for stdin).
    pub display: String,
    text: std::sync::OnceLock<String>,
    /// Built on first use: only reports need line numbers.
    line_starts: std::sync::OnceLock<Vec<u32>>,
    /// Built on first use, for columns: see [`SourceFile::chars_before`].
    char_checkpoints: std::sync::OnceLock<Vec<u32>>,
    /// `# ekstrust:ignore` comments, found while the text was loaded.
    pub comment_markers: Vec<CommentMarker>,
}

/// A `# ekstrust:ignore RULE[,RULE] reason` comment: it covers `covers` (its own line and the
/// next one); `comment` is the comment itself.
#[derive(Clone, Debug)]
pub struct CommentMarker {
    pub comment: Span,
    pub covers: Span,
    pub rules: Vec<String>,
    pub has_reason: bool,
}

impl SourceFile {
    pub fn new(path: PathBuf, display: String, text: String) -> SourceFile {
        SourceFile {
            path,
            display,
            text: std::sync::OnceLock::from(text),
            line_starts: std::sync::OnceLock::new(),
            char_checkpoints: std::sync::OnceLock::new(),
            comment_markers: Vec::new(),
        }
    }

    /// Forget the text of a regular file; [`SourceFile::text`] reads it again when needed.
    pub fn release_text(&mut self) {
        self.text = std::sync::OnceLock::new();
    }

    /// The file's text, read again from disk if it was released. The text is decoded the way
    /// the loader decoded it (invalid UTF-8 replaced), so spans stay valid as long as the file
    /// did not change during the run.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| self.read_text())
    }

    fn read_text(&self) -> String {
        std::fs::read(&self.path)
            .map(|b| match String::from_utf8(b) {
                Ok(t) => t,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            })
            .unwrap_or_default()
    }

    pub(crate) fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| line_starts_of(self.text()))
    }

    /// The 0-based line of a byte offset (no column: that would count the line's characters).
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts()
            .partition_point(|&s| s as usize <= offset)
            .saturating_sub(1)
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text().len());
        let line = self.line_of(offset);
        let start = self.line_starts().get(line).map_or(0, |&s| s as usize);
        let col = self
            .chars_before(offset)
            .saturating_sub(self.chars_before(start));
        (line + 1, col + 1)
    }

    /// The characters before a byte offset, counted from the nearest checkpoint before it (one
    /// every [`CHAR_CHECKPOINT`] bytes) instead of from the start of its line: a one-line plan is
    /// megabytes long, and counting its line again for each of thousands of findings made the
    /// report quadratic. An offset inside a character counts from that character's start.
    pub fn chars_before(&self, offset: usize) -> usize {
        let text = self.text();
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let checkpoints = self.char_checkpoints.get_or_init(|| {
            let mut counts = Vec::with_capacity(text.len() / CHAR_CHECKPOINT + 1);
            let (mut at, mut chars) = (0, 0);
            for k in 0..=text.len() / CHAR_CHECKPOINT {
                let next = floor_char_boundary(text, k * CHAR_CHECKPOINT);
                chars += text.get(at..next).map_or(0, |s| s.chars().count());
                at = next;
                counts.push(chars as u32);
            }
            counts
        });
        let k = offset / CHAR_CHECKPOINT;
        let from = floor_char_boundary(text, k * CHAR_CHECKPOINT);
        let base = checkpoints.get(k).map_or(0, |&c| c as usize);
        base + text.get(from..offset).map_or(0, |s| s.chars().count())
    }

    /// Positions of many offsets of this file. A released text is read for the call and dropped
    /// after it, and no line index is kept: a report over a large run holds positions, not texts.
    fn positions_of(
        &self,
        id: FileId,
        offsets: impl Iterator<Item = u32>,
        out: &mut Vec<(FileId, u32, u32, u32)>,
    ) {
        let read;
        let text = match self.text.get() {
            Some(t) => t.as_str(),
            None => {
                read = self.read_text();
                read.as_str()
            }
        };
        let starts = match self.line_starts.get() {
            Some(s) => std::borrow::Cow::Borrowed(s.as_slice()),
            None => std::borrow::Cow::Owned(line_starts_of(text)),
        };
        // Offsets come in ascending order: the column of one continues from the previous one on
        // the same line, so a long line (a one-line Terraform plan) is counted once, not once per
        // finding on it.
        let mut previous: Option<(usize, usize, usize)> = None; // (line, offset, column)
        for offset in offsets {
            let at = (offset as usize).min(text.len());
            let (line, col) = match previous {
                Some((line, before, col))
                    if at >= before && starts.get(line).is_none_or(|&next| at < next as usize) =>
                {
                    let more = text
                        .get(before..at)
                        .map(|s| s.chars().count())
                        .unwrap_or(at - before);
                    (line, col + more)
                }
                _ => line_col_in(text, &starts, at),
            };
            previous = Some((line, at, col));
            out.push((id, offset, line as u32, col as u32));
        }
    }

    /// Byte offset where the 1-based line starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts()
            .get(line.checked_sub(1)?)
            .map(|&o| o as usize)
    }

    /// The text of the 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self.line_start(line + 1).unwrap_or(self.text().len());
        self.text()
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text()
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// Bytes between two checkpoints of [`SourceFile::chars_before`].
const CHAR_CHECKPOINT: usize = 4096;

/// The nearest character boundary at or before `at` (at most three bytes back). The std
/// version arrived after the crate's `rust-version`.
pub(crate) fn floor_char_boundary(text: &str, at: usize) -> usize {
    (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

/// The nearest character boundary at or after `at`.
pub(crate) fn ceil_char_boundary(text: &str, at: usize) -> usize {
    (at.min(text.len())..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len())
}

fn line_starts_of(text: &str) -> Vec<u32> {
    let mut starts = vec![0u32];
    starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
    starts
}

fn line_col_in(text: &str, starts: &[u32], offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let line = match starts.binary_search(&(offset as u32)) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    };
    let start = starts.get(line).copied().unwrap_or(0) as usize;
    let col = text
        .get(start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(offset - start);
    (line + 1, col + 1)
}

/// 1-based line and column of a set of byte offsets, computed file by file (see
/// [`SourceMap::positions`]).
#[derive(Debug, Default)]
pub struct Positions {
    /// (file, offset, line, column), sorted by file and offset.
    entries: Vec<(FileId, u32, u32, u32)>,
}

impl Positions {
    /// Line and column of an offset given to [`SourceMap::positions`]; (1, 1) for any other.
    pub fn line_col(&self, file: FileId, offset: u32) -> (usize, usize) {
        self.entries
            .binary_search_by(|e| (e.0, e.1).cmp(&(file, offset)))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map_or((1, 1), |e| (e.2 as usize, e.3 as usize))
    }
}

/// All files of one run. File ids are indexes into `files`.
#[derive(Debug, Default)]
pub struct SourceMap {
    pub files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        (self.files.len() - 1) as FileId
    }
    /// The file of an id. Ids come from this map; an unknown one gets an empty placeholder
    /// rather than a panic.
    pub fn get(&self, id: FileId) -> &SourceFile {
        static UNKNOWN: std::sync::LazyLock<SourceFile> = std::sync::LazyLock::new(|| {
            SourceFile::new(PathBuf::new(), String::new(), String::new())
        });
        self.files.get(id as usize).unwrap_or(&UNKNOWN)
    }
    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }

    /// Positions of the start and end of every span, each file's text read at most once.
    pub fn positions(&self, spans: impl IntoIterator<Item = Span>) -> Positions {
        let mut wanted: Vec<(FileId, u32)> = spans
            .into_iter()
            .flat_map(|s| [(s.file, s.start), (s.file, s.end)])
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut entries = Vec::with_capacity(wanted.len());
        for group in wanted.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(file, _)) = group.first() else {
                continue;
            };
            let offsets = group.iter().map(|&(_, offset)| offset);
            self.get(file).positions_of(file, offsets, &mut entries);
        }
        Positions { entries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_from_checkpoints_match_counting_from_the_line_start() {
        // Long lines with multi-byte characters on both sides of checkpoints, and short ones.
        let mut text = String::new();
        for i in 0..3 {
            text.push_str(&"aé€𝄞 ".repeat(2_000 + i * 7));
            text.push('\n');
            text.push_str("short é line\n");
        }
        let file = SourceFile::new(PathBuf::from("x"), "x".into(), text.clone());
        let starts = line_starts_of(&text);
        let offsets = (0..=text.len()).filter(|&o| text.is_char_boundary(o));
        for offset in offsets.step_by(7).chain([text.len()]) {
            assert_eq!(
                file.line_col(offset),
                line_col_in(&text, &starts, offset),
                "offset {offset}"
            );
        }
        assert_eq!(file.chars_before(text.len()), text.chars().count());
    }

    #[test]
    fn released_text_is_read_again_with_the_same_positions() {
        let dir = std::env::temp_dir().join(format!("ekstrust-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("policy.yaml");
        // Invalid UTF-8 is replaced on reload exactly as on the first read.
        std::fs::write(&path, b"a: 1\nb: \xff\nc: 3\n").unwrap();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let mut file = SourceFile::new(path.clone(), "policy.yaml".into(), text.clone());
        file.release_text();
        assert_eq!(file.text(), text);
        assert_eq!(file.line_col(text.find("c:").unwrap()), (3, 1));
        // Positions read a released text without keeping it, and agree with line_col.
        let mut map = SourceMap::default();
        let mut released = SourceFile::new(path.clone(), "policy.yaml".into(), text.clone());
        released.release_text();
        let id = map.add(released);
        let c = text.find("c:").unwrap();
        let positions = map.positions([Span::new(id, c, c + 1), Span::new(id, 0, 1)]);
        assert_eq!(positions.line_col(id, c as u32), (3, 1));
        assert_eq!(positions.line_col(id, c as u32 + 1), (3, 2));
        assert_eq!(positions.line_col(id, 0), (1, 1));
        assert!(map.get(id).text.get().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn positions_counted_along_a_line_agree_with_line_col() {
        // Non-ASCII characters before and between the offsets, several offsets per line, the
        // end of a line and the end of the text.
        let text = "é: {\"a\": \"ü\", \"b\": \"x\"}\nline two ✓ end\n\nlast";
        let mut map = SourceMap::default();
        let id = map.add(SourceFile::new(
            PathBuf::from("inline.json"),
            "inline.json".into(),
            text.to_string(),
        ));
        let offsets: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let positions = map.positions(offsets.iter().map(|&o| Span::new(id, o, o)));
        let file = map.get(id);
        for &o in &offsets {
            assert_eq!(
                positions.line_col(id, o as u32),
                file.line_col(o),
                "offset {o}"
            );
        }
    }
}
