//! Password hashing (argon2id) and one-time passwords. Hashing is CPU-heavy, so it
//! runs on the blocking pool, never on the async workers that serve other requests.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::Rng;

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

pub async fn verify(password: String, stored_hash: String) -> Result<bool, AppError> {
    tokio_blocking(move || {
        let parsed = PasswordHash::new(&stored_hash).map_err(|e| {
            tracing::error!(error = %e, "stored password hash unreadable");
            AppError::internal()
        })?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
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

    #[tokio::test]
    async fn hash_verifies_only_the_same_password() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), h.clone())
            .await
            .unwrap());
        assert!(!verify("correct horse batterY".into(), h).await.unwrap());
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
