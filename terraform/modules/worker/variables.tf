variable "name" {
  description = "Name of the worker Auto Scaling group (the boot script and IAM policy refer to it by this name)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the tier."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the instances."
  type        = list(string)
}

variable "ami_id" {
  description = "AMI of the instances."
  type        = string
}

variable "instance_type" {
  description = "EC2 instance type."
  type        = string
}

variable "instance_profile_name" {
  description = "IAM instance profile of the instances."
  type        = string
}

variable "user_data" {
  description = "Boot script of the instances."
  type        = string
}

variable "min_size" {
  description = "Minimum number of instances."
  type        = number
}

variable "max_size" {
  description = "Maximum number of instances."
  type        = number
}

variable "queue_name" {
  description = "Name of the SQS queue whose backlog drives scaling."
  type        = string
}

variable "backlog_per_instance" {
  description = "Scaling target: visible messages per in-service instance."
  type        = number
}

variable "drain_hook_name" {
  description = "Name of the termination lifecycle hook (the boot script completes it by name)."
  type        = string
}

variable "drain_timeout_seconds" {
  description = "How long Auto Scaling waits for a terminating instance to finish its conversions before it goes anyway."
  type        = number

  validation {
    condition     = var.drain_timeout_seconds >= 30 && var.drain_timeout_seconds <= 7200
    error_message = "drain_timeout_seconds must be between 30 and 7200."
  }
}

variable "database_security_group_id" {
  description = "Security group of the database."
  type        = string
}

variable "database_port" {
  description = "TCP port of the database."
  type        = number
}

variable "tags" {
  description = "Tags of the instances and their volumes."
  type        = map(string)
}
