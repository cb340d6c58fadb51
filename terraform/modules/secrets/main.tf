# JWT_SECRET: 64 random characters generated during apply and written straight to
# Secrets Manager. Ephemeral resource + write-only argument: the value is in neither
# the plan nor the state. Bump secret_string_wo_version to rotate it (signs everyone out).

ephemeral "random_password" "this" {
  length  = 64
  special = false
}

resource "aws_secretsmanager_secret" "this" {
  name_prefix             = "${var.name}-jwt-secret-"
  description             = "JWT_SECRET of the Cloud Conversion Tool (signs login tokens)"
  recovery_window_in_days = var.recovery_window_days
}

resource "aws_secretsmanager_secret_version" "this" {
  secret_id                = aws_secretsmanager_secret.this.id
  secret_string_wo         = ephemeral.random_password.this.result
  secret_string_wo_version = 1
}
