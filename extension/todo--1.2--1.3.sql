/* extension/todo--1.2--1.3.sql: upgrade 1.2 -> 1.3, the request path's performance (issue 11) and Idempotency-Key (issue 13) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.3'" to load this file. \quit
