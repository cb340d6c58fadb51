variable "name" {
  description = "Name of the replication group and its subnet and security groups."
  type        = string
}

variable "vpc_id" {
  description = "VPC the cache lives in."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the cache nodes."
  type        = list(string)
}

variable "node_type" {
  description = "ElastiCache node type; counters need very little memory."
  type        = string
  default     = "cache.t4g.micro"
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
