/* extension/todo--1.3--1.2.sql: downgrade 1.3 -> 1.2, undoing todo--1.2--1.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.2'" to load this file. \quit
