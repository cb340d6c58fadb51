# Generated secrets (JWT_SECRET, the application database password): 64 random
# characters made during apply and written straight to Secrets Manager. Ephemeral
# resource + write-only argument: no value is in the plan or the state. Raising a
# secret's version writes a new value (README.md, "Rotate secrets").

ephemeral "random_password" "this" {
  for_each = var.secrets

  length  = 64
  special = false # URL- and shell-safe; 64 alphanumerics are ~380 bits
}

resource "aws_secretsmanager_secret" "this" {
  for_each = var.secrets

  name_prefix             = "${var.name}-${each.key}-"
  description             = each.value.description
  recovery_window_in_days = var.recovery_window_days
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each = var.secrets

  secret_id                = aws_secretsmanager_secret.this[each.key].id
  secret_string_wo         = ephemeral.random_password.this[each.key].result
  secret_string_wo_version = each.value.version
}
