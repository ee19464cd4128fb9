//! Offline sync (docs/sync-protocol.md): batches of a tablet's queued marks, replays,
//! conflicts between tablets and with online saves, refusals, and a server killed in the
//! middle of a batch. Days are fixed past working days of November 2026 with the demo
//! calendar (4 Nov a holiday, 7–8 Nov a weekend); the teacher is bound to «Солнышко».

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use app::domain::sync::{
    DeviceId, MarkOp, OpId, OpResult, Refusal, Replica, Stamp, SyncResponse, MAX_BATCH,
};
use app::domain::timesheet::Mark;
use chrono::NaiveDate;
use serde_json::{json, Value};
use server::demo::{ADMIN, PARENT, TEACHER, TEACHER2};
use sqlx::Connection;

use crate::helpers::{new_client, TestApp, User};

crate::on_both_backends!(
    true,
    a_batch_applies_once_however_often_it_is_replayed,
    two_tablets_end_on_the_later_mark_in_either_order,
    an_online_save_beats_older_ops_and_loses_to_newer_ones,
    refused_ops_change_nothing_and_are_judged_again_when_resent,
    batches_are_limited_and_only_markers_may_sync,
    a_clock_ahead_of_the_server_is_clamped,
    an_unexplained_absence_asks_the_parents,
    the_offline_bundle_holds_the_groups_the_user_may_mark,
    a_damaged_op_is_refused_alone_and_the_rest_is_taken,
    a_batch_goes_only_under_its_authors_session,
);

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn day(raw: &str) -> NaiveDate {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap()
}

fn absent(reason: Option<&str>) -> Mark {
    Mark::Absent {
        reason: reason.map(str::to_owned),
    }
}

static SEQ: AtomicU64 = AtomicU64::new(1);

/// An op as a tablet makes it: a fresh UUID v7 for its recorded time. The random part
/// is a counter, so ops of one millisecond sort in the order they were made here.
fn op(device: &str, child_id: i64, on: &str, mark: Mark, recorded_at: i64) -> MarkOp {
    let mut random = [0u8; 10];
    random[3..].copy_from_slice(&SEQ.fetch_add(1, Ordering::Relaxed).to_be_bytes()[1..]);
    MarkOp {
        op_id: OpId::new_v7(recorded_at as u64, random),
        child_id,
        day: day(on),
        mark,
        device: DeviceId::parse(device).unwrap(),
        recorded_at,
    }
}

async fn send(user: &User, device: &str, ops: &[MarkOp]) -> reqwest::Response {
    user.client
        .post(format!("{}/api/sync_marks", user.address))
        .json(&json!({ "device": device, "ops": ops }))
        .send()
        .await
        .unwrap()
}

/// Syncs a batch and returns the results, checking there is one outcome per op, in order.
async fn sync(user: &User, device: &str, ops: &[MarkOp]) -> Vec<OpResult> {
    let res = send(user, device, ops).await;
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    assert_eq!(status, 200, "sync_marks answered {status}: {body}");
    let response: SyncResponse = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = response.outcomes.iter().map(|o| o.op_id.as_str()).collect();
    let sent: Vec<&str> = ops.iter().map(|o| o.op_id.as_str()).collect();
    assert_eq!(ids, sent, "outcomes in the order of the ops");
    response.outcomes.into_iter().map(|o| o.result).collect()
}

/// Syncs one op from the tablet it was made on.
async fn sync_one(user: &User, op: &MarkOp) -> OpResult {
    let mut results = sync(user, op.device.as_str(), std::slice::from_ref(op)).await;
    results.remove(0)
}

async fn child_id(app: &TestApp, surname: &str) -> i64 {
    app.scalar(&format!(
        "SELECT id FROM children WHERE surname = '{surname}'"
    ))
    .await
}

async fn group_id(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM groups WHERE name = '{name}'"))
        .await
}

/// The stored mark of a child-day with its stamp, read directly.
async fn stored(database_url: &str, child: i64, on: &str) -> Option<(Mark, Stamp)> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(database_url).await.unwrap();
    let row: Option<(String, Option<String>, i64, String, String)> = sqlx::query_as(
        "SELECT status, reason, recorded_at, device, op_id FROM marks WHERE child_id = $1 AND day = $2",
    )
    .bind(child)
    .bind(on)
    .fetch_optional(&mut conn)
    .await
    .unwrap();
    row.map(|(status, reason, recorded_at, device, op_id)| {
        let mark = if status == "present" {
            Mark::Present
        } else {
            Mark::Absent { reason }
        };
        (
            mark,
            Stamp {
                recorded_at,
                device,
                op_id,
            },
        )
    })
}

/// (op id, outcome, old status, new status) of the synced audit rows of a child-day.
async fn sync_audit(app: &TestApp, child: i64, on: &str) -> Vec<(String, String, String, String)> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query_as(
        "SELECT op_id, outcome, COALESCE(old_status, '-'), new_status FROM mark_audit \
         WHERE child_id = $1 AND day = $2 AND path = 'sync' ORDER BY id",
    )
    .bind(child)
    .bind(on)
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

/// Row counts of everything a sync writes.
async fn footprint(app: &TestApp) -> [i64; 4] {
    [
        app.count("SELECT COUNT(*) FROM marks").await,
        app.count("SELECT COUNT(*) FROM mark_audit").await,
        app.count("SELECT COUNT(*) FROM applied_ops").await,
        app.count("SELECT COUNT(*) FROM notices").await,
    ]
}

async fn a_batch_applies_once_however_often_it_is_replayed(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let t = now_ms() - 3_600_000;
    let mut batch = Vec::new();
    for (i, surname) in ["Иванова", "Петров", "Смирнова", "Кузнецов"]
        .into_iter()
        .enumerate()
    {
        let child = child_id(&app, surname).await;
        let i = i as i64;
        batch.push(op("tab-1", child, "2026-11-02", Mark::Present, t + i));
        batch.push(op(
            "tab-1",
            child,
            "2026-11-03",
            absent(Some("Б")),
            t + 10 + i,
        ));
    }
    let results = sync(&teacher, "tab-1", &batch).await;
    assert!(
        results.iter().all(|r| *r == OpResult::Applied),
        "{results:?}"
    );
    let after_first = footprint(&app).await;
    assert_eq!(after_first, [8, 8, 8, 0]);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM mark_audit WHERE path = 'sync' AND device = 'tab-1' \
             AND outcome = 'applied' AND op_id IS NOT NULL"
        )
        .await,
        8
    );
    let marks_after_first = app
        .count("SELECT CAST(SUM(recorded_at) AS BIGINT) FROM marks WHERE device = 'tab-1'")
        .await;

    // The web page shows what was synced.
    let sun = group_id(&app, "Солнышко").await;
    let sheet = teacher
        .json(
            "marking_sheet",
            &[("group_id", &sun.to_string()), ("date", "2026-11-03")],
        )
        .await;
    assert!(sheet["children"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["mark"] == json!({ "Absent": { "reason": "Б" } })));

    for _ in 0..10 {
        let results = sync(&teacher, "tab-1", &batch).await;
        assert!(
            results.iter().all(|r| *r == OpResult::Duplicate),
            "{results:?}"
        );
    }
    assert_eq!(footprint(&app).await, after_first);
    assert_eq!(
        app.count("SELECT CAST(SUM(recorded_at) AS BIGINT) FROM marks WHERE device = 'tab-1'")
            .await,
        marks_after_first
    );

    // The same op twice in one batch: the second copy is a replay.
    let ivanova = child_id(&app, "Иванова").await;
    let once = op("tab-1", ivanova, "2026-11-05", Mark::Present, t + 100);
    assert_eq!(
        sync(&teacher, "tab-1", &[once.clone(), once]).await,
        [OpResult::Applied, OpResult::Duplicate]
    );
}

async fn two_tablets_end_on_the_later_mark_in_either_order(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let t = now_ms() - 3_600_000;
    let children = [
        child_id(&app, "Иванова").await,
        child_id(&app, "Петров").await,
    ];

    // Tablet A marks present; a minute later tablet B corrects to absent. Whichever
    // syncs first, the correction stays.
    let on = "2026-11-02";
    for (child, a_first) in [(children[0], true), (children[1], false)] {
        let a = op("tab-a", child, on, Mark::Present, t);
        let b = op("tab-b", child, on, absent(Some("Б")), t + 60_000);
        if a_first {
            assert_eq!(sync_one(&teacher, &a).await, OpResult::Applied);
            assert_eq!(sync_one(&teacher, &b).await, OpResult::Applied);
        } else {
            assert_eq!(sync_one(&teacher, &b).await, OpResult::Applied);
            assert_eq!(
                sync_one(&teacher, &a).await,
                OpResult::Superseded {
                    by: b.stamp(i64::MAX)
                }
            );
        }
        assert_eq!(
            stored(&app.database_url, child, on).await,
            Some((absent(Some("Б")), b.stamp(i64::MAX)))
        );
        // Both ops are in the audit; the one that lost left the mark as it was.
        let audit = sync_audit(&app, child, on).await;
        let expected = if a_first {
            vec![
                (
                    a.op_id.to_string(),
                    "applied".into(),
                    "-".into(),
                    "present".into(),
                ),
                (
                    b.op_id.to_string(),
                    "applied".into(),
                    "present".into(),
                    "absent".into(),
                ),
            ]
        } else {
            vec![
                (
                    b.op_id.to_string(),
                    "applied".into(),
                    "-".into(),
                    "absent".into(),
                ),
                (
                    a.op_id.to_string(),
                    "superseded".into(),
                    "absent".into(),
                    "absent".into(),
                ),
            ]
        };
        assert_eq!(audit, expected);
        // The history page tells the losing op from a change.
        let history = teacher
            .json(
                "mark_history",
                &[("child_id", &child.to_string()), ("date", on)],
            )
            .await;
        let paths: Vec<&str> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["path"].as_str().unwrap())
            .collect();
        let lost = "sync (не применена: в силе более поздняя отметка)";
        assert_eq!(paths.contains(&lost), !a_first, "{paths:?}");
    }

    // Recorded at the same millisecond: the device breaks the tie ("tab-b" > "tab-a"),
    // the same way in both orders.
    let on = "2026-11-03";
    for (child, a_first) in [(children[0], true), (children[1], false)] {
        let a = op("tab-a", child, on, Mark::Present, t);
        let b = op("tab-b", child, on, absent(None), t);
        let (first, second) = if a_first { (&a, &b) } else { (&b, &a) };
        sync_one(&teacher, first).await;
        sync_one(&teacher, second).await;
        assert_eq!(
            stored(&app.database_url, child, on).await,
            Some((absent(None), b.stamp(i64::MAX))),
            "a_first = {a_first}"
        );
    }

    // Same device, same millisecond: the op id decides, the greater one stays.
    let on = "2026-11-05";
    for (child, in_order) in [(children[0], true), (children[1], false)] {
        let x = op("tab-a", child, on, Mark::Present, t);
        let y = op("tab-a", child, on, absent(Some("О")), t);
        assert!(y.op_id > x.op_id);
        let batch = if in_order {
            vec![x.clone(), y.clone()]
        } else {
            vec![y.clone(), x.clone()]
        };
        let results = sync(&teacher, "tab-a", &batch).await;
        let expected = if in_order {
            vec![OpResult::Applied, OpResult::Applied]
        } else {
            vec![
                OpResult::Applied,
                OpResult::Superseded {
                    by: y.stamp(i64::MAX),
                },
            ]
        };
        assert_eq!(results, expected);
        assert_eq!(
            stored(&app.database_url, child, on).await,
            Some((absent(Some("О")), y.stamp(i64::MAX)))
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mark_audit WHERE outcome = 'superseded'")
            .await,
        3
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applied_ops WHERE result = 'superseded'")
            .await,
        3
    );
}

async fn save_online(user: &User, group: i64, on: &str, child: i64, mark: &Mark) -> Value {
    let res = user
        .client
        .post(format!("{}/api/save_marks", user.address))
        .json(&json!({ "group_id": group, "date": on, "marks": [{ "child_id": child, "mark": mark }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.json().await.unwrap()
}

async fn an_online_save_beats_older_ops_and_loses_to_newer_ones(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = group_id(&app, "Солнышко").await;
    let ivanova = child_id(&app, "Иванова").await;
    let on = "2026-11-05";

    // Marked absent on a tablet a minute ago, not synced yet; meanwhile present online.
    let offline = op("tab-a", ivanova, on, absent(Some("Б")), now_ms() - 60_000);
    assert_eq!(
        save_online(&teacher, sun, on, ivanova, &Mark::Present).await,
        json!(1)
    );
    let (_, online) = stored(&app.database_url, ivanova, on).await.unwrap();
    assert_eq!((online.device.as_str(), online.op_id.as_str()), ("", ""));
    assert!(online.recorded_at > offline.recorded_at);
    assert_eq!(
        sync(&teacher, "tab-a", &[offline]).await,
        [OpResult::Superseded {
            by: Stamp::online(online.recorded_at)
        }]
    );
    assert_eq!(
        stored(&app.database_url, ivanova, on).await,
        Some((Mark::Present, online.clone()))
    );

    // A mark made on the tablet after the online save wins.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let newer = op("tab-a", ivanova, on, absent(Some("О")), now_ms());
    assert_eq!(sync_one(&teacher, &newer).await, OpResult::Applied);
    assert_eq!(
        stored(&app.database_url, ivanova, on).await,
        Some((absent(Some("О")), newer.stamp(i64::MAX)))
    );

    // An online save takes the mark back and resets the device and op id of the stamp.
    assert_eq!(
        save_online(&teacher, sun, on, ivanova, &Mark::Present).await,
        json!(1)
    );
    let (_, online) = stored(&app.database_url, ivanova, on).await.unwrap();
    assert_eq!((online.device.as_str(), online.op_id.as_str()), ("", ""));

    // Confirming an unchanged mark online still dates it: an op made before the
    // confirmation, synced after it, loses.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let before_confirmation = op("tab-a", ivanova, on, absent(None), now_ms());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(
        save_online(&teacher, sun, on, ivanova, &Mark::Present).await,
        json!(0),
        "nothing changed"
    );
    let (mark, confirmed) = stored(&app.database_url, ivanova, on).await.unwrap();
    assert_eq!(mark, Mark::Present);
    assert!(confirmed.recorded_at > before_confirmation.recorded_at);
    assert_eq!(
        sync(&teacher, "tab-a", &[before_confirmation]).await,
        [OpResult::Superseded { by: confirmed }]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notices").await,
        0,
        "the losing absence asked nobody"
    );
}

async fn set_closed(admin: &User, group: i64, month: &str, closed: bool) {
    let group = group.to_string();
    let mut form = vec![
        ("group_id", group.as_str()),
        ("month", month),
        ("closed", if closed { "true" } else { "false" }),
    ];
    if !closed {
        form.push(("reason", "Отметки с планшета"));
    }
    let res = admin.call("set_month_closed", &form).await;
    assert_eq!(res.status().as_u16(), 200);
}

async fn refused_ops_change_nothing_and_are_judged_again_when_resent(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let sun = group_id(&app, "Солнышко").await;
    let ivanova = child_id(&app, "Иванова").await;
    let popova = child_id(&app, "Попова").await; // «Ромашка», not the teacher's
    let morozova = child_id(&app, "Морозова").await; // another organisation
    let t = now_ms() - 3_600_000;

    // Applied before October is closed: a replay afterwards is still only a replay.
    let early = op("tab-1", ivanova, "2026-10-02", Mark::Present, t);
    assert_eq!(sync_one(&teacher, &early).await, OpResult::Applied);
    set_closed(&admin, sun, "2026-10", true).await;
    assert_eq!(
        sync(&teacher, "tab-1", &[early]).await,
        [OpResult::Duplicate]
    );
    let before = footprint(&app).await;

    let closed_month = op("tab-1", ivanova, "2026-10-01", Mark::Present, t + 1);
    let batch = vec![
        closed_month.clone(),
        op("tab-1", popova, "2026-11-02", Mark::Present, t + 2),
        op("tab-1", morozova, "2026-11-02", Mark::Present, t + 3),
        op("tab-1", ivanova, "2026-11-04", Mark::Present, t + 4),
        op("tab-1", ivanova, "2026-11-07", Mark::Present, t + 5),
        op("tab-1", ivanova, "2099-11-02", Mark::Present, t + 6),
        op("tab-1", ivanova, "2026-11-02", absent(Some("Щ")), t + 7),
        op("tab-1", ivanova, "2026-08-31", Mark::Present, t + 8),
        op("tab-1", 999_999, "2026-11-02", Mark::Present, t + 9),
        // Made on another tablet than the one sending it.
        op("tab-2", ivanova, "2026-11-02", Mark::Present, t + 10),
    ];
    let expected = [
        Refusal::MonthClosed,
        Refusal::NoRights,
        Refusal::NoRights,
        Refusal::DayNotWorking,
        Refusal::DayNotWorking,
        Refusal::FutureDay,
        Refusal::UnknownReason { code: "Щ".into() },
        Refusal::ChildNotEnrolled,
        Refusal::UnknownChild,
    ];
    let results = sync(&teacher, "tab-1", &batch).await;
    for (result, refusal) in results.iter().zip(&expected) {
        assert_eq!(*result, OpResult::Refused(refusal.clone()));
    }
    assert!(
        matches!(&results[9], OpResult::Refused(Refusal::Invalid { detail }) if detail.contains("tab-2")),
        "{:?}",
        results[9]
    );
    // On the wire, as the protocol spells it.
    let raw: Value = send(&teacher, "tab-1", &batch[..1])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        raw["outcomes"][0]["result"],
        json!({ "status": "refused", "kind": "month_closed" })
    );
    assert_eq!(footprint(&app).await, before, "refusals write nothing");

    // Resent after the month is reopened, the op is judged again and taken.
    set_closed(&admin, sun, "2026-10", false).await;
    let results = sync(&teacher, "tab-1", &batch).await;
    assert_eq!(results[0], OpResult::Applied);
    assert!(results[1..]
        .iter()
        .all(|r| matches!(r, OpResult::Refused(_))));
    assert_eq!(
        stored(&app.database_url, ivanova, "2026-10-01").await,
        Some((Mark::Present, closed_month.stamp(i64::MAX)))
    );
}

async fn batches_are_limited_and_only_markers_may_sync(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let ivanova = child_id(&app, "Иванова").await;
    let t = now_ms() - 3_600_000;
    let too_many: Vec<MarkOp> = (0..=MAX_BATCH as i64)
        .map(|i| op("tab-1", ivanova, "2026-11-02", Mark::Present, t + i))
        .collect();
    let res = send(&teacher, "tab-1", &too_many).await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["ru"]
            .as_str()
            .unwrap()
            .contains("Слишком много отметок"),
        "{err}"
    );
    assert!(err["en"].as_str().unwrap().contains("Too many marks"));
    assert_eq!(footprint(&app).await, [0, 0, 0, 0], "nothing applied");

    // A full batch is fine; each op is later than the one before, so each is applied.
    let results = sync(&teacher, "tab-1", &too_many[..MAX_BATCH]).await;
    assert!(results.iter().all(|r| *r == OpResult::Applied));
    assert_eq!(
        stored(&app.database_url, ivanova, "2026-11-02")
            .await
            .unwrap()
            .1,
        too_many[MAX_BATCH - 1].stamp(i64::MAX)
    );

    // An empty batch is a check-in: no outcomes, the server clock.
    let before = now_ms();
    let res = send(&teacher, "tab-1", &[]).await;
    assert_eq!(res.status().as_u16(), 200);
    let empty: SyncResponse = res.json().await.unwrap();
    assert!(empty.outcomes.is_empty());
    assert!(empty.server_time >= before && empty.server_time <= now_ms());

    let one = [op("tab-1", ivanova, "2026-11-03", Mark::Present, t)];
    let anonymous = User {
        client: new_client(),
        address: app.address.clone(),
    };
    assert_eq!(send(&anonymous, "tab-1", &one).await.status().as_u16(), 401);
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    assert_eq!(send(&parent, "tab-1", &one).await.status().as_u16(), 403);
    // A teacher of another organisation may sync, but not this child.
    let teacher2 = app.signed_in(TEACHER2.login, TEACHER2.password).await;
    assert_eq!(
        sync(&teacher2, "tab-1", &one).await,
        [OpResult::Refused(Refusal::NoRights)]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM marks WHERE day = '2026-11-03'")
            .await,
        0
    );
}

async fn a_clock_ahead_of_the_server_is_clamped(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let ivanova = child_id(&app, "Иванова").await;
    let on = "2026-11-23";
    let before = now_ms();
    let ahead = op("tab-fast", ivanova, on, Mark::Present, before + 86_400_000);
    let res = send(&teacher, "tab-fast", std::slice::from_ref(&ahead)).await;
    assert_eq!(res.status().as_u16(), 200);
    let response: SyncResponse = res.json().await.unwrap();
    assert_eq!(response.outcomes[0].result, OpResult::Applied);
    let (_, stamp) = stored(&app.database_url, ivanova, on).await.unwrap();
    assert!(
        stamp.recorded_at >= before && stamp.recorded_at <= response.server_time,
        "{} not within {before}..={}",
        stamp.recorded_at,
        response.server_time
    );
    assert_eq!(stamp.op_id, ahead.op_id.as_str());

    // So a correction made after it arrived wins, though its tablet's clock is right.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let correction = op("tab-slow", ivanova, on, absent(Some("Б")), now_ms());
    assert_eq!(
        sync(&teacher, "tab-slow", &[correction]).await,
        [OpResult::Applied]
    );
    // And a replay of the fast op, clamped again to a later time, is still a replay.
    assert_eq!(
        sync(&teacher, "tab-fast", &[ahead]).await,
        [OpResult::Duplicate]
    );
    assert_eq!(
        stored(&app.database_url, ivanova, on).await.unwrap().0,
        absent(Some("Б"))
    );
}

async fn an_unexplained_absence_asks_the_parents(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let ivanova = child_id(&app, "Иванова").await;
    let on = "2026-11-23";
    let t = now_ms() - 3_600_000;
    let request = format!(
        "SELECT COUNT(*) FROM notices WHERE child_id = {ivanova} AND day = '{on}' \
         AND kind = 'reason_request' AND closed_at IS NULL"
    );

    assert_eq!(
        sync(
            &teacher,
            "tab-1",
            &[op("tab-1", ivanova, on, absent(None), t)]
        )
        .await,
        [OpResult::Applied]
    );
    assert_eq!(app.count(&request).await, 1);
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let inbox = parent.json("inbox", &[]).await;
    assert!(inbox.to_string().contains(on), "{inbox}");

    // The reason given later on the tablet withdraws the question.
    assert_eq!(
        sync(
            &teacher,
            "tab-1",
            &[op("tab-1", ivanova, on, absent(Some("Б")), t + 1_000)]
        )
        .await,
        [OpResult::Applied]
    );
    assert_eq!(app.count(&request).await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notices WHERE closed_at IS NOT NULL")
            .await,
        1
    );
}

async fn the_offline_bundle_holds_the_groups_the_user_may_mark(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let bundle = teacher.json("offline_bundle", &[]).await;
    let sun = group_id(&app, "Солнышко").await;
    // Only what offline.js reads: the server clock, its date and the groups to keep
    // today's marking page of. No children, marks, absences, reasons or calendar.
    let keys: BTreeSet<&str> = bundle
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["groups", "server_time", "today"]),
        "{bundle}"
    );
    assert_eq!(
        bundle["groups"],
        json!([{ "id": sun, "name": "Солнышко" }]),
        "{bundle}"
    );
    for personal in ["Иванова", "Мария", "enrol", "mark", "planned", "reason"] {
        assert!(
            !bundle.to_string().contains(personal),
            "{personal} in the bundle: {bundle}"
        );
    }
    // The server's date and clock.
    let today = day(bundle["today"].as_str().unwrap());
    assert!((today - chrono::Local::now().date_naive()).num_days().abs() <= 1);
    let server_time = bundle["server_time"].as_i64().unwrap();
    assert!((server_time - now_ms()).abs() < 60_000);

    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let names: BTreeSet<String> = admin.json("offline_bundle", &[]).await["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["Звёздочка", "Ромашка", "Солнышко"]
            .map(String::from)
            .into()
    );
    let teacher2 = app.signed_in(TEACHER2.login, TEACHER2.password).await;
    let other = teacher2.json("offline_bundle", &[]).await;
    assert_eq!(other["groups"].as_array().unwrap().len(), 1);
    assert_eq!(other["groups"][0]["name"], "Радуга");

    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    assert_eq!(
        parent.call("offline_bundle", &[]).await.status().as_u16(),
        403
    );
    let anonymous = User {
        client: new_client(),
        address: app.address.clone(),
    };
    assert_eq!(
        anonymous
            .call("offline_bundle", &[])
            .await
            .status()
            .as_u16(),
        401
    );
}

/// The real `tabel` binary killed with SIGKILL in the middle of a sync batch, started
/// again on the same database (SQLite, and PostgreSQL with its own transactions and
/// connection pool), and sent the whole batch again: nothing is lost and nothing is
/// applied twice.
#[cfg(unix)]
mod killed {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use chrono::{Datelike, NaiveDate, Weekday};
    use sqlx::Connection;

    use super::*;

    /// A running `tabel` process, killed when dropped so a failing test leaves none.
    struct Tabel {
        child: Child,
        address: String,
        log: PathBuf,
    }

    impl Tabel {
        /// On `database_url` (PostgreSQL), or on SQLite in `dir` when `None`.
        async fn start(dir: &Path, database_url: Option<&str>, run: usize) -> Self {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let log = dir.join(format!("tabel-{run}.log"));
            let mut command = Command::new(env!("CARGO_BIN_EXE_tabel"));
            command.arg("--demo").env_clear();
            if let Some(url) = database_url {
                command.env("DATABASE_URL", url);
            }
            let child = command
                .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
                .env("LEPTOS_OUTPUT_NAME", "tabel")
                .env("TABEL_DATA_DIR", dir)
                .env("RUST_LOG", "warn")
                .current_dir(dir)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .unwrap();
            let mut tabel = Self {
                child,
                address: format!("http://127.0.0.1:{port}"),
                log,
            };
            tabel.wait_until_healthy().await;
            tabel
        }

        async fn wait_until_healthy(&mut self) {
            let client = reqwest::Client::new();
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                if let Some(status) = self.child.try_wait().unwrap() {
                    panic!(
                        "tabel exited with {status}:\n{}",
                        std::fs::read_to_string(&self.log).unwrap_or_default()
                    );
                }
                let health = client
                    .get(format!("{}/health_check", self.address))
                    .send()
                    .await;
                if health.is_ok_and(|r| r.status().is_success()) {
                    return;
                }
                assert!(Instant::now() < deadline, "tabel did not start in 60 s");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }

        async fn teacher(&self) -> User {
            let client = new_client();
            let res = client
                .post(format!("{}/api/login", self.address))
                .form(&[("login", TEACHER.login), ("password", TEACHER.password)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 200);
            User {
                client,
                address: self.address.clone(),
            }
        }

        /// SIGKILL: no graceful shutdown, no chance to finish the running request.
        fn kill(&mut self) {
            self.child.kill().unwrap();
            self.child.wait().unwrap();
        }
    }

    impl Drop for Tabel {
        fn drop(&mut self) {
            if let Ok(None) = self.child.try_wait() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }

    async fn connect(url: &str) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(url).await.unwrap()
    }

    async fn count(url: &str, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .fetch_one(&mut connect(url).await)
            .await
            .unwrap();
        n
    }

    async fn applied_op_ids(url: &str) -> BTreeSet<String> {
        sqlx::query_as::<_, (String,)>("SELECT op_id FROM applied_ops")
            .fetch_all(&mut connect(url).await)
            .await
            .unwrap()
            .into_iter()
            .map(|(id,)| id)
            .collect()
    }

    /// MAX_BATCH distinct child-days of «Солнышко», the working days from the start of
    /// the school year on.
    async fn child_days(url: &str) -> Vec<(i64, NaiveDate)> {
        let children: Vec<(i64,)> = sqlx::query_as(
            "SELECT c.id FROM children c JOIN groups g ON g.id = c.group_id \
             WHERE g.name = 'Солнышко' ORDER BY c.id",
        )
        .fetch_all(&mut connect(url).await)
        .await
        .unwrap();
        let holiday = day("2026-11-04");
        let days = day("2026-09-01")
            .iter_days()
            .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && *d != holiday);
        days.flat_map(|d| children.iter().map(move |(c,)| (*c, d)))
            .take(MAX_BATCH)
            .collect()
    }

    /// One batch over every child-day, each op later than those of earlier rounds, so
    /// each round replaces all marks.
    fn batch(round: usize, base: i64, keys: &[(i64, NaiveDate)]) -> Vec<MarkOp> {
        keys.iter()
            .enumerate()
            .map(|(i, (child, on))| {
                let mark = match (round + i) % 3 {
                    0 => Mark::Present,
                    1 => absent(Some("Б")),
                    _ => absent(None),
                };
                op(
                    "tab-crash",
                    *child,
                    &on.to_string(),
                    mark,
                    base + (round * 10_000 + i) as i64,
                )
            })
            .collect()
    }

    /// child_id, day, status, reason, recorded_at, device, op_id.
    type MarkRow = (i64, String, String, Option<String>, i64, String, String);

    /// Everything the batch must have left, after it was answered in full.
    async fn assert_complete(url: &str, sent: &[Vec<MarkOp>]) {
        let all: Vec<&MarkOp> = sent.iter().flatten().collect();
        let ids = applied_op_ids(url).await;
        assert_eq!(ids.len(), all.len(), "each op once in applied_ops");
        assert!(all.iter().all(|op| ids.contains(op.op_id.as_str())));
        assert_eq!(
            count(url, "SELECT COUNT(*) FROM mark_audit WHERE path = 'sync'").await,
            all.len() as i64,
            "one audit row per op"
        );
        let mut replica = Replica::default();
        for op in &all {
            replica.apply(op);
        }
        let rows: Vec<MarkRow> = sqlx::query_as(
            "SELECT child_id, day, status, reason, recorded_at, device, op_id FROM marks",
        )
        .fetch_all(&mut connect(url).await)
        .await
        .unwrap();
        let marks: BTreeMap<(i64, NaiveDate), (Stamp, Mark)> = rows
            .into_iter()
            .map(|(child, on, status, reason, recorded_at, device, op_id)| {
                let mark = if status == "present" {
                    Mark::Present
                } else {
                    Mark::Absent { reason }
                };
                (
                    (child, day(&on)),
                    (
                        Stamp {
                            recorded_at,
                            device,
                            op_id,
                        },
                        mark,
                    ),
                )
            })
            .collect();
        assert_eq!(marks, replica.marks, "the marks are the ops' values");
        let unexplained = replica
            .marks
            .values()
            .filter(|(_, mark)| *mark == absent(None))
            .count() as i64;
        assert_eq!(
            count(
                url,
                "SELECT COUNT(*) FROM notices WHERE kind = 'reason_request' AND closed_at IS NULL"
            )
            .await,
            unexplained,
            "the parents are asked exactly about the unexplained absences"
        );
    }

    #[tokio::test]
    async fn a_sync_killed_midway_is_completed_by_resending() {
        killed_midway(None).await;
    }

    #[tokio::test]
    async fn a_sync_killed_midway_on_postgres_is_completed_by_resending() {
        if let Some(url) = crate::helpers::fresh_database(crate::helpers::Backend::Postgres).await {
            killed_midway(Some(&url)).await;
        }
    }

    async fn killed_midway(postgres: Option<&str>) {
        let dir = std::env::temp_dir().join(format!(
            "tabel_kill_{}_{}_{}",
            std::process::id(),
            if postgres.is_some() { "pg" } else { "sqlite" },
            now_ms()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let sqlite = format!("sqlite://{}?mode=rw", dir.join("tabel.db").display());
        let url = postgres.unwrap_or(&sqlite);

        let mut tabel = Tabel::start(&dir, postgres, 0).await;
        let keys = child_days(url).await;
        assert_eq!(keys.len(), MAX_BATCH);
        let base = now_ms() - 3_600_000;
        let mut sent = Vec::new();

        // An uninterrupted round, to time a batch on this machine.
        let teacher = tabel.teacher().await;
        let first = batch(0, base, &keys);
        let started = Instant::now();
        let results = sync(&teacher, "tab-crash", &first).await;
        let full = started.elapsed();
        assert!(results.iter().all(|r| *r == OpResult::Applied));
        sent.push(first);
        assert_complete(url, &sent).await;

        let delays = [Duration::from_millis(1), full / 5, full / 2, full * 4 / 5];
        let mut cut_midway = 0;
        for (round, delay) in (1..).zip(delays) {
            let ops = batch(round, base, &keys);
            let teacher = tabel.teacher().await;
            let request = teacher
                .client
                .post(format!("{}/api/sync_marks", teacher.address))
                .json(&json!({ "device": "tab-crash", "ops": &ops }))
                .send();
            let in_flight = tokio::spawn(request);
            tokio::time::sleep(delay).await;
            tabel.kill();
            // Whether the answer made it out before the kill or not, the client resends.
            let _ = in_flight.await;
            let ids = applied_op_ids(url).await;
            let committed = ops
                .iter()
                .filter(|op| ids.contains(op.op_id.as_str()))
                .count();
            eprintln!(
                "round {round}: killed {delay:?} after sending (a batch takes {full:?}), \
                 {committed} of {} ops committed",
                ops.len()
            );
            if committed > 0 && committed < ops.len() {
                cut_midway += 1;
            }

            tabel = Tabel::start(&dir, postgres, round).await;
            let teacher = tabel.teacher().await;
            let results = sync(&teacher, "tab-crash", &ops).await;
            let duplicates = results
                .iter()
                .filter(|r| **r == OpResult::Duplicate)
                .count();
            assert!(
                results
                    .iter()
                    .all(|r| matches!(r, OpResult::Applied | OpResult::Duplicate)),
                "{results:?}"
            );
            assert_eq!(
                duplicates, committed,
                "exactly the ops committed before the kill come back as duplicates"
            );
            sent.push(ops);
            assert_complete(url, &sent).await;
        }
        assert!(
            cut_midway > 0,
            "no kill landed in the middle of a batch; the timing needs a look"
        );
        drop(tabel);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

async fn a_damaged_op_is_refused_alone_and_the_rest_is_taken(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let ivanova = child_id(&app, "Иванова").await;
    let t = now_ms() - 3_600_000;
    let good = op("tab-1", ivanova, "2026-11-02", Mark::Present, t);
    let later = op("tab-1", ivanova, "2026-11-03", Mark::Present, t + 1);
    let mut no_day = serde_json::to_value(&later).unwrap();
    no_day["op_id"] = json!(OpId::new_v7(t as u64 + 2, [9; 10]).as_str());
    no_day["day"] = json!("2026-02-31");
    let bad_id = json!({ "op_id": "not-a-uuid", "child_id": ivanova, "day": "2026-11-05",
        "mark": "Present", "device": "tab-1", "recorded_at": t });
    let batch = json!({
        "device": "tab-1",
        "ops": [serde_json::to_value(&good).unwrap(), bad_id, no_day, 42, serde_json::to_value(&later).unwrap()],
    });
    let res = teacher
        .client
        .post(format!("{}/api/sync_marks", app.address))
        .json(&batch)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    let response: SyncResponse = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = response.outcomes.iter().map(|o| o.op_id.as_str()).collect();
    assert_eq!(ids.len(), 5, "one outcome per op, in order");
    assert_eq!(ids[0], good.op_id.as_str());
    assert_eq!(ids[1], "not-a-uuid", "a damaged id is echoed as sent");
    assert_eq!(ids[3], "", "an op with no id at all");
    assert_eq!(ids[4], later.op_id.as_str());
    let results: Vec<&OpResult> = response.outcomes.iter().map(|o| &o.result).collect();
    assert_eq!(*results[0], OpResult::Applied);
    assert_eq!(*results[4], OpResult::Applied);
    for damaged in &results[1..4] {
        assert!(
            matches!(damaged, OpResult::Refused(Refusal::Invalid { .. })),
            "{damaged:?}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM marks WHERE day IN ('2026-11-02', '2026-11-03')")
            .await,
        2,
        "the good ops were applied"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applied_ops").await,
        2,
        "nothing was recorded for the damaged ones"
    );

    // A body that is no batch at all is the client's fault: 400, never 500.
    for garbage in [
        json!({ "device": "tab-1" }),
        json!({ "device": "", "ops": [] }),
        json!("x"),
    ] {
        let res = teacher
            .client
            .post(format!("{}/api/sync_marks", app.address))
            .json(&garbage)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 400, "{garbage}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["kind"], "invalid", "{garbage}");
    }
}

/// The `tabel_author` cookie a sign-in or sign-out sets, as (value, max-age).
fn author_cookie(res: &reqwest::Response) -> Option<(String, String)> {
    let set = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tabel_author="))?;
    assert!(
        !set.contains("HttpOnly"),
        "the tablet's scripts read it: {set}"
    );
    let value = set["tabel_author=".len()..].split(';').next()?.to_owned();
    let max_age = set.split("Max-Age=").nth(1)?.split(';').next()?.to_owned();
    Some((value, max_age))
}

/// On a shared tablet teacher A's queued marks must not be sent under B's session: the
/// tablet learns who is signed in from a cookie, and the server refuses a batch whose
/// author is someone else, applying nothing of it.
async fn a_batch_goes_only_under_its_authors_session(app: TestApp) {
    let person = |login: &str| format!("SELECT person_id FROM accounts WHERE login = '{login}'");
    let teacher_id = app.scalar(&person(TEACHER.login)).await;
    let admin_id = app.scalar(&person(ADMIN.login)).await;

    let client = new_client();
    let res = app.login_with(&client, ADMIN.login, ADMIN.password).await;
    assert_eq!(res.status().as_u16(), 200);
    let (value, max_age) = author_cookie(&res).expect("sign-in names the author");
    assert_eq!(value, admin_id.to_string());
    assert_ne!(max_age, "0");
    let admin = User {
        client,
        address: app.address.clone(),
    };

    let ivanova = child_id(&app, "Иванова").await;
    let ops = [op(
        "tab-1",
        ivanova,
        "2026-11-02",
        Mark::Present,
        now_ms() - 60_000,
    )];
    let send_as = |author: i64| {
        admin
            .client
            .post(format!("{}/api/sync_marks", admin.address))
            .json(&json!({ "device": "tab-1", "author": author, "ops": ops }))
            .send()
    };
    let res = send_as(teacher_id).await.unwrap();
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["kind"], "conflict", "{err}");
    assert_eq!(err["field"], "author", "{err}");
    assert!(
        err["ru"]
            .as_str()
            .unwrap()
            .contains("другой учётной записью"),
        "{err}"
    );
    assert!(
        err["en"].as_str().unwrap().contains("another account"),
        "{err}"
    );
    assert_eq!(footprint(&app).await, [0, 0, 0, 0], "nothing of it applied");

    let res = send_as(admin_id).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let answer: SyncResponse = res.json().await.unwrap();
    assert_eq!(answer.outcomes[0].result, OpResult::Applied);

    let res = admin.call("logout", &[]).await;
    let (value, max_age) = author_cookie(&res).expect("sign-out clears the author");
    assert_eq!((value.as_str(), max_age.as_str()), ("", "0"));
}
