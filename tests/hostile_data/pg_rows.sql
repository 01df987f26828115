-- tests/hostile_data/pg_rows.sql - the rows of tenant hostile_pg's source
-- (pg_schema.sql), laid out as my_rows.sql: the hostile row of each three
-- is the middle one (ids 2, 5, 8, ...), clean rows name their id.  Text
-- cannot hold a NUL byte in PostgreSQL: NULs come in bytea, which the
-- agent reads as its text form ('\x610062').  Bytes that are not UTF-8
-- are in raw_texts only (the database is SQL_ASCII).  E'' literals: \t
-- tab, \n newline, \r carriage return, \\ backslash, \xNN a byte.
-- Loaded with client_encoding SQL_ASCII: the bytes as written.
SET client_min_messages = warning;
SET TIME ZONE 'UTC';

INSERT INTO src.notes VALUES
    (1, 'good 1', 'g1', 'b1', 'l1'),
    (2, E'it''s a "quoted" \'word\'', E'\'"', 'x"y''z', '"'),
    (3, 'good 3', 'g3', 'b3', 'l3'),
    (4, 'good 4', 'g4', 'b4', 'l4'),
    (5, E'C:\\dir\\', E'\\\\', decode('625c', 'hex'), E'\\'),
    (6, 'good 6', 'g6', 'b6', 'l6'),
    (7, 'good 7', 'g7', 'b7', 'l7'),
    (8, E'col1\tcol2\nline2\r\nline3\rend', E'\t\n\r', decode('01091b7f', 'hex'), E'a\tb'),
    (9, 'good 9', 'g9', 'b9', 'l9'),
    (10, 'good 10', 'g10', 'b10', 'l10'),
    (11, E'a\n\\.\nb', E'\\.', decode('5c2e0a', 'hex'), E'\n\\.'),
    (12, 'good 12', 'g12', 'b12', 'l12'),
    (13, 'good 13', 'g13', 'b13', 'l13'),
    (14, E'\\N', E'\\N', decode('5c4e', 'hex'), E'\\N'),
    (15, 'good 15', 'g15', 'b15', 'l15'),
    (16, 'good 16', 'g16', 'b16', 'l16'),
    (17, '', NULL, '', NULL),
    (18, 'good 18', 'g18', 'b18', 'l18'),
    (19, 'good 19', 'g19', 'b19', 'l19'),
    (20, 'nul in bytea', 'nul', decode('610062', 'hex'), NULL),
    (21, 'good 21', 'g21', 'b21', 'l21'),
    (22, 'good 22', 'g22', 'b22', 'l22'),
    (23, 'bytes ff fe in bytea', 'bytea', decode('fffe', 'hex'), NULL),
    (24, 'good 24', 'g24', 'b24', 'l24'),
    (25, 'good 25', 'g25', 'b25', 'l25'),
    (26, E'\\xff\\xfe', 'escapes', NULL, NULL),
    (27, 'good 27', 'g27', 'b27', 'l27'),
    (28, 'good 28', 'g28', 'b28', 'l28'),
    (29, '� and ​ (U+FFFD, U+200B)', 'unicode', NULL, NULL),
    (30, 'good 30', 'g30', 'b30', 'l30'),
    (31, 'good 31', 'g31', 'b31', 'l31'),
    (32, 'utf8', 'utf8', NULL, 'café €'),
    (33, 'good 33', 'g33', 'b33', 'l33'),
    (34, 'good 34', 'g34', 'b34', 'l34'),
    (35, repeat(E'ab\\c\td\ne', 131072), 'big body', NULL, NULL),
    (36, 'good 36', 'g36', 'b36', 'l36'),
    (37, 'good 37', 'g37', 'b37', 'l37'),
    (38, 'big label', repeat(E'ab\\c\td\ne', 131072), NULL, NULL),
    (39, 'good 39', 'g39', 'b39', 'l39'),
    (40, 'good 40', 'g40', 'b40', 'l40'),
    (41, 'label of 21', 'abcdefghijklmnopqrstu', NULL, NULL),
    (42, 'good 42', 'g42', 'b42', 'l42'),
    (43, 'good 43', 'g43', 'b43', 'l43'),
    (44, '😀 four bytes', repeat('é', 19) || '€', NULL, NULL),
    (45, 'good 45', 'g45', 'b45', 'l45');

INSERT INTO src.readings VALUES
    (1, 0.1, 1, '1.5', '1.125'),
    (2, 'NaN', 2, '2.5', '2.125'),
    (3, 3.25, 3, '3.5', '3.125'),
    (4, 4.25, 4, '4.5', '4.125'),
    (5, 'Infinity', 5, '5.5', '5.125'),
    (6, 6.25, 6, '6.5', '6.125'),
    (7, 7.25, 7, '7.5', '7.125'),
    (8, '-Infinity', 8, '8.5', '8.125'),
    (9, 9.25, 9, '9.5', '9.125'),
    (10, 10.25, 10, '10.5', '10.125'),
    (11, 11.25, 'NaN', '11.5', '11.125'),
    (12, 12.25, 12, '12.5', '12.125'),
    (13, 13.25, 13, '13.5', '13.125'),
    (14, 14.25, 'Infinity', '14.5', '14.125'),
    (15, 15.25, 15, '15.5', '15.125'),
    (16, 16.25, 16, '16.5', '16.125'),
    (17, 17.25, '-Infinity', '17.5', '17.125'),
    (18, 18.25, 18, '18.5', '18.125'),
    (19, 19.25, 19, '19.5', '19.125'),
    (20, 20.25, 20, 'NaN', '20.125'),
    (21, 21.25, 21, '21.5', '21.125'),
    (22, 22.25, 22, '22.5', '22.125'),
    (23, 23.25, 23, '23.5', 'NaN'),
    (24, 24.25, 24, '24.5', '24.125'),
    (25, 25.25, 25, '25.5', '25.125'),
    (26, 1.7976931348623157e308, 0, '4.9e-324', '26.125'),
    (27, 27.25, 27, '27.5', '27.125');

INSERT INTO src.stamps VALUES
    (1, '2024-02-29', '2024-02-29 12:34:56.123456+00'),
    (2, 'infinity', '2024-01-02 00:00:00+00'),
    (3, '2024-01-03', '2024-01-03 03:03:03+00'),
    (4, '2024-01-04', '2024-01-04 04:04:04+00'),
    (5, '9999-12-31', '9999-12-31 23:59:59.999999+00'),
    (6, '2024-01-06', '2024-01-06 06:06:06+00'),
    (7, '2024-01-07', '2024-01-07 07:07:07+00'),
    (8, '2024-01-08', '-infinity'),
    (9, '2024-01-09', '2024-01-09 09:09:09+00'),
    (10, '2024-01-10', '2024-01-10 10:10:10+00'),
    (11, '10000-01-01', '2024-01-11 11:11:11+00'),
    (12, '2024-01-12', '2024-01-12 12:12:12+00'),
    (13, '2024-01-13', '2024-01-13 13:13:13+00'),
    (14, '0044-03-15 BC', '2024-01-14 14:14:14+00'),
    (15, '2024-01-15', '2024-01-15 15:15:15+00'),
    (16, '2024-01-16', '2024-01-16 16:16:16+00'),
    (17, '0001-01-01', '0001-01-01 00:00:00+00'),
    (18, '2024-01-18', '2024-01-18 18:18:18+00');

INSERT INTO src.amounts VALUES
    (1, 1.25),
    (2, 12345678901.23),
    (3, 3.25),
    (4, 4.25),
    (5, 9999999999.99),
    (6, 6.25),
    (7, 7.25),
    (8, 1.234),
    (9, 9.25),
    (10, 10.25),
    (11, 'NaN'),
    (12, 12.25),
    (13, 13.25),
    (14, 'Infinity'),
    (15, 15.25),
    (16, 16.25),
    (17, 1.2300),
    (18, 18.25),
    (19, 19.25),
    (20, 1e-20),
    (21, 21.25);

-- in the order of the extract (a new heap: the order of insertion), as in
-- my_rows.sql: batches of 3 are [1 2 2] [3 3 4] [5 6 7] [5 8]
INSERT INTO src.dups VALUES
    (1, 'one'),
    (2, 'two'),
    (3, 'three old'),
    (3, 'three new'),
    (4, 'four'),
    (4, 'four'),
    (5, 'five first'),
    (6, 'six'),
    (7, 'seven'),
    (5, 'five last'),
    (8, 'eight');

-- bytes that are not UTF-8, which a SQL_ASCII database stores as text
INSERT INTO src.raw_texts VALUES
    (1, 'good 1'),
    (2, E'\xff\xfe'),
    (3, 'good 3'),
    (4, 'good 4'),
    (5, E'ok\xc3'),
    (6, 'good 6');

INSERT INTO src.keyless VALUES
    (1, 'good 1'),
    (NULL, 'no key'),
    (3, 'good 3');
