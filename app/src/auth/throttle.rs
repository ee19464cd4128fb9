//! The rule for when a sign-in attempt may have its password checked.
//!
//! Wrong passwords are counted per login *and* client address: five in a quarter of an
//! hour hold back that address for that login, and nobody else. So a stranger cannot
//! lock a teacher out by guessing at her login. A slower limit over all addresses stops
//! guessing spread across many addresses; it does not hold back an address the login has
//! signed in from before, so even then the owner gets in from her own tablet.

/// How many unsuccessful attempts are allowed, and over what time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Attempts from one address for one login.
    pub per_address: i64,
    /// Attempts for one login from all addresses together.
    pub per_login: i64,
    pub window_ms: i64,
}

impl Limits {
    pub const DEFAULT: Self = Self {
        per_address: 5,
        per_login: 50,
        window_ms: 15 * 60 * 1000,
    };
}

/// What is known about the attempts before this one, within the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// Attempts (not yet cleared by a success) from this address for this login.
    pub from_address: i64,
    /// Attempts for this login from every address.
    pub for_login: i64,
    /// This login has signed in from this address before.
    pub known_address: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password (and count the attempt before checking it).
    Check,
    /// Refused without checking: too many attempts from this address.
    AddressHeldBack,
    /// Refused without checking: the login is being guessed at from many addresses.
    LoginHeldBack,
}

pub fn judge(record: Record, limits: Limits) -> Verdict {
    if record.from_address >= limits.per_address {
        Verdict::AddressHeldBack
    } else if record.for_login >= limits.per_login && !record.known_address {
        Verdict::LoginHeldBack
    } else {
        Verdict::Check
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(from_address: i64, for_login: i64, known_address: bool) -> Record {
        Record {
            from_address,
            for_login,
            known_address,
        }
    }

    #[test]
    fn the_fifth_wrong_password_from_an_address_is_its_last() {
        let limits = Limits::DEFAULT;
        assert_eq!(judge(record(4, 4, false), limits), Verdict::Check);
        assert_eq!(judge(record(5, 5, false), limits), Verdict::AddressHeldBack);
        // Not even a known address gets more guesses.
        assert_eq!(judge(record(5, 5, true), limits), Verdict::AddressHeldBack);
    }

    #[test]
    fn another_address_is_not_held_back_by_a_strangers_guesses() {
        assert_eq!(judge(record(0, 5, false), Limits::DEFAULT), Verdict::Check);
        assert_eq!(judge(record(0, 49, false), Limits::DEFAULT), Verdict::Check);
    }

    #[test]
    fn guessing_from_many_addresses_holds_back_only_unknown_ones() {
        let limits = Limits::DEFAULT;
        assert_eq!(judge(record(0, 50, false), limits), Verdict::LoginHeldBack);
        assert_eq!(judge(record(0, 50, true), limits), Verdict::Check);
        assert_eq!(judge(record(4, 500, true), limits), Verdict::Check);
    }
}
