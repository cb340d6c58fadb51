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

variable "untagged_image_days" {
  description = "Days after which an untagged image is expired; tagged images are never expired."
  type        = number
  default     = 7
}
