output "autoscaling_group_name" {
  description = "Name of the worker Auto Scaling group."
  value       = module.instances.autoscaling_group_name
}

output "security_group_id" {
  description = "Security group of the worker instances."
  value       = module.instances.security_group_id
}
