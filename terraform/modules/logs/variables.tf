variable "name" {
  description = "Prefix of the log group names."
  type        = string
}

variable "log_groups" {
  description = "One log group per entry, named /<name>/<entry> (the tiers)."
  type        = list(string)
}

variable "retention_in_days" {
  description = "Days the logs are kept."
  type        = number
}
