variable "name" {
  description = "Identifier prefix of the database resources."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the database (two availability zones)."
  type        = list(string)
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect, by a static label (for_each keys must be known at plan time)."
  type        = map(string)
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL major version (e.g. 17) or major.minor."
  type        = string
}

variable "allocated_storage_gb" {
  description = "Initial storage in GiB."
  type        = number
}

variable "max_allocated_storage_gb" {
  description = "Upper limit of storage autoscaling in GiB."
  type        = number
}

variable "multi_az" {
  description = "Keep a synchronous standby in a second availability zone."
  type        = bool
}

variable "backup_retention_days" {
  description = "Days of automated backups."
  type        = number
}

variable "deletion_protection" {
  description = "Refuse to delete the database."
  type        = bool
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the exported PostgreSQL logs."
  type        = number
}

variable "database_name" {
  description = "Name of the application database."
  type        = string
  default     = "conversions"
}

variable "username" {
  description = "Master user name; RDS generates its password and keeps it in Secrets Manager."
  type        = string
  default     = "cct"
}
