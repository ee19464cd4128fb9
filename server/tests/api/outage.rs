//! The database going away under load and coming back (a PostgreSQL restart, a failover,
//! a network cut): Tabel keeps running, answers 503 «try again» while the database is
//! gone, and works again once it is back, without a restart.
//!
//! A proxy of the test's own stands between Tabel and PostgreSQL: the «outage» drops
//! every connection through it and refuses new ones, which Tabel sees exactly as it
//! would see the server restarting.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use server::demo::TEACHER;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::helpers::{fresh_database, new_client, spawn_on, TestApp, User};

/// A TCP proxy to PostgreSQL that can be cut off.
struct Proxy {
    address: SocketAddr,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let links = Arc::new(Mutex::new(Vec::new()));
        let (accept_up, accept_links) = (up.clone(), links.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if !accept_up.load(Ordering::SeqCst) {
                    // Down: the connection is closed at once, as a restarting server's is.
                    drop(inbound);
                    continue;
                }
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                accept_links.lock().unwrap().push(link);
            }
        });
        Self { address, up, links }
    }

    /// Every open connection is cut and new ones are refused.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// What one request got: the status, and the error kind for a failure.
#[derive(Debug)]
enum Answer {
    Ok,
    Failed {
        status: u16,
        kind: String,
    },
    /// No HTTP answer at all (connection reset, or none within 30 s).
    Unanswered(String),
}

async fn read_sheet(user: &User, group: &str, day: &str) -> Answer {
    let res = user
        .client
        .post(format!("{}/api/marking_sheet", user.address))
        .form(&[("group_id", group), ("date", day)])
        .timeout(Duration::from_secs(30))
        .send()
        .await;
    match res {
        Err(err) => Answer::Unanswered(err.to_string()),
        Ok(res) if res.status().is_success() => Answer::Ok,
        Ok(res) => {
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or_default();
            Answer::Failed {
                status,
                kind: body["kind"].as_str().unwrap_or_default().to_owned(),
            }
        }
    }
}

/// Readers that keep reading the marking sheet until told to stop; each returns its
/// answers in order, labelled with the phase they were sent and answered in.
fn readers(
    users: &[User],
    group: &str,
    phase: &Arc<Mutex<&'static str>>,
    stop: &Arc<AtomicBool>,
) -> Vec<JoinHandle<Vec<(&'static str, Answer)>>> {
    users
        .iter()
        .cloned()
        .map(|user| {
            let (group, phase, stop) = (group.to_owned(), phase.clone(), stop.clone());
            tokio::spawn(async move {
                let mut answers = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let sent_in = *phase.lock().unwrap();
                    let answer = read_sheet(&user, &group, "2026-11-02").await;
                    // A request the cut or the return caught in flight belongs to neither side.
                    let label = if *phase.lock().unwrap() == sent_in {
                        sent_in
                    } else {
                        "changing"
                    };
                    answers.push((label, answer));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                answers
            })
        })
        .collect()
}

async fn health(app: &TestApp) -> u16 {
    app.client
        .get(format!("{}/health_check", app.address))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_database_restart_under_load_is_survived() {
    let Some(direct) = fresh_database(crate::helpers::Backend::Postgres).await else {
        return;
    };
    let mut url = reqwest::Url::parse(&direct).unwrap();
    let upstream: SocketAddr =
        format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432))
            .parse()
            .expect("PostgreSQL on an IP address (loopback in the tests)");
    let proxy = Proxy::start(upstream).await;
    url.set_port(Some(proxy.address.port())).unwrap();
    let app = spawn_on(url.as_str(), true, |s| {
        s.timeouts.database = Duration::from_secs(2);
    })
    .await;

    let mut users = Vec::new();
    for _ in 0..4 {
        let client = new_client();
        let res = app
            .login_with(&client, TEACHER.login, TEACHER.password)
            .await;
        assert_eq!(res.status().as_u16(), 200);
        users.push(User {
            client,
            address: app.address.clone(),
        });
    }
    let group = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await
        .to_string();

    let phase = Arc::new(Mutex::new("before"));
    let stop = Arc::new(AtomicBool::new(false));
    let running = readers(&users, &group, &phase, &stop);
    tokio::time::sleep(Duration::from_millis(800)).await;

    *phase.lock().unwrap() = "outage";
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(health(&app).await, 503, "the health check tells the outage");

    *phase.lock().unwrap() = "recovering";
    proxy.restore();
    let mut waited = 0;
    while health(&app).await != 200 {
        waited += 1;
        assert!(waited < 300, "Tabel did not find its database again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    *phase.lock().unwrap() = "after";
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::SeqCst);

    let mut seen = std::collections::BTreeMap::<(&str, String), usize>::new();
    for reader in running {
        for (sent_in, answer) in reader.await.unwrap() {
            let what = match &answer {
                Answer::Ok => "200".to_owned(),
                Answer::Failed { status, kind } => format!("{status} {kind}"),
                Answer::Unanswered(err) => format!("no answer: {err}"),
            };
            *seen.entry((sent_in, what)).or_default() += 1;
        }
    }
    eprintln!("answers by phase: {seen:?}");
    for (sent_in, what) in seen.keys() {
        match *sent_in {
            "before" | "after" => assert_eq!(what, "200", "{sent_in}: {seen:?}"),
            // Sent before the cut was noticed, a request may still succeed.
            _ => assert!(
                what == "200" || what == "503 unavailable",
                "{sent_in}: a clean «try again» or a success, not {what}: {seen:?}"
            ),
        }
    }
    assert!(
        seen.contains_key(&("outage", "503 unavailable".to_owned())),
        "the outage was felt: {seen:?}"
    );
    assert!(seen.contains_key(&("after", "200".to_owned())), "{seen:?}");

    // Writing works again too, through the same process.
    let teacher = &users[0];
    let child = app
        .scalar("SELECT id FROM children WHERE surname = 'Иванова'")
        .await;
    let op = json!({
        "op_id": app::domain::sync::OpId::new_v7(1_790_000_000_000, [9; 10]).to_string(),
        "child_id": child,
        "day": "2026-11-02",
        "mark": "Present",
        "device": "tab-outage",
        "recorded_at": 1_790_000_000_000i64,
    });
    let res = teacher
        .client
        .post(format!("{}/api/sync_marks", teacher.address))
        .json(&json!({ "device": "tab-outage", "ops": [op] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(
        answer["outcomes"][0]["result"]["status"], "applied",
        "{answer}"
    );
}
