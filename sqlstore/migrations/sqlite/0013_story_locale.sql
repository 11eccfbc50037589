-- Stories can have their own widget language (a site publishing in several).
ALTER TABLE stories ADD COLUMN locale TEXT NOT NULL DEFAULT '';
