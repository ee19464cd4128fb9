-- A parent's announcement that a child will be away (dates inclusive, a reason from
-- the reference book). It pre-fills the teacher's marking; it can be cancelled before
-- its first day.
CREATE TABLE planned_absences (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    child_id      BIGINT  NOT NULL REFERENCES children(id),
    date_from     TEXT    NOT NULL,
    date_to       TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    comment       TEXT    NOT NULL DEFAULT '',
    created_by    BIGINT  NOT NULL REFERENCES people(id),
    created_at    BIGINT  NOT NULL,
    cancelled_at  BIGINT
);
CREATE INDEX planned_absences_child ON planned_absences (child_id, date_from);
