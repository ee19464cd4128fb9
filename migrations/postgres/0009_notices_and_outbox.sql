-- Same schema as migrations/sqlite/0009: keep the two in step.
-- A notice about a child's absence, to the child's parents. `reason_request` notices
-- are made by Tabel when a child is marked absent with no known reason (at most one per
-- child and day: `request_key`); `teacher` notices are written by a teacher.
CREATE TABLE notices (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    child_id        BIGINT  NOT NULL REFERENCES children(id),
    day             TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('reason_request', 'teacher')),
    body            TEXT    NOT NULL DEFAULT '',
    request_key     TEXT    UNIQUE,
    created_by      BIGINT  NOT NULL REFERENCES people(id),
    created_at      BIGINT  NOT NULL,
    -- The parent's answer: the reason it sets on the mark, and a comment.
    answered_at     BIGINT,
    answered_by     BIGINT  REFERENCES people(id),
    answer_reason   TEXT,
    answer_comment  TEXT    NOT NULL DEFAULT '',
    -- Set when the question no longer stands (the teacher set a reason or marked present).
    closed_at       BIGINT
);
CREATE INDEX notices_child_day ON notices (child_id, day);

-- The in-app inbox: one row per recipient of a notice.
CREATE TABLE notice_recipients (
    notice_id  BIGINT  NOT NULL REFERENCES notices(id),
    person_id  BIGINT  NOT NULL REFERENCES people(id),
    read_at    BIGINT,
    PRIMARY KEY (notice_id, person_id)
);
CREATE INDEX notice_recipients_person ON notice_recipients (person_id, read_at);

-- Mail waiting to be sent. A worker leases due rows (`leased_until`), sends, then sets
-- `sent_at`; a lease that ran out (the worker died) makes the row due again.
-- `dedupe_key` keeps one mail per notice and recipient (or per summary and day).
CREATE TABLE outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key       TEXT    NOT NULL UNIQUE,
    notice_id        BIGINT  REFERENCES notices(id),
    to_address       TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    attempts         BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    leased_until     BIGINT,
    leased_by        TEXT,
    last_error       TEXT,
    sent_at          BIGINT,
    -- Not sent, on purpose: the notice was closed first, or the retries ran out.
    cancelled_at     BIGINT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND cancelled_at IS NULL;
