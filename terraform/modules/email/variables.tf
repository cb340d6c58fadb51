variable "domain" {
  description = "Domain that sends the notification emails."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of the domain to create the DKIM records in; null to add them elsewhere."
  type        = string
  default     = null
}
