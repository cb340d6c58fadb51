output "url" {
  description = "URL of the load balancer (https when a certificate is given)."
  value       = "${local.https ? "https" : "http"}://${aws_lb.this.dns_name}"
}

output "dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "target_group_arn" {
  description = "Target group the web instances register with."
  value       = aws_lb_target_group.this.arn
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer (its CloudWatch dimension LoadBalancer)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (its CloudWatch dimension TargetGroup)."
  value       = aws_lb_target_group.this.arn_suffix
}
