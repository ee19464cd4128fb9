/// A user-facing message in both interface languages (Russian first).
pub trait Bilingual {
    fn ru(&self) -> String;
    fn en(&self) -> String;
}
