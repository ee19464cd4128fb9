-- Same as migrations/sqlite/0021.
-- When a child or a person was anonymised by the retention job (`tabel retention`):
-- the row stays, so the табели of past years keep their rows and figures.
ALTER TABLE children ADD COLUMN anonymised_at BIGINT;
ALTER TABLE people ADD COLUMN anonymised_at BIGINT;
