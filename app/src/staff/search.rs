//! Matching the staff list against what the admin typed. Done in Rust over the
//! organisation's rows (a few hundred at most) rather than in SQL: SQLite's `LOWER`
//! and `LIKE` fold only ASCII, so «орлова» would not find «Орлова» there.

/// A search query, normalised once: trimmed, lower-cased, «ё» read as «е», split into
/// words. Every word must occur in some field for a row to match, so «Орлова Нат»
/// finds Орлова Наталья.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaffSearch {
    words: Vec<String>,
}

/// Longer input is cut: nobody types a 100-character surname, and the work per row
/// stays small.
const MAX_CHARS: usize = 100;

fn fold(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

impl StaffSearch {
    pub fn parse(raw: &str) -> Self {
        let cut: String = raw.chars().take(MAX_CHARS).collect();
        Self {
            words: fold(&cut).split_whitespace().map(str::to_owned).collect(),
        }
    }

    /// True when nothing was typed: every row matches.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether every word of the query is part of one of `fields`.
    pub fn matches(&self, fields: &[&str]) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let folded: Vec<String> = fields.iter().map(|f| fold(f)).collect();
        self.words
            .iter()
            .all(|word| folded.iter().any(|field| field.contains(word.as_str())))
    }
}

/// The page number to show: at least 1 and at most the last page (an empty list has
/// one, empty, page), so a stale link past the end shows the last page.
pub fn clamp_page(requested: i64, total: i64, per_page: i64) -> i64 {
    let pages = ((total + per_page - 1) / per_page).max(1);
    requested.clamp(1, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORLOVA: [&str; 5] = ["Орлова", "Наталья", "Викторовна", "Заведующий", "admin"];

    #[test]
    fn empty_query_matches_everything() {
        let q = StaffSearch::parse("   ");
        assert!(q.is_empty());
        assert!(q.matches(&ORLOVA));
    }

    #[test]
    fn cyrillic_is_case_insensitive() {
        assert!(StaffSearch::parse("орлова").matches(&ORLOVA));
        assert!(StaffSearch::parse("ОРЛОВА").matches(&ORLOVA));
        assert!(StaffSearch::parse("заведую").matches(&ORLOVA));
        assert!(StaffSearch::parse("ADMIN").matches(&ORLOVA));
        assert!(!StaffSearch::parse("воспитатель").matches(&ORLOVA));
    }

    #[test]
    fn yo_and_ye_are_the_same_letter() {
        let fields = ["Ершова", "Алёна", "", "Воспитатель", "ershova.a"];
        assert!(StaffSearch::parse("алена").matches(&fields));
        assert!(StaffSearch::parse("ёршова").matches(&fields));
    }

    #[test]
    fn every_word_must_match_some_field() {
        assert!(StaffSearch::parse("Орлова  Нат").matches(&ORLOVA));
        assert!(StaffSearch::parse("нат викт").matches(&ORLOVA));
        assert!(!StaffSearch::parse("Орлова Ольга").matches(&ORLOVA));
    }

    #[test]
    fn long_input_is_cut() {
        let q = StaffSearch::parse(&"а".repeat(1000));
        assert_eq!(q.words[0].chars().count(), MAX_CHARS);
    }

    #[test]
    fn pages_are_clamped() {
        assert_eq!(clamp_page(0, 0, 25), 1);
        assert_eq!(clamp_page(-3, 100, 25), 1);
        assert_eq!(clamp_page(2, 26, 25), 2);
        assert_eq!(clamp_page(3, 26, 25), 2);
        assert_eq!(clamp_page(4, 100, 25), 4);
    }
}
