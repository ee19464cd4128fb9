-- Same schema as migrations/postgres/0012: keep the two in step.
-- «Здания, кабинеты, места»: an organisation's buildings, the rooms in them with the
-- number of places, and the room a group lives in. Nothing is deleted: archived rows
-- stay for the history of the groups that used them.
CREATE TABLE buildings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations(id),
    name             TEXT    NOT NULL,
    name_key         TEXT    NOT NULL,
    address          TEXT    NOT NULL DEFAULT '',
    archived         BIGINT  NOT NULL DEFAULT 0,
    created_at       BIGINT  NOT NULL,
    UNIQUE (organisation_id, name_key)
);

CREATE TABLE rooms (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    building_id  BIGINT  NOT NULL REFERENCES buildings(id),
    name         TEXT    NOT NULL,
    name_key     TEXT    NOT NULL,
    places       BIGINT  NOT NULL,
    archived     BIGINT  NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL,
    UNIQUE (building_id, name_key)
);

-- «Режим пребывания». Rows without an organisation are the regional defaults; an
-- organisation adds its own. minutes: the longest stay of a day in that mode.
CREATE TABLE stay_modes (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id  BIGINT  REFERENCES organisations(id),
    name_ru          TEXT    NOT NULL,
    name_en          TEXT    NOT NULL,
    minutes          BIGINT  NOT NULL,
    archived         BIGINT  NOT NULL DEFAULT 0,
    created_at       BIGINT  NOT NULL
);
CREATE INDEX stay_modes_organisation ON stay_modes (organisation_id);
INSERT INTO stay_modes (organisation_id, name_ru, name_en, minutes, created_at) VALUES
    (NULL, 'Полный день', 'Full day', 720, 0),
    (NULL, 'Сокращённый день', 'Shortened day', 630, 0),
    (NULL, 'Кратковременное пребывание', 'Short stay', 300, 0),
    (NULL, 'Круглосуточное пребывание', '24-hour stay', 1440, 0);

-- A group's age band (whole years, from–to), stay mode and room; all optional, so the
-- groups made before this stay valid until the admin fills them in.
ALTER TABLE groups ADD COLUMN age_from BIGINT;
ALTER TABLE groups ADD COLUMN age_to BIGINT;
ALTER TABLE groups ADD COLUMN stay_mode_id BIGINT REFERENCES stay_modes(id);
ALTER TABLE groups ADD COLUMN room_id BIGINT REFERENCES rooms(id);
ALTER TABLE groups ADD COLUMN archived BIGINT NOT NULL DEFAULT 0;
CREATE INDEX groups_room ON groups (room_id);
CREATE INDEX rooms_building ON rooms (building_id);
