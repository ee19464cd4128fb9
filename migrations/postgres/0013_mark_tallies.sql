-- Same tables as migrations/sqlite/0013; the triggers differ: here they run once per
-- statement over its transition tables, so a group's day saved in one statement (or a
-- generator's batch of thousands of marks) costs one grouped upsert, not one per mark.
-- The marks of each organisation and day counted by status and reason, kept in step
-- with `marks`, so a region's month is read from ~50,000 tallies instead of grouping
-- millions of marks. A tally may fall to 0; readers skip those.
-- reason '' stands for none, so the key has no NULL in it.
CREATE TABLE mark_tallies (
    organisation_id  BIGINT  NOT NULL,
    day              TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    reason           TEXT    NOT NULL,
    n                BIGINT  NOT NULL,
    PRIMARY KEY (day, organisation_id, status, reason)
);

INSERT INTO mark_tallies (organisation_id, day, status, reason, n)
SELECT g.organisation_id, m.day, m.status, COALESCE(m.reason, ''), COUNT(*)
FROM marks m JOIN children c ON c.id = m.child_id JOIN groups g ON g.id = c.group_id
GROUP BY g.organisation_id, m.day, m.status, COALESCE(m.reason, '');

CREATE FUNCTION mark_tallies_inserted() RETURNS trigger AS $$
BEGIN
    INSERT INTO mark_tallies (organisation_id, day, status, reason, n)
    SELECT g.organisation_id, m.day, m.status, COALESCE(m.reason, ''), COUNT(*)
    FROM new_marks m JOIN children c ON c.id = m.child_id JOIN groups g ON g.id = c.group_id
    GROUP BY g.organisation_id, m.day, m.status, COALESCE(m.reason, '')
    ON CONFLICT (day, organisation_id, status, reason)
    DO UPDATE SET n = mark_tallies.n + EXCLUDED.n;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION mark_tallies_deleted() RETURNS trigger AS $$
BEGIN
    UPDATE mark_tallies t SET n = t.n - d.n
    FROM (SELECT g.organisation_id, m.day, m.status, COALESCE(m.reason, '') AS reason,
                 COUNT(*) AS n
          FROM old_marks m JOIN children c ON c.id = m.child_id
          JOIN groups g ON g.id = c.group_id
          GROUP BY g.organisation_id, m.day, m.status, COALESCE(m.reason, '')) d
    WHERE t.organisation_id = d.organisation_id AND t.day = d.day
      AND t.status = d.status AND t.reason = d.reason;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- An update counts its old rows out and its new rows in; rows whose status and reason
-- did not change (a new stamp only) net to nothing and touch no tally.
CREATE FUNCTION mark_tallies_updated() RETURNS trigger AS $$
BEGIN
    INSERT INTO mark_tallies (organisation_id, day, status, reason, n)
    SELECT d.organisation_id, d.day, d.status, d.reason, SUM(d.delta)
    FROM (SELECT g.organisation_id, m.day, m.status, COALESCE(m.reason, '') AS reason,
                 1 AS delta
          FROM new_marks m JOIN children c ON c.id = m.child_id
          JOIN groups g ON g.id = c.group_id
          UNION ALL
          SELECT g.organisation_id, m.day, m.status, COALESCE(m.reason, ''), -1
          FROM old_marks m JOIN children c ON c.id = m.child_id
          JOIN groups g ON g.id = c.group_id) d
    GROUP BY d.organisation_id, d.day, d.status, d.reason
    HAVING SUM(d.delta) <> 0
    ON CONFLICT (day, organisation_id, status, reason)
    DO UPDATE SET n = mark_tallies.n + EXCLUDED.n;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER marks_tally_insert AFTER INSERT ON marks
REFERENCING NEW TABLE AS new_marks
FOR EACH STATEMENT EXECUTE FUNCTION mark_tallies_inserted();

CREATE TRIGGER marks_tally_delete AFTER DELETE ON marks
REFERENCING OLD TABLE AS old_marks
FOR EACH STATEMENT EXECUTE FUNCTION mark_tallies_deleted();

CREATE TRIGGER marks_tally_update AFTER UPDATE ON marks
REFERENCING OLD TABLE AS old_marks NEW TABLE AS new_marks
FOR EACH STATEMENT EXECUTE FUNCTION mark_tallies_updated();
