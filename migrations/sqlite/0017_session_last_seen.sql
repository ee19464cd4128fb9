-- When a session was last used: one unused for longer than the policy allows ends
-- (sooner for staff, whose tablets are shared). Written at most once a minute.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
