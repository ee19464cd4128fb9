-- Same schema as the other backend's 0002: keep the two in step.
CREATE TABLE municipalities (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE
);

ALTER TABLE organisations ADD COLUMN municipality_id BIGINT REFERENCES municipalities(id);

-- A person: staff member, parent, or both. Login data lives in accounts.
CREATE TABLE people (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    surname     TEXT    NOT NULL,
    given_name  TEXT    NOT NULL,
    patronymic  TEXT    NOT NULL DEFAULT '',
    email       TEXT,
    phone       TEXT,
    lang        TEXT    NOT NULL DEFAULT 'ru',
    created_at  BIGINT  NOT NULL
);
CREATE INDEX people_email ON people (email);

CREATE TABLE accounts (
    person_id             BIGINT  PRIMARY KEY REFERENCES people(id),
    login                 TEXT    NOT NULL UNIQUE,
    password_hash         TEXT    NOT NULL,
    -- 1 after the admin generated a one-time password: the next login must change it
    must_change_password  BIGINT  NOT NULL DEFAULT 1,
    archived              BIGINT  NOT NULL DEFAULT 0,
    created_at            BIGINT  NOT NULL
);

-- What a person may act as. municipal: municipality_id; org_admin/teacher: organisation_id;
-- parent: neither (access follows the child_guardians rows).
CREATE TABLE role_grants (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id        BIGINT  NOT NULL REFERENCES people(id),
    role             TEXT    NOT NULL CHECK (role IN ('municipal', 'org_admin', 'teacher', 'parent')),
    organisation_id  BIGINT  REFERENCES organisations(id),
    municipality_id  BIGINT  REFERENCES municipalities(id),
    UNIQUE (person_id, role, organisation_id, municipality_id)
);
CREATE INDEX role_grants_person ON role_grants (person_id);

-- The staff card («Кадры»): a person's employment in an organisation.
CREATE TABLE staff (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id        BIGINT  NOT NULL REFERENCES people(id),
    organisation_id  BIGINT  NOT NULL REFERENCES organisations(id),
    position         TEXT    NOT NULL,
    archived         BIGINT  NOT NULL DEFAULT 0,
    created_at       BIGINT  NOT NULL,
    UNIQUE (person_id, organisation_id)
);

-- «Роли и права»: a teacher sees a group only while bound to it here.
CREATE TABLE teacher_groups (
    staff_id  BIGINT  NOT NULL REFERENCES staff(id),
    group_id  BIGINT  NOT NULL REFERENCES groups(id),
    PRIMARY KEY (staff_id, group_id)
);
CREATE INDEX teacher_groups_group ON teacher_groups (group_id);

CREATE TABLE child_guardians (
    child_id   BIGINT  NOT NULL REFERENCES children(id),
    person_id  BIGINT  NOT NULL REFERENCES people(id),
    relation   TEXT    NOT NULL,
    PRIMARY KEY (child_id, person_id)
);
CREATE INDEX child_guardians_person ON child_guardians (person_id);

-- Sessions live in the database so several server instances can share them.
-- Only a hash of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash    TEXT    PRIMARY KEY,
    person_id     BIGINT  NOT NULL REFERENCES people(id),
    grant_id      BIGINT  REFERENCES role_grants(id),
    user_agent    TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE login_failures (
    login   TEXT    NOT NULL,
    at      BIGINT  NOT NULL
);
CREATE INDEX login_failures_login_at ON login_failures (login, at);
