# Container logs (Docker's awslogs driver), one group per tier and one stream per
# instance and container, kept for a bounded time.

resource "aws_cloudwatch_log_group" "this" {
  for_each = toset(var.log_groups)

  name              = "/${var.name}/${each.key}"
  retention_in_days = var.retention_in_days
}
