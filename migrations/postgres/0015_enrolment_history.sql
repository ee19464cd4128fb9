-- Same tables as migrations/sqlite/0015 (identity columns differ in syntax only).
-- A child's stay in a group is a period; periods are opened and closed by orders
-- (приказы) of the organisation. `children.group_id / enrolled_on / left_on` stay as
-- the summary of the child's latest period (written only by app::enrolment), so pages
-- that ask "where is the child now" need no join; anything that asks about a day reads
-- `enrolments`.
CREATE TABLE enrolment_orders (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  BIGINT  NOT NULL REFERENCES organisations(id),
    number           TEXT    NOT NULL,
    -- admission | transfer | leaving | return
    kind             TEXT    NOT NULL,
    issued_on        TEXT    NOT NULL,
    -- admission, transfer, return: the first day in the new group;
    -- leaving: the last day in the group.
    effective_on     TEXT    NOT NULL,
    comment          TEXT    NOT NULL DEFAULT '',
    created_by       BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL,
    cancelled_at     BIGINT,
    cancelled_by     BIGINT
);

CREATE INDEX enrolment_orders_organisation ON enrolment_orders (organisation_id, effective_on);

CREATE TABLE enrolment_order_lines (
    order_id         BIGINT  NOT NULL REFERENCES enrolment_orders(id),
    child_id         BIGINT  NOT NULL REFERENCES children(id),
    from_group_id    BIGINT  REFERENCES groups(id),
    to_group_id      BIGINT  REFERENCES groups(id),
    PRIMARY KEY (order_id, child_id)
);

CREATE TABLE enrolments (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    child_id         BIGINT  NOT NULL REFERENCES children(id),
    group_id         BIGINT  NOT NULL REFERENCES groups(id),
    from_day         TEXT    NOT NULL,
    -- The last day in the group, inclusive; NULL while the child is there.
    to_day           TEXT,
    opened_by        BIGINT  REFERENCES enrolment_orders(id),
    closed_by        BIGINT  REFERENCES enrolment_orders(id)
);

CREATE INDEX enrolments_group ON enrolments (group_id, from_day);
CREATE INDEX enrolments_child ON enrolments (child_id, from_day);

-- Every child so far has had one stay, entered on the card or by an import.
INSERT INTO enrolments (child_id, group_id, from_day, to_day)
SELECT id, group_id, enrolled_on, left_on FROM children;
