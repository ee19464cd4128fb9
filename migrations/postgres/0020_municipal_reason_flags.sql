-- Same as migrations/sqlite/0020.
-- Fee exemptions are decided by the municipality: its «excused» and «charged» for a
-- regional reason apply to its organisations unless an organisation has its own row
-- of the reason (absence_reasons.organisation_id).
CREATE TABLE municipal_reason_flags (
    municipality_id  BIGINT  NOT NULL REFERENCES municipalities(id),
    code             TEXT    NOT NULL,
    excused          BIGINT  NOT NULL,
    charged          BIGINT  NOT NULL,
    updated_by       BIGINT  NOT NULL REFERENCES people(id),
    updated_at       BIGINT  NOT NULL,
    PRIMARY KEY (municipality_id, code)
);
