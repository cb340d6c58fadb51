variable "autoscaling_group_name" {
  description = "Auto Scaling group of the worker instances."
  type        = string
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
