-- Cobalt's case database and its two roles (README, "Deploying for a ward"). Run once, as a
-- PostgreSQL superuser, with the passwords (and, if you like, other names) given as psql variables:
--
--   psql -h db.hospital.example -U postgres -v owner_password='…' -v app_password='…' \
--        -f deploy/postgresql/roles.sql          [-v owner=cobalt_owner -v app=cobalt_app -v db=cobalt]
--
-- The owner owns the database, its tables, the audit triggers and their function; it runs the
-- migrations (`python -m store migrate --app-role cobalt_app`, which then grants the app role what it
-- needs). The app role owns nothing: every app process connects as it, so the app cannot change the
-- schema, switch off or replace the triggers, or change or delete audit rows and versions.
-- tests/browser/ward.py and tests/store/test_app_role.py make their databases with this file.

\set ON_ERROR_STOP on
\if :{?owner}
\else
  \set owner cobalt_owner
\endif
\if :{?app}
\else
  \set app cobalt_app
\endif
\if :{?db}
\else
  \set db cobalt
\endif

CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN PASSWORD :'app_password';   -- not a superuser, owns nothing
CREATE DATABASE :"db" OWNER :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;             -- no other role connects, none makes temporary tables
GRANT CONNECT ON DATABASE :"db" TO :"app";

\connect :"db"
REVOKE ALL ON SCHEMA public FROM PUBLIC;              -- PostgreSQL 15 already keeps CREATE from PUBLIC
