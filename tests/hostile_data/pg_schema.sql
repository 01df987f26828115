-- tests/hostile_data/pg_schema.sql - the PostgreSQL source tables of
-- tenant hostile_pg (hostile.wmap), in the schema src; pg_rows.sql holds
-- their rows.  run.sh creates the database with ENCODING 'SQL_ASCII', as
-- legacy PostgreSQL databases often are: it stores any bytes in text.
SET client_min_messages = warning;
CREATE SCHEMA src;

CREATE TABLE src.notes (
    id    bigint PRIMARY KEY,
    body  text,
    label text,
    bin   bytea,
    lat   text
);

CREATE TABLE src.readings (
    id  bigint PRIMARY KEY,
    val double precision,
    pct double precision,
    txt text,
    num text
);

CREATE TABLE src.stamps (
    id  bigint PRIMARY KEY,
    day date,
    at  timestamptz
);

CREATE TABLE src.amounts (
    id     bigint PRIMARY KEY,
    amount numeric
);

-- no primary key: the same id can come twice
CREATE TABLE src.dups (
    id   bigint,
    body text
);

-- text that is not UTF-8 (the database is SQL_ASCII)
CREATE TABLE src.raw_texts (
    id   bigint PRIMARY KEY,
    body text
);

-- no primary key: the key can be NULL
CREATE TABLE src.keyless (
    id   bigint,
    body text
);
