output "instance_profile_names" {
  description = "Instance profile name of each tier (keys web and worker)."
  value       = { for tier, profile in aws_iam_instance_profile.this : tier => profile.name }
}

output "role_arns" {
  description = "Role ARN of each tier (keys web and worker)."
  value       = { for tier, role in aws_iam_role.this : tier => role.arn }
}
