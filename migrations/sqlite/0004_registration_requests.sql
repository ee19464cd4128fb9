-- «Заявка на регистрацию»: a new organisation asks to join; the municipal specialist
-- of the chosen municipality approves (creating the organisation and its admin) or rejects.
CREATE TABLE registration_requests (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    municipality_id    BIGINT  NOT NULL REFERENCES municipalities(id),
    surname            TEXT    NOT NULL,
    given_name         TEXT    NOT NULL,
    patronymic         TEXT    NOT NULL DEFAULT '',
    email              TEXT    NOT NULL,
    position           TEXT    NOT NULL,
    organisation_name  TEXT    NOT NULL,
    short_name         TEXT    NOT NULL,
    inn                TEXT    NOT NULL,
    kpp                TEXT,
    status             TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at         BIGINT  NOT NULL,
    decided_at         BIGINT,
    decided_by         BIGINT  REFERENCES people(id)
);
CREATE INDEX registration_requests_municipality ON registration_requests (municipality_id, status);
