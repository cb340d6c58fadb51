variable "name" {
  description = "Name of the Auto Scaling group, launch template and security group."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the instances."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the instances are spread over."
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
  description = "IAM instance profile the instances run with."
  type        = string
}

variable "user_data" {
  description = "Boot script (plain text; it is base64-encoded here)."
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

variable "root_volume_size_gb" {
  description = "Size of the encrypted root volume in GiB (images, temporary files)."
  type        = number
  default     = 30
}

variable "target_group_arns" {
  description = "Load balancer target groups the instances register with."
  type        = list(string)
  default     = []
}

variable "health_check_type" {
  description = "EC2 (instance status only) or ELB (also the load balancer's health check)."
  type        = string
  default     = "EC2"

  validation {
    condition     = contains(["EC2", "ELB"], var.health_check_type)
    error_message = "health_check_type must be EC2 or ELB."
  }
}

variable "warmup_seconds" {
  description = "Time an instance needs from launch to serving (Docker install, image pull, migrations): health check grace period and instance warm-up."
  type        = number
  default     = 300
}

variable "enabled_metrics" {
  description = "Auto Scaling group metrics to publish to CloudWatch (free at 1-minute granularity)."
  type        = list(string)
  default     = []
}

variable "database_security_group_id" {
  description = "Security group of the database the instances connect to."
  type        = string
}

variable "database_port" {
  description = "TCP port of the database."
  type        = number
}

variable "tags" {
  description = "Tags of the instances and their volumes (provider default_tags do not reach them)."
  type        = map(string)
}
