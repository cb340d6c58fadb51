-- Only changes a client can see bump the list's version and are announced: the bookkeeping
-- columns (the queue's enqueued_at, the email's notified_at and notification_error) change on
-- every upload and every ending without changing what the API shows, and each bump would cost
-- every web instance a notification and every cached list page its validity.
DROP TRIGGER "tasks_changed" ON "tasks";

CREATE TRIGGER "tasks_changed" AFTER INSERT OR DELETE ON "tasks" FOR EACH ROW EXECUTE FUNCTION "task_changed"();

CREATE TRIGGER "tasks_changed_visibly" AFTER UPDATE ON "tasks" FOR EACH ROW
  WHEN (to_jsonb(OLD) - ARRAY['enqueued_at', 'notified_at', 'notification_error'] IS DISTINCT FROM to_jsonb(NEW) - ARRAY['enqueued_at', 'notified_at', 'notification_error'])
  EXECUTE FUNCTION "task_changed"();
