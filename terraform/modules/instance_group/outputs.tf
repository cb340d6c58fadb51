output "autoscaling_group_name" {
  description = "Name of the Auto Scaling group."
  value       = aws_autoscaling_group.this.name
}

output "security_group_id" {
  description = "Security group of the instances."
  value       = aws_security_group.this.id
}
