-- Absence reasons are a reference book, not code. Rows without an organisation are
-- the regional defaults; an organisation's own row with the same code overrides them.
CREATE TABLE absence_reasons (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  BIGINT  REFERENCES organisations(id),
    code             TEXT    NOT NULL,
    name_ru          TEXT    NOT NULL,
    name_en          TEXT    NOT NULL,
    excused          BIGINT  NOT NULL,
    charged          BIGINT  NOT NULL,
    position         BIGINT  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX absence_reasons_org_code ON absence_reasons (COALESCE(organisation_id, 0), code);
INSERT INTO absence_reasons (organisation_id, code, name_ru, name_en, excused, charged, position) VALUES
    (NULL, 'Б', 'болезнь', 'illness', 1, 0, 1),
    (NULL, 'О', 'отпуск', 'vacation', 1, 0, 2),
    (NULL, 'К', 'карантин', 'quarantine', 1, 0, 3),
    (NULL, 'С', 'санаторий', 'sanatorium', 1, 0, 4),
    (NULL, 'П', 'прочие уважительные', 'other excused', 1, 1, 5),
    (NULL, 'Н', 'без уважительной причины', 'no valid reason', 0, 1, 6);

-- The academic calendar's exceptions to the Mon–Fri week of an organisation:
-- holidays on weekdays and weekend days that are worked (transferred).
CREATE TABLE calendar_days (
    organisation_id  BIGINT  NOT NULL REFERENCES organisations(id),
    day              TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('holiday', 'working')),
    PRIMARY KEY (organisation_id, day)
);

-- One mark per child per day; no row means not marked yet.
CREATE TABLE marks (
    child_id     BIGINT  NOT NULL REFERENCES children(id),
    day          TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('present', 'absent')),
    reason       TEXT,
    recorded_at  BIGINT  NOT NULL,
    recorded_by  BIGINT  NOT NULL REFERENCES people(id),
    PRIMARY KEY (child_id, day)
);

-- Every change of a mark: who, when, from which device, through which path, old and new.
CREATE TABLE mark_audit (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    child_id     BIGINT  NOT NULL REFERENCES children(id),
    day          TEXT    NOT NULL,
    old_status   TEXT,
    old_reason   TEXT,
    new_status   TEXT,
    new_reason   TEXT,
    by_person    BIGINT  NOT NULL REFERENCES people(id),
    at           BIGINT  NOT NULL,
    device       TEXT    NOT NULL DEFAULT '',
    path         TEXT    NOT NULL
);
CREATE INDEX mark_audit_child_day ON mark_audit (child_id, day);

CREATE TABLE month_closures (
    group_id   BIGINT  NOT NULL REFERENCES groups(id),
    month      TEXT    NOT NULL,
    closed_at  BIGINT  NOT NULL,
    closed_by  BIGINT  NOT NULL REFERENCES people(id),
    PRIMARY KEY (group_id, month)
);
