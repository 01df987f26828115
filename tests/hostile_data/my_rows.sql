-- tests/hostile_data/my_rows.sql - the rows of tenant hostile_my's source
-- (my_schema.sql).  In each table rows come in threes and the hostile one
-- is the middle one (ids 2, 5, 8, ...): with --batch-size 3 it sits between
-- two clean rows of its own batch.  Clean rows hold values that name their
-- id ('good 4', 'g4', ...), so a value moved to another row or column
-- shows in the diff.  README.md lists what each hostile row must become;
-- expected/my/ holds the rows the target must hold and the rejects.
-- The session allows zero dates and zero days, as legacy servers do.
SET NAMES utf8mb4;
SET time_zone = '+00:00';
SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';

-- MariaDB string literals: \0 NUL, \t tab, \n newline, \r carriage
-- return, \\ backslash, \' and '' quote.
INSERT INTO src_notes VALUES
    (1, 'good 1', 'g1', 'b1', 'l1'),
    (2, 'it''s a "quoted" \'word\'', '\'"', 'x"y''z', '"'),
    (3, 'good 3', 'g3', 'b3', 'l3'),
    (4, 'good 4', 'g4', 'b4', 'l4'),
    (5, 'C:\\dir\\', '\\\\', 'b\\', '\\'),
    (6, 'good 6', 'g6', 'b6', 'l6'),
    (7, 'good 7', 'g7', 'b7', 'l7'),
    (8, 'col1\tcol2\nline2\r\nline3\rend', '\t\n\r', X'01091B7F', 'a\tb'),
    (9, 'good 9', 'g9', 'b9', 'l9'),
    (10, 'good 10', 'g10', 'b10', 'l10'),
    (11, 'a\n\\.\nb', '\\.', '\\.\n', '\n\\.'),
    (12, 'good 12', 'g12', 'b12', 'l12'),
    (13, 'good 13', 'g13', 'b13', 'l13'),
    (14, '\\N', '\\N', '\\N', '\\N'),
    (15, 'good 15', 'g15', 'b15', 'l15'),
    (16, 'good 16', 'g16', 'b16', 'l16'),
    (17, '', NULL, '', NULL),
    (18, 'good 18', 'g18', 'b18', 'l18'),
    (19, 'good 19', 'g19', 'b19', 'l19'),
    (20, 'a\0b', 'nul', NULL, NULL),
    (21, 'good 21', 'g21', 'b21', 'l21'),
    (22, 'good 22', 'g22', 'b22', 'l22'),
    (23, 'nul in varbinary', 'nul', X'610062', NULL),
    (24, 'good 24', 'g24', 'b24', 'l24'),
    (25, 'good 25', 'g25', 'b25', 'l25'),
    (26, 'bytes ff fe', 'bad', X'FFFE', NULL),
    (27, 'good 27', 'g27', 'b27', 'l27'),
    (28, 'good 28', 'g28', 'b28', 'l28'),
    (29, 'a cut character', 'bad', X'6F6BC3', NULL),
    (30, 'good 30', 'g30', 'b30', 'l30'),
    (31, 'good 31', 'g31', 'b31', 'l31'),
    (32, 'latin1', 'latin1', NULL, _latin1 X'636166E92080'),
    (33, 'good 33', 'g33', 'b33', 'l33'),
    (34, 'good 34', 'g34', 'b34', 'l34'),
    (35, REPEAT('ab\\c\td\ne', 131072), 'big body', NULL, NULL),
    (36, 'good 36', 'g36', 'b36', 'l36'),
    (37, 'good 37', 'g37', 'b37', 'l37'),
    (38, 'big label', REPEAT('ab\\c\td\ne', 131072), NULL, NULL),
    (39, 'good 39', 'g39', 'b39', 'l39'),
    (40, 'good 40', 'g40', 'b40', 'l40'),
    (41, 'label of 21', 'abcdefghijklmnopqrstu', NULL, NULL),
    (42, 'good 42', 'g42', 'b42', 'l42'),
    (43, 'good 43', 'g43', 'b43', 'l43'),
    (44, '😀 four bytes', CONCAT(REPEAT('é', 19), '€'), NULL, NULL),
    (45, 'good 45', 'g45', 'b45', 'l45');

-- doubles cannot be NaN or infinite in MariaDB: those come as text
INSERT INTO src_readings VALUES
    (1, 0.1, 1, '1.5', '1.125'),
    (2, 2.25, 2, 'NaN', '2.125'),
    (3, 3.25, 3, '3.5', '3.125'),
    (4, 4.25, 4, '4.5', '4.125'),
    (5, 5.25, 5, '-inf', '5.125'),
    (6, 6.25, 6, '6.5', '6.125'),
    (7, 7.25, 7, '7.5', '7.125'),
    (8, 8.25, 8, '8.5', 'NaN'),
    (9, 9.25, 9, '9.5', '9.125'),
    (10, 10.25, 10, '10.5', '10.125'),
    (11, 11.25, 100.5, '11.5', '11.125'),
    (12, 12.25, 12, '12.5', '12.125'),
    (13, 13.25, 13, '13.5', '13.125'),
    (14, 1.7976931348623157e308, 0, '4.9e-324', '14.125'),
    (15, 15.25, 15, '15.5', '15.125'),
    (16, 16.25, 16, '16.5', '16.125'),
    (17, 17.25, 17, '1e999', '17.125'),
    (18, 18.25, 18, '18.5', '18.125'),
    (19, 19.25, 19, '19.5', '19.125'),
    (20, 20.25, 20, '20.5', 'Infinity'),
    (21, 21.25, 21, '21.5', '21.125');

INSERT INTO src_stamps VALUES
    (1, '2024-02-29', '2024-02-29 12:34:56.123456'),
    (2, '0000-00-00', '2024-01-02 00:00:00'),
    (3, '2024-01-03', '2024-01-03 03:03:03'),
    (4, '2024-01-04', '2024-01-04 04:04:04'),
    (5, '9999-12-31', '9999-12-31 23:59:59.999999'),
    (6, '2024-01-06', '2024-01-06 06:06:06'),
    (7, '2024-01-07', '2024-01-07 07:07:07'),
    (8, '2024-01-08', '0000-00-00 00:00:00'),
    (9, '2024-01-09', '2024-01-09 09:09:09'),
    (10, '2024-01-10', '2024-01-10 10:10:10'),
    (11, '2024-02-00', '2024-01-11 11:11:11'),
    (12, '2024-01-12', '2024-01-12 12:12:12'),
    (13, '2024-01-13', '2024-01-13 13:13:13'),
    (14, '0001-01-01', '0001-01-01 00:00:00'),
    (15, '2024-01-15', '2024-01-15 15:15:15');

INSERT INTO src_amounts VALUES
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
    (11, -9999999999.99),
    (12, 12.25),
    (13, 13.25),
    (14, 0.005),
    (15, 15.25),
    (16, 16.25),
    (17, -0.000000),
    (18, 18.25);

-- in the order of the extract (no key: the order of insertion).  With
-- --batch-size 3 the batches are [1 2 2] [3 3 4] [5 6 7] [5 8]: an
-- identical duplicate and a changed one within a batch, and key 5 changed
-- in two batches.  The last one read is the one to keep.
INSERT INTO src_dups VALUES
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

INSERT INTO src_raw VALUES
    (1, 'good 1'),
    (2, X'FFFE'),
    (3, 'good 3'),
    (4, 'good 4'),
    (5, X'6F6BC3'),
    (6, 'good 6');

INSERT INTO src_keyless VALUES
    (1, 'good 1'),
    (NULL, 'no key'),
    (3, 'good 3');
