# The conversion queue and its dead-letter queue, both encrypted with SQS-managed keys
# (SSE-SQS: no KMS key to pay for or grant). A message that fails max_receive_count
# times moves to the DLQ, where the worker marks its task failed; an alarm tells a
# person whenever the DLQ holds anything.

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

# Not encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key,
# a customer key costs $1/month, and alarm notifications carry nothing secret.
resource "aws_sns_topic" "this" {
  name = "${var.name}-alarms"
}

resource "aws_sns_topic_subscription" "this" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "this" {
  alarm_name          = "${var.name}-dead-letter-queue-not-empty"
  alarm_description   = "Conversions failed ${var.max_receive_count} times and were moved to ${aws_sqs_queue.dead_letter.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]
}
