/* extension/todo--1.1.sql: built from the pieces in extension/schema, in name order (docs/layout.md) */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION todo" to load this file. \quit
