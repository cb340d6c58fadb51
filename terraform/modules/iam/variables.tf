variable "name" {
  description = "Prefix of the role and instance profile names."
  type        = string
}

variable "region" {
  description = "Region of the Auto Scaling groups (part of their ARNs)."
  type        = string
}

variable "bucket_arn" {
  description = "ARN of the files bucket."
  type        = string
}

variable "queue_arn" {
  description = "ARN of the conversion queue."
  type        = string
}

variable "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  type        = string
}

variable "email_identity_arns" {
  description = "ARNs of the SES identities the worker sends with: the domain and, in the sandbox, the recipients."
  type        = list(string)
}

variable "ses_from" {
  description = "The only sender address the worker may use (SES_FROM)."
  type        = string
}

variable "secret_arns" {
  description = "Secrets Manager secrets each tier reads (keys web and worker)."
  type        = map(list(string))
}

variable "repository_arns" {
  description = "ECR repository ARN of each tier (keys web and worker)."
  type        = map(string)
}

variable "log_group_arns" {
  description = "CloudWatch log group ARN of each tier (keys web and worker)."
  type        = map(string)
}

variable "autoscaling_group_names" {
  description = "Auto Scaling group name of each tier (keys web and worker)."
  type        = map(string)
}
