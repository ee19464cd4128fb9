//! What the server counts for its operators (Prometheus, see server/src/metrics.rs).
//! Each counter is bumped after its transaction commits, so a rolled-back write is
//! never counted.

/// Marks written, by the path they came in on (`web`, `sync`, `notice-answer`).
pub const MARKS_SAVED: &str = "tabel_marks_saved_total";
/// Offline ops taken by the sync endpoint, by outcome.
pub const SYNC_OPS: &str = "tabel_sync_ops_total";
/// Password sign-ins that did not start a session, by reason.
pub const SIGN_IN_FAILURES: &str = "tabel_sign_in_failures_total";

pub fn marks_saved(path: &str, n: usize) {
    if n > 0 {
        metrics::counter!(MARKS_SAVED, "path" => path.to_owned()).increment(n as u64);
    }
}

pub fn sync_ops(outcome: &'static str, n: usize) {
    if n > 0 {
        metrics::counter!(SYNC_OPS, "outcome" => outcome).increment(n as u64);
    }
}

/// `reason`: `wrong_credentials` (login or password), `held_back` (throttled),
/// `archived` (a closed account).
pub fn sign_in_failed(reason: &'static str) {
    metrics::counter!(SIGN_IN_FAILURES, "reason" => reason).increment(1);
}
