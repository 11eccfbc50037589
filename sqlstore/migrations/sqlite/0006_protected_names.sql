-- Look-alike skeletons of the names guests may not take on a site: its
-- staff's and its signed-in commenters' (see parley.NameStore).
CREATE TABLE protected_names (
    site_id  TEXT NOT NULL REFERENCES sites(id),
    skeleton TEXT NOT NULL,
    user_id  TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (site_id, skeleton, user_id)
);
