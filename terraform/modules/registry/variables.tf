variable "name" {
  description = "Prefix of the repository names."
  type        = string
}

variable "repositories" {
  description = "One repository per entry, named <name>-<entry> (the tiers)."
  type        = list(string)
}

variable "force_delete" {
  description = "Let `terraform destroy` delete repositories that still hold images."
  type        = bool
}

variable "images_to_keep" {
  description = "Most recent images kept per repository; older ones are expired."
  type        = number
  default     = 30
}
