output "scaling_policy_arn" {
  description = "ARN of the backlog-per-instance target tracking policy."
  value       = aws_autoscaling_policy.this.arn
}
