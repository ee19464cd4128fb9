-- Same schema as migrations/postgres/0010: keep the two in step.
-- Offline sync (docs/sync-protocol.md). A mark's stamp is (recorded_at, device, op_id)
-- and the greatest stamp wins; marks saved online have device = op_id = ''. SQLite's
-- default BINARY collation already compares these bytewise, as Rust does.
ALTER TABLE marks ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE marks ADD COLUMN op_id TEXT NOT NULL DEFAULT '';

-- Every op the server has taken a decision on, so that a resent op is answered
-- `duplicate` instead of being judged again. Refused ops are not kept: resent, they are
-- judged again. No foreign keys: the row is written before the op is checked (an unknown
-- child included), and the check's refusal rolls it back.
CREATE TABLE applied_ops (
    op_id       TEXT    PRIMARY KEY,
    child_id    BIGINT  NOT NULL,
    day         TEXT    NOT NULL,
    device      TEXT    NOT NULL,
    person_id   BIGINT  NOT NULL,
    result      TEXT    NOT NULL CHECK (result IN ('applied', 'superseded')),
    applied_at  BIGINT  NOT NULL
);

-- A synced op is audited whether it won or not; a superseded op's row keeps the stored
-- mark as both old and new. Both are NULL for changes made online.
ALTER TABLE mark_audit ADD COLUMN op_id TEXT;
ALTER TABLE mark_audit ADD COLUMN outcome TEXT CHECK (outcome IN ('applied', 'superseded'));
