output "topic_arn" {
  description = "SNS topic of the alarms."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms."
  value       = [for alarm in aws_cloudwatch_metric_alarm.this : alarm.alarm_name]
}
