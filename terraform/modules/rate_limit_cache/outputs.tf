output "redis_url" {
  description = "RATE_LIMIT_REDIS_URL of the web processes (TLS)."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:6379"
}

output "security_group_id" {
  description = "Security group of the cache; allow the clients' groups into it on port 6379."
  value       = aws_security_group.this.id
}
