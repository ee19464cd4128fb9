//! Sending one queued mail over SMTP (lettre).

use std::time::Duration;

use app::notices::outbox::QueuedMail;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::configuration::MailSettings;

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("TABEL_SMTP_URL is not valid: {0}")]
    Url(#[from] lettre::transport::smtp::Error),
    #[error("TABEL_MAIL_FROM is not a valid address: {0}")]
    From(#[from] lettre::address::AddressError),
}

/// Why a mail did not go: worth another try later, or never deliverable as written.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Self, MailerError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Self {
            transport,
            from: settings.from.parse()?,
        })
    }

    pub async fn send(&self, mail: &QueuedMail) -> Result<(), SendError> {
        let to: Mailbox = mail
            .to_address
            .parse()
            .map_err(|e| SendError::Permanent(format!("recipient address: {e}")))?;
        // The same Message-ID on every attempt: a resend after a crash is recognisable
        // as the same letter.
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(format!(
                "<tabel-outbox-{}@{}>",
                mail.id,
                self.from.email.domain()
            )))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| SendError::Permanent(format!("message: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}
