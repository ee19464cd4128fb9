//! Background work of a server instance: sending the outbox and queuing the org admins'
//! daily summaries. Every instance runs it; the outbox lease and the summaries'
//! dedupe keys keep two instances from doing the same mail twice.

use std::sync::atomic::{AtomicU64, Ordering};

use app::clock::now_millis;
use app::db::Db;
use app::domain::notice::MAX_SEND_ATTEMPTS;
use app::notices::outbox::{self, Delivery, QueuedMail};
use chrono::NaiveDate;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::configuration::WorkerSettings;
use crate::mailer::{Mailer, SendError};

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

    pub fn spawn(mut self) -> JoinHandle<()> {
        let span = tracing::info_span!("worker", name = %self.name);
        tokio::spawn(
            async move {
                tracing::info!("outbox worker started");
                loop {
                    self.tick().await;
                    tokio::time::sleep(self.settings.poll_interval).await;
                }
            }
            .instrument(span),
        )
    }

    async fn tick(&mut self) {
        if let Err(e) = self.queue_summary_if_due().await {
            tracing::error!(error = %e.en, "queuing the daily summaries failed");
        }
        // Drain what is due, a lease at a time.
        loop {
            match self.send_due().await {
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

    async fn send_due(&self) -> Result<usize, sqlx::Error> {
        let lease_ms = i64::try_from(self.settings.lease.as_millis()).unwrap_or(i64::MAX / 4);
        let mails = outbox::lease_due(&self.db, &self.name, now_millis(), lease_ms, BATCH).await?;
        for mail in &mails {
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
