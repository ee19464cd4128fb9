//! Who may do what. Pure functions over an [`Actor`] that the server builds from the
//! session on every request; the client's view of its rights is never trusted.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Bilingual;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Municipal,
    OrgAdmin,
    Teacher,
    Parent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Municipal => "municipal",
            Self::OrgAdmin => "org_admin",
            Self::Teacher => "teacher",
            Self::Parent => "parent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Municipal, Self::OrgAdmin, Self::Teacher, Self::Parent]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    pub fn title_ru(self) -> &'static str {
        match self {
            Self::Municipal => "Специалист муниципалитета",
            Self::OrgAdmin => "Администратор ОО",
            Self::Teacher => "Педагог",
            Self::Parent => "Родитель (законный представитель)",
        }
    }

    pub fn title(self, lang: super::Lang) -> &'static str {
        lang.pick(self.title_ru(), self.title_en())
    }

    pub fn title_en(self) -> &'static str {
        match self {
            Self::Municipal => "Municipal specialist",
            Self::OrgAdmin => "Organisation admin",
            Self::Teacher => "Teacher",
            Self::Parent => "Parent / legal representative",
        }
    }
}

/// The person behind a request, acting in one chosen role, with the scope that role
/// reaches: its municipality, its organisation, its bound groups, its own children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub person_id: i64,
    pub role: Role,
    pub municipality_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub bound_groups: BTreeSet<i64>,
    pub own_children: BTreeSet<i64>,
}

/// Where a group sits, as stored (never as the client says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupScope {
    pub group_id: i64,
    pub organisation_id: i64,
    pub municipality_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildScope {
    pub child_id: i64,
    pub group: GroupScope,
}

/// Something an actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Keep the reference books of an organisation: groups, staff, children.
    ManageOrganisation { organisation_id: i64 },
    /// See an organisation's aggregate figures.
    ViewOrganisation {
        organisation_id: i64,
        municipality_id: Option<i64>,
    },
    /// See a group's children and parents.
    ViewGroup(GroupScope),
    /// Mark attendance and write notices for a group.
    MarkGroup(GroupScope),
    /// See one child's data (its табель, its notices).
    ViewChild(ChildScope),
    /// Speak for a child as its parent: announce an absence, answer a notice.
    ActForChild(ChildScope),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("access denied")]
pub struct Denied;

impl Bilingual for Denied {
    fn ru(&self) -> String {
        "Недостаточно прав: эти данные недоступны в вашей роли.".into()
    }
    fn en(&self) -> String {
        "Access denied: your role cannot open this.".into()
    }
}

impl Actor {
    fn admin_of(&self, organisation_id: i64) -> bool {
        self.role == Role::OrgAdmin && self.organisation_id == Some(organisation_id)
    }

    fn teacher_of(&self, group: &GroupScope) -> bool {
        self.role == Role::Teacher
            && self.organisation_id == Some(group.organisation_id)
            && self.bound_groups.contains(&group.group_id)
    }

    fn parent_of(&self, child: &ChildScope) -> bool {
        self.role == Role::Parent && self.own_children.contains(&child.child_id)
    }

    fn municipal_of(&self, municipality_id: Option<i64>) -> bool {
        self.role == Role::Municipal
            && municipality_id.is_some()
            && self.municipality_id == municipality_id
    }

    pub fn may(&self, permission: &Permission) -> bool {
        match permission {
            Permission::ManageOrganisation { organisation_id } => self.admin_of(*organisation_id),
            Permission::ViewOrganisation {
                organisation_id,
                municipality_id,
            } => self.admin_of(*organisation_id) || self.municipal_of(*municipality_id),
            Permission::ViewGroup(group) | Permission::MarkGroup(group) => {
                self.admin_of(group.organisation_id) || self.teacher_of(group)
            }
            Permission::ViewChild(child) => {
                self.admin_of(child.group.organisation_id)
                    || self.teacher_of(&child.group)
                    || self.parent_of(child)
            }
            Permission::ActForChild(child) => self.parent_of(child),
        }
    }

    pub fn authorize(&self, permission: &Permission) -> Result<(), Denied> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(Denied)
        }
    }
}

/// A role a person holds outside the organisation whose admin is looking at their card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutsideRole {
    pub role: Role,
    /// The organisation or municipality; empty for a parent.
    pub scope: String,
}

impl OutsideRole {
    fn describe(&self, lang: super::Lang) -> String {
        match self.scope.as_str() {
            "" => self.role.title(lang).to_owned(),
            scope => format!("{} — {scope}", self.role.title(lang)),
        }
    }
}

/// Refusal to reset the password, or change the name and contacts, of a person who
/// holds roles outside the admin's organisation: the account would hand the admin those
/// roles too (a parent's children, another kindergarten, the municipality), and the
/// e-mail is what single sign-on and notices go by. Only the staff card's own fields
/// (position, roles here, groups) stay the admin's to edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedAccount<'a>(pub &'a [OutsideRole]);

impl Bilingual for SharedAccount<'_> {
    fn ru(&self) -> String {
        format!(
            "У этого человека есть роли вне вашей организации ({}): его пароль, ФИО, почту и телефон меняет только он сам. Вы можете изменить должность, роли в вашей организации и группы.",
            self.0.iter().map(|r| r.describe(super::Lang::Ru)).collect::<Vec<_>>().join("; ")
        )
    }
    fn en(&self) -> String {
        format!(
            "This person holds roles outside your organisation ({}): only they can change their password, name, e-mail and phone. You can change the position, the roles in your organisation and the groups.",
            self.0.iter().map(|r| r.describe(super::Lang::En)).collect::<Vec<_>>().join("; ")
        )
    }
}

/// Whether the account of someone with these outside roles is the admin's to change.
pub fn account_is_the_admins(outside: &[OutsideRole]) -> Result<(), SharedAccount<'_>> {
    if outside.is_empty() {
        Ok(())
    } else {
        Err(SharedAccount(outside))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_account_with_roles_elsewhere_is_not_the_admins() {
        use super::{account_is_the_admins, Bilingual, OutsideRole, Role};
        assert!(account_is_the_admins(&[]).is_ok());
        let outside = [
            OutsideRole {
                role: Role::Parent,
                scope: String::new(),
            },
            OutsideRole {
                role: Role::Teacher,
                scope: "Детский сад № 2".into(),
            },
        ];
        let refusal = account_is_the_admins(&outside).unwrap_err();
        assert!(refusal
            .ru()
            .contains("(Родитель (законный представитель); Педагог — Детский сад № 2)"));
        assert!(refusal.en().contains("Teacher — Детский сад № 2"));
    }

    use super::*;

    const OWN_ORG: i64 = 1;
    const OTHER_ORG: i64 = 2;
    const OWN_MUN: i64 = 10;

    fn actor(role: Role) -> Actor {
        Actor {
            person_id: 100,
            role,
            municipality_id: (role == Role::Municipal).then_some(OWN_MUN),
            organisation_id: matches!(role, Role::OrgAdmin | Role::Teacher).then_some(OWN_ORG),
            bound_groups: BTreeSet::from([11]),
            own_children: BTreeSet::from([501]),
        }
    }

    fn group(group_id: i64, organisation_id: i64) -> GroupScope {
        GroupScope {
            group_id,
            organisation_id,
            municipality_id: Some(if organisation_id == OWN_ORG {
                OWN_MUN
            } else {
                20
            }),
        }
    }

    #[test]
    fn org_admin_manages_only_its_organisation() {
        let a = actor(Role::OrgAdmin);
        assert!(a.may(&Permission::ManageOrganisation {
            organisation_id: OWN_ORG
        }));
        assert!(!a.may(&Permission::ManageOrganisation {
            organisation_id: OTHER_ORG
        }));
        assert!(a.may(&Permission::ViewGroup(group(99, OWN_ORG))));
        assert!(!a.may(&Permission::ViewGroup(group(99, OTHER_ORG))));
    }

    #[test]
    fn teacher_sees_only_bound_groups_of_its_organisation() {
        let t = actor(Role::Teacher);
        assert!(t.may(&Permission::ViewGroup(group(11, OWN_ORG))));
        assert!(t.may(&Permission::MarkGroup(group(11, OWN_ORG))));
        assert!(
            !t.may(&Permission::ViewGroup(group(12, OWN_ORG))),
            "unbound group"
        );
        // A group id that happens to be bound but is stored under another organisation.
        assert!(!t.may(&Permission::ViewGroup(group(11, OTHER_ORG))));
        assert!(!t.may(&Permission::ManageOrganisation {
            organisation_id: OWN_ORG
        }));
    }

    #[test]
    fn parent_sees_only_own_children() {
        let p = actor(Role::Parent);
        let own = ChildScope {
            child_id: 501,
            group: group(11, OWN_ORG),
        };
        let other = ChildScope {
            child_id: 502,
            group: group(11, OWN_ORG),
        };
        assert!(p.may(&Permission::ViewChild(own)));
        assert!(!p.may(&Permission::ViewChild(other)));
        assert!(!p.may(&Permission::ViewGroup(group(11, OWN_ORG))));
        assert!(!p.may(&Permission::MarkGroup(group(11, OWN_ORG))));
        assert!(p.may(&Permission::ActForChild(own)));
        assert!(!p.may(&Permission::ActForChild(other)));
    }

    #[test]
    fn only_a_parent_acts_for_a_child() {
        let own = ChildScope {
            child_id: 501,
            group: group(11, OWN_ORG),
        };
        for role in [Role::OrgAdmin, Role::Teacher, Role::Municipal] {
            assert!(actor(role).may(&Permission::ViewChild(own)) || role == Role::Municipal);
            assert!(!actor(role).may(&Permission::ActForChild(own)), "{role:?}");
        }
    }

    #[test]
    fn municipal_specialist_reads_aggregates_of_its_municipality_only() {
        let m = actor(Role::Municipal);
        assert!(m.may(&Permission::ViewOrganisation {
            organisation_id: OWN_ORG,
            municipality_id: Some(OWN_MUN)
        }));
        assert!(!m.may(&Permission::ViewOrganisation {
            organisation_id: OTHER_ORG,
            municipality_id: Some(20)
        }));
        assert!(!m.may(&Permission::ViewOrganisation {
            organisation_id: OTHER_ORG,
            municipality_id: None
        }));
        assert!(
            !m.may(&Permission::ViewGroup(group(11, OWN_ORG))),
            "no child-level data"
        );
        assert!(!m.may(&Permission::ManageOrganisation {
            organisation_id: OWN_ORG
        }));
    }

    #[test]
    fn a_teacher_who_is_also_a_parent_gets_parent_rights_only_in_parent_role() {
        let mut t = actor(Role::Teacher);
        let child_elsewhere = ChildScope {
            child_id: 501,
            group: group(12, OWN_ORG),
        };
        assert!(!t.may(&Permission::ViewChild(child_elsewhere)));
        t.role = Role::Parent;
        assert!(t.may(&Permission::ViewChild(child_elsewhere)));
    }

    #[test]
    fn authorize_maps_to_denied() {
        assert_eq!(
            actor(Role::Parent).authorize(&Permission::ManageOrganisation {
                organisation_id: OWN_ORG
            }),
            Err(Denied)
        );
        assert!(!Denied.ru().is_empty() && !Denied.en().is_empty());
    }

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for r in [Role::Municipal, Role::OrgAdmin, Role::Teacher, Role::Parent] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
