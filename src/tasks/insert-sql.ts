// Creating a task is on the path of every upload, so it is one SQL statement (src/db/sql.ts):
// the task, its own webhook when it has one, and for a direct upload the claim of the upload,
// all or nothing. The trigger of migration task_changes announces it as for any change.
/** Every column of `tasks`, named as Prisma names the fields of Task (test/tasks/transitions.test.ts compares them). */
const TASK_FIELDS = `id, user_id AS "userId", file_name AS "fileName", source_format AS "sourceFormat",
  target_format AS "targetFormat", options, status, status_reason AS "statusReason", progress, version,
  input_key AS "inputKey", output_key AS "outputKey", input_bytes AS "inputBytes", output_bytes AS "outputBytes",
  duration_seconds AS "durationSeconds", enqueued_at AS "enqueuedAt", notified_at AS "notifiedAt",
  notification_error AS "notificationError", created_at AS "createdAt", updated_at AS "updatedAt",
  started_at AS "startedAt", finished_at AS "finishedAt", expired_at AS "expiredAt"`;

// $1 user, $2 id or null for the next, $3 file name, $4 source, $5 target, $6 options, $7 input key,
// $8 input bytes, $9 now, $10-$12 the webhook's url, events and secret (null: none).
const INSERT = `task AS (
    INSERT INTO tasks (id, user_id, file_name, source_format, target_format, options, input_key, input_bytes, created_at, updated_at)
    SELECT COALESCE($2::int, nextval(pg_get_serial_sequence('tasks', 'id'))::int), $1, $3, $4, $5, $6::jsonb, $7, $8::bigint, $9::timestamp, $9::timestamp`;
const RETURN = `RETURNING ${TASK_FIELDS}
  ), webhook AS (
    INSERT INTO webhook_endpoints (user_id, task_id, url, events, secret, created_at)
    SELECT $1, task.id, $10, $11::text[], $12, $9::timestamp FROM task WHERE $10::text IS NOT NULL
  )
  SELECT * FROM task`;

export const CREATE_TASK = `WITH ${INSERT} ${RETURN}`;

/** The same after claiming upload $13 (unused, the user's, claimable after $14): no row when that fails. */
export const CREATE_TASK_FROM_UPLOAD = `WITH claimed AS (
    UPDATE uploads SET used_at = $9::timestamp WHERE id = $13::uuid AND user_id = $1 AND used_at IS NULL AND expires_at > $14::timestamp RETURNING id
  ), ${INSERT} FROM claimed ${RETURN}`;
