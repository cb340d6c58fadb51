output "identity_arn" {
  description = "ARN of the SES identity (the resource of ses:SendEmail)."
  value       = aws_sesv2_email_identity.this.arn
}

output "dkim_records" {
  description = "DNS records to publish for DKIM and domain verification: name, type and value of each."
  value       = local.dkim_records
}
