output "log_group_names" {
  description = "Log group names by entry of var.log_groups."
  value       = { for key, group in aws_cloudwatch_log_group.this : key => group.name }
}

output "log_group_arns" {
  description = "Log group ARNs by entry of var.log_groups."
  value       = { for key, group in aws_cloudwatch_log_group.this : key => group.arn }
}
