# The optional ElastiCache Redis of var.shared_rate_limits (RATE_LIMIT_REDIS_URL).
module "rate_limit_cache" {
  source = "./modules/rate_limit_cache"
  count  = var.shared_rate_limits ? 1 : 0

  name       = "${local.name}-rate-limits"
  vpc_id     = module.network.vpc_id
  subnet_ids = module.network.private_subnet_ids
  tags       = local.tags
}

# Here rather than in the modules: the web instances' user data needs the cache's URL, so the
# cache module cannot depend on the web instances' security group. The instances' egress is
# closed but for HTTPS and PostgreSQL, so Redis is opened on both sides.
resource "aws_vpc_security_group_ingress_rule" "this" {
  count = var.shared_rate_limits ? 1 : 0

  security_group_id            = module.rate_limit_cache[0].security_group_id
  description                  = "Redis from the web instances"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = module.instances["web"].security_group_id
}

resource "aws_vpc_security_group_egress_rule" "this" {
  count = var.shared_rate_limits ? 1 : 0

  security_group_id            = module.instances["web"].security_group_id
  description                  = "Redis (rate limits)"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = module.rate_limit_cache[0].security_group_id
}

locals {
  rate_limit_environment = var.shared_rate_limits ? { RATE_LIMIT_REDIS_URL = module.rate_limit_cache[0].redis_url } : {}
}
