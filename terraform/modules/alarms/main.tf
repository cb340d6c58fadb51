# Alarms that fire when a person has something to do, all sent to one SNS topic (and
# its "OK" when the condition clears). Each is a plain CloudWatch metric alarm.

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

locals {
  load_balancer = { LoadBalancer = var.load_balancer_arn_suffix }
  database      = { DBInstanceIdentifier = var.database_identifier }

  alarms = {
    # The worker drains the dead-letter queue at once (it marks the task failed), so
    # the number of messages visible there is nearly always 0; receives are not.
    dead-letters = {
      description = "Conversions failed ${var.max_receive_count} times and reached ${var.dead_letter_queue_name}; their tasks are marked failed. Read the worker log for the cause."
      namespace   = "AWS/SQS"
      metric      = "NumberOfMessagesReceived"
      dimensions  = { QueueName = var.dead_letter_queue_name }
      statistic   = "Sum"
      threshold   = 0
      periods     = 1
    }
    queue-waiting = {
      description = "A conversion has waited over ${var.max_message_age_seconds} s in ${var.queue_name}: workers are down, failing their health check, or at worker_max_size."
      namespace   = "AWS/SQS"
      metric      = "ApproximateAgeOfOldestMessage"
      dimensions  = { QueueName = var.queue_name }
      statistic   = "Maximum"
      threshold   = var.max_message_age_seconds
      periods     = 1
    }
    load-balancer-5xx = {
      description = "The load balancer answered more than ${var.max_5xx_per_5_minutes} 502/503/504 in 5 minutes: no healthy web instance, or they time out."
      namespace   = "AWS/ApplicationELB"
      metric      = "HTTPCode_ELB_5XX_Count"
      dimensions  = local.load_balancer
      statistic   = "Sum"
      threshold   = var.max_5xx_per_5_minutes
      periods     = 1
    }
    web-5xx = {
      description = "Web instances answered more than ${var.max_5xx_per_5_minutes} 5xx in 5 minutes (a dependency is down: see the web log)."
      namespace   = "AWS/ApplicationELB"
      metric      = "HTTPCode_Target_5XX_Count"
      dimensions  = local.load_balancer
      statistic   = "Sum"
      threshold   = var.max_5xx_per_5_minutes
      periods     = 1
    }
    web-unhealthy = {
      description = "A web instance has failed the load balancer's /health check for 15 minutes."
      namespace   = "AWS/ApplicationELB"
      metric      = "UnHealthyHostCount"
      dimensions  = merge(local.load_balancer, { TargetGroup = var.target_group_arn_suffix })
      statistic   = "Maximum"
      threshold   = 0
      periods     = 3
    }
    database-storage = {
      description = "Less than ${var.database_min_free_storage_gb} GiB free on the database: storage autoscaling is at db_max_allocated_storage_gb or cannot keep up."
      namespace   = "AWS/RDS"
      metric      = "FreeStorageSpace"
      dimensions  = local.database
      statistic   = "Minimum"
      threshold   = var.database_min_free_storage_gb * 1073741824
      periods     = 1
      below       = true
    }
    database-cpu = {
      description = "Database CPU above 80% for 15 minutes: a slow query or a too small db_instance_class."
      namespace   = "AWS/RDS"
      metric      = "CPUUtilization"
      dimensions  = local.database
      statistic   = "Average"
      threshold   = 80
      periods     = 3
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = 300
  evaluation_periods  = each.value.periods
  comparison_operator = try(each.value.below, false) ? "LessThanThreshold" : "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching" # SQS and ALB publish nothing while idle
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]
}
