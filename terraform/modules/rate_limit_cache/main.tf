# Redis (ElastiCache) holding the web tier's rate-limit counters, so that every instance
# behind the load balancer shares one limit per client. Encrypted at rest and in transit;
# reachable only from the security groups the caller allows (the web instances').
resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_security_group" "this" {
  name        = "${var.name}-redis"
  description = "Rate-limit Redis: the Redis port from the web instances only"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = var.name
  description                = "Shared rate-limit counters of the web tier"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.node_type
  num_cache_clusters         = 1
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [aws_security_group.this.id]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  apply_immediately          = true
  tags                       = var.tags
}
