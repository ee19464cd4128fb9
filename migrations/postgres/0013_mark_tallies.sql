-- Same tables as migrations/sqlite/0013 (the triggers differ in syntax only).
-- The marks of each organisation and day counted by status and reason, kept in step
-- with `marks` by triggers, so a region's month is read from ~50,000 tallies instead of
-- grouping millions of marks. A tally may fall to 0; readers skip those.
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

CREATE FUNCTION mark_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE mark_tallies t SET n = t.n - 1
        FROM children c JOIN groups g ON g.id = c.group_id
        WHERE c.id = OLD.child_id AND t.organisation_id = g.organisation_id
          AND t.day = OLD.day AND t.status = OLD.status AND t.reason = COALESCE(OLD.reason, '');
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO mark_tallies (organisation_id, day, status, reason, n)
        SELECT g.organisation_id, NEW.day, NEW.status, COALESCE(NEW.reason, ''), 1
        FROM children c JOIN groups g ON g.id = c.group_id WHERE c.id = NEW.child_id
        ON CONFLICT (day, organisation_id, status, reason) DO UPDATE SET n = mark_tallies.n + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER marks_tally_insert_delete AFTER INSERT OR DELETE ON marks
FOR EACH ROW EXECUTE FUNCTION mark_tally();

CREATE TRIGGER marks_tally_update AFTER UPDATE ON marks
FOR EACH ROW WHEN (OLD.child_id IS DISTINCT FROM NEW.child_id OR OLD.day IS DISTINCT FROM NEW.day
    OR OLD.status IS DISTINCT FROM NEW.status OR OLD.reason IS DISTINCT FROM NEW.reason)
EXECUTE FUNCTION mark_tally();
