-- Every change to a user's tasks bumps users.tasks_version (the list's ETag) and is announced
-- on the channel `task_changes` (Server-Sent Events in every web instance), in the same
-- transaction as the change, so no writer can forget either.
ALTER TABLE "users" ADD COLUMN "tasks_version" BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION "task_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed "tasks";
BEGIN
  IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
  UPDATE "users" SET "tasks_version" = "tasks_version" + 1 WHERE "id" = changed."user_id";
  PERFORM pg_notify('task_changes', json_build_object('userId', changed."user_id", 'taskId', changed."id", 'deleted', TG_OP = 'DELETE')::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER "tasks_changed" AFTER INSERT OR UPDATE OR DELETE ON "tasks" FOR EACH ROW EXECUTE FUNCTION "task_changed"();
