//! From paths to the [`Inventory`]: walking folders, reading files, detecting formats by content,
//! and turning documents into typed objects. A file that cannot be read or parsed becomes a
//! [`LoadError`] with its location; the other files are still loaded.

pub mod aws_auth;
pub mod aws_cli;
pub mod cloudformation;
pub mod eks_api;
pub mod eksctl;
pub mod embedded;
pub mod iam;
pub mod json;
pub mod k8s;
pub mod karpenter;
pub mod terraform;
pub mod yaml;

use crate::model::{Inventory, Policy, PolicyProblem, Role, RoleOrigin};
use crate::node::{DuplicateKey, Node, ParsedDoc};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use std::path::{Path, PathBuf};

/// Input limits (documented in the README).
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_depth: usize,
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 32 * 1024 * 1024,
            max_depth: 256,
            max_alias_nodes: 100_000,
        }
    }
}

/// A file that could not be read or parsed.
#[derive(Clone, Debug)]
pub struct LoadError {
    pub path: String,
    /// Where in the file, when the file was read.
    pub span: Option<Span>,
    pub message: String,
}

/// A file skipped on purpose (not an error).
#[derive(Clone, Debug)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: SourceMap,
    pub inventory: Inventory,
    pub errors: Vec<LoadError>,
    pub skipped: Vec<Skipped>,
}

/// What one file contributed, before files are merged in path order.
#[derive(Default)]
struct FileResult {
    source: Option<SourceFile>,
    // Boxed so that merging every file's roles into the inventory moves pointers, not roles:
    // a second copy of all roles would otherwise be alive at the end of loading.
    #[allow(clippy::vec_box)]
    roles: Vec<Box<Role>>,
    kube: crate::model::Kube,
    eks: crate::model::Eks,
    errors: Vec<LoadError>,
    skipped: Vec<Skipped>,
}

/// The context the format loaders need about the file being read.
pub struct FileCtx<'a> {
    pub file: FileId,
    pub text: &'a str,
    /// The file name without its extension, and the document's number in a multi-document file:
    /// the name of a role read from a bare policy file.
    stem: &'a str,
    document: Option<usize>,
    duplicates: Vec<DuplicateKey>,
}

impl FileCtx<'_> {
    /// The role name a bare policy document gets: its file's stem, `#n` for the n-th document.
    fn document_name(&self) -> String {
        match self.document {
            Some(n) => format!("{}#{n}", self.stem),
            None => self.stem.to_string(),
        }
    }

    /// Duplicate keys of the current document that lie inside `span`: a range of the list,
    /// which is in document order (a file of thousands of policies, each with a repeated key,
    /// would otherwise scan them all for each policy).
    pub fn duplicates_within(&self, span: Span) -> Vec<DuplicateKey> {
        let from = self
            .duplicates
            .partition_point(|d| d.second.start < span.start);
        let to = self
            .duplicates
            .partition_point(|d| d.second.start <= span.end);
        self.duplicates
            .get(from..to.max(from))
            .unwrap_or_default()
            .iter()
            .filter(|d| d.second.end <= span.end)
            .cloned()
            .collect()
    }

    /// A policy given as an object or as a (possibly URL-encoded) JSON string.
    pub fn policy_value(&self, node: &Node, trust: bool) -> Policy {
        if node.as_str().is_some() {
            return self.embedded_policy(node, &iam::Literal, trust);
        }
        iam::parse_policy(
            node,
            &iam::Literal,
            trust,
            &self.duplicates_within(node.span),
        )
    }

    /// A policy inside a string value.
    pub fn embedded_policy(
        &self,
        node: &Node,
        resolver: &dyn iam::Resolver,
        trust: bool,
    ) -> Policy {
        if let Some(doc) = embedded::literal_json(self.text, node, self.file) {
            return iam::parse_policy(&doc.root, resolver, trust, &doc.duplicates);
        }
        // A JSON string (a Terraform plan's policy) is read through its escapes where it
        // stands; the value is decoded and mapped only when that fails, for the error.
        if node.style == crate::node::Style::Json {
            if let Some(doc) = json::parse_in_string_literal(
                self.text,
                node.span.start as usize,
                self.file,
                &Default::default(),
            ) {
                return iam::parse_policy(&doc.root, resolver, trust, &doc.duplicates);
            }
        }
        let Some(inner) = embedded::Inner::of(self.text, node) else {
            return policy_problem(node.span, "the policy document must be a JSON string");
        };
        match inner.parse_json(self.file) {
            Ok(doc) => iam::parse_policy(&doc.root, resolver, trust, &doc.duplicates),
            Err((span, message)) => {
                policy_problem(span, format!("the policy is not valid JSON: {message}"))
            }
        }
    }
}

/// A policy that could not be read at all: one problem, no statements.
pub fn policy_problem(span: Span, message: impl Into<String>) -> Policy {
    Policy {
        span,
        statements: Box::default(),
        problems: Box::new([PolicyProblem {
            span,
            message: message.into(),
        }]),
        oidc: Box::default(),
    }
}

/// Extensions read when walking a folder (explicitly named files are read whatever their name).
const WALK_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template"];

/// Expand the given paths: files as named, folders recursively (hidden folders and `.git`
/// skipped), `-` for standard input. Sorted for deterministic output.
pub fn collect_paths(
    inputs: &[PathBuf],
    skipped: &mut Vec<Skipped>,
    errors: &mut Vec<LoadError>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    visit_paths(inputs, &mut WalkNotes { skipped, errors }, &mut |path| {
        out.push(path)
    });
    out
}

/// Where the walk puts what it skipped and could not read.
struct WalkNotes<'a> {
    skipped: &'a mut Vec<Skipped>,
    errors: &'a mut Vec<LoadError>,
}

/// Hand every input path to `found`, in the order of [`collect_paths`], as soon as it is known:
/// the loader starts reading the first files while the walk goes on.
fn visit_paths(inputs: &[PathBuf], notes: &mut WalkNotes, found: &mut dyn FnMut(PathBuf)) {
    for input in inputs {
        if input.as_os_str() == "-" {
            found(input.clone());
            continue;
        }
        match std::fs::metadata(input) {
            Ok(m) if m.is_dir() => walk(input, None, &mut Vec::new(), notes, found),
            Ok(m) if m.is_file() => found(input.clone()),
            Ok(_) => notes.skipped.push(Skipped {
                path: display_path(input),
                reason: "not a regular file".into(),
            }),
            Err(e) => notes.errors.push(LoadError {
                path: input.display().to_string(),
                span: None,
                message: format!("cannot read: {e}"),
            }),
        }
    }
}

/// Walk a folder depth first, entries in name order. `ancestors` are the canonical paths of the
/// folders being walked above this one; `canonical` is this folder's, when known without asking
/// the file system.
fn walk(
    dir: &Path,
    canonical: Option<PathBuf>,
    ancestors: &mut Vec<PathBuf>,
    notes: &mut WalkNotes,
    found: &mut dyn FnMut(PathBuf),
) {
    // Symlink loops: never enter a folder whose canonical path is already being walked.
    let canonical = canonical
        .unwrap_or_else(|| std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()));
    if ancestors.contains(&canonical) {
        notes.skipped.push(Skipped {
            path: dir.display().to_string(),
            reason: "symlink loop".into(),
        });
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            notes.errors.push(LoadError {
                path: dir.display().to_string(),
                span: None,
                message: format!("cannot read folder: {e}"),
            });
            return;
        }
    };
    // The entry's type comes with the folder listing; only symlinks need a stat to follow.
    let mut listed: Vec<(PathBuf, Option<std::fs::FileType>)> = entries
        .filter_map(|e| e.ok())
        .map(|e| (e.path(), e.file_type().ok().filter(|t| !t.is_symlink())))
        .filter(|(path, _)| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !(name.starts_with('.') || name == "target" || name == "node_modules")
        })
        .collect();
    // Entries of one folder are the folder's path, a separator and their name: comparing the
    // whole paths as bytes orders them by name without parsing components per comparison.
    listed.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    ancestors.push(canonical);
    for (path, listed_type) in listed {
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| WALK_EXTENSIONS.iter().any(|w| w.eq_ignore_ascii_case(e)));
        let file_type = match listed_type {
            Some(t) => Ok(t),
            None => std::fs::metadata(&path).map(|m| m.file_type()),
        };
        match file_type {
            Ok(m) if m.is_dir() => {
                // A folder listed as a folder (not a link) lies right under this canonical
                // path; only links need resolving.
                let known = listed_type
                    .and(path.file_name())
                    .and_then(|name| ancestors.last().map(|parent| parent.join(name)));
                walk(&path, known, ancestors, notes, found);
            }
            Ok(m) if m.is_file() && wanted => found(path),
            Ok(m) if m.is_file() => {}
            // FIFOs, sockets and devices could block or never end.
            Ok(_) if wanted => notes.skipped.push(Skipped {
                path: display_path(&path),
                reason: "not a regular file".into(),
            }),
            Err(e) if wanted => notes.errors.push(LoadError {
                path: display_path(&path),
                span: None,
                message: format!("cannot read: {e}"),
            }),
            _ => {}
        }
    }
    ancestors.pop();
}

/// Load every input. The walk runs on one thread and hands files out in small batches as it
/// finds them, so reading and parsing start at once and the walk costs no wall time of its own;
/// the results are merged in path order as they come back.
pub fn load(inputs: &[PathBuf], limits: &Limits) -> Loaded {
    let merge = std::sync::Mutex::new(InOrder::default());
    let (mut walk_skipped, mut walk_errors) = (Vec::new(), Vec::new());
    // FIFO: batches are loaded in the order they were found, so few wait to be merged.
    rayon::scope_fifo(|scope| {
        let merge = &merge;
        let mut first = 0;
        let mut batch = Vec::with_capacity(LOAD_BATCH);
        let send = |batch: Vec<PathBuf>, first: usize| {
            scope.spawn_fifo(move |_| {
                let results = batch
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| load_file(p, (first + i) as FileId, limits))
                    .collect();
                // A poisoned lock means another batch panicked, which the scope re-raises.
                merge
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .add(first, results);
            });
        };
        let mut notes = WalkNotes {
            skipped: &mut walk_skipped,
            errors: &mut walk_errors,
        };
        visit_paths(inputs, &mut notes, &mut |path| {
            batch.push(path);
            if batch.len() == LOAD_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(LOAD_BATCH));
                send(full, first);
                first += LOAD_BATCH;
            }
        });
        // The walk is over, so the number of files is known: size the source map once (it
        // holds one entry per file, and growing it by doubling would touch twice the memory).
        let files = first + batch.len();
        {
            let mut merge = merge
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let map = &mut merge.loaded.sources.files;
            map.reserve_exact(files.saturating_sub(map.len()));
        }
        if !batch.is_empty() {
            send(batch, first);
        }
    });
    let mut loaded = merge
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .loaded;
    // What the walk noted comes before what the files did, as the walk came first.
    loaded.skipped.splice(0..0, walk_skipped);
    loaded.errors.splice(0..0, walk_errors);
    loaded.sources.files.shrink_to_fit();
    loaded.inventory.shrink_to_fit();
    loaded.inventory.build_index();
    loaded
}

/// Files per loading job: enough to make a job's overhead small, few enough that the last jobs
/// leave neither core idle for long.
const LOAD_BATCH: usize = 16;

/// Batches' results, merged into one [`Loaded`] in path order (file ids are positions in the
/// source map, so the next batch to merge is the one whose first id is the map's length); a
/// batch that finishes early waits in `pending` for those before it.
#[derive(Default)]
struct InOrder {
    loaded: Loaded,
    pending: std::collections::BTreeMap<usize, Vec<FileResult>>,
}

impl InOrder {
    fn add(&mut self, first: usize, results: Vec<FileResult>) {
        let mut ready = results;
        if first != self.loaded.sources.files.len() {
            self.pending.insert(first, ready);
            return;
        }
        loop {
            append(&mut self.loaded, ready);
            match self.pending.remove(&self.loaded.sources.files.len()) {
                Some(results) => ready = results,
                None => break,
            }
        }
    }
}

/// Load documents held in memory (name, bytes): the fuzz targets' entry point, through the same
/// pipeline as files.
pub fn load_in_memory(inputs: &[(&str, &[u8])], limits: &Limits) -> Loaded {
    let results: Vec<FileResult> = inputs
        .iter()
        .enumerate()
        .map(|(i, (name, bytes))| {
            let mut result = load_bytes(PathBuf::from(name), i as FileId, bytes.to_vec(), limits);
            // Nothing to read back from: keep the text.
            if let Some(source) = &mut result.source {
                find_comment_markers(source, i as FileId);
            }
            result
        })
        .collect();
    let mut loaded = Loaded::default();
    append(&mut loaded, results);
    loaded.inventory.build_index();
    loaded
}

/// Add files' results in path order (file ids are positions in the source map).
fn append(loaded: &mut Loaded, results: Vec<FileResult>) {
    for r in results {
        let id = loaded.sources.files.len() as FileId;
        if let Some(source) = r.source {
            loaded.sources.add(source);
        } else {
            // Keep ids aligned with paths: an unreadable file gets an empty placeholder.
            loaded.sources.add(SourceFile::new(
                PathBuf::new(),
                String::new(),
                String::new(),
            ));
        }
        debug_assert_eq!(id as usize + 1, loaded.sources.files.len());
        loaded.inventory.roles.extend(r.roles);
        loaded.inventory.kube.append(r.kube);
        let (e, re) = (&mut loaded.inventory.eks, r.eks);
        e.cluster_issuers.extend(re.cluster_issuers);
        e.pod_identity.extend(re.pod_identity);
        e.access_entries.extend(re.access_entries);
        e.node_roles.extend(re.node_roles);
        e.node_instance_profiles.extend(re.node_instance_profiles);
        e.instance_profiles.extend(re.instance_profiles);
        e.imds.extend(re.imds);
        e.launchers.extend(re.launchers);
        e.addon_policies.extend(re.addon_policies);
        loaded.errors.extend(r.errors);
        loaded.skipped.extend(r.skipped);
    }
}

fn display_path(path: &Path) -> String {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    if path.as_os_str() == "-" {
        return "-".into();
    }
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let rel = cwd
        .as_deref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    // A UTF-8 path is copied as it is; `Display` (through the formatter) only for the rest.
    let shown = rel
        .to_str()
        .map(str::to_owned)
        .unwrap_or_else(|| rel.display().to_string());
    if shown.contains('\\') {
        shown.replace('\\', "/")
    } else {
        shown
    }
}

fn read_input(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cap = limits.max_file_bytes + 1;
    let mut bytes = Vec::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin().lock().take(cap).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| {
            // Size the buffer from the file's length: growing by doubling would keep up to
            // twice the text alive for the whole run.
            let expected = f.metadata().map(|m| m.len()).unwrap_or(0);
            bytes.reserve_exact(expected.min(cap) as usize + 1);
            f.take(cap).read_to_end(&mut bytes)
        })
    };
    result.map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(format!(
            "larger than the {} byte limit (--max-file-size)",
            limits.max_file_bytes
        ));
    }
    Ok(bytes)
}

/// Takes the walk's path: the file's source entry keeps it.
fn load_file(path: PathBuf, file: FileId, limits: &Limits) -> FileResult {
    match read_input(&path, limits) {
        Ok(bytes) => {
            let mut result = load_bytes(path, file, bytes, limits);
            if let Some(source) = &mut result.source {
                find_comment_markers(source, file);
                // A regular file can be read again for a report; standard input cannot. Files
                // with errors keep their text: the errors are shown with an excerpt.
                if source.path.as_os_str() != "-" && result.errors.is_empty() {
                    source.release_text();
                }
            }
            result
        }
        Err(message) => {
            let mut result = FileResult::default();
            result.errors.push(LoadError {
                path: display_path(&path),
                span: None,
                message,
            });
            result
        }
    }
}

fn load_bytes(path: PathBuf, file: FileId, bytes: Vec<u8>, limits: &Limits) -> FileResult {
    let display = display_path(&path);
    let mut result = FileResult::default();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let source = SourceFile::new(path, display.clone(), lossy);
            result.errors.push(LoadError {
                path: display,
                span: Some(Span::new(file, offset, offset + 1)),
                message: "not UTF-8 text (binary file?)".into(),
            });
            result.source = Some(source);
            return result;
        }
    };
    // memchr's vectorised search: this scans every byte of every input.
    if let Some(offset) = memchr::memchr(0, text.as_bytes()) {
        result.errors.push(LoadError {
            path: display.clone(),
            span: Some(Span::new(file, offset, offset + 1)),
            message: "contains a NUL byte (binary file?)".into(),
        });
        result.source = Some(SourceFile::new(path, display, text));
        return result;
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("stdin");
    let docs = parse_text(&text, file, limits, &path);
    match docs {
        Err(e) => result.errors.push(LoadError {
            path: display.clone(),
            span: Some(Span::new(
                file,
                e.offset,
                (e.offset + 1).min(text.len()).max(e.offset),
            )),
            message: format!("syntax error: {}", e.message),
        }),
        Ok(docs) => {
            let many = docs.len() > 1;
            for (n, doc) in docs.into_iter().enumerate() {
                let cx = FileCtx {
                    file,
                    text: &text,
                    stem,
                    document: many.then_some(n + 1),
                    duplicates: in_document_order(doc.duplicates),
                };
                classify(&cx, &doc.root, &mut result, &display);
            }
        }
    }
    result.source = Some(SourceFile::new(path, display, text));
    result
}

/// Duplicate keys sorted by where the repeated key stands, for [`FileCtx::duplicates_within`].
fn in_document_order(mut duplicates: Vec<DuplicateKey>) -> Vec<DuplicateKey> {
    duplicates.sort_by_key(|d| (d.second.start, d.second.end));
    duplicates
}

/// The `# ekstrust:ignore` comments of a loaded file. JSON has no comments: that text in a JSON
/// file is string content.
fn find_comment_markers(source: &mut SourceFile, file: FileId) {
    if !is_json_text(source.text(), &source.path) {
        source.comment_markers = crate::suppress::scan_comments(file, source.text());
    }
}

/// Read as JSON (not YAML): the content starts with `{`, or with `[` in a `.json` file.
fn is_json_text(text: &str, path: &Path) -> bool {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let is_json_ext = || {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    };
    trimmed.starts_with('{') || (trimmed.starts_with('[') && is_json_ext())
}

/// JSON when the content starts like JSON, YAML otherwise (YAML also reads most JSON).
pub fn parse_text(
    text: &str,
    file: FileId,
    limits: &Limits,
    path: &Path,
) -> Result<Vec<ParsedDoc>, crate::node::SyntaxError> {
    if is_json_text(text, path) {
        let doc = json::parse(
            text,
            file,
            &json::Limits {
                max_depth: limits.max_depth,
            },
        )?;
        return Ok(vec![doc]);
    }
    yaml::parse(
        text,
        file,
        &yaml::Limits {
            max_depth: limits.max_depth,
            max_alias_nodes: limits.max_alias_nodes,
        },
    )
}

fn classify(cx: &FileCtx, root: &Node, result: &mut FileResult, display: &str) {
    if root.is_null() {
        return;
    }
    if root.get("Statement").is_some() && root.get("Resources").is_none() {
        let trust = looks_like_trust(root);
        let policy = iam::parse_policy(root, &iam::Literal, trust, &cx.duplicates);
        let mut role = Role {
            name: cx.document_name().into(),
            arn: None,
            origin: RoleOrigin::PolicyFile,
            span: Span::new(
                cx.file,
                root.span.start as usize,
                root.span.start as usize + 1,
            ),
            trust: None,
            permissions: Vec::new(),
            last_used: None,
            aliases: Vec::new(),
        };
        if trust {
            role.trust = Some(policy);
        } else {
            role.permissions.push(crate::model::PermissionPolicy {
                name: cx.document_name(),
                arn: None,
                document: Some(policy),
                span: root.span,
                inline: false,
            });
        }
        result.roles.push(Box::new(role));
    } else if let Some(shape) = aws_cli::detect(root) {
        let mut roles = Vec::new();
        aws_cli::load(cx, root, shape, &mut roles, &mut result.eks);
        result.roles.extend(roles.into_iter().map(Box::new));
    } else if cloudformation::is_template(root) {
        let mut roles = Vec::new();
        cloudformation::load(cx, root, &mut roles);
        result.roles.extend(roles.into_iter().map(Box::new));
        cloudformation::load_eks(root, &mut result.eks);
    } else if terraform::is_plan(root) {
        let mut roles = Vec::new();
        terraform::load(cx, root, &mut roles);
        result.roles.extend(roles.into_iter().map(Box::new));
        terraform::load_eks(root, &mut result.eks);
    } else if root.get("OpenIDConnectProviderList").is_some() {
        // `aws iam list-open-id-connect-providers` style: known, read by no rule yet.
    } else if eks_api::detect(root) {
        eks_api::load(root, &mut result.eks);
    } else if eksctl::is_cluster_config(root) {
        eksctl::load(
            cx,
            root,
            &mut result.eks,
            &mut result.kube,
            &mut result.roles,
        );
    } else if k8s::is_object(root) {
        k8s::load(cx, root, &mut result.kube, &mut result.eks);
    } else {
        result.skipped.push(Skipped {
            path: display.to_string(),
            reason: "not a recognised document".into(),
        });
    }
}

/// A raw policy document is a trust policy when a statement names a principal or an STS
/// AssumeRole* action.
fn looks_like_trust(root: &Node) -> bool {
    let Some(statement) = root.get("Statement") else {
        return false;
    };
    // A permission policy names resources; anything else (a principal, an AssumeRole action, or
    // a Statement too broken to tell) is checked as a trust policy.
    let items = statement.one_or_many();
    let permission = items
        .iter()
        .any(|st| st.get("Resource").is_some() || st.get("NotResource").is_some())
        && !items
            .iter()
            .any(|st| st.get("Principal").is_some() || st.get("NotPrincipal").is_some());
    !permission
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result_for(name: &str) -> FileResult {
        FileResult {
            source: Some(SourceFile::new(
                PathBuf::from(name),
                name.to_string(),
                String::new(),
            )),
            ..FileResult::default()
        }
    }

    /// Batches can finish in any order; the merged source map must still be in path order.
    #[test]
    fn batches_finishing_out_of_order_are_merged_in_path_order() {
        let mut merged = InOrder::default();
        merged.add(3, vec![result_for("d")]);
        merged.add(1, vec![result_for("b"), result_for("c")]);
        assert!(
            merged.loaded.sources.files.is_empty(),
            "merged before file 0"
        );
        merged.add(0, vec![result_for("a")]);
        merged.add(4, vec![result_for("e")]);
        let order: Vec<&str> = merged
            .loaded
            .sources
            .files
            .iter()
            .map(|f| f.display.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "c", "d", "e"]);
        assert!(merged.pending.is_empty());
    }
}
