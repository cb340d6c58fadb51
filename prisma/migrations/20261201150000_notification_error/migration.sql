-- Why the owner's email was given up after its retries (the task itself may be processed).
ALTER TABLE "tasks" ADD COLUMN "notification_error" TEXT;
