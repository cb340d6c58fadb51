variable "name" {
  description = "Prefix of resource names."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC, /16 to /18."
  type        = string
}

variable "single_nat_gateway" {
  description = "One NAT gateway shared by both private subnets instead of one per availability zone."
  type        = bool
}
