-- Release 2.4: users get a normalised e-mail column; the upper-case copy goes away.
ALTER TABLE users ADD COLUMN email_lower text;

-- Built without blocking writes; the previous version keeps inserting while it builds.
CREATE INDEX CONCURRENTLY users_email_lower ON users (email_lower);
