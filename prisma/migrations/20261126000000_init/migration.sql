-- CreateEnum
CREATE TYPE "task_status" AS ENUM ('uploaded', 'processing', 'processed', 'failed');

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "username" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tasks" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "file_name" TEXT NOT NULL,
    "source_format" TEXT NOT NULL,
    "target_format" TEXT NOT NULL,
    "options" JSONB NOT NULL DEFAULT '{}',
    "status" "task_status" NOT NULL DEFAULT 'uploaded',
    "status_reason" TEXT,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 1,
    "input_key" TEXT NOT NULL,
    "output_key" TEXT,
    "input_bytes" BIGINT NOT NULL,
    "output_bytes" BIGINT,
    "duration_seconds" DOUBLE PRECISION,
    "enqueued_at" TIMESTAMP(3),
    "notified_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "tasks_user_id_id_idx" ON "tasks"("user_id", "id");

-- CreateIndex
CREATE INDEX "tasks_user_id_file_name_id_idx" ON "tasks"("user_id", "file_name", "id");

-- CreateIndex
CREATE INDEX "tasks_status_enqueued_at_idx" ON "tasks"("status", "enqueued_at");

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
