# Optional: rate limits shared by all web instances through ElastiCache Redis
# (RATE_LIMIT_REDIS_URL). Off by default: then each instance counts on its own, and the
# effective limit is the configured one times the number of web instances.
variable "shared_rate_limits" {
  description = "Create an ElastiCache Redis for rate-limit counters shared by all web instances."
  type        = bool
  default     = false
}

module "rate_limit_cache" {
  source = "./modules/rate_limit_cache"
  count  = var.shared_rate_limits ? 1 : 0

  name       = "${local.name}-rate-limits"
  vpc_id     = module.network.vpc_id
  subnet_ids = module.network.private_subnet_ids
  tags       = local.tags
}

# Here rather than in the module: the web instances' user data needs the cache's URL, so the
# module cannot depend on the web module's security group.
resource "aws_vpc_security_group_ingress_rule" "this" {
  count = var.shared_rate_limits ? 1 : 0

  security_group_id            = module.rate_limit_cache[0].security_group_id
  description                  = "Redis from the web instances"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = module.web.instance_security_group_id
}

locals {
  rate_limit_environment = var.shared_rate_limits ? { RATE_LIMIT_REDIS_URL = module.rate_limit_cache[0].redis_url } : {}
}
