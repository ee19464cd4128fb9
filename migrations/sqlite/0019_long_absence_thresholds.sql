-- When a child appears on the long-absence report: absent this many working days in a
-- row, or this many days of a month without a valid reason. Per organisation.
ALTER TABLE organisations ADD COLUMN long_absence_days BIGINT NOT NULL DEFAULT 5;
ALTER TABLE organisations ADD COLUMN unexplained_days BIGINT NOT NULL DEFAULT 3;
