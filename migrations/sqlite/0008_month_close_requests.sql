-- A teacher's request that the admin close a group's month; cleared when it is closed.
CREATE TABLE month_close_requests (
    group_id      BIGINT  NOT NULL REFERENCES groups(id),
    month         TEXT    NOT NULL,
    requested_by  BIGINT  NOT NULL REFERENCES people(id),
    requested_at  BIGINT  NOT NULL,
    PRIMARY KEY (group_id, month)
);
