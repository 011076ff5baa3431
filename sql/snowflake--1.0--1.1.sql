-- snowflake 1.1: update from 1.0.

\echo Use "ALTER EXTENSION snowflake UPDATE TO '1.1'" to load this file. \quit
