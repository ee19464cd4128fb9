-- Same schema as migrations/sqlite/0010: keep the two in step.
-- Offline sync (docs/sync-protocol.md). A mark's stamp is (recorded_at, device, op_id)
-- and the greatest stamp wins; marks saved online have device = op_id = ''. Collation
-- "C" makes the database order these bytewise, as Rust and SQLite do; a locale
-- collation would let the conditional write in SQL disagree with `resolve` in Rust.
ALTER TABLE marks ADD COLUMN device TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE marks ADD COLUMN op_id TEXT COLLATE "C" NOT NULL DEFAULT '';

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
