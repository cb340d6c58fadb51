output "identity_arns" {
  description = "ARNs of the domain identity and of the sandbox recipients' identities (the resources of ses:SendEmail)."
  value       = concat([aws_sesv2_email_identity.this.arn], [for identity in aws_sesv2_email_identity.sandbox_recipient : identity.arn])
}

output "dkim_records" {
  description = "DNS records to publish for DKIM and domain verification: name, type and value of each."
  value       = local.dkim_records
}
