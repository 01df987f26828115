-- tests/hostile_data/my_schema.sql - the MariaDB source tables of tenant
-- hostile_my (hostile.wmap); my_rows.sql holds their rows.
SET NAMES utf8mb4;
SET time_zone = '+00:00';

CREATE TABLE src_notes (
    id    BIGINT NOT NULL PRIMARY KEY,
    body  LONGTEXT,
    label LONGTEXT,
    bin   VARBINARY(64),
    lat   VARCHAR(40) CHARACTER SET latin1
) DEFAULT CHARSET = utf8mb4;

CREATE TABLE src_readings (
    id  BIGINT NOT NULL PRIMARY KEY,
    val DOUBLE,
    pct DOUBLE,
    txt VARCHAR(40),
    num VARCHAR(40)
) DEFAULT CHARSET = utf8mb4;

CREATE TABLE src_stamps (
    id  BIGINT NOT NULL PRIMARY KEY,
    day DATE,
    at  DATETIME(6)
) DEFAULT CHARSET = utf8mb4;

CREATE TABLE src_amounts (
    id     BIGINT NOT NULL PRIMARY KEY,
    amount DECIMAL(30,6)
) DEFAULT CHARSET = utf8mb4;

-- no primary key: the same id can come twice (and NULL)
CREATE TABLE src_dups (
    id   BIGINT,
    body VARCHAR(40)
) DEFAULT CHARSET = utf8mb4;

-- bytes as they are: not UTF-8
CREATE TABLE src_raw (
    id   BIGINT NOT NULL PRIMARY KEY,
    body VARBINARY(64)
);

-- no primary key: the key can be NULL
CREATE TABLE src_keyless (
    id   BIGINT,
    body VARCHAR(40)
) DEFAULT CHARSET = utf8mb4;
