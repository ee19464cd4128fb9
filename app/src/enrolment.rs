//! Who is in a group on a day, as SQL the feature queries share: the one definition of
//! enrolment that counts, lists and occupancy figures are built on.

/// The number of children enrolled in the group `g` on `$2` (a date).
pub const ENROLLED_ON: &str = "(SELECT COUNT(*) FROM children c WHERE c.group_id = g.id \
     AND c.enrolled_on <= $2 AND (c.left_on IS NULL OR c.left_on >= $2))";
