CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL DEFAULT x'', notification INTEGER DEFAULT 0);
INSERT INTO threads VALUES (1, '/2024/health/', 'Health & care'), (2, '/2024/empty/', NULL);
INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, email) VALUES
 (1, 1, NULL, 1717228800.25, 1, '203.0.113.0', 'Clinics *open* late now. <script>alert(1)</script>', 'Hasmik', 'hasmik@example.am'),
 (1, 3, 2, 1717229400.0, 2, '203.0.113.0', 'Ответ на ответ, ждёт модерации.', NULL, NULL),
 (1, 2, 1, 1717229000.0, 1, '203.0.113.0', 'Բժիշկները լավն են։', 'Armen', NULL),
 (1, 4, NULL, 1717229500.0, 4, '203.0.113.0', '', NULL, NULL),
 (1, 5, 4, 1717229600.0, 1, '203.0.113.0', 'Reply to a deleted comment', 'Kamran', 'kamran@example.az'),
 (1, 6, NULL, 1717229700.0, 9, '203.0.113.0', 'unknown mode', 'X', NULL);
