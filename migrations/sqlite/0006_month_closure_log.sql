-- Who closed or reopened a group's month, when, and (for reopening) why.
CREATE TABLE month_closure_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id   BIGINT  NOT NULL REFERENCES groups(id),
    month      TEXT    NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('closed', 'reopened')),
    reason     TEXT    NOT NULL DEFAULT '',
    by_person  BIGINT  NOT NULL REFERENCES people(id),
    at         BIGINT  NOT NULL
);
CREATE INDEX month_closure_log_group_month ON month_closure_log (group_id, month);
