output "jwt_secret_arn" {
  description = "ARN of the secret holding JWT_SECRET."
  value       = aws_secretsmanager_secret.this.arn

  # Instances read the secret at boot: it must have a value by then.
  depends_on = [aws_secretsmanager_secret_version.this]
}
