-- Same tables as migrations/postgres/0013 (the triggers differ in syntax only).
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

CREATE TRIGGER marks_tally_insert AFTER INSERT ON marks BEGIN
    INSERT INTO mark_tallies (organisation_id, day, status, reason, n)
    SELECT g.organisation_id, NEW.day, NEW.status, COALESCE(NEW.reason, ''), 1
    FROM children c JOIN groups g ON g.id = c.group_id WHERE c.id = NEW.child_id
    ON CONFLICT (day, organisation_id, status, reason) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER marks_tally_update AFTER UPDATE OF child_id, day, status, reason ON marks
WHEN OLD.child_id IS NOT NEW.child_id OR OLD.day IS NOT NEW.day
  OR OLD.status IS NOT NEW.status OR OLD.reason IS NOT NEW.reason
BEGIN
    UPDATE mark_tallies SET n = n - 1
    WHERE day = OLD.day AND status = OLD.status AND reason = COALESCE(OLD.reason, '')
      AND organisation_id = (SELECT g.organisation_id FROM children c
                             JOIN groups g ON g.id = c.group_id WHERE c.id = OLD.child_id);
    INSERT INTO mark_tallies (organisation_id, day, status, reason, n)
    SELECT g.organisation_id, NEW.day, NEW.status, COALESCE(NEW.reason, ''), 1
    FROM children c JOIN groups g ON g.id = c.group_id WHERE c.id = NEW.child_id
    ON CONFLICT (day, organisation_id, status, reason) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER marks_tally_delete AFTER DELETE ON marks BEGIN
    UPDATE mark_tallies SET n = n - 1
    WHERE day = OLD.day AND status = OLD.status AND reason = COALESCE(OLD.reason, '')
      AND organisation_id = (SELECT g.organisation_id FROM children c
                             JOIN groups g ON g.id = c.group_id WHERE c.id = OLD.child_id);
END;
