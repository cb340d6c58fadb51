# The conversion queue and its dead-letter queue, both encrypted with SQS-managed keys
# (SSE-SQS: no KMS key to pay for or grant). A message that fails max_receive_count
# times moves to the DLQ, where the worker marks its task failed (the alarms module
# tells a person).

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}-conversions-dlq"
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600 # 14 days, the maximum, to leave time to look
}

resource "aws_sqs_queue" "this" {
  name                       = "${var.name}-conversions"
  sqs_managed_sse_enabled    = true
  visibility_timeout_seconds = var.visibility_timeout_seconds
  receive_wait_time_seconds  = 20 # long polling, as the worker does

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
}

# Only the conversion queue may use the DLQ.
resource "aws_sqs_queue_redrive_allow_policy" "this" {
  queue_url = aws_sqs_queue.dead_letter.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}
