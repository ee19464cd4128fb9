//! The marking page's side of offline marking. The queue, IndexedDB, the sync loop and
//! the service worker are plain JS (`frontend/public/offline.js`, `window.tabelOffline`)
//! so that the wasm bundle carries none of that plumbing; the page makes the ops itself
//! (`OpId::new_v7`, `MarkOp`), so they are the domain's own wire format.

use serde::{Deserialize, Serialize};

use crate::domain::sync::{MarkOp, Refusal};
use crate::domain::timesheet::Mark;
use crate::domain::Bilingual;

/// What offline.js reports on every change (its `state`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
#[serde(default)]
pub struct State {
    pub ready: bool,
    pub online: bool,
    pub pending: u32,
    /// Ops other people made on this tablet, waiting until they sign in again.
    pub others_pending: u32,
    pub error: Option<String>,
    pub error_en: Option<String>,
    pub saved_offline: bool,
    pub marks: Vec<LocalMark>,
    pub conflicts: Vec<Conflict>,
    pub refresh: u32,
}

/// The latest op this tablet made for a child on the watched day.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub struct LocalMark {
    pub child_id: i64,
    pub mark: Mark,
    /// When the server answered for it (server clock); `None` while queued.
    pub acked_at: Option<i64>,
    /// `queued`, or the outcome's status: `applied`, `superseded`, `duplicate`, `refused`.
    pub status: String,
}

/// A refused op. The refusal comes flat (`kind` and its fields) rather than as the
/// tagged [`Refusal`]: serde's machinery for internally tagged enums is sizeable wasm,
/// and an unknown kind must still show up, with a general message.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub struct Conflict {
    pub op_id: String,
    pub day: String,
    pub mark: Mark,
    pub child_name: String,
    pub kind: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub group: String,
}

impl Conflict {
    /// The teacher's message, in Russian and English.
    pub fn message(&self) -> (String, String) {
        let refusal = match self.kind.as_str() {
            "month_closed" => Refusal::MonthClosed,
            "no_rights" => Refusal::NoRights,
            "child_not_enrolled" => Refusal::ChildNotEnrolled,
            "child_in_other_group" => Refusal::ChildInOtherGroup {
                group: self.group.clone(),
            },
            "day_not_working" => Refusal::DayNotWorking,
            "future_day" => Refusal::FutureDay,
            "unknown_reason" => Refusal::UnknownReason {
                code: self.code.clone(),
            },
            "unknown_child" => Refusal::UnknownChild,
            "invalid" => Refusal::Invalid {
                detail: self.detail.clone(),
            },
            _ => {
                return (
                    "Сервер не принял отметку.".to_owned(),
                    "The server did not accept the mark.".to_owned(),
                )
            }
        };
        (refusal.ru(), refusal.en())
    }
}

/// One queue entry as offline.js stores it (`tabelOffline.enqueue` takes a list): the op
/// as sent, and what the conflicts list shows if it is refused.
#[derive(Serialize)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct Queued<'a> {
    pub op: MarkOp,
    pub info: Info<'a>,
}

#[derive(Serialize)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct Info<'a> {
    pub child_name: &'a str,
}

/// The page `tabelOffline.watch` is told about: `{"group_id":…,"day":"YYYY-MM-DD"}`.
/// Written by hand rather than through serde, as it always was: `day` is an ISO date.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn watched_json(group_id: i64, day: &str) -> String {
    format!(r#"{{"group_id":{group_id},"day":{day:?}}}"#)
}

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;

    use leptos::prelude::*;
    use leptos::wasm_bindgen::prelude::*;

    use super::super::marking::Marked;
    use super::{watched_json, Info, Queued, State};
    use crate::domain::sync::{DeviceId, MarkOp, OpId};

    // `catch`: offline.js may be missing (blocked, failed to load); the page then
    // saves marks directly instead of failing.
    #[wasm_bindgen(wasm_bindgen = leptos::wasm_bindgen, js_namespace = tabelOffline)]
    extern "C" {
        #[wasm_bindgen(catch, js_name = watch)]
        fn js_watch(page: &str, listener: &Closure<dyn Fn(String)>) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_name = unwatch)]
        fn js_unwatch() -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_name = enqueue)]
        fn js_enqueue(items: &str) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_name = dismiss)]
        fn js_dismiss(op_id: &str) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_name = device)]
        fn js_device() -> Result<String, JsValue>;
        #[wasm_bindgen(catch, js_name = now)]
        fn js_now() -> Result<f64, JsValue>;
        #[wasm_bindgen(catch, js_name = random)]
        fn js_random() -> Result<Vec<u8>, JsValue>;
        #[wasm_bindgen(catch, js_name = usable)]
        fn js_usable() -> Result<bool, JsValue>;
    }

    type Listener = Closure<dyn Fn(String)>;

    thread_local! {
        // The callback offline.js holds; replaced on every watch, dropped on unwatch.
        static LISTENER: RefCell<Option<Listener>> = const { RefCell::new(None) };
    }

    pub fn watch(group_id: i64, day: &str, state: RwSignal<State>) {
        let listener =
            Closure::<dyn Fn(String)>::new(
                move |json: String| match leptos::serde_json::from_str::<State>(&json) {
                    Ok(next) => {
                        state.try_set(next);
                    }
                    Err(error) => leptos::logging::warn!("offline state not understood: {error}"),
                },
            );
        let page = watched_json(group_id, day);
        if js_watch(&page, &listener).is_ok() {
            LISTENER.with(|l| *l.borrow_mut() = Some(listener));
        }
    }

    pub fn unwatch() {
        let _ = js_unwatch();
        LISTENER.with(|l| l.borrow_mut().take());
    }

    pub fn dismiss(op_id: &str) {
        let _ = js_dismiss(op_id);
    }

    /// Unix ms by the tablet's clock corrected by the last known server offset.
    pub fn now_ms() -> i64 {
        js_now().unwrap_or_else(|_| leptos::web_sys::js_sys::Date::now()) as i64
    }

    /// Queues the marks as ops; `false` if offline.js cannot keep them.
    pub fn enqueue(day: &str, marks: &[Marked]) -> bool {
        if !js_usable().unwrap_or(false) {
            return false;
        }
        let Ok(day) = day.parse() else {
            return false;
        };
        let Some(device) = js_device().ok().and_then(|d| DeviceId::parse(&d).ok()) else {
            return false;
        };
        let mut items = Vec::with_capacity(marks.len());
        for marked in marks {
            let Some(random) = js_random().ok().and_then(|r| <[u8; 10]>::try_from(r).ok()) else {
                return false;
            };
            let now = now_ms();
            let op = MarkOp {
                op_id: OpId::new_v7(u64::try_from(now).unwrap_or(0), random),
                child_id: marked.child_id,
                day,
                mark: marked.mark.clone(),
                device: device.clone(),
                recorded_at: now,
            };
            items.push(Queued {
                op,
                info: Info {
                    child_name: &marked.name,
                },
            });
        }
        leptos::serde_json::to_string(&items)
            .ok()
            .is_some_and(|json| js_enqueue(&json).is_ok())
    }
}

// The server renders the page and never marks.
#[cfg(not(feature = "hydrate"))]
pub fn watch(_group_id: i64, _day: &str, _state: leptos::prelude::RwSignal<State>) {}

#[cfg(not(feature = "hydrate"))]
pub fn unwatch() {}

#[cfg(not(feature = "hydrate"))]
pub fn dismiss(_op_id: &str) {}

#[cfg(not(feature = "hydrate"))]
pub fn enqueue(_day: &str, _marks: &[super::marking::Marked]) -> bool {
    false
}

#[cfg(not(feature = "hydrate"))]
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
pub(super) mod tests {
    use serde_json::json;

    use super::{watched_json, Conflict, LocalMark, State};
    use crate::domain::sync::Refusal;
    use crate::domain::timesheet::Mark;
    use crate::domain::Bilingual;

    /// Every refusal, with its fields filled.
    pub(in crate::attendance::page) fn every_refusal() -> Vec<Refusal> {
        Refusal::every_kind()
    }

    /// The conflict offline.js hands over for a refusal as the server sent it: the
    /// refusal's fields flattened next to the op's.
    fn conflict_of(refusal: &Refusal) -> Conflict {
        let sent = serde_json::to_value(refusal).unwrap();
        let field = |key: &str| sent[key].as_str().unwrap_or_default().to_owned();
        Conflict {
            op_id: "017f22e2-79b0-7cc3-98c4-dc0c0c07398f".into(),
            day: "2026-10-20".into(),
            mark: Mark::Present,
            child_name: "Иванова Мария Сергеевна".into(),
            kind: field("kind"),
            code: field("code"),
            detail: field("detail"),
            group: field("group"),
        }
    }

    #[test]
    fn every_refusal_the_server_sends_gets_its_own_message() {
        for refusal in every_refusal() {
            assert_eq!(
                conflict_of(&refusal).message(),
                (refusal.ru(), refusal.en()),
                "{refusal:?}"
            );
        }
    }

    #[test]
    fn an_unknown_refusal_still_gets_a_message() {
        let mut conflict = conflict_of(&Refusal::MonthClosed);
        conflict.kind = "something_new".into();
        assert_eq!(
            conflict.message(),
            (
                "Сервер не принял отметку.".to_owned(),
                "The server did not accept the mark.".to_owned()
            )
        );
    }

    #[test]
    fn the_state_reads_what_offline_js_reports() {
        let reported = json!({
            "ready": true,
            "online": false,
            "pending": 2,
            "syncing": true,
            "error": "Нет связи с сервером",
            "error_en": "No connection",
            "saved_offline": true,
            "marks": [
                { "child_id": 7, "mark": "Present", "acked_at": null, "status": "queued" },
                { "child_id": 8, "mark": { "Absent": { "reason": "Б" } }, "acked_at": 1741000200000_i64, "status": "applied" }
            ],
            "conflicts": [
                { "op_id": "x", "child_id": 9, "day": "2026-10-20", "mark": "Present",
                  "child_name": "№ 9", "kind": "month_closed", "code": "", "detail": "" }
            ],
            "refresh": 3
        });
        let state: State = serde_json::from_value(reported).unwrap();
        assert!(state.ready && !state.online && state.saved_offline);
        assert_eq!((state.pending, state.refresh), (2, 3));
        assert_eq!(state.error_en.as_deref(), Some("No connection"));
        assert_eq!(
            state.marks,
            vec![
                LocalMark {
                    child_id: 7,
                    mark: Mark::Present,
                    acked_at: None,
                    status: "queued".into()
                },
                LocalMark {
                    child_id: 8,
                    mark: Mark::Absent {
                        reason: Some("Б".into())
                    },
                    acked_at: Some(1_741_000_200_000),
                    status: "applied".into()
                },
            ]
        );
        assert_eq!(state.conflicts.len(), 1);
        assert_eq!(state.conflicts[0].message().0, Refusal::MonthClosed.ru());
    }

    #[test]
    fn a_partial_state_falls_back_to_the_defaults() {
        let state: State = serde_json::from_value(json!({ "ready": true })).unwrap();
        assert_eq!(
            state,
            State {
                ready: true,
                ..State::default()
            }
        );
    }

    #[test]
    fn a_conflict_without_code_or_detail_reads() {
        let conflict: Conflict = serde_json::from_value(json!({
            "op_id": "x", "day": "2026-10-20", "mark": "Present",
            "child_name": "№ 9", "kind": "no_rights"
        }))
        .unwrap();
        assert_eq!((conflict.code.as_str(), conflict.detail.as_str()), ("", ""));
        assert_eq!(conflict.message().1, Refusal::NoRights.en());
    }

    #[test]
    fn the_watched_page_is_json() {
        let page: serde_json::Value =
            serde_json::from_str(&watched_json(12, "2026-10-20")).unwrap();
        assert_eq!(page, json!({ "group_id": 12, "day": "2026-10-20" }));
    }
}
