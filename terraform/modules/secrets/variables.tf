variable "name" {
  description = "Prefix of the secret names."
  type        = string
}

variable "secrets" {
  description = "Secrets to generate, by name: what each is for, and its version (raise it to write a new value)."
  type = map(object({
    description = string
    version     = number
  }))
}

variable "recovery_window_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once)."
  type        = number
  default     = 7
}
