-- An organisation can withdraw a reason from the marking screens without losing the
-- months already marked with it: archived reasons still name their days in the табель.
-- A default reason is withdrawn through an organisation row of its own.
ALTER TABLE absence_reasons ADD COLUMN archived BIGINT NOT NULL DEFAULT 0;
