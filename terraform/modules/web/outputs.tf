output "url" {
  description = "URL of the load balancer (https when a certificate is given)."
  value       = "${local.https ? "https" : "http"}://${aws_lb.this.dns_name}"
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "instance_security_group_id" {
  description = "Security group of the web instances."
  value       = module.instances.security_group_id
}
