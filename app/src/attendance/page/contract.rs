//! The contract between `frontend/public/offline.js` and the Rust it talks to, pinned:
//! the JS is read as text and every name and constant both sides share is checked
//! against the Rust types' own serde names. Renaming either side fails here instead of
//! silently on a tablet (offline.js ignores what it does not know, and [`State`] falls
//! back to its defaults).
//!
//! The JS is scanned with plain string matching, which is enough for a file written in
//! one style: `obj.field` reads, `key:` object literals, `const NAME = …;` constants.

use std::collections::BTreeSet;

use leptos::server_fn::ServerFn;
use serde::Serialize;
use serde_json::Value;

use super::offline::tests::every_refusal;
use super::offline::{watched_json, Conflict, Info, LocalMark, Queued, State};
use crate::domain::sync::{
    DeviceId, MarkOp, OpId, OpOutcome, OpResult, Stamp, SyncResponse, MAX_BATCH,
};
use crate::domain::timesheet::Mark;
use crate::sync::{LoadOfflineBundle, OfflineBundle, OfflineGroup, SyncMarks};

const OFFLINE_JS: &str = include_str!("../../../../frontend/public/offline.js");
/// The Rust bridge, for the names of the functions it imports from `window.tabelOffline`.
const BRIDGE_RS: &str = include_str!("offline.rs");

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// The fields `obj.field` read in `js`, for the variable `obj` (`myobj.x` and `s.obj.x`
/// do not count).
fn reads(js: &str, obj: &str) -> BTreeSet<String> {
    reads_where(js, obj, |before| is_ident(before) || before == '.')
}

/// The fields `obj.field` read in `js`, for `obj` as a variable or as a property
/// (`c.obj.x` counts too).
fn reads_property(js: &str, obj: &str) -> BTreeSet<String> {
    reads_where(js, obj, is_ident)
}

fn reads_where(js: &str, obj: &str, skip: impl Fn(char) -> bool) -> BTreeSet<String> {
    let pattern = format!("{obj}.");
    let mut found = BTreeSet::new();
    for (at, _) in js.match_indices(&pattern) {
        if js[..at].chars().next_back().is_some_and(&skip) {
            continue;
        }
        let field: String = js[at + pattern.len()..]
            .chars()
            .take_while(|c| is_ident(*c))
            .collect();
        if !field.is_empty() {
            found.insert(field);
        }
    }
    found
}

/// The body of `function name(` (or `async function name(`), up to its closing brace at
/// the file's function indentation.
fn function(name: &str) -> &'static str {
    let start = OFFLINE_JS
        .find(&format!("function {name}("))
        .unwrap_or_else(|| panic!("offline.js has no function {name}"));
    let rest = &OFFLINE_JS[start..];
    let end = rest
        .find("\n  }\n")
        .unwrap_or_else(|| panic!("function {name} in offline.js does not end"));
    &rest[..end]
}

/// The text of `const NAME = …;`.
fn constant(name: &str) -> &'static str {
    let pattern = format!("const {name} = ");
    let start = OFFLINE_JS
        .find(&pattern)
        .unwrap_or_else(|| panic!("offline.js has no const {name}"))
        + pattern.len();
    let end = OFFLINE_JS[start..].find(';').unwrap() + start;
    &OFFLINE_JS[start..end]
}

/// The strings in single quotes in `text`.
fn quoted(text: &str) -> BTreeSet<String> {
    text.split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The keys `value` serializes with.
fn keys(value: &impl Serialize) -> BTreeSet<String> {
    match serde_json::to_value(value).unwrap() {
        Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

fn keys_of_all<T: Serialize>(values: &[T]) -> BTreeSet<String> {
    values.iter().flat_map(|v| keys(v)).collect()
}

/// Whether `text` has `key` as an object literal's key: `key: value`, or the shorthand
/// `{ key, …` / `…, key, …` / `…, key }`.
fn has_key(text: &str, key: &str) -> bool {
    let explicit = text
        .match_indices(&format!("{key}:"))
        .any(|(at, _)| !text[..at].chars().next_back().is_some_and(is_ident));
    let shorthand = [
        format!("{{ {key},"),
        format!(", {key},"),
        format!(", {key} }}"),
    ]
    .iter()
    .any(|pattern| text.contains(pattern.as_str()));
    explicit || shorthand
}

fn op() -> MarkOp {
    MarkOp {
        op_id: OpId::new_v7(1_741_000_000_000, [7; 10]),
        child_id: 42,
        day: "2026-10-20".parse().unwrap(),
        mark: Mark::Absent {
            reason: Some("Б".into()),
        },
        device: DeviceId::parse("tab-3f9c2a").unwrap(),
        recorded_at: 1_741_000_000_000,
    }
}

/// Every op result, so a new one must be added here.
fn every_result() -> Vec<OpResult> {
    let mut all = vec![
        OpResult::Applied,
        OpResult::Superseded {
            by: Stamp {
                recorded_at: 1,
                device: String::new(),
                op_id: String::new(),
            },
        },
        OpResult::Duplicate,
    ];
    all.extend(every_refusal().into_iter().map(OpResult::Refused));
    for result in &all {
        match result {
            OpResult::Applied
            | OpResult::Superseded { .. }
            | OpResult::Duplicate
            | OpResult::Refused(_) => {}
        }
    }
    all
}

fn status(result: &OpResult) -> String {
    serde_json::to_value(result).unwrap()["status"]
        .as_str()
        .unwrap_or_else(|| panic!("{result:?} has no status"))
        .to_owned()
}

#[test]
fn the_author_cookie_is_the_servers() {
    assert_eq!(
        constant("AUTHOR_COOKIE"),
        format!("'{}'", crate::domain::sync::AUTHOR_COOKIE)
    );
    assert_eq!(
        constant("LOGOUT_PATH"),
        format!("'{}'", crate::auth::Logout::PATH)
    );
}

#[test]
fn the_batch_size_is_the_servers() {
    assert_eq!(constant("MAX_BATCH").parse::<usize>(), Ok(MAX_BATCH));
}

#[test]
fn the_endpoints_are_the_server_functions_paths() {
    for path in [SyncMarks::PATH, LoadOfflineBundle::PATH] {
        assert!(
            OFFLINE_JS.contains(&format!("fetch('{path}'")),
            "offline.js does not fetch {path}"
        );
    }
    assert_eq!(SyncMarks::PATH, "/api/sync_marks");
    assert_eq!(LoadOfflineBundle::PATH, "/api/offline_bundle");
}

#[test]
fn the_statuses_offline_js_knows_are_the_op_results() {
    let statuses: BTreeSet<String> = every_result().iter().map(status).collect();
    assert_eq!(quoted(constant("KNOWN")), statuses);
    // The ones it treats apart.
    let apply = function("applyOutcomes");
    let compared: BTreeSet<String> = apply
        .match_indices("result.status === '")
        .map(|(at, m)| {
            let rest = &apply[at + m.len()..];
            rest[..rest.find('\'').unwrap()].to_owned()
        })
        .collect();
    assert!(!compared.is_empty());
    assert!(
        compared.is_subset(&statuses),
        "{compared:?} vs {statuses:?}"
    );
    // A local op not yet sent is `queued`, which no answer may mean.
    assert!(OFFLINE_JS.contains("status: 'queued'"));
    assert!(!statuses.contains("queued"));
}

#[test]
fn the_answer_is_read_by_the_names_it_is_sent_with() {
    let results = every_result();
    let outcome = OpOutcome {
        op_id: op().op_id.to_string(),
        result: OpResult::Applied,
    };
    let answer = SyncResponse {
        outcomes: vec![outcome.clone()],
        server_time: 1,
    };
    let apply = function("applyOutcomes");
    let drain = function("drain");
    for (read, sent, what) in [
        (reads(drain, "answer"), keys(&answer), "answer"),
        (reads(apply, "outcome"), keys(&outcome), "outcome"),
        (reads(apply, "result"), keys_of_all(&results), "result"),
    ] {
        assert!(!read.is_empty(), "offline.js reads no {what}");
        assert!(
            read.is_subset(&sent),
            "{what}: reads {read:?}, sent {sent:?}"
        );
    }
}

#[test]
fn a_refusal_reaches_the_page_whole() {
    // offline.js keeps the refusal as sent and flattens it for the page: the page's
    // `Conflict` must find every field of every refusal under the same name.
    let sent = keys_of_all(&every_refusal());
    assert_eq!(reads_property(OFFLINE_JS, "refusal"), sent);
    let conflict = keys(&Conflict {
        op_id: String::new(),
        day: String::new(),
        mark: Mark::Present,
        child_name: String::new(),
        kind: String::new(),
        code: String::new(),
        detail: String::new(),
        group: String::new(),
    });
    assert!(sent.is_subset(&conflict), "{sent:?} vs {conflict:?}");
}

#[test]
fn the_request_and_the_ops_have_the_servers_names() {
    let request = keys(&SyncMarks {
        device: op().device,
        author: Some(1),
        ops: vec![crate::domain::sync::WireOp::Read(op())],
    });
    let drain = function("drain");
    for key in &request {
        assert!(has_key(drain, key), "the request lacks {key}");
    }
    let op_keys = keys(&op());
    let read = reads_property(OFFLINE_JS, "op");
    assert!(!read.is_empty());
    assert!(
        read.is_subset(&op_keys),
        "reads {read:?} of an op {op_keys:?}"
    );
}

#[test]
fn the_queue_entries_the_page_makes_are_the_ones_offline_js_reads() {
    let entry = Queued {
        op: op(),
        info: Info {
            child_name: "Иванова Мария Сергеевна",
        },
    };
    let enqueue = function("enqueue");
    let start = enqueue
        .find("for (const {")
        .expect("enqueue destructures its items")
        + 12;
    let end = start + enqueue[start..].find('}').unwrap();
    let destructured: BTreeSet<String> = enqueue[start..end]
        .split(',')
        .map(|name| name.trim().to_owned())
        .collect();
    assert_eq!(destructured, keys(&entry));
    let info = reads_property(OFFLINE_JS, "info");
    assert!(!info.is_empty());
    assert!(info.is_subset(&keys(&entry.info)), "{info:?}");
    // And the page it watches.
    let page: Value = serde_json::from_str(&watched_json(1, "2026-10-20")).unwrap();
    let page_keys: BTreeSet<String> = page.as_object().unwrap().keys().cloned().collect();
    assert_eq!(reads(function("watch"), "page"), page_keys);
}

#[test]
fn the_state_offline_js_reports_has_every_field_the_page_reads() {
    // `State` falls back to defaults for a missing field, so a rename would go unnoticed.
    let literal = {
        let start = OFFLINE_JS.find("const state = {").unwrap();
        let end = start + OFFLINE_JS[start..].find("\n  };").unwrap();
        &OFFLINE_JS[start..end]
    };
    for key in keys(&State::default()) {
        assert!(has_key(literal, &key), "offline.js's state has no {key}");
    }
    let load = function("loadState");
    let mark = keys(&LocalMark {
        child_id: 1,
        mark: Mark::Present,
        acked_at: None,
        status: String::new(),
    });
    let conflict = keys(&Conflict {
        op_id: String::new(),
        day: String::new(),
        mark: Mark::Present,
        child_name: String::new(),
        kind: String::new(),
        code: String::new(),
        detail: String::new(),
        group: String::new(),
    });
    for key in mark.iter().chain(&conflict) {
        assert!(has_key(load, key), "loadState reports no {key}");
    }
}

#[test]
fn the_bridge_imports_what_offline_js_exports() {
    let exports = {
        let start = OFFLINE_JS
            .find(".tabelOffline = {")
            .expect("offline.js exports window.tabelOffline")
            + ".tabelOffline = {".len();
        let end = start + OFFLINE_JS[start..].find('}').unwrap();
        OFFLINE_JS[start..end]
            .split(',')
            .map(|entry| entry.split(':').next().unwrap().trim().to_owned())
            .collect::<BTreeSet<_>>()
    };
    let attribute = |name: &str| -> BTreeSet<String> {
        let pattern = format!("{name} = ");
        BRIDGE_RS
            .match_indices(&pattern)
            .map(|(at, _)| {
                BRIDGE_RS[at + pattern.len()..]
                    .chars()
                    .take_while(|c| is_ident(*c))
                    .collect()
            })
            .collect()
    };
    assert_eq!(
        attribute("js_namespace"),
        BTreeSet::from(["tabelOffline".to_owned()])
    );
    let imported = attribute("js_name");
    assert_eq!(imported.len(), 8, "{imported:?}");
    assert!(
        imported.is_subset(&exports),
        "imports {imported:?}, exports {exports:?}"
    );
}

#[test]
fn the_bundle_holds_what_offline_js_reads() {
    let group = OfflineGroup {
        id: 1,
        name: "Солнышко".into(),
    };
    let bundle = OfflineBundle {
        server_time: 1,
        today: "2026-10-20".parse().unwrap(),
        groups: vec![group.clone()],
    };
    let refresh = function("refreshBundle");
    let read = reads(refresh, "bundle");
    let sent = keys(&bundle);
    // Both ways: the bundle is cut to what is read (docs/sync-protocol.md).
    assert_eq!(read, sent, "reads {read:?}, sent {sent:?}");
    let read_group = reads(refresh, "g");
    assert!(!read_group.is_empty());
    assert!(read_group.is_subset(&keys(&group)), "{read_group:?}");
}
