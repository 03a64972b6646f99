-- Only release 2.3 read email_upper; it runs nowhere once contract runs.
ALTER TABLE users DROP COLUMN email_upper;
