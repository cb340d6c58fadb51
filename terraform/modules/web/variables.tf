variable "name" {
  description = "Name of the web tier's resources (load balancer, target group, Auto Scaling group)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the tier."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the load balancer (two availability zones)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Private subnets of the instances."
  type        = list(string)
}

variable "allowed_ingress_cidrs" {
  description = "IPv4 CIDR blocks allowed to reach the load balancer."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate for an HTTPS listener (HTTP then redirects to it); null serves HTTP only."
  type        = string
  default     = null
}

variable "app_port" {
  description = "Port the web process listens on (PORT)."
  type        = number
}

variable "health_check_path" {
  description = "Path the load balancer probes; the app answers 200 while the process is alive."
  type        = string
  default     = "/health"
}

variable "deregistration_delay_seconds" {
  description = "Time a leaving instance gets to finish its requests (long uploads and downloads)."
  type        = number
  default     = 120
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
  description = "IAM instance profile of the instances."
  type        = string
}

variable "user_data" {
  description = "Boot script of the instances."
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

variable "requests_per_instance" {
  description = "Scaling target: load balancer requests per instance per minute."
  type        = number
}

variable "database_security_group_id" {
  description = "Security group of the database."
  type        = string
}

variable "database_port" {
  description = "TCP port of the database."
  type        = number
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion."
  type        = bool
}

variable "tags" {
  description = "Tags of the instances and their volumes."
  type        = map(string)
}
