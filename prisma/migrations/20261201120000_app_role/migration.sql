-- The group role of the application: rows only, no DDL, no access to the migrations'
-- own table. The app logs in as a member of it (src/db/app-login.ts creates that login
-- role on AWS); the migrating user keeps ownership and DDL. A NOLOGIN role nobody is a
-- member of grants nothing, so this is safe on development and test databases. Roles
-- belong to the whole server: a database migrated earlier, or at the same moment, may
-- have made it already.
DO $$
BEGIN
  CREATE ROLE cct_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO cct_app', current_database());
END
$$;

-- PostgreSQL 14 and older let every role create tables in public; 15 and later do not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO cct_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cct_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO cct_app;
REVOKE ALL ON "_prisma_migrations" FROM cct_app;

-- The same on the tables and sequences that later migrations create.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cct_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO cct_app;
