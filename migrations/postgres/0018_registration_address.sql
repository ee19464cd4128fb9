-- Same as migrations/sqlite/0018.
-- The client address a registration request came from: one address may send only a
-- few an hour (the form is open to anyone).
ALTER TABLE registration_requests ADD COLUMN submitted_from TEXT NOT NULL DEFAULT '';
CREATE INDEX registration_requests_from ON registration_requests (submitted_from, created_at);
CREATE INDEX registration_requests_inn ON registration_requests (inn, status);
