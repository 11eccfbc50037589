-- A story's title and URL come from its first commenter as a suggestion.
-- locked = TRUE once staff have confirmed them: the title is then public and
-- only staff change either.
ALTER TABLE stories ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE;
