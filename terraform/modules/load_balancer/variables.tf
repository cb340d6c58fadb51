variable "name" {
  description = "Name of the load balancer and target group (the web tier's group name)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the load balancer (two availability zones)."
  type        = list(string)
}

variable "allowed_ingress_cidrs" {
  description = "IPv4 CIDR blocks allowed to reach the load balancer."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener (HTTP then redirects to it); null serves plain HTTP, which the root module allows only with allow_plain_http."
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

variable "instance_security_group_id" {
  description = "Security group of the web instances; the load balancer is its only way in."
  type        = string
}

variable "autoscaling_group_name" {
  description = "Auto Scaling group of the web instances, scaled on requests per target."
  type        = string
}

variable "requests_per_instance" {
  description = "Scaling target: load balancer requests per instance per minute."
  type        = number
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion."
  type        = bool
}
