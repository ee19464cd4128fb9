-- Same schema as migrations/sqlite/0001: keep the two in step.
CREATE TABLE organisations (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL,
    short_name  TEXT    NOT NULL,
    inn         TEXT    NOT NULL UNIQUE,
    kpp         TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE groups (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations(id),
    name             TEXT    NOT NULL,
    -- GroupName::key(): case- and ё-insensitive identity within the organisation
    name_key         TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    UNIQUE (organisation_id, name_key)
);

CREATE TABLE children (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id         BIGINT  NOT NULL REFERENCES groups(id),
    surname          TEXT    NOT NULL,
    given_name       TEXT    NOT NULL,
    patronymic       TEXT    NOT NULL DEFAULT '',
    birth_date       TEXT    NOT NULL,
    -- The enrolment in the group: first day, and last day once the child has left.
    enrolled_on      TEXT    NOT NULL,
    left_on          TEXT,
    created_at       BIGINT  NOT NULL
);

CREATE INDEX children_group_id ON children (group_id);
