//! Whose word counts on a reason's fee flags: the region's reference book sets the
//! defaults, a municipality may change «excused» and «charged» for its kindergartens
//! (fee exemptions are a municipal decision), and an organisation's own row of the
//! reason overrides both.

use serde::{Deserialize, Serialize};

use super::timesheet::AbsenceReason;

/// A municipality's «excused» and «charged» for one regional reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalFlags {
    pub code: String,
    pub excused: bool,
    pub charged: bool,
}

/// Which layer a reason's flags came from, for the screens that explain them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlagSource {
    Region,
    Municipality,
    Organisation,
}

/// The reason book an organisation works with: `regional` in its order, each flagged by
/// the municipality where it says so, then replaced by the organisation's own row of
/// the same code; the organisation's codes the region lacks come last, in their order.
pub fn resolve(
    regional: &[AbsenceReason],
    municipal: &[MunicipalFlags],
    own: &[AbsenceReason],
) -> Vec<(AbsenceReason, FlagSource)> {
    let mut book: Vec<(AbsenceReason, FlagSource)> = regional
        .iter()
        .map(
            |reason| match municipal.iter().find(|m| m.code == reason.code) {
                Some(flags) => (
                    AbsenceReason {
                        excused: flags.excused,
                        charged: flags.charged,
                        ..reason.clone()
                    },
                    FlagSource::Municipality,
                ),
                None => (reason.clone(), FlagSource::Region),
            },
        )
        .collect();
    for reason in own {
        match book.iter_mut().find(|(r, _)| r.code == reason.code) {
            Some(entry) => *entry = (reason.clone(), FlagSource::Organisation),
            None => book.push((reason.clone(), FlagSource::Organisation)),
        }
    }
    book
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(code: &str, excused: bool, charged: bool) -> MunicipalFlags {
        MunicipalFlags {
            code: code.into(),
            excused,
            charged,
        }
    }

    fn find<'a>(
        book: &'a [(AbsenceReason, FlagSource)],
        code: &str,
    ) -> &'a (AbsenceReason, FlagSource) {
        book.iter().find(|(r, _)| r.code == code).unwrap()
    }

    #[test]
    fn the_municipality_changes_the_regional_flags_and_the_organisation_overrides_both() {
        let regional = AbsenceReason::defaults();
        // The municipality charges parents for a vacation and excuses «П» no longer.
        let municipal = [flags("О", true, true), flags("П", false, true)];
        // The organisation exempts vacations after all, and adds a reason of its own.
        let mut own_vacation = AbsenceReason::defaults()[1].clone();
        own_vacation.charged = false;
        let own_reason = AbsenceReason {
            code: "Д".into(),
            name_ru: "Домашний режим".into(),
            name_en: "Home regime".into(),
            excused: true,
            charged: false,
            archived: false,
        };
        let book = resolve(&regional, &municipal, &[own_vacation, own_reason]);

        let (illness, source) = find(&book, "Б");
        assert_eq!(
            (illness.excused, illness.charged, *source),
            (true, false, FlagSource::Region)
        );
        let (other, source) = find(&book, "П");
        assert_eq!(
            (other.excused, other.charged, *source),
            (false, true, FlagSource::Municipality)
        );
        assert_eq!(
            other.name_ru, "Прочие уважительные причины",
            "names stay the region's"
        );
        let (vacation, source) = find(&book, "О");
        assert_eq!(
            (vacation.charged, *source),
            (false, FlagSource::Organisation)
        );
        let codes: Vec<&str> = book.iter().map(|(r, _)| r.code.as_str()).collect();
        assert_eq!(codes, ["Б", "О", "К", "С", "П", "Н", "Д"]);
    }

    #[test]
    fn without_municipal_flags_the_region_decides() {
        let book = resolve(&AbsenceReason::defaults(), &[], &[]);
        assert!(book.iter().all(|(_, source)| *source == FlagSource::Region));
        assert_eq!(
            book.into_iter().map(|(r, _)| r).collect::<Vec<_>>(),
            AbsenceReason::defaults()
        );
    }
}
