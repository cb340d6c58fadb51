output "arns" {
  description = "ARN of each secret, by the keys of var.secrets."
  value       = { for key, secret in aws_secretsmanager_secret.this : key => secret.arn }

  # Instances read the secrets at boot: they must have a value by then.
  depends_on = [aws_secretsmanager_secret_version.this]
}
