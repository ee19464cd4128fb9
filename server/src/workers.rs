//! Background work of a server instance: sending the outbox and queuing the org admins'
//! daily summaries. Every instance runs it; the outbox lease and the summaries'
//! dedupe keys keep two instances from doing the same mail twice.

use std::sync::atomic::{AtomicU64, Ordering};

use app::clock::now_millis;
use app::db::Db;
use app::domain::notice::MAX_SEND_ATTEMPTS;
use app::notices::outbox::{self, Delivery, QueuedMail};
use chrono::NaiveDate;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::configuration::WorkerSettings;
use crate::mailer::{Mailer, SendError};

/// Reads the flag without holding its lock past this call (a guard must not live
/// across an await).
fn stopping(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow()
}

/// Resolves once `stop` is true (or its sender is gone).
async fn until_stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Mail taken per lease; small, so a slow mail server does not hold many rows.
const BATCH: i64 = 20;

pub struct Worker {
    db: Db,
    mailer: Mailer,
    delivery: Delivery,
    settings: WorkerSettings,
    /// Names this instance's leases in the outbox.
    name: String,
    summary_queued_for: Option<NaiveDate>,
}

fn instance_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{}-{started:x}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

impl Worker {
    pub fn new(db: Db, mailer: Mailer, delivery: Delivery, settings: WorkerSettings) -> Self {
        Self {
            db,
            mailer,
            delivery,
            settings,
            name: instance_name(),
            summary_queued_for: None,
        }
    }

    /// Works the outbox until `stop` turns true. Then the mail being sent is given
    /// `stop_wait` to finish; the leases of what was taken but not sent are given back.
    pub fn spawn(mut self, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
        let span = tracing::info_span!("worker", name = %self.name);
        tokio::spawn(
            async move {
                tracing::info!("outbox worker started");
                let db = self.db.clone();
                let name = self.name.clone();
                let stop_wait = self.settings.stop_wait;
                let mut stopped = stop.clone();
                let work = async {
                    loop {
                        self.tick(&stop).await;
                        tokio::select! {
                            () = tokio::time::sleep(self.settings.poll_interval) => {}
                            () = until_stopped(&mut stop) => break,
                        }
                    }
                };
                tokio::pin!(work);
                tokio::select! {
                    () = &mut work => {}
                    () = until_stopped(&mut stopped) => {
                        if tokio::time::timeout(stop_wait, &mut work).await.is_err() {
                            tracing::warn!("outbox: a send did not finish in time, cut off");
                        }
                    }
                }
                match outbox::release_leases(&db, &name).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(released = n, "outbox: leases given back"),
                    Err(e) => {
                        tracing::error!(error = %e, "outbox: leases not given back, they run out")
                    }
                }
                tracing::info!("outbox worker stopped");
            }
            .instrument(span),
        )
    }

    async fn tick(&mut self, stop: &watch::Receiver<bool>) {
        if let Err(e) = self.queue_summary_if_due().await {
            tracing::error!(error = %e.en, "queuing the daily summaries failed");
        }
        // Drain what is due, a lease at a time.
        while !stopping(stop) {
            match self.send_due(stop).await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::error!(error = %e, "outbox: leasing mail failed");
                    break;
                }
            }
        }
    }

    async fn queue_summary_if_due(&mut self) -> Result<(), app::error::AppError> {
        let Some(due_at) = self.settings.daily_summary_at else {
            return Ok(());
        };
        let now = chrono::Local::now();
        let today = now.date_naive();
        if now.time() < due_at || self.summary_queued_for == Some(today) {
            return Ok(());
        }
        let queued =
            app::notices::repo::queue_daily_summaries(&self.db, today, &self.delivery).await?;
        tracing::info!(%today, queued, "daily summaries queued");
        self.summary_queued_for = Some(today);
        Ok(())
    }

    async fn send_due(&self, stop: &watch::Receiver<bool>) -> Result<usize, sqlx::Error> {
        let lease_ms = i64::try_from(self.settings.lease.as_millis()).unwrap_or(i64::MAX / 4);
        let mails = outbox::lease_due(&self.db, &self.name, now_millis(), lease_ms, BATCH).await?;
        for mail in &mails {
            // The rest of the batch is given back when the worker stops.
            if stopping(stop) {
                break;
            }
            self.send_one(mail).await?;
        }
        Ok(mails.len())
    }

    async fn send_one(&self, mail: &QueuedMail) -> Result<(), sqlx::Error> {
        let retry_base_ms = i64::try_from(self.settings.retry_base.as_millis()).unwrap_or(1000);
        match self.mailer.send(mail).await {
            Ok(()) => {
                if !outbox::mark_sent(&self.db, mail.id, &self.name, now_millis()).await? {
                    tracing::warn!(id = mail.id, "mail sent after its lease was taken over");
                }
                tracing::info!(id = mail.id, attempts = mail.attempts, "mail sent");
            }
            Err(SendError::Transient(e)) => {
                tracing::warn!(id = mail.id, attempts = mail.attempts, error = %e, "mail not sent, will retry");
                outbox::mark_failed(&self.db, mail, &self.name, &e, now_millis(), retry_base_ms)
                    .await?;
            }
            Err(SendError::Permanent(e)) => {
                tracing::error!(id = mail.id, error = %e, "mail cannot be delivered, given up");
                let last = QueuedMail {
                    attempts: MAX_SEND_ATTEMPTS,
                    ..mail.clone()
                };
                outbox::mark_failed(&self.db, &last, &self.name, &e, now_millis(), retry_base_ms)
                    .await?;
            }
        }
        Ok(())
    }
}

/// The daily anonymisation of people who left long ago (`TABEL_RETENTION_YEARS`). Every
/// instance may run it: a second run the same day finds nobody left to do.
pub struct Retention {
    db: Db,
    years: u32,
}

impl Retention {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

    pub fn new(db: Db, years: u32) -> Self {
        Self { db, years }
    }

    pub fn spawn(self, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
        tokio::spawn(
            async move {
                loop {
                    let today = app::clock::today();
                    match app::retention::anonymise(&self.db, today, self.years, now_millis()).await
                    {
                        Ok(done) => tracing::info!(
                            children = done.children.len(),
                            parents = done.parents.len(),
                            cutoff = %done.cutoff,
                            "retention: anonymised those who left before the cutoff"
                        ),
                        Err(e) => tracing::error!(error = %e.en, "retention run failed"),
                    }
                    tokio::select! {
                        () = tokio::time::sleep(Self::EVERY) => {}
                        () = until_stopped(&mut stop) => break,
                    }
                }
            }
            .instrument(tracing::info_span!("retention", years = self.years)),
        )
    }
}
