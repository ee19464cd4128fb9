//! The layering of `app/src`, checked on the source text: the features' `repo.rs`
//! modules form no cycle, and the lower modules every feature uses (access, rows, the
//! clock, the marks store, …) reach into no feature's repo. A newcomer who puts a
//! helper in the wrong place finds out here, not from a tangle a year later.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Modules below the features: any feature may use them, and they use no feature's repo.
const LOWER: [&str; 10] = [
    "access",
    "clock",
    "db",
    "domain",
    "enrolment",
    "error",
    "i18n",
    "input",
    "marks",
    "rows",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/notices/repo.rs` → `notices`).
fn unit_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The features whose repo `text` names (`crate::groups::repo`), comments left out.
fn repos_named(text: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for line in text.lines() {
        let mut rest = line.split("//").next().unwrap_or("");
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if rest[name.len()..].starts_with("::repo") {
                named.insert(name);
            }
        }
    }
    named
}

/// Which top-level module's files name which other features' repos.
fn repo_edges() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let unit = unit_of(&file);
        let named = repos_named(&fs::read_to_string(&file).unwrap());
        edges
            .entry(unit.clone())
            .or_default()
            .extend(named.into_iter().filter(|n| *n != unit));
    }
    edges
}

fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if !done.insert(node.to_owned()) {
            return None;
        }
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_features_repos_form_no_cycle() {
    let edges = repo_edges();
    assert!(
        edges.len() > 10,
        "the scan found too few modules: {edges:?}"
    );
    if let Some(cycle) = find_cycle(&edges) {
        panic!(
            "feature repos import each other in a cycle: {}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn lower_modules_use_no_feature_repo() {
    let edges = repo_edges();
    for lower in LOWER {
        let named = edges.get(lower).cloned().unwrap_or_default();
        assert!(
            named.is_empty(),
            "`{lower}` sits below the features but uses the repos of {named:?}"
        );
    }
}

#[test]
fn the_scan_sees_a_cycle_when_there_is_one() {
    let edges = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(
        find_cycle(&edges).unwrap(),
        ["a", "b", "c", "a"].map(str::to_owned)
    );
    assert_eq!(
        repos_named(
            "use crate::groups::repo::{x}; // crate::notices::repo\nlet y = crate::rows::flag;"
        ),
        BTreeSet::from(["groups".to_owned()])
    );
}
