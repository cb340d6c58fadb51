variable "name" {
  description = "Prefix of the queue names."
  type        = string
}

variable "visibility_timeout_seconds" {
  description = "How long a received message stays hidden from other workers; above the longest conversion."
  type        = number

  validation {
    condition     = var.visibility_timeout_seconds >= 60 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 60 and 43200 (12 hours, the SQS maximum)."
  }
}

variable "max_receive_count" {
  description = "Receives after which a message moves to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}
