-- A story's title and URL come from its first commenter as a suggestion.
-- locked = 1 once staff have confirmed them: the title is then public and
-- only staff change either.
ALTER TABLE stories ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
