//! Password hashing (argon2id) and one-time passwords. Hashing is CPU- and
//! memory-heavy (19 MiB per verification), so it runs on the blocking pool, never on the
//! async workers that serve other requests, and sign-in verifications pass through a
//! [`Verifier`]: a few at a time, each reusing a memory area kept for it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::Rng;
use tokio::sync::Semaphore;

use crate::error::AppError;

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| {
                tracing::error!(error = %e, "argon2 hash failed");
                AppError::internal()
            })
    })
    .await
}

/// The server cannot take another verification now; try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub retry_after: Duration,
}

/// Bounds the sign-in verifications running at once (about one per core) and those
/// waiting for a turn; beyond that a sign-in is answered «busy» at once, so a storm of
/// requests costs neither unbounded memory nor a queue nobody gets through.
pub struct Verifier {
    running: Semaphore,
    /// Requests inside `check`, running or waiting.
    admitted: AtomicUsize,
    capacity: usize,
    max_wait: Duration,
    /// Argon2's working memory, one area per running verification, kept between them:
    /// the allocator would otherwise keep every thread's freed 19 MiB.
    areas: Mutex<Vec<Vec<Block>>>,
    /// Verifications started: the tests count them.
    started: AtomicUsize,
}

/// A hash of nobody's password, so an unknown login costs the same time as a known one.
static NOBODYS_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    let password = one_time_password();
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes with its default parameters")
        .to_string()
});

impl Verifier {
    /// `running` verifications at once, `waiting` more queued for at most `max_wait`.
    pub fn new(running: usize, waiting: usize, max_wait: Duration) -> Self {
        let running = running.max(1);
        Self {
            running: Semaphore::new(running),
            admitted: AtomicUsize::new(0),
            capacity: running + waiting,
            max_wait,
            areas: Mutex::new(Vec::new()),
            started: AtomicUsize::new(0),
        }
    }

    /// One verification per core, and as many waiting as a few seconds can serve.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, 4 * cores, Duration::from_secs(5))
    }

    /// How many verifications have started since the server did.
    pub fn started(&self) -> usize {
        self.started.load(Ordering::Relaxed)
    }

    /// Whether `password` matches `stored_hash`; with no hash (an unknown login) the
    /// password is checked against nobody's, for the same cost, and is wrong.
    pub async fn check(
        &self,
        password: String,
        stored_hash: Option<String>,
    ) -> Result<Result<bool, Busy>, AppError> {
        let busy = Busy {
            retry_after: self.max_wait,
        };
        let Some(_admitted) = Admitted::enter(&self.admitted, self.capacity) else {
            return Ok(Err(busy));
        };
        let Ok(Ok(_permit)) = tokio::time::timeout(self.max_wait, self.running.acquire()).await
        else {
            return Ok(Err(busy));
        };
        self.started.fetch_add(1, Ordering::Relaxed);
        let mut area = self
            .areas
            .lock()
            .map_err(|_| AppError::internal())?
            .pop()
            .unwrap_or_default();
        let (verified, area) = tokio_blocking(move || {
            let known = stored_hash.is_some();
            let stored = stored_hash.unwrap_or_else(|| NOBODYS_HASH.clone());
            let verified = matches_hash(password.as_bytes(), &stored, &mut area)?;
            Ok((known && verified, area))
        })
        .await?;
        if let Ok(mut areas) = self.areas.lock() {
            areas.push(area);
        }
        Ok(Ok(verified))
    }
}

/// A place among the admitted requests, given back when the request is done.
struct Admitted<'a>(&'a AtomicUsize);

impl<'a> Admitted<'a> {
    fn enter(count: &'a AtomicUsize, capacity: usize) -> Option<Self> {
        if count.fetch_add(1, Ordering::AcqRel) >= capacity {
            count.fetch_sub(1, Ordering::AcqRel);
            None
        } else {
            Some(Self(count))
        }
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Argon2 verification in a caller's memory area (grown to the hash's cost if needed).
fn matches_hash(password: &[u8], stored: &str, area: &mut Vec<Block>) -> Result<bool, AppError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "stored password hash unreadable");
        AppError::internal()
    };
    let parsed = PasswordHash::new(stored).map_err(|e| unreadable(&e))?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| unreadable(&e))?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| unreadable(&e))?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(|e| unreadable(&e))?;
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return Err(unreadable(&"no hash or salt"));
    };
    let mut salt_bytes = [0u8; 64];
    let salt = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| unreadable(&e))?;
    let blocks = params.block_count();
    if area.len() < blocks {
        area.resize(blocks, Block::new());
    }
    let mut out = vec![0u8; expected.len()];
    // A password too long for argon2 is simply wrong.
    if Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut area[..blocks])
        .is_err()
    {
        return Ok(false);
    }
    // `Output`'s equality is constant-time.
    Ok(argon2::password_hash::Output::new(&out).is_ok_and(|out| out == expected))
}

/// 12 characters without look-alikes (0/O, 1/l/I), so it can be read off paper.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

async fn tokio_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "blocking task failed");
        AppError::internal()
    })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier;

    #[tokio::test]
    async fn hash_verifies_only_the_same_password() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        let parsed = PasswordHash::new(&h).unwrap();
        let argon2 = Argon2::default();
        assert!(argon2
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        assert!(argon2
            .verify_password(b"correct horse batterY", &parsed)
            .is_err());
    }

    #[tokio::test]
    async fn the_verifier_agrees_with_argon2_and_reuses_its_memory() {
        let verifier = Verifier::new(1, 0, Duration::from_secs(5));
        let h = hash("correct horse battery".into()).await.unwrap();
        // A cheaper hash in between: the kept area is larger than it needs, not wrong.
        let cheap = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"tiny", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        for (password, stored, expected) in [
            ("correct horse battery", &h, true),
            ("tiny", &cheap, true),
            ("correct horse batterY", &h, false),
            ("tiny!", &cheap, false),
            ("correct horse battery", &h, true),
        ] {
            let got = verifier
                .check(password.into(), Some(stored.clone()))
                .await
                .unwrap();
            assert_eq!(got, Ok(expected), "{password}");
        }
        assert_eq!(verifier.started(), 5);
        assert_eq!(verifier.areas.lock().unwrap().len(), 1, "one area, reused");
        // An unknown login is checked too, and is wrong even with nobody's password.
        let unknown = verifier.check("x".into(), None).await.unwrap();
        assert_eq!(unknown, Ok(false));
        assert_eq!(verifier.started(), 6);
    }

    #[tokio::test]
    async fn a_full_verifier_answers_busy_at_once() {
        let verifier = std::sync::Arc::new(Verifier::new(1, 1, Duration::from_secs(30)));
        let h = hash("p".into()).await.unwrap();
        let runs: Vec<_> = (0..6)
            .map(|_| {
                let verifier = verifier.clone();
                let h = h.clone();
                tokio::spawn(async move { verifier.check("p".into(), Some(h)).await.unwrap() })
            })
            .collect();
        let mut verified = 0;
        let mut busy = 0;
        for run in runs {
            match run.await.unwrap() {
                Ok(true) => verified += 1,
                Err(Busy { .. }) => busy += 1,
                Ok(false) => panic!("the right password was refused"),
            }
        }
        // One running and one waiting are all that were let in before the rest came.
        assert!(verified >= 2, "{verified}");
        assert!(busy >= 1, "{busy}");
        assert_eq!(verified + busy, 6);
        assert_eq!(verifier.started(), verified);
    }

    #[test]
    fn one_time_passwords_avoid_look_alikes_and_differ() {
        let a = one_time_password();
        let b = one_time_password();
        assert_eq!(a.chars().count(), 12);
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']));
        assert_ne!(a, b);
    }
}
