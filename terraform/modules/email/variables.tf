variable "domain" {
  description = "Domain that sends the notification emails."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of the domain to create the DKIM records in; null to add them elsewhere."
  type        = string
  default     = null
}

variable "sandbox_recipients" {
  description = "Addresses that may receive email while the account is in the SES sandbox; each gets an email identity to confirm."
  type        = list(string)
  default     = []
}
