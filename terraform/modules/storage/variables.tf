variable "name" {
  description = "Prefix of the bucket name (a unique suffix is added)."
  type        = string
}

variable "file_retention_days" {
  description = "Days after which every object under users/ (originals and converted files) expires."
  type        = number
}

variable "cors_allowed_origins" {
  description = "Origins (scheme://host) whose browser code may send requests to the bucket, e.g. with presigned URLs."
  type        = list(string)
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with its objects."
  type        = bool
}
