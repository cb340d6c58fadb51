variable "name" {
  description = "Prefix of the topic and alarm names."
  type        = string
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic; null for none."
  type        = string
  default     = null
}

variable "queue_name" {
  description = "Name of the conversion queue."
  type        = string
}

variable "dead_letter_queue_name" {
  description = "Name of the dead-letter queue."
  type        = string
}

variable "max_receive_count" {
  description = "Receives after which a message moves to the dead-letter queue (for the alarm's text)."
  type        = number
}

variable "max_message_age_seconds" {
  description = "Alarm when the oldest message in the conversion queue is older than this."
  type        = number
}

variable "load_balancer_arn_suffix" {
  description = "ARN suffix of the load balancer."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the web target group."
  type        = string
}

variable "max_5xx_per_5_minutes" {
  description = "Alarm when the load balancer or the web instances answer more 5xx than this in 5 minutes."
  type        = number
  default     = 10
}

variable "database_identifier" {
  description = "Identifier of the RDS instance."
  type        = string
}

variable "database_min_free_storage_gb" {
  description = "Alarm when the database has less free storage than this, in GiB."
  type        = number
}
